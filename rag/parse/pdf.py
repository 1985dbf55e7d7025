"""PDF: page text with pypdfium2, tables with pdfplumber, headings by a cautious heuristic.

Why this path (measured on the 20 SEC 10-Q filings of the Docugami set, see
README): pypdfium2 reads text layers fast and in reading order, but flattens
tables into runs of numbers. pdfplumber finds ruled and aligned tables well
but is slow, so it only runs on pages whose text looks tabular (many lines
with several numbers), or that draw lines and carry a line or two of figures
(a short ruled table, or the last rows of a table continued from the page
before). On those pages the table regions become Markdown tables and only the
text outside them is kept as prose, so figures stay in their rows under their
column headers; headings there are found by size as on every other page. unstructured's own PDF partitioner
is not used: it needs the torch-heavy inference package even for "fast".
"""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path

from ..errors import BrokenFile, EmptyDocument, EncryptedFile, NoReadableText, UnsupportedFile
from ..types import ParsedDocument
from . import ocr, positions, tables, titles
from .builder import Builder

MAX_PAGES = 2000
_NUMBER = re.compile(r"(?<![\w.])[($-]?\d[\d,]*(\.\d+)?%?\)?(?![\w.])")
# "1.2 Pricing", "Item 2. Risk factors": the words after the number start with a capital ("9 min" is a figure)
_NUMBERED_HEADING = re.compile(r"^((?i:item)\s+\d+[a-z]?\.?|(?i:part)\s+[ivx]+\.?|\d+(\.\d+){0,3}\.?)\s+[A-Z][^.!?]{2,80}$")
_SENTENCE_END = re.compile(r"[.!?:;\"”)]$")


def looks_tabular(text: str) -> bool:
    """True when many lines carry two or more numbers (a financial table, a price list)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 4:
        return False
    numeric = numeric_lines(text)
    return numeric >= 3 and numeric / len(lines) >= 0.2


def numeric_lines(text: str) -> int:
    """How many of the text's lines carry two or more numbers (a table row's figures)."""
    return sum(1 for line in text.splitlines() if len(_NUMBER.findall(line)) >= 2)


SHORT_TABLE_ROWS = 2  # a ruled page with this many lines of figures is looked at for a short table (header + 2 rows)


def may_hold_short_table(text: str, ruled: bool, continuing: bool) -> bool:
    """A page :func:`looks_tabular` passes over that may still hold a short ruled table.

    A table of a header and two rows, or the one or two rows of a table that
    continues from the page before (``continuing``), has too few lines of
    figures to look tabular; when the page draws lines (``ruled``), pdfplumber
    is asked, and only a ruled grid or a continuation is accepted from it
    (see :func:`_table_page`), so prose with numbers stays prose.
    """
    return ruled and numeric_lines(text) >= (1 if continuing else SHORT_TABLE_ROWS)


def has_rules(page) -> bool:
    """Whether a pdfium page draws any line or box (one path object may hold a whole table's grid)."""
    import pypdfium2.raw as pdfium_c

    return next(iter(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=2)), None) is not None


def _is_heading(line: str) -> int:
    """Heading level (1-2) for lines that are clearly headings, else 0."""
    s = line.strip()
    if len(s) < 3 or len(s) > 90 or _NUMBER.fullmatch(s):
        return 0
    if _NUMBERED_HEADING.match(s) and not _SENTENCE_END.search(s):
        return 1 if re.match(r"^(item|part|\d+\.?\s)", s, re.I) else 2
    words = s.split()
    letters = [c for c in s if c.isalpha()]
    if 2 <= len(words) <= 10 and len(letters) >= 6 and all(c.isupper() for c in letters) and not _SENTENCE_END.search(s):
        return 1
    return 0


_BROKEN_WORD = re.compile(r"(?<=[a-z])[-\u00ad]$")


# first halves of compounds that a line break at their hyphen must not glue on ("pre-" + "training")
_COMPOUND_HEADS = frozenset("""well self non pre post co multi cross end open fine large small high low long short full
part real user data task semi sub inter intra anti counter over under out top state""".split())


def join_lines(lines: list[str]) -> str:
    """A paragraph's lines as one text; a word hyphenated at a line's end is whole again ("re-" + "sults" = "results").

    A compound broken at its own hyphen keeps it: "state-of-the-" + "art", "pre-" + "training".
    """
    out = ""
    for line in lines:
        if out and _BROKEN_WORD.search(out) and line[:1].islower():
            head = out[:-1].rsplit(" ", 1)[-1]
            keep = "-" in head or head.lower() in _COMPOUND_HEADS
            out = out[:-1] + ("-" if keep else "") + line
        else:
            out = f"{out} {line}" if out else line
    return out


