"""Follow-up questions made standalone, with or without a model.

"and what did she say about it?" means nothing to a search. With a writing
model the follow-up is rewritten by the model (:func:`condense_question`).
Without one (the offline default) :func:`resolve_follow_up` does it by rule,
from the previous turn:

- "what about the Scale plan?" after "How much does the Team plan cost per
  month?" becomes "How much does the Scale plan cost per month?" (the phrase
  with the same head word is swapped);
- "she", "he", "her", "his" become the person the previous answer or
  question named ("Jane Doe"); "it", "this", "that", "they" become the
  previous question's subject ("the Acme & Co case study");
- a follow-up that still has no subject of its own gets the previous
  question's names and subject added.

A question that stands on its own is left alone. The user is always shown
what was searched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

from ..names import question_terms
from ..words import STOP_WORDS

CONDENSE_PROMPT = """Given the conversation so far and a follow-up question, rewrite the follow-up as one standalone question that can be understood without the conversation. Reply with the question only.

Conversation:
{history}

Follow-up question: {question}
Standalone question:"""


@dataclass(frozen=True)
class Turn:
    """One earlier exchange in the conversation (``searched``: the standalone question it was searched as)."""

    question: str
    answer: str
    searched: str = ""

    @property
    def subject_question(self) -> str:
        return self.searched or self.question


def condense_question(llm, question: str, history: tuple[Turn, ...]) -> str:
    """Rewrite a follow-up ("and what about pricing?") into a standalone question, with the model."""
    if not history:
        return question
    transcript = "\n".join(f"User: {t.question}\nAssistant: {t.answer[:400]}" for t in history[-3:])
    chain = ChatPromptTemplate.from_template(CONDENSE_PROMPT) | llm | StrOutputParser()
    rewritten = chain.invoke({"history": transcript, "question": question}).strip().strip('"')
    return rewritten if 3 < len(rewritten) < 500 else question


_PERSON_PRONOUN = re.compile(r"\b(she|he|her|him|his|hers)\b", re.I)
_THING_PRONOUN = re.compile(r"\b(it|its|this|that|these|those|they|them|their)\b", re.I)
_CONNECTOR = re.compile(r"^\s*(and|also|but|so|then|ok(ay)?|what about|how about|and what about|and how about)\b[\s,]*", re.I)
_WHAT_ABOUT = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(?P<x>.+?)\s*\??\s*$", re.I)
_AND_X = re.compile(r"^\s*and\s+(?P<x>(?:the\s+)?[^?]{1,40}?)\s*\?\s*$", re.I)
_QUESTION_WORDS = {"what", "which", "who", "whom", "whose", "when", "where", "why", "how", "much", "many", "did", "does",
                   "do", "say", "said", "tell", "about", "and", "also", "more", "else", "again", "then", "ok", "okay"}
_PERSON = regex.compile(r"(?<!\p{L})(\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}\p{Ll}+)?)\s+(\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}\p{Ll}+)?)(?!\p{L})")
_NOT_PEOPLE = {"case", "study", "plan", "team", "customer", "story", "help", "center", "the", "our", "your", "product",
               "inc", "ltd", "group", "company", "health", "healthcare", "logistics", "summary", "results"}
_SUBJECT = re.compile(
    r"\b(?:about|in|on|for|from|of|at|with)\s+(?P<s>(?:the|our|your|their|a|an)\s+[^?.,;]{2,60}?)\s*(?:[?.,;]|$)", re.I
)


def _content_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z][A-Za-z0-9&'-]*", text)
            if w.lower() not in STOP_WORDS and w.lower() not in _QUESTION_WORDS]


def _person(turn: Turn) -> str | None:
    """The person the previous turn is about: named in its question, else the first one its answer names."""
    for text in (turn.subject_question, turn.answer):
        for m in _PERSON.finditer(text):
            first, last = m.group(1), m.group(2)
            if first.lower() in _NOT_PEOPLE or last.lower() in _NOT_PEOPLE:
                continue
            if m.start() == 0 and text is turn.subject_question:
                continue  # a question's first word is capitalised anyway
            return f"{first} {last}"
    return None


def _subject(question: str) -> str:
    """The previous question's subject phrase: "the Acme & Co case study", else its names."""
    found = [m.group("s").strip() for m in _SUBJECT.finditer(question)]
    if found:
        return found[-1]
    names = question_terms(question)
    return " ".join(names) if names else " ".join(_content_words(question)[-3:])


