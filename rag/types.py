"""Plain data passed between the pipeline steps.

Each step (parse, chunk, embed, index, retrieve) takes and returns these
dataclasses, so every step can be tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

ElementKind = Literal["title", "text", "list", "table"]


@dataclass(frozen=True)
class TextBox:
    """Where a run of text sits on its page: characters ``start``..``end`` of the text that carries it.

    The rectangle is in fractions of the page (0-1, from the top left), so it
    fits the page whatever size it is drawn at. Parsers keep one box per line
    (not per character: compact), chunks carry the boxes of their text, and
    the page view draws them.
    """

    page: int
    start: int
    end: int
    x0: float
    y0: float
    x1: float
    y1: float

    def shifted(self, by: int, start: int, end: int) -> TextBox:
        """This run moved ``by`` characters into a new text and cut to its ``start``..``end``.

        A run cut short keeps the matching share of its rectangle along the line
        (characters taken as equally wide: close enough to mark where a chunk
        starts mid-line, and never outside the line).
        """
        new_start, new_end = max(self.start + by, start), min(self.end + by, end)
        length = self.end - self.start
        if length <= 0 or (new_start == self.start + by and new_end == self.end + by):
            return replace(self, start=new_start, end=new_end)
        head, tail = (new_start - self.start - by) / length, (new_end - self.start - by) / length
        if self.x1 - self.x0 >= self.y1 - self.y0:  # a line across the page
            width = self.x1 - self.x0
            return replace(self, start=new_start, end=new_end,
                           x0=round(self.x0 + head * width, 4), x1=round(self.x0 + tail * width, 4))
        height = self.y1 - self.y0  # a line up or down a turned page
        return replace(self, start=new_start, end=new_end,
                       y0=round(self.y0 + head * height, 4), y1=round(self.y0 + tail * height, 4))

    def as_list(self) -> list:
        """Compact form for the index payload: [page, start, end, x0, y0, x1, y1]."""
        return [self.page, self.start, self.end, self.x0, self.y0, self.x1, self.y1]

    @classmethod
    def from_list(cls, values) -> TextBox:
        page, start, end, x0, y0, x1, y1 = values
        return cls(int(page), int(start), int(end), float(x0), float(y0), float(x1), float(y1))


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
    boxes: tuple[TextBox, ...] = ()  # where its text sits on the page (PDFs and images), offsets into ``text``
    ocr: float | None = None  # read by OCR: the mean word confidence (0-100); None when read from a text layer


@dataclass
class ParsedDocument:
    """What a parser returns: the elements plus document-level facts."""

    file: str
    elements: list[Element]
    pages: int | None = None  # real page/slide count where the format has pages
    title: str | None = None
    url: str | None = None  # where it lives on the web, when it says so (a page's canonical link, an export's article URL)
    modified: float | None = None  # when it last changed, by its own account (epoch seconds); an e-mail's sending date
    author: str | None = None  # who wrote it, by its own account (an e-mail's sender)
    ocr_pages: list[int] = field(default_factory=list)  # pages read by OCR (scans, images)
    ocr_confidence: dict[int, float] = field(default_factory=dict)  # each OCR'd page's mean word confidence (0-100)
    unread_pages: dict[int, str] = field(default_factory=dict)  # pages left out, with why ("OCR too unsure: 31%")


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
    date: float | None = None  # the document's date (epoch seconds), for date-range filters
    boxes: list[TextBox] = field(default_factory=list)  # where its text sits on its pages, offsets into ``text``
    ocr: float | None = None  # read by OCR: the lowest confidence of its parts (0-100)

    @property
    def page(self) -> int | None:
        return self.pages[0] if self.pages else None

    @property
    def section(self) -> str:
        return " > ".join(self.heading_path)


@dataclass(frozen=True)
class SearchFilter:
    """Metadata filters on retrieval: any of these files, any of these kinds (none of those), a date range."""

    files: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    date_from: float | None = None
    date_to: float | None = None
    exclude_kinds: tuple[str, ...] = ()  # none of these kinds (past posts are never evidence for an answer)
    exclude_versions: tuple[str, ...] = ()  # document versions still being stored: not ready, so not found

    def __bool__(self) -> bool:
        """True when the index must filter."""
        return bool(
            self.files or self.kinds or self.exclude_kinds or self.exclude_versions
            or self.date_from is not None or self.date_to is not None
        )


Strategy = Literal["hybrid", "dense", "sparse", "mmr"]
STRATEGIES: tuple[Strategy, ...] = ("hybrid", "dense", "sparse", "mmr")


@dataclass(frozen=True)
class RetrievalSettings:
    """How passages are pulled for a question (an assistant's saved search settings, or one question's)."""

    strategy: Strategy = "hybrid"
    k: int = 6
    threshold: float = 0.25  # minimum dense cosine similarity for a hit to count as relevant
    # A name the question is about ("Contoso", "GLM-130B") must appear in a passage at least this
    # close to the question, or the answer is refused (see answer/subjects.py). Chosen on the
    # ARAGOG papers: 8 of 9 questions about a missing paper refused, 1 of 98 answerable ones.
    subject_threshold: float = 0.44
    neighbours: int = 0  # chunks before and after each hit added as context
    where: SearchFilter = field(default_factory=SearchFilter)
    # per-list depth before fusion / MMR: 100 since issue 27 (SciFact train nDCG@10 0.730 at 50, 0.736 at 100, 0.737
    # at 150; ORD-QA 0.646 -> 0.660; query p95 at 100k within a few ms: docs/benchmarks.md)
    candidates: int = 100
    mmr_lambda: float = 0.6  # 1 = pure relevance, 0 = pure diversity

    def with_(self, **changes) -> "RetrievalSettings":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


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
    similarity: float | None = None  # dense cosine to the query, whatever the strategy
    context: str = ""  # the hit with its neighbouring chunks, when a neighbour window is set
    vector: list[float] | None = field(default=None, repr=False)
    boxes: list[TextBox] = field(default_factory=list, repr=False)  # where its text sits on its pages
    ocr: float | None = None  # read by OCR: the lowest confidence of its parts (0-100)
    version: str = ""  # the document version the chunk belongs to

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


@dataclass
class Citation:
    """A numbered source as the answer cites it, with the exact supporting quote."""

    n: int
    doc_id: str
    file: str
    page: int | None
    section: str
    quote: str
    score: float
    chunk_id: str = ""
    pages: list[int] = field(default_factory=list)  # every page the cited passage spans
    title: str = ""  # the document's human title ("Connect your CRM"); ``file`` is where it came from
    url: str = ""  # the live page it was read from (a site or a help-center export), when there is one
    ocr: float | None = None  # the passage was read by OCR (its confidence, 0-100): check it on the page
    source_deleted: bool = False  # in a saved chat: its document (or that version) was removed; the quote went with it

    def as_dict(self) -> dict:
        return {
            **({"source_deleted": True} if self.source_deleted else {}),
            "n": self.n,
            "doc_id": self.doc_id,
            "chunk_id": self.chunk_id,  # `grounded show CHUNK_ID --png OUT` draws the cited page
            "title": self.title or None,
            "url": self.url or None,
            "file": self.file,
            "page": self.page,
            "section": self.section,
            "quote": self.quote,
            "score": round(self.score, 4),
            "ocr": self.ocr,  # not None: read by OCR, with this confidence (0-100)
        }


Support = Literal["supported", "weak", "unsupported"]

NoticeCode = Literal[
    "model_weak",  # the small built-in model wrote this: check every citation
    "quoted",  # no writing model: the answer quotes the documents
    "model_unavailable",  # the chosen model could not be started: quotes instead
    "model_failed",  # the model failed while writing: quotes instead
    "model_empty",  # the model returned nothing: quotes instead
    "instructions_removed",  # sentences giving orders to the assistant were kept from the model
    "citations_attributed",  # the model wrote no markers; Grounded matched sentences to sources
    "citations_removed",  # markers that pointed at no source were removed
    "mostly_unsupported",  # most of a written answer is not backed by the sources
    "refused",  # why no answer was written
    "searched_for",  # a follow-up was searched as a standalone question
    "not_answered",  # the passages are on topic but none states what was asked
    "composed",  # a draft put together from the documents, no writing model
    "facts_source",  # where a draft's facts may come from
    "no_voice",  # no past posts to copy the voice from
    "nothing_to_write",  # no relevant facts for a draft
    "off_topic",  # the sources say nothing on the brief's subject: no post written about something else
    "model_failed_checks",  # the writing model's draft failed its checks after one repair: the composed one comes first
    "saved",  # a note saved with an older chat, before notices had codes
    "still_indexing",  # some of the assistant's documents were still queued when this was answered
    "read_by_ocr",  # a document's text (some pages of it) was read by OCR: check the wording on the page
    "pages_left_out",  # pages of a document OCR couldn't read reliably (or at all): not searchable
    "out_of_scope",  # the question is on a topic the assistant's manager marked out of scope (knowledge gaps)
]
# not_stated: the role, credential or company figure asked about ("CEO", "certifications", "revenue") is in no passage found
RefusalReason = Literal["nothing_relevant", "names_absent", "names_in_passing", "out_of_scope", "not_stated"]


@dataclass(frozen=True)
class Notice:
    """A plain-language note shown with an answer or draft; pages and benchmarks read its ``code``, people its ``text``."""

    code: NoticeCode
    text: str

    def __str__(self) -> str:
        return self.text

    def as_dict(self) -> dict:
        return {"code": self.code, "text": self.text}


@dataclass
class SentenceCheck:
    """One sentence of an answer, judged against the passages it cites."""

    text: str
    support: Support
    citations: list[int] = field(default_factory=list)
    score: float = 0.0  # best combined support score against its cited passages
    reasons: list[str] = field(default_factory=list)  # e.g. "12% is not in source [1]"

    def as_dict(self) -> dict:
        return {"text": self.text, "support": self.support, "citations": self.citations}


@dataclass
class Answer:
    """The structured result of asking a question."""

    answer: str
    model: str
    refused: bool = False
    grounded_fraction: float = 0.0
    citations: list[Citation] = field(default_factory=list)
    sentences: list[SentenceCheck] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)  # plain-language notes for the user
    removed_markers: int = 0  # markers that pointed at no source
    attributed: bool = False  # citations were attributed by the check, not written by the model
    hits: list[Hit] = field(default_factory=list)
    refusal: RefusalReason | None = None  # why it was refused, when it was
    searched: str = ""  # the question as searched (a follow-up made standalone), when it differs from the one asked
    # Does the answer contain what the question asked for (the figure, the person, the steps)? None: can't tell.
    answers_question: bool | None = None
    answers_reason: str = ""

    def notice(self, code: NoticeCode) -> Notice | None:
        return next((n for n in self.notices if n.code == code), None)

    def as_dict(self) -> dict:
        return {
            "answer": self.answer,
            "model": self.model,
            "refused": self.refused,
            "refusal": self.refusal,
            "searched_for": self.searched or None,
            "answers_question": {"value": self.answers_question, "reason": self.answers_reason},
            "grounded_fraction": round(self.grounded_fraction, 4),
            "citations": [c.as_dict() for c in self.citations],
            "sentences": [s.as_dict() for s in self.sentences],
            "notices": [n.as_dict() for n in self.notices],
        }
