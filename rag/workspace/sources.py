"""Sites as a person manages them: each operation takes the acting user and checks access itself.

Seeing an assistant's sources needs the right to use it; adding, syncing,
scheduling or removing one needs the right to manage it (as for its
documents, :mod:`.documents`). A source of an assistant the user may not see
is reported exactly like a missing one. ``user=None`` is the trusted command
line (and the scheduler: cron's ``grounded sync``, the app's indexer).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ..errors import NotFound
from ..ingest import sources
from ..ingest.crawl import CrawlOptions
from ..ingest.sources import SCHEDULES, PageResult, Source, SyncProgress, SyncReport  # noqa: F401 - offered to pages
from ..store import Store
from .access import User
from .assistants import get_assistant

Progress = Callable[[SyncProgress], None]


def _source(store: Store, source_id: str, user: User | None, manage: bool = False) -> Source:
    """The source, if ``user`` may see (or ``manage``) its assistant; else "not found"."""
    try:
        source = sources.get(store.catalog, source_id)
        get_assistant(store.catalog, source.workspace, user, manage=manage)
    except NotFound:
        raise NotFound("That source no longer exists.") from None
    return source


def indexer_for(store: Store, source: Source) -> sources.Indexer:
    """Index a source's pages with its assistant's chunk settings."""
    assistant = get_assistant(store.catalog, source.workspace)
    return sources.index_now(store, assistant.id, assistant.chunking)


def add_site(store: Store, assistant_id: str, address: str, user: User | None, options: CrawlOptions | None = None,
             schedule: sources.Schedule = "off", on_progress: Progress | None = None) -> SyncReport:
    """Add a site to an assistant the user manages and import it (its first sync)."""
    assistant = get_assistant(store.catalog, assistant_id, user, manage=True)
    source = sources.create(store.catalog, assistant.id, address, options, schedule, store.settings.allow_private_urls)
    return sources.sync(store, source, indexer_for(store, source), on_progress)


def list_sites(store: Store, assistant_id: str, user: User | None) -> list[Source]:
    """The sources of an assistant the user may use."""
    assistant = get_assistant(store.catalog, assistant_id, user)
    return sources.list_sources(store.catalog, assistant.id)


def sync_site(store: Store, source_id: str, user: User | None, on_progress: Progress | None = None) -> SyncReport:
    """"Sync now", for someone who manages the source's assistant."""
    source = _source(store, source_id, user, manage=True)
    return sources.sync(store, source, indexer_for(store, source), on_progress)


def set_schedule(store: Store, source_id: str, schedule: sources.Schedule, user: User | None) -> Source:
    _source(store, source_id, user, manage=True)
    return sources.set_schedule(store.catalog, source_id, schedule)


def remove_site(store: Store, source_id: str, user: User | None) -> list[PageResult]:
    """Remove a source and the documents it brought."""
    _source(store, source_id, user, manage=True)
    return sources.remove(store, source_id)


def sync_due(store: Store, now: float | None = None, on_progress: Progress | None = None) -> list[SyncReport]:
    """Every source whose schedule says a sync is due, in turn (``grounded sync`` from cron; the app's indexer)."""
    due = sources.due(store.catalog, time.time() if now is None else now)
    return [sources.sync(store, s, indexer_for(store, s), on_progress) for s in due]
