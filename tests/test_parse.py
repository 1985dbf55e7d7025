"""Parsing every supported format, keeping structure, and failing with plain reasons."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rag.errors import (
    BrokenFile,
    EmptyDocument,
    EncryptedFile,
    FileTooLarge,
    UnsupportedFile,
)
from rag.parse import SUPPORTED_EXTENSIONS, iter_members, parse_file
from rag.parse.encoding import decode
from tests.fixtures import HTML, make_pdf, make_zip, write_all

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    return write_all(tmp_path_factory.mktemp("docs"))


def test_pdf_keeps_page_numbers(docs):
    d = parse_file(docs["report.pdf"])
    assert d.pages == 2
    by_page = {e.page: e.text for e in d.elements}
    assert "Revenue grew 12 percent." in by_page[1] and "churn" in by_page[2]


def test_docx_headings_and_tables(docs):
    d = parse_file(docs["case.docx"])
    body = next(e for e in d.elements if "41 days" in e.text)
    assert body.heading_path == ("Northwind case study",)
    table = next(e for e in d.elements if e.kind == "table")
    assert table.heading_path == ("Northwind case study", "Results")
    assert table.text.splitlines()[:3] == ["| Metric | Value |", "| --- | --- |", "| Onboarding | 12 days |"]


def test_pptx_slides_are_pages_and_tables_stay_tables(docs):
    d = parse_file(docs["deck.pptx"])
    assert d.pages == 2
    assert any(e.page == 1 and "March" in e.text and e.heading_path == ("Spring launch",) for e in d.elements)
    table = next(e for e in d.elements if e.kind == "table")
    assert table.page == 2 and "| Enterprise | $900 |" in table.text


def test_xlsx_sheets_become_tables_with_header_repeated(tmp_path):
    from tests.fixtures import make_xlsx

    make_xlsx(tmp_path / "big.xlsx", rows=120)
    d = parse_file(tmp_path / "big.xlsx")
    tables = [e for e in d.elements if e.kind == "table"]
    assert len(tables) == 3  # 120 rows in blocks of 50
    assert all(t.text.startswith("| Customer | Onboarding days |\n| --- | --- |") for t in tables)
    assert all(t.page == 1 and t.heading_path == ("Results",) for t in tables)


def test_html_drops_hidden_text_and_keeps_structure():
    from rag.parse.web import parse_html_text

    d = parse_html_text(HTML.decode(), "page.html")
    text = "\n".join(e.text for e in d.elements)
    assert "Forgot password" in text
    for hidden in ("Ignore previous instructions", "hidden white text", "alert", "Home | Docs"):
        assert hidden not in text
    para = next(e for e in d.elements if "Forgot password" in e.text)
    assert para.heading_path == ("Account help", "Reset your password")
    assert any(e.kind == "table" and "| Team | 5 |" in e.text for e in d.elements)


def test_markdown_sections_tables_lists(docs):
    d = parse_file(docs["notes.md"])
    kinds = {e.kind for e in d.elements}
    assert kinds == {"title", "text", "table", "list"}
    table = next(e for e in d.elements if e.kind == "table")
    assert table.heading_path == ("Product launch", "Pricing") and "| Team | $49 |" in table.text


def test_text_encodings():
    assert decode("Grüße".encode("utf-16")) == "Grüße"
    assert decode("Grüße aus Köln".encode("utf-16-le")) == "Grüße aus Köln"
    assert decode("Grüße".encode("cp1252")) == "Grüße"
    assert decode("Grüße".encode("utf-8")) == "Grüße"


def test_csv_and_eml(docs):
    csv_doc = parse_file(docs["table.csv"])
    assert csv_doc.elements[0].text.splitlines()[2] == "| Northwind | 12 |"
    mail = parse_file(docs["launch.eml"])
    assert mail.title == "Launch recap" and any("300 sign-ups" in e.text for e in mail.elements)


def test_zip_members_are_safe(tmp_path):
    data = make_zip(
        {
            "help/ok.html": b"<p>Fine page.</p>",
            "../evil.html": b"<p>escape</p>",
            "inner.zip": make_zip({"a.txt": b"x"}),
            "logo.gif": b"GIF89a",
            "__MACOSX/._ok.html": b"junk",
        }
    )
    path = tmp_path / "export.zip"
    path.write_bytes(data)
    members = dict(iter_members(path, "export.zip"))
    assert members["export.zip/help/ok.html"] == b"<p>Fine page.</p>"
    assert isinstance(members["export.zip/../evil.html"], BrokenFile)
    assert isinstance(members["export.zip/inner.zip"], UnsupportedFile)
    assert isinstance(members["export.zip/logo.gif"], UnsupportedFile)
    assert not any("__MACOSX" in k for k in members)


def test_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.zip"
    path.write_bytes(make_zip({"big.txt": b"0" * (5 * 2**20)}))
    (name, problem), = iter_members(path, "bomb.zip")
    assert isinstance(problem, FileTooLarge) and "zip bomb" in str(problem)


@pytest.mark.parametrize("suffix", sorted(SUPPORTED_EXTENSIONS - {".zip"}))
def test_zero_byte_files_are_empty(tmp_path, suffix):
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    with pytest.raises(EmptyDocument):
        parse_file(path)


@pytest.mark.parametrize(
    "name,data,error,words",
    [
        ("random.pdf", os.urandom(4096), BrokenFile, "isn't really a PDF"),
        ("random.docx", os.urandom(4096), BrokenFile, "isn't really a Word document"),
        ("renamed.docx", make_pdf([["hello"]]), BrokenFile, "is a PDF"),
        ("cut.pdf", make_pdf([["hello world"]])[:200], BrokenFile, "incomplete: its end is missing"),
        ("image.pdf", b"\x89PNG\r\n\x1a\n" + os.urandom(2000), BrokenFile, "PNG image with a .pdf name"),
        ("blank.pdf", make_pdf([[]]), EmptyDocument, "blank"),
        ("movie.mkv", b"\x1a\x45\xdf\xa3", UnsupportedFile, "aren't supported"),
        ("blob.txt", bytes(range(256)) * 40, BrokenFile, "readable text"),
    ],
)
def test_bad_inputs_give_specific_reasons(tmp_path, name, data, error, words):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(error, match=words):
        parse_file(path)


def test_encrypted_pdf(tmp_path):
    import io

    import pypdf

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(make_pdf([["secret plans"]])))
    writer.encrypt("pw", algorithm="AES-128")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(EncryptedFile, match="password-protected"):
        parse_file(path)


OFFLINE_SCRIPT = r"""
import json, socket, sys
from pathlib import Path
attempts = []
def refuse(*args, **kwargs):
    attempts.append(repr(args[1:] if args else kwargs))
    raise OSError("network access attempted")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
