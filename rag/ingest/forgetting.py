"""Provable forgetting, the ingest side: every trace of a removed document (or of a replaced version) goes,
and what it said is noted (as fingerprints, never as text) for the forget check (:mod:`rag.quality.forget`).

A document leaves through four doors: a person deletes it, its page is gone at a site's re-sync, it is
left out of a ZIP uploaded again, or a new version of its file replaces it. Each door calls
:func:`forget_traces` (the whole document) or :func:`forget_old_version` (what only the old version
said), which clear what the catalog keeps beside the index: the style rules read from it, the
retrieval log of its passages, and the passages quoted in saved chats and feedback (the chat keeps its
text; the citation is marked ``source_deleted``). The index and the original are removed by the
pipeline itself.

:func:`trace_of` notes, before the text goes, what a check needs to prove it is gone: questions made
from the document's headline facts (sentences stating figures), the figures it states, fingerprints of
its text (hashes of word 6-grams, one in four kept) and the ids of its passages. :func:`remember` keeps
that as a pending check (table ``forget_checks``, migration ``m022_forgetting``); the check itself runs
above the answer layer.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Literal

from ..catalog.forgetting import ForgetCheckRecord
from ..words import STOP_WORDS

Reason = Literal["deleted", "page gone", "member removed", "new version"]
CheckStatus = Literal["pending", "passed", "failed"]

# A figure as an answer would state it: a number with two or more digits, a decimal, a percentage or an amount.
_FIGURE = re.compile(r"(?<![\w.,])([$€£]\s?)?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(\s?%)?(?![\w])", re.UNICODE)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
SHINGLE = 6  # words per fingerprint
KEEP_ONE_IN = 4  # fingerprints kept: those whose hash is 0 mod this (a leftover of ~10 words is still found)
MOST_FINGERPRINTS = 20_000
MOST_PROBES = 6


def figures_in(text: str) -> set[str]:
    """The figures ``text`` states, written one way: "$1,200" -> "$1200", "30 %" -> "30%", "4.5" -> "4.5".

    Single digits alone ("3 steps", "page 2") are too common to tell documents apart and are left out.
    """
    found = set()
    for m in _FIGURE.finditer(text or ""):
        money, whole, decimal, percent = m.groups()
        whole = whole.replace(",", "")
        if not (money or decimal or percent or len(whole) >= 2):
            continue
        found.add(f"{'$' if money else ''}{whole}{'.' + decimal if decimal else ''}{'%' if percent else ''}")
    return found


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text or "")]


def fingerprints(text: str, sample: bool = True) -> set[str]:
    """Hashes of the text's word 6-grams (one in :data:`KEEP_ONE_IN` when ``sample``): what it said, not its words."""
    words = _words(text)
    out = set()
    for i in range(max(0, len(words) - SHINGLE + 1)):
        digest = hashlib.blake2b(" ".join(words[i:i + SHINGLE]).encode(), digest_size=5).hexdigest()
        if not sample or int(digest, 16) % KEEP_ONE_IN == 0:
            out.add(digest)
    return out


def line_hashes(text: str) -> set[str]:
    """Hashes of each sentence and line of ``text`` (words only, case folded): short lines a voice profile reuses."""
    out = set()
    for part in _SENTENCE.split(text or ""):
        words = _words(part)
        if len(words) >= 3:
            out.add(hashlib.blake2b(" ".join(words).encode(), digest_size=6).hexdigest())
    return out


@dataclass(frozen=True)
class Probe:
    """A question to re-ask after the document is gone, and the facts (figures) an answer must no longer state."""

    question: str
    facts: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"question": self.question, "facts": list(self.facts)}


def headline_probes(name: str, texts: list[str], most: int = MOST_PROBES) -> list[Probe]:
    """Questions made from a document's headline facts: its sentences that state the most figures, earliest first.

    "Acme cut onboarding from 14 to 3 days" -> "What does Acme case study say about acme cut onboarding days?"
    with the facts "14"... (single digits are not figures, see :func:`figures_in`). A document without figures
    gives questions from its first sentences.
    """
    sentences = [s.strip() for t in texts for s in _SENTENCE.split(t or "") if len(_words(s)) >= 4]
    scored = sorted(((len(figures_in(s)), -n, s) for n, s in enumerate(sentences)), reverse=True)
    chosen = [s for count, _, s in scored if count]  # its figures, then its quotes, then its first sentences
    chosen += [s for s in sentences if s not in chosen and any(q in s for q in '"“”')]
    chosen += [s for s in sentences if s not in chosen]
    out: list[Probe] = []
    for s in chosen:
        terms = list(dict.fromkeys(w for w in _words(s) if w not in STOP_WORDS and not w.isdigit()))[:8]
        probe = Probe(f"What does {name} say about {' '.join(terms)}?", tuple(sorted(figures_in(s))))
        if terms and probe not in out:
            out.append(probe)
        if len(out) >= most:
            break
    return out