def _paragraphs(text: str, sized: dict[str, int] | None = None) -> list[tuple[str, int]]:
    """Split page text into (paragraph, heading level) pieces; level 0 = body text.

    ``sized``: lines set larger than the page's body text (see :func:`sized_headings`), with their level.
    """
    sized = sized or {}
    out: list[tuple[str, int]] = []
    current: list[str] = []

    def flush():
        if current:
            out.append((join_lines(current), 0))
            current.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        level = sized.get(" ".join(line.split())) or _is_heading(line)
        if level:
            flush()
            out.append((line, level))
            continue
        if current and _SENTENCE_END.search(current[-1]) and line[:1].isupper() and len(current[-1]) < 60:
            flush()
        current.append(line)
        if len(join_lines(current)) > 2000:
            flush()
    flush()
    return out


EDGE_LINES = 3  # running headers and footers sit in the first and last lines of a page
REPEAT_PAGES = 3  # a line is a running header or footer when it repeats on this many pages at least…
REPEAT_SHARE = 0.6  # …and on this share of the pages
_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(r"^(page\s+)?[-–(\[]?\s*(\d{1,4}|[ivxlc]{1,7})\s*[-–)\]]?(\s*(of|/)\s*\d{1,4})?$", re.I)


def _shape(line: str) -> str:
    """A line with its numbers blanked: "Page 3 of 12" and "Page 4 of 12" have one shape."""
    return _DIGITS.sub("#", " ".join(line.lower().split()))


def _edge(lines: list[str]) -> set[int]:
    """Where running headers and footers sit: the indexes of the first and last few lines with text."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return set(filled[:EDGE_LINES] + filled[-EDGE_LINES:])


def running_shapes(texts: list[str]) -> set[str]:
    """Shapes of the lines that repeat at the top or bottom of most pages (the running headers and footers)."""
    pages = [t for t in texts if t.strip()]
    if len(pages) < REPEAT_PAGES:
        return set()
    counts: Counter[str] = Counter()
    for text in pages:
        lines = text.splitlines()
        counts.update({_shape(lines[i]) for i in _edge(lines)})
    needed = max(REPEAT_PAGES, REPEAT_SHARE * len(pages))
    return {shape for shape, n in counts.items() if n >= needed}


def is_page_number(line: str, pages: int) -> bool:
    """ "12", "- 12 -", "Page 3 of 12", "iv": a page number, not a figure (a bare number must be a possible page)."""
    s = line.strip()
    if not _PAGE_NUMBER.match(s):
        return False
    return not s.isdigit() or int(s) <= pages + 50  # front matter shifts numbering; "2021" is a year


def running_lines(lines: list[str], running: set[str], pages: int) -> set[int]:
    """The indexes of a page's running header and footer lines, and of its page number.

    A page number must be the page's very first or last line: a bare number
    just inside the edge is as likely the last row of a table.
    """
    filled = [i for i, line in enumerate(lines) if line.strip()]
    ends = {filled[0], filled[-1]} if filled else set()
    found = set()
    for i in _edge(lines):
        if is_page_number(lines[i], pages):
            if i in ends:
                found.add(i)
        elif _shape(lines[i]) in running:
            found.add(i)
    return found


def without_running_lines(text: str, running: set[str], pages: int) -> str:
    lines = text.split("\n")
    skip = running_lines(lines, running, pages)
    return "\n".join(line for n, line in enumerate(lines) if n not in skip)


def _source(path: Path):
    """What to open: the file, or its bytes from the real header on when junk comes before it.

    Some exporters and mail gateways prepend bytes to a PDF; readers that look for the header
    near the start give up, but everything from ``%PDF`` on is intact.
    """
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
    if not head.strip():
        raise EmptyDocument("This file is empty.")
    offset = head.find(b"%PDF")
    if offset < 0:
        raise BrokenFile(_what_it_really_is(head) or "This file is damaged or isn't really a PDF.")
    if offset > 1024:
        return io.BytesIO(path.read_bytes()[offset:])
    return path


def open_pdf(path: Path):
    """A pypdfium2 document for ``path`` (junk before the header skipped), or a typed error saying why not."""
    return _open(_source(path))


def _open(source):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(source.getvalue() if isinstance(source, io.BytesIO) else str(source))
    except pdfium.PdfiumError as err:
        message = str(err).lower()
        if "password" in message:
            raise EncryptedFile("This PDF is password-protected; remove the password and upload it again.") from err
        if not _has_end(source):
            raise BrokenFile(
                "This PDF is incomplete: its end is missing (an interrupted download or copy?). "
                "Download or export it again and upload the new file."
            ) from err
        raise BrokenFile("This PDF is damaged and couldn't be read.") from err


def _has_end(source) -> bool:
    """Does the file end with a PDF trailer (``%%EOF`` in its last kilobytes)?"""
    if isinstance(source, io.BytesIO):
        return b"%%EOF" in source.getvalue()[-4096:]
    with open(source, "rb") as fh:
        fh.seek(0, 2)
        fh.seek(max(0, fh.tell() - 4096))
        return b"%%EOF" in fh.read()


_MAGIC = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a Word, PowerPoint, Excel or ZIP file"),
    (b"\xd0\xcf\x11\xe0", "an old-format Office file (.doc, .xls or .ppt)"),
]


def _what_it_really_is(head: bytes) -> str | None:
    """A specific reason when a ".pdf" is really another kind of file."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            if "image" in what:
                extension = what.split()[1].lower()
                return f"This file is {what} with a .pdf name; rename it to .{extension} and upload it again."
            return f"This file is {what} with a .pdf name; give it its real extension and upload it again."
    return None


