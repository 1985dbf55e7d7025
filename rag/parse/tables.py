"""Tables as Markdown text: header row, separator, one line per row.

Every parser renders tables through here, so a table from a PDF, a Word
file, a slide, a sheet or a web page looks the same to the chunker and the
model, and rows never get separated from their header.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator

from bs4 import BeautifulSoup

MAX_CELL_CHARS = 300


def _cell(value) -> str:
    text = "" if value is None else str(value)
    text = " ".join(text.split()).replace("|", "\\|")
    return text[:MAX_CELL_CHARS]


def clean_rows(rows: list[list]) -> list[list[str]]:
    """Cells as clean strings; empty rows and columns dropped; rows padded to one width."""
    rows = [[_cell(c) for c in row] for row in rows]
    rows = [r for r in rows if any(r)]
    if not rows:
        return []
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    keep = [i for i in range(width) if any(r[i] for r in rows)]
    return [[r[i] for i in keep] for r in rows]


MAX_TITLE_ROWS = 3  # title lines a table may carry above its header
_LOOK_AHEAD = 6  # rows looked at for the header below them


def row_values(row: list) -> list[str]:
    """A row's distinct non-empty cells, in order (a merged title spread over its columns counts once)."""
    seen: list[str] = []
    for value in row:
        cell = _cell(value)
        if cell and cell not in seen:
            seen.append(cell)
    return seen


def title_rows(rows: list[list]) -> int:
    """How many of ``rows`` (leading ones, blank rows counted) are title lines above the header.

    A sheet or a Word table often opens with a line such as "Acme price list 2026"
    in its first cell (or merged across the table) above the real header
    "Plan | Users | Price". Read as the header, it would name every column; a
    row is a title when it holds one value and a row below it holds several.
    """
    titles = 0
    for n, row in enumerate(rows[: MAX_TITLE_ROWS + _LOOK_AHEAD]):
        values = row_values(row)
        if not values:
            continue
        if len(values) > 1:
            return n if titles else 0
        titles += 1
        if titles > MAX_TITLE_ROWS:
            return 0
    return 0


def split_titles(rows: list[list]) -> tuple[list[str], list[list]]:
    """(the title lines above the table's header, the rows from the header on): see :func:`title_rows`."""
    n = title_rows(rows)
    return [v for row in rows[:n] for v in row_values(row)], rows[n:]


def to_markdown(rows: list[list], header: bool = True) -> str:
    """A Markdown table; the first row is the header (blank header cells stay blank).

    Title lines above the header (:func:`title_rows`) are kept as a caption,
    a paragraph of its own above the table, so the header names the columns.
    """
    caption, rows = split_titles(rows) if header else ([], rows)
    rows = clean_rows(rows)
    if not rows:
        return "\n".join(caption)
    head, body = (rows[0], rows[1:]) if header else ([""] * len(rows[0]), rows)
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    return "\n\n".join(x for x in ("\n".join(caption), "\n".join(lines)) if x)


def blocks(rows: list[list], max_rows: int = 50) -> list[str]:
    """A long table as several Markdown tables of ``max_rows`` rows, each repeating the header."""
    return list(stream_blocks(lambda: rows, max_rows))


def _has_text(value) -> bool:
    """Whether ``value`` makes a non-empty cell (what :func:`_cell` keeps is more than white space)."""
    return value is not None and str(value).strip() != ""


def stream_blocks(rows: Callable[[], Iterable[list]], max_rows: int = 50) -> Iterator[str]:
    """:func:`blocks` for a table read twice from its source: ``rows()`` starts a fresh pass.

    Title lines above the header (:func:`leading_titles`) are left out: the
    caller shows them as headings, so every block keeps the real header.

    The first pass learns the table's width and which columns hold anything
    (:func:`clean_rows` drops empty columns across the whole table); the second
    makes the blocks. Only one block of rows is held at a time.
    """
    skip = title_rows(list(itertools.islice(rows(), MAX_TITLE_ROWS + _LOOK_AHEAD)))  # shown by the caller as headings
    width, filled = 0, set()
    for row in itertools.islice(rows(), skip, None):
        cells = [i for i, value in enumerate(row) if _has_text(value)]
        if cells:
            width = max(width, len(row))
            filled.update(cells)
    if not filled:
        return
    keep = sorted(filled)
    head: list[str] | None = None
    body: list[list[str]] = []
    made = 0
    for row in itertools.islice(rows(), skip, None):
        cells = [_cell(value) for value in row]
        if not any(cells):
            continue
        cells += [""] * (width - len(cells))
        cells = [cells[i] for i in keep]
        if head is None:
            head = cells
            continue
        body.append(cells)
        if len(body) == max_rows:
            yield to_markdown([head] + body)
            body, made = [], made + 1
    if body or not made:  # the last rows, or a table that is only its header
        yield to_markdown([head] + body)


def leading_titles(rows: Iterable[list]) -> list[str]:
    """The title lines above a table's header, read from its first rows (see :func:`title_rows`)."""
    head = list(itertools.islice(rows, MAX_TITLE_ROWS + _LOOK_AHEAD))
    return split_titles(head)[0]


def html_table_rows(html: str) -> list[list[str]]:
    """Rows of the first <table> in ``html``; colspans repeat the cell so columns stay aligned."""
    soup = BeautifulSoup(html, "lxml")
    table = soup.find("table")
    if table is None:
        return []
    rows = []
    for tr in table.find_all("tr"):
        row = []
        for cell in tr.find_all(["td", "th"]):
            span = int(cell.get("colspan", 1) or 1) if str(cell.get("colspan", "1")).isdigit() else 1
            row.extend([cell.get_text(" ", strip=True)] + [""] * (min(span, 20) - 1))
        rows.append(row)
    return rows


def html_to_markdown(html: str) -> str:
    return to_markdown(html_table_rows(html))
