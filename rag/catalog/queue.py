"""The indexing queue's tables (``jobs``, ``uploads``, ``queue_owner``): every statement rag/ingest/queue.py runs.

What the queue promises (one durable transaction per batch, the atomic claim, lanes, leases, taking a dead
owner's work over) is explained there; this module holds the SQL that keeps those promises, unchanged:
the claim is one ``UPDATE ... RETURNING`` whose pick is ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, and the
multi-statement steps (queuing a batch, cancelling, taking ownership) run in ``catalog.transaction()``.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass, fields
from typing import Literal

from ..types import ChunkSettings
from . import Tables

JobStatus = Literal["queued", "reading", "indexing", "indexed", "unchanged", "skipped", "failed", "cancelled", "held"]
ACTIVE: tuple[JobStatus, ...] = ("queued", "reading", "indexing")
# Read failed because the install lacks something (rag.errors.SetupProblem): the bytes are kept and the
# job goes back to the queue when the indexer next starts (after `make install`, the app restarts).
HELD: JobStatus = "held"
OWNER_STALE_S = 15.0  # an owner whose heartbeat (every 2 s) is older than this is gone


@dataclass(frozen=True)
class Job:
    """One document handed over for indexing, and what became of it."""

    job_id: int
    batch: str  # the jobs of one request (an upload click, a command) share it
    workspace: str
    name: str  # the document's name: "pricing.pdf", "help.zip/reset-password.html"
    upload: str  # the file handed over: "help.zip"
    stored: str | None  # its bytes, relative to the data folder, until indexed
    size: int
    chunking: str  # ChunkSettings as JSON
    kind: str | None
    force: int
    status: JobStatus
    error: str | None
    doc_id: str | None
    chunks: int
    pages: int | None
    queued_by: str  # the user's name ("" for the local user or the command line)
    origin: str  # "upload" | "command line"
    queued: float
    started: float | None  # when its latest attempt began
    finished: float | None
    seconds: float | None
    attempts: int
    dismissed: int
    upload_id: str | None = None  # the upload it came from, whose one allowance it shares (table uploads)
    worker: str | None = None  # the indexer that has it in hand (its token), while indexing
    lease_until: float | None = None  # until when: renewed by that indexer's heartbeat, then anyone may take it

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def chunk_settings(self) -> ChunkSettings:
        return ChunkSettings(**json.loads(self.chunking))

    def as_dict(self) -> dict:
        """The fields ``grounded jobs --json`` promises."""
        return {
            "job": self.job_id, "batch": self.batch, "assistant": self.workspace, "path": self.name,
            "status": self.status, "chunks": self.chunks, "error": self.error, "queued_by": self.queued_by or None,
            "queued": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.queued)),
        }


@dataclass(frozen=True)
class NewJob:
    """A job row about to be queued (its id is given by the catalog)."""

    batch: str
    workspace: str
    name: str
    upload: str
    stored: str | None
    size: int
    chunking: str
    kind: str | None
    force: int
    status: JobStatus
    error: str | None
    queued_by: str
    origin: str
    queued: float
    finished: float | None
    seconds: float | None
    upload_id: str | None = None


@dataclass(frozen=True)
class UploadRecord:
    """One upload's allowance (table ``uploads``): its limit and what it has spent."""

    upload_id: str
    batch: str
    workspace: str
    name: str
    what: str
    max_chunks: int
    created: float
    passages: int = 0
    refused: str | None = None


