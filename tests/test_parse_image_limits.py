"""Image limits, checked from the header before anything is decoded: our own pixel limit (Pillow refuses only at
twice its own), and a cap on the pages of a multi-page image that are read."""

from __future__ import annotations

import io
import struct
import time
import zlib

import pytest

from rag.errors import FileTooLarge, UnsupportedFile
from rag.parse import image as image_parser
from rag.parse import ocr, parse_file

needs_tesseract = pytest.mark.skipif(not ocr.available(), reason=ocr.INSTALL_HINT)


def huge_png(width: int, height: int) -> bytes:
    """A valid black-and-white PNG of any size in a few kB: an IHDR, then rows of zeros compressed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    idat = zlib.compress(bytes((1 + (width + 7) // 8) * height), 1)  # each row: its filter byte, then its bits
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def huge_jpeg(width: int, height: int) -> bytes:
    """A small JPEG whose frame header says ``width`` x ``height`` (a lie a decoder would only find out later)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (16, 16), 255).save(out, "JPEG")
    data = bytearray(out.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.mark.parametrize("name, data, megapixels", [
    ("report.png", lambda: huge_png(11_500, 11_500), "132"),  # the report's: between Pillow's warning and its refusal
    ("edge.png", lambda: huge_png(8_950, 8_950), "80.1"),  # just over ours
    ("bomb.png", lambda: huge_png(14_000, 14_000), "196"),  # past Pillow's own refusal
    ("scan.jpg", lambda: huge_jpeg(12_000, 12_000), "144"),
])
def test_an_image_over_the_pixel_limit_is_refused_from_its_header(tmp_path, name, data, megapixels):
    path = tmp_path / name
    path.write_bytes(data())
    started = time.perf_counter()
    with pytest.raises(FileTooLarge) as refused:
        parse_file(path)
    assert time.perf_counter() - started < 1.0, "refused before decoding"
    limit = image_parser.MAX_PIXELS // 1_000_000
    assert str(refused.value).startswith(f"This image is too large to read ({megapixels} megapixels; the limit is {limit})")


@pytest.mark.slow
def test_a_tiff_with_a_huge_page_is_refused_whatever_page_it_is(tmp_path):
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (11_500, 11_500), 1).save(out, "TIFF")
    path = tmp_path / "huge.tif"
    path.write_bytes(out.getvalue())
    with pytest.raises(FileTooLarge, match=r"132 megapixels"):
        parse_file(path)


def test_an_image_with_more_pages_than_the_limit_is_refused_plainly(tmp_path, monkeypatch):
    from PIL import Image

    monkeypatch.setattr(image_parser, "MAX_FRAMES", 20)
    frames = [Image.new("L", (8, 8), 255) for _ in range(21)]
    path = tmp_path / "fax.tif"
    frames[0].save(path, "TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(FileTooLarge, match="This image has 21 pages; the limit is 20"):
        parse_file(path)


def test_an_image_within_the_limits_goes_on_to_be_read(tmp_path, monkeypatch):
    path = tmp_path / "fine.png"
    path.write_bytes(huge_png(2_000, 3_000))
    monkeypatch.setattr(ocr, "available", lambda: False)  # without OCR: the install is named, not a size
    with pytest.raises(UnsupportedFile, match="Tesseract"):
        parse_file(path)


@needs_tesseract
@pytest.mark.slow
def test_a_600_page_tiff_reads_its_first_pages_and_says_how_many_were_left(tmp_path):
    from PIL import Image, ImageDraw, ImageFont

    first = Image.new("L", (1200, 300), 255)
    ImageDraw.Draw(first).text((50, 100), "Northwind cut onboarding to 12 days.", font=ImageFont.load_default(size=40), fill=0)
    blank = Image.new("L", (64, 64), 255)
    path = tmp_path / "fax.tif"
    first.save(path, "TIFF", save_all=True, append_images=[blank] * 599)
    started = time.perf_counter()
    parsed = parse_file(path)
    assert time.perf_counter() - started < 15
    assert parsed.pages == 600 and "Northwind" in parsed.elements[0].text
    skipped = [n for n, why in parsed.unread_pages.items() if "only the first" in why]
    assert skipped == list(range(image_parser.MAX_READ_FRAMES + 1, 601))


@needs_tesseract
@pytest.mark.slow
def test_a_huge_scanned_pdf_page_is_drawn_for_ocr_within_the_limit(tmp_path, monkeypatch):
    from PIL import Image

    seen = []
    real = ocr.read
    monkeypatch.setattr(ocr, "MAX_PIXELS", 4_000_000)
    monkeypatch.setattr(ocr, "read", lambda page: seen.append(page.size) or real(page))
    scan = Image.new("L", (2000, 2000), 255)
    out = io.BytesIO()
    scan.save(out, "PDF", resolution=10)  # a 14,400 pt square page: 200 dpi would be 1,600 megapixels
    path = tmp_path / "poster.pdf"
    path.write_bytes(out.getvalue())
    with pytest.raises(Exception):  # a blank scan: nothing to read
        parse_file(path)
    assert seen and all(w * h <= 4_000_000 for w, h in seen)