_WORDS = re.compile(r"[A-Za-z]{3,}")


def _faithful(rows: list[list], page_words: set[str]) -> bool:
    """False for tables whose cells are word fragments (rotated or overlapping text)."""
    words = [w.lower() for row in rows for cell in row if cell for w in _WORDS.findall(str(cell))]
    if not words:
        return True  # all numbers
    return sum(w in page_words for w in words) / len(words) >= 0.8


def _header_of(rows: list[list]) -> list[str]:
    """A table's header row as cleaned cells (title lines above it left out)."""
    cleaned = tables.clean_rows(tables.split_titles(rows)[1])
    return cleaned[0] if cleaned else []


_YEAR = re.compile(r"^((?i:fy|q[1-4]|h[12])\s*'?)?(19|20)\d\d$|^(?i:fy|q[1-4]|h[12])\s*'?\d\d$")  # "2024", "FY25", "Q1 2026"
_BARE_NUMBER = re.compile(r"^[-+(]?[$€£¥]?\s?[-+]?\d[\d,.\s]*%?\)?$")  # "412", "£96,000", "68%", "(1,200)"


def _kind(cell: str) -> str:
    """What a cell holds: "" (nothing), "words", "year" (a period heading), "number", or "figure" ("40 minutes")."""
    if not cell:
        return ""
    if not any(ch.isdigit() for ch in cell):
        return "words"
    if _YEAR.match(cell):
        return "year"
    return "number" if _BARE_NUMBER.match(cell) else "figure"


_VALUES = frozenset({"number", "figure"})


def _body_kinds(rows: list[list]) -> list[set[str]]:
    """Per column, the kinds of cell (:func:`_kind`) a table's rows under its header hold."""
    cleaned = tables.clean_rows(tables.split_titles(rows)[1])
    if len(cleaned) < 2:
        return []
    return [{_kind(row[j]) for row in cleaned[1:]} for j in range(len(cleaned[0]))]


def _header_of(rows: list[list]) -> list[str]:
    """A table's header row as cleaned cells (title lines above it left out)."""
    cleaned = tables.clean_rows(tables.split_titles(rows)[1])
    return cleaned[0] if cleaned else []


def _continued(rows: list[list], previous: dict | None) -> list[list]:
    """``rows`` with the previous page's table header above them when they continue that table.

    A table that runs over a page break has its header on the first page only;
    the rows on the next page would otherwise be read with their first row as
    the header. ``previous`` is what the table that ended the page before left
    (:func:`_table_page`): its header and, per column, the kinds of cell its rows
    hold. The rows continue it when they have as many columns and their first
    row reads like those rows rather than like the header ("40 minutes" under
    "2023" is a row; "Plan | Seats | Price" under "Customer | Before | After"
    is a new table's header). A header repeated on the new page is its own
    header, left as it is.
    """
    header = (previous or {}).get("header")
    cleaned = tables.clean_rows(rows)
    if not header or not cleaned or len(cleaned[0]) != len(header) or cleaned[0] == header:
        return rows
    first = [_kind(cell) for cell in cleaned[0]]
    like_header = sum(kind == _kind(head) for kind, head in zip(first, header))
    body = previous.get("kinds") or []
    # a bare number and a figure with its unit are both values: "4 sec" continues a column of "40" and "0"
    like_rows = sum(kind in seen or kind in _VALUES and bool(seen & _VALUES) for kind, seen in zip(first, body)) \
        if len(body) == len(first) else 0
    figures = any(any(ch.isdigit() for ch in cell) and not any(ch.isdigit() for ch in head)
                  for cell, head in zip(cleaned[0], header))
    return [header, *cleaned] if like_rows > like_header or (like_rows == like_header and figures) else rows


