"""The indexing queue: what people hand over is stored first, then indexed in order by one worker.

Indexing a 10-Q takes about ten seconds here, a help-center export minutes. Done inside a page's
script run, it stopped whenever the person left the page or the server restarted, and the files not
reached yet were silently never indexed. Now every way in (an upload, a folder from the command
line) becomes *jobs*, one per document, and the indexer (:mod:`rag.ingest.indexer`) works through
them wherever the person goes.

What this module promises:

- **Nothing queued is lost.** :func:`enqueue` opens each upload into its documents (a ZIP's
  entries, an export's articles, a LinkedIn export's posts: :func:`rag.ingest.pipeline.open_upload`,
  in the parse worker, which writes each document's bytes under ``DATA_DIR/queue/``), syncs them to
  disk, then records one job row per document in ONE durable catalog transaction. Before that commit nothing is queued (a crash leaves
  only files, swept by the next owner); after it, every document is on disk and in the catalog, and
  only then does the caller say "queued". What admission refuses (too large, a type we don't read,
  the private parts of a LinkedIn export) is recorded at once as a finished job with its reason.
- **One allowance per upload.** An upload's documents are counted together, however many jobs they
  become: its entries and bytes when it is opened (past a limit it is refused whole, nothing queued),
  its estimated passages before anything is queued, and its exact passages as each job is indexed
  (:class:`UploadAllowance`, kept in the catalog's ``uploads`` table across jobs and restarts): the
  first document that would go over stops the upload; what was indexed before it stays.
- **One worker, fair between people.** The indexer claims a job with one atomic statement (queued ->
  indexing), so two workers can never take the same job and a cancel can never race a claim. Jobs
  wait in *lanes*, one per assistant and person who queued them; the next job is the oldest of the
  lane served least recently (round-robin), so a colleague's one-line note is indexed next, not
  after all 150 documents of someone else's ZIP, and within a lane documents go in the order given.
  (Sites' syncs don't wait here at all: they have their own worker, :mod:`rag.ingest.indexer`.) It
  records the result, and only then deletes the stored copy (the pipeline keeps the original of what
  it indexed under ``files/``). The process that works through the queue is named in
  ``queue_owner`` with a heartbeat; another process only queues and watches.
- **Resumed after a crash.** A process killed mid-job leaves its job ``indexing``. The next owner,
  when it takes over (:func:`take_ownership`), puts such jobs back in the queue and they are redone
  from their stored bytes. The documents themselves were already repaired when the store was opened
  (:func:`rag.ingest.recovery.recover` stays the one source of truth for what is ready); redoing is
  safe because a document's id is stable per assistant and name and the pipeline replaces versions,
  so it ends up indexed exactly once.

Statuses: ``queued`` -> ``reading`` (parsed ahead while the one before it is embedded) ->
``indexing`` -> ``indexed`` | ``unchanged`` | ``skipped`` | ``failed``; or ``cancelled`` by a person
before its indexing started. Finished jobs stay listed until dismissed.

Access is not checked here: :mod:`rag.workspace.jobs` does that for people.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Literal

from ..catalog import Catalog
from ..errors import TooMuchWork
from ..parse.containers import Expansion
from ..types import ChunkSettings
from .admission import FileResult, refusal, too_large
from .pipeline import (
    display_name,
    iter_files,
    open_upload,
    problem_result,
    upload_estimate_refusal,
    upload_refusal,
    what_of,
)
from .workload import Allowance, passages_per_second

JobStatus = Literal["queued", "reading", "indexing", "indexed", "unchanged", "skipped", "failed", "cancelled", "held"]
ACTIVE: tuple[JobStatus, ...] = ("queued", "reading", "indexing")
# Read failed because the install lacks something (rag.errors.SetupProblem): the bytes are kept and the
# job goes back to the queue when the indexer next starts (after `make install`, the app restarts).
HELD: JobStatus = "held"
QUEUE_FOLDER = "queue"
OWNER_STALE_S = 15.0  # an owner whose heartbeat (every 2 s) is older than this is gone
LEASE_S = 30.0  # a job in hand whose indexer's heartbeat (every 2 s) has not renewed it this long goes back to the queue
RATE_SAMPLE = 50  # recent indexed jobs the time-left estimate learns from
MISSING = "The copy of this file kept for indexing is missing. Add the file again."

# The folder holding a batch's stored bytes is named "<batch>.<pid of the process writing it>": the
# sweep then tells a crashed enqueue's files (writer gone) from a batch whose rows a live process is
# about to commit.
_PID_SEP = "."


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


def _job(row) -> Job:
    return Job(**dict(row))


def _marks(n: int) -> str:
    return ", ".join("?" for _ in range(n))


# ---- queuing ----------------------------------------------------------------------------------

Upload = tuple[str, "bytes | FileResult"]  # a file's name and bytes, or why it could not be read


def read_files(folder, paths: Iterable[str | Path]) -> Iterator[Upload]:
    """Files and folders from the command line as uploads, one file in memory at a time (none too large to hold)."""
    paths = list(paths)
    for path in iter_files(paths):
        shown = display_name(path, paths)
        try:
            if (problem := too_large(folder, path.stat().st_size)) is not None:
                yield shown, FileResult(shown, "failed", error=str(problem))
            else:
                yield shown, path.read_bytes()
        except OSError as err:
            yield str(path), FileResult(str(path), "failed", error=f"This file could not be opened ({err.strerror}).")


def queue_dir(settings) -> Path:
    return settings.shared_dir / QUEUE_FOLDER


def enqueue(
    folder, uploads: Iterable[Upload], workspace: str, chunking: ChunkSettings, *, queued_by: str = "",
    origin: str = "upload", kind: str | None = None, force: bool = False,
) -> list[Job]:
    """Store ``uploads`` and queue one job per document they hold; returns the batch's jobs, in order.

    ``folder`` is a Store or a DataFolder (the catalog and settings are all this needs, so the
    command line can queue while the app holds the index). Nothing is queued unless everything is.
    The assistant must exist: jobs of a missing (deleted) one are never indexed.
    """
    batch = uuid.uuid4().hex[:12]
    limits = folder.settings.limits
    target = queue_dir(folder.settings) / f"{batch}{_PID_SEP}{os.getpid()}"
    target.mkdir(parents=True)
    now = time.time()
    settings_json = json.dumps(chunking.as_dict())
    rows: list[dict] = []

    def row(name: str, upload: str, status: JobStatus, stored: str | None = None, size: int = 0, error: str | None = None) -> dict:
        done = status not in ACTIVE
        return {"batch": batch, "workspace": workspace, "name": name, "upload": upload, "stored": stored, "size": size,
                "chunking": settings_json, "kind": kind, "force": int(force), "status": status, "error": error,
                "queued_by": queued_by, "origin": origin, "queued": now,
                "finished": now if done else None, "seconds": 0.0 if done else None}

    allowances: list[dict] = []
    try:
        for n, (upload, data) in enumerate(uploads):
            if isinstance(data, FileResult):
                rows.append(row(upload, upload, data.status, error=data.error))
                continue
            if (problem := too_large(folder, len(data))) is not None:
                rows.append(row(upload, upload, "failed", error=str(problem)))
                continue
            if (whole := upload_refusal(folder, upload, data, workspace, chunking)) is not None:  # a ZIP too big to index
                rows.append(row(upload, upload, whole.status, error=whole.error))
                continue
            # Opened in the parse worker: its documents are written straight into this batch's folder.
            expansion = open_upload(limits, upload, data, target, f"u{n:04d}-")
            del data
            if expansion.problem is not None:  # the upload itself: damaged, more entries or bytes than one may hold
                refused = problem_result(upload, expansion.problem)
                rows.append(row(upload, upload, refused.status, error=refused.error))
                continue
            allowance = Allowance.for_upload(folder, what_of(upload, expansion))
            if (whole := upload_estimate_refusal(folder, upload, expansion, workspace, chunking, allowance)) is not None:
                _drop_members(target, expansion)
                rows.append(row(upload, upload, whole.status, error=whole.error))
                continue
            upload_id = f"{batch}-{n}"
            allowances.append({"upload_id": upload_id, "batch": batch, "workspace": workspace, "name": upload,
                               "what": allowance.what, "max_chunks": allowance.limit, "created": now})
            for member in expansion.members:
                refused = problem_result(member.name, member.problem) if member.problem else refusal(
                    folder, member.name, member.size)
                if refused is not None:
                    _drop_members(target, Expansion((member,)))
                    rows.append(row(member.name, upload, refused.status, error=refused.error))
                    continue
                _sync_file(target / member.file)
                stored = str(PurePosixPath(QUEUE_FOLDER, target.name, member.file))
                rows.append({**row(member.name, upload, "queued", stored=stored, size=member.size), "upload_id": upload_id})
        _sync_dir(target)
        _sync_dir(target.parent)
        columns = [*row("", "", "queued"), "upload_id"]
        with folder.catalog.transaction(durable=True) as catalog:
            for a in allowances:
                catalog.execute(f"INSERT INTO uploads({', '.join(a)}) VALUES ({_marks(len(a))})", tuple(a.values()))
            for r in rows:
                catalog.execute(f"INSERT INTO jobs({', '.join(columns)}) VALUES ({_marks(len(columns))})",
                                tuple(r.get(c) for c in columns))
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)  # nothing was queued: don't leave the bytes behind
        raise
    if not any(r["stored"] for r in rows):
        shutil.rmtree(target, ignore_errors=True)
    return jobs(folder.catalog, batch=batch)


def _sync_file(path: Path) -> None:
    """Make a stored document's bytes durable before its job is recorded."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _drop_members(folder: Path, expansion: Expansion) -> None:
    """Remove the stored bytes of documents that won't be queued."""
    for member in expansion.members:
        if member.file:
            (folder / member.file).unlink(missing_ok=True)


