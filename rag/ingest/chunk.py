"""Split a parsed document into chunks, by one of three strategies.

- ``by_title``: structure-aware. A chunk never spans two sections; tables
  stay whole (a table larger than the budget is split by rows, each part
  repeating the header row); the heading path travels with the chunk.
- ``recursive``: LangChain's recursive splitter (paragraphs, lines,
  sentences, words) sized in tokens, with overlap.
- ``fixed``: plain windows of N tokens with overlap.

Sizes are counted in the embedding model's own word pieces, so a chunk of
256 tokens is exactly what the model sees (tiktoken would need a download).
"""

from __future__ import annotations

import bisect
import hashlib
import re
import uuid
from dataclasses import dataclass, field

import numpy as np

from ..index.embed import COUNT_BATCH, count_tokens, load_tokenizer
from ..types import Chunk, ChunkSettings, Element, ParsedDocument, TextBox

CHUNK_NAMESPACE = uuid.UUID("6f1c9a52-3c1e-4f0a-9a51-6f6b1f1f4e21")
STRATEGIES = ("by_title", "recursive", "fixed")


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def chunk_id(doc_id: str, version: str, index: int) -> str:
    """Deterministic point id; a new version of a document gets new ids."""
    return str(uuid.uuid5(CHUNK_NAMESPACE, f"{doc_id}:{version}:{index}"))


@dataclass
class _Piece:
    """Text on its way into a chunk, with where it came from."""

    text: str
    pages: list[int]
    heading_path: tuple[str, ...]
    boxes: list[TextBox] = field(default_factory=list)  # where its text sits on its pages, offsets into ``text``
    ocr: float | None = None  # the lowest OCR confidence of the elements it came from


def _moved(boxes, start: int, end: int, to: int) -> list[TextBox]:
    """The boxes of characters ``start``..``end`` of one text, for that run now starting at ``to`` in another."""
    return [b.shifted(to - start, to, to + end - start) for b in boxes if b.end > start and b.start < end]


def _carried(part: str, e: Element) -> list[TextBox]:
    """Boxes for ``part``, a piece of ``e``'s text: each of its lines found in the element's text.

    Line by line because a table part repeats the header lines above its own rows;
    a line that isn't found (it shouldn't happen) just has no box.
    """
    if not e.boxes:
        return []
    boxes: list[TextBox] = []
    at = cursor = 0
    for line in part.split("\n"):
        if line:
            found = e.text.find(line, cursor)
            found = e.text.find(line) if found < 0 else found
            if found >= 0:
                boxes += _moved(e.boxes, found, found + len(line), at)
                cursor = found + len(line)
        at += len(line) + 1
    return boxes


def _lowest_ocr(elements) -> float | None:
    values = [e.ocr for e in elements if e.ocr is not None]
    return min(values) if values else None


def _joined(elements: list[Element], pages: list[int], path: tuple[str, ...]) -> _Piece:
    """Elements joined by blank lines into one piece, their boxes moved along."""
    boxes: list[TextBox] = []
    at = 0
    for e in elements:
        boxes += _moved(e.boxes, 0, len(e.text), at)
        at += len(e.text) + 2
    return _Piece("\n\n".join(e.text for e in elements), pages, path, boxes, _lowest_ocr(elements))


def _ntokens(text: str) -> int:
    return count_tokens([text])[0]


def _recursive_splitter(size: int, overlap: int):
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        chunk_size=size,
        chunk_overlap=min(overlap, size // 2),
        length_function=_ntokens,
        separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
        keep_separator="end",
    )


