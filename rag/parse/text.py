"""Plain text, Markdown and CSV: decoded robustly, parsed without heavy libraries.

Parsing these ourselves (rather than with unstructured's NLP heuristics)
keeps a 3 MB novel to well under a second and gives Markdown real heading paths.

Files are read as a stream of lines, never whole: a 199 MB text file used to be
held four times over (its bytes, the decoded text, the split paragraphs, the
elements) and cleaned a character at a time. Now only the elements are kept,
and they stop at the parse's text allowance (:mod:`rag.parse.builder`), so a
file too big to index ends early with a plain reason instead of filling memory.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO, TypeVar

from ..errors import BrokenFile, EmptyDocument
from ..types import ParsedDocument
from . import tables, titles
from .builder import Builder

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
_BLOCK = 1 << 20  # bytes read at a time when looking for any content
_LINE_PIECE = 1 << 20  # characters: a longer line (a file without line breaks) is read in pieces
_SAMPLE_CHARS = 20_000  # what the binary check and the CSV dialect sniffer look at

T = TypeVar("T")


def _encoding(head: bytes) -> str:
    """The encoding a file's first bytes call for: BOM, then UTF-16/32 without BOM (many NULs), else UTF-8."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    sample = head[:4000]
    nuls = sample.count(b"\x00")
    if sample and nuls > len(sample) // 4 and nuls < len(sample):  # NUL is valid UTF-8, so check first
        if nuls > len(sample) * 5 // 8:
            return "utf-32-le" if sample[1:4] == b"\x00\x00\x00" else "utf-32-be"
        return "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
    return "utf-8"


def decode(data: bytes) -> str:
    """Text from bytes: BOM first, then UTF-16/32 without BOM (many NULs), UTF-8, then cp1252."""
    encoding = _encoding(data)
    if encoding != "utf-8":
        return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _first_block(path: Path) -> bytes:
    """The file's first block, once it is known to hold more than null bytes and blank space."""
    with path.open("rb") as fh:
        head = block = fh.read(_BLOCK)
        if not head:
            raise EmptyDocument("This file is empty (0 bytes).")
        only_nuls = True
        while block:
            only_nuls = only_nuls and not block.strip(b"\x00")
            if block.strip(b" \t\r\n\x00"):
                return head
            block = fh.read(_BLOCK)
    if only_nuls:
        raise EmptyDocument("This file holds only null bytes, no text (it may be damaged or a disk image).")
    raise EmptyDocument("This file is empty: it holds only blank space.")


def _check_readable(fh: TextIO) -> None:
    """Refuse binary data: more than 5% of the opening characters unprintable or undecodable."""
    sample = fh.read(_SAMPLE_CHARS)
    if not sample.strip():
        return  # blank so far: not binary; an empty file is reported once it is read
    odd = sum(not (ch.isprintable() or ch in "\n\r\t\f") or ch == "\ufffd" for ch in sample)
    if odd > 0.05 * len(sample):
        raise BrokenFile("This file doesn't contain readable text (it looks like binary data).")


def _has_text(fh: TextIO) -> bool:
    fh.seek(0)
    return any(block.strip() for block in iter(lambda: fh.read(_BLOCK), ""))


def _read(path: Path, read: Callable[[TextIO], ParsedDocument], newline: str | None = None) -> ParsedDocument:
    """``read`` applied to the file opened as text, decoded as :func:`decode` decodes, never held whole.

    UTF-8 is read strictly; a file that turns out not to be UTF-8 somewhere
    is read again from the start as Windows-1252, which is what :func:`decode`
    does with the whole file at once.
    """
    encoding = _encoding(_first_block(path))
    attempts = [("utf-8", "strict"), ("cp1252", "replace")] if encoding == "utf-8" else [(encoding, "replace")]
    for number, (name, errors) in enumerate(attempts, 1):
        try:
            with path.open("r", encoding=name, errors=errors, newline=newline) as fh:
                _check_readable(fh)
                fh.seek(0)
                parsed = read(fh)
                if not parsed.elements and not _has_text(fh):
                    raise EmptyDocument("This file is empty.")
                return parsed
        except UnicodeDecodeError:
            if number == len(attempts):
                raise
    raise AssertionError("unreachable: the last attempt decodes with errors='replace'")


def _pieces(fh: TextIO) -> Iterator[str]:
    """The file's lines with their line ends; a line longer than :data:`_LINE_PIECE` comes in pieces."""
    return iter(lambda: fh.readline(_LINE_PIECE), "")


def _paragraphs(fh: TextIO, b: Builder) -> Iterator[str]:
    """Runs of lines between blank lines (lines of white space only), each kept within ``b``'s allowance."""
    para: list[str] = []
    size = 0
    line_start = True
    for piece in _pieces(fh):
        if line_start and piece.endswith("\n") and not piece.strip():
            if para:
                yield "".join(para)
                para, size = [], 0
        else:
            para.append(piece)
            size += len(piece)
            b.ensure_room(size)
        line_start = piece.endswith("\n")
    if para:
        yield "".join(para)


