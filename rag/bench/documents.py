"""Small real documents made in code: for the benchmarks' own fixture sets and for the tests.

No shared data is needed to run them; every byte is written here.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

SIZES = {"# ": 20, "## ": 15}  # a line starting "# " is set as a title, "## " as a heading; the rest at 12 pt


def make_pdf(pages: list[list[str | Sequence[str]]]) -> bytes:
    """A valid text PDF (Helvetica), one list of lines per page, with a correct xref table.

    Lines starting "# " or "## " are set larger (20 and 15 pt), as a designer sets titles and headings.
    A line that is a list of cells is a table row: consecutive rows are drawn as a ruled grid (10 pt
    text, columns of equal width across the text block), so a table can start on one page and
    continue on the next, with or without its header row repeated.
    """
    if any(not isinstance(line, str) for lines in pages for line in lines):
        return _pdf(pages, _positioned)
    return _pdf(pages, _flowing)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _size(line: str) -> tuple[int, str]:
    size = next((pt for prefix, pt in SIZES.items() if line.startswith(prefix)), 12)
    return size, line.split(" ", 1)[1] if size != 12 else line


def _leading(size: int) -> int:
    # the line's own leading moves down to it, so a large line never overlaps the one above
    return round(size * 1.2) if size == 12 else round(size * 1.6)


def _flowing(lines: list[str]) -> list[str]:
    """Text lines only: one text object, each line moved down by its own leading."""
    ops = ["BT", "72 720 Td"]
    for n, line in enumerate(lines):
        size, line = _size(line)
        ops.append(f"/F1 {size} Tf {_leading(size)} TL{' T*' if n else ''} ({_escaped(line)}) Tj")
    ops.append("ET")
    return ops


ROW_HEIGHT = 20
LEFT, RIGHT = 72, 540


def _positioned(lines: list[str | Sequence[str]]) -> list[str]:
    """Text lines and table rows, each placed at its own position; rows ruled as a grid."""
    ops = ["0.5 w"]
    y: float | None = None  # the baseline of the line above
    n = 0
    while n < len(lines):
        line = lines[n]
        if isinstance(line, str):
            size, text = _size(line)
            y = 720 if y is None else y - _leading(size)
            ops.append(f"BT /F1 {size} Tf {LEFT} {y} Td ({_escaped(text)}) Tj ET")
            n += 1
            continue
        rows = []
        while n < len(lines) and not isinstance(lines[n], str):
            rows.append(list(lines[n]))
            n += 1
        top = 732 if y is None else y - 8
        columns = max(len(r) for r in rows)
        xs = [LEFT + (RIGHT - LEFT) * j / columns for j in range(columns + 1)]
        for i, row in enumerate(rows):
            baseline = top - (i + 1) * ROW_HEIGHT + 6
            for j, cell in enumerate(row):
                ops.append(f"BT /F1 10 Tf {xs[j] + 4:.1f} {baseline} Td ({_escaped(str(cell))}) Tj ET")
        bottom = top - len(rows) * ROW_HEIGHT
        ops += [f"{LEFT} {top - i * ROW_HEIGHT} m {RIGHT} {top - i * ROW_HEIGHT} l S" for i in range(len(rows) + 1)]
        ops += [f"{x:.1f} {bottom} m {x:.1f} {top} l S" for x in xs]
        y = bottom - 8
    return ops


def _pdf(pages: list, render) -> bytes:
    objects: list[bytes] = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    font_id = 3 + 2 * len(pages)
    for i, lines in enumerate(pages):
        content_id = 4 + 2 * i
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content_id} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        stream = "\n".join(render(lines)).encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return write_pdf(objects)


def write_pdf(objects: list[bytes]) -> bytes:
    """A PDF file of ``objects`` (numbered from 1, the first the catalog), with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    out.write(b"".join(f"{off:010d} 00000 n \n".encode() for off in offsets))
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()
