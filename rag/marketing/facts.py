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

A fact keeps its source number (``[n]`` in the draft is ``plan.facts[n-1]``)
and its relevance to the topic (embedding similarity), so the composer can
state the best ones and cite each exactly where it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from ..answer.quote import Unit, units_of
from ..types import Hit

FactKind = Literal["quote", "result", "figure", "problem", "how", "step", "statement"]

_QUOTE = re.compile(r"[“\"]([^”\"]{12,})[”\"]")
_SAYS = re.compile(r"[”\"],?\s*(?:says|said|explains|explained|adds|added|notes|noted)\s+([A-Z][\w’'-]+(?:\s+[A-Z][\w’'.-]+)+)"
                   r"(\s*,\s*[^.]+)?", re.UNICODE)
_DASH_SPEAKER = re.compile(r"^\s*[—–-]{1,2}\s*([A-Z][\w’'-]+(?:\s+[A-Z][\w’'.-]+)+)\s*(,\s*.+)?$")
_AMOUNT = r"[$€£]?\d[\d,.]*(?:\s?%|\s?(?!(?:in|of|on|at|by|for|per|a|an|the|and|or|to|within)\b)[a-z]+)?"
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
    unit = re.search(r"[a-z]+$", after, re.I)
    if unit and not re.search(r"[a-z%]$", before, re.I):  # "from 41 to 12 days": both are days
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


def extract_facts(hits: list[Hit], topic_vector: np.ndarray | None = None, embeddings=None) -> list[Fact]:
    """Every fact of the passages (see the module docstring), most relevant to the topic first."""
    drafts: list[Fact] = []
    seen: set[str] = set()
    for n, hit in enumerate(hits, 1):
        units = _whole_quotes(units_of(hit, n))
        section = hit.section.split(" > ")[-1] if hit.section else ""
        ordered = {u.block for u in units if u.kind == "list" and _ORDERED.match(u.text)}
        for i, u in enumerate(units):
            if u.kind == "list" and u.block in ordered:  # a numbered list: its items are the steps, in order
                for k, line in enumerate(u.text.splitlines()):
                    drafts.append(Fact("step", line.strip(), n, hit.doc_id, hit.file, section=section or u.context,
                                       position=u.position + k))
                continue
            if u.kind in ("row", "label", "list") or u.block in ordered or len(u.text) < 8:
                continue
            text = u.text.strip()
            key = re.sub(r"\W+", " ", text.lower()).strip()
            if key in seen:
                continue
            seen.add(key)
            common = dict(source=n, doc_id=hit.doc_id, file=hit.file, section=section or u.context.split("\n")[0],
                          position=u.position)
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
        return drafts
    vectors = embeddings.embed_array([f"{f.section}\n{f.text}" for f in drafts])
    scores = vectors @ np.asarray(topic_vector, dtype=np.float32)
    ranked = [
        Fact(**{**f.__dict__, "relevance": round(float(s) - 0.01 * (f.source - 1), 4)}) for f, s in zip(drafts, scores)
    ]
    return sorted(ranked, key=lambda f: -f.relevance)


def main_document(facts: list[Fact]) -> str | None:
    """The document a short piece should be about: the one whose best result, figure or quote fits the topic best."""
    telling = [f for f in facts if f.kind in ("result", "figure", "quote")] or facts
    return max(telling, key=lambda f: f.relevance).doc_id if telling else None


def best(facts: list[Fact], kind: FactKind, doc_id: str | None = None, exclude: tuple[Fact, ...] = ()) -> Fact | None:
    """The most relevant fact of ``kind`` (in ``doc_id`` if given), other than ``exclude``."""
    for f in facts:
        if f.kind == kind and (doc_id is None or f.doc_id == doc_id) and f not in exclude:
            return f
    return None


def headline_result(facts: list[Fact], doc_id: str | None = None) -> Fact | None:
    """The figure to lead with: a before-and-after result if there is one, else any result, else any figure."""
    results = [f for f in facts if f.kind == "result" and (doc_id is None or f.doc_id == doc_id)]
    paired = [f for f in results if f.before and f.after]
    return (paired or results or [None])[0] or best(facts, "figure", doc_id)


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
