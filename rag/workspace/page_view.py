"""The cited page, drawn with the passage highlighted: check a citation at its source.

A PDF page (or an image) is rendered from the kept original, and the cited
passage's line boxes (kept at ingest, see rag/parse/positions.py) are drawn on
it: the sentences that support the answer strongly, the rest of the passage
lightly. Before anything is drawn, each box is checked against the text the
page itself has inside it; when too few of the passage's words are where
its boxes say (an old index, a changed original), nothing is highlighted and
the view says so: a page without highlight, never a wrong highlight.

Documents without pages (Word, web pages, Markdown) are shown as the section
in context: the passage between its neighbours, its supporting sentence marked.

Every function takes the acting user and checks access through
:func:`rag.workspace.documents.document` (``user=None``: the trusted command line).
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from ..catalog import DocumentRow
from ..errors import NotFound
from ..parse import pdf as pdf_parser
from ..parse.isolated import render_isolated
from ..parse.positions import PageLine
from ..store import Store
from ..types import Citation, Hit, TextBox
from .access import User
from .documents import document

PAGED = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp")
SCREEN_WIDTH_PX = 1000  # a page drawn this wide reads well in a source card and renders in about 0.1 s
MAX_WIDTH_PX = 3000  # zoomed in: still a sensible image
# Share of a passage's words that must be found inside its boxes on the page before anything is
# highlighted (measured: right passages score 0.97-1.0 on the shared PDFs, a neighbouring passage's
# boxes under 0.2; see tests/test_page_view.py and docs/reading.md).
MIN_MATCH = 0.8
MIN_RUN_WORDS = 3  # when a passage is found on the page afresh, runs shorter than this are chance
WEAK = (255, 214, 10, 70)  # the passage: a light marker
STRONG = (255, 140, 0, 120)  # the sentences that support the answer: a stronger one
OUTLINE = (214, 90, 0, 255)
WITHOUT_HIGHLIGHT = "Page shown without highlight: the passage couldn't be placed on it with certainty."
READ_BY_OCR = "Read by OCR: check the wording on the page."
PART_OF_PAGE = ("Part of the page shown: it is too long or too large to draw whole at this size, "
                "so the part around the passage is shown.")
PART_OF_PAGE_TOP = "Part of the page shown: it is too long or too large to draw whole at this size, so its top is shown."
WHOLE_PAGE = (0.0, 0.0, 1.0, 1.0)

_WORD = re.compile(r"\w+")


@dataclass
class Passage:
    """What a citation points at: the document, its text, pages and boxes, and the supporting quote."""

    row: DocumentRow
    text: str
    pages: list[int]
    boxes: list[TextBox] = field(default_factory=list)
    quote: str = ""
    ocr: float | None = None
    section: str = ""
    chunk_index: int | None = None


@dataclass
class PageView:
    """One rendered page and what was drawn on it."""

    image: object  # a PIL image
    page: int
    pages: int  # in the document
    passage_pages: list[int]  # the pages the passage spans (for previous/next)
    highlights: list[tuple[str, tuple[int, int, int, int]]]  # ("strong" | "weak", pixel box)
    confidence: float  # share of the passage's words found where its boxes are (1.0 for OCR'd pages)
    notes: list[str]
    seconds: float

    @property
    def highlighted(self) -> bool:
        return bool(self.highlights)

    def png(self) -> bytes:
        out = io.BytesIO()
        self.image.save(out, format="PNG", compress_level=3)
        return out.getvalue()


@dataclass
class SectionView:
    """A passage of a document without pages, between its neighbours."""

    title: str
    section: str
    before: str
    passage: str
    after: str
    quote: str  # the supporting words inside ``passage`` ("" when not found)


def passage(store: Store, user: User | None, source: Citation | Hit | str, assistant_id: str | None = None,
            chunk_index: int | None = None) -> Passage:
    """The passage a citation, hit or chunk id points at, if ``user`` may read its document.

    ``chunk_index`` (a hit has it) finds the passage without reading the whole
    document's. A citation from an older chat whose document was re-indexed
    since (chunk ids change with each version) falls back to its quote and page.
    """
    if isinstance(source, str):
        doc_id, chunk_id = _find_chunk(store, source), source
    else:
        doc_id, chunk_id = source.doc_id, source.chunk_id
    row = document(store, doc_id, user, assistant_id=assistant_id)
    quote = source.quote if isinstance(source, Citation) else ""
    if isinstance(source, Hit):
        chunk_index = source.chunk_index
    stored = None
    if chunk_index is not None:
        stored = next((h for h in store.index.neighbours(row.workspace, doc_id, chunk_index, chunk_index)
                       if h.chunk_id == chunk_id), None)
    if stored is None:  # no index given, or a wrong one (a hit restored from a saved chat has none): look through all
        stored = next((h for h in store.index.chunks_of(row.workspace, doc_id) if h.chunk_id == chunk_id), None)
    if stored is not None:
        return Passage(row, stored.text, list(stored.pages), list(stored.boxes), quote, stored.ocr, stored.section,
                       stored.chunk_index)
    if isinstance(source, Citation) and source.quote:
        pages = list(source.pages) or ([source.page] if source.page else [])
        return Passage(row, source.quote.rstrip("…"), pages, [], source.quote, source.ocr, source.section)
    raise NotFound("That passage is no longer in the document (it was re-indexed since). Ask again to cite the current version.")


def _find_chunk(store: Store, chunk_id: str) -> str:
    """The document a chunk id belongs to, in any workspace (the command line has only the id)."""
    for workspace in store.catalog.workspaces():
        for point_id, payload in store.index.all_chunks(workspace, ["doc_id"]):
            if point_id == chunk_id:
                return payload["doc_id"]
    raise NotFound(f"There is no passage with id {chunk_id}. Passage ids are in `grounded search --json` and `grounded ask --json`.")


def is_paged(row: DocumentRow) -> bool:
    return Path(row.file).suffix.lower() in PAGED


def _original(row: DocumentRow) -> Path:
    if not row.original_path or not Path(row.original_path).exists():
        raise NotFound(f"The original of {row.file} is missing; upload it again to see its pages.")
    return Path(row.original_path)


def cited_page(p: Passage) -> int:
    """The page to open on: where the supporting quote is, else the passage's first page."""
    span = _quoted(p.text, p.quote)
    if span is not None:
        on_quote = [b.page for b in p.boxes if b.end > span[0] and b.start < span[1]]
        if on_quote:
            return on_quote[0]
    return p.pages[0] if p.pages else 1


