"""The indexer: the one worker that works through a data folder's queue, in the process that holds its index.

A thread, not a process of its own, because:

- only the process holding the index can write to it (Qdrant Edge's folder lock), and that
  process already has the embedding model loaded and the write lock that keeps one ingest,
  re-index or delete at a time; a separate indexing process would load a second model and could not
  open the index while the app holds it;
- the heavy work does not hold the GIL: parsing runs in the parse worker process
  (:mod:`rag.parse.isolated`, which also keeps a hostile file from taking the app down), embedding in
  onnxruntime's threads. Pages and chats keep being served meanwhile (a question is embedded in
  milliseconds between indexing batches);
- it dies with its process, and what it leaves half done is what recovery and the queue already
  repair: the document is rolled back when the store is next opened, the job is redone.

The app starts one with its store (:func:`start_indexer`); ``grounded ingest`` runs one in its own
thread (:meth:`Indexer.run`) when no app holds the folder. Across processes, the catalog's
``queue_owner`` row says which one works through the queue (a heartbeat every two seconds); a second
one stays idle and retries, so there is one worker per data folder even against a shared Qdrant
server, where there is no folder lock.

Two lanes, so a person's upload never waits behind a site: the queue's jobs (uploads, folders from
the command line) are worked through by this thread, taking turns between assistants and people
(:func:`rag.ingest.queue.claim_next`); sites due a sync (scheduled, or the rest of a sync cut short)
are read by a second thread of the same owner, one bounded run at a time
(:func:`rag.ingest.sources.sync`: pages and minutes per run, a total deadline per request). The two
meet only in short steps (the store's write lock is held for a batch of chunks, the parse worker
for one file), never for a whole site.

While one document is embedded the next one is read in the parse
worker (:class:`rag.ingest.parse_ahead.ParseAhead`, as a folder ingest does) when it goes to the same
assistant with the same settings, so a queue indexes as fast as ``grounded ingest`` did.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable

from ..store import FolderWorkers, Store
from . import queue, recovery, sources
from .admission import FileResult, doc_id_for
from .parse_ahead import ParseAhead
from .pipeline import drop_missing_members, ingest_bytes, reindex_next_waiting

log = logging.getLogger("grounded.indexer")

HEARTBEAT_S = 2.0
SYNC_CHECK_S = 60.0  # how often the sync lane looks for sites due a sync
POLL_S = 1.0  # how soon a job queued by another process (the command line) is noticed
WAITING_CHECK_S = 30.0  # how often an idle indexer looks for documents a cut-short language change left waiting
UNEXPECTED = "Something went wrong while indexing this file. Add it again; if it keeps happening, restart the app."

JobCallback = Callable[[queue.Job], None]


class Indexer:
    """Works through the queue of ``store``'s data folder, oldest job first."""

    def __init__(self, store: Store, label: str = "the app", poll_s: float = POLL_S, shared: bool = False,
                 lease_s: float | None = None, sites: bool = True):
        self.store = store
        self.label = label
        # shared: one of many indexers of a team's queue (`grounded indexer`, a catalog on PostgreSQL):
        # no queue owner; each job is held on a lease this indexer's heartbeat renews
        self.shared = shared
        self.lease_s = lease_s or queue.LEASE_S  # a job in hand is ours this long after our last heartbeat
        # whether this indexer also syncs the sites that are due (any number may: each run of a site holds it
        # on a lease in the catalog, rag/ingest/sources.py claim_sync; `grounded indexer --no-sites` opts out)
        self.sites = sites
        self.poll_s = poll_s
        self.token = uuid.uuid4().hex
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lost = threading.Event()  # another process took the queue over (our heartbeat lapsed)
        self._thread: threading.Thread | None = None
        self._waiting_check = 0.0  # when to look for documents waiting to be re-indexed next (monotonic clock)

    # as a background thread (the app)
    def start(self) -> Indexer:
        self._thread = threading.Thread(target=self._serve, name="grounded-indexer", daemon=True)
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wake(self) -> None:
        """Look at the queue now (something was just queued in this process)."""
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the current job (a document is never left half done by this)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                if self.run(until_idle=False):
                    continue  # ran until stopped, or lost the queue to another process: look again
            except Exception:  # a bug here must not end indexing for good
                log.exception("the indexer stopped unexpectedly; starting again")
            self._stop.wait(self.poll_s * 5)  # another live process works through the queue

    # in the caller's thread (the command line)
    def run(self, until_idle: bool = True, on_finished: JobCallback | None = None) -> bool:
        """Work through the queue in this thread: until it is empty, or (``until_idle=False``) until stopped.

        Returns False at once, doing nothing, when another live process works through this folder's queue.
        """
        if not self.shared and not queue.take_ownership(self.store, self.label, self.token):
            return False
        self._lost.clear()
        beating = threading.Event()
        heart = threading.Thread(target=self._beat, args=(beating,), name="grounded-indexer-heartbeat", daemon=True)
        heart.start()
        ending = threading.Event()  # set when this run ends: the sync lane stops before its next request
        lane = None
        if not until_idle and self.sites:  # the app's indexer: sites' syncs in their own lane, beside the queue
            lane = threading.Thread(target=self._sync_lane, args=(ending,), name="grounded-site-syncs", daemon=True)
            lane.start()
        reader = _Reader(self.store)
        try:
            while not self._stop.is_set() and not self._lost.is_set():
                job = queue.claim_next(self.store.catalog, worker=self.token, lease_s=self.lease_s if self.shared else None)
                if job is None:
                    reader.close()
                    if self._resume_waiting():
                        continue
                    if until_idle:
                        return True
                    self._wake.wait(self.poll_s)
                    self._wake.clear()
                    continue
                ahead = reader.for_job(job)
                done = self._index(job, ahead)
                if on_finished is not None:
                    on_finished(done)
        finally:
            reader.close()
            ending.set()
            if lane is not None:
                lane.join()  # its page in hand is settled first (each request has a deadline, each run a bound)
            beating.set()
            heart.join()
            if not self._lost.is_set() and not self.shared:
                queue.give_up_ownership(self.store.catalog, self.token)
        return True

    def _sync_lane(self, ending: threading.Event) -> None:
        """The sites' lane: every :data:`SYNC_CHECK_S`, one bounded run of each site due a sync, in turn."""
        while not ending.is_set():
            try:
                self._sync_due_sources(ending)
            except Exception:  # a bug here must not end syncing for good
                log.exception("the site sync lane stopped unexpectedly; starting again")
            ending.wait(SYNC_CHECK_S)

    def _sync_due_sources(self, ending: threading.Event | None = None) -> None:
        """Sync the sites whose schedule (daily, weekly) says it is time, and continue those cut short.

        Run in the sync lane, in the process that holds the index, one bounded run at a time, beside
        the queue (never ahead of it); without a running app, ``grounded sync`` from cron does the same.
        """
        ending = ending or threading.Event()
        for source in sources.due(self.store.catalog):
            if ending.is_set() or self._stop.is_set() or self._lost.is_set():
                return
            try:
                sources.sync(self.store, source, stop=ending)
            except sources.SyncUnderWay:
                continue  # a person's "Sync now" has it in hand
            except Exception:  # noqa: BLE001 - recorded on the source by sync itself; one site never stops the others
                log.exception("scheduled sync of %s failed", source.origin)

    def _beat(self, done: threading.Event) -> None:
        while not done.wait(HEARTBEAT_S):
            try:
                if self.shared:
                    queue.renew_leases(self.store.catalog, self.token, self.lease_s)
                elif not queue.beat(self.store.catalog, self.token):
                    self._lost.set()
                    return
            except Exception:  # noqa: BLE001 - the database unreachable for a moment: the next beat tries again
                log.exception("the indexer's heartbeat failed")

    def _resume_waiting(self) -> bool:
        """Index again one document a cut-short language change left waiting (between jobs, never ahead of one).

        Among a team's shared indexers only the one that syncs sites does, so two never take the same document.
        """
        if (self.shared and not self.sites) or time.monotonic() < self._waiting_check:
            return False
        try:
            if reindex_next_waiting(self.store) is not None:
                return True
        except Exception:  # noqa: BLE001 - never stops the queue
            log.exception("re-indexing a waiting document failed")
        self._waiting_check = time.monotonic() + WAITING_CHECK_S  # none waiting: look again later, not every poll
        return False

    def _index(self, job: queue.Job, ahead: ParseAhead) -> queue.Job:
        if self.shared and job.attempts > 1:  # taken over from an indexer that died: undo its half-done version first
            recovery.recover_document(self.store, doc_id_for(job.workspace, job.name))
        try:
            data = queue.stored_bytes(self.store, job)
        except OSError:
            return queue.finish(self.store, job, FileResult(job.name, "failed", error=queue.MISSING))
        try:
            result = ingest_bytes(self.store, job.name, data, job.workspace, job.chunk_settings, kind=job.kind,
                                  force=bool(job.force), parse_ahead=ahead, allowance=queue.upload_allowance(self.store, job))
        except Exception:  # the pipeline reports a file's own problems itself; this is anything else
            log.exception("indexing %s failed", job.name)
            result = FileResult(job.name, "failed", error=UNEXPECTED)
        done = queue.finish(self.store, job, result)
        self._after_upload(done)
        return done

    def _after_upload(self, job: queue.Job) -> None:
        """The last document of a ZIP uploaded again is done: what it no longer holds is deleted (with a forget check).

        Not when any of its documents was cancelled or is held for another try: that upload isn't the whole ZIP yet.
        """
        if job.upload == job.name:
            return
        siblings = queue.jobs(self.store.catalog, batch=job.batch, include_dismissed=True)
        mine = [j for j in siblings if j.upload == job.upload]
        if any(j.status in (*queue.ACTIVE, "cancelled", queue.HELD) for j in mine):
            return
        try:
            drop_missing_members(self.store, job.workspace, job.upload, (j.name for j in mine))
        except Exception:  # noqa: BLE001 - never stops the queue; the documents stay and can be deleted by hand
            log.exception("removing what %s no longer holds failed", job.upload)


