"""Small real documents made in code: for the benchmarks' own fixture sets and for the tests.

No shared data is needed to run them; every byte is written here.
"""

from __future__ import annotations

import io

SIZES = {"# ": 20, "## ": 15}  # a line starting "# " is set as a title, "## " as a heading; the rest at 12 pt


def make_pdf(pages: list[list[str]]) -> bytes:
    """A valid text PDF (Helvetica), one list of lines per page, with a correct xref table.

    Lines starting "# " or "## " are set larger (20 and 15 pt), as a designer sets titles and headings.
    """
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
        ops = ["BT", "72 720 Td"]
        for n, line in enumerate(lines):
            size = next((pt for prefix, pt in SIZES.items() if line.startswith(prefix)), 12)
            line = line.split(" ", 1)[1] if size != 12 else line
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            # the line's own leading moves down to it, so a large line never overlaps the one above
            ops.append(f"/F1 {size} Tf {round(size * 1.2) if size == 12 else round(size * 1.6)} TL{' T*' if n else ''} ({escaped}) Tj")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()
