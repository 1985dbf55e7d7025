"""Answer checks in the catalog (``catalog.checks``): the checks, their runs and each run's results (tables of
m020_answer_checks), and the types they are read as.

All the SQL of answer checks is here, as typed methods; the logic (judging, suggesting, running,
before/after) is in :mod:`rag.quality.checks`. Runs are queued here too, so saving an assistant's
settings or re-indexing it can ask for a run without waiting for it: the app's check runner
(:mod:`rag.quality.runner`) does it in the background.

No access checks here: the callers check who may (``rag.quality.checks`` with ``user=``).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Literal

from . import Tables

CheckStatus = Literal["active", "dropped"]
CheckOrigin = Literal["person", "suggested", "chat"]
RunStatus = Literal["queued", "running", "done", "failed"]
RunReason = Literal["on demand", "settings", "re-index", "nightly", "sync"]


@dataclass
class Check:
    """A question and the facts a right answer states (a figure, a name, a date, a step count); optionally the
    document (its file name) the answer must cite."""

    check_id: str
    workspace: str
    question: str
    facts: list[str]
    source: str | None = None
    origin: CheckOrigin = "person"
    status: CheckStatus = "active"
    created_by: str = ""
    created: float = 0.0
    updated: float = 0.0

    def as_dict(self) -> dict:
        return {"check_id": self.check_id, "question": self.question, "facts": list(self.facts),
                "source": self.source, "origin": self.origin}


@dataclass
class FactResult:
    fact: str
    found: bool


@dataclass
class Passage:
    """Where a fact is in the documents: opened from a failing check (the page view highlights ``quote``)."""

    doc_id: str
    chunk_id: str
    file: str
    page: int | None = None
    pages: list[int] = field(default_factory=list)
    section: str = ""
    chunk_index: int = 0
    quote: str = ""
    title: str = ""


@dataclass
class CheckResult:
    check_id: str
    question: str
    passed: bool
    answer: str = ""
    refused: bool = False
    facts: list[FactResult] = field(default_factory=list)
    source: str | None = None
    source_ok: bool | None = None  # None: the check names no document
    cited: list[str] = field(default_factory=list)  # the files the answer cited
    passage: Passage | None = None  # where the first missing fact is (a failing check only)

    @property
    def missing(self) -> list[str]:
        return [f.fact for f in self.facts if not f.found]

    def why(self) -> str:
        """Why it failed, in plain words ("" when it passed)."""
        if self.passed:
            return ""
        parts = []
        if self.refused:
            parts.append("it found no answer")
        if self.missing:
            parts.append("it doesn't say " + ", ".join(f"“{m}”" for m in self.missing))
        if self.source_ok is False:
            parts.append(f"it doesn't cite {self.source}")
        line = "; ".join(parts)
        return line[:1].upper() + line[1:] + "." if line else ""

    def as_dict(self) -> dict:
        return {"check_id": self.check_id, "question": self.question, "passed": self.passed, "answer": self.answer,
                "refused": self.refused, "facts": [{"fact": f.fact, "found": f.found} for f in self.facts],
                "source": self.source, "source_ok": self.source_ok, "cited": list(self.cited), "why": self.why(),
                "passage": self.passage.__dict__ if self.passage else None}


@dataclass
class Run:
    run_id: int
    workspace: str
    reason: RunReason
    change: str
    status: RunStatus
    queued: float
    queued_by: str = ""
    started: float | None = None
    finished: float | None = None
    passed: int | None = None
    total: int | None = None
    error: str | None = None

    @property
    def seconds(self) -> float | None:
        return self.finished - self.started if self.finished and self.started else None

    def as_dict(self) -> dict:
        return {"run_id": self.run_id, "reason": self.reason, "change": self.change, "status": self.status,
                "passed": self.passed, "total": self.total, "error": self.error,
                "seconds": round(self.seconds, 2) if self.seconds is not None else None,
                "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.finished)) if self.finished else None}


def _check(r) -> Check:
    return Check(r["check_id"], r["workspace"], r["question"], json.loads(r["facts"]), r["source"], r["origin"],
                 r["status"], r["created_by"], r["created"], r["updated"])


def _run(r) -> Run:
    return Run(r["run_id"], r["workspace"], r["reason"], r["change"], r["status"], r["queued"], r["queued_by"],
               r["started"], r["finished"], r["passed"], r["total"], r["error"])


def _result(r) -> CheckResult:
    passage = json.loads(r["passage"]) if r["passage"] else None
    return CheckResult(
        r["check_id"], r["question"], bool(r["passed"]), r["answer"], bool(r["refused"]),
        [FactResult(f["fact"], f["found"]) for f in json.loads(r["facts"])], r["source"],
        None if r["source_ok"] is None else bool(r["source_ok"]), json.loads(r["cited"]),
        Passage(**passage) if passage else None,
    )


class CheckTables(Tables):
    """``answer_checks``, ``check_runs`` and ``check_results``: what is checked, each run and what it found."""

    # checks
    def add_check(self, workspace: str, question: str, facts: list[str], source: str | None = None,
                  origin: CheckOrigin = "person", created_by: str = "", status: CheckStatus = "active") -> Check:
        """Save a new check of ``workspace`` (an id made here) and return it."""
        now = time.time()
        check = Check(uuid.uuid4().hex[:12], workspace, question, list(facts), source, origin, status, created_by, now,
                      now)
        self._execute(
            "INSERT INTO answer_checks(check_id, workspace, question, facts, source, origin, status, created_by, created, updated) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (check.check_id, workspace, question, json.dumps(check.facts), source, origin, status, created_by, now, now),
        )
        return check

    def update_check(self, check_id: str, question: str, facts: list[str], source: str | None) -> None:
        """Replace a check's question, facts and document (an edit by a person)."""
        self._execute("UPDATE answer_checks SET question = ?, facts = ?, source = ?, updated = ? WHERE check_id = ?",
                      (question, json.dumps(list(facts)), source, time.time(), check_id))

    def set_check_status(self, check_id: str, status: CheckStatus) -> None:
        """Make a check active or dropped (dropped ones are kept so a suggestion isn't made again)."""
        self._execute("UPDATE answer_checks SET status = ?, updated = ? WHERE check_id = ?",
                      (status, time.time(), check_id))

    def get_check(self, check_id: str) -> Check | None:
        """One check by id (None when there is none)."""
        rows = self._query("SELECT * FROM answer_checks WHERE check_id = ?", (check_id,))
        return _check(rows[0]) if rows else None

    def list_checks(self, workspace: str, status: CheckStatus | None = "active") -> list[Check]:
        """An assistant's checks, oldest first (``status=None``: dropped ones too)."""
        if status is None:
            rows = self._query("SELECT * FROM answer_checks WHERE workspace = ? ORDER BY created, check_id",
                               (workspace,))
        else:
            rows = self._query("SELECT * FROM answer_checks WHERE workspace = ? AND status = ? "
                               "ORDER BY created, check_id", (workspace, status))
        return [_check(r) for r in rows]

    def count_checks(self, workspace: str) -> int:
        """How many active checks an assistant has (none: nothing to run)."""
        rows = self._query("SELECT COUNT(*) AS n FROM answer_checks WHERE workspace = ? AND status = 'active'",
                           (workspace,))
        return int(rows[0]["n"])

    def delete_workspace(self, workspace: str) -> None:
        """Everything of answer checks of an assistant that is deleted."""
        with self.catalog.transaction():
            self._execute("DELETE FROM check_results WHERE run_id IN (SELECT run_id FROM check_runs WHERE workspace = ?)",
                          (workspace,))
            self._execute("DELETE FROM check_runs WHERE workspace = ?", (workspace,))
            self._execute("DELETE FROM answer_checks WHERE workspace = ?", (workspace,))

    # runs
    def queue_run(self, workspace: str, reason: RunReason, change: str = "", queued_by: str = "",
                  only_with_checks: bool = True) -> Run | None:
        """Ask for a run of ``workspace``'s checks; one still waiting takes this one's change instead of a second run.

        ``only_with_checks``: nothing is queued for an assistant without checks (saving settings asks every time).
        Returns the waiting run (None when nothing was queued).
        """
        with self.catalog.transaction():
            if only_with_checks and not self._query(
                    "SELECT 1 FROM answer_checks WHERE workspace = ? AND status = 'active' LIMIT 1", (workspace,)):
                return None
            waiting = self._query("SELECT * FROM check_runs WHERE workspace = ? AND status = 'queued' "
                                  "ORDER BY run_id LIMIT 1", (workspace,))
            if waiting:
                run = _run(waiting[0])
                parts = run.change.split("; ") if run.change else []
                joined = "; ".join(parts + ([change] if change and change not in parts else []))
                reason = run.reason if run.reason in ("settings", "on demand") or not change else reason
                self._execute("UPDATE check_runs SET change = ?, reason = ? WHERE run_id = ?",
                              (joined, reason, run.run_id))
                run.change, run.reason = joined, reason
                return run
            now = time.time()
            run_id = self._query("INSERT INTO check_runs(workspace, reason, change, status, queued_by, queued) "
                                 "VALUES (?, ?, ?, 'queued', ?, ?) RETURNING run_id",
                                 (workspace, reason, change, queued_by, now))[0]["run_id"]
        return Run(run_id, workspace, reason, change, "queued", now, queued_by)

    def get_run(self, run_id: int) -> Run | None:
        """One run by id (None when there is none)."""
        rows = self._query("SELECT * FROM check_runs WHERE run_id = ?", (run_id,))
        return _run(rows[0]) if rows else None

    def runs(self, workspace: str, limit: int = 20) -> list[Run]:
        """An assistant's runs, newest first."""
        rows = self._query("SELECT * FROM check_runs WHERE workspace = ? ORDER BY run_id DESC LIMIT ?",
                           (workspace, limit))
        return [_run(r) for r in rows]

    def queued_runs(self) -> list[Run]:
        """Every assistant's waiting runs, oldest first: the check runner's to-do list."""
        return [_run(r) for r in self._query("SELECT * FROM check_runs WHERE status = 'queued' ORDER BY run_id")]

    def waiting_run(self, workspace: str) -> Run | None:
        """The assistant's run that is queued or under way, if any (a page shows its progress)."""
        rows = self._query("SELECT * FROM check_runs WHERE workspace = ? AND status IN ('queued', 'running') "
                           "ORDER BY run_id LIMIT 1", (workspace,))
        return _run(rows[0]) if rows else None

    def previous_run(self, run: Run) -> Run | None:
        """The last finished run of the same assistant before ``run``: what a run is compared with."""
        rows = self._query("SELECT * FROM check_runs WHERE workspace = ? AND status = 'done' AND run_id < ? "
                           "ORDER BY run_id DESC LIMIT 1", (run.workspace, run.run_id))
        return _run(rows[0]) if rows else None

    def claim_run(self, run_id: int) -> bool:
        """Mark a queued run as running; False when someone else took it first."""
        with self.catalog.transaction():
            if not self._query("SELECT 1 FROM check_runs WHERE run_id = ? AND status = 'queued'", (run_id,)):
                return False
            self._execute("UPDATE check_runs SET status = 'running', started = ? WHERE run_id = ?",
                          (time.time(), run_id))
        return True

    def requeue_interrupted(self) -> int:
        """Runs left 'running' by a process that stopped: waiting again (their partial results dropped)."""
        with self.catalog.transaction():
            rows = self._query("SELECT run_id FROM check_runs WHERE status = 'running'")
            for r in rows:
                self._execute("DELETE FROM check_results WHERE run_id = ?", (r["run_id"],))
                self._execute("UPDATE check_runs SET status = 'queued', started = NULL WHERE run_id = ?",
                              (r["run_id"],))
        return len(rows)

    def save_result(self, run_id: int, result: CheckResult) -> None:
        """Keep one check's result of a run (again: replaces it), as soon as it is known."""
        self._execute(
            "INSERT INTO check_results(run_id, check_id, question, passed, answer, refused, facts, source, source_ok, "
            "cited, passage) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(run_id, check_id) DO UPDATE SET "
            "question = excluded.question, passed = excluded.passed, answer = excluded.answer, refused = excluded.refused, "
            "facts = excluded.facts, source = excluded.source, source_ok = excluded.source_ok, cited = excluded.cited, "
            "passage = excluded.passage",
            (run_id, result.check_id, result.question, int(result.passed), result.answer, int(result.refused),
             json.dumps([{"fact": f.fact, "found": f.found} for f in result.facts]), result.source,
             None if result.source_ok is None else int(result.source_ok), json.dumps(result.cited),
             json.dumps(result.passage.__dict__) if result.passage else None),
        )

    def finish_run(self, run_id: int, passed: int, total: int, error: str | None = None) -> None:
        """Close a run with its score ("failed" with ``error`` when it could not finish)."""
        self._execute("UPDATE check_runs SET status = ?, finished = ?, passed = ?, total = ?, error = ? WHERE run_id = ?",
                      ("failed" if error else "done", time.time(), passed, total, error, run_id))

    def results_so_far(self, run_id: int) -> int:
        """How many checks of a run under way are done (its progress, for any page to show)."""
        return int(self._query("SELECT COUNT(*) AS n FROM check_results WHERE run_id = ?", (run_id,))[0]["n"])

    def results(self, run_id: int) -> list[CheckResult]:
        """A run's results, in the order the checks were made."""
        rows = self._query("SELECT r.* FROM check_results r LEFT JOIN answer_checks a ON a.check_id = r.check_id "
                           "WHERE r.run_id = ? ORDER BY a.created, r.check_id", (run_id,))
        return [_result(r) for r in rows]

    def last_run_queued(self, workspace: str) -> float | None:
        """When the assistant's newest run was asked for (None: never): the nightly schedule's clock."""
        rows = self._query("SELECT MAX(queued) AS q FROM check_runs WHERE workspace = ?", (workspace,))
        return rows[0]["q"]

    def workspaces_with_checks(self) -> list[str]:
        """The assistants that have active checks (the nightly schedule visits these)."""
        return [r["workspace"] for r in self._query(
            "SELECT DISTINCT workspace FROM answer_checks WHERE status = 'active' ORDER BY workspace")]

    def last_sync(self, workspace: str) -> float | None:
        """When a site or export of ``workspace`` last finished a sync (a scheduled one starts a run of its checks)."""
        rows = self._query("SELECT MAX(last_sync) AS s FROM sources WHERE workspace = ? AND schedule != 'off'",
                           (workspace,))
        return rows[0]["s"]

    def settled(self, workspace: str, quiet_s: float = 5.0) -> bool:
        """Nothing of ``workspace`` is being indexed or waits to be, and no document changed in the last ``quiet_s``:
        a run now sees the documents as they will be (not half of a re-index)."""
        busy = self._query(
            "SELECT 1 FROM jobs WHERE workspace = ? AND status IN ('queued', 'reading', 'indexing') LIMIT 1",
            (workspace,)
        ) or self._query(
            "SELECT 1 FROM documents WHERE workspace = ? AND (status IN ('indexing', 'waiting') OR pending_version IS NOT NULL) "
            "LIMIT 1",
            (workspace,))
        if busy:
            return False
        latest = self._query("SELECT MAX(updated) AS u FROM documents WHERE workspace = ?", (workspace,))[0]["u"]
        return latest is None or latest < time.time() - quiet_s
