"""The ingest flow end to end on small files made here."""

import io
import zipfile

import pytest

from rag.answer.retrieve import search
from rag.ingest.admission import doc_id_for
from rag.ingest.pipeline import delete_document, ingest_bytes, ingest_paths, reindex
from rag.ingest.recovery import recover
from rag.types import ChunkSettings

CASE_STUDY = """# Northwind case study

## Challenge
Northwind's onboarding took 41 days and new customers waited weeks for their first report.

## Results
With Grounded, onboarding dropped to 12 days. Support tickets fell by a third.
"""

PRICING = "Enterprise plans cost 900 dollars per month and include single sign-on.\n"


def _folder(tmp_path):
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "northwind.md").write_text(CASE_STUDY)
    (folder / "sub" / "pricing.txt").write_text(PRICING)
    (folder / "logo.bin").write_bytes(b"\x00\x01binary")
    (folder / "empty.txt").write_text("   \n")
    return folder


def test_folder_ingest_reports_every_file_then_unchanged(store, tmp_path):
    folder = _folder(tmp_path)
    report = ingest_paths(store, [folder])
    by_path = {f.path: f for f in report.files}
    assert by_path["northwind.md"].status == "indexed" and by_path["northwind.md"].chunks >= 2
    assert by_path["sub/pricing.txt"].status == "indexed"
    assert by_path["logo.bin"].status == "skipped" and "aren't supported" in by_path["logo.bin"].error
    assert by_path["empty.txt"].status == "failed" and "empty" in by_path["empty.txt"].error.lower()

    again = ingest_paths(store, [folder])
    assert {f.path: f.status for f in again.files if f.status != "skipped"} == {
        "northwind.md": "unchanged",
        "sub/pricing.txt": "unchanged",
        "empty.txt": "failed",
    }
    hits = search(store, "How long did onboarding take?", "default", k=1, user=None)
    assert hits[0].file == "northwind.md" and "12 days" in hits[0].text
    assert hits[0].section.startswith("Northwind case study")


def test_originals_are_kept_and_documents_listed(store):
    result = ingest_bytes(store, "pricing.txt", PRICING.encode())
    row = store.catalog.get(result.doc_id)
    assert row.status == "ready" and row.chunks == result.chunks
    from pathlib import Path

    original = Path(row.original_path)
    assert original.read_text() == PRICING
    assert store.settings.data_dir in original.parents
    public = row.as_public_dict()
    assert set(public) == {"doc_id", "file", "kind", "pages", "chunks", "status", "error", "uploaded",
                           "read_by_ocr", "ocr_lowest", "ocr_mean", "left_out"}
    assert public["read_by_ocr"] == [] and public["left_out"] == {}


def test_changed_file_replaces_old_chunks(store):
    first = ingest_bytes(store, "pricing.txt", PRICING.encode())
    second = ingest_bytes(store, "pricing.txt", b"Enterprise plans now cost 950 dollars per month.")
    assert first.doc_id == second.doc_id and second.status == "indexed"
    chunks = store.index.chunks_of("default", second.doc_id)
    assert len(chunks) == second.chunks and all("950" in c.text for c in chunks)


def test_failed_update_keeps_the_previous_version_searchable(store):
    ok = ingest_bytes(store, "notes.txt", PRICING.encode())
    bad = ingest_bytes(store, "notes.txt", b"   ")
    assert bad.status == "failed"
    row = store.catalog.get(ok.doc_id)
    assert row.status == "ready" and row.error
    assert search(store, "enterprise plan price", "default", k=1, user=None)[0].doc_id == ok.doc_id


def test_new_chunk_settings_reindex(store):
    result = ingest_bytes(store, "northwind.md", CASE_STUDY.encode())
    finer = reindex(store, result.doc_id, ChunkSettings("fixed", 20, 5))
    assert finer.status == "indexed" and finer.chunks > result.chunks
    assert store.index.count("default", result.doc_id) == finer.chunks
    assert store.catalog.get(result.doc_id).chunk_settings == {"strategy": "fixed", "size": 20, "overlap": 5}


def test_delete_removes_chunks_original_and_row(store):
    result = ingest_bytes(store, "pricing.txt", PRICING.encode())
    row = store.catalog.get(result.doc_id)
    delete_document(store, result.doc_id)
    from pathlib import Path

    assert store.catalog.get(result.doc_id) is None
    assert store.index.count("default", result.doc_id) == 0
    assert not Path(row.original_path).exists()


