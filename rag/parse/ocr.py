"""OCR: text, line boxes and confidence from a page image, with Tesseract through tesserocr.

Why tesserocr rather than pytesseract: it calls libtesseract inside the parse
worker, so the worker's memory limit and its kill on timeout cover OCR too
(pytesseract starts a ``tesseract`` process per image, which a killed worker
would leave running, and passes images through temporary files); the
language model is loaded once per worker, not once per page; and one pass
gives words, lines, paragraphs, boxes and confidences. Its wheels bring
libtesseract; the language data comes from Debian's ``tesseract-ocr-eng``
(more languages: ``tesseract-ocr-LANG`` and ``GROUNDED_OCR_LANGUAGES``).
"""

from __future__ import annotations

import os
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import FileTooLarge, UnsupportedFile

# Where Debian, Homebrew and source installs put the language data; $TESSDATA_PREFIX first.
TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)
INSTALL_HINT = (
    "Text in scans and images is read with Tesseract, which isn't installed here. "
    "Install it (Debian or Ubuntu: sudo apt-get install tesseract-ocr tesseract-ocr-eng; "
    "macOS: brew install tesseract) and add the file again."
)
OTHER_LANGUAGES = ("Text in another language than English needs that language's Tesseract data "
                   "(Debian: tesseract-ocr-LANG, e.g. tesseract-ocr-deu) and GROUNDED_OCR_LANGUAGES=eng+deu.")
# Tesseract reads best with letters 20-30 px high: images narrower than SMALL_WIDTH_PX are enlarged
# to about TARGET_WIDTH_PX (a 612-px screenshot of a paper: 96 words read with confidence 60+ as it
# was, 297 enlarged; images 1,000 px and wider gained nothing and took 50% longer).
SMALL_WIDTH_PX = 1000
TARGET_WIDTH_PX = 1600
MAX_UPSCALE = 3.0
# The most pixels OCR reads in one image or page (an image's header is checked against it before decoding,
# see rag/parse/image.py; scanned PDF pages are drawn within it). A 600-dpi A4 scan is 35 MP, a full-page
# screenshot 2,000 x 25,000 px 50 MP; more is a decompression bomb, not a document (Pillow itself refuses only
# at twice its own limit of 89 MP: a 132-megapixel PNG was indexed).
MAX_PIXELS = 80_000_000
MIN_WORD_CONFIDENCE = 30.0  # words below this are specks and picture edges read as letters
MIN_LINE_CONFIDENCE = 50.0  # lines below this are a chart or a photo read as letters: left out
# A page whose words average less than this is noise, not text (see README: measured on the shared images).
MIN_PAGE_CONFIDENCE = 60.0
HEADING_SCALE = 1.3  # a short line this much taller than the page's typical line is a heading


@dataclass(frozen=True)
class OcrLine:
    """One line of text as OCR read it: its words joined, its box (fractions of the page), its confidence."""

    text: str
    box: tuple[float, float, float, float]
    confidence: float
    height: float  # in pixels of the image OCR read, to find headings
    paragraph: int  # lines of one paragraph share this number


@dataclass(frozen=True)
class OcrPage:
    lines: list[OcrLine]
    confidence: float  # mean word confidence, weighted by word length (0-100)
    seconds: float


def languages() -> str:
    """Tesseract languages to read with ("eng", "eng+deu"), from ``GROUNDED_OCR_LANGUAGES``."""
    return os.environ.get("GROUNDED_OCR_LANGUAGES", "").strip() or "eng"


def tessdata() -> str | None:
    """The folder with the language data for :func:`languages`, or None when Tesseract isn't usable."""
    try:
        import tesserocr  # noqa: F401 - the binding itself
    except ImportError:
        return None
    wanted = languages().split("+")
    candidates = [os.environ.get("TESSDATA_PREFIX", ""), *TESSDATA_DIRS]
    for folder in filter(None, candidates):
        if all((Path(folder) / f"{lang}.traineddata").is_file() for lang in wanted):
            return folder
    return None