@dataclass(frozen=True)
class Owner:
    """The process working through a data folder's queue, as recorded in the catalog."""

    pid: int
    host: str
    label: str  # "the app", "grounded ingest"
    token: str
    started: float
    beat: float

    def alive(self, now: float | None = None) -> bool:
        """Its heartbeat is recent and, on this machine, its process still exists."""
        if (now or time.time()) - self.beat > OWNER_STALE_S:
            return False
        return self.host != socket.gethostname() or pid_alive(self.pid)


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine (someone else's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _job(row) -> Job:
    return Job(**dict(row))


def _marks(n: int) -> str:
    return ", ".join("?" for _ in range(n))


# The next job: the first waiting job of each lane (assistant, person who queued it), and of those the
# one whose lane was served least recently (never: first), the oldest breaking ties. One pass over the
# waiting jobs, then one index look-up per lane (jobs_lane). ``{waiting}`` says which jobs wait.
_NEXT = (
    "SELECT l.job_id FROM (SELECT MIN(job_id) AS job_id, workspace, queued_by FROM jobs WHERE {waiting} "
    "AND workspace IN (SELECT name FROM workspaces) GROUP BY workspace, queued_by) l "
    "ORDER BY COALESCE((SELECT MAX(s.started) FROM jobs s WHERE s.workspace = l.workspace AND s.queued_by = l.queued_by), 0), "
    "l.job_id LIMIT 1"
)


# PostgreSQL, where many indexers share the queue: the waiting jobs in the same order (lane served least
# recently first, then queue order), the first of them no other indexer is claiming this instant (FOR UPDATE
# SKIP LOCKED: claims never wait on each other; a lane's first job being claimed, the next one is free). A job
# is never taken twice: the outer statement also checks that it still waits.
_NEXT_FREE = (
    "SELECT j.job_id FROM jobs j JOIN (SELECT w.workspace, w.queued_by, COALESCE((SELECT MAX(s.started) FROM jobs s "
    "WHERE s.workspace = w.workspace AND s.queued_by = w.queued_by), 0) AS served FROM (SELECT DISTINCT workspace, "
    "queued_by FROM jobs WHERE {waiting}) w) l ON l.workspace = j.workspace AND l.queued_by = j.queued_by "
    "WHERE j.{waiting} AND j.workspace IN (SELECT name FROM workspaces) "
    "ORDER BY l.served, j.job_id LIMIT 1 FOR UPDATE OF j SKIP LOCKED"
)

# A result is recorded only by the indexer that has the job (or had it, if nobody took it since): one whose
# lease ran out while it worked (cut off, not dead) finds the job redone or being redone by another.
_STILL_OURS = " AND (worker IS NULL OR worker = ? OR status <> 'indexing')"


def _ours(job: Job) -> tuple:
    return (job.worker or "",)


class QueueTables(Tables):
    """Jobs, uploads, the queue's owner and leases."""

    # ---- queuing

    def queue_batch(self, uploads: Sequence[UploadRecord], jobs: Sequence[NewJob]) -> None:
        """Record a batch's upload allowances and jobs in one durable transaction: nothing is queued unless all is."""
        upload_columns = [f.name for f in fields(UploadRecord) if f.name not in ("passages", "refused")]
        job_columns = [f.name for f in fields(NewJob)]
        with self.catalog.transaction(durable=True):
            for a in uploads:
                self._execute(f"INSERT INTO uploads({', '.join(upload_columns)}) VALUES ({_marks(len(upload_columns))})",
                              tuple(getattr(a, c) for c in upload_columns))
            for j in jobs:
                self._execute(f"INSERT INTO jobs({', '.join(job_columns)}) VALUES ({_marks(len(job_columns))})",
                              astuple(j))

    # ---- one allowance per upload

    def upload(self, upload_id: str) -> UploadRecord | None:
        """An upload's allowance as recorded now (None for one queued before uploads had one)."""
        rows = self._query("SELECT * FROM uploads WHERE upload_id = ?", (upload_id,))
        return UploadRecord(**dict(rows[0])) if rows else None

    def spend_passages(self, upload_id: str, passages: int) -> int | None:
        """Add ``passages`` to the upload's count if it stays within its limit and it wasn't stopped: the new
        count, or None (nothing spent). One atomic update, whichever process indexes the upload's jobs."""
        rows = self._query(
            "UPDATE uploads SET passages = passages + ? WHERE upload_id = ? AND refused IS NULL AND passages + ? <= max_chunks "
            "RETURNING passages", (passages, upload_id, passages))
        return rows[0]["passages"] if rows else None

    def refuse_upload(self, upload_id: str, reason: str) -> None:
        """Stop an upload that went over its allowance (the first reason recorded stays)."""
        self._execute("UPDATE uploads SET refused = COALESCE(refused, ?) WHERE upload_id = ?", (reason, upload_id))

    # ---- reading the queue

    def jobs(self, *, workspace: str | None = None, batch: str | None = None, active_only: bool = False,
             include_dismissed: bool = False) -> list[Job]:
        """Jobs in queue order, filtered by assistant, batch, activity; dismissed ones only if asked."""
        sql, args = "SELECT * FROM jobs WHERE 1=1", []
        if workspace is not None:
            sql += " AND workspace = ?"
            args.append(workspace)
        if batch is not None:
            sql += " AND batch = ?"
            args.append(batch)
        if active_only:
            sql += f" AND status IN ({_marks(len(ACTIVE))})"
            args.extend(ACTIVE)
        if not include_dismissed:
            sql += " AND dismissed = 0"
        return [_job(r) for r in self._query(sql + " ORDER BY job_id", tuple(args))]

    def get(self, job_id: int) -> Job | None:
        """One job by its id (None: there is none)."""
        rows = self._query("SELECT * FROM jobs WHERE job_id = ?", (job_id,))
        return _job(rows[0]) if rows else None

    def active_batches(self, workspace: str | None = None) -> list[str]:
        """The batches (of ``workspace``, or all) that still have queued or running jobs: what a progress bar covers."""
        where, args = "status IN (" + _marks(len(ACTIVE)) + ")", list(ACTIVE)
        if workspace is not None:
            where += " AND workspace = ?"
            args.append(workspace)
        return [r["batch"] for r in self._query(f"SELECT DISTINCT batch FROM jobs WHERE {where}", tuple(args))]

    def batch_jobs(self, batches: Sequence[str]) -> list[Job]:
        """Every job of these batches, dismissed or not, in queue order."""
        return [_job(r) for r in self._query(f"SELECT * FROM jobs WHERE batch IN ({_marks(len(batches))}) ORDER BY job_id",
                                             tuple(batches))]

    def active_jobs(self) -> list[Job]:
        """Every job still to do or in hand, of every assistant, in queue order (the lanes' turns ahead)."""
        return [_job(r) for r in self._query(f"SELECT * FROM jobs WHERE status IN ({_marks(len(ACTIVE))}) ORDER BY job_id",
                                             ACTIVE)]

    def recent_indexed(self, limit: int) -> list[tuple[str, int, float]]:
        """(name, size, seconds) of the ``limit`` documents indexed last: the pace a time-left estimate learns from."""
        rows = self._query(
            "SELECT name, size, seconds FROM jobs WHERE status = 'indexed' AND seconds > 0 ORDER BY finished DESC LIMIT ?",
            (limit,),
        )
        return [(r["name"], r["size"], r["seconds"]) for r in rows]

    def stored_needed(self) -> set[str]:
        """The stored files jobs still need (waiting, in hand, or held for an install problem): the sweep keeps them."""
        return {r["stored"] for r in self._query(
            f"SELECT stored FROM jobs WHERE stored IS NOT NULL AND status IN ({_marks(len(ACTIVE) + 1)})", (*ACTIVE, HELD))}

    # ---- working through it (the indexer's side)

    def claim_next(self, worker: str | None, lease_s: float | None) -> Job | None:
        """Take the next waiting job (lanes in turn) for ``worker``, atomically, leased for ``lease_s`` (None: no lease).

        Expired leases go back to the queue first; an idle queue costs a read, not the write lock. On PostgreSQL the
        pick skips jobs other indexers are claiming this instant (FOR UPDATE SKIP LOCKED).
        """
        self.release_expired(time.time())
        if not self._query("SELECT 1 FROM jobs WHERE status IN ('queued', 'reading') LIMIT 1"):
            return None  # an idle worker polls with reads; only a claim takes the write lock
        now = time.time()
        pick = (_NEXT_FREE if self.catalog.postgres else _NEXT).format(waiting="status IN ('queued', 'reading')")
        rows = self._query(
            "UPDATE jobs SET status = 'indexing', started = ?, attempts = attempts + 1, worker = ?, lease_until = ? "
            "WHERE job_id = (" + pick + ") AND status IN ('queued', 'reading') RETURNING *",
            (now, worker, None if lease_s is None else now + lease_s),
        )
        return _job(rows[0]) if rows else None

    def renew_leases(self, worker: str, until: float) -> int:
        """Extend to ``until`` the lease of every job ``worker`` has in hand (its heartbeat); returns how many."""
        return len(self._query("UPDATE jobs SET lease_until = ? WHERE worker = ? AND status = 'indexing' RETURNING job_id",
                               (until, worker)))

    def release_expired(self, now: float) -> list[int]:
        """Put back in the queue the jobs whose lease ran out before ``now`` (their indexer died); returns their ids."""
        if not self._query("SELECT 1 FROM jobs WHERE status = 'indexing' AND lease_until < ? LIMIT 1", (now,)):
            return []  # the usual case, on every poll: a read, no write lock
        rows = self._query(
            "UPDATE jobs SET status = 'queued', worker = NULL, lease_until = NULL "
            "WHERE status = 'indexing' AND lease_until IS NOT NULL AND lease_until < ? RETURNING job_id",
            (now,),
        )
        return [r["job_id"] for r in rows]

    def next_waiting(self, after: int) -> Job | None:
        """The job that will be claimed next, other than job ``after`` (read ahead while ``after`` is indexed)."""
        rows = self._query("SELECT * FROM jobs WHERE job_id = (" + _NEXT.format(
            waiting="status IN ('queued', 'reading') AND job_id != ?") + ")", (after,))
        return _job(rows[0]) if rows else None

    def mark_reading(self, job_id: int) -> bool:
        """Show a waiting job as being read ahead; False if it is no longer waiting (cancelled, say)."""
        return bool(self._query("UPDATE jobs SET status = 'reading' WHERE job_id = ? AND status = 'queued' RETURNING job_id",
                                (job_id,)))

    def record_result(self, job: Job, status: JobStatus, error: str | None, doc_id: str | None, chunks: int,
                      pages: int | None, finished: float) -> Job | None:
        """Record what indexing ``job`` gave and forget its stored bytes, unless another indexer has it in hand now
        (its lease ran out); the job as recorded, or None if its row is gone (or no longer ours)."""
        rows = self._query(
            "UPDATE jobs SET status = ?, error = ?, doc_id = ?, chunks = ?, pages = ?, finished = ?, seconds = ?, stored = NULL, "
            "lease_until = NULL WHERE job_id = ?" + _STILL_OURS + " RETURNING *",
            (status, error, doc_id, chunks, pages, finished, finished - (job.started or finished), job.job_id, *_ours(job)),
        )
        return _job(rows[0]) if rows else None

    def hold(self, job: Job, error: str | None, doc_id: str | None, finished: float) -> Job | None:
        """Keep ``job`` (and its bytes) held for an install problem, to retry it later; the job, or None if gone."""
        rows = self._query(
            "UPDATE jobs SET status = ?, error = ?, doc_id = ?, finished = ?, seconds = ?, lease_until = NULL "
            "WHERE job_id = ?" + _STILL_OURS + " RETURNING *",
            (HELD, error, doc_id, finished, finished - (job.started or finished), job.job_id, *_ours(job)),
        )
        return _job(rows[0]) if rows else None

    def release_held(self) -> int:
        """Queue again every job held for an install problem (the install may be fixed now); returns how many."""
        return len(self._query("UPDATE jobs SET status = 'queued', error = NULL, finished = NULL "
                               "WHERE status = ? AND stored IS NOT NULL RETURNING job_id", (HELD,)))

    # ---- people's side: cancel, dismiss

    def cancel_waiting(self, job_ids: Sequence[int], now: float) -> list[Job]:
        """Cancel those of ``job_ids`` whose indexing has not started; returns them as they were (stored bytes named)."""
        ids = list(job_ids)
        if not ids:
            return []
        with self.catalog.transaction():
            doomed = [_job(r) for r in self._query(
                f"SELECT * FROM jobs WHERE job_id IN ({_marks(len(ids))}) AND status IN ('queued', 'reading')", tuple(ids))]
            if doomed:  # the status checked again: on PostgreSQL an indexer's claim takes no lock this transaction waits on
                cancelled = {r["job_id"] for r in self._query(
                    f"UPDATE jobs SET status = 'cancelled', finished = ?, seconds = 0, stored = NULL WHERE job_id IN "
                    f"({_marks(len(doomed))}) AND status IN ('queued', 'reading') RETURNING job_id",
                    (now, *(j.job_id for j in doomed)),
                )}
                doomed = [j for j in doomed if j.job_id in cancelled]
        return doomed

    def cancel_batch(self, batch: str, now: float) -> list[Job]:
        """Cancel every unfinished job of ``batch``, the one in hand included; returns them as they were."""
        with self.catalog.transaction():
            doomed = [_job(r) for r in self._query(
                f"SELECT * FROM jobs WHERE batch = ? AND status IN ({_marks(len(ACTIVE))})", (batch, *ACTIVE))]
            self._execute(
                f"UPDATE jobs SET status = 'cancelled', finished = ?, stored = NULL WHERE batch = ? AND status IN ({_marks(len(ACTIVE))})",
                (now, batch, *ACTIVE),
            )
        return doomed

    def dismiss(self, job_ids: Iterable[int]) -> int:
        """Stop listing finished jobs; returns how many (jobs still to do are left listed)."""
        ids = list(job_ids)
        if not ids:
            return 0
        rows = self._query(
            f"UPDATE jobs SET dismissed = 1 WHERE job_id IN ({_marks(len(ids))}) AND status NOT IN ({_marks(len(ACTIVE))}) "
            "AND dismissed = 0 RETURNING job_id",
            (*ids, *ACTIVE),
        )
        return len(rows)

    # ---- who works through the queue

    def owner(self) -> Owner | None:
        """The queue's owner as recorded, alive or not (None: nobody has taken it)."""
        rows = self._query("SELECT pid, host, label, token, started, beat FROM queue_owner WHERE id = 1")
        return Owner(**dict(rows[0])) if rows else None

    def take_over(self, label: str, token: str, now: float) -> bool:
        """Record this process as the queue's owner unless another live one is; True if it is now.

        Taking over from another (dead) owner, in the same transaction: the jobs it had in hand without a live
        lease go back to the queue (not other indexers'), and held jobs are queued again.
        """
        with self.catalog.transaction():
            current = self.owner()
            if current is not None and current.token != token and current.alive(now):
                return False
            self._execute(
                "INSERT INTO queue_owner(id, pid, host, label, token, started, beat) VALUES (1, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET pid = excluded.pid, host = excluded.host, label = excluded.label, "
                "token = excluded.token, started = excluded.started, beat = excluded.beat",
                (os.getpid(), socket.gethostname(), label, token, now, now),
            )
            if current is None or current.token != token:  # jobs in hand without a live lease: not other indexers'
                self._execute("UPDATE jobs SET status = 'queued', worker = NULL, lease_until = NULL WHERE status IN "
                              "('reading', 'indexing') AND (lease_until IS NULL OR lease_until < ?)", (now,))
                self.release_held()
        return True

    def beat(self, token: str, now: float) -> bool:
        """Renew the owner's heartbeat; False if another process has taken over meanwhile."""
        return bool(self._query("UPDATE queue_owner SET beat = ? WHERE id = 1 AND token = ? RETURNING id", (now, token)))

    def give_up(self, token: str) -> None:
        """Stop owning the queue (only if ``token`` still owns it)."""
        self._execute("DELETE FROM queue_owner WHERE id = 1 AND token = ?", (token,))
