"""Subject rules: refuse when the question is about a name the relevant passages don't cover.

A question about "Contoso" answered from the Northwind case study is the
worst kind of wrong answer: confident and about someone else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex

from ..names import acronym_expansions, mentions_name, question_terms
from ..types import Hit


def uncovered_terms(question: str, passages: list[str]) -> list[str]:
    """Names from ``question`` that none of ``passages`` mentions (see :func:`mentions_name`).

    A question about "Contoso" answered from the Northwind case study is the
    worst kind of wrong answer: confident and about someone else.
    """
    text = "\n".join(passages)
    return [term for term in question_terms(question) if not mentions_name(term, text)]


@dataclass(frozen=True)
class SubjectGaps:
    """Names a question is about that the retrieved passages don't cover, and how."""

    absent: list[str]  # no passage mentions them
    in_passing: list[str]  # mentioned only in passages that are not about the question

    def __bool__(self) -> bool:
        return bool(self.absent or self.in_passing)


_FULL_NAME = regex.compile(r"(?<!\p{L})\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}\p{Ll}+)?\s+\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}\p{Ll}+)?(?!\p{L})")


def full_names(question: str) -> list[str]:
    """People's full names in a question ("Jane Doe"): first and last name together, not at its start."""
    return [m.group(0) for m in _FULL_NAME.finditer(question) if m.start() > 0
            and all(w in question_terms(question) for w in m.group(0).split())]


_SEPARATOR = re.compile(r"^\s*\|(\s*:?-{3,}:?\s*\|)+\s*$")


def labels_a_row(term: str, text: str) -> bool:
    """Does a table row of ``text`` name ``term`` in its first cell, or its header row name it over a column?

    A table set out the other way round (one column per plan, one row per feature: "|  | Core | Pro |") is about
    the plans its header names, as a price list's "Growth" row is about the Growth plan.
    """
    lines = text.splitlines()
    for n, line in enumerate(lines):
        if line.lstrip().startswith("|"):
            cells = line.strip().strip("|").split("|")
            if mentions_name(term, cells[0]):
                return True
            header = n + 1 < len(lines) and _SEPARATOR.match(lines[n + 1])
            if header and any(mentions_name(term, c) for c in cells[1:]):
                return True
    return False


def subject_gaps(question: str, hits: list[Hit], min_similarity: float, about: dict[str, str] | None = None,
                 titled: dict[str, str] | None = None) -> SubjectGaps:
    """Which of the question's names no relevant passage is about.

    A name counts as covered when a retrieved passage mentions it (in its text,
    its file name, its section headings, or its document's ``about`` text: see
    :func:`rag.names.document_about`) *and* one of these holds:

    - that passage is itself close to the question (dense cosine >=
      ``min_similarity``). Papers that list "GLM-130B" in a results table are
      not about GLM-130B; answering a question on its architecture from them
      would be an invented answer with citations;
    - the passage's document is titled with the name (its file name or title:
      ``titled``): the Acme & Co case study is about Acme & Co, whatever a
      given passage of it scores;
    - a table row names it in its first cell: a price table's "Growth" row is
      about the Growth plan, however far the table is from the question;
    - the question names a person in full ("Jane Doe") and the passage says
      that full name: a quote attributed to Jane Doe is about her (and about
      the other names it says), even when its words are far from the
      question's (dense similarity is poor at names).
    """
    absent, in_passing = [], []
    about = about or {}
    titled = titled or {}
    where = [(h, " ".join((h.context or h.text, h.file, h.section, about.get(h.doc_id, "")))) for h in hits]
    terms = question_terms(question)
    spelled_out = acronym_expansions(question, terms)
    people = full_names(question)
    for term in terms:
        if re.fullmatch(r"v\d+", term, re.I):  # "v1" in "SQuAD v1.1" is a version, not a subject
            continue
        mentions = [h for h, text in where if mentions_name(term, text)]
        if not mentions and term in spelled_out:  # "Web" of "AWS (Amazon Web Services)": the acronym will do
            mentions = [h for h, text in where if mentions_name(spelled_out[term], text)]
        if not mentions:
            absent.append(term)
            continue
        close = max((h.similarity if h.similarity is not None else 1.0) for h in mentions) >= min_similarity
        in_title = any(mentions_name(term, titled.get(h.doc_id, "")) for h in mentions)
        # a passage that says the person's full name covers the person and what the question asks them about
        # ("What did Priya Natarajan say about ShiftPal?": her quote names ShiftPal)
        person = any(p in (h.context or h.text) for p in people for h in mentions)
        # a table row is about what its first cell names: "| Growth | $129 | ..." is the Growth plan's row (and a
        # column about what its header names)
        row_label = any(labels_a_row(term, h.context or h.text) for h in mentions)
        if not (close or in_title or person or row_label):
            in_passing.append(term)
    return SubjectGaps(absent, in_passing)


