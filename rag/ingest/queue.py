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
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from ..catalog import Catalog
from ..catalog.queue import ACTIVE, HELD, OWNER_STALE_S, Job, JobStatus, NewJob, Owner, UploadRecord  # noqa: F401
from ..catalog.queue import pid_alive as _pid_alive
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

QUEUE_FOLDER = "queue"
LEASE_S = 30.0  # a job in hand whose indexer's heartbeat (every 2 s) has not renewed it this long goes back to the queue
RATE_SAMPLE = 50  # recent indexed jobs the time-left estimate learns from
MISSING = "The copy of this file kept for indexing is missing. Add the file again."

# The folder holding a batch's stored bytes is named "<batch>.<pid of the process writing it>": the
# sweep then tells a crashed enqueue's files (writer gone) from a batch whose rows a live process is
# about to commit.
_PID_SEP = "."


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
    rows: list[NewJob] = []

    def row(name: str, upload: str, status: JobStatus, stored: str | None = None, size: int = 0, error: str | None = None) -> NewJob:
        done = status not in ACTIVE
        return NewJob(batch=batch, workspace=workspace, name=name, upload=upload, stored=stored, size=size,
                      chunking=settings_json, kind=kind, force=int(force), status=status, error=error,
                      queued_by=queued_by, origin=origin, queued=now,
                      finished=now if done else None, seconds=0.0 if done else None)

    allowances: list[UploadRecord] = []
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
            allowances.append(UploadRecord(upload_id=upload_id, batch=batch, workspace=workspace, name=upload,
                                           what=allowance.what, max_chunks=allowance.limit, created=now))
            for member in expansion.members:
                refused = problem_result(member.name, member.problem) if member.problem else refusal(
                    folder, member.name, member.size)
                if refused is not None:
                    _drop_members(target, Expansion((member,)))
                    rows.append(row(member.name, upload, refused.status, error=refused.error))
                    continue
                _sync_file(target / member.file)
                stored = str(PurePosixPath(QUEUE_FOLDER, target.name, member.file))
                rows.append(replace(row(member.name, upload, "queued", stored=stored, size=member.size), upload_id=upload_id))
        _sync_dir(target)
        _sync_dir(target.parent)
        folder.catalog.queue.queue_batch(allowances, rows)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)  # nothing was queued: don't leave the bytes behind
        raise
    if not any(r.stored for r in rows):
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
        record = self.catalog.queue.upload(self.upload_id)
        if record is not None:
            self.used, self.stopped = record.passages, record.refused

    def refusal(self, passages: int, more_than: bool = False) -> TooMuchWork | None:
        self._load()
        return super().refusal(passages, more_than)

    def spend(self, passages: int) -> None:
        used = self.catalog.queue.spend_passages(self.upload_id, passages)
        if used is not None:
            self.used = used
            return
        problem = self.refusal(passages) or TooMuchWork(self.stopped or "")
        self.stop(problem)
        raise problem

    def stop(self, problem: TooMuchWork) -> None:
        super().stop(problem)
        self.catalog.queue.refuse_upload(self.upload_id, str(problem))


def upload_allowance(folder, job: Job) -> UploadAllowance | None:
    """The allowance ``job`` shares with the rest of its upload (None for a job queued before uploads had one)."""
    if not job.upload_id:
        return None
    record = folder.catalog.queue.upload(job.upload_id)
    if record is None:
        return None
    return UploadAllowance(folder.catalog, job.upload_id, record.max_chunks, passages_per_second(folder), record.what)


# ---- reading the queue ------------------------------------------------------------------------


def jobs(catalog: Catalog, *, workspace: str | None = None, batch: str | None = None, active_only: bool = False,
         include_dismissed: bool = False) -> list[Job]:
    """Jobs in queue order, filtered by assistant, batch, activity; dismissed ones only if asked."""
    return catalog.queue.jobs(workspace=workspace, batch=batch, active_only=active_only,
                              include_dismissed=include_dismissed)


def get(catalog: Catalog, job_id: int) -> Job | None:
    return catalog.queue.get(job_id)


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
    batches = catalog.queue.active_batches(workspace)
    if not batches:
        return QueueProgress(0, 0, None, None)
    rows = catalog.queue.batch_jobs(batches)
    mine = [j for j in rows if j.active]
    # lanes take turns (claim_next): before the last of these is indexed, every other lane gets at most as
    # many turns as these have jobs (the one being indexed now included)
    ids = {j.job_id for j in mine}
    others: dict[tuple[str, str], list[Job]] = {}
    for job in catalog.queue.active_jobs():
        if job.job_id not in ids:
            others.setdefault((job.workspace, job.queued_by), []).append(job)
    ahead = mine + [j for lane in others.values() for j in lane[:len(mine)]]
    current = next((j.name for j in mine if j.status == "indexing"), None)
    return QueueProgress(sum(not j.active for j in rows), len(rows), current, seconds_left(catalog, ahead))


def seconds_left(catalog: Catalog, remaining: list[Job], now: float | None = None) -> float | None:
    """How long ``remaining`` will take, from the throughput measured on recently indexed documents.

    Bytes per second, per file type when that type was seen recently (a PDF costs far more per byte
    than Markdown), else over all types; the document being indexed counts only its time still to
    go. None when nothing has been indexed yet to measure by.
    """
    rows = catalog.queue.recent_indexed(RATE_SAMPLE)
    if not rows:
        return None
    sums: dict[str, list[float]] = {}
    for name, size, seconds in rows:
        for key in (_type(name), ""):
            bytes_seconds = sums.setdefault(key, [0.0, 0.0])
            bytes_seconds[0] += size
            bytes_seconds[1] += seconds
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


