"""Sources an assistant keeps in sync: a site read by its address, what each of its pages was last time, and sync.

A source remembers its origin (the address), how it is read (include/exclude
patterns, page and depth limits, pace) and its schedule (off, daily, weekly).
Each sync (the first one is the import) reads the site with :mod:`.crawl` and
settles every page:

- new or changed: indexed (its document named after its address,
  ``help.example.com/articles/reset.html``), its live address and date recorded;
- unchanged (``304``, the same sitemap ``lastmod``, or the same visible text):
  nothing is re-embedded;
- gone (``404``/``410``, no longer in the sitemap, or no longer linked once a
  link crawl reached everything): its document is removed, and the report says so;
- left out (robots.txt, ``noindex``, not a type Grounded reads, moved off the
  site): skipped with the reason; a page indexed before is removed;
- failed (time-out, too large, a server error): reported; a page indexed before
  stays as it was until a sync reads it again.

Redirects are recorded: a page that now lives at another address is read from
there, and the health check lists it as moved.

One run of a sync is bounded (``GROUNDED_SYNC_MAX_PAGES`` pages requested,
``GROUNDED_SYNC_MAX_MINUTES``; every request also has its own total deadline),
so a large or a slow site never holds the sync lane for long. A run that reaches
its bound records what it did (its pages, its time) and the source continues
where it stopped a few minutes later (:data:`RESUME_AFTER_S`), whatever its
schedule: the pages the runs before it read are carried over, not asked for
again, so every run makes progress. The source notes that a sync is under way
when a run starts, so a process killed mid-run is resumed the same way instead
of starting over at every restart.

One run of a source at a time, across every process that shares the catalog: a
run first claims the source's row (:func:`claim_sync`, one conditional UPDATE,
atomic on SQLite and PostgreSQL alike) and holds it on a lease its heartbeat
renews (:data:`SYNC_LEASE_S`); another claim, from the same process or any
other (a person's "Sync now" in another app, another ``grounded indexer``),
is refused with :class:`SyncUnderWay` while the lease runs. A process killed
mid-run stops renewing, and the next one takes the source when the lease has
run out (and continues it, as above). So any number of indexers may sync the
sites that are due.

Indexing a page is one step, :func:`index_now`, given (name, bytes, metadata) as
a :class:`PageItem`; :func:`sync` takes it as a parameter so it can be routed
through a job queue instead of running in this process.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from ..catalog.sources import PageRecord, SourceRecord
from ..errors import GroundedError, NotFound
from ..netguard import check_url
from ..parse.dates import iso
from ..store import Store
from ..types import ChunkSettings
from . import origins, pipeline
from .admission import FileResult
from .crawl import Crawl, CrawlOptions, CrawlState, Fetcher, Known, RunBudget, Visit, document_name, normalise
from .forgetting import Reason

Schedule = Literal["off", "daily", "weekly"]
SCHEDULES: dict[str, float | None] = {"off": None, "daily": 86400.0, "weekly": 7 * 86400.0}
SCHEDULE_SLACK_S = 3600.0  # a daily cron run a little early still counts
RESUME_AFTER_S = 300.0  # a sync cut short by its run's bound continues this long after that run ended
PageStatus = Literal["indexed", "unchanged", "skipped", "failed", "removed"]
PAGE_STATUSES: tuple[PageStatus, ...] = ("indexed", "unchanged", "skipped", "failed", "removed")
log = logging.getLogger(__name__)


class SyncUnderWay(GroundedError):
    """The source is being synced right now (by the background lane, or another person's "Sync now")."""


SYNC_LEASE_S = 60.0  # a run holds its source this long past its last heartbeat: a killed run's is free after it
SYNC_BEAT_S = 5.0  # how often a run renews its lease


def claim_sync(catalog, source_id: str, worker: str, lease_s: float = SYNC_LEASE_S, now: float | None = None) -> bool:
    """Take the source's sync for ``worker`` until ``now + lease_s``; False when another holds it on a live lease.

    One UPDATE whose condition is re-checked on the row it changes: two claims at once, from threads or
    processes, on SQLite (writes one at a time) or PostgreSQL (the second waits for the first's row lock
    and then finds the row taken), give the source to exactly one.
    """
    now = time.time() if now is None else now
    return catalog.sources.claim_sync(source_id, worker, now + lease_s, now)


def renew_sync(catalog, source_id: str, worker: str, lease_s: float = SYNC_LEASE_S) -> bool:
    """Extend ``worker``'s lease on the source (its heartbeat); False when it is no longer ``worker``'s."""
    return catalog.sources.renew_sync(source_id, worker, time.time() + lease_s)


def release_sync(catalog, source_id: str, worker: str) -> None:
    """Give the source's sync back (only ``worker``'s own claim: one taken over meanwhile stays its new holder's)."""
    catalog.sources.release_sync(source_id, worker)


class _Halt(threading.Event):
    """Set when a run must stop: its lease was lost, or the caller's ``stop`` is set (seen at once by ``is_set``;
    a pause waiting on this one ends within the heartbeat's 0.2 s)."""

    def __init__(self, stop: threading.Event | None):
        super().__init__()
        self.stop = stop

    def is_set(self) -> bool:
        return super().is_set() or (self.stop is not None and self.stop.is_set())


def sync_holder(catalog, source_id: str) -> tuple[str | None, float | None]:
    """Who holds the source's sync and until when (None, None: nobody)."""
    return catalog.sources.sync_holder(source_id)


@dataclass
class Source:
    """A site an assistant reads and keeps in sync."""

    source_id: str
    workspace: str
    origin: str  # the address it was added with
    options: CrawlOptions = field(default_factory=CrawlOptions)
    schedule: Schedule = "off"
    kind: str = "site"
    created: float = 0.0
    last_sync: float | None = None
    last_status: str | None = None  # "ok" | "failed"
    last_error: str | None = None
    last_counts: dict = field(default_factory=dict)
    resume_since: float | None = None  # a sync is under way (cut short, or interrupted) since then

    @property
    def name(self) -> str:
        """How people recognise it: ``help.example.com/hc``."""
        parts = urlsplit(self.origin)
        return (parts.netloc + parts.path).rstrip("/")

    def due(self, now: float) -> bool:
        """Is a sync due: a scheduled one, or the rest of one cut short (whatever the schedule)?"""
        if self.resume_since is not None:
            return self.last_sync is None or now - self.last_sync >= RESUME_AFTER_S
        interval = SCHEDULES.get(self.schedule)
        if interval is None:
            return False
        return self.last_sync is None or now - self.last_sync >= interval - SCHEDULE_SLACK_S

    def as_dict(self) -> dict:
        return {
            "id": self.source_id,
            "assistant": self.workspace,
            "address": self.origin,
            "schedule": self.schedule,
            "include": list(self.options.include),
            "exclude": list(self.options.exclude),
            "max_pages": self.options.max_pages,
            "last_sync": iso(self.last_sync),
            "last_status": self.last_status,
            "last_error": self.last_error,
            "pages": self.last_counts,
            "continues": self.resume_since is not None,
        }

    @classmethod
    def from_record(cls, record: SourceRecord) -> Source:
        return cls(
            source_id=record.source_id, workspace=record.workspace, origin=record.origin,
            options=CrawlOptions.from_dict(record.options), schedule=record.schedule,  # type: ignore[arg-type]
            kind=record.kind, created=record.created, last_sync=record.last_sync, last_status=record.last_status,
            last_error=record.last_error, last_counts=record.last_counts, resume_since=record.resume_since,
        )


@dataclass
class PageResult:
    """What a sync did with one page."""

    url: str
    status: PageStatus
    error: str | None = None
    doc_id: str | None = None
    moved_to: str | None = None  # where it lives now, when it redirects

    def as_dict(self) -> dict:
        return {"url": self.url, "status": self.status, "error": self.error, "doc_id": self.doc_id,
                "moved_to": self.moved_to}


@dataclass
class SyncReport:
    """One sync of one source: every page it settled, and what it cost."""

    source: Source
    pages: list[PageResult] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0
    error: str | None = None  # why the site couldn't be read at all
    cut: str | None = None  # "pages" | "time" | "stopped": this run stopped there; the next one continues

    @property
    def notice(self) -> str | None:
        """What a person should know about a run cut short (None when it read everything it found)."""
        if self.cut is None or self.error:
            return None
        why = {"pages": "read as many pages as one sync reads at a time",
               "time": "ran as long as one sync runs at a time",
               "stopped": "stopped when Grounded was shut down"}[self.cut]
        return (f"This sync {why}; the rest of the site is read in the background over the next minutes, "
                "starting where it stopped.")

    def count(self, status: PageStatus) -> int:
        """Pages that ended ``status``; a document reached again under another address in the same sync ("/" and
        "/index.html" are one document) counts once, as its first visit did: a first import never reads
        "8 indexed, 1 up to date"."""
        if status == "unchanged":
            fresh = {p.doc_id for p in self.pages if p.status == "indexed" and p.doc_id}
            return sum(1 for p in self.pages if p.status == "unchanged" and (not p.doc_id or p.doc_id not in fresh))
        return sum(1 for p in self.pages if p.status == status)

    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in PAGE_STATUSES}

    def as_dict(self) -> dict:
        return {"source": self.source.as_dict(), "error": self.error, **self.counts(),
                "requests": self.requests, "seconds": round(self.seconds, 2), "cut": self.cut, "notice": self.notice,
                "pages": [p.as_dict() for p in self.pages]}


