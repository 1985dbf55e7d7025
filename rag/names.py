"""Names in questions and documents: which ones a question is about, and whether a text mentions them.

Shared by the subject check (a question about "Contoso" answered from the
Northwind case study is refused), the citation check (a name missing from
the cited passage makes a sentence unsupported), what a document is "about"
at ingest, and the recipes' missing-name check.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

import regex

from .words import STOP_WORDS, guess_language

# Unicode letters: "Tomás Ruiz", "Zoë", "Müller" are names as much as "Tom Ruiz" (the regex package knows \p{Lu})
NAME_RUN = regex.compile(r"(?<![\p{L}\p{N}])\p{Lu}[\p{L}\p{N}&'’-]+(?:\s+\p{Lu}[\p{L}\p{N}&'’-]+)*")
COMMON_CAPS = {"i", "ai", "ceo", "cto", "ok", "faq", "q1", "q2", "q3", "q4", "linkedin", "monday", "tuesday", "wednesday",
               "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july",
               "august", "september", "october", "november", "december", "here", "our", "we", "you", "they", "this", "that"}
_MIXED = re.compile(r"\b(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]\b")
_QUESTION_CAPS = COMMON_CAPS | {"what", "which", "who", "whom", "whose", "when", "where", "why", "how", "is", "are", "can",
                                "could", "should", "would", "does", "do", "did", "tell", "list", "give", "write", "summarise",
                                "summarize", "explain", "describe", "compare", "draft", "please", "english"}


def _squash(text: str) -> str:
    """Lowercase letters and digits only, so "GLM-130B", "GLM 130B" and "glm130b" compare equal."""
    return re.sub(r"[\W_]+", "", text.lower())


def _name_part(word: str) -> str:
    """"GPT-style" -> "GPT", "100B-scale" -> "100B": lowercase word parts of a compound are not the name."""
    parts = word.split("-")
    kept = [p for p in parts if not p.islower()]
    return "-".join(kept) if kept and len(kept) < len(parts) else word


def _capitalised_names(text: str, skip_first: bool = False) -> Iterator[str]:
    """Capitalised words of ``text`` that may be names ("Contoso's" -> "Contoso"), in order, repeats kept."""
    for m in NAME_RUN.finditer(text):
        if skip_first and m.start() == 0:  # a question's first word is capitalised anyway
            continue
        for word in m.group(0).split():
            word = _name_part(re.sub(r"['’]s$", "", word).strip("'’-"))
            if len(word) > 1 and word.lower() not in STOP_WORDS and word.lower() not in _QUESTION_CAPS:
                yield word


# German capitalises every noun: one after an article ("die Zahl", "der neuen Preisliste") is a noun, not a name
_GERMAN_ARTICLES = {"der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "eines", "kein",
                    "keine", "keinen", "unser", "unsere", "unseren", "unserem", "unserer", "ihr", "ihre", "ihren", "ihrem",
                    "im", "am", "zum", "zur", "vom", "beim", "ins", "jede", "jeder", "jedes", "jeden", "welche", "welcher",
                    "welches", "welchen", "diese", "dieser", "dieses", "diesen", "mein", "meine", "sein", "seine",
                    # quantities: "wie viel Prozent", "pro Monat", "alle Nutzer"
                    "viel", "viele", "vielen", "wieviel", "mehr", "weniger", "wenige", "pro", "je", "alle", "allen",
                    "einige", "mehrere", "manche", "zwei", "drei", "vier", "fünf", "zehn", "hundert"}


def _german_nouns(question: str) -> set[str]:
    """Capitalised words of a German question that follow an article (at most one lowercase word between)."""
    words = re.findall(r"[^\W_][\w'’-]*", question)
    nouns = set()
    for i, word in enumerate(words):
        if word[:1].isupper() and i:
            before = [w for w in words[max(0, i - 2) : i]]
            if before[-1].lower() in _GERMAN_ARTICLES or (
                    len(before) == 2 and before[0].lower() in _GERMAN_ARTICLES and before[1].islower()):
                nouns.add(word)
    return nouns


def question_terms(question: str) -> list[str]:
    """The specific names a question is about: capitalised names (not its first word) and codes like "GLM-130B".

    In a German question, a capitalised word after an article is a noun ("die Zahl der Anfragen"), not a name.
    """
    question = question.lstrip(" ¿¡\"'“„«([")  # "¿Cuánto ...": the first word is still the first word
    terms = dict.fromkeys(_capitalised_names(question, skip_first=True))
    if terms and guess_language(question) == "de":
        nouns = _german_nouns(question)
        terms = {t: None for t in terms if t not in nouns}
    for m in _MIXED.finditer(question):
        word = _name_part(m.group(0))
        if not re.fullmatch(r"q[1-4]|\d+(st|nd|rd|th|s|k|m|x)?", word.lower()):
            terms.setdefault(word, None)
    return list(terms)


def document_about(file: str, title: str | None, texts: list[str], names: int = 12) -> str:
    """What a document is about, for subject checks: its file name, title, opening and most frequent names.

    A filing's net-sales table doesn't say "Apple" but its cover page does; a
    question about Apple answered from it is about the right company.
    """
    counts = Counter(word for text in texts for word in _capitalised_names(text))
    top = " ".join(w for w, _ in counts.most_common(names))
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", file.rsplit("/", 1)[-1])
    return " ".join((stem, title or "", " ".join(texts[:2])[:1500], top))


_CAPITALISED_RUN = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,5}\b")


def acronym_expansions(question: str, terms: list[str]) -> dict[str, str]:
    """Words of a phrase the question spells out for one of its acronyms: {"Web": "AWS", ...}.

    "AWS (Amazon Web Services)" names one thing twice; passages that say "AWS"
    cover "Web" and "Services" too.
    """
    acronyms = {t for t in terms if t.isupper() and 2 <= len(t) <= 6}
    words: dict[str, str] = {}
    for run in _CAPITALISED_RUN.finditer(question):
        parts = run.group(0).split()
        for start in range(len(parts) - 1):  # "Can Amazon Web Services": the acronym may skip leading words
            initials = "".join(w[0] for w in parts[start:])
            if initials in acronyms:
                words.update({w: initials for w in parts[start:]})
                break
    return words


def mentions_name(term: str, text: str) -> bool:
    """Does ``text`` mention the name ``term``: spelled alike, its initials, or its singular ("10-Qs", "KPIs")?

    A short name of letters only ("XL", "EU") must stand as a word of its own: "XL" is not in "packages.xlsx".
    """
    if term.isalpha() and len(term) <= 3:
        if re.search(rf"(?<![^\W\d_]){re.escape(term)}s?(?![^\W\d_])", text, re.I):  # "LLMs" says "LLM"
            return True
    elif _squash(term) in _squash(text):
        return True
    if re.search(r"[A-Z0-9]s$", term) and _squash(term[:-1]) in _squash(text):
        return True
    initials = "".join(w[0] for w in re.findall(r"[^\W_]+", text.lower()))
    return term.isupper() and 2 <= len(term) <= 6 and term.lower() in initials


