"""Word, PowerPoint and Excel files.

DOCX and PPTX go through unstructured's partitioners (titles, list items,
tables with their HTML, slide numbers); XLSX is read with openpyxl so that
long sheets become several tables that each keep the header row.
Text a reader of the file can't see (hidden, white or 1 pt runs, tracked
deletions, hidden shapes, slides, sheets, rows and columns) is left out first:
see ``office_hidden.py``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..errors import BrokenFile, EmptyDocument, EncryptedFile, FileTooLarge, NoReadableText
from ..types import ParsedDocument
from . import office_hidden, tables, titles
from .builder import Builder

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_SHEETS = 2000  # sheets one workbook may hold, like the documents of one upload (Limits.max_zip_entries)
KIND_NAMES = {".docx": "Word document", ".pptx": "PowerPoint file", ".xlsx": "Excel workbook"}


def check_office_container(path: Path) -> None:
    """Raise a specific error unless ``path`` is a readable Office Open XML (ZIP) file."""
    what = KIND_NAMES.get(path.suffix.lower(), "Office file")
    with path.open("rb") as fh:
        head = fh.read(8)
    if not head:
        raise EmptyDocument("This file is empty.")
    if head == OLE_MAGIC:
        raise EncryptedFile(
            f"This {what} is password-protected (or in the old pre-2007 format); "
            "remove the password or save it as a modern file and upload it again."
        )
    if head.startswith(b"%PDF"):
        raise BrokenFile(f"This file is a PDF with a .{path.suffix.lstrip('.')} name; rename it to .pdf and upload it again.")
    if not zipfile.is_zipfile(path):
        raise BrokenFile(f"This file is damaged or isn't really a {what}.")
    try:
        with zipfile.ZipFile(path) as zf:
            if "[Content_Types].xml" not in zf.namelist():
                raise BrokenFile(f"This file is damaged or isn't really a {what}.")
    except zipfile.BadZipFile as err:
        raise BrokenFile(f"This file is damaged or isn't really a {what}.") from err


def _reads_like_sentence(text: str) -> bool:
    """unstructured calls short lines "Title"; a full sentence or a long line is body text."""
    return text.rstrip().endswith((".", "!", "?", ";")) or len(text.split()) > 14


def _from_unstructured(elements, name: str, pages_from_metadata: bool, slide_titles: dict[int, str] | None = None,
                       slide_bullets: dict[int, set[str]] | None = None) -> Builder:
    """Elements from unstructured's; with ``slide_titles`` (a deck), each slide's title is its only heading.

    unstructured calls a short line of a slide's body a "Title" when its bullet
    comes from the slide layout (most decks): read as headings, a slide's
    bullets each opened a section of one line. On a slide only its title is a
    heading (the first short line when it has no title placeholder); the other
    short lines, and the paragraphs ``slide_bullets`` knows as bullets, are list items.
    """
    b = Builder(name)
    last_page = None
    headed = False
    for el in elements:
        text = (el.text or "").strip()
        page = el.metadata.page_number if pages_from_metadata else None
        if pages_from_metadata and page != last_page:
            b.reset()  # a new slide starts a new outline
            last_page, headed = page, False
        category = el.category
        if slide_titles is not None and category == "Title" and text:
            own = slide_titles.get(page)
            if headed or (own is not None and " ".join(text.split()) != own):
                category = "ListItem"
            headed = True
        if slide_bullets and category != "Table" and " ".join(text.split()) in slide_bullets.get(page, ()):
            category = "ListItem"
        if category == "Table":
            html = el.metadata.text_as_html
            md = tables.html_to_markdown(html) if html else text
            b.add(md, "table", page)
        elif category == "Title" and text and not _reads_like_sentence(text):
            depth = el.metadata.category_depth or 0
            b.title(text, depth + 1, page)
        elif category == "ListItem":
            b.add(f"- {text}", "list", page)
        elif category in ("PageBreak", "Image", "Header", "Footer", "PageNumber"):
            continue
        else:
            b.add(text, "text", page)
    return b


def _core_title(path: Path) -> str | None:
    """The title in an Office file's document properties (docProps/core.xml), if any."""
    from lxml import etree

    try:
        with zipfile.ZipFile(path) as zf:
            root = etree.fromstring(zf.read("docProps/core.xml"))
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError, OSError):
        return None
    found = root.find("{http://purl.org/dc/elements/1.1/}title")
    return found.text if found is not None else None


