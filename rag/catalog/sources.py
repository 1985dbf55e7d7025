"""The tables of sources kept in sync (``sources``, ``source_pages``): every statement rag/ingest/sources.py runs.

A source's options and last counts are JSON in the table and dicts here; rag/ingest/sources.py turns a
:class:`SourceRecord` into its ``Source`` (with the crawl's options) and decides what a sync does.
"""

from __future__ import annotations

import json
from dataclasses import astuple, dataclass, field, fields

from . import Row, Tables


@dataclass(frozen=True)
class SourceRecord:
    """One row of ``sources``, its JSON columns read."""

    source_id: str
    workspace: str
    kind: str
    origin: str
    options: dict = field(default_factory=dict)
    schedule: str = "off"
    created: float = 0.0
    last_sync: float | None = None
    last_status: str | None = None
    last_error: str | None = None
    last_counts: dict = field(default_factory=dict)
    resume_since: float | None = None


@dataclass(frozen=True)
class PageRecord:
    """What a sync knows of one page of a source (a row of ``source_pages``), as it is saved."""

    source_id: str
    url: str
    final_url: str | None
    doc_id: str | None
    status: str
    error: str | None
    etag: str | None
    last_modified: str | None
    lastmod: str | None
    modified: float | None
    fingerprint: str | None
    links: str | None  # JSON list of the page's links
    first_seen: float
    last_checked: float | None
    last_changed: float | None


def _source(row) -> SourceRecord:
    return SourceRecord(
        source_id=row["source_id"], workspace=row["workspace"], kind=row["kind"], origin=row["origin"],
        options=json.loads(row["options"] or "{}"), schedule=row["schedule"], created=row["created"],
        last_sync=row["last_sync"], last_status=row["last_status"], last_error=row["last_error"],
        last_counts=json.loads(row["last_counts"] or "{}"), resume_since=row["resume_since"],
    )


_PAGE_COLUMNS = [f.name for f in fields(PageRecord)]


class SourceTables(Tables):
    """Folders, ZIPs and sites kept in sync, and their pages."""

    # ---- who syncs a source (rag/ingest/sources.py claim_sync): one indexer at a time, on a lease
    def claim_sync(self, source_id: str, worker: str, until: float, now: float) -> bool:
        """Give the source's sync to ``worker`` until ``until``, unless another holds a lease still live at ``now``.

        One UPDATE whose condition is re-checked on the row it changes, so two claims at once (threads or
        processes; SQLite or PostgreSQL) give the source to exactly one."""
        return bool(self._query(
            "UPDATE sources SET sync_worker = ?, sync_lease_until = ? WHERE source_id = ? "
            "AND (sync_worker IS NULL OR sync_lease_until IS NULL OR sync_lease_until < ?) RETURNING source_id",
            (worker, until, source_id, now),
        ))

    def renew_sync(self, source_id: str, worker: str, until: float) -> bool:
        """Extend ``worker``'s lease to ``until``; False when the source is no longer ``worker``'s."""
        return bool(self._query(
            "UPDATE sources SET sync_lease_until = ? WHERE source_id = ? AND sync_worker = ? RETURNING source_id",
            (until, source_id, worker),
        ))

    def release_sync(self, source_id: str, worker: str) -> None:
        """Free the source's sync, only if ``worker`` still holds it."""
        self._execute("UPDATE sources SET sync_worker = NULL, sync_lease_until = NULL WHERE source_id = ? AND sync_worker = ?",
                      (source_id, worker))

    def sync_holder(self, source_id: str) -> tuple[str | None, float | None]:
        """Who holds the source's sync and until when ((None, None): nobody)."""
        rows = self._query("SELECT sync_worker, sync_lease_until FROM sources WHERE source_id = ?", (source_id,))
        return (rows[0]["sync_worker"], rows[0]["sync_lease_until"]) if rows else (None, None)

    def add(self, source: SourceRecord) -> None:
        """Record a new source (its assistant must exist: see ``Catalog.ensure_workspace``)."""
        self._execute(
            "INSERT INTO sources(source_id, workspace, kind, origin, options, schedule, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (source.source_id, source.workspace, source.kind, source.origin, json.dumps(source.options), source.schedule,
             source.created),
        )

    def get(self, source_id: str) -> SourceRecord | None:
        """One source by its id (None: there is none)."""
        rows = self._query("SELECT * FROM sources WHERE source_id = ?", (source_id,))
        return _source(rows[0]) if rows else None

    def list_sources(self, workspace: str | None = None) -> list[SourceRecord]:
        """Every source (of ``workspace`` when given), oldest first."""
        sql, args = "SELECT * FROM sources", ()
        if workspace is not None:
            sql, args = sql + " WHERE workspace = ?", (workspace,)
        return [_source(r) for r in self._query(sql + " ORDER BY created", args)]

    def set_schedule(self, source_id: str, schedule: str) -> None:
        """Change how often a source is synced ("off", "daily", "weekly")."""
        self._execute("UPDATE sources SET schedule = ? WHERE source_id = ?", (schedule, source_id))

    def mark_started(self, source_id: str, last_sync: float, resume_since: float | None) -> None:
        """A sync run began: noted so a process killed mid-run resumes it instead of starting over."""
        self._execute("UPDATE sources SET last_sync = ?, resume_since = ? WHERE source_id = ?",
                      (last_sync, resume_since, source_id))

    def record_run(self, source_id: str, last_sync: float, last_status: str | None, last_error: str | None,
                   last_counts: dict, resume_since: float | None) -> None:
        """How a sync run went (its counts per page status; ``resume_since`` set while it is to be continued)."""
        self._execute(
            "UPDATE sources SET last_sync = ?, last_status = ?, last_error = ?, last_counts = ?, resume_since = ? "
            "WHERE source_id = ?",
            (last_sync, last_status, last_error, json.dumps(last_counts), resume_since, source_id),
        )

    def remove(self, source_id: str) -> None:
        """Forget a source and what it knew of its pages (their documents are removed by the caller)."""
        self._execute("DELETE FROM source_pages WHERE source_id = ?", (source_id,))
        self._execute("DELETE FROM sources WHERE source_id = ?", (source_id,))

    # pages

    def pages(self, source_id: str) -> list[Row]:
        """Every page a source knows, as stored, by address."""
        return self._query("SELECT * FROM source_pages WHERE source_id = ? ORDER BY url", (source_id,))

    def save_page(self, page: PageRecord) -> None:
        """Record what a sync saw of a page (a page known before keeps when it was first seen)."""
        self._execute(
            f"INSERT INTO source_pages({', '.join(_PAGE_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in _PAGE_COLUMNS)}) ON CONFLICT(source_id, url) DO UPDATE SET "
            "final_url = excluded.final_url, doc_id = excluded.doc_id, status = excluded.status, error = excluded.error, "
            "etag = excluded.etag, last_modified = excluded.last_modified, lastmod = excluded.lastmod, "
            "modified = excluded.modified, fingerprint = excluded.fingerprint, links = excluded.links, "
            "last_checked = excluded.last_checked, last_changed = excluded.last_changed",
            astuple(page),
        )

    def drop_page(self, source_id: str, url: str) -> None:
        """Forget a page the site no longer has."""
        self._execute("DELETE FROM source_pages WHERE source_id = ? AND url = ?", (source_id, url))

    def read_elsewhere(self, doc_id: str, source_id: str) -> bool:
        """Whether a source other than ``source_id`` also reads document ``doc_id`` (then it stays)."""
        return bool(self._query("SELECT 1 FROM source_pages WHERE doc_id = ? AND source_id != ? LIMIT 1",
                                (doc_id, source_id)))
