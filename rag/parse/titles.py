"""A human title for every document: what a person would call it, not what its software stored.

Sources show this title next to each passage, and the subject check reads it
to learn what a document is about, so junk ("Microsoft Word - doc1.docx",
"untitled", "Presentation1") and site names ("… | Example Help Center")
would mislead both. Each parser offers its candidates (metadata title, page
title, first heading, first short line) to :func:`choose`; when none is
usable the file name is tidied into one.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from .main_content import words

MAX_CHARS = 150
MAX_WORDS = 16
# " | ", " – ", " — ", " - ", " · ", " :: ", " » " between a page's own title and its site's name.
_SEPARATOR = re.compile(r"\s+(?:\||–|—|-|·|::|»|•)\s+")
_FILE_NAME = re.compile(r"\.(docx?|pptx?|xlsx?|pdf|txt|md|html?|csv|tsv|rtf|odt|eml|indd|pages|key|qxp)$", re.I)
_JUNK = re.compile(
    r"^(untitled(\W*\w+)?|no title|title|table of contents|contents|confidential|new document|document\s*\d*|doc\s*\d*|presentation\s*\d*|"
    r"powerpoint presentation|slide\s*\d*|book\s*\d*|sheet\s*\d*|workbook\s*\d*|layout\s*\d*|draft|"
    r"microsoft (word|powerpoint|excel)( - .*)?|template|none|null|default|index|home|page\s*\d*|"
    r"\(?anonymous\)?|test|temp|tmp\w*)$",
    re.I,
)


def tidy(text: str | None) -> str:
    """One line, single spaces, no wrapping quotes; at most MAX_CHARS."""
    text = " ".join((text or "").split()).strip(" \"'“”‘’")
    return text[:MAX_CHARS].rstrip()


def is_junk(title: str, file_name: str = "") -> bool:
    """Titles software fills in by itself: "untitled", "Microsoft Word - doc1.docx", a file name or path."""
    t = tidy(title)
    if sum(ch.isalpha() for ch in t) < 4:  # "2.5", "Q3", "2.3.59 (Rev 12/22)"
        return True
    if _JUNK.match(t) or _FILE_NAME.search(t) or re.search(r"[\\/].*\.\w{2,4}$", t):
        return True
    if " " not in t and ("_" in t or t.count("-") >= 2 or re.search(r"[a-z][A-Z]|\.\w{2,4}$", t)):
        return True  # "Unstructured-test-doc", "q3_results", "SingleTable", "logo.jpg": a name made for a computer
    stem = PurePosixPath(file_name.replace("\\", "/")).stem
    return bool(stem) and t == stem  # the file name itself; "Brand style guide" for brand-style-guide.md is a title


def without_site_name(title: str, headings: list[str]) -> str:
    """"How to change your plan – Example Help Center" -> "How to change your plan" when a heading agrees."""
    parts = [p for p in _SEPARATOR.split(title) if p.strip()]
    if len(parts) > 1:
        wanted = {words(h) for h in headings if words(h)}
        for part in parts:
            if words(part) in wanted:
                return tidy(part)
        for heading in headings:  # "Pricing | Acme" with the h1 "Pricing plans for teams"
            if words(heading) and words(parts[0]) and words(heading).startswith(words(parts[0])):
                return tidy(parts[0])
    return title


def looks_like_title(line: str) -> bool:
    """A short line that doesn't read as a sentence: a plain-text file's title line."""
    t = tidy(line)
    n = len(t.split())
    return (
        0 < n <= MAX_WORDS
        and len(t) <= 120
        and t[0].isalnum()
        and not t[0].islower()  # a lowercase start continues a sentence from somewhere else
        and not t.rstrip().endswith((".", ",", ";", ":", "!"))
        and not t.lower().startswith(("from:", "to:", "date:", "subject:", "http"))
        and not t.startswith("|")
    )


def from_file_name(name: str) -> str:
    """"help/q3_launch-notes.final.md" -> "q3 launch notes.final": the last resort."""
    stem = PurePosixPath(name.replace("\\", "/")).name
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", stem)
    return tidy(re.sub(r"[_]+|(?<=\w)-(?=\w)", " ", stem)) or tidy(name)


def choose(candidates: list[str | None], file_name: str, headings: list[str] | None = None) -> str:
    """The first usable candidate, site name removed when a heading confirms the rest; else the file name."""
    for candidate in candidates:
        title = tidy(candidate)
        if title and not is_junk(title, file_name):
            return without_site_name(title, headings or [])
    return from_file_name(file_name)