@dataclass(frozen=True)
class SyncProgress:
    """Sent after each page: how many are done (of how many the sitemap lists, when it does)."""

    done: int
    total: int | None
    result: PageResult


# --- indexing one page ---

@dataclass(frozen=True)
class PageItem:
    """One page to index: its document name, its bytes, and where it lives."""

    name: str
    data: bytes
    url: str  # its live address (after redirects; its canonical address on the same site when it names one)
    modified: float | None = None  # when it last changed, as the site says (sitemap lastmod, Last-Modified)


Indexer = Callable[[PageItem], FileResult]


def index_now(store: Store, workspace: str, chunking: ChunkSettings | None = None) -> Indexer:
    """The step "index this page", run here and now in the process that holds the store.

    QUEUE INTEGRATION POINT (issue 15): to run pages through the job queue, pass
    :func:`sync` an indexer that enqueues ``(item.name, item.data)`` for
    ``workspace``/``chunking`` and, when the job is done, calls
    :func:`record_origin` with the item and the job's document id. Its FileResult
    (``indexed``/``unchanged``/``failed``) is what the sync reports for the page.
    """

    def index(item: PageItem) -> FileResult:
        result = pipeline.ingest_bytes(store, item.name, item.data, workspace, chunking)
        if result.doc_id and result.status in ("indexed", "unchanged"):
            record_origin(store, result.doc_id, item)
        return result

    return index


