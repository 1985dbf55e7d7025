"""Figures over time and across documents: one cited line per period or per document.

"How has Apple's total net sales changed over time?" over four quarterly
filings wants the figure from *each* filing, not the one passage the search
ranked first (which holds one quarter). Two rules, both from what the
catalog knows of each document (its file name, title and opening):

- **Scope by document and period.** The question's names ("Apple",
  "NVIDIA") pick the documents whose file name, title or opening mention
  them most; a period it names ("Q1 2023", "the third quarter of 2022",
  "the latest 10-Q") picks among those by the period in the file name or
  title ("2023 Q1 AAPL.pdf") or the opening ("For the quarterly period ended
  December 31, 2022"). A question about one period of one company's filings
  is searched within that document.
- **Change over time / across documents** ("over time", "across quarters",
  "these 10-Qs", "trend", "Q1 and Q3 2023", "compared to previous
  quarters"): each chosen document is searched on its own, the best
  sentence or table row of each is quoted (the rules of
  :mod:`rag.answer.quote`), and the answer is a list in period order, each
  line led by the document's period as its opening states it, each part
  cited.

Documents are only grouped when at least two are found; otherwise the
ordinary answer stands. Rules, not a model: each is a pattern a test pins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from ..names import mentions_name
from ..types import Hit, RetrievalSettings
from .asked import Asked, judge
from .quote import MARGIN, Unit, _cells, score_units, select, units_of

MAX_DOCUMENTS = 6  # periods quoted at most (a year of quarters and more)
PER_DOCUMENT = 3  # passages searched per document
UNITS_PER_DOCUMENT = 2  # quoted per document at most

# what asks for a change over time or a figure across documents
OVER_TIME = re.compile(
    r"\bover\s+(?:time|the\s+years|the\s+(?:last|past)\s+\w+\s+(?:quarters|years|months|periods)|"
    r"(?:the|these)\s+(?:reported\s+|reporting\s+)?(?:quarters|periods|years|months|reporting\s+(?:period|timeframe)s?))\b|"
    r"\bthroughout\s+the\s+(?:reported\s+|reporting\s+)?(?:periods?|quarters|years)\b|"
    r"\bacross\s+(?:the\s+|these\s+|all\s+|its\s+|our\s+)?(?:reported\s+)?(?:quarters|periods|years|filings|reports|documents|10-?qs)\b|"
    r"\b(?:quarter|period|year|month)\s+(?:to|over|on)\s+(?:quarter|period|year|month)\b|"
    r"\b(?:in|across|from|within)\s+(?:these|the|its)\s+(?:10-?qs|quarterly\s+reports|filings|reports|quarters)\b|"
    r"\beach\s+(?:reported\s+|reporting\s+)?(?:period|quarter|year|filing|report)\b|"
    r"\b(?:previous|prior|past|earlier|preceding)\s+(?:quarters|periods|years|filings|reports)\b|"
    r"\b(?:reported|reporting|historical)\s+(?:quarters|periods)\b|"
    r"\b(?:trend\w*|fluctuat\w*|evolv\w*|evolution|over\s+the\s+course)\b", re.I)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_MONTHS = {m: n for n, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
# "For the quarterly period ended June 25, 2022", "three months ended October 29, 2023", "fiscal year ended ..."
ENDED = re.compile(rf"\b(?:for\s+the\s+)?(?:quarterly\s+period|fiscal\s+(?:quarter|year)|quarter|three\s+months|"
                   rf"six\s+months|nine\s+months|period|year)\s+ended\s+({_MONTH}\s+\d{{1,2}},?\s+(?:19|20)\d\d)", re.I)
_QUARTER = re.compile(r"\bq([1-4])\b(?:\s*(?:of\s+)?(?:fy\s*)?((?:19|20)\d\d)\b)?|\b((?:19|20)\d\d)\s*q([1-4])\b", re.I)
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_ORDINAL_QUARTER = re.compile(r"\b(first|second|third|fourth)\s+(?:fiscal\s+)?quarter(?:\s+of)?(?:\s+(?:fiscal\s+)?((?:19|20)\d\d))?",
                              re.I)
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
LATEST = re.compile(r"\b(?:latest|most\s+recent|newest|current|last)\s+(?:10-?q|10-?k|quarter\w*|report|filing|period|"
                    r"quarterly\s+report)\b", re.I)


def over_time(question: str) -> bool:
    """Does the question ask how something changed over time or across documents (or name two periods)?"""
    return bool(OVER_TIME.search(question)) or len(asked_periods(question)) >= 2


def asked_periods(question: str) -> list[tuple[int | None, int | None]]:
    """The periods a question names, as (year, quarter): "Q1 2023" -> (2023, 1), "2022" -> (2022, None).

    "Q1 and Q3 2023" gives both quarters the year said once; a year that belongs to a quarter is not
    a period of its own.
    """
    found: list[tuple[int, int | None, int | None]] = []  # (position, year, quarter)
    used: list[tuple[int, int]] = []
    for m in _QUARTER.finditer(question):
        quarter = int(m.group(1) or m.group(4))
        year = m.group(2) or m.group(3)
        found.append((m.start(), int(year) if year else None, quarter))
        used.append(m.span())
    for m in _ORDINAL_QUARTER.finditer(question):
        found.append((m.start(), int(m.group(2)) if m.group(2) else None, _ORDINAL[m.group(1).lower()]))
        used.append(m.span())
    for m in _YEAR.finditer(question):
        if not any(a <= m.start() < b for a, b in used):
            found.append((m.start(), int(m.group(1)), None))
    found.sort()
    years = [y for _, y, _q in found if y is not None]
    out = []
    for at, year, quarter in found:
        if year is None and quarter is not None:  # "Q1 and Q3 2023": the next year said
            year = next((y for p, y, _q in found if y is not None and p > at), years[-1] if len(set(years)) == 1 else None)
        period = (year, quarter)
        if period not in out:
            out.append(period)
    # "2023" said only as the year of "Q1 2023" is not a separate period
    return [p for p in out if p[1] is not None or not any(q[0] == p[0] and q[1] is not None for q in out)]


def _date(text: str) -> date | None:
    m = re.match(rf"({_MONTH})\s+(\d{{1,2}}),?\s+(\d{{4}})", text.strip(), re.I)
    if not m:
        return None
    try:
        return date(int(m.group(3)), _MONTHS[m.group(1)[:3].lower()], int(m.group(2)))
    except ValueError:
        return None


@dataclass
class Period:
    """One document's period: as its file name or title says it, and as its opening states it."""

    doc_id: str
    file: str
    year: int | None = None
    quarter: int | None = None
    ended: str = ""  # "For the quarterly period ended June 25, 2022", as the opening says it
    ended_on: date | None = None
    opening: Hit | None = None  # the passage that says it (cited with the period)

    @property
    def key(self) -> tuple:
        """Sort key: the date the period ended, else year and quarter, else the file name."""
        if self.ended_on:
            return (0, self.ended_on.toordinal(), self.file)
        return (1, self.year or 0, self.quarter or 0, self.file)

    def matches(self, wanted: tuple[int | None, int | None]) -> bool:
        year, quarter = wanted
        if quarter is not None and self.quarter is not None:
            return self.quarter == quarter and (year is None or self.year == year)
        if quarter is None and year is not None:
            return year in (self.year, self.ended_on.year if self.ended_on else None)
        return False

    @property
    def label(self) -> str:
        return self.ended or re.sub(r"\.[A-Za-z0-9]{1,5}$", "", self.file.rsplit("/", 1)[-1])