def render(p: Passage, page: int | None = None, width: int = SCREEN_WIDTH_PX) -> PageView:
    """Page ``page`` (default: :func:`cited_page`) drawn ``width`` pixels wide, the passage highlighted.

    The page is drawn in the page-drawing worker process, under its memory and time limits, and never
    larger than :data:`rag.parse.render.MAX_PIXELS` whatever the width: a page too long (or too large) to
    draw whole at that width is shown as the part around the passage, and the view says so.
    """
    from PIL import Image

    started = time.perf_counter()
    if not is_paged(p.row):
        raise NotFound(f"{p.row.file} has no pages to show; its section is shown in context instead.")
    width = max(200, min(int(width), MAX_WIDTH_PX))
    page = page or cited_page(p)
    path = _original(p.row)
    total, size, lines = render_isolated({"op": "text", "path": str(path), "page": page})
    if size is None or not 1 <= page <= total:
        raise NotFound(f"{p.row.file} has no page {page}.")
    boxes, confidence = _placed(p, page, lines)
    focus = _focus(boxes or [b for b in p.boxes if b.page == page])
    data, pixels, region = render_isolated({"op": "draw", "path": str(path), "page": page, "width": width, "focus": focus})
    image = Image.frombytes("RGB", tuple(pixels), data)
    del data
    _frame(image)
    notes = []
    if tuple(region) != WHOLE_PAGE:
        notes.append(PART_OF_PAGE if focus else PART_OF_PAGE_TOP)
    if boxes:
        strong = _quoted(p.text, p.quote)
        highlights = _draw(image, boxes, strong, tuple(region))
    else:
        highlights = []
        if page in p.pages:
            notes.append(WITHOUT_HIGHLIGHT)
    if p.ocr is not None and page in p.pages:
        notes.append(READ_BY_OCR)
    return PageView(image, page, total, list(p.pages), highlights, round(confidence, 3), notes, time.perf_counter() - started)


