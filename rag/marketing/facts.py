"""The fact sheet: what a draft may state, taken verbatim from the retrieved passages.

Each passage is cut into units (:func:`rag.answer.quote.units_of`: sentences,
list items, ordered lists) and each unit is typed by plain rules:

- ``quote``: words in quotation marks with the person who said them, in the
  same sentence (“…,” says Maria Lopez, Head of Support) or on the next line
  (— Maria Lopez, Head of Support). A quote nobody is named for is not one.
- ``result``: a figure with a before and after ("from 41 days to 12 days",
  "2 hours instead of 3 days"), a change ("fell by 35%"), or any figure in a
  results section;
- ``figure``: any other sentence with a number;
- ``problem`` / ``how``: a sentence of a challenge or solution section, or one
  that reads like one ("by hand", "rolled out");
- ``step``: an item of a numbered list (for help articles), in order;
- ``statement``: anything else.

A table row with a metric and before/after columns ("| Overtime as a share
of hours | 11% | 4% |" under "| Metric | Before | After (12 months) |") is a
``result`` with its ``metric`` and ``period``.

The topic decides which facts come first (:func:`topic_terms`,
:func:`extract_facts`): the brief's subject words ("overtime", "onboarding
time", "no-shows"), matched on stems and weighted by how rare they are among
the facts, count for more than the embedding similarity, so the metric a
brief names is the headline whenever a source has it. :func:`on_topic` says
when no fact is about the brief's subject at all.

:func:`realise` turns a fact into a short sentence from a typed frame
(before/after, count, date, quote, step, price, or the source's own
sentence), and :func:`grounded` checks that every figure, name and word of
it is in the cited passage (frame words aside), so a realised sentence can't
invent. Words are Unicode words (letters and digits of any script): "cafés" is never cut to "caf".

:func:`brief_customer` finds the customer a brief names, spelt as the sources
spell it, and :func:`name_customer` says a fact of their document with their
name ("Brewhouse Coffee cut overtime from 11% to 4% of hours in 12 months.",
"After BrightSmile Dental adopted...", "At Harbor Freight Co, ..."); the name
counts as the passage's own when the passage, its document's title or its
file names them, and nothing else is loosened.

A fact keeps its source number (``[n]`` in the draft is ``plan.facts[n-1]``)
and its relevance to the topic (embedding similarity), so the composer can
state the best ones and cite each exactly where it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from ..answer.quote import Unit, units_of
from ..types import Hit
from ..words import analyse

FactKind = Literal["quote", "result", "figure", "problem", "how", "step", "statement"]

_QUOTE = re.compile(r"[“\"]([^”\"]{12,})[”\"]")
# A name may start with a title of address ("Dr. Priya Raman", "Prof. Ada Lee"); its full stop ends no sentence.
_HONORIFIC = r"(?:(?:Dr|Prof|Mr|Mrs|Ms|Mx|Sir|Dame)\.?\s+)?"
_SAYS = re.compile(r"[”\"],?\s*(?:says|said|explains|explained|adds|added|notes|noted)\s+(" + _HONORIFIC +
                   r"[A-Z][\w’'-]+(?:\s+[A-Z][\w’'.-]+)+)(\s*,\s*(?:[^.]|\.(?=\w))+)?", re.UNICODE)
_DASH_SPEAKER = re.compile(r"^\s*[—–-]{1,2}\s*(" + _HONORIFIC + r"[A-Z][\w’'-]+(?:\s+[A-Z][\w’'.-]+)+)\s*(,\s*.+)?$")
# A figure and its unit word: the unit is a whole Unicode word ("12 cafés", never "12 caf").
_AMOUNT = r"[$€£]?\d[\d,.]*(?:\s?%|\s?(?!(?:in|of|on|at|by|for|per|a|an|the|and|or|to|within)\b)[^\W\d_]+)?"
_PAIR = re.compile(rf"\bfrom\s+(?P<before>{_AMOUNT})\s+to\s+(?P<after>{_AMOUNT})", re.I)
_INSTEAD = re.compile(rf"(?P<after>{_AMOUNT})\s+instead of\s+(?P<before>{_AMOUNT})", re.I)
_CHANGE = re.compile(r"\b(cut|reduc\w+|fell|dropped|dropping|rose|grew|increas\w+|decreas\w+|raised|doubled|tripled|halved|"
                     r"saved|boost\w*|improv\w+|lift\w*)\b[^.]*\d|\d[^.]*\b(faster|fewer|less|more|higher|lower)\b", re.I)
_DIGIT = re.compile(r"\d")
_RESULTS = re.compile(r"\b(results?|outcomes?|impact|benefits?|by the numbers|the numbers)\b", re.I)
_PROBLEM_SECTION = re.compile(r"\b(challenge|problem|before|situation|background|pain)\b", re.I)
_HOW_SECTION = re.compile(r"\b(solution|approach|how|what (they|we) did|implementation|roll-?out|the fix|why they chose)\b", re.I)
_PROBLEM_WORDS = re.compile(r"\b(by hand|manual(ly)?|piled up|slow|struggl\w+|spent (hours|days|weeks)|took weeks|bottleneck|"
                            r"couldn'?t|frustrat\w+|error-prone|spreadsheets?)\b", re.I)
_HOW_WORDS = re.compile(r"\b(rolled out|switched|adopted|replaced|automated|introduced|moved to|started using|now uses|uses|"
                        r"built|deployed|connected|integrated|set up|trained)\b", re.I)
_ORDERED = re.compile(r"^\s*(?:step\s+)?(\d{1,2})[.):]\s+", re.I)


@dataclass(frozen=True)
class Fact:
    kind: FactKind
    text: str  # verbatim from the source
    source: int  # 1-based: [n] in a draft is the n-th retrieved passage
    doc_id: str
    file: str
    relevance: float = 0.0  # similarity to the topic
    speaker: str = ""  # a quote's person and title ("Maria Lopez, Head of Support at Northwind")
    attribution: str = ""  # a quote's attribution line, verbatim, when it is on a line of its own
    before: str = ""  # a result's figures: "41 days" -> "12 days"
    after: str = ""
    section: str = ""
    position: int = 0  # order within its passage (steps keep their order)
    metric: str = ""  # a table row's metric ("Overtime as a share of hours")
    period: str = ""  # a table row's period, from its header ("12 months" of "After (12 months)")
    topic_match: float = 0.0  # share of the brief's subject words it states (0..1, rare words weigh more)
    passage: str = field(default="", compare=False, repr=False)  # the cited passage's text (for :func:`grounded`)
    title: str = field(default="", compare=False, repr=False)  # its document's title ("Brewhouse Coffee case study")

    def cited(self) -> str:
        """The fact as a draft line, with its citation marker (an attribution line joins its quote)."""
        text = f"{self.text} {self.attribution}" if self.attribution else self.text
        return f"{text} [{self.source}]"

    @property
    def step_text(self) -> str:
        """A step without its own number (the draft numbers its steps)."""
        return _ORDERED.sub("", self.text, count=1).strip()


def _speaker(text: str) -> str:
    m = _SAYS.search(text)
    if not m:
        return ""
    return (m.group(1) + (m.group(2) or "")).strip().rstrip(".")


def _kind(text: str, section: str) -> FactKind:
    if _DIGIT.search(text) and (_PAIR.search(text) or _INSTEAD.search(text) or _CHANGE.search(text) or _RESULTS.search(section)):
        return "result"
    if _DIGIT.search(text):
        return "figure"
    if _PROBLEM_SECTION.search(section) or _PROBLEM_WORDS.search(text):
        return "problem"
    if _HOW_SECTION.search(section) or _HOW_WORDS.search(text):
        return "how"
    return "statement"


def _pair(text: str) -> tuple[str, str]:
    m = _PAIR.search(text) or _INSTEAD.search(text)
    if not m:
        return "", ""
    before, after = m.group("before").strip(), m.group("after").strip()
    unit = re.search(r"[^\W\d_]+$", after)
    if unit and not re.search(r"[^\W\d_%]$|%$", before):  # "from 41 to 12 days": both are days
        before = f"{before} {unit.group(0)}"
    return before, after


def _whole_quotes(units: list[Unit]) -> list[Unit]:
    """Units with a quotation that runs over several sentences joined back into one (“We ... us. Now ... them.”)."""
    out: list[Unit] = []
    for u in units:
        prev = out[-1] if out else None
        if prev is not None and prev.block == u.block and prev.kind == u.kind == "sentence" and _open_quote(prev.text):
            out[-1] = replace(prev, text=f"{prev.text} {u.text}")
        else:
            out.append(u)
    return out


def _open_quote(text: str) -> bool:
    """True when ``text`` opens a quotation it doesn't close."""
    return text.count("“") > text.count("”") or text.count('"') % 2 == 1