def _split_table(text: str, size: int) -> list[str]:
    """Split a Markdown table by rows; every part repeats the caption, header and separator."""
    lines = text.splitlines()
    sep = next((i for i, line in enumerate(lines[:6]) if re.fullmatch(r"\|( ?-{3,} ?\|)+", line.strip())), None)
    if sep is None or sep == 0:
        return [text]
    header, body = lines[: sep + 1], lines[sep + 1 :]
    budget = max(size - _ntokens("\n".join(header)), size // 4)
    parts, current, used = [], [], 0
    for row, n in zip(body, count_tokens(body)):
        if current and used + n > budget:
            parts.append("\n".join(header + current))
            current, used = [], 0
        current.append(row)
        used += n
    if current:
        parts.append("\n".join(header + current))
    return parts


def _element_pages(e: Element) -> list[int]:
    return [e.page] if e.page is not None else []


def _by_title(elements: list[Element], s: ChunkSettings) -> list[_Piece]:
    pieces: list[_Piece] = []
    buf: list[Element] = []
    buf_pages: list[int] = []
    buf_tokens = 0
    path: tuple[str, ...] = ()
    splitter = None

    def flush():
        nonlocal buf, buf_pages, buf_tokens
        if buf:
            pieces.append(_joined(buf, sorted(set(buf_pages)), path))
        buf, buf_pages, buf_tokens = [], [], 0

    # A heading with nothing under it (a slide with only a title, an HTML page that is one heading)
    # still holds text: it becomes its own small chunk instead of vanishing.
    pending_title: Element | None = None

    def emit_orphan_title():
        nonlocal pending_title
        if pending_title is not None:
            e = pending_title
            pieces.append(_Piece(e.text, _element_pages(e), e.heading_path[:-1], list(e.boxes), e.ocr))
            pending_title = None

    for e in elements:
        if e.heading_path != path:
            flush()
            path = e.heading_path
        if e.kind == "title":
            if pending_title is not None and e.heading_path[: len(pending_title.heading_path)] != pending_title.heading_path:
                emit_orphan_title()  # the next heading is not below it: it had no content at all
            pending_title = e
            continue  # the title travels in the heading path
        pending_title = None
        n = _ntokens(e.text)
        if e.kind == "table":
            flush()
            for part in _split_table(e.text, s.size) if n > s.size else [e.text]:
                pieces.append(_Piece(part, _element_pages(e), path, _carried(part, e), e.ocr))
            continue
        if n > s.size:
            flush()
            splitter = splitter or _recursive_splitter(s.size, s.overlap)
            for part in splitter.split_text(e.text):
                pieces.append(_Piece(part, _element_pages(e), path, _carried(part, e), e.ocr))
            continue
        if buf and buf_tokens + n > s.size:
            flush()
        buf.append(e)
        buf_pages.extend(_element_pages(e))
        buf_tokens += n
    flush()
    emit_orphan_title()
    return pieces


class _Layout:
    """The document's elements joined into one string, with a map back to them."""

    def __init__(self, elements: list[Element]):
        parts, self.starts, self.elements = [], [], []
        self.boxes: list[TextBox] = []
        pos = 0
        for e in elements:
            self.starts.append(pos)
            self.elements.append(e)
            parts.append(e.text)
            self.boxes += _moved(e.boxes, 0, len(e.text), pos)
            pos += len(e.text) + 2
        self.text = "\n\n".join(parts)

    def piece(self, start: int, end: int, text: str) -> _Piece:
        first = max(bisect.bisect_right(self.starts, start) - 1, 0)
        last = max(bisect.bisect_right(self.starts, max(end - 1, start)) - 1, first)
        covered = self.elements[first : last + 1]
        pages = sorted({e.page for e in covered if e.page is not None})
        # an overlap shared with the previous piece keeps its boxes here too
        boxes = _moved(self.boxes, start, end, 0) if self.text[start:end] == text else []
        return _Piece(text, pages, covered[0].heading_path if covered else (), boxes, _lowest_ocr(covered))


def _recursive(elements: list[Element], s: ChunkSettings) -> list[_Piece]:
    layout = _Layout(elements)
    splitter = _recursive_splitter(s.size, s.overlap)
    pieces, cursor = [], 0
    for part in splitter.split_text(layout.text):
        # Overlapping parts start before the previous end; search from a bit back.
        start = layout.text.find(part, max(0, cursor - len(part)))
        if start < 0:
            start = cursor
        pieces.append(layout.piece(start, start + len(part), part))
        cursor = start + 1
    return pieces


def _token_offsets(layout: _Layout) -> np.ndarray:
    """(start, end) in the layout's text of each of its tokens, as an (n, 2) array.

    Encoded an element at a time, in batches, not the whole text at once: an
    encoding keeps every token's id, string and offsets, so a 20 MB text encoded
    whole took 2.4 GB. The tokens are the same: the tokenizer never lets one
    cross the blank line between two elements.
    """
    tokenizer = load_tokenizer()
    parts = []
    for first in range(0, len(layout.elements), COUNT_BATCH):
        texts = [e.text for e in layout.elements[first : first + COUNT_BATCH]]
        for start, encoding in zip(layout.starts[first:], tokenizer.encode_batch(texts, add_special_tokens=False)):
            if encoding.offsets:
                parts.append(np.asarray(encoding.offsets, dtype=np.int64) + start)
    return np.concatenate(parts) if parts else np.zeros((0, 2), dtype=np.int64)


def _fixed(elements: list[Element], s: ChunkSettings) -> list[_Piece]:
    layout = _Layout(elements)
    offsets = _token_offsets(layout)
    step = max(s.size - min(s.overlap, s.size - 1), 1)
    pieces = []
    for first in range(0, len(offsets), step):
        window = offsets[first : first + s.size]
        start, end = int(window[0][0]), int(window[-1][1])
        pieces.append(layout.piece(start, end, layout.text[start:end]))
        if first + s.size >= len(offsets):
            break
    return pieces


def split(parsed: ParsedDocument, settings: ChunkSettings) -> list[_Piece]:
    """The text pieces for a document under ``settings`` (before ids are given)."""
    if settings.strategy not in STRATEGIES:
        raise ValueError(f"Unknown chunking strategy {settings.strategy!r}; choose one of {', '.join(STRATEGIES)}.")
    if settings.size < 16:
        raise ValueError("Chunk size must be at least 16 tokens.")
    elements = [e for e in parsed.elements if e.text.strip()]
    fn = {"by_title": _by_title, "recursive": _recursive, "fixed": _fixed}[settings.strategy]
    return [p for p in fn(elements, settings) if p.text.strip()]


def chunk_document(
    parsed: ParsedDocument, settings: ChunkSettings, doc_id: str, version: str, kind: str = "other"
) -> list[Chunk]:
    """Chunks for one document version, with ids, hashes and token counts."""
    pieces = split(parsed, settings)
    tokens = count_tokens([p.text for p in pieces])
    return [
        Chunk(
            chunk_id=chunk_id(doc_id, version, i),
            doc_id=doc_id,
            file=parsed.file,
            index=i,
            text=p.text,
            pages=p.pages,
            heading_path=p.heading_path,
            content_hash=content_hash(p.text),
            settings=settings,
            tokens=n,
            kind=kind,
            boxes=p.boxes,
            ocr=p.ocr,
        )
        for i, (p, n) in enumerate(zip(pieces, tokens))
    ]


def heading_text(chunk: Chunk, title: str | None = None) -> str:
    """What stands above the chunk's text: the document's ``title`` unless it already heads the path, then the path."""
    path = list(chunk.heading_path)
    if title and title.strip() and (not path or path[0].strip().lower() != title.strip().lower()):
        path.insert(0, title.strip())
    return " > ".join(path)


def embedding_text(chunk: Chunk, title: str | None = None) -> str:
    """What is embedded and BM25-indexed: :func:`heading_text`, then the chunk text."""
    heading = heading_text(chunk, title)
    return f"{heading}\n{chunk.text}" if heading else chunk.text
