"""The forget check: after a document (or an old version of it) is removed, prove it no longer answers.

The questions made from its headline facts when it went (:mod:`rag.ingest.forgetting`), and any answer
checks passed in (``items``: a question and the facts a right answer states), are asked again the way a
person asks them, quoting the documents (no writing model: an answer made only of retrieved passages
shows whatever is still retrievable). A question passes when its answer cites no passage of the
removed document (version) and states none of the figures, sentences or facts found only in it; a
figure another, still-present document states is fine. Beside the questions, what could keep its
words without being asked is read back: the index (points of it left behind), the catalog (its row,
style rules, search log, quoted passages in saved chats), the kept original, the voice profile and
style rules drafts are written with, and the facts and examples a draft on each question is offered.

Results are stored with the check (``forget_checks``) and shown on the Knowledge page and by
``grounded forget-check DOC`` / ``grounded rm DOC``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from ..access.assistants import get_assistant
from ..access.documents import readable_document
from ..access.users import User
from ..answer.chain import AskOptions, ask
from ..errors import NotFound
from ..ingest import forgetting, originals, pipeline
from ..ingest.forgetting import Probe, Trace, figures_in, fingerprints, line_hashes
from ..marketing.recipes import get_recipe, plan_retrieval
from ..marketing.style_rules import style_rules
from ..marketing.voice import profile_for, saved_guidance
from ..present import plural
from ..store import Store

ForgetItem = Probe  # an answer check as the forget check takes it: (question, facts)

Place = Literal["index", "catalog", "original", "chats", "voice", "style rules", "guidance", "draft facts"]


@dataclass
class Leftover:
    """Somewhere the removed text is still kept, in plain words."""

    place: Place
    detail: str

    def as_dict(self) -> dict:
        return {"place": self.place, "detail": self.detail}


@dataclass
class ProbeResult:
    """One question asked again, and what its answer still owes to the removed document."""

    question: str
    facts: list[str]
    answer: str
    refused: bool
    cited: list[str]  # the files the answer cites
    cites_it: bool  # a citation opens a passage of the removed document (version)
    stated: list[str] = field(default_factory=list)  # figures and facts found only in it that the answer states
    repeats_it: bool = False  # the answer repeats a sentence found only in it

    @property
    def passed(self) -> bool:
        return not self.cites_it and not self.stated and not self.repeats_it

    def as_dict(self) -> dict:
        return {"question": self.question, "facts": self.facts, "answer": self.answer, "refused": self.refused,
                "cited": self.cited, "cites_it": self.cites_it, "stated": self.stated, "repeats_it": self.repeats_it,
                "passed": self.passed}


@dataclass
class ForgetResult:
    check_id: str
    workspace: str
    doc_id: str
    file: str
    reason: str
    checked: float
    probes: list[ProbeResult]
    leftovers: list[Leftover]
    figures_only_in_it: list[str]

    @property
    def passed(self) -> bool:
        return not self.leftovers and all(p.passed for p in self.probes)

    def summary(self) -> str:
        """One line for the page and the command line."""
        asked = plural(len(self.probes), "question")
        if self.passed:
            return (f"Forgotten: {asked} re-asked, none cites it or states its figures"
                    + ("." if self.probes else " (it stated nothing to ask about)."))
        problems = []
        if citing := sum(p.cites_it for p in self.probes):
            problems.append(f"{citing} of {len(self.probes)} answers still cite it")
        if stating := sum(bool(p.stated or p.repeats_it) and not p.cites_it for p in self.probes):
            problems.append(f"{stating} still state what only it said")
        problems += [lo.detail.rstrip(".") for lo in self.leftovers]
        return f"Not forgotten: {'; '.join(problems)}."

    def as_dict(self) -> dict:
        return {"check_id": self.check_id, "workspace": self.workspace, "doc_id": self.doc_id, "file": self.file,
                "reason": self.reason, "checked": self.checked, "passed": self.passed, "summary": self.summary(),
                "questions": [p.as_dict() for p in self.probes], "leftovers": [lo.as_dict() for lo in self.leftovers],
                "figures_only_in_it": self.figures_only_in_it}

    @classmethod
    def from_dict(cls, data: dict) -> ForgetResult:
        probes = [ProbeResult(**{k: v for k, v in p.items() if k != "passed"}) for p in data["questions"]]
        return cls(data["check_id"], data["workspace"], data["doc_id"], data["file"], data["reason"], data["checked"],
                   probes, [Leftover(**lo) for lo in data["leftovers"]], data["figures_only_in_it"])


@dataclass
class _Present:
    """What the documents still present say, as the check compares: figures, fingerprints, lines, and facts found."""

    figures: set[str] = field(default_factory=set)
    prints: set[str] = field(default_factory=set)
    lines: set[str] = field(default_factory=set)
    facts: set[str] = field(default_factory=set)
    stray: int = 0  # points of the removed document (version) still in the index


def _present(store: Store, trace: Trace, facts: set[str]) -> _Present:
    """One pass over the assistant's index: only points of ready documents, at their ready version, count as present."""
    ready = {r.doc_id: r.version for r in store.catalog.documents(trace.workspace, status="ready")}
    old = set(trace.chunk_ids)
    out = _Present()
    wanted = {f: f.casefold() for f in facts}
    for chunk_id, payload in store.index.all_chunks(trace.workspace, ["text", "doc_id", "version"]):
        doc_id, version = payload.get("doc_id"), payload.get("version")
        if doc_id == trace.doc_id and (trace.kept_version is None or version != trace.kept_version or chunk_id in old):
            out.stray += 1
            continue
        if doc_id not in ready or (version and ready[doc_id] and version != ready[doc_id]):
            continue  # another document's unfinished or orphaned points: not what a person sees as present
        text = payload.get("text") or ""
        out.figures |= figures_in(text)
        out.prints |= fingerprints(text)
        out.lines |= line_hashes(text)
        folded = text.casefold()
        out.facts |= {f for f, low in wanted.items() if f not in out.facts and low in folded}
    return out