def period_of(doc_id: str, file: str, title: str, opening: Hit | None) -> Period:
    """A document's period from its file name or title ("2023 Q1 AAPL.pdf") and its opening ("... period ended ...")."""
    named = f"{file.rsplit('/', 1)[-1]} {title}"
    period = Period(doc_id, file, opening=None)
    m = _QUARTER.search(named)
    if m and (m.group(2) or m.group(3)):
        period.year, period.quarter = int(m.group(2) or m.group(3)), int(m.group(1) or m.group(4))
    elif (y := _YEAR.search(named)) is not None:
        period.year = int(y.group(1))
    if opening is not None:
        e = ENDED.search(opening.text)
        if e:
            period.ended = re.sub(r"^for\s+the\s+", "", re.sub(r"\s+", " ", e.group(0).strip()), flags=re.I)
            period.ended = period.ended[0].upper() + period.ended[1:]
            period.ended_on = _date(e.group(1))
            period.opening = opening
    return period


def named_documents(rows, names: list[str]) -> list:
    """The documents the question's names point at: those mentioning the most of them in file name, title or opening.

    Names every document mentions ("10-Q" in a set of filings) pick nothing and are left out.
    """
    if not names or not rows:
        return []
    said = {r.doc_id: f"{r.file} {r.title or ''} {r.about or ''}" for r in rows}
    picking = [n for n in names if 0 < sum(mentions_name(n, t) for t in said.values()) < len(rows)]
    if not picking:
        return []
    counts = {r.doc_id: sum(mentions_name(n, said[r.doc_id]) for n in picking) for r in rows}
    best = max(counts.values())
    return [r for r in rows if best and counts[r.doc_id] == best]


@dataclass
class Scope:
    """The documents a question is about, with their periods, in period order, and whether it asks across them."""

    periods: list[Period]
    across: bool
    hits: list[Hit] = field(default_factory=list)  # per document, in period order; then the openings cited

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(p.file for p in self.periods)