def _focus(boxes: list[TextBox]) -> tuple[float, float, float, float] | None:
    """The passage's bounding box on the page (fractions), where a page too long to draw whole is drawn around."""
    if not boxes:
        return None
    return (min(b.x0 for b in boxes), min(b.y0 for b in boxes), max(b.x1 for b in boxes), max(b.y1 for b in boxes))


def _frame(image) -> None:
    """A thin grey edge, so a white page stands out on a white screen."""
    from PIL import ImageDraw

    ImageDraw.Draw(image).rectangle((0, 0, image.width - 1, image.height - 1), outline=(190, 190, 190))


def _placed(p: Passage, page: int, lines: list[PageLine] | None) -> tuple[list[TextBox], float]:
    """The passage's boxes on ``page`` that can be trusted, and the share of its words found there.

    Text-layer pages are checked against their own text; OCR'd pages and images
    have no text layer to check against, and their boxes come from reading this
    very original. A passage without stored boxes (indexed before positions were
    kept) is found on the page afresh.
    """
    on_page = [b for b in p.boxes if b.page == page]
    layer = sum(c.isalnum() for line in lines for c in line.text) if lines else 0
    if lines is None or (p.ocr is not None and layer < pdf_parser.MIN_TEXT_CHARS):  # an image, or a scanned page
        return on_page, 1.0 if on_page else 0.0
    if on_page:
        if any(b.end > len(p.text) for b in on_page):  # boxes of another text: nothing to check them against
            return [], 0.0
        found = total = 0
        for box in on_page:
            wanted = _WORD.findall(p.text[box.start:box.end].lower())
            there = _words_inside(lines, box)
            total += len(wanted)
            found += sum(1 for w in wanted if w in there)
        confidence = found / total if total else 0.0
        return (on_page if confidence >= MIN_MATCH else []), confidence
    if p.boxes or page not in p.pages:
        return [], 0.0
    return _found_afresh(p, page, lines)


def _words_inside(lines: list[PageLine], box: TextBox) -> set[str]:
    """Words of the page's lines that overlap ``box`` (a box is one line, possibly cut short)."""
    words: set[str] = set()
    for line in lines:
        x0, y0, x1, y1 = line.box
        overlap_y = min(y1, box.y1) - max(y0, box.y0)
        overlap_x = min(x1, box.x1) - max(x0, box.x0)
        if overlap_y > 0.5 * min(y1 - y0, box.y1 - box.y0) and overlap_x > 0:
            words.update(_WORD.findall(line.text.lower()))
    return words


def _found_afresh(p: Passage, page: int, lines: list[PageLine]) -> tuple[list[TextBox], float]:
    """Boxes for a passage that has none, by aligning its words with the page's lines (runs of 3+ words only)."""
    passage_words = [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(p.text)]
    page_words = [(w, n) for n, line in enumerate(lines) for w in _WORD.findall(line.text.lower())]
    if not passage_words or not page_words:
        return [], 0.0
    matcher = SequenceMatcher(None, [w for w, *_ in passage_words], [w for w, _ in page_words], autojunk=False)
    boxes: list[TextBox] = []
    matched = 0
    for a, b, size in matcher.get_matching_blocks():
        if size < MIN_RUN_WORDS:
            continue
        matched += size
        run: list[list[int]] = []
        for k in range(size):
            _, start, end = passage_words[a + k]
            line = page_words[b + k][1]
            if run and run[-1][0] == line:
                run[-1][2] = end
            else:
                run.append([line, start, end])
        boxes += [TextBox(page, start, end, *lines[line].box) for line, start, end in run]
    # a passage over several pages is partly on this one: judge the share of it this page could hold
    confidence = matched / len(passage_words)
    needed = MIN_MATCH if len(p.pages) <= 1 else MIN_MATCH / len(p.pages)
    return (boxes if confidence >= needed else []), confidence


