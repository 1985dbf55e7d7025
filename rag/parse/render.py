"""Pages drawn as pictures for "View page", inside the worker process (see :mod:`rag.parse.isolated`).

Drawing is where a tiny file costs the most: a 763-byte PDF with a 50 x 14,400 pt
page, drawn 20 times its width, was a 288-megapixel bitmap (4.4 GB). So what
is drawn is planned first (:func:`plan`) and never exceeds ``MAX_PIXELS``,
whatever width is asked:

- the scale follows the width asked, but never enlarges more than ``MAX_SCALE``;
- a page much longer than wide (or wider than long) is shown as a window around
  the passage at most ``MAX_ASPECT`` times longer than wide, grown to hold the
  passage within the budget;
- a page too big to draw whole at that scale is drawn smaller, within the budget.

pdfium draws only the window (its bitmap is the window's size), and an
image's pixel count is checked from its header before it is decoded. This
module runs in the worker, under its memory and time limits: a file that
still goes wrong ends the worker, never the app.

Requests and answers are plain dicts and tuples (they cross the worker's pipe).
"""

from __future__ import annotations

import math
from pathlib import Path

from ..errors import BrokenFile, NotFound

MAX_PIXELS = 12_000_000  # a US Letter or A4 page at 3,000 px wide fits whole (11.6 and 12.7 MP: A4 drawn a little smaller)
MAX_SIDE_PX = 8000  # no side longer than this, however thin the other
MAX_SCALE = 8.0  # 576 dpi: a narrow page asked 1,000 px wide is drawn 8x, not 20x
MAX_ASPECT = 4.0  # a page more than 4x longer than wide is shown as a window around the passage
MARGIN = 0.15  # of the window, kept around the passage when the window grows to hold it
PAGE_IMAGES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp")


def plan(page_w: float, page_h: float, width: int, focus: tuple[float, float, float, float] | None = None):
    """What to draw of a page ``page_w`` x ``page_h`` (points, or pixels of an image) asked ``width`` px wide.

    ``focus`` is the passage's bounding box in fractions of the page (None: the top of the page).
    Returns ``(scale, region)``: pixels per unit, and the window drawn in fractions of the page
    ``(x0, y0, x1, y1)``; ``region`` is ``(0, 0, 1, 1)`` when the whole page fits.
    """
    if not (page_w > 0 and page_h > 0 and math.isfinite(page_w) and math.isfinite(page_h)):
        raise BrokenFile("This page has no size, so it can't be drawn. Open the original file to see it.")
    window_w, window_h = min(page_w, page_h * MAX_ASPECT), min(page_h, page_w * MAX_ASPECT)
    scale = min(width / window_w, MAX_SCALE)
    scale = min(scale, math.sqrt(MAX_PIXELS / (window_w * window_h)), MAX_SIDE_PX / max(window_w, window_h))
    if focus is not None:  # grow the window to hold the passage (and a margin), within the budget
        fx0, fy0, fx1, fy1 = (min(1.0, max(0.0, v)) for v in focus)
        need_w, need_h = (fx1 - fx0) * page_w * (1 + 2 * MARGIN), (fy1 - fy0) * page_h * (1 + 2 * MARGIN)
        window_w = min(page_w, max(window_w, need_w), MAX_SIDE_PX / scale)
        window_h = min(page_h, max(window_h, need_h), MAX_SIDE_PX / scale, MAX_PIXELS / (window_w * scale * scale))
        cx, cy = (fx0 + fx1) / 2 * page_w, (fy0 + fy1) / 2 * page_h
        if need_h > window_h:  # more passage than fits: show its start
            cy = fy0 * page_h - MARGIN * window_h + window_h / 2
        if need_w > window_w:
            cx = fx0 * page_w - MARGIN * window_w + window_w / 2
    else:
        cx, cy = window_w / 2, window_h / 2
    x0 = min(max(0.0, cx - window_w / 2), page_w - window_w)
    y0 = min(max(0.0, cy - window_h / 2), page_h - window_h)
    region = (x0 / page_w, y0 / page_h, (x0 + window_w) / page_w, (y0 + window_h) / page_h)
    if window_w >= page_w and window_h >= page_h:
        region = (0.0, 0.0, 1.0, 1.0)
    return scale, tuple(round(v, 6) for v in region)


def handle(request: dict):
    """One request from the page view: ``{"op": "text" | "draw", "path", "page", ...}``."""
    path, page = Path(request["path"]), int(request["page"])
    image = path.suffix.lower() in PAGE_IMAGES
    if request["op"] == "text":
        return _image_info(path, page) if image else _pdf_text(path, page)
    if request["op"] == "draw":
        draw = _draw_image if image else _draw_pdf
        return draw(path, page, int(request["width"]), request.get("focus"))
    raise ValueError(request["op"])