COLUMN_TOLERANCE = 0.02  # column edges this close (a share of the page's width) are the same column


def _edges(table, width: float) -> list[float]:
    """A table's column edges, left to right, as shares of the page's width."""
    columns = [c.bbox for c in table.columns if c.bbox]
    if not columns:
        return []
    return [round(c[0] / width, 4) for c in columns] + [round(columns[-1][2] / width, 4)]


def _same_columns(edges: list[float], others: list[float] | None) -> bool:
    return bool(edges) and bool(others) and len(edges) == len(others) and all(
        abs(a - b) <= COLUMN_TOLERANCE for a, b in zip(edges, others))


MAX_LINES_ABOVE_CONTINUATION = 2  # a continued table opens its page, under at most a caption


def _tables_on(plumber_page, page_text: str, furniture: Callable[[list[str]], set[int]], previous: dict,
               short_only: bool) -> list[tuple[object, list[list], list[float]]]:
    """The page's usable tables, top to bottom: (pdfplumber table, its rows, its column edges).

    Ruled grids come first; aligned columns between ruled lines only when the
    page has no grid. A table needs a header and a row, unless it continues the
    previous page's table (the page's first table, under at most a caption,
    with that table's columns): then one row is enough. With ``short_only`` (a
    page that does not look tabular, see :func:`may_hold_short_table`) only a
    ruled grid or a continuation counts.
    """
    width = float(plumber_page.width) or 1.0
    ruled = plumber_page.find_tables({"vertical_strategy": "lines", "horizontal_strategy": "lines"})
    found = [(t, True) for t in ruled] or [
        (t, False) for t in plumber_page.find_tables({"vertical_strategy": "text", "horizontal_strategy": "lines"})]
    found.sort(key=lambda item: item[0].bbox[1])
    page_words = {w.lower() for w in _WORDS.findall(page_text)}
    out = []
    for n, (t, grid) in enumerate(found):
        if not t.rows or len(t.rows[0].cells) < 2:
            continue
        rows = t.extract()
        if not _faithful(rows, page_words):
            continue
        edges = _edges(t, width)
        continues = (n == 0 and bool(previous.get("header")) and _same_columns(edges, previous.get("edges"))
                     and _lines_above(plumber_page, t.bbox[1], furniture) <= MAX_LINES_ABOVE_CONTINUATION)
        if len(t.rows) < 2 and not continues:
            continue
        if short_only and not (grid or continues):
            continue
        out.append((t, rows, edges))
    return out


def _lines_above(plumber_page, top: float, furniture: Callable[[list[str]], set[int]]) -> int:
    """How many lines of text (running headers and footers left out) the page has above ``top``."""
    if top <= 1:
        return 0
    words = plumber_page.crop((0, 0, plumber_page.width, min(top, plumber_page.height))).extract_words()
    lines = [line for _top, line, _size, _width in _lines(words)]
    return len(lines) - len(furniture(lines))


