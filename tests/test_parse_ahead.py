"""Parsing the next document while the current one is embedded (rag/parse_ahead.py)."""

import threading

import pytest

import rag.ingest.parse_ahead as parse_ahead_module
import rag.ingest.pipeline as pipeline_module
from rag.answer.retrieve import search
from rag.ingest.parse_ahead import ParseAhead
from rag.ingest.pipeline import ingest_paths, ingest_upload, reindex_workspace
from rag.ingest.recovery import open_store
from rag.types import ChunkSettings

from .fixtures import make_zip

DOCS = {
    "a-launch.md": "# Spring launch\n\nThe Atlas release adds offline sync for field teams.\n",
    "b-case.md": "# Northwind\n\nOnboarding dropped from 41 days to 12 days with Grounded.\n",
    "c-help.txt": "To reset a password, open Settings, choose Security, then Reset.\n",
    "d-pricing.txt": "Enterprise plans cost 900 dollars per month.\n",
}


def _folder(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text)
    return folder


@pytest.fixture
def parse_calls(monkeypatch):
    """Which documents were parsed in line and which by the look-ahead."""
    calls = {"inline": [], "ahead": []}

    def counting(where, real):
        def parse(path, name, *args, **kwargs):
            calls[where].append(name)
            return real(path, name, *args, **kwargs)

        return parse

    monkeypatch.setattr(pipeline_module, "parse_file_isolated", counting("inline", pipeline_module.parse_file_isolated))
    monkeypatch.setattr(parse_ahead_module, "parse_file_isolated", counting("ahead", parse_ahead_module.parse_file_isolated))
    return calls


def test_folder_documents_are_parsed_ahead_in_order(store, tmp_path, parse_calls):
    report = ingest_paths(store, [_folder(tmp_path)])
    assert [f.status for f in report.files] == ["indexed"] * 4
    assert parse_calls["inline"] == []
    assert parse_calls["ahead"] == list(DOCS)
    hits = search(store, "How long did onboarding take?", "default", k=1, user=None)
    assert hits[0].file == "b-case.md" and "12 days" in hits[0].text
    # the temporary copies are gone
    assert not list(store.settings.data_dir.glob(parse_ahead_module.FOLDER_PREFIX + "*"))


def test_unchanged_documents_are_not_parsed_at_all(store, tmp_path, parse_calls):
    folder = _folder(tmp_path)
    ingest_paths(store, [folder])
    parse_calls["inline"].clear(), parse_calls["ahead"].clear()
    (folder / "c-help.txt").write_text("To reset a password, open Settings, then Security.\n")
    report = ingest_paths(store, [folder])
    assert [f.status for f in report.files] == ["unchanged", "unchanged", "indexed", "unchanged"]
    assert parse_calls["inline"] + parse_calls["ahead"] == ["c-help.txt"]


def test_parsing_overlaps_with_embedding(store, tmp_path, monkeypatch):
    """While the first document is embedded, the second one is already being parsed."""
    second_parse_started = threading.Event()
    real_parse = parse_ahead_module.parse_file_isolated

    def parse(path, name, *args, **kwargs):
        if name == "b-case.md":
            second_parse_started.set()
        return real_parse(path, name, *args, **kwargs)

    monkeypatch.setattr(parse_ahead_module, "parse_file_isolated", parse)
    real_embed = store.embeddings.embed_array
    overlapped = []

    def embed(texts):
        if any("Atlas" in t for t in texts):  # the first document's chunks
            overlapped.append(second_parse_started.wait(timeout=60))
        return real_embed(texts)

    monkeypatch.setattr(store.embeddings, "embed_array", embed)
    ingest_paths(store, [_folder(tmp_path)])
    assert overlapped == [True]


def test_a_parse_error_found_ahead_reads_as_it_would_in_line(store, tmp_path, parse_calls):
    folder = _folder(tmp_path)
    (folder / "b-case.md").write_text("   \n\t\n")  # only whitespace
    report = {f.path: f for f in ingest_paths(store, [folder]).files}
    assert "b-case.md" in parse_calls["ahead"]
    assert report["b-case.md"].status == "failed" and "empty" in report["b-case.md"].error.lower()
    assert store.catalog.get(report["b-case.md"].doc_id).status == "failed"
    assert report["c-help.txt"].status == "indexed"


def test_zip_members_are_parsed_ahead(store, parse_calls):
    data = make_zip({name: text.encode() for name, text in DOCS.items()})
    results = ingest_upload(store, "help-export.zip", data)
    assert [r.status for r in results] == ["indexed"] * 4
    assert len(parse_calls["ahead"]) == 3


def test_reindex_workspace_parses_ahead(store, tmp_path, parse_calls):
    ingest_paths(store, [_folder(tmp_path)])
    parse_calls["inline"].clear(), parse_calls["ahead"].clear()
    report = reindex_workspace(store, store.settings.workspace, ChunkSettings(strategy="recursive", size=64, overlap=8))
    assert [f.status for f in report.files] == ["indexed"] * 4
    assert len(parse_calls["ahead"]) == 3 and len(parse_calls["inline"]) == 1


def test_take_gives_nothing_for_other_bytes(store):
    with ParseAhead(store, "default", store.settings.chunking) as ahead:
        assert ahead.submit("notes.txt", b"first version of the notes")
        assert ahead.submit("notes.txt", b"again") is False  # one parse per name at a time
        import hashlib

        assert ahead.take("notes.txt", hashlib.sha256(b"second version").hexdigest()) is None
        assert ahead.take("notes.txt", hashlib.sha256(b"first version of the notes").hexdigest()) is None  # taken
        assert ahead.submit("photo.heic", b"\x00\x01") is False  # unsupported: ingest won't parse it
        assert ahead.submit("empty.txt", b"") is False


def test_leftover_temp_copies_are_swept_when_the_store_opens(settings):
    leftover = settings.data_dir / (parse_ahead_module.FOLDER_PREFIX + "killed")
    leftover.mkdir(parents=True)
    (leftover / "x-report.pdf").write_bytes(b"%PDF-1.4 partial")
    store = open_store(settings)
    try:
        assert not leftover.exists()
    finally:
        store.close()


def test_several_uploads_are_one_run_with_results_per_upload(store, parse_calls, monkeypatch):
    from dataclasses import replace

    from rag.ingest.pipeline import ingest_uploads
    from rag.settings import Limits

    monkeypatch.setattr(store, "settings", replace(store.settings, limits=Limits(max_file_mb=1)))

    uploads = [("launch.md", DOCS["a-launch.md"].encode()),
               ("export.zip", make_zip({"b.md": DOCS["b-case.md"].encode(), "c.txt": DOCS["c-help.txt"].encode()})),
               ("huge.txt", b"x" * (store.settings.limits.max_file_mb * 1024 * 1024 + 1)),
               ("pricing.txt", DOCS["d-pricing.txt"].encode())]
    batches = list(ingest_uploads(store, uploads))
    assert [[r.path for r in batch] for batch in batches] == [
        ["launch.md"], ["export.zip/b.md", "export.zip/c.txt"], ["huge.txt"], ["pricing.txt"]]
    assert batches[2][0].status == "failed" and "limit" in batches[2][0].error
    assert parse_calls["inline"] == ["launch.md"]  # nothing to overlap with yet
    assert parse_calls["ahead"] == ["export.zip/b.md", "export.zip/c.txt", "pricing.txt"]
