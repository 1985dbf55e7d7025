"""Tables from every format arrive as rows with headers: a row is quoted with its column headers.

Fixtures are made here, in several layouts per format: a price list sheet with
a title row above its header (plain, merged across the columns, after blank
rows and columns), a second sheet, a CSV with a title line, a PDF whose table
runs over a page break, and Word tables beside text (one with a merged title row).
"""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from rag.answer.quote import units_of
from rag.ingest.chunk import chunk_document
from rag.parse import parse_file, tables
from rag.types import ChunkSettings, Hit

PRICES = [("Starter", 3, 19), ("Team", 10, 49), ("Scale", 50, 199)]


def _rows_of(parsed, file: str | None = None) -> list:
    """The quotable table rows of a parsed document, as the quoting step reads its passages."""
    chunks = chunk_document(parsed, ChunkSettings(), "d1", "v1")
    units = []
    for c in chunks:
        hit = Hit(c.chunk_id, "d1", file or parsed.file, c.text, 1.0, section=c.section)
        units += [(u, c) for u in units_of(hit, 1) if u.kind == "row"]
    return units


def _team_row(parsed):
    rows = [(u, c) for u, c in _rows_of(parsed) if "Team" in u.text]
    assert len(rows) == 1, [u.text for u, _ in _rows_of(parsed)]
    return rows[0]


# --- spreadsheets -------------------------------------------------------------------------------------------


def _workbook(path: Path, layout: str) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Pricing"
    top, left = (3, 2) if layout == "offset" else (1, 1)  # "offset": blank leading rows and a blank column
    ws.cell(top, left, "Acme price list 2026")
    if layout == "merged":
        ws.merge_cells(start_row=top, start_column=left, end_row=top, end_column=left + 2)
    header_row = top + (2 if layout == "offset" else 1)  # "offset" also has a blank row under the title
    for j, name in enumerate(("Plan", "Users", "Price per month")):
        ws.cell(header_row, left + j, name)
    for i, (plan, users, price) in enumerate(PRICES, 1):
        ws.cell(header_row + i, left, plan)
        ws.cell(header_row + i, left + 1, users)
        cell = ws.cell(header_row + i, left + 2, price)
        cell.number_format = '"$"#,##0'
    ws.cell(header_row + len(PRICES) + 2, left, "Prices exclude VAT.")
    addons = wb.create_sheet("Add-ons")
    addons.append(["Add-on", "Price per month"])
    addons.append(["Extra seat", 5])
    addons.append(["Priority support", 99])
    wb.save(path)
    return path


@pytest.mark.parametrize("layout", ["plain", "merged", "offset"])
def test_a_price_list_sheet_is_rows_under_their_header_with_the_sheet_name(tmp_path, layout):
    parsed = parse_file(_workbook(tmp_path / "prices.xlsx", layout))
    unit, chunk = _team_row(parsed)
    pairs = unit.scoring_text()
    assert "Plan: Team" in pairs and "Users: 10" in pairs and "Price per month: $49" in pairs
    assert "Acme price list" not in unit.header  # the title line is not the header
    assert chunk.heading_path[:2] == ("Pricing", "Acme price list 2026")  # the sheet's name travels with its rows
    texts = [e.text for e in parsed.elements]
    assert "Prices exclude VAT." in texts  # a note under the table is text, not a row
    assert not any("Prices exclude VAT" in u.text for u, _ in _rows_of(parsed))


def test_each_sheet_keeps_its_own_header_and_name(tmp_path):
    parsed = parse_file(_workbook(tmp_path / "prices.xlsx", "plain"))
    rows = _rows_of(parsed)
    seat = [(u, c) for u, c in rows if "Extra seat" in u.text]
    assert len(seat) == 1
    unit, chunk = seat[0]
    assert chunk.heading_path == ("Add-ons",) and "Add-on: Extra seat" in unit.scoring_text()
    assert "Price per month: 5" in unit.scoring_text()
    assert not any("Team" in u.text for u, c in rows if c.heading_path[0] == "Add-ons")