def _first_title(b: Builder) -> str | None:
    return next((e.text for e in b.elements if e.kind == "title"), None)


def parse_docx(path: Path, name: str) -> ParsedDocument:
    check_office_container(path)
    from unstructured.partition.docx import partition_docx

    from . import _unstructured  # noqa: F401 - configures unstructured (offline spaCy model) before it is used

    visible = office_hidden.visible_docx(path)  # hidden runs, white or 1 pt text, tracked deletions removed
    source = {"file": visible} if visible is not None else {"filename": str(path)}
    elements = partition_docx(**source, infer_table_structure=True, include_page_breaks=False)
    b = _from_unstructured(elements, name, pages_from_metadata=False)
    if not b.elements:
        raise EmptyDocument("This Word document has no text (only pictures or empty pages).")
    return ParsedDocument(name, b.elements, title=titles.choose([_core_title(path), _first_title(b)], name))


def parse_pptx(path: Path, name: str) -> ParsedDocument:
    check_office_container(path)
    from pptx import Presentation
    from unstructured.partition.pptx import partition_pptx

    from . import _unstructured  # noqa: F401 - configures unstructured (offline spaCy model) before it is used

    deck = Presentation(str(path))
    slides = len(deck.slides)
    visible = office_hidden.visible_pptx(path)  # shapes marked hidden removed
    source = {"file": visible} if visible is not None else {"filename": str(path)}
    elements = partition_pptx(**source, infer_table_structure=True, include_slide_notes=True)
    skipped = office_hidden.hidden_slides(deck)  # "Hide slide": not shown in the slide show
    elements = [e for e in elements if e.metadata.page_number not in skipped]
    b = _from_unstructured(elements, name, pages_from_metadata=True, slide_titles=_slide_titles(deck),
                           slide_bullets=_slide_bullets(deck))
    read_by_ocr: dict[int, float] = {}
    unread: dict[int, str] = {}
    if not b.elements:  # a deck exported as pictures of its slides: read them
        read_by_ocr = _slide_pictures(deck, b, unread, skipped)
    if not b.elements and unread:  # its slides are pictures, and none could be read
        raise NoReadableText("No readable text: this presentation's slides are pictures, and OCR could not read them "
                             "reliably. Export it with its text (not as pictures), or upload the file it was made from.")
    if not b.elements:
        raise EmptyDocument("This presentation has no text, and OCR found none in its pictures.")
    return ParsedDocument(name, b.elements, pages=slides, title=titles.choose([_core_title(path), _first_title(b)], name),
                          ocr_pages=list(read_by_ocr), ocr_confidence=read_by_ocr, unread_pages=unread)


def _slide_titles(deck) -> dict[int, str]:
    """Each slide's title (its title placeholder's text), by slide number."""
    found: dict[int, str] = {}
    for number, slide in enumerate(deck.slides, 1):
        try:
            shape = slide.shapes.title
        except Exception:  # noqa: BLE001, S112 - a slide without a readable title has none
            continue
        text = " ".join((shape.text_frame.text if shape is not None and shape.has_text_frame else "").split())
        if text:
            found[number] = text
    return found


def _slide_bullets(deck) -> dict[int, set[str]]:
    """Each slide's bulleted paragraphs: those of its body placeholders (bulleted by their layout unless they
    say ``buNone``) and any paragraph with its own bullet or indent level."""
    from pptx.enum.shapes import PP_PLACEHOLDER
    from pptx.oxml.ns import qn

    body_types = {PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT}
    found: dict[int, set[str]] = {}
    for number, slide in enumerate(deck.slides, 1):
        for shape in slide.shapes:
            if not getattr(shape, "has_text_frame", False) or not shape.has_text_frame:
                continue
            try:
                in_body = shape.is_placeholder and shape.placeholder_format.type in body_types
            except Exception:  # noqa: BLE001 - a placeholder without a readable type is not a body
                in_body = False
            for paragraph in shape.text_frame.paragraphs:
                text = " ".join(paragraph.text.split())
                ppr = paragraph._p.pPr
                marks = {child.tag for child in ppr} if ppr is not None else set()
                if qn("a:buNone") in marks:
                    continue
                if text and (in_body or paragraph.level > 0 or marks & {qn("a:buChar"), qn("a:buAutoNum")}):
                    found.setdefault(number, set()).add(text)
    return found