def claim_next(catalog: Catalog, worker: str | None = None, lease_s: float | None = LEASE_S) -> Job | None:
    """Take the next waiting job for indexing (lanes in turn: :data:`rag.catalog.queue._NEXT`), atomically (no other worker or cancel can have it).

    Jobs of an assistant deleted meanwhile are never taken (indexing them would bring it back). The job is
    ``worker``'s for ``lease_s`` seconds, renewed by :func:`renew_leases`; first, jobs whose lease ran out
    (their indexer died) go back to the queue. ``lease_s=None``: no lease, for the queue's one owner (whose
    jobs go back to the queue when another process takes the queue over: :func:`take_ownership`).
    """
    return catalog.queue.claim_next(worker, lease_s)


def renew_leases(catalog: Catalog, worker: str, lease_s: float = LEASE_S) -> int:
    """Extend the lease of every job ``worker`` has in hand (its heartbeat); returns how many."""
    return catalog.queue.renew_leases(worker, time.time() + lease_s)


def reclaim_expired(catalog: Catalog, now: float | None = None) -> list[int]:
    """Put back in the queue the jobs whose indexer stopped renewing their lease (killed, cut off); returns their ids.

    Redoing one is safe: the document's id is stable per assistant and name, and indexing replaces its
    versions (the dead indexer's partial version is rolled back first: :func:`rag.ingest.recovery.recover_document`).
    """
    return catalog.queue.release_expired(time.time() if now is None else now)


def next_queued(catalog: Catalog, after: int) -> Job | None:
    """The job that will be claimed next, other than job ``after`` (for reading it ahead while ``after`` is indexed)."""
    return catalog.queue.next_waiting(after)


def mark_reading(catalog: Catalog, job_id: int) -> bool:
    """Show a waiting job as being read ahead; False if it is no longer waiting (cancelled, say)."""
    return catalog.queue.mark_reading(job_id)


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
    recorded = folder.catalog.queue.record_result(job, status, result.error, result.doc_id, result.chunks, result.pages, now)
    _remove_stored(folder, job.stored)
    # the row is gone only if its assistant was deleted meanwhile: report the result all the same
    return recorded if recorded is not None else replace(job, status=status, error=result.error, doc_id=result.doc_id, chunks=result.chunks,
                                              pages=result.pages, finished=now, stored=None)


def cancel(folder, job_ids: Iterable[int]) -> list[Job]:
    """Cancel jobs whose indexing has not started; returns those cancelled (others are left as they are)."""
    ids = list(job_ids)
    if not ids:
        return []
    doomed = folder.catalog.queue.cancel_waiting(ids, time.time())
    for job in doomed:
        _remove_stored(folder, job.stored)
    return [get(folder.catalog, j.job_id) for j in doomed]


def abandon(folder, batch: str) -> list[Job]:
    """Cancel every unfinished job of ``batch``, the one being indexed included: for the process that
    queued and indexes them, when its person stops it (Ctrl-C on ``grounded ingest``).

    The document being indexed is left as a crash leaves it (marked indexing), and repaired the same
    way when the store is next opened.
    """
    doomed = folder.catalog.queue.cancel_batch(batch, time.time())
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
    return catalog.queue.dismiss(job_ids)


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


def owner(catalog: Catalog) -> Owner | None:
    """The live owner of the queue, if any."""
    found = catalog.queue.owner()
    return found if found is not None and found.alive() else None


def _hold(folder, job: Job, result: FileResult) -> Job:
    """Keep a job whose reading failed for want of something in the install, bytes and all, to retry it later."""
    now = time.time()
    held = folder.catalog.queue.hold(job, result.error, result.doc_id, now)
    return held if held is not None else replace(job, status=HELD, error=result.error, doc_id=result.doc_id, finished=now)


def release_held(catalog: Catalog) -> int:
    """Queue again every job held for an install problem (the install may be fixed now); returns how many."""
    return catalog.queue.release_held()


def take_ownership(folder, label: str, token: str) -> bool:
    """Become the one worker of this folder's queue, unless another live one is; True if we are now.

    Taking over from a dead owner resumes its work: jobs it had in hand go back to the queue (their
    documents were repaired when the store was opened) and stored files no job needs are removed.
    """
    if not folder.catalog.queue.take_over(label, token, time.time()):
        return False
    sweep(folder)
    return True


def beat(catalog: Catalog, token: str) -> bool:
    """Renew the owner's heartbeat; False if another process has taken over meanwhile."""
    return catalog.queue.beat(token, time.time())


def give_up_ownership(catalog: Catalog, token: str) -> None:
    """Stop owning the queue (if ``token`` still owns it)."""
    catalog.queue.give_up(token)


def sweep(folder) -> int:
    """Remove stored bytes no waiting job needs: a crashed enqueue's, or a finished job's whose removal a crash cut short.

    A batch folder whose writer is still alive is left alone (its rows may be about to commit).
    Returns how many files were removed.
    """
    root = queue_dir(folder.settings)
    if not root.is_dir():
        return 0
    needed = folder.catalog.queue.stored_needed()
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





def as_result(job: Job) -> FileResult:
    """A finished job as the pipeline reports a document (for the command line's report)."""
    status = job.status if job.status in ("indexed", "unchanged", "skipped", "failed") else "failed"
    error = job.error or ("Cancelled before it was indexed." if job.status == "cancelled" else None)
    return FileResult(job.name, status, chunks=job.chunks, error=error, doc_id=job.doc_id, pages=job.pages,
                      seconds=job.seconds or 0.0)