def _table_page(
    plumber_page, page_no: int, b: Builder, page_text: str, furniture: Callable[[list[str]], set[int]],
    carry: dict | None = None, sized: dict[str, int] | None = None, short_only: bool = False,
) -> bool:
    """Emit a page's tables as Markdown and its remaining text as prose; False if no usable table.

    ``carry`` holds, from one page to the next, what a table that ended its
    page leaves (its header, the kinds of cell its rows hold, its column
    edges), so a table continued on this page is read with its header.
    Headings are found as on every page, by their size against the page's
    body text (the text outside the tables); ``sized`` is pdfium's reading of
    the whole page (:func:`sized_headings`), used when little text is outside.
    """
    carry = {} if carry is None else carry
    previous = dict(carry)
    carry.clear()
    extracted = _tables_on(plumber_page, page_text, furniture, previous, short_only)
    if not extracted:
        return False
    outside = plumber_page
    for t, _rows, _edges_of in extracted:
        outside = outside.outside_bbox(t.bbox)
    # Interleave prose and tables top to bottom.
    items: list[tuple[float, str, object]] = []
    for t, rows, edges in extracted:
        if tables.clean_rows(rows):
            items.append((t.bbox[1], "table", (rows, edges)))
    words = outside.extract_words(keep_blank_chars=False, use_text_flow=True, extra_attrs=["size"])
    lines = _lines(words)
    skip = furniture([line for _, line, _, _ in lines])
    kept = [line for n, line in enumerate(lines) if n not in skip]
    headings = _sized_lines(kept) if len(kept) >= 3 else (sized or {})
    items += [(top, "line", line) for top, line, _size, _width in kept]
    items.sort(key=lambda x: x[0])
    prose: list[str] = []
    for n, (_, kind, content) in enumerate(items):
        if kind == "table":
            rows, edges = content
            first = n <= 2 and all(k == "line" for _, k, _ in items[:n])  # the page's first table, under at most a caption
            rows = _continued(rows, previous) if first else rows
            # Short lines right above a table are usually its column headings (periods, units):
            # a caption, a paragraph of its own above the table (the table's lines stay a table).
            # A heading above it stays a heading: the table sits in its section.
            caption: list[str] = []
            while (prose and len(caption) < 3 and len(prose[-1]) < 100 and not _SENTENCE_END.search(prose[-1])
                   and not _heading_level(prose[-1], headings)):
                caption.insert(0, prose.pop())
            _emit_prose("\n".join(prose), page_no, b, keep_lines=True, sized=headings)
            prose.clear()
            b.add("\n\n".join(x for x in ("\n".join(caption), tables.to_markdown(rows)) if x), "table", page_no)
            if n == len(items) - 1:
                carry.update(header=_header_of(rows), kinds=_body_kinds(rows), edges=edges)
        else:
            prose.append(content)
    _emit_prose("\n".join(prose), page_no, b, keep_lines=True, sized=headings)
    return True


def _lines(words: list[dict]) -> list[tuple[float, str, float, float]]:
    """Words grouped into lines: (top, text, type size, width); the size is 0 when the words carry none."""
    lines: list[tuple[float, list[dict]]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0] - w["top"]) < 3:
            lines[-1][1].append(w)
        else:
            lines.append((w["top"], [w]))
    return [(top, " ".join(w["text"] for w in ws), statistics.median(w.get("size", 0) for w in ws),
             max(w["x1"] for w in ws) - min(w["x0"] for w in ws)) for top, ws in lines]


def _sized_lines(lines: list[tuple[float, str, float, float]]) -> dict[str, int]:
    """:func:`sized_headings` for lines read by pdfplumber (type sizes from the words): {line text: level}."""
    measured = [(size, width) for _top, _text, size, width in lines if size > 0]
    if len(measured) < 3:
        return {}
    body = _body_size(measured)
    found: dict[str, int] = {}
    for _top, text, size, _width in lines:
        if (level := _size_level(" ".join(text.split()), size, body)):
            found[" ".join(text.split())] = level
    return found


def _heading_level(line: str, sized: dict[str, int] | None) -> int:
    """A line's heading level on its page: set larger than the body text, or clearly a heading by its words."""
    return (sized or {}).get(" ".join(line.split())) or _is_heading(line)


def _reads_as_prose(line: str, sized: dict[str, int] | None) -> bool:
    """A line with figures that is no table row: a heading set large, or a sentence ("... up from 1,960.")."""
    s = " ".join(line.split())
    return bool(sized and sized.get(s)) or (bool(re.search(r"[.!?]$", s)) and len(_WORDS.findall(s)) >= 4)


def _emit_prose(text: str, page_no: int, b: Builder, keep_lines: bool = False, sized: dict[str, int] | None = None) -> None:
    """Paragraphs and headings; with ``keep_lines`` runs of numeric lines stay one row per line."""
    if keep_lines:
        rows: list[str] = []
        prose: list[str] = []

        def flush_rows():
            if rows:
                b.add("\n".join(rows), "text", page_no)
                rows.clear()

        for line in text.splitlines():
            if len(_NUMBER.findall(line)) >= 2 and not _reads_as_prose(line, sized):
                if prose:
                    _emit_prose("\n".join(prose), page_no, b, sized=sized)
                    prose.clear()
                rows.append(line.strip())
            else:
                flush_rows()
                prose.append(line)
        flush_rows()
        _emit_prose("\n".join(prose), page_no, b, sized=sized)
        return
    for para, level in _paragraphs(text, sized):
        if level:
            b.title(para, level, page_no)
        else:
            b.add(para, "text", page_no)