_BEFORE_COL = re.compile(r"^\s*(before|baseline|previously|old|was|then|start(ing)?)\b", re.I)
_AFTER_COL = re.compile(r"^\s*(after|now|today|new|current(ly)?|result|is)\b", re.I)
_CELL_FIGURE = re.compile(r"^\s*[$€£]?\d[\d,.]*\s?(%|[^\W\d_]+(\s[^\W\d_]+)?)?\s*$")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _row_fact(u: Unit) -> dict | None:
    """A table row under a header with before and after columns: its metric, before, after and period."""
    if not u.header:
        return None
    header, row = _cells(u.header.splitlines()[0]), _cells(u.text)
    if len(row) != len(header) or len(row) < 3:
        return None
    before = next((i for i, h in enumerate(header) if _BEFORE_COL.match(h)), None)
    after = next((i for i, h in enumerate(header) if _AFTER_COL.match(h)), None)
    if before is None or after is None or before == after:
        return None
    metric = row[0]
    if not metric or _DIGIT.fullmatch(metric) or not _CELL_FIGURE.match(row[before]) or not _CELL_FIGURE.match(row[after]):
        return None
    period = re.search(r"\(([^)]*\d[^)]*)\)", header[after]) or re.search(r"\b(?:after|within|in)\s+(.*\d.*)$", header[after], re.I)
    return dict(metric=metric, before=row[before], after=row[after], period=period.group(1).strip() if period else "")


