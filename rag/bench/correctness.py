"""Does an answer state what the reference answer states? Key facts, and two baselines to compare with.

The key facts of a reference answer, found without a model:

- numbers with their units ("$94,836 million", "12 days", "6%");
- dates ("March 5, 2024", "Q3 2023", "2024");
- names: capitalised words and runs the question doesn't already contain;
- when those are fewer than two (a descriptive answer: "Masked LM and Next
  Sentence Prediction"), the reference's most distinctive content words
  beyond the question's (stemmed, the three longest). A paraphrased
  reference has many ordinary words no right answer needs to repeat; a
  figure, a date or a name it must state.

Source notes the reference carries ("(SOURCE: 2023 Q2 AAPL.pdf)") and
openers ("Based on the provided documents") are not facts.

An answer *states* a fact when its text (markers removed) contains it:
numbers compare by value ("94,836" = "94836"), names and words
case-insensitively (words by stem). The correctness of an answer is the share
of its reference's facts it states; "all facts" is whether it states every
one.

Baselines on the same retrieval, so the comparison is about choosing what
to quote: ``lead`` (the first two sentences of the top passage) and
``best-passage`` (the top passage, whole: every fact in it, at the price of
length).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..answer.asked import classify
from ..answer.check import split_sentences
from ..words import STOP_WORDS, analyse

_OPENERS = {"however", "from", "for", "in", "the", "this", "these", "overall", "additionally", "also", "based"}

_NUMBER = re.compile(r"[$€£]?\s?\d[\d,]*(?:\.\d+)?\s?(?:%|percent|million|billion|thousand|[kmb]\b)?", re.I)
_MONTHS = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(rf"\b{_MONTHS}\s+\d{{1,2}},?\s+\d{{4}}\b|\b\d{{1,2}}\s+{_MONTHS}\s+\d{{4}}\b|\bq[1-4]\s+\d{{4}}\b", re.I)
_NAME = re.compile(r"\b[A-Z][A-Za-z0-9&'’-]*(?:\s+[A-Z][A-Za-z0-9&'’-]*)*")
_MARKER = re.compile(r"\s*\[\d{1,3}\]")
MAX_WORDS = 3  # content words kept for a reference with fewer than two figures, dates and names
_SOURCE_NOTE = re.compile(r"\(?\bSOURCE(?:\(S\))?:[^\n)]*\)?|\bbased on the provided (?:documents|context)[^,.:]*[,.:]?|"
                          r"\S+\.(?:pdf|docx?|html?|md|txt)\b", re.I)
_LIST_NUMBER = re.compile(r"(?m)^\s*(?:[-*•]\s*)?\d{1,2}[.)]\s")
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|\n\s*(?:[-*•]\s*)?)$")

QUESTION_TYPES = ("figure", "who", "when", "how-to", "other")


def question_type(question: str) -> str:
    """figure | who | when | how-to | other, from what the question asks for (rag/answer/asked.py)."""
    return {"figure": "figure", "person": "who", "quote": "who", "date": "when", "steps": "how-to"}.get(
        classify(question).kind, "other")


def _value(raw: str) -> str:
    digits = re.sub(r"[^\d.]", "", raw.replace(",", ""))
    try:
        return f"{float(digits):g}"
    except ValueError:
        return digits


def key_facts(reference: str, question: str = "") -> list[str]:
    """What a right answer to ``question`` must state, read from ``reference`` (see the module docstring)."""
    reference = _LIST_NUMBER.sub(" ", _SOURCE_NOTE.sub(" ", reference))
    facts: list[str] = []
    for m in _DATE.finditer(reference):
        facts.append(m.group(0).strip())
    dated = " ".join(facts)
    for m in _NUMBER.finditer(reference):
        raw = m.group(0).strip().rstrip(",.")
        if _value(raw) and _value(raw) not in {_value(n.group(0)) for n in _NUMBER.finditer(question)} \
                and _value(raw) not in {_value(n.group(0)) for n in _NUMBER.finditer(dated)}:
            facts.append(raw)
    asked = question.lower()
    for m in _NAME.finditer(reference):
        name = m.group(0).strip()
        if _SENTENCE_START.search(reference[: m.start()]):  # "However", "For the quarter": capitalised as a sentence starts
            words = name.split()
            name = " ".join(words[1:]) if len(words) > 1 and words[0].lower() in STOP_WORDS | _OPENERS else ""
        if len(name) < 2 or name.lower() in asked or re.fullmatch(r"[\d\s]+", name) or name.lower() in STOP_WORDS:
            continue
        if not any(name in f for f in facts):
            facts.append(name)
    facts = list(dict.fromkeys(facts))
    if len(facts) < 2:
        question_words = set(analyse(question))
        seen_words = {t for f in facts for t in analyse(f)}
        words = [w for w in dict.fromkeys(analyse(reference))
                 if w not in question_words and w not in seen_words and not w.isdigit()]
        facts += sorted(words, key=len, reverse=True)[:MAX_WORDS]
    return facts


def states(answer: str, fact: str) -> bool:
    """Does ``answer`` state ``fact`` (numbers by value, words by stem, names and dates as written)?"""
    text = _MARKER.sub("", answer)
    if re.fullmatch(r"[$€£]?\s?\d[\d,]*(?:\.\d+)?\s?(?:%|percent|million|billion|thousand|[kmb])?", fact, re.I):
        value = _value(fact)
        return value in {_value(m.group(0)) for m in _NUMBER.finditer(text)}
    if " " not in fact and fact.islower():  # a stemmed content word
        return fact in set(analyse(text))
    return re.sub(r"\s+", " ", fact.lower()) in re.sub(r"\s+", " ", text.lower())


def correctness(answer: str, facts: Iterable[str]) -> tuple[float, bool]:
    """(share of ``facts`` the answer states, whether it states them all)."""
    facts = list(facts)
    if not facts:
        return 1.0, True
    stated = sum(states(answer, f) for f in facts)
    return stated / len(facts), stated == len(facts)


def lead(hits: list) -> str:
    """Baseline: the first two sentences of the top passage."""
    return " ".join(split_sentences(hits[0].text)[:2]) if hits else ""


def best_passage(hits: list) -> str:
    """Baseline: the top passage, whole."""
    return hits[0].text if hits else ""
