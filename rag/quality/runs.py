"""Running answer checks: judging an answer, where a missing fact is, each run stored and compared with the one before.

The machinery under :mod:`rag.quality.checks` (which checks who may) and the background runner
(:mod:`rag.quality.runner`); nothing here checks access: callers did.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..access.assistants import effective_settings, get_assistant
from ..answer.chain import AskOptions, ask
from ..answer.models import prepare_model
from ..answer.quote import units_of
from ..answer.retrieve import search
from ..catalog.checks import Check, CheckResult, FactResult, Passage, Run
from ..errors import NotFound
from ..ingest import pipeline
from ..types import Answer, Hit
from . import judge as judging

Progress = Callable[[int, int, str], None]  # (done, total, question)


def name_key(name: str) -> str:
    """A file name as compared: its last part, lowercase ("Help/Reset.HTML" -> "reset.html")."""
    return PurePosixPath(name.strip().lower()).name


def document_named(store, workspace: str, name: str):
    """The assistant's document whose file (or just its file name, or its title) is ``name``."""
    key = name_key(name)
    for row in store.catalog.documents(workspace):
        if key in (row.file.lower(), name_key(row.file), (row.title or "").strip().lower()):
            return row
    return None


# judging
def _cites(answer: Answer, source: str) -> bool:
    """Does the answer cite the document ``source`` (its file, as the check stores it)? A title or a file of the
    same name elsewhere is not enough: "pricing.md" is not "old/pricing.md" nor a page titled "Pricing"."""
    return any(c.file.lower() == source.strip().lower() for c in answer.citations)


def judge(check: Check, answer: Answer) -> CheckResult:
    """Pass or fail: every fact stated in the answer, and the named document cited (when there is one)."""
    text = "" if answer.refused else answer.answer
    have = judging.tokens(text)
    found = [FactResult(f, judging.states(text, f, have)) for f in check.facts]
    source_ok = None if not check.source else (not answer.refused and _cites(answer, check.source))
    passed = not answer.refused and all(f.found for f in found) and source_ok is not False
    return CheckResult(check.check_id, check.question, passed, answer.answer, answer.refused, found, check.source,
                       source_ok, list(dict.fromkeys(c.file for c in answer.citations)))


def _sentence_with(hit: Hit, fact: str) -> str:
    for u in units_of(hit, 1):
        if judging.states(u.text, fact):
            return u.text
    return fact


def find_passage(store, workspace: str, check: Check, fact: str, answer: Answer | None = None) -> Passage | None:
    """The passage of the assistant's documents that states ``fact``: the cited document's first, then the answer's
    passages, then the best matches of a search for the question and the fact."""
    candidates: list[Hit] = []
    if check.source and (row := document_named(store, workspace, check.source)) is not None and row.status == "ready":
        candidates += pipeline.stored_chunks(store, row.doc_id)
    candidates += list(answer.hits) if answer else []
    candidates += search(store, f"{check.question} {fact}", workspace, k=8, user=None)
    for hit in candidates:
        if judging.states(hit.text, fact):
            row = store.catalog.get(hit.doc_id)
            return Passage(hit.doc_id, hit.chunk_id, hit.file, hit.page, list(hit.pages), hit.section, hit.chunk_index,
                           _sentence_with(hit, fact), (row.title or "") if row else "")
    return None


# running
@dataclass
class Comparison:
    """A run against the one before it: how many passed then and now, and which checks changed."""

    change: str
    before_passed: int
    before_total: int
    after_passed: int
    after_total: int
    worse: list[CheckResult] = field(default_factory=list)
    better: list[CheckResult] = field(default_factory=list)

    def headline(self) -> str:
        """"Search: dense -> hybrid: 14 of 20 -> 18 of 20; these 2 got worse"."""
        line = f"{self.before_passed} of {self.before_total} -> {self.after_passed} of {self.after_total}"
        if self.change:
            line = f"{self.change}: {line}"
        if self.worse:
            line += f"; {'this one' if len(self.worse) == 1 else f'these {len(self.worse)}'} got worse"
        return line

    def as_dict(self) -> dict:
        return {"change": self.change, "before": {"passed": self.before_passed, "total": self.before_total},
                "after": {"passed": self.after_passed, "total": self.after_total}, "headline": self.headline(),
                "worse": [r.check_id for r in self.worse], "better": [r.check_id for r in self.better]}


