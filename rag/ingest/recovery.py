"""Opening a data folder for work, and repairing what a crash interrupted.

The catalog decides what is ready; the index holds vectors. A kill at any
moment of an ingest, re-index or delete leaves rows marked ``indexing`` or
``deleting`` (or a ready row with ``pending_version`` set); opening the store
through :func:`open_store` finishes or rolls back each one, so a document is
either whole with its original or absent.
"""

from __future__ import annotations

from pathlib import Path

from ..settings import Settings
from ..store import Store
from . import forgetting, originals, parse_ahead


def open_store(settings: Settings) -> Store:
    """The store for ``settings``' data folder, with any interrupted work repaired.

    With ``GROUNDED_INDEXER=service`` (a team: many processes share the catalog), nothing is repaired at
    opening: a document marked indexing may be in the hands of a live indexer elsewhere. An indexer repairs
    a document when it takes over a job whose indexer died (:func:`recover_document`).
    """
    store = Store(settings)
    store.recovered = recover(store) if settings.indexes_here else 0
    return store


def recover_document(store: Store, doc_id: str) -> bool:
    """Repair one document left mid-work (status ``indexing`` or ``deleting``) by a process that died; True if it was."""
    row = store.catalog.get(doc_id)
    if row is None or row.status not in ("indexing", "deleting"):
        return False
    if row.status == "deleting":
        store.index.delete_document(row.workspace, row.doc_id)
        originals.remove(originals.doc_folder(store, row.workspace, row.doc_id))
        store.catalog.delete(row.doc_id)
    else:
        _roll_back(store, row)
    return True


def _roll_back(store: Store, row) -> None:
    """A document caught mid-work goes back to its last ready version, or is removed if it had none."""
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


def recover(store: Store) -> int:
    """Make the index agree with the catalog after an interrupted ingest.

    A document caught mid-delete (status ``deleting``) is deleted for good.
    A document caught mid-work (status ``indexing``) goes back to its last
    ready version if it had one (new, partial points are deleted), or is
    removed entirely. A document waiting to be indexed again (a language
    change cut short) keeps waiting, its half-done points deleted: the
    indexer resumes it. A ready document whose old version's points were not yet
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
        forgetting.forget_traces(store.catalog, row.workspace, row.doc_id)
        repaired += 1
    for row in store.catalog.documents(status="indexing"):
        _roll_back(store, row)
        repaired += 1
    for row in store.catalog.documents(status="waiting"):  # a language change cut short: it stays waiting,
        store.index.delete_document(row.workspace, row.doc_id)  # without the points of a half-done attempt,
        if row.pending_version:  # and the indexer indexes it again (pipeline.reindex_next_waiting)
            store.catalog.update(row.doc_id, pending_version=None)
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