def record_origin(store: Store, doc_id: str, item: PageItem) -> None:
    """A page's live address and date, over what its own markup said (the page's own date is kept if the site gave none)."""
    _, own_modified = origins.origin_of(store.catalog, doc_id)
    origins.remember(store.catalog, doc_id, item.url, item.modified if item.modified is not None else own_modified)


# --- the catalog's sources and pages ---

def _source_id(address: str) -> str:
    parts = urlsplit(address)
    slug = re.sub(r"[^a-z0-9]+", "-", (parts.hostname or "") + parts.path.lower()).strip("-")[:40] or "site"
    return f"{slug}-{secrets.token_hex(2)}"


def create(catalog, workspace: str, address: str, options: CrawlOptions | None = None, schedule: Schedule = "off",
           allow_private: bool = False) -> Source:
    """A new site source for an assistant (its address checked now: http(s), and not an internal one)."""
    if schedule not in SCHEDULES:
        raise GroundedError("The schedule must be off, daily or weekly.")
    address = normalise(check_url(address, allow_private))
    options = (options or CrawlOptions()).checked()
    existing = [s for s in list_sources(catalog, workspace) if s.origin == address]
    if existing:
        raise GroundedError(f"This assistant already reads {existing[0].name} (source {existing[0].source_id}). "
                            "Sync it instead, or remove it first.")
    source = Source(_source_id(address), workspace, address, options, schedule, created=time.time())
    catalog.ensure_workspace(workspace)
    catalog.sources.add(SourceRecord(source.source_id, workspace, source.kind, address, options.as_dict(), schedule,
                                     source.created))
    return source


def get(catalog, source_id: str) -> Source:
    record = catalog.sources.get(source_id)
    if record is None:
        raise NotFound(f"There is no source {source_id}. See them with: grounded sources")
    return Source.from_record(record)