def parse_txt(path: Path, name: str) -> ParsedDocument:
    """Paragraphs split on blank lines; the first line is the title when it reads like one."""

    def read(fh: TextIO) -> ParsedDocument:
        b = Builder(name)
        for para in _paragraphs(fh, b):
            b.add(para)
        first_line = b.elements[0].text.split("\n", 1)[0] if b.elements else ""
        title = titles.choose([first_line if titles.looks_like_title(first_line) else None], name)
        return ParsedDocument(name, b.elements, title=title)

    return _read(path, read)


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_SETEXT = re.compile(r"^(=+|-+)\s*$")
_MD_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_LIST = re.compile(r"^\s*([-*+]|\d+[.)])\s+")
_FRONT_MATTER_OPEN = re.compile(r"---[ \t]*")
_FRONT_MATTER_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")
_FRONT_MATTER_TITLE = re.compile(r"^title:\s*(.+?)\s*$", re.M | re.I)
_FRONT_MATTER_MAX_LINES = 1000  # an opening "---" not closed by then is a rule, not front matter


def _front_matter(lines: Iterator[str]) -> tuple[str | None, Iterator[str]]:
    """(its ``title:``, the lines after it) for Markdown that opens with a YAML front-matter block (Jekyll, Hugo, exports).

    The block is a ``---`` line, at least one line, then a ``---`` or ``...``
    line; without a close the lines read ahead are given back untouched.
    """
    first = next(lines, None)
    if first is None or not _FRONT_MATTER_OPEN.fullmatch(first):
        return None, itertools.chain([first] if first is not None else [], lines)
    held: list[str] = []
    for line in lines:
        if held and _FRONT_MATTER_CLOSE.fullmatch(line):
            title = _FRONT_MATTER_TITLE.search("\n".join(held))
            return (title.group(1).strip("\"'") if title else None), lines
        held.append(line)
        if len(held) > _FRONT_MATTER_MAX_LINES:
            break
    return None, itertools.chain([first], held, lines)


class _LookAhead:
    """Lines with one line of look-ahead (a Setext underline, a table's separator row)."""

    def __init__(self, lines: Iterator[str]):
        self._lines = lines
        self._next = next(lines, None)

    def peek(self) -> str | None:
        return self._next

    def take(self) -> str | None:
        line = self._next
        if line is not None:
            self._next = next(self._lines, None)
        return line


def parse_markdown(path: Path, name: str) -> ParsedDocument:
    """Headings (ATX and Setext) open sections; pipe tables stay tables; lists are kept together."""

    def read(fh: TextIO) -> ParsedDocument:
        b = Builder(name)
        front_title, body = _front_matter(piece.removesuffix("\n") for piece in _pieces(fh))
        lines = _LookAhead(body)
        para: list[str] = []
        para_size = 0
        headings: list[tuple[str, int]] = []
        in_code = False

        def flush():
            nonlocal para_size
            if para:
                text = "\n".join(para)
                b.add(text, "list" if all(_MD_LIST.match(line) or line.startswith(" ") for line in para) else "text")
                para.clear()
                para_size = 0

        def keep(line: str) -> None:
            nonlocal para_size
            para.append(line)
            para_size += len(line) + 1
            b.ensure_room(para_size)

        while (line := lines.take()) is not None:
            following = lines.peek()
            if line.strip().startswith("```") or line.strip().startswith("~~~"):
                in_code = not in_code
                keep(line)
            elif in_code:
                keep(line)
            elif m := _MD_HEADING.match(line):
                flush()
                b.title(m.group(2), len(m.group(1)))
                headings.append((m.group(2), len(m.group(1))))
            elif line.strip() and following is not None and _MD_SETEXT.match(following) and not para:
                flush()
                level = 1 if following.startswith("=") else 2
                b.title(line, level)
                headings.append((line, level))
                lines.take()
            elif "|" in line and following is not None and _MD_TABLE_SEP.match(following):
                flush()
                lines.take()
                rows, size = [_md_cells(line)], len(line)
                while (row := lines.peek()) is not None and "|" in row and row.strip():
                    rows.append(_md_cells(lines.take()))
                    size += len(row)
                    b.ensure_room(size)
                b.add(tables.to_markdown(rows), "table")
            elif not line.strip():
                flush()
            else:
                keep(line)
        flush()
        top = min((lv for _, lv in headings), default=0)
        first_top = next((t for t, lv in headings if lv == top), None)  # the first "# Title", else the first "## …"
        return ParsedDocument(name, b.elements, title=titles.choose([front_title, first_top], name))

    return _read(path, read)


def _md_cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [c.strip() for c in re.split(r"(?<!\\)\|", line)]


def parse_csv(path: Path, name: str) -> ParsedDocument:
    """A CSV as Markdown tables of at most 50 rows, each with the header row.

    The rows are read twice from the file (the table's width and its empty
    columns first, then the blocks), so a million-row CSV never sits in memory
    as a list of rows.
    """

    def read(fh: TextIO) -> ParsedDocument:
        try:
            dialect = csv.Sniffer().sniff(fh.read(_SAMPLE_CHARS), delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        csv.field_size_limit(10_000_000)

        def rows() -> Iterator[list[str]]:
            fh.seek(0)
            return csv.reader(fh, dialect)

        b = Builder(name)
        try:
            for block in tables.stream_blocks(rows):
                b.add(block, "table")
        except csv.Error as err:
            raise BrokenFile(f"This CSV file is malformed ({err}).") from err
        return ParsedDocument(name, b.elements, title=titles.from_file_name(name))

    return _read(path, read, newline="")
