"""Short PDF tables are tables, and a table page's headings are headings.

A results table whose last one or two rows run onto the next page must be read
with its header (repeated there or not), a header and two rows on their own are
a table when ruled, and the heading above a table opens a section as it does on
any other page. Neighbours: prose with figures stays prose, a lone ruled row is
not a table, and a new short table after a table keeps its own header.
PDFs are made here with :func:`rag.bench.documents.make_pdf` (ruled grids).
"""

from __future__ import annotations

import pytest

from rag.answer.quote import units_of
from rag.bench.documents import make_pdf
from rag.ingest.chunk import chunk_document
from rag.parse import parse_file
from rag.parse.pdf import _continued, looks_tabular
from rag.types import ChunkSettings, Hit
from tests.test_parse_tables import _pdf, _ruled_table

INTRO = [
    "Orbis Engineering is a consultancy of 1,800 engineers who travel to client sites across",
    "Europe and the Middle East. In 2024 it moved all of its travel booking to us.",
]
OUTRO = [
    "## What the CFO says",
    "\"We found savings in the first year without cutting a single trip.\"",
    "Helen Marsh, CFO, Orbis Engineering",
]
# two kinds of header: periods ("2023" holds digits, like the rows' figures) and words
HEADERS = {"years": ["Metric", "2023", "2024"], "words": ["Metric", "Before", "After"]}
ROWS = [
    ["Annual travel spend", "4.2 million", "3.5 million"],
    ["Average flight price", "412 GBP", "356 GBP"],
    ["Policy compliance", "68%", "93%"],
    ["Time to book a trip", "40 minutes", "12 minutes"],
    ["Unused tickets written off", "96,000 GBP", "21,000 GBP"],
]


def _rows_of(parsed) -> list:
    """(row unit, chunk) for every quotable table row, as the quoting step reads its passages."""
    units = []
    for c in chunk_document(parsed, ChunkSettings(), "d1", "v1"):
        hit = Hit(c.chunk_id, "d1", parsed.file, c.text, 1.0, section=c.section)
        units += [(u, c) for u in units_of(hit, 1) if u.kind == "row"]
    return units


def _row(parsed, name: str):
    found = [(u, c) for u, c in _rows_of(parsed) if name in u.text]
    assert len(found) == 1, [u.text for u, _ in _rows_of(parsed)] or [e.text for e in parsed.elements]
    return found[0]


def _case_study(tmp_path, header, on_page_two: int, repeat_header: bool):
    """Page 1: title, intro, heading, the header and the first rows; page 2: the last ``on_page_two`` rows, then prose."""
    split = len(ROWS) - on_page_two
    first = ["# Orbis Engineering saves on business travel", *INTRO, "## Results, 2023 against 2024", header, *ROWS[:split]]
    second = ([header] if repeat_header else []) + ROWS[split:] + OUTRO
    path = tmp_path / "case-study.pdf"
    path.write_bytes(make_pdf([first, second]))
    return parse_file(path)


@pytest.mark.parametrize("header", sorted(HEADERS))
@pytest.mark.parametrize("on_page_two, repeat_header", [(2, False), (2, True), (1, False)])
def test_the_last_rows_of_a_table_on_the_next_page_keep_its_header(tmp_path, header, on_page_two, repeat_header):
    parsed = _case_study(tmp_path, HEADERS[header], on_page_two, repeat_header)
    head = HEADERS[header]
    for cells in ROWS[len(ROWS) - on_page_two:]:
        unit, chunk = _row(parsed, cells[0])
        pairs = unit.scoring_text()
        assert f"{head[0]}: {cells[0]}" in pairs and f"{head[1]}: {cells[1]}" in pairs and f"{head[2]}: {cells[2]}" in pairs
    on_two = [e for e in parsed.elements if e.page == 2 and e.kind == "table"]
    assert len(on_two) == 1 and on_two[0].text.splitlines()[0] == "| " + " | ".join(head) + " |"
    # the rows are not also kept as flat prose ("Time to book a trip 40 minutes 12 minutes")
    assert not any(e.kind == "text" and ROWS[-1][0] in e.text for e in parsed.elements)
    # the prose after the table is a heading and its paragraph, as on any page
    assert ("title", "What the CFO says") in [(e.kind, e.text) for e in parsed.elements if e.page == 2]


