"""How much work an upload is, measured in passages before the expensive steps, and the limit on it.

Embedding is nearly all of indexing time (96% in the ingest benchmark of docs/benchmarks.md),
and it costs the same per passage whatever the file type, so an upload's cost
is its passages. Size limits alone don't bound that: a 1.28 MB ZIP of 400
one-MiB text entries passed every one of them and became about 380,800
passages, 5.4 hours on two cores, with the store's write lock held throughout.
So every upload (a file, or all the documents of one ZIP together) may make at
most ``Limits.max_chunks`` passages (``GROUNDED_MAX_CHUNKS``), checked three
times, the cheapest first:

1. Before anything is stored or parsed, from size and type
   (:func:`estimate_passages`): a text, Markdown or CSV file's size says how
   much text it holds. A ZIP is the sum over its entries' uncompressed sizes in
   its central directory (:func:`estimate_archive`), so a ZIP whose total is
   over the limit is refused whole, before any entry is indexed.
2. While parsing: the parser stops once it has produced more text than twice
   the limit's passages could hold (:func:`text_allowance`), so a document far
   too big never crosses from the parse worker to this process.
3. After chunking, before any embedding: the exact count, against what the
   upload's earlier documents already used (:class:`Allowance`).

PDF, Word, PowerPoint and Excel files get no estimate from their size: they are
compressed and often mostly pictures, so their size says little about their
text (a 20 MB deck of photos holds a few hundred words). When an upload holds
several documents (a ZIP, a Zendesk or Intercom JSON, a Notion or Confluence
export, a HubSpot or LinkedIn CSV), it is opened in the parse worker first
(:mod:`rag.parse.containers`) and step 1 is repeated over its documents, with
the text of HTML pages, Word files and slides measured (:func:`estimate_member`):
the same 12 x 60 KB of text is refused whole, before anything is queued, as a
ZIP of .txt, a ZIP of DOCX or a Zendesk JSON alike.

One upload has ONE allowance, however many queued jobs its documents become
(:class:`rag.ingest.queue.UploadAllowance` keeps its running count in the
catalog, across jobs and restarts). The first document that would take it over
the limit stops the upload: the documents indexed before it stay, it and every
one after are refused with the same message.

The refusal says the figures in plain words: "This archive would make about
380,000 passages, about 5 hours of indexing here; the limit is 50,000 ...".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from ..errors import TooMuchWork
from ..present import duration_words
from ..settings import Limits
from ..store import Store
from ..types import ChunkSettings

LIMIT_SETTING = "GROUNDED_MAX_CHUNKS"
# The whole pipeline's pace on the 2-core development machine (docs/benchmarks.md: 19.6 chunks/s
# on 20 SEC filings). Used until this data folder has indexed enough to measure its own.
DEFAULT_PASSAGES_PER_SECOND = 20.0
MEASURED_ENOUGH = 200  # passages indexed here before their pace replaces the default

# Characters of text per token of the chunk size. A by_title passage of 256 tokens held 847
# characters of War and Peace (3.3 per token: English runs about 4.2 characters a token and
# passages end at a section or paragraph, so they fill about 80% of the size); 397 at 128 tokens.
CHARS_PER_TOKEN = 3.3
# What part of a file's bytes becomes text, by type; types missing here get no estimate (see above).
# HTML: 7% of a 10-K filing's 2.4 MB, 29% of a page with scripts; the low end, so that an estimate
# refuses only what is surely too big. CSV: more than its size, as Markdown tables (pipes between
# cells, the header repeated in every passage): 100,000 rows of 43 bytes made 8,000 passages
# (share 1.6), 1,000,000 rows of 35 bytes 80,000 (share 1.9); 1.75 is within 15% of both.
TEXT_SHARE = {
    ".txt": 1.0,
    ".md": 1.0,
    ".markdown": 1.0,
    ".rst": 1.0,
    ".org": 1.0,
    ".csv": 1.75,
    ".tsv": 1.75,
    ".html": 0.1,
    ".htm": 0.1,
}
ROWS_PER_TABLE = 50  # a CSV becomes tables of 50 rows (rag/parse/tables.py): each at least one passage
PARSE_SLACK = 2  # the parser stops at twice the text the limit's passages hold: only the far too big


def chars_per_passage(chunking: ChunkSettings) -> float:
    """Characters of text in one passage under ``chunking`` (overlap repeats text in recursive and fixed)."""
    step = chunking.size if chunking.strategy == "by_title" else chunking.size - min(chunking.overlap, chunking.size // 2)
    return CHARS_PER_TOKEN * max(step, 1)


def estimate_passages(name: str, size: int, chunking: ChunkSettings, data: bytes | None = None) -> int:
    """About how many passages a file of this name and size makes; 0 when its type's size says nothing.

    With the file's bytes (``data``), a CSV also counts its rows: short rows
    make more passages than their bytes suggest, one table of 50 rows at least.
    """
    suffix = PurePosixPath(name).suffix.lower()
    share = TEXT_SHARE.get(suffix)
    if share is None:
        return 0
    passages = round(size * share / chars_per_passage(chunking))
    if data is not None and suffix in (".csv", ".tsv"):
        passages = max(passages, data.count(b"\n") // ROWS_PER_TABLE)
    return max(passages, 1)


# A document's measured text (rag/parse/containers.py text_chars: HTML without tags, a Word file's
# runs) counts at half: the measure takes in page furniture and hidden text the parser leaves out, so
# an estimate refuses only what is surely too big; the running count bounds the rest exactly.
MEASURED_TEXT_SHARE = 0.5


def estimate_member(name: str, size: int, text_chars: int | None, chunking: ChunkSettings) -> int:
    """About how many passages one document of an upload makes: from its measured text when known, else its size."""
    if text_chars is not None:
        return max(round(text_chars * MEASURED_TEXT_SHARE / chars_per_passage(chunking)), 1 if text_chars else 0)
    return estimate_passages(name, size, chunking)


def estimate_archive(entries: list[tuple[str, int]], chunking: ChunkSettings) -> int:
    """About how many passages a ZIP's entries ((name, uncompressed size) each) make together."""
    return sum(estimate_passages(name, size, chunking) for name, size in entries)