TITLE_SCALE = 1.25  # a title line is set at least this much larger than the page's body text
HEADING_SCALE = 1.15  # a heading is set at least this much larger than the page's body text
_FIGURE_LINE = re.compile(r"^[$€£]?\d[\d.,]*\s?(%|[a-zA-Z]{0,6}\.?)(\s+\S+)?$")  # "9 min", "41%", "$2.4M": a headline figure


def sized_headings(textpage) -> dict[str, int]:
    """Lines of a page set larger than its body text: {line text: level} (1 for the largest sizes, else 2).

    Read from pdfium's text rectangles (about one per line), so it costs a few
    calls per line, not per character. A short line, clearly larger, that is
    not a sentence and not a headline figure ("9 min" set large is the figure a
    caption explains, not a section title) is a heading.
    """
    lines = []
    for i in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(i)
        middle = (bottom + top) / 2
        first = next((index for x in (left + 0.5, left + 3.0, (left + right) / 2)
                      if (index := textpage.get_index(x, middle, 2.0, 2.0)) is not None and index >= 0), None)
        if first is None:
            continue
        # the "loose" box spans the font's ascent to descent: the type size, whatever the letters
        # ("Results" and "Summary" have one size, though only one of them has a descender)
        _l, char_bottom, _r, char_top = textpage.get_charbox(first, loose=True)
        lines.append((char_top - char_bottom, (left, bottom, right, top)))
    if len(lines) < 3:
        return {}
    body = _body_size([(height, rect[2] - rect[0]) for height, rect in lines])
    found: dict[str, int] = {}
    for height, (left, bottom, right, top) in lines:
        if body <= 0 or height < HEADING_SCALE * body:
            continue
        text = " ".join(textpage.get_text_bounded(left, bottom, right, top).split())
        if (level := _size_level(text, height, body)):
            found[text] = level
    return found


def _body_size(lines: list[tuple[float, float]]) -> float:
    """The size most of a page's width of text is set in, from (size, width) per line (long lines weigh more)."""
    by_size = sorted(lines, key=lambda line: line[0])
    total = sum(width for _size, width in by_size)
    running, body = 0.0, by_size[0][0]
    for size, width in by_size:
        running += width
        body = size
        if running >= total / 2:
            break
    return body


def _size_level(text: str, size: float, body: float) -> int:
    """A line's heading level by its size against the body's (1 for the largest sizes, else 2), or 0.

    A short line, clearly larger, that is not a sentence and not a headline
    figure ("9 min" set large is the figure a caption explains) is a heading.
    """
    if body <= 0 or size < HEADING_SCALE * body:
        return 0
    if (not text or len(text.split()) > 12 or re.search(r"[.!?;]$", text) or sum(c.isalpha() for c in text) < 3
            or _FIGURE_LINE.match(text)):
        return 0
    return 1 if size >= 1.5 * body else 2


def _large_first_line(textpage) -> str | None:
    """Page 1's title as set on the page: its largest line near the top, when clearly larger than the body.

    Heights come from each character's box (pdfium's font size is often the
    unscaled 1.0); a title set over two lines of the same size is joined.
    """
    import pypdfium2.raw as pdfium_c

    lines: list[tuple[str, float]] = []
    chars: list[str] = []
    heights: list[float] = []
    all_heights: list[float] = []

    def end_line() -> None:
        text = "".join(chars).strip()
        if text and heights:
            lines.append((text, statistics.median(heights)))
            all_heights.extend(heights)
        chars.clear()
        heights.clear()

    for i in range(min(textpage.count_chars(), 4000)):
        code = pdfium_c.FPDFText_GetUnicode(textpage.raw, i)
        ch = chr(code) if 0 < code < 0xD800 or 0xE000 <= code <= 0x10FFFF else ""
        if ch in ("\r", "\n"):
            end_line()
            continue
        chars.append(ch)
        if ch.strip():
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
            heights.append(top - bottom)
    end_line()
    if not lines:
        return None
    body = statistics.median(all_heights)
    top_lines = lines[:15]
    start = max(range(len(top_lines)), key=lambda n: top_lines[n][1])
    size = top_lines[start][1]
    if body <= 0 or size < TITLE_SCALE * body:
        return None
    title = [top_lines[start][0]]
    for text, height in top_lines[start + 1 : start + 3]:
        if abs(height - size) > 0.05 * size or _FIGURE_LINE.match(text.strip()):
            break
        title.append(text)
    return " ".join(title)


MIN_TEXT_CHARS = 20  # a page with fewer letters and digits than this in its text layer has no usable text
SCAN_COVER = 0.05  # …and is a scan when pictures cover at least this share of it (a scanned table can be small)
_ALNUM = re.compile(r"[^\W_]")
OCR_DPI = 200  # scans are rendered at this resolution for OCR (see README for the speed and accuracy it gives)