def extract_facts(hits: list[Hit], topic_vector: np.ndarray | None = None, embeddings=None, topic: str = "") -> list[Fact]:
    """Every fact of the passages (see the module docstring), the ones most about the topic first.

    ``topic``: the brief; its subject words decide the order (:func:`rank`) before the embedding similarity does.
    """
    drafts: list[Fact] = []
    seen: set[str] = set()
    for n, hit in enumerate(hits, 1):
        units = _whole_quotes(units_of(hit, n))
        section = hit.section.split(" > ")[-1] if hit.section else ""
        title = hit.section.split(" > ")[0] if hit.section else ""
        ordered = {u.block for u in units if u.kind == "list" and _ORDERED.match(u.text)}
        for i, u in enumerate(units):
            if u.kind == "list" and u.block in ordered:  # a numbered list: its items are the steps, in order
                for k, line in enumerate(u.text.splitlines()):
                    drafts.append(Fact("step", line.strip(), n, hit.doc_id, hit.file, section=section or u.context,
                                       position=u.position + k, passage=hit.text, title=title))
                continue
            if u.kind == "row":  # a table row with before and after columns is a result
                row = _row_fact(u)
                key = re.sub(r"\W+", " ", u.text.lower()).strip()
                if row and key not in seen:
                    seen.add(key)
                    drafts.append(Fact("result", u.text.strip(), n, hit.doc_id, hit.file, section=section,
                                       position=u.position, passage=hit.text, title=title, **row))
                continue
            if u.kind in ("label", "list") or u.block in ordered or len(u.text) < 8:
                continue
            text = u.text.strip()
            key = re.sub(r"\W+", " ", text.lower()).strip()
            if key in seen:
                continue
            seen.add(key)
            common = dict(source=n, doc_id=hit.doc_id, file=hit.file, section=section or u.context.split("\n")[0],
                          position=u.position, passage=hit.text, title=title)
            if _ORDERED.match(text):
                drafts.append(Fact("step", text, **common))
                continue
            if _QUOTE.search(text):
                if speaker := _speaker(text):
                    drafts.append(Fact("quote", text, speaker=speaker, **common))
                    continue
                following = units[i + 1].text.strip() if i + 1 < len(units) else ""
                if m := _DASH_SPEAKER.match(following):
                    seen.add(re.sub(r"\W+", " ", following.lower()).strip())
                    speaker = (m.group(1) + (m.group(2) or "")).strip()
                    drafts.append(Fact("quote", text, speaker=speaker, attribution=following, **common))
                    continue
            kind = _kind(text, common["section"])
            before, after = _pair(text) if kind == "result" else ("", "")
            drafts.append(Fact(kind, text, before=before, after=after, **common))
    if not drafts or topic_vector is None or embeddings is None:
        return rank(drafts, topic) if topic else drafts
    vectors = embeddings.embed_array([f"{f.section}\n{f.metric or f.text}" if f.metric else f"{f.section}\n{f.text}"
                                      for f in drafts])
    scores = vectors @ np.asarray(topic_vector, dtype=np.float32)
    ranked = [replace(f, relevance=round(float(s) - 0.01 * (f.source - 1), 4)) for f, s in zip(drafts, scores)]
    return rank(ranked, topic)