def find(catalog, reference: str, workspace: str | None = None) -> Source:
    """A source by its id or by its address (within ``workspace`` when given)."""
    for source in list_sources(catalog, workspace):
        if reference in (source.source_id, source.origin) or normalise(reference) == source.origin:
            return source
    raise NotFound(f"There is no source {reference}. See them with: grounded sources")


def list_sources(catalog, workspace: str | None = None) -> list[Source]:
    return [Source.from_record(r) for r in catalog.sources.list_sources(workspace)]


def set_schedule(catalog, source_id: str, schedule: Schedule) -> Source:
    if schedule not in SCHEDULES:
        raise GroundedError("The schedule must be off, daily or weekly.")
    get(catalog, source_id)
    catalog.sources.set_schedule(source_id, schedule)
    return get(catalog, source_id)


def due(catalog, now: float | None = None) -> list[Source]:
    """Sources whose schedule says a sync is due (for the app's indexer, or ``grounded sync`` from cron)."""
    now = time.time() if now is None else now
    return [s for s in list_sources(catalog) if s.due(now)]


def pages(catalog, source_id: str) -> list[dict]:
    """Every page a source knows, as stored (address, where it moved, document, status, dates)."""
    return [dict(r) for r in catalog.sources.pages(source_id)]


def remove(store: Store, source_id: str) -> list[PageResult]:
    """Remove a source and the documents it brought (those no other source also reads)."""
    get(store.catalog, source_id)
    removed = []
    for row in pages(store.catalog, source_id):
        if row["doc_id"] and _remove_document(store, source_id, row["doc_id"], "deleted"):
            removed.append(PageResult(row["url"], "removed", "Its source was removed.", row["doc_id"]))
    store.catalog.sources.remove(source_id)
    return removed


def _remove_document(store: Store, source_id: str, doc_id: str, reason: Reason = "page gone") -> bool:
    """Delete a page's document unless another source still reads it; True when it was deleted.

    A forget check is left pending for it (:mod:`rag.ingest.forgetting`), for ``reason``.
    """
    if store.catalog.sources.read_elsewhere(doc_id, source_id):
        return False
    try:
        pipeline.delete_document(store, doc_id, reason=reason)
    except NotFound:
        return False
    return True


def _ready(store: Store, doc_id: str | None) -> bool:
    row = store.catalog.get(doc_id) if doc_id else None
    return bool(row and row.status == "ready")


def _known(store: Store, rows: dict[str, dict]) -> dict[str, Known]:
    return {
        url: Known(etag=r["etag"], last_modified=r["last_modified"], lastmod=r["lastmod"], last_checked=r["last_checked"],
                   links=json.loads(r["links"] or "[]"), final_url=r["final_url"], indexed=_ready(store, r["doc_id"]),
                   status=r["status"], error=r["error"])
        for url, r in rows.items()
    }


def _save_page(catalog, source_id: str, visit: Visit, previous: dict | None, status: PageStatus, error: str | None,
               doc_id: str | None, changed: bool, now: float) -> None:
    response = visit.response
    headers = response.headers if response is not None and response.status in (200, 304) else {}
    keep = previous or {}
    catalog.sources.save_page(PageRecord(
        source_id, visit.url, visit.final_url or keep.get("final_url") or visit.url, doc_id, status, error,
        headers.get("etag") or keep.get("etag"), headers.get("last-modified") or keep.get("last_modified"),
        visit.lastmod or keep.get("lastmod"), visit.modified or keep.get("modified"),
        visit.facts.fingerprint or keep.get("fingerprint"),
        json.dumps(visit.facts.links) if visit.facts.links else keep.get("links"),
        keep.get("first_seen") or now, now if visit.requested else keep.get("last_checked"),
        now if changed else keep.get("last_changed"),
    ))


# --- sync ---

