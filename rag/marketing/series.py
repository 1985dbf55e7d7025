"""A post series: N LinkedIn posts from the chosen sources, each on another fact, on the team's usual day and hour.

The facts worth a post of their own (results, figures, quotes, how it was
done, the problem) are ranked by relevance to the topic, taking documents in
turn so a series doesn't tell one story four times; each post is drafted
around one of them (composed, or written by the connected model) and gets
the same checks as any draft. The posts are dated at the weekday and hour
the team posts most often (from the dates in its LinkedIn export, which are
UTC), one a week from the start date. A series exports as CSV (date, text,
sources) and as an iCalendar file that calendar apps import.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone

import numpy as np

from ..access.assistants import check_reader
from ..access.users import User
from ..errors import GroundedError
from ..ingest.kinds import records
from ..present import csv_text
from ..types import Notice
from .facts import Fact, extract_facts, on_topic, subject_phrase, topic_terms
from .recipes import Draft, DraftOptions, draft, get_recipe, plan_retrieval

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MIN_POSTS, MAX_POSTS = 2, 8
_POSTABLE = ("result", "quote", "figure", "how", "problem")
_PRONOUN = re.compile(r"^(it|its|it's|they|their|them|this|that|these|those|he|she|his|her)\b", re.I)


@dataclass(frozen=True)
class Slot:
    """When the team usually posts: a weekday (0 = Monday), an hour and minute, UTC; ``posts``: how many dates it came from."""

    weekday: int = 1
    hour: int = 9
    posts: int = 0
    minute: int = 0

    def describe(self) -> str:
        when = f"{WEEKDAYS[self.weekday]}s at {self.hour:02d}:{self.minute:02d} UTC"
        return f"{when}, when most of your {self.posts} past posts went out" if self.posts else \
            f"{when} (no post dates in your documents yet, so a common choice)"


@dataclass
class SeriesPost:
    when: datetime  # UTC
    draft: Draft
    lead: str  # the fact the post is built around, as its source states it


@dataclass
class Series:
    topic: str
    slot: Slot
    posts: list[SeriesPost] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "topic": self.topic,
            "slot": self.slot.describe(),
            "posts": [{"date": p.when.isoformat(), "lead": p.lead, **p.draft.as_dict()} for p in self.posts],
            "notices": [n.as_dict() for n in self.notices],
        }


def usual_slot(store, workspace: str, *, user: User | None) -> Slot:
    """The weekday, hour and minute (UTC) the team posts most often, from its LinkedIn posts' dates.

    The minute is the most common one of that weekday and hour (a team that posts at 08:30 gets 08:30); when no
    minute repeats, the middle one of them.
    """
    check_reader(store.catalog, workspace, user)
    dated = records(store.catalog, workspace)
    stamps = [dated[r.doc_id].doc_date for r in store.catalog.documents(workspace, status="ready")
              if r.kind == "LinkedIn post" and r.doc_id in dated and dated[r.doc_id].doc_date]
    if not stamps:
        return Slot()
    times = [datetime.fromtimestamp(t, tz=timezone.utc) for t in stamps]
    weekday = Counter(t.weekday() for t in times).most_common(1)[0][0]
    hour = Counter(t.hour for t in times if t.weekday() == weekday).most_common(1)[0][0]
    minutes = sorted(t.minute for t in times if t.weekday() == weekday and t.hour == hour)
    (minute, count), = Counter(minutes).most_common(1)
    if count == 1 and len(minutes) > 1:
        minute = minutes[len(minutes) // 2]
    return Slot(weekday, hour, len(times), minute)


def suggested_dates(slot: Slot, n: int, start: date) -> list[datetime]:
    """``n`` dates a week apart on the slot's weekday and hour, the first on or after ``start``."""
    first = start + timedelta(days=(slot.weekday - start.weekday()) % 7)
    return [datetime(first.year, first.month, first.day, slot.hour, slot.minute, tzinfo=timezone.utc) + timedelta(weeks=i)
            for i in range(n)]


def _same_figures(a: Fact, b: Fact) -> bool:
    figures = lambda f: set(re.findall(r"\d[\d,.]*", f.text))  # noqa: E731
    return bool(figures(a)) and figures(a) == figures(b)


