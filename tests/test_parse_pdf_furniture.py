"""Running headers, footers and page numbers of a PDF are dropped; the pages' own text is not."""

from __future__ import annotations

from rag.ingest.chunk import split
from rag.parse import parse_file
from rag.parse.pdf import is_page_number, running_shapes
from rag.types import ChunkSettings
from tests.fixtures import make_pdf

HEADER = "Acme Inc. | Q3 2025 launch plan"
FOOTER = "© 2025 Example B.V. · Confidential"


REGIONS = ["Benelux", "Nordics", "Iberia", "Alps", "Baltics"]


def _page(n: int) -> list[str]:
    region = REGIONS[n - 1]
    return [
        HEADER,
        f"{region} rollout",
        f"{region} opens with {10 * n} stores and a local campaign.",
        "12",  # a figure on a line of its own, inside the page: not a page number
        f"The {region} budget was approved by the board in {['May', 'June', 'July', 'August', 'September'][n - 1]}.",
        FOOTER,
        f"Page {n} of 5",
    ]


def test_running_header_footer_and_page_numbers_never_reach_a_chunk(tmp_path):
    path = tmp_path / "plan.pdf"
    path.write_bytes(make_pdf([_page(n) for n in range(1, 6)]))
    parsed = parse_file(path)
    text = "\n".join(e.text for e in parsed.elements)
    for n in range(1, 6):
        assert f"{REGIONS[n - 1]} opens with {10 * n} stores" in text and f"The {REGIONS[n - 1]} budget" in text
        assert f"Page {n} of 5" not in text
    assert "Acme Inc." not in text and "Example B.V." not in text
    assert text.split().count("12") == 5  # the figure inside each page stays
    for piece in split(parsed, ChunkSettings()):
        assert "Example B.V." not in piece.text and "Q3 2025 launch plan" not in piece.text


def test_lines_on_too_few_pages_are_kept(tmp_path):
    pages = [[HEADER, f"Region {n} opens soon.", FOOTER, str(n)] for n in (1, 2)]
    path = tmp_path / "short.pdf"
    path.write_bytes(make_pdf(pages))
    text = "\n".join(e.text for e in parse_file(path).elements)
    assert text.count("Example B.V.") == 2  # two pages are too few to call a line a running footer
    assert "\n1\n" not in f"\n{text}\n" and "\n2\n" not in f"\n{text}\n"  # but bare page numbers still go


def test_running_lines_need_most_pages():
    pages = ["Acme\nBody one\n1", "Acme\nBody two\n2", "Other\nBody three\n3", "Other\nBody four\n4", "Acme\nBody five\n5"]
    assert running_shapes(pages) == {"acme", "#"}  # "acme" on 3 of 5 pages (60%), "other" on 2
    assert "other" not in running_shapes(pages)


def test_page_numbers():
    for line in ("7", "- 7 -", "Page 7", "page 7 of 40", "7/40", "(7)", "iv"):
        assert is_page_number(line, pages=40)
    for line in ("2021", "7 stores", "Figure 7", "$7"):
        assert not is_page_number(line, pages=40)
