"""The knowledge store: settings, catalog, index and embedding model together.

One ``Store`` per process and data directory; the CLI opens one per command,
the app shares one across sessions. Opening a store finishes or rolls back
work a crash interrupted (see :func:`recover`).
"""

from __future__ import annotations

import threading
from pathlib import Path
from functools import cached_property

from . import originals, parse_ahead, redact
from .catalog import Catalog
from .embed import make_embeddings
from .index import Index
from .settings import Settings
from .types import Hit


class Store:
    def __init__(self, settings: Settings):
        self.settings = settings
        redact.install(settings)  # API keys never reach a log line
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog(settings.catalog_path)
        self.embeddings = make_embeddings(settings)
        # Qdrant Edge in this process by default (rag/index_edge.py), a Qdrant server with QDRANT_URL.
        self.index = Index(settings, self.embeddings.model_id, self.embeddings.dimension)
        self.write_lock = threading.Lock()  # one ingest/delete at a time per process
        self.recovered = recover(self)  # documents repaired after an interrupted run

    def close(self) -> None:
        """Release the catalog and this data folder's index (the Edge shards and folder lock, or the server client)."""
        from .index import close_client

        self.catalog.close()
        close_client(self.settings)

    def search(self, query: str, workspace: str | None = None, k: int = 5, strategy: str = "hybrid") -> list[Hit]:
        """Top ``k`` chunks for ``query`` in a workspace (no LLM involved)."""
        from .retrieve import RetrievalSettings, retrieve

        settings = RetrievalSettings(strategy=strategy, k=k, threshold=-1.0)
        return retrieve(self, query, workspace or self.settings.workspace, settings).hits

    @cached_property
    def files_root(self):
        root = self.settings.files_dir
        root.mkdir(parents=True, exist_ok=True)
        return root


def recover(store: Store) -> int:
    """Make the index agree with the catalog after an interrupted ingest.

    A document caught mid-delete (status ``deleting``) is deleted for good.
    A document caught mid-work (status ``indexing``) goes back to its last
    ready version if it had one (new, partial points are deleted), or is
    removed entirely. A ready document whose old version's points were not yet
    deleted (``pending_version`` still set) has them deleted now. Returns how
    many documents were repaired.
    """
    repaired = 0
    for row in store.catalog.documents(status="ready"):
        if row.pending_version:  # crashed after the new version was stored, before old points went
            store.index.delete_document(row.workspace, row.doc_id, keep_version=row.version)
            store.catalog.update(row.doc_id, pending_version=None)
            repaired += 1
    for row in store.catalog.documents(status="deleting"):  # crashed mid-delete: finish it
        store.index.delete_document(row.workspace, row.doc_id)
        originals.remove(originals.doc_folder(store, row.workspace, row.doc_id))
        store.catalog.delete(row.doc_id)
        repaired += 1
    for row in store.catalog.documents(status="indexing"):
        folder = originals.doc_folder(store, row.workspace, row.doc_id)
        if row.version:
            store.index.delete_document(row.workspace, row.doc_id, keep_version=row.version)
            store.catalog.update(row.doc_id, status="ready", pending_version=None)
            if row.original_path:
                originals.remove(folder, keep_dir=Path(row.original_path).parent)
        else:
            store.index.delete_document(row.workspace, row.doc_id)
            store.catalog.delete(row.doc_id)
            originals.remove(folder)
        repaired += 1
    repaired += _sweep_stray_originals(store)
    parse_ahead.sweep(store.settings.data_dir)  # temp copies a killed run left; nothing to repair
    return repaired


def _sweep_stray_originals(store: Store) -> int:
    """Remove kept originals whose document has no catalog row (a crash before the row was written)."""
    known = {row.doc_id for row in store.catalog.documents()}
    swept = 0
    root = store.settings.files_dir
    if not root.is_dir():
        return 0
    for workspace_dir in root.iterdir():
        if not workspace_dir.is_dir():
            continue
        for doc_dir in workspace_dir.iterdir():
            if doc_dir.is_dir() and doc_dir.name not in known:
                originals.remove(doc_dir)
                swept += 1
    return swept
