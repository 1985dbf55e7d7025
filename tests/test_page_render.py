""""View page" never draws more than a fixed pixel budget, draws in the worker, and still highlights the passage.

The fixture that started it: a 763-byte PDF whose page is 50 x 14,400 pt, drawn 20x its width in the app
process (440 MB -> 4,857 MB). Its neighbours: a 14,400 pt square page, turned pages, long images, an
image too large to decode, a width of 3,000 px asked on the command line.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rag.bench.documents import write_pdf
from rag.errors import FileTooLarge, GroundedError, NotFound, ParseTimeout
from rag.ingest.pipeline import ingest_bytes
from rag.parse import isolated, render
from rag.types import TextBox
from rag.workspace import page_view
from tests.conftest import run_cli

REPO = Path(__file__).resolve().parents[1]
PASSAGE = ["Refunds are", "available for", "thirty days", "after the", "purchase date."]


def pdf_page(width: float, height: float, lines: list[str], top: float, size: float = 6, rotate: int = 0) -> bytes:
    """A one-page PDF ``width`` x ``height`` pt (MediaBox), ``lines`` set from ``top`` pt below the top edge."""
    ops = ["BT", f"/F1 {size} Tf {size * 1.2:.1f} TL", f"2 {height - top:.1f} Td"]
    ops += [("T* " if n else "") + f"({line}) Tj" for n, line in enumerate(lines)] + ["ET"]
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:g} {height:g}] /Rotate {rotate} /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>".encode(),
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return write_pdf(objects)


def tall_pdf() -> bytes:
    """The report's file: a 50 x 14,400 pt page (a strip 200 inches long), the passage halfway down."""
    return pdf_page(50, 14400, PASSAGE, top=7200)


def _within_budget(view) -> None:
    width, height = view.image.size
    assert width * height <= render.MAX_PIXELS and max(width, height) <= render.MAX_SIDE_PX


def _tinted(view) -> bool:
    """The strongest mark is orange on the drawn image (the highlight is really there, not only listed)."""
    kind, box = max(view.highlights, key=lambda h: h[0] == "strong")
    red, _, blue = view.image.crop(box).resize((1, 1)).getpixel((0, 0))
    return red - blue > 40


def _passage(store, name: str, data: bytes, quote: str = ""):
    result = ingest_bytes(store, name, data, "default")
    (chunk,) = store.index.chunks_of("default", result.doc_id)
    passage = page_view.passage(store, None, chunk)
    passage.quote = quote
    return passage


# --- the plan: what is drawn of a page, never over the budget ---------------------------------------------


@pytest.mark.parametrize("size", [(50, 14400), (14400, 50), (14400, 14400), (612, 792), (595, 842), (792, 612),
                                  (3, 3), (1, 14400), (0.5, 0.5), (200_000, 200_000)])
@pytest.mark.parametrize("width", [200, 1000, 3000])
@pytest.mark.parametrize("focus", [None, (0.2, 0.49, 0.8, 0.51), (0.0, 0.0, 1.0, 1.0), (0.9, 0.98, 1.0, 1.0)])
def test_no_page_of_any_shape_is_planned_over_the_pixel_budget(size, width, focus):
    scale, (x0, y0, x1, y1) = render.plan(*size, width, focus)
    drawn_w, drawn_h = (x1 - x0) * size[0] * scale, (y1 - y0) * size[1] * scale
    assert drawn_w * drawn_h <= render.MAX_PIXELS * 1.001 and max(drawn_w, drawn_h) <= render.MAX_SIDE_PX * 1.001
    assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1 and scale <= render.MAX_SCALE
    if focus is not None and (focus[3] - focus[1]) * size[1] * scale < render.MAX_SIDE_PX / 2:
        assert y0 <= focus[1] and focus[3] <= y1 + 1e-6, "a passage that fits is inside the part drawn"


def test_an_ordinary_page_is_drawn_whole_at_the_width_asked():
    assert render.plan(612, 792, 1000) == (pytest.approx(1000 / 612), (0.0, 0.0, 1.0, 1.0))
    assert render.plan(612, 792, 3000) == (pytest.approx(3000 / 612), (0.0, 0.0, 1.0, 1.0))  # US Letter at 3,000 px
    scale, region = render.plan(595, 842, 3000)  # A4 at 3,000 px is 12.7 MP: drawn whole, a little smaller
    assert region == (0.0, 0.0, 1.0, 1.0) and 595 * 842 * scale**2 <= render.MAX_PIXELS


def test_a_page_without_size_is_refused_plainly():
    with pytest.raises(GroundedError, match="no size"):
        render.plan(0, 792, 1000)


# --- the tall page of the report, and its neighbours, through "View page" ---------------------------------