def _sync_dir(path: Path) -> None:
    """Make the names of new files in ``path`` durable (a file's fsync doesn't sync its directory entry)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---- one allowance per upload ------------------------------------------------------------------


class UploadAllowance(Allowance):
    """The passages an upload's jobs may still make, kept in the catalog (table ``uploads``).

    Every job an upload became (a ZIP's documents, an export's articles) draws on this one
    allowance, whichever process indexes it and across restarts. Spending is one atomic update
    that succeeds only within the limit; the first document that would go over stops the upload:
    the documents indexed before it stay, it and every one after are refused with one message.
    A job redone after a crash may count its passages twice: the error is on the safe side.
    """

    def __init__(self, catalog: Catalog, upload_id: str, limit: int, rate: float, what: str):
        super().__init__(limit, rate, what)
        self.catalog = catalog
        self.upload_id = upload_id
        self._load()

    def _load(self) -> None:
        rows = self.catalog.query("SELECT passages, refused FROM uploads WHERE upload_id = ?", (self.upload_id,))
        if rows:
            self.used, self.stopped = rows[0]["passages"], rows[0]["refused"]

    def refusal(self, passages: int, more_than: bool = False) -> TooMuchWork | None:
        self._load()
        return super().refusal(passages, more_than)

    def spend(self, passages: int) -> None:
        rows = self.catalog.query(
            "UPDATE uploads SET passages = passages + ? WHERE upload_id = ? AND refused IS NULL AND passages + ? <= max_chunks "
            "RETURNING passages", (passages, self.upload_id, passages))
        if rows:
            self.used = rows[0]["passages"]
            return
        problem = self.refusal(passages) or TooMuchWork(self.stopped or "")
        self.stop(problem)
        raise problem

    def stop(self, problem: TooMuchWork) -> None:
        super().stop(problem)
        self.catalog.execute("UPDATE uploads SET refused = COALESCE(refused, ?) WHERE upload_id = ?",
                             (str(problem), self.upload_id))


def upload_allowance(folder, job: Job) -> UploadAllowance | None:
    """The allowance ``job`` shares with the rest of its upload (None for a job queued before uploads had one)."""
    if not job.upload_id:
        return None
    rows = folder.catalog.query("SELECT max_chunks, what FROM uploads WHERE upload_id = ?", (job.upload_id,))
    if not rows:
        return None
    return UploadAllowance(folder.catalog, job.upload_id, rows[0]["max_chunks"], passages_per_second(folder), rows[0]["what"])


# ---- reading the queue ------------------------------------------------------------------------


def jobs(catalog: Catalog, *, workspace: str | None = None, batch: str | None = None, active_only: bool = False,
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
    return [_job(r) for r in catalog.query(sql + " ORDER BY job_id", tuple(args))]


def get(catalog: Catalog, job_id: int) -> Job | None:
    rows = catalog.query("SELECT * FROM jobs WHERE job_id = ?", (job_id,))
    return _job(rows[0]) if rows else None


@dataclass(frozen=True)
class QueueProgress:
    """Where the queue is, for a progress bar: over the batches that still have work in them."""

    done: int
    total: int
    current: str | None  # the document being indexed now, if it is one of these
    seconds_left: float | None  # None until a document has been indexed to measure by

    @property
    def busy(self) -> bool:
        return self.done < self.total


def progress(catalog: Catalog, workspace: str | None = None) -> QueueProgress:
    """Done and total over the batches (of ``workspace``, or all) that still have queued or running jobs.

    "7 of 20" stays meaningful while a queue runs: finished jobs of those batches count as done,
    whether or not they were dismissed; a batch leaves the count when its last job ends.
    """
    where, args = "status IN (" + _marks(len(ACTIVE)) + ")", list(ACTIVE)
    if workspace is not None:
        where += " AND workspace = ?"
        args.append(workspace)
    batches = [r["batch"] for r in catalog.query(f"SELECT DISTINCT batch FROM jobs WHERE {where}", tuple(args))]
    if not batches:
        return QueueProgress(0, 0, None, None)
    rows = [_job(r) for r in catalog.query(f"SELECT * FROM jobs WHERE batch IN ({_marks(len(batches))}) ORDER BY job_id", tuple(batches))]
    mine = [j for j in rows if j.active]
    # lanes take turns (claim_next): before the last of these is indexed, every other lane gets at most as
    # many turns as these have jobs (the one being indexed now included)
    ids = {j.job_id for j in mine}
    others: dict[tuple[str, str], list[Job]] = {}
    for r in catalog.query(f"SELECT * FROM jobs WHERE status IN ({_marks(len(ACTIVE))}) ORDER BY job_id", ACTIVE):
        if r["job_id"] not in ids:
            others.setdefault((r["workspace"], r["queued_by"]), []).append(_job(r))
    ahead = mine + [j for lane in others.values() for j in lane[:len(mine)]]
    current = next((j.name for j in mine if j.status == "indexing"), None)
    return QueueProgress(sum(not j.active for j in rows), len(rows), current, seconds_left(catalog, ahead))


def seconds_left(catalog: Catalog, remaining: list[Job], now: float | None = None) -> float | None:
    """How long ``remaining`` will take, from the throughput measured on recently indexed documents.

    Bytes per second, per file type when that type was seen recently (a PDF costs far more per byte
    than Markdown), else over all types; the document being indexed counts only its time still to
    go. None when nothing has been indexed yet to measure by.
    """
    rows = catalog.query(
        "SELECT name, size, seconds FROM jobs WHERE status = 'indexed' AND seconds > 0 ORDER BY finished DESC LIMIT ?",
        (RATE_SAMPLE,),
    )
    if not rows:
        return None
    sums: dict[str, list[float]] = {}
    for r in rows:
        for key in (_type(r["name"]), ""):
            bytes_seconds = sums.setdefault(key, [0.0, 0.0])
            bytes_seconds[0] += r["size"]
            bytes_seconds[1] += r["seconds"]
    rates = {key: b / s for key, (b, s) in sums.items() if b > 0 and s > 0}
    if "" not in rates:
        return None
    now = now or time.time()
    total = 0.0
    for job in remaining:
        estimate = job.size / rates.get(_type(job.name), rates[""])
        if job.status == "indexing" and job.started:
            estimate = max(estimate - (now - job.started), 1.0)
        total += estimate
    return total


def _type(name: str) -> str:
    return PurePosixPath(name).suffix.lower() or "none"


# ---- working through it (the indexer's side) --------------------------------------------------


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


def claim_next(catalog: Catalog, worker: str | None = None, lease_s: float | None = LEASE_S) -> Job | None:
    """Take the next waiting job for indexing (see :data:`_NEXT`), atomically (no other worker or cancel can have it).

    Jobs of an assistant deleted meanwhile are never taken (indexing them would bring it back). The job is
    ``worker``'s for ``lease_s`` seconds, renewed by :func:`renew_leases`; first, jobs whose lease ran out
    (their indexer died) go back to the queue. ``lease_s=None``: no lease, for the queue's one owner (whose
    jobs go back to the queue when another process takes the queue over: :func:`take_ownership`).
    """
    reclaim_expired(catalog)
    if not catalog.query("SELECT 1 FROM jobs WHERE status IN ('queued', 'reading') LIMIT 1"):
        return None  # an idle worker polls with reads; only a claim takes the write lock
    now = time.time()
    pick = (_NEXT_FREE if catalog.postgres else _NEXT).format(waiting="status IN ('queued', 'reading')")
    rows = catalog.query(
        "UPDATE jobs SET status = 'indexing', started = ?, attempts = attempts + 1, worker = ?, lease_until = ? "
        "WHERE job_id = (" + pick + ") AND status IN ('queued', 'reading') RETURNING *",
        (now, worker, None if lease_s is None else now + lease_s),
    )
    return _job(rows[0]) if rows else None


def renew_leases(catalog: Catalog, worker: str, lease_s: float = LEASE_S) -> int:
    """Extend the lease of every job ``worker`` has in hand (its heartbeat); returns how many."""
    return len(catalog.query("UPDATE jobs SET lease_until = ? WHERE worker = ? AND status = 'indexing' RETURNING job_id",
                             (time.time() + lease_s, worker)))


def reclaim_expired(catalog: Catalog, now: float | None = None) -> list[int]:
    """Put back in the queue the jobs whose indexer stopped renewing their lease (killed, cut off); returns their ids.

    Redoing one is safe: the document's id is stable per assistant and name, and indexing replaces its
    versions (the dead indexer's partial version is rolled back first: :func:`rag.ingest.recovery.recover_document`).
    """
    now = time.time() if now is None else now
    if not catalog.query("SELECT 1 FROM jobs WHERE status = 'indexing' AND lease_until < ? LIMIT 1", (now,)):
        return []  # the usual case, on every poll: a read, no write lock
    rows = catalog.query(
        "UPDATE jobs SET status = 'queued', worker = NULL, lease_until = NULL "
        "WHERE status = 'indexing' AND lease_until IS NOT NULL AND lease_until < ? RETURNING job_id",
        (now,),
    )
    return [r["job_id"] for r in rows]


def next_queued(catalog: Catalog, after: int) -> Job | None:
    """The job that will be claimed next, other than job ``after`` (for reading it ahead while ``after`` is indexed)."""
    rows = catalog.query("SELECT * FROM jobs WHERE job_id = (" + _NEXT.format(waiting="status IN ('queued', 'reading') AND job_id != ?")
                         + ")", (after,))
    return _job(rows[0]) if rows else None


def mark_reading(catalog: Catalog, job_id: int) -> bool:
    """Show a waiting job as being read ahead; False if it is no longer waiting (cancelled, say)."""
    return bool(catalog.query("UPDATE jobs SET status = 'reading' WHERE job_id = ? AND status = 'queued' RETURNING job_id", (job_id,)))


def stored_bytes(folder, job: Job) -> bytes:
    """The bytes kept for ``job`` (OSError if they are gone)."""
    if not job.stored:
        raise FileNotFoundError(job.name)
    return (folder.settings.shared_dir / job.stored).read_bytes()


def finish(folder, job: Job, result: FileResult) -> Job:
    """Record what indexing ``job`` gave, then drop its stored bytes (the pipeline kept the original).

    A job redone after a crash that had already indexed its document (the crash came after the
    document was ready, before this row was updated) finds it "unchanged"; it is reported as what it
    was for the person who queued it: indexed.
    """
    if result.setup:
        return _hold(folder, job, result)
    status = result.status
    if status == "unchanged" and job.attempts > 1 and result.doc_id:
        document = folder.catalog.get(result.doc_id)
        if document is not None and document.updated >= job.queued:
            status = "indexed"
    now = time.time()
    rows = folder.catalog.query(
        "UPDATE jobs SET status = ?, error = ?, doc_id = ?, chunks = ?, pages = ?, finished = ?, seconds = ?, stored = NULL, "
        "lease_until = NULL WHERE job_id = ?" + _STILL_OURS + " RETURNING *",
        (status, result.error, result.doc_id, result.chunks, result.pages, now, now - (job.started or now), job.job_id,
         *_ours(job)),
    )
    _remove_stored(folder, job.stored)
    # the row is gone only if its assistant was deleted meanwhile: report the result all the same
    return _job(rows[0]) if rows else replace(job, status=status, error=result.error, doc_id=result.doc_id, chunks=result.chunks,
                                              pages=result.pages, finished=now, stored=None)


# A result is recorded only by the indexer that has the job (or had it, if nobody took it since): one whose
# lease ran out while it worked (cut off, not dead) finds the job redone or being redone by another.
_STILL_OURS = " AND (worker IS NULL OR worker = ? OR status <> 'indexing')"


def _ours(job: Job) -> tuple:
    return (job.worker or "",)


def cancel(folder, job_ids: Iterable[int]) -> list[Job]:
    """Cancel jobs whose indexing has not started; returns those cancelled (others are left as they are)."""
    ids = list(job_ids)
    if not ids:
        return []
    with folder.catalog.transaction() as catalog:
        doomed = [_job(r) for r in catalog.query(
            f"SELECT * FROM jobs WHERE job_id IN ({_marks(len(ids))}) AND status IN ('queued', 'reading')", tuple(ids))]
        if doomed:  # the status checked again: on PostgreSQL an indexer's claim takes no lock this transaction waits on
            cancelled = {r["job_id"] for r in catalog.query(
                f"UPDATE jobs SET status = 'cancelled', finished = ?, seconds = 0, stored = NULL WHERE job_id IN "
                f"({_marks(len(doomed))}) AND status IN ('queued', 'reading') RETURNING job_id",
                (time.time(), *(j.job_id for j in doomed)),
            )}
            doomed = [j for j in doomed if j.job_id in cancelled]
    for job in doomed:
        _remove_stored(folder, job.stored)
    return [get(folder.catalog, j.job_id) for j in doomed]


def abandon(folder, batch: str) -> list[Job]:
    """Cancel every unfinished job of ``batch``, the one being indexed included: for the process that
    queued and indexes them, when its person stops it (Ctrl-C on ``grounded ingest``).

    The document being indexed is left as a crash leaves it (marked indexing), and repaired the same
    way when the store is next opened.
    """
    with folder.catalog.transaction() as catalog:
        doomed = [_job(r) for r in catalog.query(
            f"SELECT * FROM jobs WHERE batch = ? AND status IN ({_marks(len(ACTIVE))})", (batch, *ACTIVE))]
        catalog.execute(
            f"UPDATE jobs SET status = 'cancelled', finished = ?, stored = NULL WHERE batch = ? AND status IN ({_marks(len(ACTIVE))})",
            (time.time(), batch, *ACTIVE),
        )
    for job in doomed:
        _remove_stored(folder, job.stored)
    return doomed


def settle_workspace(folder, workspace: str, timeout_s: float = 300.0) -> None:
    """Before an assistant is deleted: cancel its waiting jobs and wait for the one being indexed, if any.

    Without this, a document indexed while its assistant is deleted would be stored after the
    deletion looked for documents to remove. A job held by a process that is gone is not waited for.
    """
    waiting = [j.job_id for j in jobs(folder.catalog, workspace=workspace, active_only=True) if j.status != "indexing"]
    cancel(folder, waiting)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and owner(folder.catalog) is not None and any(
        j.status == "indexing" for j in jobs(folder.catalog, workspace=workspace, active_only=True)
    ):
        time.sleep(0.2)


def dismiss(catalog: Catalog, job_ids: Iterable[int]) -> int:
    """Stop listing finished jobs; returns how many. Jobs still to do can't be dismissed (cancel them)."""
    ids = list(job_ids)
    if not ids:
        return 0
    rows = catalog.query(
        f"UPDATE jobs SET dismissed = 1 WHERE job_id IN ({_marks(len(ids))}) AND status NOT IN ({_marks(len(ACTIVE))}) "
        "AND dismissed = 0 RETURNING job_id",
        (*ids, *ACTIVE),
    )
    return len(rows)


def _remove_stored(folder, stored: str | None) -> None:
    if not stored:
        return
    path = folder.settings.shared_dir / stored
    path.unlink(missing_ok=True)
    try:
        path.parent.rmdir()  # the batch's folder, once its last document is done
    except OSError:
        pass  # not empty yet


# ---- who works through the queue --------------------------------------------------------------


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
        return self.host != socket.gethostname() or _pid_alive(self.pid)


def owner(catalog: Catalog) -> Owner | None:
    """The live owner of the queue, if any."""
    rows = catalog.query("SELECT pid, host, label, token, started, beat FROM queue_owner WHERE id = 1")
    found = Owner(**dict(rows[0])) if rows else None
    return found if found is not None and found.alive() else None


def _hold(folder, job: Job, result: FileResult) -> Job:
    """Keep a job whose reading failed for want of something in the install, bytes and all, to retry it later."""
    now = time.time()
    rows = folder.catalog.query(
        "UPDATE jobs SET status = ?, error = ?, doc_id = ?, finished = ?, seconds = ?, lease_until = NULL "
        "WHERE job_id = ?" + _STILL_OURS + " RETURNING *",
        (HELD, result.error, result.doc_id, now, now - (job.started or now), job.job_id, *_ours(job)),
    )
    return _job(rows[0]) if rows else replace(job, status=HELD, error=result.error, doc_id=result.doc_id, finished=now)


def release_held(catalog: Catalog) -> int:
    """Queue again every job held for an install problem (the install may be fixed now); returns how many."""
    return len(catalog.query("UPDATE jobs SET status = 'queued', error = NULL, finished = NULL "
                             "WHERE status = ? AND stored IS NOT NULL RETURNING job_id", (HELD,)))


def take_ownership(folder, label: str, token: str) -> bool:
    """Become the one worker of this folder's queue, unless another live one is; True if we are now.

    Taking over from a dead owner resumes its work: jobs it had in hand go back to the queue (their
    documents were repaired when the store was opened) and stored files no job needs are removed.
    """
    now = time.time()
    with folder.catalog.transaction() as catalog:
        rows = catalog.query("SELECT pid, host, label, token, started, beat FROM queue_owner WHERE id = 1")
        current = Owner(**dict(rows[0])) if rows else None
        if current is not None and current.token != token and current.alive(now):
            return False
        catalog.execute(
            "INSERT INTO queue_owner(id, pid, host, label, token, started, beat) VALUES (1, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET pid = excluded.pid, host = excluded.host, label = excluded.label, "
            "token = excluded.token, started = excluded.started, beat = excluded.beat",
            (os.getpid(), socket.gethostname(), label, token, now, now),
        )
        if current is None or current.token != token:  # jobs in hand without a live lease: not other indexers'
            catalog.execute("UPDATE jobs SET status = 'queued', worker = NULL, lease_until = NULL WHERE status IN "
                            "('reading', 'indexing') AND (lease_until IS NULL OR lease_until < ?)", (now,))
            release_held(catalog)
    sweep(folder)
    return True


def beat(catalog: Catalog, token: str) -> bool:
    """Renew the owner's heartbeat; False if another process has taken over meanwhile."""
    return bool(catalog.query("UPDATE queue_owner SET beat = ? WHERE id = 1 AND token = ? RETURNING id", (time.time(), token)))


def give_up_ownership(catalog: Catalog, token: str) -> None:
    catalog.execute("DELETE FROM queue_owner WHERE id = 1 AND token = ?", (token,))


def sweep(folder) -> int:
    """Remove stored bytes no waiting job needs: a crashed enqueue's, or a finished job's whose removal a crash cut short.

    A batch folder whose writer is still alive is left alone (its rows may be about to commit).
    Returns how many files were removed.
    """
    root = queue_dir(folder.settings)
    if not root.is_dir():
        return 0
    needed = {r["stored"] for r in folder.catalog.query(
        f"SELECT stored FROM jobs WHERE stored IS NOT NULL AND status IN ({_marks(len(ACTIVE) + 1)})", (*ACTIVE, HELD))}
    removed = 0
    for batch_dir in root.iterdir():
        writer = batch_dir.name.rpartition(_PID_SEP)[2]
        if not batch_dir.is_dir() or (writer.isdigit() and _pid_alive(int(writer))):
            continue
        for path in batch_dir.iterdir():
            if str(PurePosixPath(QUEUE_FOLDER, batch_dir.name, path.name)) not in needed:
                path.unlink(missing_ok=True)
                removed += 1
        try:
            batch_dir.rmdir()
        except OSError:
            pass  # still holds files waiting jobs need
    return removed


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def as_result(job: Job) -> FileResult:
    """A finished job as the pipeline reports a document (for the command line's report)."""
    status = job.status if job.status in ("indexed", "unchanged", "skipped", "failed") else "failed"
    error = job.error or ("Cancelled before it was indexed." if job.status == "cancelled" else None)
    return FileResult(job.name, status, chunks=job.chunks, error=error, doc_id=job.doc_id, pages=job.pages,
                      seconds=job.seconds or 0.0)