def _settle(store: Store, source: Source, visit: Visit, previous: dict | None, index: Indexer, scope_covers,
            now: float) -> PageResult:
    """Index, keep or remove one visited page, and remember what it was."""
    catalog = store.catalog
    old_doc = previous["doc_id"] if previous else None
    moved = visit.final_url if visit.moved else None
    if visit.outcome == "not_modified":  # asked only for pages with a ready document (see crawl.Known.indexed)
        _save_page(catalog, source.source_id, visit, previous, "unchanged", None, old_doc, False, now)
        return PageResult(visit.url, "unchanged", doc_id=old_doc, moved_to=moved)
    if visit.outcome in ("gone", "skipped"):
        removed = bool(old_doc) and _remove_document(store, source.source_id, old_doc)
        if visit.outcome == "gone":
            catalog.sources.drop_page(source.source_id, visit.url)
        else:
            _save_page(catalog, source.source_id, visit, previous, "skipped", visit.error, None, removed, now)
        status: PageStatus = "removed" if removed else ("failed" if visit.outcome == "gone" else "skipped")
        return PageResult(visit.url, status, visit.error, old_doc if removed else None, moved)
    if visit.outcome == "failed":
        _save_page(catalog, source.source_id, visit, previous, "failed", visit.error, old_doc, False, now)
        return PageResult(visit.url, "failed", visit.error, old_doc, moved)
    # fetched
    if old_doc and previous["fingerprint"] == visit.facts.fingerprint and _ready(store, old_doc):
        _save_page(catalog, source.source_id, visit, previous, "unchanged", None, old_doc, False, now)
        return PageResult(visit.url, "unchanged", doc_id=old_doc, moved_to=moved)
    canonical = visit.facts.canonical
    live = canonical if canonical and scope_covers(canonical) else visit.final_url
    item = PageItem(document_name(visit.url, visit.suffix), visit.response.body, live, visit.modified)
    result = index(item)
    if result.status not in ("indexed", "unchanged"):
        _save_page(catalog, source.source_id, visit, previous, "failed", result.error, old_doc, False, now)
        return PageResult(visit.url, "failed" if result.status == "failed" else "skipped", result.error, old_doc, moved)
    if old_doc and old_doc != result.doc_id:  # the page is now another type of document: the old one goes
        _remove_document(store, source.source_id, old_doc, "new version")
    _save_page(catalog, source.source_id, visit, previous, result.status, None, result.doc_id,
               result.status == "indexed", now)
    return PageResult(visit.url, result.status, None, result.doc_id, moved)


def _prune(store: Store, source: Source, rows: dict[str, dict], visited: set[str], state: CrawlState) -> list[PageResult]:
    """Pages known from before that this sync didn't reach: removed when the site no longer has them."""
    if state.mode == "sitemap":
        gone, why = [u for u in rows if u not in visited and u not in state.listed], "It is no longer in the site's sitemap."
    elif state.complete:
        gone, why = [u for u in rows if u not in visited], "No page of the site links to it any more."
    else:
        return []  # a crawl cut short by max_pages can't tell a gone page from one not reached
    results = []
    for url in gone:
        doc_id = rows[url]["doc_id"]
        if doc_id and _remove_document(store, source.source_id, doc_id):
            results.append(PageResult(url, "removed", why, doc_id))
        store.catalog.sources.drop_page(source.source_id, url)
    return results


def run_budget(settings) -> RunBudget:
    """What one run of a sync may do, from the settings (GROUNDED_SYNC_MAX_PAGES, GROUNDED_SYNC_MAX_MINUTES)."""
    return RunBudget(settings.limits.sync_max_pages, settings.limits.sync_max_minutes * 60.0)