def test_the_tall_page_is_drawn_around_the_passage_within_the_budget_and_highlighted(store):
    passage = _passage(store, "strip.pdf", tall_pdf(), quote="thirty days")
    assert len(tall_pdf()) < 1000
    for width in (1000, 3000):
        view = page_view.render(passage, width=width)
        _within_budget(view)
        assert view.highlighted and _tinted(view), view.notes
        assert page_view.PART_OF_PAGE in view.notes
        assert any(kind == "strong" for kind, _ in view.highlights)
        for _, (x0, y0, x1, y1) in view.highlights:  # every mark lies on the drawn part
            assert 0 <= x0 < x1 <= view.image.width and 0 <= y0 < y1 <= view.image.height


def test_a_page_shown_in_part_says_so_and_opens_at_its_top_without_a_passage(store):
    passage = _passage(store, "strip.pdf", tall_pdf())
    passage.boxes, passage.text = [], "Words that are printed nowhere on this page at all, not a single one of them."
    view = page_view.render(passage)
    _within_budget(view)
    assert not view.highlighted and page_view.PART_OF_PAGE_TOP in view.notes


def test_a_huge_square_page_is_drawn_smaller_whole_and_highlighted(store):
    passage = _passage(store, "poster.pdf", pdf_page(14400, 14400, ["Refunds are available for thirty days."], 7000, 200))
    view = page_view.render(passage, width=3000)
    _within_budget(view)
    assert view.image.size == (3000, 3000) and not view.notes
    assert view.highlighted


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_turned_pages_are_drawn_turned_and_highlighted_where_the_text_is(store, rotate):
    lines = ["Refunds are available for thirty days after the purchase date.", "Returns are free."]
    passage = _passage(store, f"turned-{rotate}.pdf", pdf_page(612, 792, lines, 100, 12, rotate))
    view = page_view.render(passage)
    assert (view.image.width > view.image.height) == (rotate % 180 == 90)
    assert view.highlighted and view.confidence >= page_view.MIN_MATCH


def test_a_turned_tall_page_is_a_wide_strip_drawn_around_the_passage(store):
    passage = _passage(store, "turned-strip.pdf", pdf_page(50, 14400, PASSAGE, 7200, rotate=90))
    view = page_view.render(passage, width=3000)
    _within_budget(view)
    assert view.highlighted and page_view.PART_OF_PAGE in view.notes


def test_grounded_show_at_3000_px_stays_within_the_budget(store, settings, capsys, tmp_path):
    from PIL import Image

    passage = _passage(store, "strip.pdf", tall_pdf())
    chunk_id = store.index.chunks_of("default", passage.row.doc_id)[0].chunk_id
    store.close()
    out = tmp_path / "page.png"
    result = run_cli(capsys, "show", chunk_id, "--png", out, "--width", 3000, "--json", "--data-dir", settings.data_dir)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["highlighted"] and page_view.PART_OF_PAGE in shown["notes"]
    with Image.open(out) as image:
        assert image.width * image.height <= render.MAX_PIXELS


# --- images shown as pages -----------------------------------------------------------------------------------


def _image_passage(tmp_path, name: str, data: bytes, boxes: list[TextBox], text: str):
    """A passage of an image original as OCR would have placed it (the row as the catalog keeps it)."""
    from rag.catalog import DocumentRow

    path = tmp_path / name
    path.write_bytes(data)
    row = DocumentRow("doc", "default", name, str(path), None, "v1", None, "general", 1, 1, "ready", None, 0.0, 0.0,
                      None, len(data), None)
    return page_view.Passage(row, text, [1], boxes, text, ocr=90.0)


def test_a_long_screenshot_is_drawn_around_its_passage(tmp_path):
    from PIL import Image, ImageDraw

    image = Image.new("L", (800, 40_000), 255)  # a full-page capture: 32 MP, 50x its width
    ImageDraw.Draw(image).rectangle((100, 30_000, 700, 30_040), fill=0)
    out = io.BytesIO()
    image.save(out, "PNG")
    box = TextBox(1, 0, 20, 100 / 800, 30_000 / 40_000, 700 / 800, 30_040 / 40_000)
    passage = _image_passage(tmp_path, "capture.png", out.getvalue(), [box], "Refunds within thirty")
    view = page_view.render(passage, width=3000)
    _within_budget(view)
    assert view.highlighted and page_view.PART_OF_PAGE in view.notes
    (_, (x0, y0, x1, y1)), *_ = view.highlights
    dark = view.image.crop((x0 + 4, y0 + 4, x1 - 4, y1 - 4)).convert("L").resize((1, 1)).getpixel((0, 0))
    assert dark < 120, "the highlight sits on the black bar the box points at"


