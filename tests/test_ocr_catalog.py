"""What OCR read is marked in the catalog, and shown with the document: pages read and how surely, pages left out.

An image or scan in which OCR finds no text is skipped, saying why and what to do, not listed as failed.
"""

from __future__ import annotations

import io

import pytest

from rag import catalog as catalog_module
from rag.catalog import Catalog
from rag.errors import NoReadableText
from rag.ingest import originals
from rag.ingest.admission import doc_id_for
from rag.ingest.pipeline import ingest_bytes
from rag.parse import ocr, parse_file
from rag.present import reading_notices, reading_summary
from tests.conftest import run_cli
from tests.fixtures import make_scanned_tiff

needs_tesseract = pytest.mark.skipif(not ocr.available(), reason=ocr.INSTALL_HINT)


@needs_tesseract
def test_a_scan_read_by_ocr_is_marked_in_the_catalog_with_its_unread_page(store, settings, capsys, tmp_path):
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
    passage = store.index.chunks_of("default", result.doc_id)[0]
    assert passage.ocr is not None  # and each passage says so too

    store.close()  # the command line opens the data folder itself
    listed = run_cli(capsys, "docs", "--data-dir", settings.data_dir)
    assert listed.returncode == 0, listed.stderr
    assert read in listed.stdout and left_out in listed.stdout
    as_json = run_cli(capsys, "docs", "--json", "--data-dir", settings.data_dir)
    assert '"read_by_ocr": [\n' in as_json.stdout and '"2": "no text found"' in as_json.stdout
    shown = run_cli(capsys, "show", passage.chunk_id, "--png", tmp_path / "page.png", "--data-dir", settings.data_dir)
    assert shown.returncode == 0, shown.stderr
    assert f"About the document: {read}" in shown.stdout and f"About the document: {left_out}" in shown.stdout


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


def _deck_of_pictures(path, pages: list) -> None:
    """A deck exported as pictures: each slide is only a picture of ``pages`` (PIL images)."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    for page in pages:
        picture = io.BytesIO()
        page.save(picture, "PNG")
        deck.slides.add_slide(deck.slide_layouts[6]).shapes.add_picture(picture, 0, 0, width=Inches(10))
    deck.save(str(path))


@needs_tesseract
def test_a_deck_of_pictures_reports_the_slides_ocr_could_not_read(tmp_path):
    from PIL import Image

    scan = Image.open(io.BytesIO(make_scanned_tiff(blank_second_page=False)))
    blank = Image.new("L", (1200, 300), 255)
    _deck_of_pictures(tmp_path / "deck.pptx", [scan, blank])
    parsed = parse_file(tmp_path / "deck.pptx")
    assert parsed.ocr_pages == [1] and parsed.ocr_confidence[1] >= ocr.MIN_PAGE_CONFIDENCE
    assert parsed.unread_pages == {2: "no text found"}
    _deck_of_pictures(tmp_path / "blank.pptx", [blank])
    with pytest.raises(NoReadableText, match="No readable text: this presentation's slides are pictures"):
        parse_file(tmp_path / "blank.pptx")