# the topic decides
# Words of a brief that say how a thing changed, or what kind of piece it is, not what it is about.
_GENERIC = set(analyse(
    "how what why cut cuts reduce reduced reducing lower lowered fell drop dropped grow grew raise raised boost improve "
    "improved faster fewer less more better got get gets getting help helped helps use used using uses customer customers "
    "client clients result results story stories case study studies success post posts linkedin team teams new way ways "
    "work works worked thing things time saved save saving win wins benefit benefits impact outcome outcomes numbers "
    "our their its about learn learned lesson lessons first last second next fast quick quickly much big well really "
    "so really year"))
# "onboarding time", "intake in days": the subject is onboarding or intake; a bare "time" still counts, a little
_TIME_WORDS = set(analyse("time times minute minutes hour hours day days week weeks month months year years quarter"))


def topic_terms(topic: str) -> tuple[list[str], list[str]]:
    """(subject stems, name stems) of a brief: "How Brewhouse Coffee cut overtime with Shiftly" -> (["overtim"], [...]).

    Names are the capitalised words after the first; the subject is what is left once stop words and the
    words every brief uses ("cut", "customer", "results") are out.
    """
    names: list[str] = []
    for m in re.finditer(r"[^\W\d_][\w’'&-]*", topic):
        word = m.group(0)
        if m.start() > 0 and word[0].isupper() and topic[: m.start()].strip():
            names += analyse(word)
    subject = [t for t in dict.fromkeys(analyse(topic)) if t not in _GENERIC and t not in names and not t[0].isdigit()]
    if len(subject) > 1:
        subject = [t for t in subject if t not in _TIME_WORDS] + [t for t in subject if t in _TIME_WORDS]
    return subject, list(dict.fromkeys(names))


def subject_phrase(topic: str) -> str:
    """The brief's own words for its subject ("overtime", "patient intake"): the longest run of subject words."""
    subject, _ = topic_terms(topic)
    wanted = {t for t in subject if t not in _TIME_WORDS} or set(subject)
    runs, current = [], []
    for w in re.findall(r"[^\W_]+(?:[-'’][^\W_]+)*", topic):
        if set(analyse(w)) & wanted:
            current.append(w)
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    return " ".join(max(runs, key=len)) if runs else ""


def _terms_of(f: Fact) -> set[str]:
    return set(analyse(f"{f.metric} {f.text} {f.attribution}"))


def rank(facts: list[Fact], topic: str) -> list[Fact]:
    """``facts`` with their ``topic_match`` set, most about the brief first.

    The score: the share of the brief's subject words a fact states (each weighed by how rare it is among the
    facts, so "overtime" counts more than "hours"; a generic "time" counts half), plus a little for the names
    the brief gives, plus the embedding similarity (``relevance``) to break ties and find synonyms.
    """
    if not facts:
        return facts
    subject, names = topic_terms(topic)
    terms = [_terms_of(f) for f in facts]
    n = len(facts)

    def weight(t: str) -> float:
        df = sum(t in ts for ts in terms)
        return float(np.log(1 + n / (1 + df))) * (0.5 if t in _TIME_WORDS else 1.0)

    weights = {t: weight(t) for t in subject}
    total = sum(weights.values())
    out = []
    for f, ts in zip(facts, terms):
        match = sum(w for t, w in weights.items() if t in ts) / total if total else 0.0
        named = sum(t in ts for t in names) / len(names) if names else 0.0
        out.append((replace(f, topic_match=round(match, 3)), match + 0.15 * named + f.relevance))
    out.sort(key=lambda x: -x[1])
    return [f for f, _ in out]


def on_topic(facts: list[Fact], topic: str, embeddings=None, floor: float = 0.35) -> bool:
    """Whether any fact is about the brief's subject: one states a subject word (on stems), or, with ``embeddings``,
    one is close in meaning to the brief without its names (a synonym: "reply times" for "first-response time"; names left out, since every fact of a
    customer's story is near its name).

    A brief with no subject words of its own ("customer results") is about whatever the sources say.
    """
    subject, _ = topic_terms(topic)
    if not subject or not facts:
        return bool(facts)
    if any(f.topic_match > 0 for f in facts):
        return True
    if embeddings is None:
        return False
    _, names = topic_terms(topic)
    unnamed = " ".join(w for w in re.findall(r"[^\W_]+(?:[-'’&][^\W_]+)*", topic) if not set(analyse(w)) & set(names))
    vectors = embeddings.embed_array([unnamed] + [f.metric or f.text for f in facts[:20]])
    return float(np.max(vectors[1:] @ vectors[0])) >= floor


def main_document(facts: list[Fact]) -> str | None:
    """The document a short piece should be about: the one whose best result, figure or quote fits the topic best."""
    telling = [f for f in facts if f.kind in ("result", "figure", "quote")] or facts
    return telling[0].doc_id if telling else None  # facts come most about the topic first