def _says_it(text: str, prints: set[str], lines: set[str]) -> bool:
    return bool(fingerprints(text, sample=False) & prints or line_hashes(text) & lines)


def _check(store: Store, trace: Trace, items: Iterable[ForgetItem] = ()) -> ForgetResult:
    """Run the forget check of ``trace`` (no access check: see :func:`forget_check`)."""
    probes: list[Probe] = []
    for p in [*items, *trace.probes]:
        if p.question.strip() and p.question not in {q.question for q in probes}:
            probes.append(Probe(p.question.strip(), tuple(p.facts)))
    word_facts = {f for p in probes for f in p.facts if not figures_in(f)}
    present = _present(store, trace, word_facts)
    old_figures = set(trace.figures) - present.figures
    old_prints = set(trace.fingerprints) - present.prints
    old_lines = set(trace.lines) - present.lines
    old_ids = set(trace.chunk_ids)

    def of_it(doc_id: str, chunk_id: str) -> bool:
        return doc_id == trace.doc_id and (trace.kept_version is None or chunk_id in old_ids)

    leftovers = _leftovers(store, trace, present, old_prints, old_lines)
    results: list[ProbeResult] = []
    recipe = get_recipe("linkedin-post")
    offered = 0
    for p in probes:
        answer = ask(store, p.question, trace.workspace, AskOptions(model="extractive"), user=None)
        said = answer.answer + "\n" + "\n".join(c.quote for c in answer.citations)
        stated = sorted(figures_in(said) & old_figures)
        stated += [f for f in p.facts if f not in stated and (
            (figures_in(f) and figures_in(f) <= old_figures and figures_in(f) <= figures_in(said))
            or (f in word_facts and f not in present.facts and f.casefold() in said.casefold()))]
        results.append(ProbeResult(
            p.question, list(p.facts), answer.answer, answer.refused, sorted({c.title or c.file for c in answer.citations}),
            any(of_it(c.doc_id, c.chunk_id) for c in answer.citations), stated, _says_it(said, old_prints, old_lines)))
        plan = plan_retrieval(store, recipe, p.question, trace.workspace, user=None)
        offered += sum(1 for h in plan.facts if of_it(h.doc_id, h.chunk_id) or _says_it(h.text, old_prints, old_lines))
        offered += sum(1 for e in plan.examples if (e.doc_id == trace.doc_id and trace.kept_version is None)
                       or _says_it(e.text, old_prints, old_lines))
    if offered:
        leftovers.append(Leftover("draft facts", f"Drafts are still offered {plural(offered, 'passage')} from it."))
    return ForgetResult(trace.check_id, trace.workspace, trace.doc_id, trace.file, trace.reason, time.time(), results,
                        leftovers, sorted(old_figures))