def text_allowance(limits: Limits, chunking: ChunkSettings) -> int:
    """Characters one document's parse may produce before it is stopped (step 2 above)."""
    return int(limits.max_chunks * chars_per_passage(chunking) * PARSE_SLACK)


def passages_per_second(store: Store) -> float:
    """How fast this data folder indexes: its own documents' passages over their indexing time.

    Falls back to :data:`DEFAULT_PASSAGES_PER_SECOND` until it has indexed
    :data:`MEASURED_ENOUGH` passages (small samples are mostly start-up time).
    """
    passages, seconds = store.catalog.indexing_totals()
    if passages >= MEASURED_ENOUGH and seconds > 0:
        return passages / seconds
    return DEFAULT_PASSAGES_PER_SECOND


def about_count(n: int, limit: int) -> str:
    """``n`` rounded for people (two significant figures), but never rounded down onto the limit."""
    digits = len(str(n)) - 2
    rounded = round(n, -digits) if digits > 0 else n
    return f"{rounded if rounded > limit else n:,}"


def too_much_work(what: str, passages: int, rate: float, limit: int, more_than: bool = False) -> TooMuchWork:
    """The refusal, with the figures: how many passages, how long here, the limit and what to do."""
    count = f"{'more than' if more_than else 'about'} {about_count(passages, limit)}"
    duration = duration_words(passages / rate)
    if more_than and duration.startswith("about "):  # "over 3 hours": a lower bound, like the count
        duration = "over " + duration.removeprefix("about ")
    return TooMuchWork(
        f"{what} would make {count} passages, {duration} of indexing here; the limit is {limit:,}. "
        f"Split it into smaller files, or raise the limit with the setting {LIMIT_SETTING}."
    )


@dataclass
class Allowance:
    """The passages one upload may still make: a single file, or all the documents of a ZIP or an export.

    ``what`` names the upload in refusals ("This file", "This archive"). Once the upload goes
    over its limit it is stopped: the documents it already made stay indexed, each one after is
    refused with the same message (``stopped``), however few passages it would make.
    :class:`rag.ingest.queue.UploadAllowance` keeps this in the catalog, for the jobs an upload becomes.
    """

    limit: int
    rate: float
    what: str = "This file"
    used: int = 0
    stopped: str | None = None

    def stop(self, problem: TooMuchWork) -> None:
        """The upload went over its limit: refuse the rest of it with ``problem``'s message."""
        self.stopped = self.stopped or str(problem)

    @classmethod
    def for_upload(cls, store: Store, what: str = "This file") -> Allowance:
        return cls(store.settings.limits.max_chunks, passages_per_second(store), what)

    def refusal(self, passages: int, more_than: bool = False) -> TooMuchWork | None:
        """Why ``passages`` more can't be made (with the upload's figures), or None if they fit."""
        if self.stopped:
            return TooMuchWork(self.stopped)
        if self.used + passages <= self.limit:
            return None
        return too_much_work(self.what, self.used + passages, self.rate, self.limit, more_than)

    def spend(self, passages: int) -> None:
        """Count a document's exact passages against the upload; raises :class:`TooMuchWork` past the limit."""
        if (problem := self.refusal(passages)) is not None:
            self.stop(problem)
            raise problem
        self.used += passages