@dataclass
class RunReport:
    run: Run
    results: list[CheckResult]
    comparison: Comparison | None = None

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if not r.passed]

    def summary(self) -> str:
        """"18 of 20 checks pass" (with the before/after when there is a run to compare with)."""
        if self.comparison is not None:
            return self.comparison.headline()
        return f"{self.run.passed} of {self.run.total} checks pass"

    def as_dict(self) -> dict:
        return {"run": self.run.as_dict(), "summary": self.summary(), "results": [r.as_dict() for r in self.results],
                "comparison": self.comparison.as_dict() if self.comparison else None}


def compare(catalog, run: Run, results: list[CheckResult] | None = None) -> Comparison | None:
    """``run`` against the last finished run before it (None when there is none)."""
    previous = catalog.checks.previous_run(run)
    if previous is None or run.status != "done":
        return None
    now = {r.check_id: r for r in (results if results is not None else catalog.checks.results(run.run_id))}
    then = {r.check_id: r for r in catalog.checks.results(previous.run_id)}
    both = [c for c in now if c in then]
    return Comparison(
        run.change, previous.passed or 0, previous.total or 0, run.passed or 0, run.total or 0,
        worse=[now[c] for c in both if then[c].passed and not now[c].passed],
        better=[now[c] for c in both if not then[c].passed and now[c].passed],
    )


def execute_run(store, run: Run, on_progress: Progress | None = None) -> RunReport:
    """Run ``run`` (claimed by the caller) through the answer path as Chat answers, storing each result."""
    catalog = store.catalog
    try:
        assistant = get_assistant(catalog, run.workspace)
    except NotFound:
        catalog.checks.finish_run(run.run_id, 0, 0, "The assistant no longer exists.")
        return RunReport(catalog.checks.get_run(run.run_id), [])
    settings = effective_settings(store.settings, assistant)
    model = prepare_model(settings, assistant.model)  # once per run, as a chat would for each question
    options = AskOptions(model=assistant.model, retrieval=assistant.retrieval, instructions=assistant.instructions)
    todo = catalog.checks.list_checks(assistant.id)
    results: list[CheckResult] = []
    try:
        for i, check in enumerate(todo):
            if on_progress is not None:
                on_progress(i, len(todo), check.question)
            answer = ask(store, check.question, assistant.id, options, settings=settings, model=model, user=None)
            result = judge(check, answer)
            for fact in ([] if result.passed else result.missing or check.facts):
                result.passage = find_passage(store, assistant.id, check, fact, answer)
                if result.passage is not None:
                    break  # the first missing fact a document states: opened from the failing check
            catalog.checks.save_result(run.run_id, result)
            results.append(result)
    except Exception as err:  # noqa: BLE001 - recorded on the run, in plain words; the next run starts afresh
        catalog.checks.finish_run(run.run_id, sum(r.passed for r in results), len(results),
                                  f"The run stopped part way ({err}). Run the checks again.")
        raise
    if on_progress is not None:
        on_progress(len(todo), len(todo), "")
    catalog.checks.finish_run(run.run_id, sum(r.passed for r in results), len(results))
    run = catalog.checks.get_run(run.run_id)
    return RunReport(run, results, compare(catalog, run, results))


# nightly and after syncs
NIGHTLY_S = 24 * 3600.0


def queue_due_runs(catalog, now: float | None = None) -> list[Run]:
    """Queue a run for each assistant with checks whose sources synced since its last run, or whose last run is a
    day old (the nightly run, beside the scheduled syncs)."""
    now = time.time() if now is None else now
    queued = []
    for workspace in catalog.checks.workspaces_with_checks():
        last = catalog.checks.last_run_queued(workspace)
        synced = catalog.checks.last_sync(workspace)
        if last is not None and synced is not None and synced > last:
            reason, change = "sync", "After the scheduled sync"
        elif last is None or now - last >= NIGHTLY_S:
            reason, change = "nightly", ""
        else:
            continue
        if run := catalog.checks.queue_run(workspace, reason, change):
            queued.append(run)
    return queued


def run_queued(store, on_progress: Progress | None = None, quiet_s: float = 5.0) -> list[RunReport]:
    """Run every queued run whose assistant is settled (nothing being indexed): the background runner's step, and
    ``grounded sync``'s after syncing."""
    reports = []
    for run in store.catalog.checks.queued_runs():
        if store.catalog.checks.settled(run.workspace, quiet_s) and store.catalog.checks.claim_run(run.run_id):
            reports.append(execute_run(store, store.catalog.checks.get_run(run.run_id), on_progress))
    return reports