def available() -> bool:
    return tessdata() is not None


def missing_languages() -> list[str]:
    """The languages listed in ``GROUNDED_OCR_LANGUAGES`` that no Tesseract data folder here has."""
    folders = [Path(f) for f in (os.environ.get("TESSDATA_PREFIX", ""), *TESSDATA_DIRS) if f and Path(f).is_dir()]
    return [lang for lang in languages().split("+") if not any((f / f"{lang}.traineddata").is_file() for f in folders)]


def missing_reason() -> str:
    """What to install, naming the languages whose data is missing when Tesseract itself is there."""
    langs = languages()
    missing = missing_languages()
    try:
        import tesserocr  # noqa: F401 - the binding itself
        installed = any(Path(f).is_dir() for f in (os.environ.get("TESSDATA_PREFIX", ""), *TESSDATA_DIRS) if f)
    except ImportError:
        installed = False
    if installed and missing and len(missing) < len(langs.split("+")):
        packages = " ".join(f"tesseract-ocr-{lang}" for lang in missing)
        return (f"Text in scans and images is read in {langs.replace('+', ', ')} (GROUNDED_OCR_LANGUAGES), but the "
                f"language data for {', '.join(missing)} isn't installed. Install it (Debian or Ubuntu: sudo apt-get "
                f"install {packages}) or take {', '.join(missing)} out of GROUNDED_OCR_LANGUAGES, and add the file again.")
    if langs != "eng":
        packages = " ".join(f"tesseract-ocr-{lang}" for lang in langs.split("+"))
        return INSTALL_HINT.replace("tesseract-ocr-eng", packages)
    return INSTALL_HINT


_api = None
_deadline: float | None = None


def set_deadline(deadline: float | None) -> None:
    """Stop starting new pages after this ``time.monotonic()`` value (the parse worker's time limit)."""
    global _deadline
    _deadline = deadline


def time_left() -> bool:
    return _deadline is None or time.monotonic() < _deadline


def _engine():
    """One Tesseract engine per process (loading the model takes a tenth of a second; pages reuse it)."""
    global _api
    if _api is None:
        folder = tessdata()
        if folder is None:
            raise UnsupportedFile(missing_reason())
        import tesserocr

        _api = tesserocr.PyTessBaseAPI(path=folder.rstrip("/") + "/", lang=languages())
    return _api


_CLEAN = re.compile(r"[\x00-\x1f\u200b\ufeff]")