def test_an_ordinary_image_is_drawn_whole_and_highlighted(tmp_path):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1280, 720), "white").save(out, "JPEG")
    box = TextBox(1, 0, 10, 0.1, 0.1, 0.5, 0.2)
    view = page_view.render(_image_passage(tmp_path, "slide.jpg", out.getvalue(), [box], "Q3 results"))
    assert view.image.size == (1000, 562) and view.highlighted and view.notes == [page_view.READ_BY_OCR]


def test_an_image_too_large_to_decode_is_refused_plainly_and_not_decoded(tmp_path):
    from tests.test_parse_image_limits import huge_png

    passage = _image_passage(tmp_path, "bomb.png", huge_png(11_500, 11_500), [], "anything")
    with pytest.raises(FileTooLarge, match=r"too large to read \(132 megapixels; the limit is 80\)"):
        page_view.render(passage)


def test_a_page_the_document_does_not_have_is_not_found(store):
    passage = _passage(store, "strip.pdf", tall_pdf())
    with pytest.raises(NotFound, match="has no page 2"):
        page_view.render(passage, 2)


# --- drawn in the worker, under its limits -------------------------------------------------------------------


def test_pages_are_drawn_in_the_worker_not_in_this_process(store, monkeypatch):
    passage = _passage(store, "strip.pdf", tall_pdf())
    page_view.render(passage)
    assert isolated._render_worker is not None and isolated._render_worker.alive()

    def never(*_):
        raise AssertionError("drawn in the app process")

    monkeypatch.setattr(render, "_draw_pdf", never)  # this process's copy: the worker has its own
    assert page_view.render(passage).highlighted


@pytest.mark.slow
def test_a_drawing_over_its_time_or_memory_is_stopped_and_the_next_page_still_drawn(store):
    passage = _passage(store, "strip.pdf", tall_pdf())
    request = {"op": "draw", "path": passage.row.original_path, "page": 1, "width": 3000, "focus": None}
    isolated.render_isolated(request)  # a warm worker: only the drawing is timed
    with pytest.raises(ParseTimeout, match="Drawing this page took longer"):
        isolated.render_isolated({**request, "path": str(_big_page(passage))}, timeout_s=0.01)
    assert isolated._render_worker is None  # killed, not left running
    with pytest.raises(FileTooLarge, match="more memory than the limit"):  # a letter page at 3,000 px takes 270 MB
        isolated.render_isolated({**request, "path": str(_big_page(passage))}, memory_mb=200)
    assert page_view.render(passage).highlighted


def _big_page(passage) -> Path:
    """A page with a lot to draw: a thousand lines of text."""
    path = Path(passage.row.original_path).with_name("busy.pdf")
    path.write_bytes(pdf_page(612, 792, [f"Line {n} of a very busy page with a lot of text on it." for n in range(1000)], 10, 1))
    return path


PEAK = textwrap.dedent("""
    import json, resource, sys
    from pathlib import Path
    from rag.catalog import DocumentRow
    from rag.ingest.chunk import chunk_document
    from rag.parse import isolated, parse_file
    from rag.types import ChunkSettings
    from rag.workspace import page_view

    path, width = Path(sys.argv[1]), int(sys.argv[2])
    (chunk,) = chunk_document(parse_file(path), ChunkSettings(), "doc", "v1")
    row = DocumentRow("doc", "default", path.name, str(path), None, "v1", None, "general", 1, 1, "ready", None,
                      0.0, 0.0, None, path.stat().st_size, None)
    passage = page_view.Passage(row, chunk.text, chunk.pages, list(chunk.boxes), "thirty days")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    view = page_view.render(passage, width=width)
    png = view.png()
    status = Path(f"/proc/{isolated._render_worker.proc.pid}/status").read_text()
    worker = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))  # its peak, kB
    print(json.dumps({"app_before_mb": before / 1024, "app_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "worker_mb": worker / 1024,
                      "size": view.image.size, "highlighted": view.highlighted, "png_kb": len(png) / 1024}))
""")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the worker's peak from /proc")
@pytest.mark.parametrize("width", [1000, 3000])
def test_peak_memory_of_drawing_the_tall_page_stays_bounded(tmp_path, width):
    """Before: 4.4 GB in the app at 1,000 px (7.7 GB at 3,000). Now the app grows by tens of MB, the worker stays small."""
    path = tmp_path / "strip.pdf"
    path.write_bytes(tall_pdf())
    done = subprocess.run([sys.executable, "-c", PEAK, str(path), str(width)], capture_output=True, text=True,
                          cwd=REPO, timeout=120, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    peak = json.loads(done.stdout.strip().splitlines()[-1])
    print(peak)
    assert peak["highlighted"] and peak["size"][0] * peak["size"][1] <= render.MAX_PIXELS
    assert peak["app_mb"] - peak["app_before_mb"] < 100, peak
    assert peak["worker_mb"] < 300, peak