def page_lines(page, textpage, text: str) -> list[positions.PageLine]:
    """The page's text-layer lines with their boxes as fractions of the page as drawn (crop box, rotation).

    ``text`` is the page's raw text (pdfium's character indexes, "\r\n" between lines).
    Each line's box is the union of pdfium's rectangles for its characters: one
    call per line, not per character.
    """
    to_page = _page_transform(page)
    if to_page is None:
        return []
    lines: list[positions.PageLine] = []
    start = 0
    for raw in text.split("\n"):
        end = start + len(raw)
        line = raw.rstrip("\r")
        if line.strip():
            rects = [textpage.get_rect(k) for k in range(textpage.count_rects(start, len(line)))]
            if rects:
                corners = [to_page(x, y) for left, bottom, right, top in rects for x, y in ((left, top), (right, bottom))]
                xs, ys = [c[0] for c in corners], [c[1] for c in corners]
                box = (max(0.0, min(xs)), max(0.0, min(ys)), min(1.0, max(xs)), min(1.0, max(ys)))
                if box[0] < box[2] and box[1] < box[3]:  # text outside the visible page has no place on it
                    lines.append(positions.PageLine(line, tuple(round(v, 4) for v in box)))
        start = end + 1
    return lines


def _page_transform(page):
    """A function from PDF space to fractions of the page as rendered (pdfium applies crop box and rotation).

    pdfium maps three points once; the map is affine, so every other point is arithmetic.
    """
    import ctypes

    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    if width <= 0 or height <= 0:
        return None
    size = 100_000  # device units: fine enough that rounding is invisible
    size_x, size_y = round(width * size / max(width, height)), round(height * size / max(width, height))

    def device(x: float, y: float) -> tuple[float, float]:
        dx, dy = ctypes.c_int(), ctypes.c_int()
        pdfium_c.FPDF_PageToDevice(page.raw, 0, 0, size_x, size_y, 0, x, y, ctypes.byref(dx), ctypes.byref(dy))
        return dx.value / size_x, dy.value / size_y

    (ox, oy), (ax, ay), (bx, by) = device(0, 0), device(1000, 0), device(0, 1000)
    xx, xy, yx, yy = (ax - ox) / 1000, (ay - oy) / 1000, (bx - ox) / 1000, (by - oy) / 1000
    return lambda x, y: (ox + x * xx + y * yx, oy + x * xy + y * yy)


def is_scan(page, text: str) -> bool:
    """No usable text layer, and pictures cover a good part of the page (a blank page is not a scan)."""
    import pypdfium2.raw as pdfium_c

    if len(_ALNUM.findall(text, 0, 4 * MIN_TEXT_CHARS)) >= MIN_TEXT_CHARS or len(_ALNUM.findall(text)) >= MIN_TEXT_CHARS:
        return False
    width, height = page.get_size()
    covered = 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        covered += max(0.0, min(right, width) - max(left, 0.0)) * max(0.0, min(top, height) - max(bottom, 0.0))
    return covered >= SCAN_COVER * width * height


def _read_scan(pdf, index: int, page_no: int, b: Builder, unread: dict[int, str]) -> float | None:
    """OCR one scanned page into ``b``: its confidence, or None (and why, in ``unread``) when it can't be read well enough."""
    if not ocr.time_left():
        unread[page_no] = "not read: the time for reading this file ran out (split it into smaller files)"
        return None
    page = pdf[index]
    try:
        width, height = page.get_size()
        # a huge page (a 14,400 pt square) is drawn smaller: never more pixels than OCR reads
        scale = min(OCR_DPI / 72, (ocr.MAX_PIXELS / max(1.0, width * height)) ** 0.5)
        image = page.render(scale=scale).to_pil()
    finally:
        page.close()
    result = ocr.read(image)
    if result.confidence < ocr.MIN_PAGE_CONFIDENCE or not result.lines:
        unread[page_no] = f"OCR confidence {result.confidence:.0f}%, too low to index"
        return None
    ocr.add_page(result, page_no, b)
    return result.confidence


def parse_pdf(path: Path, name: str) -> ParsedDocument:
    source = _source(path)
    pdf = _open(source)
    try:
        return _parse_open(pdf, source, path, name)
    finally:
        pdf.close()


