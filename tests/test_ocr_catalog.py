"""What OCR read is marked in the catalog, and shown with the document: pages read and how surely, pages left out.

An image or scan in which OCR finds no text is skipped, saying why and what to do, not listed as failed.
"""

from __future__ import annotations

import io

import pytest

from rag import catalog as catalog_module
from rag.catalog import Catalog
from rag.ingest import originals
from rag.ingest.admission import doc_id_for
from rag.ingest.pipeline import ingest_bytes
from rag.parse import ocr
from rag.present import reading_notices, reading_summary
from tests.conftest import run_cli
from tests.fixtures import make_scanned_tiff

needs_tesseract = pytest.mark.skipif(not ocr.available(), reason=ocr.INSTALL_HINT)


@needs_tesseract
def test_a_scan_read_by_ocr_is_marked_in_the_catalog_with_its_unread_page(store, settings, capsys):
    result = ingest_bytes(store, "northwind-scan.tiff", make_scanned_tiff(), "default")
    assert result.status == "indexed", result.error
    row = store.catalog.get(result.doc_id)
    assert row.read_by_ocr == [1]
    assert ocr.MIN_PAGE_CONFIDENCE <= row.ocr_lowest <= 100 and row.ocr_mean == row.ocr_lowest  # one page read
    assert row.left_out == {2: "no text found"}
    assert [n.code for n in reading_notices(row)] == ["read_by_ocr", "pages_left_out"]
    read, left_out = (n.text for n in reading_notices(row))
    assert read.startswith(f"Read by OCR (1 page, lowest confidence {row.ocr_lowest:.0f}%): check the wording on the page")
    assert left_out.startswith("1 page could not be read, so nothing on it can be found (page 2: no text found)")
    assert reading_summary(row) == f"1 page, lowest {row.ocr_lowest:.0f}%; 1 page not read"
    assert store.index.chunks_of("default", result.doc_id)[0].ocr is not None  # and each passage says so too

    store.catalog.close()
    listed = run_cli(capsys, "docs", "--data-dir", settings.data_dir)
    assert listed.returncode == 0, listed.stderr
    assert read in listed.stdout and left_out in listed.stdout
    as_json = run_cli(capsys, "docs", "--json", "--data-dir", settings.data_dir)
    assert '"read_by_ocr": [\n' in as_json.stdout and '"2": "no text found"' in as_json.stdout


@needs_tesseract
def test_an_image_without_text_is_skipped_saying_why_and_what_to_do(store):
    from PIL import Image

    blank = io.BytesIO()
    Image.new("RGB", (600, 400), (90, 140, 200)).save(blank, "PNG")
    result = ingest_bytes(store, "sky.png", blank.getvalue(), "default")
    assert result.status == "skipped"
    assert result.error.startswith("No readable text:") and "upload a sharper or larger copy" in result.error
    doc_id = doc_id_for("default", "sky.png")
    assert store.catalog.get(doc_id) is None  # reported, not listed as a failed document
    assert not originals.doc_folder(store, "default", doc_id).exists()


@needs_tesseract
def test_a_ready_document_whose_new_version_has_no_text_keeps_the_old_one(store):
    from PIL import Image

    first = ingest_bytes(store, "scan.tiff", make_scanned_tiff(blank_second_page=False), "default")
    blank = io.BytesIO()
    Image.new("L", (1200, 300), 255).save(blank, "TIFF")
    again = ingest_bytes(store, "scan.tiff", blank.getvalue(), "default")
    assert again.status == "skipped" and again.error.startswith("No readable text:")
    row = store.catalog.get(first.doc_id)
    assert row.status == "ready" and row.read_by_ocr == [1] and row.chunks == first.chunks
    assert row.error == again.error  # the reason the new version wasn't read is shown with the old one


def test_a_catalog_made_before_the_ocr_record_reads_as_not_read_by_ocr(tmp_path, monkeypatch):
    path = tmp_path / "catalog.db"
    before = [m for m in catalog_module.MIGRATIONS if m is not catalog_module.m014_document_ocr]
    monkeypatch.setattr(catalog_module, "MIGRATIONS", before)
    old = Catalog(path)
    old.execute("INSERT INTO documents(doc_id, workspace, file, status, uploaded, updated) "
                "VALUES ('d1', 'default', 'notes.md', 'ready', 0, 0)")
    old.close()
    monkeypatch.undo()
    row = Catalog(path).get("d1")
    assert row.read_by_ocr == [] and row.ocr_lowest is None and row.left_out == {}
    assert reading_notices(row) == [] and reading_summary(row) == ""