def _slide_pictures(deck, b: Builder, unread: dict[int, str], skipped: set[int] = frozenset()) -> dict[int, float]:
    """OCR the largest picture of each slide into ``b``: the slides read, with OCR's confidence.

    Slides whose picture OCR can't read reliably go into ``unread`` with why. Without Tesseract, says what to install.
    """
    import io
    from dataclasses import replace

    from ..errors import UnsupportedFile
    from . import ocr
    from .image import open_image

    pictures = []
    for number, slide in enumerate(deck.slides, 1):
        if number in skipped:
            continue
        images = [shape for shape in slide.shapes if hasattr(shape, "image")]
        if images:
            pictures.append((number, max(images, key=lambda shape: (shape.width or 0) * (shape.height or 0))))
    if not pictures:
        return {}
    if not ocr.available():
        raise UnsupportedFile("This presentation's slides are pictures. " + ocr.missing_reason())
    read: dict[int, float] = {}
    for number, shape in pictures:
        if not ocr.time_left():
            unread[number] = "not read: the time for reading this file ran out (split it into smaller files)"
            continue
        try:
            image = open_image(io.BytesIO(shape.image.blob), "picture.png")
            if image.width * image.height > ocr.MAX_PIXELS:  # checked from its header, before decoding it
                unread[number] = (f"not read: its picture is too large ({image.width * image.height / 1e6:.0f} megapixels; "
                                  f"the limit is {ocr.MAX_PIXELS // 1_000_000})")
                continue
            image.load()
        except Exception:  # noqa: BLE001, S112 - a picture format PIL can't open (EMF, WMF) has no text for us
            continue
        result = ocr.read(image)
        if result.lines and result.confidence >= ocr.MIN_PAGE_CONFIDENCE:
            b.reset()
            first = len(b.elements)
            ocr.add_page(result, number, b)
            # boxes are on the picture, not on a drawn slide: a deck's passages are shown in their section
            b.elements[first:] = [replace(e, boxes=()) for e in b.elements[first:]]
            read[number] = result.confidence
        else:
            unread[number] = f"OCR confidence {result.confidence:.0f}%, too low to index" if result.lines else "no text found"
    return read


MERGED_READ_LIMIT = 8 << 20  # bytes: workbooks up to this size are read whole, so merged cells can be filled in


def _xlsx_value(cell):
    """A cell's value as shown: a date as a date, a price with its currency sign, a share as a percentage."""
    import datetime as dt

    value = getattr(cell, "value", None)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if not isinstance(value, (int, float)):
        return value
    fmt = str(getattr(cell, "number_format", "") or "")
    number = value
    if "%" in fmt:
        return f"{round(value * 100, 2):g}%"
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    text = f"{number:,.2f}" if ".00" in fmt and isinstance(value, float) else f"{number:,}" if "," in fmt else f"{number}"
    for sign in ("$", "€", "£", "¥", "₹"):
        if sign in fmt:
            return f"{sign}{text}"
    return text


def _sheet_rows(path: Path, sheet) -> list[list]:
    """A sheet's visible cells from A1 as values; a merged range's value fills every cell of it."""
    rows = [[_xlsx_value(c) for c in row] for row in sheet.iter_rows(min_row=1, min_col=1)]
    for merged in getattr(getattr(sheet, "merged_cells", None), "ranges", ()):
        top, left = merged.min_row - 1, merged.min_col - 1
        if top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for r in range(top, min(merged.max_row, len(rows))):
            row = rows[r]
            row.extend([None] * (merged.max_col - len(row)))
            for c in range(left, merged.max_col):
                row[c] = value
    hidden_rows, hidden_columns = _hidden_rows_and_columns(path, sheet)
    if hidden_rows or hidden_columns:  # rows and columns counted from 1, as the sheet's XML counts them
        rows = [[v for column, v in enumerate(row, 1) if column not in hidden_columns]
                for number, row in enumerate(rows, 1) if number not in hidden_rows]
    return rows


def _hidden_rows_and_columns(path: Path, sheet) -> tuple[set[int], set[int]]:
    """A sheet's hidden row and column numbers (from 1): from openpyxl's dimensions when the workbook was read
    whole, else streamed from the sheet's XML (a read-only sheet keeps no dimensions)."""
    part = getattr(sheet, "_worksheet_path", None)
    if part:
        return office_hidden.hidden_rows_and_columns(path, part)
    from openpyxl.utils import column_index_from_string

    rows = {n for n, d in sheet.row_dimensions.items() if d.hidden}
    columns: set[int] = set()
    for letter, d in sheet.column_dimensions.items():
        if d.hidden:  # a dimension may cover a range of columns (min..max)
            first = d.min or column_index_from_string(letter)
            columns.update(range(first, (d.max or first) + 1))
    return rows, columns


