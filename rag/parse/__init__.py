"""Parsing: a file in, a ParsedDocument (structured elements) out. Fully offline.

One module per family; this registry picks one by file extension. Every
user-caused problem is raised as a typed error with a plain-language
message; any other exception from a parser library is wrapped so that no
raw error escapes :func:`parse_file`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import BrokenFile, EmptyDocument, FileTooLarge, GroundedError, UnsupportedFile
from ..types import ParsedDocument
from . import archive
from .mail import parse_eml
from .office import parse_docx, parse_pptx, parse_xlsx
from .pdf import parse_pdf
from .text import parse_csv, parse_markdown, parse_txt
from .web import parse_html

Parser = Callable[[Path, str], ParsedDocument]

PARSERS: dict[str, Parser] = {
    ".pdf": parse_pdf,
    ".docx": parse_docx,
    ".pptx": parse_pptx,
    ".xlsx": parse_xlsx,
    ".csv": parse_csv,
    ".html": parse_html,
    ".htm": parse_html,
    ".md": parse_markdown,
    ".markdown": parse_markdown,
    ".txt": parse_txt,
    ".eml": parse_eml,
}
SUPPORTED_EXTENSIONS = frozenset(PARSERS) | {".zip"}

__all__ = ["SUPPORTED_EXTENSIONS", "parse_file", "is_archive", "iter_members", "EmptyDocument"]


def is_archive(path: Path) -> bool:
    return archive.is_archive(path)


def iter_members(path: Path, display: str) -> Iterator[tuple[str, bytes | GroundedError]]:
    """The documents inside a ZIP: (name, bytes) or (name, reason it was skipped)."""
    return archive.iter_members(path, display, frozenset(PARSERS))


def parse_file(path: Path, display_name: str | None = None) -> ParsedDocument:
    """Parse one document; ``display_name`` is the name users see (default: the file name)."""
    name = display_name or path.name
    suffix = Path(name).suffix.lower() or path.suffix.lower()
    parser = PARSERS.get(suffix)
    if parser is None:
        if suffix == ".zip":
            raise UnsupportedFile("A ZIP archive holds several documents; read it with iter_members().")
        kinds = ", ".join(sorted(e.lstrip(".").upper() for e in SUPPORTED_EXTENSIONS))
        raise UnsupportedFile(f"Files of type {suffix or '(no extension)'} aren't supported. Supported types: {kinds}.")
    if path.stat().st_size == 0:
        raise EmptyDocument("This file is empty.")
    try:
        parsed = parser(path, name)
    except GroundedError:
        raise
    except MemoryError as err:
        raise FileTooLarge("Reading this file needed more memory than the limit allows. Split it into smaller files.") from err
    except Exception as err:  # noqa: BLE001 - library errors become one plain message
        raise BrokenFile(f"This file is damaged or in an unexpected format and couldn't be read ({type(err).__name__}).") from err
    if not parsed.elements:
        raise EmptyDocument("No text could be found in this file.")
    return parsed