def read(image) -> OcrPage:
    """OCR one page image (a PIL image): its lines with boxes, paragraphs and confidence."""
    from PIL import Image
    from tesserocr import RIL, iterate_level

    started = time.perf_counter()
    # colour kept: Tesseract separates text from coloured table headers and slide backgrounds better
    # itself (a results table: 55 words read in colour, 31 after converting to grey first)
    if image.width * image.height > MAX_PIXELS:  # callers check first; this is the last line of defence
        raise FileTooLarge(f"This image is too large to read ({image.width * image.height / 1e6:.0f} megapixels; "
                           f"the limit is {MAX_PIXELS // 1_000_000}). Scale it down and upload it again.")
    page = image if image.mode in ("RGB", "L") else image.convert("RGB")
    if page.width < SMALL_WIDTH_PX:  # enlarged, but never past the limit (a 900 x 80,000 px strip stays as it is)
        scale = min(MAX_UPSCALE, TARGET_WIDTH_PX / page.width, (MAX_PIXELS / (page.width * page.height)) ** 0.5)
    else:
        scale = 1.0
    if scale > 1.0:
        page = page.resize((round(page.width * scale), round(page.height * scale)), Image.LANCZOS)
    api = _engine()
    api.SetImage(page)
    api.Recognize()
    width, height = page.width, page.height
    lines: list[OcrLine] = []
    words: list[tuple[str, float, tuple[int, int, int, int]]] = []
    weighted = letters = 0.0
    paragraph = -1

    def end_line() -> None:
        if words:
            x0 = min(b[0] for _, _, b in words)
            y0 = min(b[1] for _, _, b in words)
            x1 = max(b[2] for _, _, b in words)
            y1 = max(b[3] for _, _, b in words)
            conf = sum(c * len(t) for t, c, _ in words) / sum(len(t) for t, _, _ in words)
            if conf < MIN_LINE_CONFIDENCE:
                words.clear()
                return
            text = " ".join(t for t, _, _ in words)
            box = (x0 / width, y0 / height, x1 / width, y1 / height)
            lines.append(OcrLine(text, tuple(round(v, 4) for v in box), round(conf, 1), y1 - y0, paragraph))
            words.clear()

    for word in iterate_level(api.GetIterator(), RIL.WORD):
        if word.IsAtBeginningOf(RIL.TEXTLINE):
            end_line()
        if word.IsAtBeginningOf(RIL.PARA):
            paragraph += 1
        try:
            text = _CLEAN.sub("", word.GetUTF8Text(RIL.WORD) or "").strip()
        except RuntimeError:  # a page with no text at all still yields one empty position
            continue
        box = word.BoundingBox(RIL.WORD)
        conf = word.Confidence(RIL.WORD)
        if not text or box is None:
            continue
        weighted += conf * len(text)
        letters += len(text)
        if conf < MIN_WORD_CONFIDENCE and not any(c.isalnum() for c in text):
            continue
        if conf < MIN_WORD_CONFIDENCE and len(text) <= 2:
            continue
        words.append((text, conf, box))
    end_line()
    api.Clear()
    confidence = weighted / letters if letters else 0.0
    return OcrPage(lines, round(confidence, 1), time.perf_counter() - started)


def headings(page: OcrPage) -> set[int]:
    """Indexes of the lines set clearly larger than the page's typical line: short, not sentences."""
    if len(page.lines) < 3:
        return set()
    typical = statistics.median(line.height for line in page.lines)
    return {
        n for n, line in enumerate(page.lines)
        if line.height >= HEADING_SCALE * typical and len(line.text.split()) <= 12 and line.confidence >= 80
        and not re.search(r"[.!?;,/]$", line.text) and _wordy(line.text)
    }


def _wordy(text: str) -> bool:
    """Mostly letters: a heading, not a row of figures or a table's header cells run together."""
    visible = [c for c in text if not c.isspace()]
    return sum(c.isalpha() for c in visible) >= max(3, 0.75 * len(visible))


def add_page(page: OcrPage, page_no: int, b) -> None:
    """Add an OCR'd page to a :class:`~rag.parse.builder.Builder`: headings, then paragraphs with a box per line."""
    from ..types import TextBox
    from .builder import clean

    big = headings(page)
    typical = statistics.median(line.height for line in page.lines) if page.lines else 0.0
    paragraph: list[OcrLine] = []

    def flush() -> None:
        if not paragraph:
            return
        texts = [clean(line.text) for line in paragraph]
        boxes, offset = [], 0
        for text, line in zip(texts, paragraph):
            boxes.append(TextBox(page_no, offset, offset + len(text), *line.box))
            offset += len(text) + 1
        confidence = min(line.confidence for line in paragraph)
        b.add(" ".join(texts), "text", page_no, tuple(boxes), confidence)
        paragraph.clear()

    for n, line in enumerate(page.lines):
        if n in big:
            flush()
            text = clean(line.text)
            level = 1 if line.height >= 1.6 * typical else 2
            b.title(text, level, page_no, (TextBox(page_no, 0, len(text), *line.box),), line.confidence)
            continue
        if paragraph and line.paragraph != paragraph[-1].paragraph:
            flush()
        paragraph.append(line)
    flush()
