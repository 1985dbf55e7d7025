"""Plain text, Markdown and CSV: decoded robustly, parsed without heavy libraries.

Parsing these ourselves (rather than with unstructured's NLP heuristics)
keeps a 3 MB novel to well under a second and gives Markdown real heading paths.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from ..errors import BrokenFile, EmptyDocument
from ..types import ParsedDocument
from . import tables, titles
from .builder import Builder
from .dates import when
from .encoding import decode


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if not data:
        raise EmptyDocument("This file is empty (0 bytes).")
    if not data.strip(b"\x00"):
        raise EmptyDocument("This file holds only null bytes, no text (it may be damaged or a disk image).")
    if not data.strip(b" \t\r\n\x00"):
        raise EmptyDocument("This file is empty: it holds only blank space.")
    text = decode(data)
    if not text.strip():
        raise EmptyDocument("This file is empty.")
    sample = text[:20000]
    odd = sum(not (ch.isprintable() or ch in "\n\r\t\f") or ch == "\ufffd" for ch in sample)
    if odd > 0.05 * len(sample):
        raise BrokenFile("This file doesn't contain readable text (it looks like binary data).")
    return text


def parse_txt(path: Path, name: str) -> ParsedDocument:
    """Paragraphs split on blank lines; the first line is the title when it reads like one."""
    from .linkedin import split_post

    b = Builder(name)
    text = _read_text(path)
    for para in re.split(r"\n\s*\n", text):
        b.add(para)
    post, body = split_post(text)
    if post is not None:  # a LinkedIn post is called by its first line, as people remember it
        first = next((line.strip() for line in body.splitlines() if line.strip()), "")
        return ParsedDocument(name, b.elements, title=titles.choose([first[:120]], name))
    first_line = b.elements[0].text.split("\n", 1)[0] if b.elements else ""
    return ParsedDocument(name, b.elements, title=titles.choose([first_line if titles.looks_like_title(first_line) else None], name))


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_SETEXT = re.compile(r"^(=+|-+)\s*$")
_MD_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_LIST = re.compile(r"^\s*([-*+]|\d+[.)])\s+")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FRONT_MATTER_FIELD = re.compile(r"^([A-Za-z_]+):[ \t]*(.+?)[ \t]*$", re.M)
_URL_FIELDS = ("url", "canonical_url", "canonicalurl", "source_url", "permalink")
_MODIFIED_FIELDS = ("updated", "last_modified", "lastmod", "last_edited", "modified")


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """(its fields, the rest) for Markdown that opens with a YAML front-matter block (Jekyll, Hugo, exports).

    Only plain ``key: value`` lines are read (title, address, last change); nothing is evaluated.
    """
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    fields = {k.lower(): v.strip("\"'") for k, v in _FRONT_MATTER_FIELD.findall(m.group(1))}
    return fields, text[m.end() :]


def _front_matter_origin(fields: dict[str, str]) -> tuple[str | None, float | None]:
    """The address and last change a front-matter block states, if any."""
    url = next((fields[k] for k in _URL_FIELDS if fields.get(k, "").lower().startswith(("http://", "https://"))), None)
    modified = next((stamp for k in _MODIFIED_FIELDS if (stamp := when(fields.get(k))) is not None), None)
    return url, modified


def parse_markdown(path: Path, name: str) -> ParsedDocument:
    """Headings (ATX and Setext) open sections; pipe tables stay tables; lists are kept together."""
    b = Builder(name)
    fields, text = _front_matter(_read_text(path).replace("\r\n", "\n"))
    lines = text.split("\n")
    para: list[str] = []
    headings: list[tuple[str, int]] = []
    in_code = False

    def flush():
        if para:
            text = "\n".join(para)
            b.add(text, "list" if all(_MD_LIST.match(line) or line.startswith(" ") for line in para) else "text")
            para.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip().startswith("```") or line.strip().startswith("~~~"):
            in_code = not in_code
            para.append(line)
        elif in_code:
            para.append(line)
        elif m := _MD_HEADING.match(line):
            flush()
            b.title(m.group(2), len(m.group(1)))
            headings.append((m.group(2), len(m.group(1))))
        elif line.strip() and i + 1 < len(lines) and _MD_SETEXT.match(lines[i + 1]) and not para:
            flush()
            level = 1 if lines[i + 1].startswith("=") else 2
            b.title(line, level)
            headings.append((line, level))
            i += 1
        elif "|" in line and i + 1 < len(lines) and _MD_TABLE_SEP.match(lines[i + 1]):
            flush()
            rows = [_md_cells(line)]
            i += 2
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                rows.append(_md_cells(lines[i]))
                i += 1
            b.add(tables.to_markdown(rows), "table")
            continue
        elif not line.strip():
            flush()
        else:
            para.append(line)
        i += 1
    flush()
    top = min((lv for _, lv in headings), default=0)
    first_top = next((t for t, lv in headings if lv == top), None)  # the first "# Title", else the first "## …"
    url, modified = _front_matter_origin(fields)
    return ParsedDocument(name, b.elements, title=titles.choose([fields.get("title"), first_top], name), url=url, modified=modified)


def _md_cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [c.strip() for c in re.split(r"(?<!\\)\|", line)]


def parse_csv(path: Path, name: str) -> ParsedDocument:
    """A CSV as Markdown tables of at most 50 rows, each with the header row."""
    text = _read_text(path)
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    csv.field_size_limit(10_000_000)
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as err:
        raise BrokenFile(f"This CSV file is malformed ({err}).") from err
    b = Builder(name)
    for block in tables.blocks(rows):
        b.add(block, "table")
    return ParsedDocument(name, b.elements, title=titles.from_file_name(name))