def scope(store, workspace: str, query: str, asked: Asked) -> Scope | None:
    """The documents and periods ``query`` asks about (see the module docstring), or None when nothing narrows it."""
    if asked.kind in ("summary", "steps", "quote", "person") or not asked.names:
        return None
    across = over_time(query)
    wanted = asked_periods(query)
    latest = bool(LATEST.search(query))
    if not (across or wanted or latest):
        return None
    rows = store.catalog.documents(workspace, status="ready")
    named = named_documents(rows, list(asked.names))
    if len(named) < 1:
        return None
    periods = []
    for r in named:
        opening = store.index.neighbours(workspace, r.doc_id, 0, 1, version=r.version or None)
        first = next((h for h in opening if ENDED.search(h.text)), opening[0] if opening else None)
        periods.append(period_of(r.doc_id, r.file, r.title or "", first))
    if not any(p.year or p.ended_on for p in periods):
        return None  # documents without periods: nothing to order or pick by
    periods.sort(key=lambda p: p.key)
    if wanted:
        picked = [p for p in periods if any(p.matches(w) for w in wanted)]
        periods = picked or periods
    if latest and not across and not (wanted and len(periods) < len(named)):
        periods = periods[-1:]
    if not across and len(periods) != 1:
        return None  # one period asked, several documents state it: the ordinary search chooses
    return Scope(periods[-MAX_DOCUMENTS:], across and len(periods) >= 2)


def search_each(store, workspace: str, query: str, settings: RetrievalSettings, found: Scope) -> list[Hit]:
    """The best passages of each scoped document for ``query``, in period order (each document searched alone)."""
    from .retrieve import retrieve

    hits: list[Hit] = []
    kept = []
    for p in found.periods:
        per = settings.with_(k=PER_DOCUMENT, where=replace(settings.where, files=(p.file,)))
        got = retrieve(store, query, workspace, per, user=None).hits
        if got:
            hits += got
            kept.append(p)
    found.periods = kept
    return hits


def _inline(u: Unit) -> str:
    """A unit as one line of text: a table row as its non-empty cells ("Total net sales | 117,154 | 123,945")."""
    if u.kind != "row":
        return u.text.strip()
    return " | ".join(c for c in _cells(u.text) if c and c not in ("$", "%"))


def states_period_only(text: str) -> bool:
    """A sentence whose only figure is the period it covers ("Quarterly report for the period ended March 31, 2023")."""
    m = ENDED.search(text)
    return bool(m) and not re.search(r"\d", text[: m.start()] + text[m.end():])


def trend_answer(asked: Asked, question_vector: np.ndarray, hits: list[Hit], found: Scope, embeddings) -> str:
    """One line per period, in period order: the period as the document's opening states it, then the best quote.

    ``hits`` are the passages :func:`search_each` found; the openings that state a period are
    appended to them here (and to ``found.hits``) so that the period each line names is cited too.
    """
    units_by_source = {n: units_of(h, n) for n, h in enumerate(hits, 1)}
    # "... for the quarterly period ended June 25, 2022." says which period, which the line's label says already
    everything = [u for us in units_by_source.values() for u in us if not states_period_only(u.text)]
    scored = score_units(asked, question_vector, everything, embeddings)
    sources = list(hits)
    lines = []
    for p in found.periods:
        own = [s for s in scored if hits[s.unit.source - 1].doc_id == p.doc_id]
        if not own:
            continue
        chosen = select(asked, own, units_by_source)[:UNITS_PER_DOCUMENT]
        chosen = [u for u in chosen if u.kind != "list" or len(chosen) == 1]
        if not chosen or own[0].score < scored[0].score - 4 * MARGIN:
            continue  # this document has nothing near what the best one says
        quoted = " ".join(f"{_inline(u)} [{u.source}]" for u in sorted(chosen, key=lambda u: (u.source, u.position)))
        if p.opening is not None and p.ended:
            n = next((i for i, h in enumerate(sources, 1) if h.chunk_id == p.opening.chunk_id), 0)
            if not n:
                sources.append(p.opening)
                n = len(sources)
            lines.append(f"- {p.label} [{n}]: {quoted}")
        else:
            lines.append(f"- {p.label}: {quoted}")
    if len(lines) < 2:
        return ""
    found.hits = sources
    return "\n".join(lines)


def judge_lines(asked: Asked, answer: str, sources: str) -> tuple[bool | None, str]:
    """Does a per-period answer answer? Each period's line is judged on its own (rag.answer.asked.judge): a figure
    stated somewhere and the subject's words somewhere else, in other periods' lines, are not an answer. At least
    half the lines must answer."""
    lines = [line for line in answer.splitlines() if line.startswith("- ")]
    if not lines:
        return judge(asked, answer, sources)
    verdicts = [judge(asked, line, sources) for line in lines]
    good = sum(v is not False for v, _ in verdicts)
    if 2 * good >= len(lines):
        return (True if any(v for v, _ in verdicts) else None), next((r for v, r in verdicts if v), verdicts[0][1])
    failing = next(r for v, r in verdicts if v is False)
    return False, f"Only {good} of the {len(lines)} periods' passages answer it. {failing}"