# The things a marketer asks about that a passage either states or doesn't: a role ("Who is the CEO?"), a credential
# ("Which certifications ...?"), the company's own figures (revenue, headcount, funding). A passage that shares the
# question's other words (the company's name, "customers") and never says the word for the thing asked about does not
# answer it: "I'm Tom, head of customer success" is not who the CEO is.
ROLE_WORDS = ("ceo", "cfo", "cto", "coo", "cmo", "cio", "founder", "founders", "founded", "cofounder", "co-founder",
              "owner", "owns", "president", "chairman", "chairwoman", "chair", "chief", "director", "investor",
              "investors")
ENTITY_WORDS = ROLE_WORDS + ("certification", "certifications", "certified", "accreditation", "accredited", "award",
                             "awards", "revenue", "revenues", "turnover", "headcount", "employees", "staff", "funding",
                             "funded", "valuation", "profit", "profits", "compliant", "compliance")


_TITLES = {"ceo": "chief executive", "cfo": "chief financial", "cto": "chief technology", "coo": "chief operating",
           "cmo": "chief marketing", "cio": "chief information"}


def said_words(text: str) -> set[str]:
    """The stemmed words of ``text``, with a title's acronym and spelled-out form both said ("CEO", "chief executive
    officer") and an owner who "owns" the business."""
    from ..words import analyse

    lowered = text.lower()
    extra = [a for a, spelled in _TITLES.items() if spelled in lowered] + [
        spelled for a, spelled in _TITLES.items() if re.search(rf"\b{a}\b", lowered)]
    words = set(analyse(" ".join([text, *extra])))
    return words | ({"owner"} if "own" in words else set())


def _stems(words) -> set[str]:
    return set().union(*(said_words(w) for w in words)) if words else set()


_ROLE_STEMS = _stems(ROLE_WORDS)
_ENTITY_STEMS = _stems(ENTITY_WORDS)


def _said(stem: str, words: set[str]) -> bool:
    """A stemmed word among ``words``, or one sharing its first five letters ("certif" and "certifi")."""
    return stem in words or len(stem) >= 5 and any(w[:5] == stem[:5] for w in words if len(w) >= 5)


def entity_terms(question: str, roles_only: bool = False) -> list[str]:
    """The question's words (stemmed) for a role, credential or company figure it asks about (see ENTITY_WORDS)."""
    from ..words import analyse

    wanted = _ROLE_STEMS if roles_only else _ENTITY_STEMS
    return list(dict.fromkeys(t for t in analyse(question) if t in wanted))


def unstated_entities(question: str, texts: list[str]) -> list[str]:
    """The question's words for the thing asked about (a role, a certification, revenue) that none of ``texts``
    says, in the question's own spelling: "Who is the CEO?" over passages that never say "CEO" gives ["CEO"]."""
    from ..words import analyse

    said = _stems(texts)
    missing = [t for t in entity_terms(question) if not _said(t, said)]
    return list(dict.fromkeys(w for w in re.findall(r"[\w'-]+", question) if set(analyse(w)) & set(missing)))
