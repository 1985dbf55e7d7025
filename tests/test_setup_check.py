"""Install problems are reported as such: every reader works here, and a missing module is named, not blamed on the file.

The readers are tried in this very environment (a module missing from the install fails here, in CI,
not in a user's upload); a missing module is simulated the way Python itself reports one: a
``sys.modules`` entry set to None makes its import fail, in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rag.errors import BrokenFile, SetupProblem
from rag.parse import ocr
from rag.parse.setup import check_readers, missing_module_message, sample_pdf

ROOT = Path(__file__).resolve().parents[1]
READERS = {"HTML pages", "PDFs", "Word documents", "PowerPoint files", "Excel workbooks", "E-mails"}


@pytest.mark.slow  # reads one document of each type (Word's reader loads its language model: seconds)
def test_every_reader_works_in_this_install():
    checks = {c.name: c for c in check_readers()}
    assert READERS <= set(checks)
    assert [c.problem for c in checks.values() if c.name in READERS and not c.ok] == []
    ocr_check = checks["Scans and images (OCR)"]
    assert ocr_check.optional
    if ocr.available():  # Tesseract's data is here: then OCR must work too
        assert ocr_check.ok, ocr_check.problem
    else:
        assert not ocr_check.ok and "tesseract" in ocr_check.problem.lower()


def test_the_html_reader_goes_through_the_main_content_step(monkeypatch):
    """The sample page is long enough that trafilatura decides (not the whole-page fallback)."""
    from rag.parse import main_content
    from rag.parse.setup import HTML

    assert main_content.find_main_content(HTML) is not None


def test_sample_pdf_is_a_real_pdf(tmp_path):
    from rag.parse import parse_file

    path = tmp_path / "a.pdf"
    path.write_bytes(sample_pdf("Onboarding took 12 days"))
    assert "12 days" in " ".join(e.text for e in parse_file(path).elements)


def test_the_message_names_the_module_lxml_names():
    """lxml 5.2+ raises a bare ImportError naming the project lxml.html.clean moved to."""
    moved = ImportError("lxml.html.clean module is now a separate project lxml_html_clean.\nInstall lxml[html-clean].")
    assert missing_module_message("HTML pages", moved) == (
        "HTML pages can't be read: the module lxml_html_clean is missing; run make install again.")
    assert "the module docx is missing" in missing_module_message("Word documents", ModuleNotFoundError("x", name="docx"))
    assert "a module it needs is missing" in missing_module_message("PDFs", ImportError("something else"))


def _without(module: str, code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter in which importing ``module`` fails, as when it isn't installed."""
    script = f"import sys\nsys.modules[{module!r}] = None\n" + textwrap.dedent(code)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300, cwd=ROOT)


PARSE_HTML = """
    import json, pathlib, tempfile
    from rag.parse import parse_file
    from rag.parse.setup import HTML
    path = pathlib.Path(tempfile.mkdtemp()) / "page.html"
    path.write_text(HTML)
    try:
        parse_file(path)
        print(json.dumps(["ok", ""]))
    except Exception as err:
        print(json.dumps([type(err).__name__, str(err)]))
"""


@pytest.mark.slow  # a fresh interpreter
def test_html_without_lxml_html_clean_is_an_install_problem_not_a_damaged_file():
    out = _without("lxml_html_clean", PARSE_HTML)
    kind, message = json.loads(out.stdout.strip().splitlines()[-1])
    assert kind == SetupProblem.__name__ and not issubclass(SetupProblem, BrokenFile), out.stderr
    assert message == "HTML pages can't be read: the module lxml_html_clean is missing; run make install again."


@pytest.mark.slow  # a fresh interpreter
def test_html_without_trafilatura_is_an_install_problem_too():
    out = _without("trafilatura", PARSE_HTML)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [
        "SetupProblem", "HTML pages can't be read: the module trafilatura is missing; run make install again."]


@pytest.mark.slow  # a fresh interpreter, every reader
def test_doctor_lists_the_broken_reader_and_exits_1():
    out = _without("lxml_html_clean", """
        from rag.cli import main
        sys.exit(main(["doctor", "--json"]))
    """)
    assert out.returncode == 1, out.stderr
    report = json.loads(out.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert not report["ok"] and not checks["HTML pages"]["ok"]
    assert checks["HTML pages"]["problem"] == (
        "HTML pages can't be read: the module lxml_html_clean is missing; run make install again.")
    assert all(checks[name]["ok"] for name in READERS - {"HTML pages"})
    assert checks["Search (embedding model)"]["ok"]


@pytest.mark.slow  # a fresh interpreter
def test_word_without_its_module_names_word_documents(tmp_path):
    from tests.fixtures import make_docx

    path = tmp_path / "brief.docx"
    make_docx(path)
    out = _without("docx", f"""
        import pathlib
        from rag.parse import parse_file
        try:
            parse_file(pathlib.Path({str(path)!r}))
        except Exception as err:
            print(type(err).__name__, "|", err)
    """)
    assert out.stdout.strip() == (
        "SetupProblem | Word documents can't be read: the module docx is missing; run make install again."), out.stderr


def test_doctor_passes_here(capsys):
    from rag.cli import main

    assert main(["doctor"]) == 0
    assert "Everything needed works." in capsys.readouterr().out