def _quote_words(f: Fact) -> str:
    m = re.search(r"[“\"]([^”\"]{12,})[”\"]", f.text)
    return re.sub(r"\W+", " ", m.group(1).lower()).strip() if m else ""


def pick_leads(facts: list[Fact], n: int, topic: str = "") -> list[Fact]:
    """``n`` facts to build posts around: those on the brief's subject first (facts come most about the topic first),
    taking documents in turn; no figure, fact or quote told twice."""
    # A fact that starts "Its sales team..." doesn't say whose: a post can't open on it.
    candidates = [f for f in facts if f.kind in _POSTABLE and not _PRONOUN.match(f.text)]
    subject, _ = topic_terms(topic)
    if subject and any(f.topic_match > 0 for f in candidates):
        # then how the stories on the subject came about and what their people said; never an unrelated figure
        on = [f for f in candidates if f.topic_match > 0]
        docs = {f.doc_id for f in on}
        candidates = on + [f for f in candidates if f.topic_match == 0 and f.doc_id in docs
                            and (f.kind in ("quote", "how", "problem") or (f.kind == "figure" and f.relevance >= 0.3))]
    by_doc: dict[str, list[Fact]] = {}
    for f in candidates:  # already most relevant first
        by_doc.setdefault(f.doc_id, []).append(f)
    picked: list[Fact] = []
    while len(picked) < n and any(by_doc.values()):
        for queue in list(by_doc.values()):
            while queue:
                f = queue.pop(0)
                if not any(_same_figures(f, p) or (_quote_words(f) and _quote_words(f) == _quote_words(p))
                           or (f.before and (f.before, f.after) == (p.before, p.after)) for p in picked):
                    picked.append(f)
                    break
            if len(picked) >= n:
                break
    return picked


_KIND_WORDS = {"result": "another result with its figures", "quote": "a customer quote with who said it",
               "how": "how the change was made", "problem": "what the problem was before"}