class _Reader:
    """Reads the next job ahead (in the parse worker) while the current one is embedded.

    One look-ahead per run of jobs with the same assistant and settings (what ParseAhead checks
    "unchanged" against); it is closed when the queue runs dry, so no thread or temporary folder
    outlives the work.
    """

    def __init__(self, store: Store):
        self.store = store
        self._ahead: ParseAhead | None = None
        self._key: tuple | None = None

    def for_job(self, job: queue.Job) -> ParseAhead:
        key = (job.workspace, job.chunking, job.force)
        if self._ahead is None or key != self._key:
            self.close()
            self._ahead = ParseAhead(self.store, job.workspace, job.chunk_settings, bool(job.force))
            self._key = key
        following = queue.next_queued(self.store.catalog, job.job_id)
        if following is not None and (following.workspace, following.chunking, following.force) == key:
            try:
                started = self._ahead.submit(following.name, queue.stored_bytes(self.store, following))
            except OSError:
                started = False  # cancelled meanwhile: its bytes are gone
            if started:
                queue.mark_reading(self.store.catalog, following.job_id)
        return self._ahead

    def close(self) -> None:
        if self._ahead is not None:
            self._ahead.close(wait=False)  # a parse nobody will take is not waited for
            self._ahead = None
            self._key = None


# One indexer per data folder in this process (the app's; the command line runs its own in line).
_indexers: FolderWorkers[Indexer] = FolderWorkers(lambda store, label: Indexer(store, label).start())


def start_indexer(store: Store, label: str = "the app") -> Indexer:
    """The background indexer of ``store``'s data folder in this process, started if it isn't running."""
    return _indexers.ensure(store, label)


def wake_indexer(store: Store) -> None:
    """Tell this process's indexer that something was queued (other processes' jobs are found by polling)."""
    current = _indexers.get(store)
    if current is not None:
        current.wake()


def stop_indexer(store: Store, timeout: float | None = None) -> None:
    """Stop the indexer of ``store``'s folder after its current job (the app's store being released)."""
    _indexers.stop(store, timeout)


def stop_indexers(timeout: float | None = None) -> None:
    _indexers.stop_all(timeout)