def _filled_columns(rows: list[list]) -> frozenset[int]:
    return frozenset(i for row in rows for i, v in enumerate(row) if v is not None and str(v).strip())


def _sheet_tables(rows: list[list]) -> list[tuple[list[str], list[list]]]:
    """A sheet as (lines, table rows) pieces, top to bottom, split at blank rows.

    Lines are what stands alone: a title above a table, a note under it. Rows
    after a blank row that fill the same columns and open with a figure carry
    on the table above (a spacer row inside the data); otherwise they start a
    table of their own, with their own header.
    """
    pieces: list[tuple[list[str], list[list]]] = []
    segment: list[list] = []
    segments: list[list[list]] = []
    for row in rows + [[]]:
        if any(v is not None and str(v).strip() for v in row):
            segment.append(row)
        elif segment:
            segments.append(segment)
            segment = []
    for segment in segments:
        titles, body = tables.split_titles(segment)
        if not any(len(tables.row_values(r)) > 1 for r in body):  # lines, not a table
            pieces.append(([v for r in segment for v in tables.row_values(r)], []))
            continue
        last = pieces[-1][1] if pieces else []
        first = [str(v) for v in body[0] if v is not None]
        if (last and not titles and _filled_columns(body) <= _filled_columns(last)
                and any(any(ch.isdigit() for ch in v) for v in first)):
            last.extend(body)
            continue
        if not titles and pieces and not pieces[-1][1] and _titles_like(pieces[-1][0]):
            titles = pieces.pop()[0]  # a title a blank row above its table
        pieces.append((titles, body))
    return pieces


def _titles_like(lines: list[str]) -> bool:
    return len(lines) <= tables.MAX_TITLE_ROWS and all(len(x.split()) <= 12 and not x.endswith(".") for x in lines)


def parse_xlsx(path: Path, name: str) -> ParsedDocument:
    """Each sheet's tables as Markdown tables of at most 50 rows, each with its header row; page = sheet number.

    The sheet's name is its heading; a title above a table ("Acme price list
    2026") is a heading under it, and a note under a table is text, so a
    table's header is its real header row. Merged cells give their value to
    every cell they cover (workbooks up to :data:`MERGED_READ_LIMIT`). Hidden sheets, rows and
    columns are left out: a reader of the workbook doesn't see them.
    """
    check_office_container(path)
    import openpyxl

    whole = path.stat().st_size <= MERGED_READ_LIMIT
    try:
        workbook = openpyxl.load_workbook(str(path), read_only=not whole, data_only=True)
    except Exception as err:  # openpyxl raises many types for damaged files
        raise BrokenFile("This Excel workbook is damaged and couldn't be read.") from err
    if len(workbook.sheetnames) > MAX_SHEETS:  # each sheet is read whole: a workbook of sheets is a container
        workbook.close()
        raise FileTooLarge(f"This workbook has {len(workbook.sheetnames):,} sheets; the limit is {MAX_SHEETS:,}. "
                           "Split it into smaller workbooks, or save the sheets that matter as CSV.")
    b = Builder(name)
    try:
        for number, sheet in enumerate(workbook.worksheets, 1):
            if sheet.sheet_state != "visible":
                continue
            pieces = _sheet_tables(_sheet_rows(path, sheet))
            if not pieces:
                continue
            b.reset()
            b.title(sheet.title, 1, number)
            for lines, rows in pieces:
                if not rows:
                    for line in lines:
                        b.add(line, "text", number)
                    continue
                if lines:
                    b.title(" ".join(lines), 2, number)
                for block in tables.blocks(rows):
                    b.add(block, "table", number)
    finally:
        workbook.close()
    if not b.elements:
        raise EmptyDocument("This workbook's sheets are empty.")
    sheet_names = [e.text for e in b.elements if e.kind == "title" and len(e.heading_path) == 1]
    only_sheet = sheet_names[0] if len(sheet_names) == 1 else None  # one sheet's name names the workbook
    return ParsedDocument(name, b.elements, pages=None, title=titles.choose([_core_title(path), only_sheet], name))
