"""Parsing: a file in, a ParsedDocument (structured elements) out. Fully offline.

One module per family; this registry picks one by file extension. Every
user-caused problem is raised as a typed error with a plain-language
message; any other exception from a parser library is wrapped so that no
raw error escapes :func:`parse_file`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import BrokenFile, EmptyDocument, FileTooLarge, GroundedError, SetupProblem, UnsupportedFile
from ..settings import Limits
from ..types import ParsedDocument
from . import archive
from .builder import TEXT_ALLOWANCE, too_much_text
from .image import parse_image
from .mail import parse_eml
from .office import parse_docx, parse_pptx, parse_xlsx
from .pdf import parse_pdf
from .text import parse_csv, parse_markdown, parse_txt
from .transcript import parse_captions
from .web import parse_html

Parser = Callable[[Path, str], ParsedDocument]

PARSERS: dict[str, Parser] = {
    ".pdf": parse_pdf,
    ".docx": parse_docx,
    ".pptx": parse_pptx,
    ".xlsx": parse_xlsx,
    ".csv": parse_csv,
    ".tsv": parse_csv,  # the sniffer finds the tabs
    ".html": parse_html,
    ".htm": parse_html,
    ".md": parse_markdown,
    ".markdown": parse_markdown,
    ".txt": parse_txt,
    ".rst": parse_txt,  # reStructuredText and Org files are readable plain text
    ".org": parse_txt,
    ".eml": parse_eml,
    ".vtt": parse_captions,  # captions and transcripts: one element per speaker turn
    ".srt": parse_captions,
    # images are read by OCR (Tesseract); without it they are skipped with what to install
    ".png": parse_image,
    ".jpg": parse_image,
    ".jpeg": parse_image,
    ".tif": parse_image,
    ".tiff": parse_image,
    ".webp": parse_image,
}
SUPPORTED_EXTENSIONS = frozenset(PARSERS) | {".zip"}

__all__ = ["SUPPORTED_EXTENSIONS", "parse_file", "is_archive", "iter_members", "EmptyDocument"]


_SUPPORTED_LIST = ("PDF, Word (.docx), PowerPoint (.pptx), Excel (.xlsx), CSV or TSV, HTML, Markdown, text, e-mail (.eml), "
                   "captions (.vtt, .srt), "
                   "images (PNG, JPEG, TIFF, WebP) or a ZIP of these")
_KNOWN_OTHERS = {
    **dict.fromkeys((".gif", ".bmp", ".heic", ".heif", ".avif"),
                    "This image type isn't read. Save it as PNG or JPEG (text in it is then read by OCR) and upload that."),
    ".doc": "This is the old Word format (.doc). Open it in Word or LibreOffice, save it as .docx, and upload that.",
    ".ppt": "This is the old PowerPoint format (.ppt). Open it in PowerPoint or LibreOffice, save it as .pptx, and upload that.",
    ".xls": "This is the old Excel format (.xls). Open it in Excel or LibreOffice, save it as .xlsx, and upload that.",
    ".rtf": "Rich Text (.rtf) isn't read yet. Save it as .docx or PDF and upload that.",
    ".odt": "OpenDocument text (.odt) isn't read yet. Save it as .docx or PDF and upload that.",
    ".odp": "OpenDocument slides (.odp) aren't read yet. Save them as .pptx or PDF and upload that.",
    ".ods": "OpenDocument spreadsheets (.ods) aren't read yet. Save it as .xlsx or CSV and upload that.",
    ".msg": "Outlook messages (.msg) aren't read yet. Save the e-mail as .eml (or print it to PDF) and upload that.",
    ".epub": "E-books (.epub) aren't read yet. Save it as PDF and upload that.",
    ".json": "JSON files are data, not documents, and aren't read. Export the content as CSV or text.",
    ".xml": "XML files are data, not documents, and aren't read. Export the content as CSV or text.",
    ".p7s": "This is a digital signature file, not a document.",
}


def unsupported_reason(name: str) -> str:
    """A plain reason why a file of this type isn't read, with what to do instead."""
    suffix = Path(name).suffix.lower()
    if suffix in _KNOWN_OTHERS:
        return _KNOWN_OTHERS[suffix]
    kind = f"Files of type {suffix}" if suffix else "Files without an extension (.pdf, .docx, ...)"
    return f"{kind} aren't supported. Upload {_SUPPORTED_LIST}."


def is_archive(path: Path) -> bool:
    return archive.is_archive(path)


def member_names(data: bytes) -> list[str]:
    """The file names inside a ZIP, as :func:`iter_members` names them after ``display/`` ([] if unreadable)."""
    return archive.member_names(data)


def member_sizes(data: bytes, limits: Limits | None = None) -> list[tuple[str, int]]:
    """(name, uncompressed size) of each document :func:`iter_members` would read, without reading any."""
    return archive.member_sizes(data, frozenset(PARSERS), limits)


def iter_members(path: Path, display: str, limits: Limits | None = None) -> Iterator[tuple[str, bytes | GroundedError]]:
    """The documents inside a ZIP: (name, bytes) or (name, reason it was skipped), within ``limits``."""
    return archive.iter_members(path, display, frozenset(PARSERS), limits)


def parse_file(path: Path, display_name: str | None = None, max_chars: int | None = None) -> ParsedDocument:
    """Parse one document; ``display_name`` is the name users see (default: the file name).

    ``max_chars`` caps the text the document may produce: past it the parse
    stops with :class:`~rag.errors.TooMuchWork` (see :mod:`rag.parse.builder`).
    """
    name = display_name or path.name
    suffix = Path(name).suffix.lower() or path.suffix.lower()
    parser = PARSERS.get(suffix)
    if parser is None:
        if suffix == ".zip":
            raise UnsupportedFile("This is a ZIP archive of several documents: add it with the upload box or `grounded ingest`, which open it.")
        raise UnsupportedFile(unsupported_reason(name))
    if path.stat().st_size == 0:
        raise EmptyDocument("This file is empty.")
    allowance = TEXT_ALLOWANCE.set(max_chars)
    try:
        parsed = parser(path, name)
    except GroundedError:
        raise
    except MemoryError as err:
        raise FileTooLarge("Reading this file needed more memory than the limit allows. Split it into smaller files.") from err
    except ImportError as err:  # the install lacks a module this reader needs: not the file's fault
        from .setup import missing_module_message, reader_family

        raise SetupProblem(missing_module_message(reader_family(suffix), err)) from err
    except Exception as err:  # noqa: BLE001 - library errors become one plain message
        raise BrokenFile(f"This file is damaged or in an unexpected format and couldn't be read ({type(err).__name__}).") from err
    finally:
        TEXT_ALLOWANCE.reset(allowance)
    if max_chars is not None and sum(len(e.text) for e in parsed.elements) > max_chars:
        raise too_much_text(max_chars)  # a parser that built its elements without a Builder
    if not parsed.elements:
        raise EmptyDocument("No text could be found in this file.")
    return parsed
