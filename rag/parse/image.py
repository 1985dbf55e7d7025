"""Images (PNG, JPEG, TIFF, WebP): screenshots of slides, infographics, scanned one-pagers, read by OCR.

Each image (each frame of a multi-page TIFF) is a page. What OCR reads is
marked as such with its confidence; a page OCR can't read reliably is
reported, not indexed as noise, and an image with no text at all (a photo, a
logo) is skipped with that reason.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import BrokenFile, FileTooLarge, NoReadableText, UnsupportedFile
from ..types import ParsedDocument
from . import ocr, titles
from .builder import Builder

MAX_FRAMES = 2000  # as many pages as a PDF may have
MIN_SIDE_PX = 32  # smaller than this is an icon: no readable text
MAX_PIXELS = 100_000_000  # a 10,000 x 10,000 image; more is a decompression bomb, not a document
NO_TEXT = ("No readable text: OCR found no text in this image (a photo, logo or icon?), so it was not indexed. "
           "If it does show text, upload a sharper or larger copy, or the document it was made from.")


def parse_image(path: Path, name: str) -> ParsedDocument:
    from PIL import Image, ImageSequence, UnidentifiedImageError

    if not ocr.available():
        raise UnsupportedFile(ocr.missing_reason())
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        image = Image.open(path)
        image.load()
    except Image.DecompressionBombError as err:
        raise FileTooLarge("This image is too large to read (over 100 megapixels). Scale it down and upload it again.") from err
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise BrokenFile(f"This image is damaged or isn't really a {Path(name).suffix.lstrip('.').upper()} file, "
                         "so it couldn't be read.") from err
    b = Builder(name)
    confidence: dict[int, float] = {}  # the pages read, with how sure OCR was of them
    unread: dict[int, str] = {}
    frames = 0
    for n, frame in enumerate(ImageSequence.Iterator(image), 1):
        frames = n
        if n > MAX_FRAMES:
            raise BrokenFile(f"This image has more than {MAX_FRAMES} pages. Split it and upload the parts.")
        if min(frame.size) < MIN_SIDE_PX:
            unread[n] = "not read: too small to hold readable text"
            continue
        if not ocr.time_left():
            unread[n] = "not read: the time for reading this file ran out (split it into smaller files)"
            continue
        result = ocr.read(_flattened(frame))
        if not result.lines and not result.confidence:
            unread[n] = "no text found"
        elif not result.lines or result.confidence < ocr.MIN_PAGE_CONFIDENCE:
            unread[n] = f"OCR confidence {result.confidence:.0f}%, too low to index"
        else:
            ocr.add_page(result, n, b)
            confidence[n] = result.confidence
    if not b.elements:
        if all(why == "no text found" or "too small" in why for why in unread.values()):
            raise NoReadableText(NO_TEXT)
        worst = "; ".join(f"page {n}: {why}" for n, why in sorted(unread.items())[:3]) if frames > 1 else next(iter(unread.values()))
        raise NoReadableText(f"No readable text: the text in this image couldn't be read reliably ({worst}). "
                             "A sharper or larger image, or the document it was made from, will work. " + ocr.OTHER_LANGUAGES)
    first_heading = next((e.text for e in b.elements if e.kind == "title"), None)
    first_text = b.elements[0].text if b.elements else ""
    candidates = [first_heading, first_text if titles.looks_like_title(first_text) else None]
    return ParsedDocument(name, b.elements, pages=frames, title=titles.choose(candidates, name),
                          ocr_pages=list(confidence), ocr_confidence=confidence, unread_pages=unread)


def _flattened(frame):
    """The frame on white (transparent screenshots read as black on black otherwise), in RGB or grey."""
    from PIL import Image

    if frame.mode in ("RGBA", "LA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return frame.convert("RGB") if frame.mode not in ("RGB", "L") else frame.copy()
