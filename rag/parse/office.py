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

from ..errors import BrokenFile, EmptyDocument, EncryptedFile, NoReadableText
from ..types import ParsedDocument
from . import office_hidden, tables, titles
from .builder import Builder

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
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


def _from_unstructured(elements, name: str, pages_from_metadata: bool) -> Builder:
    b = Builder(name)
    last_page = None
    for el in elements:
        text = (el.text or "").strip()
        page = el.metadata.page_number if pages_from_metadata else None
        if pages_from_metadata and page != last_page:
            b.reset()  # a new slide starts a new outline
            last_page = page
        category = el.category
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
    b = _from_unstructured(elements, name, pages_from_metadata=True)
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


def _slide_pictures(deck, b: Builder, unread: dict[int, str], skipped: set[int] = frozenset()) -> dict[int, float]:
    """OCR the largest picture of each slide into ``b``: the slides read, with OCR's confidence.

    Slides whose picture OCR can't read reliably go into ``unread`` with why. Without Tesseract, says what to install.
    """
    import io
    from dataclasses import replace

    from PIL import Image

    from ..errors import UnsupportedFile
    from . import ocr

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
            image = Image.open(io.BytesIO(shape.image.blob))
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


def _visible_rows(path: Path, sheet) -> list[list]:
    """A read-only sheet's values without its hidden rows and columns (rows and columns counted from 1)."""
    part = getattr(sheet, "_worksheet_path", None)
    hidden_rows, hidden_columns = office_hidden.hidden_rows_and_columns(path, part) if part else (set(), set())
    if not hidden_rows and not hidden_columns:
        return [list(r) for r in sheet.iter_rows(values_only=True)]
    rows = []  # from A1, whatever the sheet's recorded dimensions say, so the numbers are the sheet's own
    for number, row in enumerate(sheet.iter_rows(min_row=1, min_col=1, values_only=True), 1):
        if number not in hidden_rows:
            rows.append([value for column, value in enumerate(row, 1) if column not in hidden_columns])
    return rows


def parse_xlsx(path: Path, name: str) -> ParsedDocument:
    """Each visible sheet's used cells as Markdown tables of at most 50 rows; page = sheet number.

    Hidden sheets, rows and columns are left out: a reader of the workbook doesn't see them.
    """
    check_office_container(path)
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for damaged files
        raise BrokenFile("This Excel workbook is damaged and couldn't be read.") from err
    b = Builder(name)
    try:
        for number, sheet in enumerate(workbook.worksheets, 1):
            if sheet.sheet_state != "visible":
                continue
            rows = _visible_rows(path, sheet)
            body = tables.blocks(rows)
            if not body:
                continue
            b.reset()
            b.title(sheet.title, 1, number)
            for block in body:
                b.add(block, "table", number)
    finally:
        workbook.close()
    if not b.elements:
        raise EmptyDocument("This workbook's sheets are empty.")
    sheet_names = [e.text for e in b.elements if e.kind == "title"]
    only_sheet = sheet_names[0] if len(sheet_names) == 1 else None  # one sheet's name names the workbook
    return ParsedDocument(name, b.elements, pages=None, title=titles.choose([_core_title(path), only_sheet], name))