def best(facts: list[Fact], kind: FactKind, doc_id: str | None = None, exclude: tuple[Fact, ...] = ()) -> Fact | None:
    """The most relevant fact of ``kind`` (in ``doc_id`` if given), other than ``exclude``."""
    for f in facts:
        if f.kind == kind and (doc_id is None or f.doc_id == doc_id) and f not in exclude:
            return f
    return None


def headline_result(facts: list[Fact], doc_id: str | None = None) -> Fact | None:
    """The figure to lead with: the one most about the brief's subject; among equals a before-and-after result,
    else any result, else any figure (facts come most relevant first)."""
    mine = [f for f in facts if f.kind in ("result", "figure") and (doc_id is None or f.doc_id == doc_id)]
    if not mine:
        return None
    order = {id(f): i for i, f in enumerate(mine)}
    return min(mine, key=lambda f: (-f.topic_match, f.kind != "result", not (f.before and f.after), order[id(f)]))


def steps_of(facts: list[Fact]) -> list[Fact]:
    """The numbered steps of the most relevant how-to passage, in their order."""
    steps = [f for f in facts if f.kind == "step"]
    if not steps:
        return []
    top = steps[0].source
    return sorted((f for f in steps if f.source == top), key=lambda f: f.position)


def fact_sheet(facts: list[Fact]) -> str:
    """The facts as a list for a writing model's prompt: the only things it may state, each with its [n]."""
    return "\n".join(f"- {f.cited()}" for f in facts)


# sentences built from facts
FrameKind = Literal["before_after", "count", "date", "quote", "step", "price", "sentence"]

# The words a frame adds around a fact's own words: they say how the figures relate, never a fact of their own.
FRAME_WORDS = frozenset("""cut fell rose went from to in of on at by after within the a an and
    says said step what changed words put it this way""".split())
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_FIGURE = re.compile(r"\d[\d,.]*\d|\d")
_MONTH = re.compile(r"\b(january|february|march|april|may|june|july|august|september|october|november|december)\b", re.I)
_PRICE = re.compile(r"[$€£]\s?\d|\b\d[\d,.]*\s?(dollars|euros|pounds)\b|\bper (month|year|seat|user)\b", re.I)
_SHARE_OF = re.compile(r"^(?P<head>.+?)\s+as an? (?:share|percentage|proportion|%) of\s+(?P<of>.+)$", re.I)
_NAME = re.compile(r"\b[A-Z][\w&'’-]*(?:\s+(?:&\s+)?[A-Z][\w&'’-]*)*")
MAX_SENTENCE_WORDS = 28


@dataclass(frozen=True)
class Realised:
    """A fact as a sentence of a draft: the frame it was built with, and the fact it states (cited as ``[n]``)."""

    frame: FrameKind
    text: str
    fact: Fact
    named: str = ""  # the customer the brief names, when the sentence names them (:func:`name_customer`)

    def cited(self) -> str:
        return f"{self.text} [{self.fact.source}]"


def word_tokens(text: str) -> list[str]:
    """Unicode words ("cafés", "no-shows" -> "no", "shows"): never cut inside a word."""
    return _WORD.findall(text)


def _number(figure: str) -> float | None:
    m = re.search(r"\d[\d,]*(?:\.\d+)?", figure)
    try:
        return float(m.group(0).replace(",", "")) if m else None
    except ValueError:
        return None


_MINUTES = {"second": 1 / 60, "sec": 1 / 60, "minute": 1, "min": 1, "hour": 60, "hr": 60, "day": 1440, "week": 10080,
            "month": 43800, "year": 525600}


def _in_minutes(figure: str) -> float | None:
    """A length of time in minutes ("9 hours" -> 540), None when the figure is no length of time."""
    m = re.search(r"(\d[\d,]*(?:\.\d+)?)\s*([^\W\d_]+)", figure)
    unit = m.group(2).lower().rstrip("s") if m else ""
    return float(m.group(1).replace(",", "")) * _MINUTES[unit] if unit in _MINUTES else None


def direction(before: str, after: str) -> int:
    """-1 when the figure went down, 1 up, 0 unknown or equal ("9 hours" to "45 minutes" went down)."""
    b, a = _number(before), _number(after)
    if (tb := _in_minutes(before)) is not None and (ta := _in_minutes(after)) is not None:
        b, a = tb, ta
    if b is None or a is None or a == b:
        return 0
    return -1 if a < b else 1