def _pdf_text(path: Path, page: int):
    """``(pages, (width, height) as drawn, text lines)`` of a PDF page; ``None`` size for a page it doesn't have."""
    from . import pdf as pdf_parser

    pdf = pdf_parser.open_pdf(path)
    try:
        total = len(pdf)
        if not 1 <= page <= total:
            return total, None, []
        pdf_page = pdf[page - 1]
        size = _drawn_size(pdf_page)
        textpage = pdf_page.get_textpage()
        lines = pdf_parser.page_lines(pdf_page, textpage, textpage.get_text_range())
        textpage.close()
        pdf_page.close()
    finally:
        pdf.close()
    return total, size, lines


def _drawn_size(pdf_page) -> tuple[float, float]:
    """The page's size as drawn (pdfium's width and height already follow the page's /Rotate)."""
    return pdf_page.get_size()


def _draw_pdf(path: Path, page: int, width: int, focus):
    """``(RGB bytes, (w, h), region)``: the planned window of a PDF page, drawn by pdfium at its own size."""
    from . import pdf as pdf_parser

    pdf = pdf_parser.open_pdf(path)
    try:
        if not 1 <= page <= len(pdf):
            raise NotFound(f"This document has no page {page}.")
        pdf_page = pdf[page - 1]
        page_w, page_h = _drawn_size(pdf_page)
        scale, (x0, y0, x1, y1) = plan(page_w, page_h, width, focus)
        # crop: points cut off each side of the page as drawn (left, bottom, right, top)
        crop = (x0 * page_w, (1 - y1) * page_h, (1 - x1) * page_w, y0 * page_h)
        bitmap = pdf_page.render(scale=scale, crop=crop, rev_byteorder=True, may_draw_forms=True)
        image = bitmap.to_pil()
        if image.width * image.height > 2 * MAX_PIXELS:  # never: plan() keeps to the budget
            raise BrokenFile("This page couldn't be drawn within the size limit. Open the original file to see it.")
        rgb = image.convert("RGB")
        del image, bitmap
        pdf_page.close()
    finally:
        pdf.close()
    return rgb.tobytes(), rgb.size, (x0, y0, x1, y1)


def _image_info(path: Path, page: int):
    """``(frames, (width, height) in pixels, None)`` of an image: it has no text layer (its boxes came from OCR)."""
    from .image import frame_count, open_image

    with open_image(path, path.name) as img:
        total = frame_count(img)
        if not 1 <= page <= total:
            return total, None, None
        img.seek(page - 1)
        return total, img.size, None


def _draw_image(path: Path, page: int, width: int, focus):
    """``(RGB bytes, (w, h), region)``: the planned window of an image's frame, checked before it is decoded."""
    from PIL import Image

    from .image import check_pixels, open_image

    with open_image(path, path.name) as img:
        if page > 1:
            try:
                img.seek(page - 1)
            except EOFError:
                raise NotFound(f"This image has no page {page}.") from None
        check_pixels(img.size)
        scale, (x0, y0, x1, y1) = plan(img.width, img.height, width, focus)
        box = (round(x0 * img.width), round(y0 * img.height), round(x1 * img.width), round(y1 * img.height))
        size = (max(1, round((box[2] - box[0]) * scale)), max(1, round((box[3] - box[1]) * scale)))
        if img.format == "JPEG":  # decode at a fraction of the size when that is all that is drawn
            img.draft("RGB", (max(1, math.ceil(img.width * scale)), max(1, math.ceil(img.height * scale))))
            box = (round(x0 * img.width), round(y0 * img.height), round(x1 * img.width), round(y1 * img.height))
        # the part drawn, made small in the image's own mode before anything else (an 80 MP picture is not copied)
        frame = img if box == (0, 0, img.width, img.height) else img.crop(box)
        if frame.mode not in ("RGB", "RGBA", "L", "LA"):
            transparent = frame.mode == "P" and "transparency" in frame.info
            frame = frame.convert("RGBA" if transparent or frame.mode == "PA" else "RGB")
        frame = frame.resize(size, Image.LANCZOS, reducing_gap=3.0)
    if frame.mode in ("RGBA", "LA"):
        rgba = frame.convert("RGBA")
        frame = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
    frame = frame.convert("RGB")
    return frame.tobytes(), frame.size, (x0, y0, x1, y1)

