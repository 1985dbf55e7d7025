"""Images (PNG, JPEG, TIFF, WebP): screenshots of slides, infographics, scanned one-pagers, read by OCR.

Each image (each frame of a multi-page TIFF) is a page. What OCR reads is
marked as such with its confidence; a page OCR can't read reliably is
reported, not indexed as noise, and an image with no text at all (a photo, a
logo) is skipped with that reason.

Limits, checked from the header before anything is decoded: an image (or any
page of it) over ``ocr.MAX_PIXELS`` is refused saying how large it is (Pillow
itself refuses only at twice its own limit); more than ``MAX_FRAMES`` pages is
refused; of the rest, the first ``MAX_READ_FRAMES`` pages are read and the
others listed as not read.
"""

from __future__ import annotations

import threading
from pathlib import Path

from ..errors import BrokenFile, FileTooLarge, NoReadableText, UnsupportedFile
from ..types import ParsedDocument
from . import ocr, titles
from .builder import Builder

MAX_FRAMES = 2000  # as many pages as a PDF may have: more is refused
# Pages of one image file read by OCR: a 600-frame TIFF took 19 s; the pages after these are listed as not read.
MAX_READ_FRAMES = 100
MIN_SIDE_PX = 32  # smaller than this is an icon: no readable text
MAX_PIXELS = ocr.MAX_PIXELS  # checked from the header, before anything is decoded
NO_TEXT = ("No readable text: OCR found no text in this image (a photo, logo or icon?), so it was not indexed. "
           "If it does show text, upload a sharper or larger copy, or the document it was made from.")


def parse_image(path: Path, name: str) -> ParsedDocument:
    from PIL import ImageSequence

    image = open_image(path, name)  # sizes and pages are checked from the header first: a bomb is refused as one
    check_pixels(image.size)
    frames = frame_count(image)
    if not ocr.available():
        raise UnsupportedFile(ocr.missing_reason())
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError) as err:
        raise BrokenFile(_damaged(name)) from err
    b = Builder(name)
    confidence: dict[int, float] = {}  # the pages read, with how sure OCR was of them
    unread: dict[int, str] = {}
    for n, frame in enumerate(ImageSequence.Iterator(image), 1):
        if n > MAX_READ_FRAMES:
            unread.update(dict.fromkeys(range(n, frames + 1), f"not read: only the first {MAX_READ_FRAMES} pages of "
                                                               "an image file are read (split it into smaller files)"))
            break
        if min(frame.size) < MIN_SIDE_PX:
            unread[n] = "not read: too small to hold readable text"
            continue
        if frame.width * frame.height > MAX_PIXELS:
            unread[n] = f"not read: too large ({_megapixels(frame.size)} megapixels; the limit is {MAX_PIXELS // 1_000_000})"
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
        if all(why == "no text found" or "too small" in why for why in unread.values()) and frames <= MAX_READ_FRAMES:
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


_open_lock = threading.Lock()


def open_image(source, name: str):
    """An image opened from ``source`` (a path or a file object), its header read and nothing decoded yet.

    Pillow's own size check is left out here (it refuses only at twice ``Image.MAX_IMAGE_PIXELS``, and without
    the size in its message): callers check :func:`check_pixels` on each frame before decoding it.
    """
    from PIL import Image, UnidentifiedImageError

    with _open_lock:
        pillow_limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
        try:
            return Image.open(source)
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as err:
            raise BrokenFile(_damaged(name)) from err
        finally:
            Image.MAX_IMAGE_PIXELS = pillow_limit


def check_pixels(size: tuple[int, int]) -> None:
    """Refuse an image (or a frame) larger than ``MAX_PIXELS``, saying how large it is, before it is decoded."""
    if size[0] * size[1] > MAX_PIXELS:
        raise FileTooLarge(f"This image is too large to read ({_megapixels(size)} megapixels; the limit is "
                           f"{MAX_PIXELS // 1_000_000}). Scale it down or save it at a lower resolution, and upload it again.")


def frame_count(image) -> int:
    """How many frames (pages) an image has; more than ``MAX_FRAMES`` is refused."""
    try:
        frames = getattr(image, "n_frames", 1)
    except (OSError, SyntaxError, ValueError, EOFError) as err:
        raise BrokenFile("This image's pages are damaged, so it couldn't be read.") from err
    if frames > MAX_FRAMES:
        raise FileTooLarge(f"This image has {frames} pages; the limit is {MAX_FRAMES}. Split it and upload the parts.")
    return frames


def _megapixels(size: tuple[int, int]) -> str:
    """Megapixels as a person says them: "132", or "80.4" when just over the limit."""
    value = size[0] * size[1] / 1_000_000
    return f"{value:.0f}" if round(value) > MAX_PIXELS // 1_000_000 else f"{value:.1f}"


def _damaged(name: str) -> str:
    return (f"This image is damaged or isn't really a {Path(name).suffix.lstrip('.').upper()} file, "
            "so it couldn't be read.")