def _quoted(text: str, quote: str) -> tuple[int, int] | None:
    """Where the supporting quote sits in the passage (whitespace and a trailing "…" forgiven)."""
    quote = quote.rstrip("…").strip()
    words = _WORD.findall(quote)
    if not words:
        return None
    tail = re.escape(quote[quote.rfind(words[-1]) + len(words[-1]):].strip())  # "." or "%)" after the last word
    found = re.search(r"\W+".join(map(re.escape, words)) + f"(?:{tail})?", text)
    return (found.start(), found.end()) if found else None


def _draw(image, boxes: list[TextBox], strong: tuple[int, int] | None,
          region: tuple[float, float, float, float] = WHOLE_PAGE) -> list[tuple[str, tuple[int, int, int, int]]]:
    """Mark the passage lightly and its quoted words strongly; the pixel boxes drawn.

    ``region`` is the part of the page the image shows (fractions of the page); boxes outside it are not drawn.
    The marks are blended over the part of the image they cover only (not a full-page overlay).
    """
    from PIL import Image, ImageDraw

    width, height = image.size
    rx0, ry0, rx1, ry1 = region
    drawn: list[tuple[str, tuple[int, int, int, int]]] = []

    def pixels(b: TextBox, pad: int = 2) -> tuple[int, int, int, int]:
        x0, x1 = ((v - rx0) / (rx1 - rx0) * width for v in (b.x0, b.x1))
        y0, y1 = ((v - ry0) / (ry1 - ry0) * height for v in (b.y0, b.y1))
        return (max(0, round(x0) - pad), max(0, round(y0) - pad), min(width, round(x1) + pad), min(height, round(y1) + pad))

    for b in boxes:
        box = pixels(b)
        if box[0] < box[2] and box[1] < box[3]:
            drawn.append(("weak", box))
    if strong is not None:
        start, end = strong
        for b in boxes:
            box = pixels(b.shifted(0, start, end))
            if b.end > start and b.start < end and box[0] < box[2] and box[1] < box[3]:
                drawn.append(("strong", box))
    if not drawn:
        return drawn
    left, top = min(box[0] for _, box in drawn), min(box[1] for _, box in drawn)
    right, bottom = max(box[2] for _, box in drawn), max(box[3] for _, box in drawn)
    overlay = Image.new("RGBA", (right - left, bottom - top), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for kind, (x0, y0, x1, y1) in drawn:
        if kind == "weak":
            draw.rectangle((x0 - left, y0 - top, x1 - left, y1 - top), fill=WEAK)
    for kind, (x0, y0, x1, y1) in drawn:
        if kind == "strong":
            draw.rectangle((x0 - left, y0 - top, x1 - left, y1 - top), fill=STRONG, outline=OUTLINE, width=2)
    part = image.crop((left, top, right, bottom)).convert("RGBA")
    image.paste(Image.alpha_composite(part, overlay).convert("RGB"), (left, top))
    return drawn


def section(store: Store, p: Passage) -> SectionView:
    """A passage of a document without pages, with the passages before and after it (its section in context)."""
    before = after = ""
    if p.chunk_index is not None:
        around = store.index.neighbours(p.row.workspace, p.row.doc_id, max(0, p.chunk_index - 1), p.chunk_index + 1)
        before = next((h.text for h in around if h.chunk_index == p.chunk_index - 1), "")
        after = next((h.text for h in around if h.chunk_index == p.chunk_index + 1), "")
    span = _quoted(p.text, p.quote)
    return SectionView(p.row.title or p.row.file, p.section, before, p.text, after, p.text[span[0]:span[1]] if span else "")