def _parse_open(pdf, source, path: Path, name: str) -> ParsedDocument:
    pages = len(pdf)
    if pages > MAX_PAGES:
        raise BrokenFile(f"This PDF has {pages} pages; the limit is {MAX_PAGES}. Split it and upload the parts.")
    texts = []
    sized: list[dict[str, int]] = []
    lines: dict[int, list[positions.PageLine]] = {}
    scans: list[int] = []
    ruled: set[int] = set()  # pages that draw lines or boxes (a short table needs its grid)
    large_line = None
    for i in range(pages):
        page = pdf[i]
        textpage = page.get_textpage()
        raw = textpage.get_text_range()
        texts.append(raw)
        sized.append(sized_headings(textpage))
        if has_rules(page):
            ruled.add(i)
        lines[i + 1] = page_lines(page, textpage, raw)
        if is_scan(page, raw):
            scans.append(i)
        if i == 0:
            large_line = _large_first_line(textpage)
        textpage.close()
        page.close()
    metadata_title = pdf.get_metadata_dict(skip_empty=True).get("Title")
    texts = [t.replace("\r\n", "\n").replace("\r", "\n").replace("\x02", "-").replace("\ufffe", "-") for t in texts]
    if scans and not ocr.available():
        if not any(t.strip() for i, t in enumerate(texts) if i not in scans):
            raise UnsupportedFile(ocr.missing_reason())
    elif not scans and not any(t.strip() for t in texts):
        raise EmptyDocument("No text could be found in this PDF: its pages are blank, or their text is drawn as shapes "
                            "rather than letters. Export it again from the program that made it.")
    unread: dict[int, str] = {}
    if not ocr.available():
        unread.update(dict.fromkeys((i + 1 for i in scans), "not read: scanned page, and Tesseract (OCR) is not installed"))
        scans = []
    running = running_shapes(texts)
    furniture = partial(running_lines, running=running, pages=pages)
    bodies = [without_running_lines(t, running, pages) for t in texts]
    if any(t.strip() for t in bodies):  # scans whose only text is page numbers keep them, to be seen as scans
        texts = bodies
    b = Builder(name)
    tabular = [i for i, t in enumerate(texts) if looks_tabular(t) and i not in scans]
    plumber = None
    plumber_failed = False

    def open_plumber():
        nonlocal plumber, plumber_failed
        if plumber is None and not plumber_failed:
            import pdfplumber

            try:
                plumber = pdfplumber.open(io.BytesIO(source.getvalue()) if isinstance(source, io.BytesIO) else str(path))
            except Exception:  # noqa: BLE001 - tables are a bonus; the text layer is already read
                plumber_failed = True
        return plumber

    read_by_ocr: dict[int, float] = {}  # the scanned pages read, with how sure OCR was of them
    carry: dict = {}  # what a table that ended the page before left (see _table_page)
    try:
        for i, text in enumerate(texts):
            page_no = i + 1
            if i in scans:
                carry.clear()
                if (confidence := _read_scan(pdf, i, page_no, b, unread)) is not None:
                    read_by_ocr[page_no] = confidence
                continue
            handled = False
            short = i not in tabular and may_hold_short_table(text, i in ruled, bool(carry.get("header")))
            if (i in tabular or short) and open_plumber() is not None and i < len(plumber.pages):
                try:
                    handled = _table_page(plumber.pages[i], page_no, b, text, furniture, carry, sized[i], short_only=short)
                except Exception:  # noqa: BLE001 - a page pdfplumber can't handle keeps its plain text
                    handled = False
                finally:
                    plumber.pages[i].flush_cache()
            if not handled:
                carry.clear()
                _emit_prose(text, page_no, b, keep_lines=i in tabular, sized=sized[i])
    finally:
        if plumber is not None:
            plumber.close()
    if scans and not b.elements:
        worst = ", ".join(f"page {n}: {why}" for n, why in sorted(unread.items())[:3])
        raise NoReadableText(f"No readable text: this PDF is scanned and OCR could not read its text reliably ({worst}). "
                            "A sharper scan, or the document it was printed from, will work. " + ocr.OTHER_LANGUAGES)
    elements = positions.place(b.elements, {n: lines[n] for n in lines if n not in read_by_ocr})
    first_heading = next((e.text for e in elements if e.kind == "title"), None)
    first_line = next((line for line in texts[0].splitlines() if line.strip()), "") if texts else ""
    candidates = [metadata_title, large_line, first_heading, first_line if titles.looks_like_title(first_line) else None]
    return ParsedDocument(name, elements, pages=pages, title=titles.choose(candidates, name),
                          ocr_pages=list(read_by_ocr), ocr_confidence=read_by_ocr, unread_pages=unread)
