"""Document kinds: guessed at upload from the file and its text, corrected by the user.

Every document has one kind: case study, help center, product launch,
LinkedIn post, blog, sales deck, style guide or other. The kind is stored in
the catalog and on every chunk (so retrieval can filter by it). The recipes
rely on it: past posts and blogs are style examples, never facts; a style
guide is guidance (its rules are checked on every draft), never a fact; the
newest product launch is the source for campaign copy; and so on.

The guess scores plain signals in the file name and the first pages of text
(a LinkedIn post header, a ZIP of HTML pages, a slide deck, the words "case
study", "release notes"...). It is a starting point: a user's correction is
remembered and always wins over the guess when the file is uploaded again.

This module keeps a small table of its own in the catalog, ``doc_kinds``:
what was guessed (and why), whether the kind was chosen by a person, and the
date the document states about itself (a post's date, "Released 5 March 2024").
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import PurePosixPath

from ..catalog.kinds import KindRecord
from ..errors import GroundedError, NotFound

KINDS = ("case study", "help center", "product launch", "LinkedIn post", "blog", "sales deck", "style guide", "other")
STYLE_KINDS = ("LinkedIn post", "blog")  # style examples for drafting, never cited as facts
GUIDE_KINDS = ("style guide",)  # rules for drafting (rag/marketing/style_rules.py), never cited as facts


@dataclass(frozen=True)
class KindGuess:
    kind: str
    reason: str  # plain words: "its name says “case study”"
    date: float | None = None  # the date the document states about itself (epoch seconds)
    post_date: float | None = None  # set only for a LinkedIn post: its publication date


# signals: (kind, score, pattern, where, reason)
_NAME = "name"
_TEXT = "text"
_SIGNALS: list[tuple[str, int, re.Pattern, str, str]] = [
    ("case study", 5, re.compile(r"case[\s_-]*stud|customer[\s_-]*stor|success[\s_-]*stor|testimonial", re.I), _NAME,
     "its name says it is a case study"),
    ("case study", 4, re.compile(r"\bcase stud(y|ies)\b|\bcustomer stor(y|ies)\b|\bsuccess stor(y|ies)\b", re.I), _TEXT,
     "its text calls itself a case study"),
    ("help center", 3, re.compile(r"(^|[/_\s-])(help|support|faq|faqs|kb|knowledge[\s_-]*base|how[\s_-]*to|troubleshoot\w*|"
                                  r"docs|guide|manual|zendesk|intercom|helpcenter|help[\s_-]*center)([/_\s.-]|$)", re.I), _NAME,
     "its name looks like a help-center page"),
    ("product launch", 5, re.compile(r"release[\s_-]*notes?|changelog|launch|announce|what'?s[\s_-]*new|"
                                     r"(^|[\s_-])v\d+(\.\d+)+([\s_.-]|$)|(^|[\s_-])release([\s_.-]|$)", re.I), _NAME,
     "its name says it is a launch or release note"),
    ("product launch", 3, re.compile(r"\brelease notes\b|\bnow available\b|\b(we('| a)re|are) (excited|thrilled|proud) to "
                                     r"(announce|launch|introduce)\b|\bintroducing\b|\bwhat'?s new\b|\blaunch(es|ed|ing)?\b|"
                                     r"\bgenerally available\b|\bnew features?\b", re.I), _TEXT,
     "its text announces a launch"),
    ("blog", 5, re.compile(r"(^|[/_\s-])blog", re.I), _NAME, "its name says it is a blog post"),
    ("blog", 2, re.compile(r"(^|[/_\s-])(posts?|article|newsletter)([/_\s.-]|$)", re.I), _NAME,
     "its name says it is an article"),
    ("blog", 3, re.compile(r"\b\d+\s*min(ute)?s? read\b|\bwritten by\b|\bposted (on|by)\b|^author:\s|\bsubscribe to our blog\b",
                           re.I | re.M), _TEXT, "its text has a blog byline"),
    ("sales deck", 3, re.compile(r"deck|pitch|sales|presentation|slides|one[\s_-]*pager|battle[\s_-]*card", re.I), _NAME,
     "its name says it is a sales deck"),
    ("LinkedIn post", 4, re.compile(r"linkedin[\s_-]*(post|update|share)", re.I), _NAME, "its name says it is a LinkedIn post"),
    ("style guide", 6, re.compile(r"style[\s_-]*(guide|notes|rules|sheet)|brand[\s_-]*(guide|book|voice|guidelines?)|"
                                  r"tone[\s_-]*of[\s_-]*voice|voice[\s_-]*(guide|notes|rules)|house[\s_-]*style|"
                                  r"(writing|editorial|copy|messaging|content)[\s_-]*(guide|guidelines?|notes|rules)", re.I), _NAME,
     "its name says it is a style guide"),
    ("style guide", 4, re.compile(r"\b(style guide|brand guidelines|brand voice|tone of voice|house style)\b", re.I), _TEXT,
     "its text calls itself a style guide"),
    ("style guide", 4, re.compile(r"^\|\s*(avoid|don'?t (say|use|write)|instead of|never use)\s*\|\s*(use|say|write|prefer|"
                                  r"use instead|say instead|write instead)\b", re.I | re.M), _TEXT,
     "it has a table of words to avoid and what to use instead"),
]
# A style guide written as prose: sentences that set a rule ("We never use hashtags", "Please don't write
# 'synergy'", "Keep every post under 160 words", "Write 'teamwork' instead") about writing itself (a help page's
# "Never share your password" sets a rule, but not about words, posts or emoji).
_RULE = re.compile(r"\b(never|always|don[’']?t|do not|avoid|keep (every|each|all|our|your|the)\b|instead\b|"
                   r"(should|must) (not |never )?(be |use|write|say|start|end))", re.I)
_WRITING = re.compile(r"\b(words?|sentences?|paragraphs?|posts?|headlines?|hashtags?|emoji\w*|exclamation|tone|voice|"
                      r"capitali[sz]\w*|spell\w*|jargon|copy|write|writing|say|oxford comma|punctuation|abbreviat\w*)\b",
                      re.I)


def writing_rules(text: str) -> int:
    """How many sentences of ``text`` set a rule about writing (see :data:`_RULE`)."""
    sentences = re.split(r"(?<=[.!?])\s+|\n+", text)
    return sum(1 for s in sentences if _RULE.search(s) and _WRITING.search(s))


# A page read from a site is named by its address ("acme.zendesk.com/hc/en-us/articles/…"); these are
# where help centers live: their hosts (Zendesk, Intercom, Help Scout, Freshdesk, …) and their paths.
_SITE_PAGE = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?/", re.I)
_HELP_ADDRESS = re.compile(
    r"^(help|support|docs|kb|faq|knowledge|helpcenter|hilfe|ayuda|aide|aiuto|ajuda)[\w-]*\.|"
    r"\.(zendesk\.com|intercom\.help|helpscoutdocs\.com|freshdesk\.com|document360\.io|gitbook\.io|readme\.io|"
    r"helpdocs\.io|happyfox\.com|kayako\.com|groovehq\.com|crisp\.help|tawk\.help)/|"
    r"/(hc|kb|knowledge-?base|knowledgebase|help-?center|helpcenter|faqs?|support|help|docs|guides?|solutions|"
    r"collections)/|/articles?/\d",
    re.I,
)
_STEPS = re.compile(r"(^|\n)\s*(step \d|\d+[.)]\s+(click|go|open|select|choose|enter|type|press|tap|navigate|sign))|"
                    r"\bclick (on )?(the )?\w+|\bgo to (settings|your|the)\b|\bnavigate to\b|\bsettings\s*[>›→]", re.I)
_CASE_HEADINGS = re.compile(r"(^|\n)\s*#*\s*(the )?(challenge|problem|solution|results?|outcomes?|about the customer|"
                            r"the customer|why they chose|impact)\s*:?\s*(\n|$)", re.I)
_PRIORITY = {k: i for i, k in enumerate(("LinkedIn post", "style guide", "case study", "product launch", "help center", "sales deck",
                                          "blog"))}


def guess(name: str, text: str = "", title: str | None = None) -> KindGuess:
    """The likely kind of a document from its name and (the start of) its text."""
    from ..parse import linkedin

    head = text[:6000]
    post, _ = linkedin.split_post(head)
    if title and title not in head[:300]:
        head = f"{title}\n{head}"
    if post is not None:
        when = post.timestamp
        return KindGuess("LinkedIn post", "it is a post from your LinkedIn export", when, when)
    if "sharecommentary" in re.sub(r"[\s_]", "", head[:500].lower()):
        return KindGuess("LinkedIn post", "it is a LinkedIn posts export", None)

    path = PurePosixPath(name)
    suffix = path.suffix.lower()
    scores: dict[str, int] = {}
    reasons: dict[str, str] = {}

    def add(kind: str, score: int, reason: str) -> None:
        scores[kind] = scores.get(kind, 0) + score
        if kind not in reasons or score >= 4:
            reasons[kind] = reason

    for kind, score, pattern, where, reason in _SIGNALS:
        if pattern.search(name if where == _NAME else head):
            add(kind, score, reason)
    if suffix in (".html", ".htm") and ".zip/" in name.lower():
        add("help center", 3, "it is a page of a ZIP of web pages (a help-center export)")
    elif _SITE_PAGE.match(name) and _HELP_ADDRESS.search(name):
        add("help center", 3, "it is a page of a help center on the web")  # as the same page from the ZIP export
    if suffix == ".pptx":
        add("sales deck", 4, "it is a slide deck")
    if len(_STEPS.findall(head)) >= 2:
        add("help center", 2, "it gives step-by-step instructions")
    if len({m.group(3).lower().rstrip("s") for m in _CASE_HEADINGS.finditer(head)}) >= 2:
        add("case study", 3, "it has challenge / solution / results sections")
    if writing_rules(head) >= 2:
        add("style guide", 4, "it sets rules for how to write")

    date = document_date(name, head)
    best = sorted(scores.items(), key=lambda kv: (-kv[1], _PRIORITY.get(kv[0], 99)))
    if not best or best[0][1] < 3:
        return KindGuess("other", "nothing in its name or text points to a kind", date)
    kind = best[0][0]
    return KindGuess(kind, reasons[kind], date)


_MONTHS = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december"), 1)}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MON = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_ISO = re.compile(r"(?<!\d)(20\d{2}|19\d{2})[-_./](0[1-9]|1[0-2])(?:[-_./](0[1-9]|[12]\d|3[01]))?(?!\d)")
_MDY = re.compile(rf"\b{_MON}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(20\d{{2}})\b", re.I)
_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MON}\.?,?\s+(20\d{{2}})\b", re.I)
_MY = re.compile(rf"\b{_MON}\s+(20\d{{2}})\b", re.I)


def _epoch(year: int, month: int, day: int = 1) -> float | None:
    try:
        return datetime(year, month, day, tzinfo=timezone.utc).timestamp()
    except ValueError:
        return None


def document_date(name: str, text: str = "") -> float | None:
    """The date a document states about itself: in its name, or near the top of its text.

    Full dates only in the text (a case study that mentions "March 2023" in
    passing is not dated by it); a month and year is enough in the name.
    """
    stem = PurePosixPath(name).name
    if m := _ISO.search(stem):
        return _epoch(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    if m := _MDY.search(stem):
        return _epoch(int(m.group(3)), _MONTHS[m.group(1).lower()[:3]], int(m.group(2)))
    if m := _MY.search(stem.replace("_", " ").replace("-", " ")):
        return _epoch(int(m.group(2)), _MONTHS[m.group(1).lower()[:3]])
    if m := re.search(r"(?<![\d.])(20\d{2})(?![\d.]\d)", PurePosixPath(stem).stem):  # a year alone: "pricing-2023.pdf"
        return _epoch(int(m.group(1)), 1)
    top = text[:1500]
    found: list[tuple[int, float]] = []
    if m := _ISO.search(top):
        if m.group(3) and (value := _epoch(int(m.group(1)), int(m.group(2)), int(m.group(3)))):
            found.append((m.start(), value))
    head = text[:600]
    if m := _MDY.search(head):
        if value := _epoch(int(m.group(3)), _MONTHS[m.group(1).lower()[:3]], int(m.group(2))):
            found.append((m.start(), value))
    if m := _DMY.search(head):
        if value := _epoch(int(m.group(3)), _MONTHS[m.group(2).lower()[:3]], int(m.group(1))):
            found.append((m.start(), value))
    return min(found)[1] if found else None


# stored guesses and corrections
def record(catalog, doc_id: str) -> KindRecord | None:
    return catalog.kinds.record(doc_id)


def records(catalog, workspace: str) -> dict[str, KindRecord]:
    return catalog.kinds.records(workspace)


def _save(catalog, doc_id: str, workspace: str, guessed: str | None, chosen: bool, reason: str, doc_date: float | None) -> None:
    catalog.kinds.save(doc_id, workspace, guessed, chosen, reason, doc_date, time.time())


def chosen_by_user(existing, rec: KindRecord | None) -> bool:
    """Whether a document's current kind was picked by a person (and must survive a re-upload).

    True when it was recorded as chosen, when it differs from what was
    guessed (someone changed it, by whatever route), or, for documents from
    before guesses were recorded, when it is anything but the default "other".
    """
    if existing is None:
        return False
    if rec is None:
        return existing.kind != "other"
    return rec.chosen or existing.kind != rec.guessed


def assign(store, doc_id: str, workspace: str, name: str, parsed, explicit: str | None, existing) -> tuple[str, float | None]:
    """The kind for a document being (re-)indexed, and the date its chunks should carry (a post's date).

    An explicit kind (the caller's choice) wins, then a person's earlier
    choice, then the guess from the file name and its text. Never raises: a
    failure here falls back to the earlier kind or "other".
    """
    try:
        text = "\n\n".join(e.text for e in parsed.elements[:300])[:20000]
        g = guess(name, text, getattr(parsed, "title", None))
        rec = record(store.catalog, doc_id)
        if explicit:
            # re-indexing passes the current kind back: that keeps, but doesn't create, a "chosen" mark
            same = existing is not None and explicit == existing.kind
            chosen = chosen_by_user(existing, rec) if same else True
            kind = explicit
        elif chosen_by_user(existing, rec):
            kind, chosen = existing.kind, True
        else:
            kind, chosen = g.kind, False
        # the date its text states, else the one it carries (an e-mail's Date, a page's last-modified)
        stated = g.date if g.date is not None else getattr(parsed, "modified", None)
        _save(store.catalog, doc_id, workspace, g.kind, chosen, g.reason, stated)
        return kind, g.post_date
    except Exception:  # noqa: BLE001 - a kind is never worth failing an upload for
        return explicit or (existing.kind if existing else "other"), None


def set_kind(store, doc_id: str, kind: str) -> None:
    """A person sets a document's kind: the catalog and every chunk change, and the choice is remembered."""
    if kind not in KINDS:
        raise GroundedError(f"Unknown kind {kind!r}; choose one of: {', '.join(KINDS)}.")
    row = store.catalog.get(doc_id)
    if row is None:
        raise NotFound(f"There is no document with id {doc_id}.")
    with store.document_lock(doc_id), store.write_lock:
        store.index.set_kind(row.workspace, doc_id, kind)
        store.catalog.update(doc_id, kind=kind)
        rec = record(store.catalog, doc_id)
        _save(store.catalog, doc_id, row.workspace, rec.guessed if rec else None, True,
              rec.reason if rec else "", rec.doc_date if rec else None)


def forget(catalog, doc_id: str) -> None:
    catalog.kinds.forget(doc_id)


def document_date_of(catalog, row) -> float:
    """A document's date for "newest" and "superseded": the date it states, else when it was uploaded."""
    rec = record(catalog, row.doc_id)
    return rec.doc_date if rec and rec.doc_date else row.uploaded


def explain(catalog, doc_id: str) -> str:
    """Why a document has its kind, in plain words (for a tooltip)."""
    rec = record(catalog, doc_id)
    if rec is None:
        return ""
    return "You chose this kind." if rec.chosen else f"Guessed: {rec.reason}."
