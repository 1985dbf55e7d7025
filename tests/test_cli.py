"""The grounded command: the roundtrip in this process, the entry point as a real subprocess."""

import json
import subprocess
import sys

from tests.conftest import run_cli


def grounded(data_dir, *args):
    """The real command, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "rag", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_ingest_docs_search_rm_roundtrip(tmp_path, capsys):
    def grounded(data_dir, *args):  # same command, in this process (each subprocess costs seconds of imports)
        return run_cli(capsys, *args, "--data-dir", data_dir)

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "northwind.md").write_text("# Northwind\n\nOnboarding dropped from 41 days to 12 days.\n")
    (folder / "pricing.txt").write_text("Enterprise plans cost 900 dollars per month.\n")
    (folder / "movie.mkv").write_bytes(b"\x1a\x45\xdf\xa3")
    data = tmp_path / "data"

    out = grounded(data, "ingest", str(folder), "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert (report["indexed"], report["skipped"], report["failed"]) == (2, 1, 0)
    assert {f["path"]: f["status"] for f in report["files"]}["movie.mkv"] == "skipped"
    assert set(report["files"][0]) == {"path", "status", "chunks", "error"}

    again = json.loads(grounded(data, "ingest", str(folder), "--json").stdout)
    assert again["unchanged"] == 2 and again["indexed"] == 0

    docs = json.loads(grounded(data, "docs", "--json").stdout)["documents"]
    assert sorted(d["file"] for d in docs) == ["northwind.md", "pricing.txt"]

    found = json.loads(grounded(data, "search", "how fast is onboarding", "-k", "1", "--json").stdout)["results"]
    assert found[0]["file"] == "northwind.md" and "12 days" in found[0]["text"]
    assert set(found[0]) == {"chunk_id", "doc_id", "file", "page", "section", "score", "text"}

    doc_id = next(d["doc_id"] for d in docs if d["file"] == "pricing.txt")
    assert grounded(data, "rm", doc_id).returncode == 0
    assert len(json.loads(grounded(data, "docs", "--json").stdout)["documents"]) == 1


def test_errors_are_one_line_without_traceback(tmp_path):
    out = grounded(tmp_path / "data", "rm", "no-such-doc")
    assert out.returncode == 1
    assert out.stderr.strip() == "grounded: There is no document with id no-such-doc."


def test_missing_path_is_reported_not_fatal(tmp_path, capsys):
    out = run_cli(capsys, "ingest", tmp_path / "nope.pdf", "--json", "--data-dir", tmp_path / "data")
    assert out.returncode == 0
    result = json.loads(out.stdout)["files"][0]
    assert result["status"] == "failed" and "could not be opened" in result["error"]


def test_assistants_and_owners_from_the_command_line(tmp_path, capsys):
    """With sign-in on, what the command line makes has an owner (or none: admins manage it)."""
    import json

    data = tmp_path / "data"
    (tmp_path / "a.md").write_text("# A\n\nAcme cut onboarding from 41 days to 12 days.\n")
    assert run_cli(capsys, "ingest", tmp_path / "a.md", "--data-dir", data, "-w", "sales", "--owner", "alice").returncode == 0
    made = run_cli(capsys, "assistants", "create", "Support", "--data-dir", data, "--owner", "bob", "--json")
    support = json.loads(made.stdout)
    assert support["owner"] == "bob" and support["name"] == "Support"
    assert run_cli(capsys, "assistants", "share", support["id"], "alice", "carol", "--data-dir", data).returncode == 0
    assert run_cli(capsys, "assistants", "owner", "sales", "--none", "--data-dir", data).returncode == 0
    listed = {a["id"]: a for a in json.loads(run_cli(capsys, "assistants", "--data-dir", data, "--json").stdout)["assistants"]}
    assert listed["sales"]["owner"] is None and listed["sales"]["documents"] == 1
    assert listed[support["id"]]["shared_with"] == ["alice", "carol"]
    assert "Name the new owner" in run_cli(capsys, "assistants", "owner", "sales", "--data-dir", data).stderr