from rag.parse import parse_file, iter_members
from tests.fixtures import write_all
out = {}
for name, path in write_all(Path(sys.argv[1])).items():
    if name.endswith(".zip"):
        out[name] = 0
        for member, data in iter_members(path, name):
            extracted = Path(sys.argv[1]) / Path(member).name
            extracted.write_bytes(data)
            out[name] += len(parse_file(extracted, member).elements)
    else:
        out[name] = len(parse_file(path).elements)
print(json.dumps({"elements": out, "attempts": attempts}))
"""


def test_parsing_is_offline(tmp_path):
    """Every format parses with no network at all, and nothing even tries to connect."""
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode:
        pytest.skip("unshare -n is not available here (needs root or user namespaces)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", OFFLINE_SCRIPT, str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env=env,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["attempts"] == []
    assert set(result["elements"]) == {f"{n}" for n in write_all(tmp_path / "names")}
    empty = [name for name, n in result["elements"].items() if n == 0]
    assert not empty, f"these formats yielded nothing offline: {empty}"


@pytest.mark.parametrize(
    "name, says",
    [
        ("photo.heic", "Save it as PNG or JPEG"),
        ("old.doc", "save it as .docx"),
        ("deck.ppt", "save it as .pptx"),
        ("mail.msg", ".eml"),
        ("noextension", "without an extension"),
        ("movie.mkv", "Upload PDF, Word"),
    ],
)
def test_unsupported_types_say_what_to_do(tmp_path, name, says):
    from rag.parse import parse_file

    path = tmp_path / name
    path.write_bytes(b"\x00\x01 not readable")
    with pytest.raises(UnsupportedFile, match=re.escape(says)):
        parse_file(path)


def test_tsv_rst_and_nul_bytes(tmp_path):
    from rag.parse import parse_file

    (tmp_path / "teams.tsv").write_text("Team\tCups\nMontreal\t24\n")
    assert "| Montreal | 24 |" in parse_file(tmp_path / "teams.tsv").elements[0].text
    (tmp_path / "nul.txt").write_bytes(b"\x00" * 4096)
    with pytest.raises(EmptyDocument, match="null bytes"):
        parse_file(tmp_path / "nul.txt")


def test_junk_before_the_pdf_header_is_skipped(tmp_path):
    path = tmp_path / "gateway.pdf"
    path.write_bytes(os.urandom(4096).replace(b"%PDF", b"xxxx") + make_pdf([["Northwind cut onboarding to 12 days."]]))
    parsed = parse_file(path)
    assert parsed.pages == 1 and "12 days" in parsed.elements[0].text