def _leftovers(store: Store, trace: Trace, present: _Present, old_prints: set[str], old_lines: set[str]) -> list[Leftover]:
    out: list[Leftover] = []
    if present.stray:
        out.append(Leftover("index", f"The search index still holds {plural(present.stray, 'passage')} of it."))
    for detail in forgetting.catalog_leftovers(store.catalog, trace):
        out.append(Leftover("chats" if detail.startswith("Saved chats") else "catalog", detail))
    if trace.kept_version is None and originals.doc_folder(store, trace.workspace, trace.doc_id).exists():
        out.append(Leftover("original", "Its original file is still kept."))
    profile = profile_for(store, trace.workspace, user=None)
    if profile is not None:
        used = [*profile.hook_examples, *profile.cta_examples, *profile.phrases, *profile.openers, *profile.closers]
        if any(_says_it(s, old_prints, old_lines) for s in used):
            out.append(Leftover("voice", "The voice profile drafts are written in still uses lines from it."))
    rules = style_rules(store, trace.workspace, user=None)
    if any(_says_it(r.source_sentence, old_prints, old_lines) for r in rules):
        out.append(Leftover("style rules", "Style rules still quote it."))
    guidance = saved_guidance(store.catalog, trace.workspace, user=None) or ""
    if _says_it(guidance, old_prints, old_lines):
        out.append(Leftover("guidance", "Your saved writing guidance still quotes it: edit it on the Write page."))
    return out


def _answer_checks_of(store: Store, trace: Trace) -> list[ForgetItem]:
    """The assistant's answer checks that must cite the removed document: asked again like its headline questions
    (they now fail on the Checks page too, which is right: their source is gone)."""
    return [ForgetItem(c.question, tuple(c.facts)) for c in store.catalog.checks.list_checks(trace.workspace)
            if c.source == trace.file]


def _run(store: Store, trace: Trace, items: Iterable[ForgetItem]) -> ForgetResult:
    result = _check(store, trace, [*items, *_answer_checks_of(store, trace)])
    forgetting.save_result(store.catalog, trace.check_id, result.passed, result.as_dict())
    return result


# what pages and the command line call (each checks the acting user)
def delete_and_check(store: Store, doc_id: str, items: Sequence[ForgetItem] = (), *, user: User | None) -> ForgetResult:
    """Delete a document (``user`` must manage its assistant) and prove it is gone."""
    readable_document(store.catalog, doc_id, user, manage=True)
    trace = pipeline.delete_document(store, doc_id, reason="deleted")  # leaves the forget check pending
    return _run(store, trace, items)


def forget_check(store: Store, doc_id: str, items: Sequence[ForgetItem] = (), *, user: User | None) -> ForgetResult:
    """Run (again) the newest forget check of a removed document or replaced version."""
    row = forgetting.check_by_doc(store.catalog, doc_id)
    if row is None:
        raise NotFound("Nothing was removed from that document, so there is nothing to check. "
                       "Give the id of a deleted document (shown when it was deleted) or of one with a new version.")
    get_assistant(store.catalog, row.trace.workspace, user, manage=True)
    return _run(store, row.trace, items)


def run_pending(store: Store, assistant_id: str, *, user: User | None, most: int | None = None) -> list[ForgetResult]:
    """Run the checks left pending by syncs, ZIPs uploaded again and new versions (the oldest first)."""
    get_assistant(store.catalog, assistant_id, user, manage=True)
    rows = forgetting.checks(store.catalog, assistant_id, status="pending", limit=10_000)[::-1]
    return [_run(store, r.trace, ()) for r in rows[:most]]


@dataclass
class CheckSummary:
    """A forget check as listed: pending, or with its result."""

    check_id: str
    doc_id: str
    file: str
    reason: str
    created: float
    status: forgetting.CheckStatus
    result: ForgetResult | None

    def as_dict(self) -> dict:
        return {"check_id": self.check_id, "doc_id": self.doc_id, "file": self.file, "reason": self.reason,
                "created": self.created, "status": self.status, "result": self.result.as_dict() if self.result else None}


def results(store: Store, assistant_id: str, *, user: User | None, limit: int = 20) -> list[CheckSummary]:
    """An assistant's forget checks, newest first."""
    get_assistant(store.catalog, assistant_id, user, manage=True)
    return [CheckSummary(r.trace.check_id, r.trace.doc_id, r.trace.file, r.trace.reason, r.trace.created, r.status,
                         ForgetResult.from_dict(r.result) if r.result else None)
            for r in forgetting.checks(store.catalog, assistant_id, limit=limit)]