def short_series_text(leads: list[Fact], n: int) -> str:
    """Why a series is shorter than asked, and what to add: the kinds of fact a post can be built around that the
    documents don't have on the topic ("Add a customer quote with who said it ... for a fourth post")."""
    have = {f.kind for f in leads}
    missing = [words for kind, words in _KIND_WORDS.items() if kind not in have] or [_KIND_WORDS["result"]]
    wanted = " or ".join(missing[:2])
    ordinal = {2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh", 8: "eighth"}
    more = f"a {ordinal.get(n, 'last')} post" if len(leads) + 1 == n else f"{n - len(leads)} more posts"
    return (f"Your documents hold {len(leads)} different fact{'s' if len(leads) != 1 else ''} on this topic, so the series "
            f"has {len(leads)} post{'s' if len(leads) != 1 else ''} instead of {n}: no fact or quote is told twice. Add a "
            f"document with {wanted} on this topic for {more}.")


def plan_series(store, topic: str, n: int = 4, workspace: str | None = None, files: tuple[str, ...] = (),
                start: date | None = None, options: DraftOptions = DraftOptions(), settings=None, model=None, *,
                user: User | None) -> Series:
    """``n`` LinkedIn posts on ``topic`` from ``files`` (all fact documents if none), dated on the team's usual slot."""
    if not MIN_POSTS <= n <= MAX_POSTS:
        raise GroundedError(f"A series has {MIN_POSTS} to {MAX_POSTS} posts.")
    settings = settings or store.settings
    workspace = workspace or settings.workspace
    check_reader(store.catalog, workspace, user)
    recipe = get_recipe("linkedin-post")
    # Documents a person picked are used whole (most relevant passages first), not cut at the relevance threshold.
    retrieval = options.retrieval.with_(k=max(12, options.retrieval.k), threshold=-1.0 if files else None)
    plan = plan_retrieval(store, recipe, topic, workspace, retrieval, files, user=None)  # checked above
    slot = usual_slot(store, workspace, user=None)
    series = Series(topic, slot, notices=list(plan.notices))
    if not plan.facts:
        series.notices.append(Notice("nothing_to_write", f"None of the chosen documents says anything relevant to “{topic}”, "
                                     "so there is nothing to plan a series from."))
        return series
    embeddings = store.embeddings_for(workspace)  # the assistant's model
    qvec = np.asarray(embeddings.embed_query(plan.query), dtype=np.float32)
    facts = extract_facts(plan.facts, qvec, embeddings, topic=plan.query)
    if not on_topic(facts, plan.query, embeddings):
        series.notices.append(Notice("off_topic", f"None of the chosen documents says anything about “"
                                     f"{subject_phrase(plan.query) or plan.query}”, so there is no series to plan on it. "
                                     "Pick other sources or change the topic."))
        return series
    leads = pick_leads(facts, n, plan.query)
    if len(leads) < n:
        series.notices.append(Notice("nothing_to_write", short_series_text(leads, n)))
    dates = suggested_dates(slot, len(leads), start or datetime.now(timezone.utc).date() + timedelta(days=1))
    told: list[str] = []  # facts earlier posts state: no later post states them again
    for i, (lead, when) in enumerate(zip(leads, dates)):
        others = tuple(f.text for f in leads if f is not lead) + tuple(told)
        one = replace(options, files=files, lead=lead.text, variants=1, angle=i, retrieval=retrieval, exclude=others)
        post = draft(store, "linkedin-post", topic, workspace, one, settings, model=model, user=None)
        told += post.stated
        series.posts.append(SeriesPost(when, post, lead.text))
    return series


# exports
def _sources(d: Draft) -> str:
    return "; ".join(" · ".join(x for x in (c.file, c.section) if x) for c in d.citations)


def series_csv(series: Series) -> str:
    """date, text, sources: one row per post (the text as it would be published, without source numbers).

    No cell is a formula to a spreadsheet (a source file named ``=HYPERLINK(...)`` included): see
    :func:`rag.present.spreadsheet_cell`."""
    return csv_text([["date", "text", "sources"]] + [
        [p.when.strftime("%Y-%m-%d %H:%M UTC"), p.draft.publishable, _sources(p.draft)] for p in series.posts])


# Every way a line ends, to a reader that splits lines (str.splitlines, many calendar parsers): CRLF, CR, LF,
# and the vertical tab, form feed, file/group/record separators, NEL and the Unicode line and paragraph separators.
_LINE_BREAK = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")  # RFC 5545 allows no other control character in TEXT


def _ics_text(value: str) -> str:
    """A TEXT value as RFC 5545 writes it: backslash, semicolon and comma escaped, every line break as ``\\n``
    (a bare carriage return in a file name can't start a property of its own), other control characters dropped."""
    value = _CONTROL.sub("", _LINE_BREAK.sub("\n", value))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """A content line folded at 75 octets (never inside a UTF-8 character), as RFC 5545 requires."""
    out, current = [], b""
    for ch in line:
        encoded = ch.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def summary_of(line: str, most: int = 60) -> str:
    """A calendar entry's summary: the post's first line, cut after a whole word (with "…") when it runs long."""
    line = re.sub(r"\s+", " ", line).strip()
    if len(line) <= most:
        return line
    cut = line[: most + 1]
    head = cut[: cut.rfind(" ")] if " " in cut else line[:most]
    return head.rstrip(" ,;:-–—") + "…"


def series_ics(series: Series, made: datetime | None = None) -> str:
    """The series as an iCalendar file: one 30-minute event per post, its text and sources in the description."""
    stamp = (made or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Grounded//Post series//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    total = len(series.posts)
    for n, p in enumerate(series.posts, 1):
        text = p.draft.publishable
        first = next((line for line in text.splitlines() if line.strip()), "")
        uid = hashlib.sha256(f"{series.topic}\0{p.when.isoformat()}\0{text}".encode()).hexdigest()[:24]
        description = text + (f"\n\nSources: {_sources(p.draft)}" if p.draft.citations else "")
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}@grounded",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{p.when.strftime('%Y%m%dT%H%M%SZ')}",
            f"DTEND:{(p.when + timedelta(minutes=30)).strftime('%Y%m%dT%H%M%SZ')}",
            f"SUMMARY:{_ics_text(f'LinkedIn post {n} of {total}: {summary_of(first)}')}",
            f"DESCRIPTION:{_ics_text(description)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