def test_a_vertically_merged_cell_fills_every_row_it_covers(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Region", "Quarter", "Revenue"])
    ws.append(["EMEA", "Q1", 120])
    ws.append([None, "Q2", 140])
    ws.merge_cells("A2:A3")
    ws.append(["APAC", "Q1", 90])
    wb.save(tmp_path / "revenue.xlsx")
    rows = _rows_of(parse_file(tmp_path / "revenue.xlsx"))
    q2 = next(u for u, _ in rows if "140" in u.text)
    assert "Region: EMEA" in q2.scoring_text() and "Quarter: Q2" in q2.scoring_text()


def test_a_csv_with_a_title_line_keeps_its_header(tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text("Acme price list 2026,,\nPlan,Users,Price per month\n" + "".join(f"{p},{u},${c}\n" for p, u, c in PRICES))
    parsed = parse_file(path)
    unit, chunk = _team_row(parsed)
    assert "Plan: Team" in unit.scoring_text() and "Price per month: $49" in unit.scoring_text()
    assert chunk.heading_path == ("Acme price list 2026",)


def test_title_rows_are_only_lines_above_a_wider_row():
    assert tables.title_rows([["Acme price list"], [], ["Plan", "Price"], ["Team", "$49"]]) == 2
    assert tables.title_rows([["Price list", "Price list"], ["Plan", "Price"]]) == 1  # a merged title
    assert tables.title_rows([["Plan", "Price"], ["Team", "$49"]]) == 0
    assert tables.title_rows([["Only"], ["one"], ["column"]]) == 0  # a one-column table has no title lines
    md = tables.to_markdown([["Results 2025", "", ""], ["Metric", "Before", "After"], ["Onboarding", "41 days", "12 days"]])
    caption, table = md.split("\n\n")
    assert caption == "Results 2025" and table.splitlines()[0] == "| Metric | Before | After |"


# --- PDF: a table that continues on the next page ----------------------------------------------------------


def _pdf(pages: list[list[tuple[float, float, str]]], lines: list[list[tuple[float, float, float, float]]]) -> bytes:
    """A small PDF: per page, text at (x, y) in Helvetica 10 pt, and ruled lines (x0, y0, x1, y1)."""
    objects: list[bytes] = []
    kids = []
    font_no = 3 + 2 * len(pages)
    for n, (texts, rules) in enumerate(zip(pages, lines)):
        ops = ["0.5 w"] + [f"{x0} {y0} m {x1} {y1} l S" for x0, y0, x1, y1 in rules]
        for x, y, text in texts:
            safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"BT /F1 10 Tf {x} {y} Td ({safe}) Tj ET")
        stream = zlib.compress("\n".join(ops).encode("latin-1"))
        page_no, content_no = 3 + 2 * n, 4 + 2 * n
        kids.append(page_no)
        objects.append((page_no, f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content_no} 0 R "
                                 f"/Resources << /Font << /F1 {font_no} 0 R >> >> >>".encode()))
        objects.append((content_no, b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"))
    objects.insert(0, (1, b"<< /Type /Catalog /Pages 2 0 R >>"))
    objects.insert(1, (2, f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()))
    objects.append((font_no, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"))
    objects.sort()
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for number, body in objects:
        offsets[number] = len(out)
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offsets[n]:010d} 00000 n \n" for n, _ in objects).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _ruled_table(rows: list[list[str]], top: float) -> tuple[list, list]:
    """Text items and ruling lines of a grid table whose first row's top is at ``top``."""
    xs = [72, 222, 342, 462]
    height = 20
    texts, rules = [], []
    for i, row in enumerate(rows):
        y = top - (i + 1) * height
        texts += [(xs[j] + 4, y + 6, cell) for j, cell in enumerate(row)]
    bottom = top - len(rows) * height
    rules += [(xs[0], top - i * height, xs[-1], top - i * height) for i in range(len(rows) + 1)]
    rules += [(x, bottom, x, top) for x in xs]
    return texts, rules


RESULTS_HEADER = ["Customer", "Before", "After"]
RESULTS = [[f"Customer {n}", f"{40 + n} days", f"{10 + n} days"] for n in range(1, 21)]


@pytest.mark.parametrize("repeat_header", [False, True])
def test_a_pdf_table_continued_on_page_two_keeps_its_header(tmp_path, repeat_header):
    first_texts, first_rules = _ruled_table([RESULTS_HEADER] + RESULTS[:12], 640)
    first_texts.insert(0, (72, 700, "Results by customer, in days to onboard"))
    second = ([RESULTS_HEADER] if repeat_header else []) + RESULTS[12:]
    second_texts, second_rules = _ruled_table(second, 720)
    second_texts.append((72, 400, "All figures were measured by the customers themselves over 2025."))
    path = tmp_path / "results.pdf"
    path.write_bytes(_pdf([first_texts, second_texts], [first_rules, second_rules]))
    parsed = parse_file(path)
    rows = _rows_of(parsed)
    later = [u for u, c in rows if "Customer 15" in u.text]
    assert len(later) == 1, [u.text for u, _ in rows]
    assert "Customer: Customer 15" in later[0].scoring_text() and "Before: 55 days" in later[0].scoring_text()
    assert "After: 25 days" in later[0].scoring_text()
    tables_on_two = [e for e in parsed.elements if e.kind == "table" and e.page == 2]
    assert tables_on_two and tables_on_two[0].text.splitlines()[0] == "| Customer | Before | After |"


def test_a_new_table_on_the_next_page_keeps_its_own_header(tmp_path):
    first_texts, first_rules = _ruled_table([RESULTS_HEADER] + RESULTS[:12], 640)
    other = [["Plan", "Seats", "Price"], ["Starter", "3", "$19"], ["Team", "10", "$49"], ["Scale", "50", "$199"]]
    second_texts, second_rules = _ruled_table(other, 720)
    path = tmp_path / "two-tables.pdf"
    path.write_bytes(_pdf([first_texts, second_texts], [first_rules, second_rules]))
    unit, _ = _team_row(parse_file(path))
    assert "Plan: Team" in unit.scoring_text() and "Price: $49" in unit.scoring_text()
    assert "Customer" not in unit.header


# --- Word tables beside text --------------------------------------------------------------------------------


@pytest.mark.parametrize("title_row", [False, True])
def test_a_word_table_beside_text_is_rows_under_their_header(tmp_path, title_row):
    import docx

    document = docx.Document()
    document.add_heading("Pricing", level=1)
    document.add_paragraph("Our plans are billed monthly. Annual billing saves two months.")
    table = document.add_table(rows=0, cols=3)
    if title_row:
        cells = table.add_row().cells
        cells[0].merge(cells[2])
        cells[0].text = "Acme price list 2026"
    for row in [("Plan", "Users", "Price per month"), *[(p, str(u), f"${c}") for p, u, c in PRICES]]:
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = value
    document.add_paragraph("Prices exclude VAT. Contact sales for more than 50 users.")
    document.save(tmp_path / "pricing.docx")
    parsed = parse_file(tmp_path / "pricing.docx")
    unit, chunk = _team_row(parsed)
    assert "Plan: Team" in unit.scoring_text() and "Price per month: $49" in unit.scoring_text()
    assert "Pricing" in chunk.heading_path
    texts = " ".join(e.text for e in parsed.elements if e.kind == "text")
    assert "Annual billing saves two months." in texts and "Prices exclude VAT." in texts