def subject_of(fact: Fact, titles: dict[str, str] | None = None) -> str:
    """Who a result is about: a name in the fact's passage that its document's title (or file) also names, else ""."""
    title = (titles or {}).get(fact.doc_id, "") or fact.file
    title_words = set(w.lower() for w in word_tokens(re.sub(r"[._/-]+", " ", title)))
    for m in _NAME.finditer(fact.passage):
        name = m.group(0).strip()
        words_ = [w.lower() for w in word_tokens(name)]
        if words_ and words_[0] in title_words and len(words_[0]) > 2 and words_[0] not in {"the", "how", "our"}:
            return name  # "Brewhouse Coffee", named by "brewhouse-case-study.pdf"
    return ""


def _row_sentence(fact: Fact, who: str) -> str:
    """"Brewhouse Coffee cut overtime from 11% to 4% of hours in 12 months." from a before/after row."""
    metric = fact.metric.strip().rstrip(".:")
    tail = ""
    if m := _SHARE_OF.match(metric):
        metric, tail = m.group("head"), f" of {m.group('of')}"
    period = f" in {fact.period}" if fact.period else ""
    way = direction(fact.before, fact.after)
    if who and way == -1:  # "<Customer> cut overtime ..."; a rise reads better said of the metric itself
        return f"{who} cut {metric[0].lower() + metric[1:] if not metric[:2].isupper() else metric} from {fact.before} " \
               f"to {fact.after}{tail}{period}."
    verb = {-1: "fell", 1: "rose", 0: "went"}[way]
    return f"{metric[0].upper() + metric[1:]} {verb} from {fact.before} to {fact.after}{tail}{period}."


def _short(text: str) -> str:
    """A source sentence kept whole, or cut to its first clause when it runs long (never inside a word or a figure's clause)."""
    if len(word_tokens(text)) <= MAX_SENTENCE_WORDS:
        return text
    head, comma, rest = text.partition(", ")
    if comma and 5 <= len(word_tokens(head)) <= MAX_SENTENCE_WORDS and not re.match(
            r"\s*(but|except|only|although|though|unless|until|if|while|whereas|yet|not)\b", rest, re.I):
        return head.rstrip(".") + "."
    return text


def frame_of(fact: Fact) -> FrameKind:
    if fact.kind == "quote":
        return "quote"
    if fact.kind == "step":
        return "step"
    if fact.before and fact.after:
        return "before_after"
    if _PRICE.search(fact.text):
        return "price"
    if _MONTH.search(fact.text) and re.search(r"\b(19|20)\d\d\b", fact.text):
        return "date"
    if _DIGIT.search(fact.text):
        return "count"
    return "sentence"


def realise(fact: Fact, titles: dict[str, str] | None = None) -> Realised | None:
    """``fact`` as a short sentence from its frame, or None when the sentence would say what the passage doesn't."""
    frame = frame_of(fact)
    if frame == "quote":
        text = f"{fact.text} {fact.attribution}" if fact.attribution else fact.text
    elif frame == "step":
        text = fact.step_text
    elif fact.metric:  # a table row: built from its cells
        text = _row_sentence(fact, subject_of(fact, titles))
    else:
        text = _short(fact.text)
    text = re.sub(r"\s+", " ", text).strip()
    if not re.search(r"[.!?…”\"]$", text):
        text += "."
    realised = Realised(frame, text, fact)
    return realised if grounded(realised) else None


def grounded(realised: Realised) -> bool:
    """Every figure and every word of the sentence (frame words aside) is in its fact's passage.

    The customer a sentence names (``realised.named``, from the brief) may also come from the passage's document
    title, spelt exactly as there: a table row of "Brewhouse Coffee case study" is Brewhouse Coffee's figure."""
    passage = realised.fact.passage or realised.fact.text
    have = {w.lower() for w in word_tokens(passage)}
    if realised.named and _document_names(realised.fact, realised.named, exact=True):
        have |= {w.lower() for w in word_tokens(realised.named)}
    figures = {f.replace(",", "") for f in _FIGURE.findall(passage)}
    for figure in _FIGURE.findall(realised.text):
        if figure.replace(",", "") not in figures:
            return False
    return all(w.lower() in have or w.lower() in FRAME_WORDS for w in word_tokens(realised.text) if not _DIGIT.match(w))


# shorter forms of the same fact (the composer picks the one that fits the team's length)
_CLAUSE_BREAK = re.compile(r",\s+(?=(?:and|but|because|so|which|while|as)\b)|;\s+|\s+[—–]\s+", re.I)