def test_zip_members_become_documents(store, tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("help/reset-password.html", "<h1>Reset your password</h1><p>Click Forgot password on the sign-in page.</p>")
        zf.writestr("help/billing.html", "<h1>Billing</h1><p>Invoices are sent on the first day of each month.</p>")
    archive = tmp_path / "help-center.zip"
    archive.write_bytes(buf.getvalue())
    report = ingest_paths(store, [archive])
    assert sorted(f.path for f in report.files if f.status == "indexed") == [
        "help-center.zip/help/billing.html",
        "help-center.zip/help/reset-password.html",
    ]
    hit = search(store, "when are invoices sent", "default", k=1, user=None)[0]
    assert hit.file == "help-center.zip/help/billing.html"


def test_interrupted_ingest_is_rolled_back_on_open(store, settings):
    ok = ingest_bytes(store, "pricing.txt", PRICING.encode())
    # Simulate a crash after new points were written but before the catalog said ready.
    store.catalog.update(ok.doc_id, status="indexing", pending_version="deadbeef")
    new_doc = doc_id_for("default", "half.txt")
    from rag.catalog import DocumentRow

    store.catalog.upsert(
        DocumentRow(new_doc, "default", "half.txt", None, None, None, "v", "other", None, 0, "indexing", None, 0, 0, None, 0, None)
    )
    assert recover(store) == 2
    assert store.catalog.get(ok.doc_id).status == "ready"
    assert store.catalog.get(new_doc) is None
    assert store.index.count("default", ok.doc_id) == ok.chunks


def test_workspaces_are_separate(store):
    ingest_bytes(store, "pricing.txt", PRICING.encode(), workspace="acme")
    ingest_bytes(store, "other.txt", b"Globex sells rockets to coyotes.", workspace="globex")
    assert [d.file for d in store.catalog.documents("acme")] == ["pricing.txt"]
    assert {h.file for h in search(store, "rockets", "acme", k=5, user=None)} == {"pricing.txt"}


def test_zip_limits_come_from_the_settings(store, monkeypatch):
    from dataclasses import replace

    from rag.ingest.pipeline import ingest_upload
    from rag.settings import Limits
    from tests.fixtures import make_zip

    archive = make_zip({f"page-{n}.md": f"# Page {n}\n\nHelp text {n}.".encode() for n in range(4)})
    monkeypatch.setattr(store, "settings", replace(store.settings, limits=Limits(max_zip_entries=3)))
    (result,) = ingest_upload(store, "help.zip", archive)
    assert result.status == "failed" and "has 4 files; the limit is 3" in result.error
    monkeypatch.setattr(store, "settings", replace(store.settings, limits=Limits(max_zip_total_mb=0)))
    (result,) = ingest_upload(store, "help.zip", archive)
    assert result.status == "failed" and "expands to more than 0 MB" in result.error
    monkeypatch.setattr(store, "settings", replace(store.settings, limits=Limits()))
    assert [r.status for r in ingest_upload(store, "help.zip", archive)] == ["indexed"] * 4


def test_limits_can_be_set_from_the_environment(tmp_path, monkeypatch):
    import pytest

    from rag.errors import GroundedError
    from rag.settings import Settings

    monkeypatch.setenv("GROUNDED_MAX_ZIP_ENTRIES", "50")
    monkeypatch.setenv("GROUNDED_PARSE_TIMEOUT_S", "30.5")
    limits = Settings.load(tmp_path / "data", secrets_path=tmp_path / "none.toml").limits
    assert (limits.max_zip_entries, limits.parse_timeout_s, limits.max_file_mb) == (50, 30.5, 200)
    monkeypatch.setenv("GROUNDED_MAX_FILE_MB", "lots")
    with pytest.raises(GroundedError, match="GROUNDED_MAX_FILE_MB must be a positive number"):
        Settings.load(tmp_path / "data", secrets_path=tmp_path / "none.toml")


def test_reindex_estimate_uses_each_documents_last_indexing_time(store):
    from rag.ingest.pipeline import estimate_reindex_seconds

    first = ingest_bytes(store, "northwind.md", CASE_STUDY.encode())
    second = ingest_bytes(store, "pricing.txt", PRICING.encode())
    measured = store.catalog.get(first.doc_id).index_seconds
    assert 0 < measured <= first.seconds + 0.01
    store.catalog.update(first.doc_id, index_seconds=12.5)
    store.catalog.update(second.doc_id, index_seconds=None)  # indexed before the time was recorded
    chunks = store.catalog.get(second.doc_id).chunks
    assert estimate_reindex_seconds(store, store.settings.workspace) == pytest.approx(12.5 + chunks / 20.0 + 0.2)


def test_the_documents_title_is_indexed_with_each_passage(store):
    """A passage that never repeats its document's title is still found by the title's words."""
    ingest_bytes(store, "zebrafish-handbook.txt", PRICING.encode())
    assert [h.file for h in search(store, "zebrafish", "default", k=3, strategy="sparse", user=None)] == ["zebrafish-handbook.txt"]