def test_a_header_and_two_rows_on_a_page_of_prose_are_a_table(tmp_path):
    page = [
        "# Plans for small teams",
        "Every plan includes unlimited projects and email support. Prices are per month,",
        "billed monthly, and exclude VAT.",
        ["Plan", "Users", "Price per month"],
        ["Starter", "3 users", "19 EUR"],
        ["Team", "10 users", "49 EUR"],
        "Need more than 10 users? Ask our sales team for a quote.",
    ]
    path = tmp_path / "plans.pdf"
    path.write_bytes(make_pdf([page]))
    assert not looks_tabular("\n".join(line if isinstance(line, str) else " ".join(line) for line in page))
    parsed = parse_file(path)
    unit, _ = _row(parsed, "Team")
    assert "Plan: Team" in unit.scoring_text() and "Price per month: 49 EUR" in unit.scoring_text()
    texts = [e.text for e in parsed.elements if e.kind == "text"]
    assert any("Every plan includes unlimited projects" in t for t in texts)
    assert any(t.startswith("Need more than 10 users?") for t in texts)


def test_the_heading_above_a_table_is_a_heading_on_a_table_page(tmp_path):
    parsed = _case_study(tmp_path, HEADERS["words"], 2, False)
    page_one = [(e.kind, e.text) for e in parsed.elements if e.page == 1]
    assert ("title", "Orbis Engineering saves on business travel") in page_one
    assert ("title", "Results, 2023 against 2024") in page_one
    assert not any("Results, 2023" in text for kind, text in page_one if kind != "title")  # not a caption or a paragraph
    intro = next(text for kind, text in page_one if kind == "text")
    assert intro.startswith("Orbis Engineering is a consultancy") and intro.endswith("travel booking to us.")
    table = next(e for e in parsed.elements if e.kind == "table" and e.page == 1)
    assert table.heading_path[-1] == "Results, 2023 against 2024"
    _unit, chunk = _row(parsed, "Policy compliance")
    assert "Results, 2023 against 2024" in chunk.heading_path


def test_headings_on_a_table_page_match_the_same_page_without_its_table(tmp_path):
    """The same prose and headings read the same whether the page holds a table or not."""
    prose = ["# Orbis Engineering saves on business travel", *INTRO, "## Results, 2023 against 2024"]
    with_table, without = tmp_path / "with.pdf", tmp_path / "without.pdf"
    with_table.write_bytes(make_pdf([prose + [HEADERS["years"], *ROWS] + OUTRO]))
    without.write_bytes(make_pdf([prose + OUTRO]))
    def shape(path):
        return [(e.kind, e.text) for e in parse_file(path).elements if e.kind != "table"]
    assert shape(with_table) == shape(without)


# --- neighbours -----------------------------------------------------------------------------------------------


def test_prose_with_figures_after_a_table_page_stays_prose(tmp_path):
    first = ["## Results", HEADERS["words"], *ROWS]
    second = [
        "In 2024 the team booked 2,140 trips for 1,800 engineers, up from 1,960 trips in 2023.",
        "Spend fell from 4.2 million to 3.5 million, and 93% of trips met the policy against 68%.",
        "Next year 2,300 trips are planned across 14 countries and 3 new offices.",
    ]
    path = tmp_path / "report.pdf"
    path.write_bytes(make_pdf([first, second]))
    parsed = parse_file(path)
    assert not [e for e in parsed.elements if e.kind == "table" and e.page == 2]
    text = " ".join(e.text for e in parsed.elements if e.page == 2)
    assert "up from 1,960 trips in 2023. Spend fell" in text  # one paragraph, not rows


def test_prose_with_figures_between_rules_is_not_a_table(tmp_path):
    """A ruled page (a rule under the heading and above the footer) whose prose carries figures."""
    texts = [(72, 700, "Quarterly update"),
             (72, 660, "In 2024 the team booked 2,140 trips for 1,800 engineers, up from 1,960."),
             (72, 645, "Spend fell from 4.2 million to 3.5 million, and 93% met the policy, not 68%."),
             (72, 630, "Next year 2,300 trips are planned across 14 countries and 3 offices.")]
    rules = [(72, 690, 540, 690), (72, 620, 540, 620)]
    path = tmp_path / "update.pdf"
    path.write_bytes(_pdf([texts], [rules]))
    parsed = parse_file(path)
    assert [e.kind for e in parsed.elements if e.kind == "table"] == []
    assert "up from 1,960. Spend fell" in " ".join(e.text for e in parsed.elements)