def _speaker_forms(speaker: str) -> list[str]:
    """Who said it, in full and as name and title: "Ana Müller, Head of Operations, Brewhouse Coffee" ->
    [that, "Ana Müller, Head of Operations"]; "Tom Reyes, Head of Fleet at Harbor Freight Co" -> [that, "Tom Reyes,
    Head of Fleet"]. Never the name alone: a quote keeps its speaker's name and title."""
    name, comma, rest = speaker.partition(", ")
    forms = [speaker]
    if comma:
        title = re.split(r",\s+|\s+at\s+", rest, maxsplit=1)[0].strip()
        if title and title != rest.strip():
            forms.append(f"{name}, {title}")
    return forms


def quote_forms(fact: Fact, topic: str = "") -> list[str]:
    """A quote given whole and shorter, each a run of its speaker's own whole words ("never cut inside a word"):
    the whole quote, then each of its sentences (those sharing a word with ``topic`` first), then the first clause
    of each ("…" marks what is left out), each with the speaker's name and title; longest first, every form
    checked against the passage (:func:`grounded`). ``[]`` for a fact that is no quote with a named speaker."""
    m = _QUOTE.search(fact.text)
    if fact.kind != "quote" or not m or not fact.speaker:
        return []
    inner = m.group(1).strip().rstrip(",").strip()
    pieces = [inner]
    parts = [p.strip() for p in re.split(r"(?<=[.!?…])\s+", inner) if len(word_tokens(p)) >= 3]
    about = set(analyse(topic))
    if len(parts) > 1:
        pieces += sorted(parts, key=lambda p: -len(set(analyse(p)) & about))
    for p in [inner] + (parts if len(parts) > 1 else []):
        head = _CLAUSE_BREAK.split(p, maxsplit=1)[0].strip().rstrip(",;")
        if head != p and len(word_tokens(head)) >= 3:
            pieces.append(head.rstrip(".") + "…")
    out: list[str] = []
    for piece in dict.fromkeys(pieces):
        end = "" if re.search(r"[.!?…]$", piece) else "."
        for who in _speaker_forms(fact.speaker):
            text = f"“{piece}{end}” — {who}."
            if text not in out and grounded(Realised("quote", text, fact)):
                out.append(text)
    return out


def forms_of(realised: Realised, twins: list[Fact] = (), titles: dict[str, str] | None = None, topic: str = "") -> list[str]:
    """The ways a draft may state one fact, cited (``… [n]``), its own realisation first, then shorter ones: for a
    quote, its trimmed forms (:func:`quote_forms`); for a before/after result, the same figures as another source line
    states them (``twins``: the sentence of a table row, the row of a sentence), always a whole sentence with its
    metric. Each is checked against its passage; the composer picks the one that fits the team's length."""
    fact = realised.fact
    out = [realised.cited()]
    if realised.frame == "quote":
        out += [f"{q} [{fact.source}]" for q in quote_forms(fact, topic)]
    elif fact.before and fact.after:
        same = [t for t in twins if t is not fact and (t.before, t.after) == (fact.before, fact.after)]
        out += [r.cited() for t in same if (r := realise(t, titles)) is not None]
    return list(dict.fromkeys(out))


# the customer the brief names
_RUN = re.compile(r"[A-Z][\w&'’.-]*(?:\s+(?:&\s+)?[A-Z][\w&'’-]*)*")
# "After the group adopted...", "They cut...": a subject nobody is named for, before its verb ("The Team plan" is a name)
_UNEXPLAINED = re.compile(r"^(?P<pre>(?:[Aa]fter|[Ww]hen|[Ss]ince|[Oo]nce)\s+)?(?P<subject>[Tt]he\s+(?:group|team|company|"
                          r"business|firm|chain|customer|client|organi[sz]ation)|[Tt]hey)(?=\s+(?:\w+ed|cut|grew|fell|"
                          r"rose|saw|went|made|won|kept|halved|doubled|now|also|then|has|have|had)\b)")


def mentions(text: str, name: str, exact: bool = False) -> bool:
    """Whether ``text`` names ``name`` as whole words (a possessive "Brewhouse Coffee's" too); case-insensitive
    unless ``exact``."""
    return bool(re.search(rf"(?<![\w&]){re.escape(name)}(?![\w&])", text, 0 if exact else re.I))


def _as_name(text: str, run: str) -> bool:
    """``run`` is written in ``text`` as a name: with its capitals, not only at the start of a line or sentence
    ("nurses" and "Nurses enter..." don't make "Nurses" a name)."""
    for m in re.finditer(rf"(?<![\w&]){re.escape(run)}(?![\w&])", text):
        if not re.search(r"(^|[.!?:\n#|]\s*|[“\"]\s*)$", text[: m.start()]):
            return True
    return False


