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

import csv
import itertools
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO, TypeVar

from ..errors import BrokenFile, EmptyDocument
from ..types import ParsedDocument
from . import tables, titles, transcript
from .builder import Builder
from .dates import when
from .encoding import encoding_of

_BLOCK = 1 << 20  # bytes read at a time when looking for any content
_LINE_PIECE = 1 << 20  # characters: a longer line (a file without line breaks) is read in pieces
_SAMPLE_CHARS = 20_000  # what the binary check and the CSV dialect sniffer look at

T = TypeVar("T")


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
    """``read`` applied to the file opened as text, decoded as :func:`rag.parse.encoding.decode` decodes, never held whole.

    UTF-8 is read strictly; a file that turns out not to be UTF-8 somewhere
    is read again from the start as Windows-1252, which is what ``decode``
    does with the whole file at once.
    """
    encoding = encoding_of(_first_block(path))
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

    from .linkedin import split_post

    def read(fh: TextIO) -> ParsedDocument:
        b = Builder(name)
        fh.seek(0)
        sample = fh.read(_SAMPLE_CHARS).splitlines()[:-1] or [""]  # whole lines only
        fh.seek(0)
        if transcript.turns_of_lines(sample) is not None:  # "Dana: …" / "Dana Reyes 00:01:02": a transcript
            return _read_transcript(fh, b, name)
        for para in _paragraphs(fh, b):
            b.add(para)
        post, body = split_post("\n\n".join(e.text for e in b.elements[:3]))
        if post is not None:  # a LinkedIn post is called by its first line, as people remember it
            first = next((line.strip() for line in body.splitlines() if line.strip()), "")
            return ParsedDocument(name, b.elements, title=titles.choose([first[:120]], name))
        first_line = b.elements[0].text.split("\n", 1)[0] if b.elements else ""
        title = titles.choose([first_line if titles.looks_like_title(first_line) else None], name)
        return ParsedDocument(name, b.elements, title=title)

    return _read(path, read)


def _read_transcript(fh: TextIO, b: Builder, name: str) -> ParsedDocument:
    """A plain-text transcript: its opening lines (a title) as a heading, then one element per speaker turn."""
    lines: list[str] = []
    size = 0
    for piece in _pieces(fh):
        lines.append(piece)
        size += len(piece)
        b.ensure_room(size)
    found = transcript.turns_of_lines(lines)
    if found is None:  # the opening looked like one, the whole doesn't: read as plain text
        for para in re.split(r"\n\s*\n", "".join(lines)):
            b.add(para)
        return ParsedDocument(name, b.elements, title=titles.from_file_name(name))
    before, turns = found
    heading = " ".join(before[:2])[:200] if before and len(" ".join(before[:2])) <= 200 else None
    if heading:
        b.title(heading, 1)
    elif before:
        b.add("\n".join(before))
    transcript.add_turns(b, turns)
    return ParsedDocument(name, b.elements, title=titles.choose([heading], name))


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_SETEXT = re.compile(r"^(=+|-+)\s*$")
_MD_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_LIST = re.compile(r"^\s*([-*+]|\d+[.)])\s+")
_FRONT_MATTER_OPEN = re.compile(r"---[ \t]*")
_FRONT_MATTER_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")
_FRONT_MATTER_FIELD = re.compile(r"^([A-Za-z_]+):[ \t]*(.+?)[ \t]*$", re.M)
_FRONT_MATTER_MAX_LINES = 1000  # an opening "---" not closed by then is a rule, not front matter
_URL_FIELDS = ("url", "canonical_url", "canonicalurl", "source_url", "permalink")
_MODIFIED_FIELDS = ("updated", "last_modified", "lastmod", "last_edited", "modified")


def _front_matter(lines: Iterator[str]) -> tuple[dict[str, str], Iterator[str]]:
    """(its fields, the lines after it) for Markdown that opens with a YAML front-matter block (Jekyll, Hugo, exports).

    The block is a ``---`` line, at least one line, then a ``---`` or ``...``
    line; without a close the lines read ahead are given back untouched. Only
    plain ``key: value`` lines are read (title, address, last change); nothing is evaluated.
    """
    first = next(lines, None)
    if first is None or not _FRONT_MATTER_OPEN.fullmatch(first):
        return {}, itertools.chain([first] if first is not None else [], lines)
    held: list[str] = []
    for line in lines:
        if held and _FRONT_MATTER_CLOSE.fullmatch(line):
            return {k.lower(): v.strip("\"'") for k, v in _FRONT_MATTER_FIELD.findall("\n".join(held))}, lines
        held.append(line)
        if len(held) > _FRONT_MATTER_MAX_LINES:
            break
    return {}, itertools.chain([first], held, lines)


def _front_matter_origin(fields: dict[str, str]) -> tuple[str | None, float | None]:
    """The address and last change a front-matter block states, if any."""
    url = next((fields[k] for k in _URL_FIELDS if fields.get(k, "").lower().startswith(("http://", "https://"))), None)
    modified = next((stamp for k in _MODIFIED_FIELDS if (stamp := when(fields.get(k))) is not None), None)
    return url, modified


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
        fields, body = _front_matter(piece.removesuffix("\n") for piece in _pieces(fh))
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
        url, modified = _front_matter_origin(fields)
        return ParsedDocument(name, b.elements, title=titles.choose([fields.get("title"), first_top], name), url=url,
                              modified=modified)

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
            for line in tables.leading_titles(rows()):  # "Acme price list 2026" above the header row
                b.title(line, 1)
            for block in tables.stream_blocks(rows):
                b.add(block, "table")
        except csv.Error as err:
            raise BrokenFile(f"This CSV file is malformed ({err}).") from err
        return ParsedDocument(name, b.elements, title=titles.from_file_name(name))

    return _read(path, read, newline="")