@dataclass
class Trace:
    """What a removed document (or replaced version) said, kept as a check can use it: never its text."""

    workspace: str
    doc_id: str
    file: str
    reason: Reason
    probes: list[Probe]
    figures: list[str]
    fingerprints: list[str]
    chunk_ids: list[str]
    lines: list[str] = field(default_factory=list)
    kept_version: str | None = None  # a new version replaced it: this one stays
    check_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    created: float = field(default_factory=time.time)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["probes"] = [p.as_dict() for p in self.probes]
        return data


def trace_of(store, workspace: str, doc_id: str, file: str, reason: Reason, keep_version: str | None = None,
             title: str | None = None) -> Trace:
    """Note what the document (or its versions other than ``keep_version``) says, before it is removed."""
    hits = [h for h in store.index.chunks_of(workspace, doc_id) if keep_version is None or h.version != keep_version]
    texts = [h.text for h in hits]
    name = title or file.rsplit("/", 1)[-1].rsplit(".", 1)[0].replace("-", " ").replace("_", " ") or file
    prints: set[str] = set()
    lines: set[str] = set()
    for t in texts:
        if len(prints) < MOST_FINGERPRINTS:
            prints |= fingerprints(t)
        if len(lines) < MOST_FINGERPRINTS:
            lines |= line_hashes(t)
    return Trace(workspace, doc_id, file, reason, headline_probes(name, texts),
                 sorted(set().union(*map(figures_in, texts)) if texts else set()),
                 sorted(prints)[:MOST_FINGERPRINTS], [h.chunk_id for h in hits], sorted(lines)[:MOST_FINGERPRINTS],
                 keep_version)


# the catalog's side: pending checks and their results
def remember(catalog, trace: Trace) -> None:
    """Keep ``trace`` as a pending forget check (run by :func:`rag.quality.forget.run_pending`)."""
    catalog.forgetting.add(ForgetCheckRecord(
        trace.check_id, trace.workspace, trace.doc_id, trace.file, trace.reason, trace.created,
        {k: v for k, v in trace.as_dict().items() if k not in ("check_id", "created")}))


def _trace(record: ForgetCheckRecord) -> Trace:
    data = dict(record.trace)
    data["probes"] = [Probe(p["question"], tuple(p["facts"])) for p in data["probes"]]
    return Trace(**data, check_id=record.check_id, created=record.created)


@dataclass
class CheckRow:
    trace: Trace
    status: CheckStatus
    checked: float | None
    result: dict | None


def _row(r: ForgetCheckRecord) -> CheckRow:
    return CheckRow(_trace(r), r.status, r.checked, r.result)  # type: ignore[arg-type]


def checks(catalog, workspace: str, *, doc_id: str | None = None, status: CheckStatus | None = None,
           limit: int = 50) -> list[CheckRow]:
    """An assistant's forget checks, newest first (of one document, in one state)."""
    return [_row(r) for r in catalog.forgetting.checks(workspace, doc_id=doc_id, status=status, limit=limit)]


def workspaces_with_pending(catalog) -> list[str]:
    """The assistants with forget checks still to run (left by syncs, ZIPs uploaded again, new versions)."""
    return catalog.forgetting.workspaces_with_pending()


def check_by_doc(catalog, doc_id: str) -> CheckRow | None:
    """The newest forget check of a document, in any assistant."""
    record = catalog.forgetting.newest_of(doc_id)
    return _row(record) if record is not None else None


def save_result(catalog, check_id: str, passed: bool, result: dict) -> None:
    catalog.forgetting.save_result(check_id, passed, result, time.time())


def drop_checks(catalog, workspace: str) -> None:
    """An assistant deleted: its forget checks go with it."""
    catalog.forgetting.drop_workspace(workspace)


# clearing what the catalog keeps beside the index
def forget_traces(catalog, workspace: str, doc_id: str) -> None:
    """The whole document is gone: its style rules, its retrieval log, and its passages quoted in saved chats."""
    catalog.forgetting.clear_document(workspace, doc_id)
    catalog.forgetting.scrub_quotes(workspace, doc_id, None)


def forget_old_version(catalog, workspace: str, doc_id: str, old_chunk_ids: set[str]) -> None:
    """A new version replaced the document: what only the old one said goes (from saved chats and style rules).

    Its style rules are read again from the new version on their next use (``sync_guides``): rules no
    person touched are dropped now, the others keep the person's choice but lose the old wording.
    """
    catalog.forgetting.clear_old_version(doc_id)
    # the search log keeps its counts: passage ids, no text, and Health judges the document by them
    catalog.forgetting.scrub_quotes(workspace, doc_id, old_chunk_ids)


# what a check reads back from the catalog
def catalog_leftovers(catalog, trace: Trace) -> list[str]:
    """Where the catalog still holds the removed document (or version): plain descriptions, empty when nothing."""
    out: list[str] = []
    found = catalog.forgetting.leftovers(trace.workspace, trace.doc_id, trace.chunk_ids, whole=trace.kept_version is None)
    if found.listed:
        out.append("It is still listed among the assistant's documents.")
    if found.style_rules:
        out.append("Style rules read from it are still kept.")
    if found.search_log:
        out.append("The search log still lists its passages.")
    quoted = found.quoted
    if quoted:
        out.append(f"Saved chats still quote it ({quoted} passage{'s' if quoted != 1 else ''}).")
    return out