def sync(store: Store, source: Source, index: Indexer | None = None,
         on_progress: Callable[[SyncProgress], None] | None = None, fetcher: Fetcher | None = None,
         budget: RunBudget | None = None, stop: threading.Event | None = None) -> SyncReport:
    """Read the source's site again and bring its documents up to date (the first sync imports it).

    ``index`` indexes one page (default: :func:`index_now` with the store's chunk settings).
    ``budget`` bounds this run (default: :func:`run_budget` of the store's settings); a run that
    reaches it, or is ``stop``-ped, ends early and the source continues from there later.
    The report lists every page settled; the source records when it ran and how it went.
    One run of a source at a time in every process sharing the catalog (:func:`claim_sync`); a run whose
    lease was lost (its process stalled past :data:`SYNC_LEASE_S`) stops at its next page.
    """
    worker = uuid.uuid4().hex
    if not claim_sync(store.catalog, source.source_id, worker):
        raise SyncUnderWay(f"{source.name} is being synced right now; its pages appear as they are read. "
                           "Look again in a few minutes.")
    halt, done = _Halt(stop), threading.Event()

    def beat() -> None:  # renews the lease; carries the caller's stop over to the crawl
        last = time.monotonic()
        while not done.wait(0.2):
            if stop is not None and stop.is_set():
                halt.set()  # ends a pause between requests
            if time.monotonic() - last >= SYNC_BEAT_S:
                last = time.monotonic()
                try:
                    if not renew_sync(store.catalog, source.source_id, worker):
                        log.warning("the sync of %s was taken over (its lease ran out); stopping", source.origin)
                        halt.set()
                except Exception:  # noqa: BLE001 - the database unreachable for a moment: the next beat tries again
                    log.exception("renewing the sync lease of %s failed", source.origin)

    heart = threading.Thread(target=beat, name="grounded-sync-lease", daemon=True)
    heart.start()
    try:
        return _sync(store, source, index, on_progress, fetcher, budget, halt)
    finally:
        done.set()
        heart.join()
        release_sync(store.catalog, source.source_id, worker)


def _sync(store: Store, source: Source, index: Indexer | None, on_progress, fetcher: Fetcher | None,
          budget: RunBudget | None, stop: threading.Event | None) -> SyncReport:
    started = time.perf_counter()
    index = index or index_now(store, source.workspace)
    report = SyncReport(source)
    rows = {r["url"]: r for r in pages(store.catalog, source.source_id)}
    carry_since = source.resume_since
    # under way from now: a process killed mid-run leaves this, and the source is resumed, not due at every restart
    source.resume_since = carry_since if carry_since is not None else time.time()
    source.last_sync = time.time()
    store.catalog.sources.mark_started(source.source_id, source.last_sync, source.resume_since)
    try:
        crawl = Crawl(source.origin, source.options, _known(store, rows), store.settings.allow_private_urls, fetcher,
                      budget=budget or run_budget(store.settings), carry_since=carry_since, stop=stop)
    except GroundedError as err:  # the address is refused now (private, or no longer resolves)
        report.error = str(err)
        return _finish(store, report, started)
    visited: set[str] = set()
    try:
        for visit in crawl.visits():
            visited.add(visit.url)
            result = _settle(store, source, visit, rows.get(visit.url), index, crawl.scope.covers, time.time())
            report.pages.append(result)
            if on_progress:
                total = len(crawl.state.listed) if crawl.state.mode == "sitemap" else None
                on_progress(SyncProgress(len(report.pages), total, result))
    except Exception as err:  # noqa: BLE001 - recorded on the source (health shows it); pages settled so far stay
        log.exception("sync of %s stopped", source.origin)
        crawl.state.error = f"The sync stopped part-way ({type(err).__name__}); what was read so far is kept. Try again."
    report.requests = crawl.fetcher.requests
    report.error = crawl.state.error
    report.cut = crawl.state.cut
    if report.cut == "time" and not crawl.state.requested and not report.error:
        # a whole run's time went before a single page was asked for (a site too slow to answer): continuing
        # soon would only do the same again
        report.error = ("The site was too slow to read: one sync's time ran out before a single page arrived. "
                        "It is tried again at the next scheduled sync.")
    if not report.error:
        report.pages += _prune(store, source, rows, visited, crawl.state)
        if report.pages and all(p.status == "failed" for p in report.pages):
            report.error = f"No page could be read: {report.pages[0].error}"
        elif not report.pages and not report.cut:
            report.error = "No pages were found at this address (no sitemap, and no links under it)."
    return _finish(store, report, started)


def _finish(store: Store, report: SyncReport, started: float) -> SyncReport:
    """Record how the run went; a run cut short (and not failed) leaves the sync under way, to be continued."""
    report.seconds = time.perf_counter() - started
    source = report.source
    source.last_sync, source.last_status = time.time(), "failed" if report.error else "ok"
    source.last_error, source.last_counts = report.error, report.counts()
    if report.error or report.cut is None:
        source.resume_since = None  # done (or failed: the next scheduled sync starts afresh)
    store.catalog.sources.record_run(source.source_id, source.last_sync, source.last_status, source.last_error,
                                     source.last_counts, source.resume_since)
    return report

