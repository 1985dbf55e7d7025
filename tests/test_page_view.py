"""Check a citation at its source: positions kept at parse time, the page drawn with the passage
highlighted (never a wrong highlight), OCR of scanned PDFs and screenshots, and search over what OCR read."""

from __future__ import annotations

import io
import re
from difflib import SequenceMatcher

import pytest

from rag.answer.retrieve import search
from rag.errors import NoReadableText, NotFound, UnsupportedFile
from rag.ingest.chunk import chunk_document
from rag.ingest.pipeline import ingest_bytes
from rag.parse import ocr, parse_file
from rag.types import ChunkSettings, Citation
from rag.workspace import page_view
from rag.workspace.access import User
from rag.workspace.assistants import create_assistant
from tests.conftest import run_cli
from tests.fixtures import make_pdf

PAGE_1 = [
    "# Spring launch",
    "The analytics dashboard ships in March.",
    "Sign-ups open in April for every plan.",
    "Northwind cut onboarding from 41 days to 12 days.",
]
PAGE_2 = [
    "Pricing starts at $49 per month.",
    "Enterprise plans cost $900 per month.",
    "Every plan can be cancelled at any time.",
]
KEY_SENTENCES = [line for line in PAGE_1[1:] + PAGE_2]
CITED = "Pricing starts at $49 per month."
needs_tesseract = pytest.mark.skipif(not ocr.available(), reason=ocr.INSTALL_HINT)


def _two_pages() -> bytes:
    """Text at known places: make_pdf starts each page at (72 pt, 720 pt) on a 612 x 792 page."""
    return make_pdf([PAGE_1, PAGE_2])


def _image_only(pdf: bytes, dpi: int = 150) -> bytes:
    """The same pages as pictures only (a scan): no text layer left."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    images = [document[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(document))]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return out.getvalue()


def _slide_png() -> bytes:
    """A 1280 x 720 screenshot of a slide: a large title over three bullet points."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1280, 720), (250, 250, 252))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1280, 130), fill=(20, 60, 120))
    draw.text((60, 30), "Q3 results", font=ImageFont.load_default(size=64), fill="white")
    body = ImageFont.load_default(size=34)
    for n, line in enumerate(["Revenue grew 38% year over year.", "Churn fell to 2.1% in September.",
                              "Acme signed a three year contract."]):
        draw.text((80, 200 + n * 90), "• " + line, font=body, fill=(30, 30, 30))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _word_accuracy(expected: str, read: str) -> float:
    """Share of the expected words that OCR read, in order (the words of a word-level alignment)."""
    want, got = re.findall(r"\w+", expected.lower()), re.findall(r"\w+", read.lower())
    matched = sum(b.size for b in SequenceMatcher(None, want, got, autojunk=False).get_matching_blocks())
    return matched / len(want)


