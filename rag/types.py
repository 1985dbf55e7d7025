"""Plain data passed between the pipeline steps.

Each step (parse, chunk, embed, index, retrieve) takes and returns these
dataclasses, so every step can be tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ElementKind = Literal["title", "text", "list", "table"]


@dataclass(frozen=True)
class Element:
    """One structural piece of a parsed document.

    ``heading_path`` is the chain of section titles above the element
    (outermost first); a title element's own path ends with itself.
    ``page`` is 1-based (PDF page, slide number, sheet index) or None for
    formats without pages.
    """

    text: str
    kind: ElementKind = "text"
    page: int | None = None
    heading_path: tuple[str, ...] = ()
    file: str = ""


@dataclass
class ParsedDocument:
    """What a parser returns: the elements plus document-level facts."""

    file: str
    elements: list[Element]
    pages: int | None = None  # real page/slide count where the format has pages
    title: str | None = None

    @property
    def text_chars(self) -> int:
        return sum(len(e.text) for e in self.elements)


@dataclass(frozen=True)
class ChunkSettings:
    """How a document is split. Stored on every chunk it produces."""

    strategy: Literal["by_title", "recursive", "fixed"] = "by_title"
    size: int = 256  # tokens of the embedding model's tokenizer
    overlap: int = 32

    def as_dict(self) -> dict:
        return {"strategy": self.strategy, "size": self.size, "overlap": self.overlap}


@dataclass
class Chunk:
    """A piece of a document that is embedded and indexed."""

    chunk_id: str
    doc_id: str
    file: str
    index: int
    text: str
    pages: list[int] = field(default_factory=list)
    heading_path: tuple[str, ...] = ()
    content_hash: str = ""
    settings: ChunkSettings = field(default_factory=ChunkSettings)
    tokens: int = 0
    kind: str = "other"

    @property
    def page(self) -> int | None:
        return self.pages[0] if self.pages else None

    @property
    def section(self) -> str:
        return " > ".join(self.heading_path)


@dataclass
class Hit:
    """A retrieved chunk with its score (cosine for dense, BM25 for sparse)."""

    chunk_id: str
    doc_id: str
    file: str
    text: str
    score: float
    page: int | None = None
    pages: list[int] = field(default_factory=list)
    section: str = ""
    chunk_index: int = 0
    kind: str = "other"

    def as_dict(self) -> dict:
        return {
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "file": self.file,
            "page": self.page,
            "section": self.section,
            "score": round(self.score, 6),
            "text": self.text,
        }