def test_a_lone_ruled_row_is_not_a_table(tmp_path):
    page = ["## Contact", "Write to us or call us during office hours, Monday to Friday.",
            ["Phone", "+44 20 7946 0000"], "We answer within one working day."]
    path = tmp_path / "contact.pdf"
    path.write_bytes(make_pdf([page]))
    parsed = parse_file(path)
    assert not [e for e in parsed.elements if e.kind == "table"]
    assert "+44 20 7946 0000" in " ".join(e.text for e in parsed.elements)


def test_a_short_new_table_after_a_table_keeps_its_own_header(tmp_path):
    """Same column layout as the table that ended page 1, but its own header: not a continuation."""
    first = ["## Results", HEADERS["words"], *ROWS]
    second = [["Plan", "Seats", "Price"], ["Starter", "3", "19 GBP"], ["Team", "10", "49 GBP"], "Prices exclude VAT."]
    path = tmp_path / "two-tables.pdf"
    path.write_bytes(make_pdf([first, second]))
    unit, _ = _row(parse_file(path), "Team")
    assert "Plan: Team" in unit.scoring_text() and "Price: 49 GBP" in unit.scoring_text()
    assert "Metric" not in unit.header


def test_a_lone_row_on_a_page_that_does_not_open_with_it_is_no_continuation(tmp_path):
    """A one-row grid further down the next page is not the previous table's last row."""
    first = ["## Results", HEADERS["words"], *ROWS]
    second = ["## Contact", "Write to us or call us during office hours, Monday to Friday.",
              "We answer every message within one working day, and most within the hour.",
              "Our offices are closed on public holidays in England and Wales.",
              ["Phone", "+44 20 7946 0000", "9am to 5pm"]]
    path = tmp_path / "two-pages.pdf"
    path.write_bytes(make_pdf([first, second]))
    parsed = parse_file(path)
    assert not [e for e in parsed.elements if e.kind == "table" and e.page == 2]
    assert "+44 20 7946 0000" in " ".join(e.text for e in parsed.elements if e.page == 2)


def test_a_first_row_like_the_header_is_a_new_header_and_like_the_rows_a_continuation():
    previous = {"header": ["Metric", "2023", "2024"],
                "kinds": [{"words"}, {"figure", "number"}, {"figure", "number"}]}
    assert _continued([["Time to book a trip", "40 minutes", "12 minutes"]], previous)[0] == ["Metric", "2023", "2024"]
    assert _continued([["Outages", "5", "0"]], previous)[0] == ["Metric", "2023", "2024"]
    assert _continued([["Region", "2025", "2026"], ["EMEA", "5", "6"]], previous)[0] == ["Region", "2025", "2026"]
    assert _continued([["Plan", "Seats", "Price"], ["Team", "10", "49"]], previous)[0] == ["Plan", "Seats", "Price"]


def test_a_one_row_raw_grid_continues_the_table_above_the_page_break(tmp_path):
    """As the continuation tests of test_parse_tables.py build them: one row of a raw grid on page 2."""
    results = [[f"Customer {n}", f"{40 + n} days", f"{10 + n} days"] for n in range(1, 13)]
    first_texts, first_rules = _ruled_table([["Customer", "Before", "After"], *results], 640)
    second_texts, second_rules = _ruled_table([["Customer 13", "53 days", "23 days"]], 720)
    second_texts.append((72, 600, "All figures were measured by the customers themselves over 2025."))
    path = tmp_path / "results.pdf"
    path.write_bytes(_pdf([first_texts, second_texts], [first_rules, second_rules]))
    unit, _ = _row(parse_file(path), "Customer 13")
    assert "Customer: Customer 13" in unit.scoring_text() and "After: 23 days" in unit.scoring_text()


def test_a_short_grid_drawn_as_one_path_is_a_table(tmp_path):
    """Some producers stroke a whole grid as one path object: the page still counts as ruled."""
    from rag.bench import documents

    ops = documents._positioned(["Every plan includes email support and unlimited projects.",
                                 ["Plan", "Users", "Price"], ["Starter", "3 users", "19 EUR"], ["Team", "10 users", "49 EUR"]])
    strokes = [op[: -len(" S")] for op in ops if op.endswith(" S")]
    one_path = [op for op in ops if not op.endswith(" S")] + [" ".join(strokes) + " S"]
    path = tmp_path / "plans.pdf"
    path.write_bytes(documents._pdf([[]], lambda _lines: one_path))
    unit, _ = _row(parse_file(path), "Team")
    assert "Plan: Team" in unit.scoring_text() and "Price: 49 EUR" in unit.scoring_text()