def _char_box(pdf: bytes, page: int, sentence: str) -> tuple[float, float, float, float]:
    """Ground truth from pdfium's own character boxes: where ``sentence`` is printed, as fractions of the page."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    textpage = document[page - 1].get_textpage()
    start = textpage.get_text_range().index(sentence)
    boxes = [textpage.get_charbox(i) for i in range(start, start + len(sentence)) if sentence[i - start] != " "]
    width, height = document[page - 1].get_size()
    return (min(b[0] for b in boxes) / width, 1 - max(b[3] for b in boxes) / height,
            max(b[2] for b in boxes) / width, 1 - min(b[1] for b in boxes) / height)


def _pixels(box, view) -> tuple[int, int, int, int]:
    width, height = view.image.size
    return round(box[0] * width), round(box[1] * height), round(box[2] * width), round(box[3] * height)


def _covers(outer, inner, slack: int = 2) -> bool:
    return (outer[0] <= inner[0] + slack and outer[1] <= inner[1] + slack
            and outer[2] >= inner[2] - slack and outer[3] >= inner[3] - slack)


# --- positions kept at parse time -------------------------------------------------------------------


def test_pdf_lines_get_their_boxes_at_known_positions(tmp_path):
    (tmp_path / "launch.pdf").write_bytes(_two_pages())
    parsed = parse_file(tmp_path / "launch.pdf")
    sentence = next(e for e in parsed.elements if e.text == CITED)
    (box,) = sentence.boxes
    assert box.page == 2 and box.start == 0 and box.end >= len(CITED) - 1
    assert box.x0 == pytest.approx(72 / 612, abs=0.005)  # the text starts 72 pt from the left edge
    assert box.y1 == pytest.approx((792 - 720) / 792, abs=0.01)  # its baseline is 720 pt from the bottom
    assert all(e.boxes for e in parsed.elements), "every element of a text PDF is placed"


def test_a_chunk_crossing_the_page_break_has_boxes_on_both_pages(tmp_path):
    (tmp_path / "launch.pdf").write_bytes(_two_pages())
    (chunk,) = chunk_document(parse_file(tmp_path / "launch.pdf"), ChunkSettings(), "doc", "v1")
    assert chunk.pages == [1, 2]
    assert {b.page for b in chunk.boxes} == {1, 2}
    for box in chunk.boxes:  # each box's offsets point at the text printed on its line
        assert chunk.text[box.start:box.end].rstrip(".") in " ".join(PAGE_1 + PAGE_2)


def test_overlapping_chunks_both_keep_the_shared_text_boxes(tmp_path):
    (tmp_path / "launch.pdf").write_bytes(_two_pages())
    chunks = chunk_document(parse_file(tmp_path / "launch.pdf"), ChunkSettings("fixed", 20, 8), "doc", "v1")
    assert len(chunks) >= 3
    for chunk in chunks:
        covered = sum(b.end - b.start for b in chunk.boxes)
        assert covered >= 0.8 * len(chunk.text.replace("\n\n", "")), chunk.text


# --- the page drawn with the passage highlighted -------------------------------------------------------


@pytest.fixture
def launch(store):
    pdf = _two_pages()
    result = ingest_bytes(store, "launch.pdf", pdf, "default")
    hit = search(store, "price per month", "default", k=1, user=None)[0]
    return pdf, result.doc_id, hit


def test_both_pages_of_a_crossing_passage_are_highlighted_the_cited_sentence_strongly(store, launch):
    pdf, doc_id, hit = launch
    citation = Citation(1, doc_id, "launch.pdf", 1, "Spring launch", CITED, 0.9, hit.chunk_id, pages=[1, 2])
    passage = page_view.passage(store, None, citation)
    first, second = page_view.render(passage, 1), page_view.render(passage, 2)
    assert first.highlighted and second.highlighted and not first.notes
    assert [kind for kind, _ in first.highlights] == ["weak"] * 3  # three lines of the passage on page 1, none cited
    strong = [box for kind, box in second.highlights if kind == "strong"]
    assert len(strong) == 1 and _covers(strong[0], _pixels(_char_box(pdf, 2, CITED), second))
    # the pixels under the cited sentence are tinted orange, those under the next line only lightly
    x0, y0, x1, y1 = strong[0]
    red, _, blue = second.image.crop((x0, y0, x1, y1)).resize((1, 1)).getpixel((0, 0))
    assert red > 200 and blue < 200 and red - blue > 60
    weak = next(box for kind, box in second.highlights if kind == "weak" and box[1] > y1 - 4)
    red, _, blue = second.image.crop(weak).resize((1, 1)).getpixel((0, 0))
    assert 0 < red - blue < 100
    assert page_view.render(passage, 2, width=1000).image.width == 1000


def test_the_cited_passage_is_found_whatever_index_it_comes_with(store):
    pdf = make_pdf([[f"Paragraph {n} says the plan number {n} costs ${n}9." for n in range(1, 30)]] * 3)
    result = ingest_bytes(store, "plans.pdf", pdf, "default", ChunkSettings("fixed", 40, 0))
    chunks = store.index.chunks_of("default", result.doc_id)
    last = chunks[-1]
    citation = Citation(1, result.doc_id, "plans.pdf", last.page, "", last.text[:40], 0.5, last.chunk_id)
    for index in (None, 0, last.chunk_index):  # a saved chat's hit says 0
        assert page_view.passage(store, None, citation, chunk_index=index).text == last.text


def test_nothing_is_highlighted_when_the_text_does_not_match_the_page(store, launch):
    _, _, hit = launch
    passage = page_view.passage(store, None, hit)
    passage.text = "Completely different words that are printed nowhere on this page at all, " * 3
    view = page_view.render(passage, 1)
    assert not view.highlighted and view.confidence < page_view.MIN_MATCH
    assert view.notes == [page_view.WITHOUT_HIGHLIGHT]
    passage.boxes = []  # no stored boxes either: the text is looked for on the page, and not found
    assert not page_view.render(passage, 1).highlighted


def test_a_passage_indexed_without_boxes_is_found_on_its_page(store, launch):
    pdf, _, hit = launch
    passage = page_view.passage(store, None, hit)
    passage.boxes, passage.quote = [], CITED
    view = page_view.render(passage, 2)
    strong = [box for kind, box in view.highlights if kind == "strong"]
    assert strong and _covers(strong[0], _pixels(_char_box(pdf, 2, CITED), view))


def test_only_people_who_may_read_the_document_see_its_page(store):
    alice = User("alice")
    mine = create_assistant(store.catalog, "Alice's", user=alice)
    result = ingest_bytes(store, "launch.pdf", _two_pages(), mine.id)
    chunk_id = store.index.chunks_of(mine.id, result.doc_id)[0].chunk_id
    assert page_view.passage(store, alice, chunk_id).row.doc_id == result.doc_id
    with pytest.raises(NotFound):
        page_view.passage(store, User("bob"), chunk_id)


def test_grounded_show_writes_the_highlighted_page(store, settings, launch, capsys, tmp_path):
    _, _, hit = launch
    store.close()
    out = tmp_path / "page.png"
    result = run_cli(capsys, "show", hit.chunk_id, "--png", out, "--page", 2, "--quote", CITED,
                     "--data-dir", settings.data_dir)
    assert result.returncode == 0, result.stderr
    assert "page 2 of 2 of launch.pdf, passage highlighted" in result.stdout
    assert out.read_bytes().startswith(b"\x89PNG")
    missing = run_cli(capsys, "show", "no-such-id", "--png", out, "--data-dir", settings.data_dir)
    assert missing.returncode == 1 and "grounded search --json" in missing.stderr


def test_documents_without_pages_show_the_passage_in_its_section(store):
    result = ingest_bytes(store, "notes.md", b"# Pricing\n\nThe Team plan costs $49 per month. Cancel any time.\n", "default")
    hit = store.index.chunks_of("default", result.doc_id)[0]
    passage = page_view.passage(store, None, hit)
    passage.quote = "The Team plan costs $49 per month."
    assert not page_view.is_paged(passage.row)
    view = page_view.section(store, passage)
    assert view.section == "Pricing" and view.quote == "The Team plan costs $49 per month."


# --- OCR -------------------------------------------------------------------------------------------


@pytest.mark.slow
@needs_tesseract
def test_a_scanned_pdf_is_read_by_ocr_searched_and_highlighted(store, tmp_path):
    scan = _image_only(_two_pages())
    (tmp_path / "scan.pdf").write_bytes(scan)
    parsed = parse_file(tmp_path / "scan.pdf")
    assert parsed.ocr_pages == [1, 2] and not parsed.unread_pages
    text = "\n".join(e.text for e in parsed.elements)
    accuracy = _word_accuracy(" ".join(KEY_SENTENCES), text)
    print(f"\nword accuracy, scanned PDF at 150 dpi: {accuracy:.3f}")
    assert accuracy >= 0.95
    assert all(e.ocr is not None and e.ocr >= ocr.MIN_PAGE_CONFIDENCE for e in parsed.elements)

    ingest_bytes(store, "scan.pdf", scan, "default")
    hit = search(store, "How much does enterprise cost per month?", "default", k=1, user=None)[0]
    assert "$900" in hit.text and hit.ocr is not None
    citation = Citation(1, hit.doc_id, "scan.pdf", hit.page, hit.section, CITED, 0.9, hit.chunk_id, pages=hit.pages, ocr=hit.ocr)
    passage = page_view.passage(store, None, citation)
    view = page_view.render(passage, 2)
    assert page_view.READ_BY_OCR in view.notes
    strong = [box for kind, box in view.highlights if kind == "strong"]
    truth = _pixels(_char_box(_two_pages(), 2, CITED), view)  # where the text PDF printed it
    assert strong and _covers(strong[0], truth, slack=8)


@pytest.mark.slow
@needs_tesseract
def test_a_slide_screenshot_is_read_with_its_title(store, tmp_path):
    (tmp_path / "q3-slide.png").write_bytes(_slide_png())
    parsed = parse_file(tmp_path / "q3-slide.png")
    assert parsed.title == "Q3 results" and parsed.ocr_pages == [1]
    text = " ".join(e.text for e in parsed.elements)
    accuracy = _word_accuracy("Revenue grew 38% year over year. Churn fell to 2.1% in September. "
                              "Acme signed a three year contract.", text)
    print(f"\nword accuracy, slide screenshot: {accuracy:.3f}")
    assert accuracy >= 0.95
    ingest_bytes(store, "q3-slide.png", _slide_png(), "default")
    hit = search(store, "How much did churn fall?", "default", k=1, user=None)[0]
    assert "2.1%" in hit.text and hit.section == "Q3 results"
    view = page_view.render(page_view.passage(store, None, hit))
    assert view.highlighted and view.image.width == page_view.SCREEN_WIDTH_PX


@needs_tesseract
def test_an_image_without_text_is_skipped_saying_why(tmp_path):
    from PIL import Image

    Image.new("RGB", (400, 300), (90, 140, 200)).save(tmp_path / "sky.jpg")
    with pytest.raises(NoReadableText, match="No readable text"):
        parse_file(tmp_path / "sky.jpg")


def test_without_tesseract_scans_are_skipped_saying_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "tessdata", lambda: None)
    (tmp_path / "slide.png").write_bytes(_slide_png())
    with pytest.raises(UnsupportedFile, match=re.escape("apt-get install tesseract-ocr tesseract-ocr-eng")):
        parse_file(tmp_path / "slide.png")
    (tmp_path / "scan.pdf").write_bytes(_image_only(_two_pages(), dpi=50))
    with pytest.raises(UnsupportedFile, match="Tesseract"):
        parse_file(tmp_path / "scan.pdf")


@pytest.mark.slow
@needs_tesseract
def test_a_deck_of_slide_pictures_is_read_slide_by_slide(tmp_path):
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])  # blank: the slide is only its picture
    slide.shapes.add_picture(io.BytesIO(_slide_png()), 0, 0, width=Inches(10))
    deck.save(str(tmp_path / "q3-deck.pptx"))
    parsed = parse_file(tmp_path / "q3-deck.pptx")
    assert parsed.ocr_pages == [1] and parsed.title == "Q3 results"
    assert "Churn fell to 2.1% in September." in " ".join(e.text for e in parsed.elements)