def _swap(previous: str, replacement: str) -> str | None:
    """``previous`` with the phrase that has ``replacement``'s head word swapped for it, or None."""
    words = replacement.split()
    if not words:
        return None
    head = re.escape(words[-1].rstrip("?.!").lower())
    phrase = re.compile(rf"\b(?:(?:the|our|your|a|an)\s+)?(?:[\w&'-]+\s+){{0,2}}?{head}s?\b", re.I)
    m = phrase.search(previous)
    if m and len(words) > 1:
        start = m.start()
        # the whole name before the head word goes too: "Orbital Engineering case study" -> "Kestrel Films case study"
        before = re.search(r"(?:\b(?:the|our|your|a|an)\s+)?(?:[A-Z][\w&'’-]*\s+)*$", previous[:start])
        if before and before.group(0).strip() and start > 0:
            start = before.start()
        replaced = re.sub(r"^(the|our|your|a|an)\s+", "", replacement, flags=re.I)
        lead = re.match(r"(the|our|your|a|an)\s+", previous[start:], re.I)
        return previous[:start] + (lead.group(0) if lead else "") + replaced + previous[m.end():]
    names_before = question_terms(previous)
    names_now = question_terms(replacement) or ([replacement] if replacement[:1].isupper() else [])
    if names_before and names_now:  # "what about Northwind?" after "How long did Acme take?"
        entity = _entity_at(previous, names_before[0])
        new = re.sub(r"^(the|our|your|a|an)\s+", "", replacement.strip().rstrip("?.!"), flags=re.I)
        if not question_terms(f"x {new}"):
            new = " ".join(names_now)
        return previous.replace(entity, new, 1)
    if not names_before:  # "and the workshop?" after "How much is guided deployment?": the question's last phrase
        tail = _LAST_PHRASE.search(previous)
        if tail:
            new = replacement.strip().rstrip("?.!")
            return previous[:tail.start("p")] + new + previous[tail.end("p"):]
    return None


# the phrase a question ends on, after its verb or preposition: "guided deployment" of "How much is guided deployment?"
_LAST_PHRASE = re.compile(r"^.*\b(?:is|are|was|were|for|of|about|on|in|with)\s+(?P<p>(?:(?:the|our|your|a|an)\s+)?[^?]{2,50}?)"
                          r"\s*\?*\s*$", re.I)


_NAME_RUN = re.compile(r"[A-Z][\w'’-]*(?:\s+(?:&\s+)?[A-Z][\w'’-]*)*")


def _entity_at(text: str, name: str) -> str:
    """The whole name ``name`` is part of in ``text``: "Brewhouse Coffee" for "Brewhouse", "Acme & Co" for "Acme"."""
    for m in _NAME_RUN.finditer(text):
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", m.group(0)):
            run = m.group(0)
            if m.start() == 0:  # a question's first word is capitalised anyway ("Who", "How")
                run = run.split(None, 1)[1] if " " in run else ""
            return run if name in run else name
    return name


def is_follow_up(question: str) -> bool:
    """Does ``question`` lean on the conversation (a pronoun, "what about ...", no subject of its own)?"""
    if _CONNECTOR.match(question) or _PERSON_PRONOUN.search(question) or _THING_PRONOUN.search(question):
        return True
    return not question_terms(question) and len(_content_words(question)) <= 1


def resolve_follow_up(question: str, history: tuple[Turn, ...]) -> str:
    """The follow-up made standalone from the previous turn, by rule (no model); unchanged if it stands alone."""
    if not history or not is_follow_up(question):
        return question
    last = history[-1]
    previous = last.subject_question.strip()
    m = _WHAT_ABOUT.match(question) or (_AND_X.match(question) if not _THING_PRONOUN.search(question) else None)
    if m and not _PERSON_PRONOUN.search(m.group("x")):
        other = re.sub(r"^(?:for|about|with|regarding|on|in|at|of)\s+", "", m.group("x").strip(), flags=re.I)
        swapped = _swap(previous, other)
        if swapped:
            return swapped
    resolved = _CONNECTOR.sub("", question).strip() or question
    person = _person(last)
    if person:
        resolved = _PERSON_PRONOUN.sub(lambda p: person + ("'s" if p.group(1).lower() in ("his", "hers") else ""),
                                       resolved, count=1)
    subject = _subject(previous)
    if subject:
        resolved = re.sub(r"\b(it|this|that|them|they)\b(?=\s*[?.!]?\s*$)", subject, resolved, count=1, flags=re.I)
        resolved = re.sub(r"\b(its|their)\b", subject + "'s", resolved, count=1, flags=re.I)
    if resolved.lower() == _CONNECTOR.sub("", question).strip().lower() or not (question_terms(resolved) or _content_words(resolved)):
        resolved = f"{resolved.rstrip('?')} ({subject or previous})?"
    return resolved[:1].upper() + resolved[1:]