def brief_customer(topic: str, facts: list[Fact]) -> str:
    """The customer or company a brief names, spelt as the sources spell it ("How Brewhouse Coffee cut overtime with
    Shiftly" -> "Brewhouse Coffee"), "" when it names none the sources know.

    A name is a run of capitalised words of the brief (the brief's first word only when the sources write it as a
    name too); of the names the sources write as names, the one a document is titled after comes first (the
    customer, not the product: "Shiftly"), and a shorter name is given in the title's longer form ("Brewhouse" ->
    "Brewhouse Coffee")."""
    texts = list(dict.fromkeys(f.passage or f.text for f in facts))
    titles = list(dict.fromkeys(f.title for f in facts if f.title))
    sources = "\n".join(texts)
    found: list[str] = []
    for m in _RUN.finditer(topic):
        words_ = m.group(0).split()
        runs = [" ".join(words_[i:j]) for n in range(len(words_), 0, -1) for i in range(len(words_) - n + 1)
                for j in [i + n]]
        for run in runs:
            if run.strip("&").strip() != run or len(run) < 2:
                continue
            spelt = next((hit.group(0) for t in texts + titles
                          for hit in re.finditer(rf"(?<![\w&]){re.escape(run)}(?![\w&])", t, re.I)
                          if hit.group(0)[0].isupper()), "")
            opens = m.start() == 0 and run.split()[0] == words_[0]  # "How ...", "What ...": a name only if written so
            if spelt and spelt[0].isupper() and (_as_name(sources, spelt) or
                                                 (not opens and any(mentions(t, spelt, True) for t in titles))):
                found.append(spelt)
                break
    if not found:
        return ""
    titled = [n for n in found if any(mentions(t, n, exact=True) for t in titles)]
    name = (titled or found)[0]
    for t in titles:
        for m in _RUN.finditer(t):
            if m.group(0).startswith(name + " ") and _as_name(sources, m.group(0)):
                return m.group(0)  # "Brewhouse" of "Brewhouse Coffee case study", where the sources say Brewhouse Coffee
    return name


def unexplained(text: str) -> bool:
    """Whether a sentence's subject is one nobody is named for ("After the group adopted...", "They cut...")."""
    return bool(_UNEXPLAINED.match(text))


def _document_names(fact: Fact, name: str, exact: bool = False) -> bool:
    """Whether ``fact``'s passage, its document's title or its file's name names ``name`` (a file named after its
    first word, as "northgate-case-study.docx" is after Northgate Logistics: a Word file's title is no heading)."""
    first = word_tokens(name)[0].lower() if word_tokens(name) else ""
    in_file = len(first) > 2 and first in {w.lower() for w in word_tokens(re.sub(r"[._/-]+", " ", fact.file))}
    return bool(name) and (mentions(fact.passage or fact.text, name, exact) or mentions(fact.title, name, exact) or in_file)


def about_customer(fact: Fact, name: str) -> bool:
    """Whether ``fact``'s document is about ``name``: its passage, title or file names them."""
    return _document_names(fact, name)


def name_customer(realised: Realised, name: str) -> Realised | None:
    """``realised`` naming the customer ``name`` (a fact of their document), or None when no grounded form does.

    As it is when it names them already; else its unexplained subject ("After the group adopted...", "They cut...")
    said by name, when the passage is about them; else a table row said of them ("Brewhouse Coffee cut overtime
    from 11% to 4% of hours in 12 months."); else "At <name>, ..." before the sentence. Each checked by
    :func:`grounded` (the name counts as the passage's when the passage or its document's title has it, as spelt)."""
    fact, text = realised.fact, realised.text
    if not name or realised.frame in ("quote", "step") or not about_customer(fact, name):
        return None
    if mentions(text, name):
        return replace(realised, named=name)
    candidates = []
    if m := _UNEXPLAINED.match(text):
        pre = m.group("pre") or ""
        candidates.append(f"{pre}{name}{text[m.end():]}")
    if fact.metric and fact.before and fact.after and direction(fact.before, fact.after) == -1:
        candidates.append(_row_sentence(fact, name))
    if fact.kind in ("result", "figure", "problem"):  # a result, a figure or the problem: "At <name>, ..."
        first = word_tokens(text)[0] if word_tokens(text) else ""
        keep = first[1:] != first[1:].lower() or _as_name(fact.passage, first) if first else True
        candidates.append(f"At {name}, {text if keep else text[:1].lower() + text[1:]}")
    for candidate in candidates:
        out = Realised(realised.frame, candidate, fact, named=name)
        if grounded(out):
            return out
    return None
