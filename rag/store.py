"""The knowledge store: settings, catalog, index and embedding model together.

One ``Store`` per process and data directory; the CLI opens one per command,
the app shares one across sessions. Open it with
:func:`rag.ingest.recovery.open_store`, which also finishes or rolls back
work a crash interrupted.

Only one process at a time can hold a folder's embedded index. Another one
(the command line while the app runs) opens a :class:`DataFolder`: the
catalog and settings alone, enough to queue documents, list them and hand
searches to the process that holds the index.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from . import redact, vault
from .catalog import Catalog
from .index import Index, close_index, open_index
from .index.embed import E5_DIM, E5_ID, MINILM_ID, make_embeddings, shared_e5
from .languages import assistant_language
from .settings import Settings


class Store:
    """One data folder's settings, catalog, embedding model and index, shared by everyone in a process."""

    def __init__(self, settings: Settings):
        redact.install(settings)  # API keys never reach a log line
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog(settings.catalog_location)
        self.base_settings = settings  # from the environment and secrets.toml, which win over saved connections
        self.settings = vault.apply_saved(settings, self.catalog)
        self.embeddings = make_embeddings(settings)
        # Qdrant Edge in this process by default (rag/index/edge.py), a Qdrant server with QDRANT_URL.
        self.index: Index = open_index(settings, self.embeddings.model_id, self.embeddings.dimension)
        self.index.model_of = self._model_of  # each workspace's collection is built by its assistant's model
        # Writes to the catalog and the index, one short step at a time (a batch of chunks, a status
        # change). Not held across a document's parsing and embedding: another person's one-line upload
        # waited over 240 s behind a large one when it was (security report, point 7).
        self.write_lock = threading.Lock()
        self._documents: dict[str, list] = {}  # doc_id -> [its lock, how many hold or wait for it]
        self._documents_guard = threading.Lock()
        self.recovered = 0  # documents repaired after an interrupted run (set by open_store)

    def multilingual(self, workspace: str) -> bool:
        """Whether ``workspace`` embeds with the multilingual model: its assistant's language setting, when the
        install embeds with the built-in English model (OpenAI's embeddings serve every language alike)."""
        return getattr(self.embeddings, "model_id", None) == MINILM_ID and assistant_language(self.catalog, workspace) == "multilingual"

    def embeddings_for(self, workspace: str):
        """The embedding model of ``workspace``: what its passages were embedded with and its questions must be."""
        return shared_e5() if self.multilingual(workspace) else self.embeddings

    def _model_of(self, workspace: str) -> tuple[str, int]:
        """(model id, dimension) of ``workspace``'s collection, without loading the model."""
        if self.multilingual(workspace):
            return E5_ID, E5_DIM
        return self.embeddings.model_id, self.embeddings.dimension

    def reload_connections(self) -> None:
        """Pick up model connections saved or removed since the store opened (every session sees them)."""
        self.settings = vault.apply_saved(self.base_settings, self.catalog)

    @contextmanager
    def document_lock(self, doc_id: str) -> Iterator[None]:
        """One operation on a document at a time (an ingest, a delete, a change of kind), held throughout.

        Take it before :attr:`write_lock`, never while holding that. Locks of
        documents nobody is working on are dropped, so the table stays small.
        """
        with self._documents_guard:
            entry = self._documents.setdefault(doc_id, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._documents_guard:
                entry[1] -= 1
                if not entry[1]:
                    del self._documents[doc_id]

    def close(self) -> None:
        """Release the catalog and this data folder's index (the Edge shards and folder lock, or the server client)."""
        self.catalog.close()
        close_index(self.settings)

    @cached_property
    def files_root(self):
        root = self.settings.files_dir
        root.mkdir(parents=True, exist_ok=True)
        return root


class DataFolder:
    """A data folder's settings and catalog without its index: what a process beside the index's holder may use."""

    def __init__(self, settings: Settings):
        self.settings = settings
        redact.install(settings)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog(settings.catalog_location)

    def close(self) -> None:
        self.catalog.close()


class Worker(Protocol):
    """A background thread serving one store: the indexer, the read server."""

    store: Store

    @property
    def running(self) -> bool: ...

    def stop(self, timeout: float | None = None) -> None: ...


class PollingWorker:
    """A :class:`Worker` that wakes every ``poll_s`` seconds in a daemon thread of its own until stopped:
    the read server (rag/answer/relay.py) and the check runner (rag/quality/runner.py). Subclasses write
    ``_serve`` (loop on ``while not self._stop.wait(self.poll_s)``) and name the thread."""

    thread_name = "grounded-worker"

    def __init__(self, store: Store, poll_s: float):
        self.store = store
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=self.thread_name, daemon=True)

    def start(self):
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(timeout)

    def _serve(self) -> None:
        raise NotImplementedError


W = TypeVar("W", bound=Worker)


class FolderWorkers(Generic[W]):
    """At most one worker of a kind per data folder in this process, started on first use and replaced
    when its store was replaced (the app reopened the folder) or it stopped."""

    def __init__(self, start: Callable[..., W]):
        self._start = start
        self._workers: dict[Path, W] = {}
        self._lock = threading.Lock()
        _EVERY_KIND.append(self)

    def ensure(self, store: Store, *args) -> W:
        """The running worker of ``store``'s folder, started (``start(store, *args)``) if there is none for
        this very store."""
        key = store.settings.data_dir.resolve()
        with self._lock:
            current = self._workers.get(key)
            if current is None or not current.running or current.store is not store:
                if current is not None:
                    current.stop(timeout=0)
                current = self._workers[key] = self._start(store, *args)
            return current

    def get(self, store: Store) -> W | None:
        with self._lock:
            return self._workers.get(store.settings.data_dir.resolve())

    def stop(self, store: Store, timeout: float | None = None) -> None:
        with self._lock:
            current = self._workers.pop(store.settings.data_dir.resolve(), None)
        if current is not None:
            current.stop(timeout)

    def stop_all(self, timeout: float | None = None) -> None:
        with self._lock:
            running = list(self._workers.values())
            self._workers.clear()
        for worker in running:
            worker.stop(timeout)


_EVERY_KIND: list[FolderWorkers] = []  # the indexers, read servers and check runners of this process


def stop_every_worker(timeout: float | None = None) -> None:
    """Stop every background worker of this process, of every kind and folder (before its database goes away)."""
    for kind in list(_EVERY_KIND):
        kind.stop_all(timeout)
