"""Qdrant Edge: the embedded index (the default when ``QDRANT_URL`` is not set).

Qdrant Edge (``qdrant-edge-py``, import ``qdrant_edge``) is Qdrant's search
engine running inside this process: the same segments, sparse IDF, payload
indexes and score fusion as a Qdrant server, in Rust, with no service to run.
It replaced qdrant-client's "local mode", which searches in pure Python point
by point (about 2 s per hybrid query at 10k chunks, 18 s at 100k; 4 GB
resident at 100k).

Layout: one Edge shard per workspace, in ``DATA_DIR/edge/<collection name>/``
(the name :func:`rag.index.base.collection_name` gives a workspace), so workspaces
stay isolated without a payload filter. Beside Edge's own files each shard
folder holds ``grounded.json``: the embedding model and dimension that built
it (Edge has no collection metadata), checked on open like a server
collection's metadata.

Durability: ``EdgeShard.update`` writes each operation to the shard's
write-ahead log before applying it and returning (Qdrant's docs: "an update
that has returned survives a crash"); the WAL is a memory-mapped file, so a
process killed with SIGKILL right after a write keeps it (the kernel holds the
pages). ``flush`` (persist segments and trim the WAL) costs 50-250 ms, so it
runs at most every ``FLUSH_INTERVAL_S`` after a write and when the index is
closed, which bounds WAL replay at the next open. Like the SQLite catalog
(WAL mode, ``synchronous=NORMAL``), this survives any process crash; a power
cut may lose the last seconds, as it may for the catalog.

Locking: Edge locks each shard's WAL, but shards open lazily per workspace,
so a second process could still open another workspace of the same folder.
An exclusive ``flock`` on ``DATA_DIR/edge/.lock``, taken when the index opens,
gives a second process the same plain message as before (``IndexLocked``).

Search: a shard under ``Settings.approximate_from`` passages is searched
exactly, point by point. A bigger one gets an HNSW graph over its dense
vectors, searched over int8 copies kept in memory and rescored with the full
vectors (which stay on disk); sparse vectors keep their inverted index and
filters their payload indexes. The graph is built in a child process on a
copy of the shard while the shard keeps answering (:mod:`rag.index.edge_build`):
a rebuilt shard lives in a generation folder inside the workspace's folder
(``g-<id>/``), named by ``grounded.json``.

Threads: shards are safe to query and update from several threads (Edge
locks internally). A readers-writer lock here only keeps a shard from being
closed or dropped while another thread is using it.

Old data folders: a ``DATA_DIR/qdrant/`` folder written by local mode is
migrated at first open (every point, with its vectors and payload, into Edge
shards), then renamed ``qdrant.migrated`` so nothing is lost and it is not
migrated twice. See :func:`migrate_local_mode`.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import qdrant_edge as qe

from ..errors import IndexLocked
from ..types import Chunk, Hit, SearchFilter
from .base import (
    DENSE,
    HNSW_EF,
    OVERSAMPLING,
    PAYLOAD_KEYWORDS,
    SPARSE,
    UPSERT_BATCH,
    EngineStrategy,
    chunk_payload,
    collection_name,
    hit_from_point,
    locked_message,
    mismatch_error,
    workspace_model,
)
from .edge_build import Builder
from .edge_config import edge_config
from .sparse import SparseVector

try:  # POSIX; elsewhere Edge's own per-shard WAL lock is the only guard
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

EDGE_DIR = "edge"
META_FILE = "grounded.json"
LOCK_FILE = ".lock"
MIGRATING_DIR = ".migrating"
TRASH_PREFIX = ".dropped-"
SHARD_CONFIG = "edge_config.json"  # written by Edge when a shard is created
MIGRATED_SUFFIX = ".migrated"
GENERATION_PREFIX = "g-"  # a rebuilt shard's folder inside its workspace's folder
FLUSH_INTERVAL_S = 10.0
SCROLL_PAGE = 1024


def edge_path(settings) -> Path:
    """Where the Edge shards of a data folder live."""
    return settings.data_dir / EDGE_DIR


def _dense_params(exact: bool) -> qe.SearchParams:
    """Approximate (graph, int8, rescored) or exact (every vector at full precision) dense search."""
    if exact:
        return qe.SearchParams(exact=True, quantization=qe.QuantizationSearchParams(ignore=True))
    return qe.SearchParams(hnsw_ef=HNSW_EF, quantization=qe.QuantizationSearchParams(rescore=True, oversampling=OVERSAMPLING))


def _create_payload_indexes(shard: qe.EdgeShard) -> None:
    """Edge evaluates filters with payload indexes, as a server does: deletes and counts by doc_id stay O(matches)."""
    for key in PAYLOAD_KEYWORDS:
        shard.update(qe.UpdateOperation.create_field_index(key, qe.PayloadSchemaType.Keyword))
    shard.update(qe.UpdateOperation.create_field_index("chunk_index", qe.PayloadSchemaType.Integer))
    shard.update(qe.UpdateOperation.create_field_index("date", qe.PayloadSchemaType.Float))


def _read_meta(folder: Path) -> dict | None:
    try:
        return json.loads((folder / META_FILE).read_text())
    except (OSError, ValueError):
        return None


def _write_meta(folder: Path, meta: dict) -> None:
    """Write ``grounded.json`` atomically (a crash leaves the old file or the new one)."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{META_FILE}.tmp"
    with open(tmp, "w") as fh:
        json.dump(meta, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, folder / META_FILE)


def _shard_dir(folder: Path, meta: dict | None) -> Path:
    """Where a workspace's shard files are: its folder, or the generation a rebuild made there."""
    generation = (meta or {}).get("shard")
    return folder / generation if generation else folder


def _shard_dimension(folder: Path) -> int | None:
    try:
        return int(json.loads((folder / SHARD_CONFIG).read_text())["vectors"][DENSE]["size"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _has_shard(folder: Path) -> bool:
    return (_shard_dir(folder, _read_meta(folder)) / SHARD_CONFIG).is_file()


def _ours(name: str) -> bool:
    """Entries of a workspace folder that are not the root generation's shard files."""
    return name in (META_FILE, f".{META_FILE}.tmp") or name.startswith(GENERATION_PREFIX)


def _copy_shard(source: Path, target: Path) -> None:
    """Copy a flushed shard's files (from the workspace folder or a generation) into ``target``."""
    def ignore(folder: str, names: list[str]) -> list[str]:
        return [n for n in names if _ours(n)] if Path(folder) == source else []

    shutil.copytree(source, target, ignore=ignore)


def _remove_shard_files(folder: Path, location: Path) -> None:
    """Delete a shard that is no longer the workspace's: a generation folder, or the root's shard files."""
    if location != folder:
        shutil.rmtree(location, ignore_errors=True)
        return
    for entry in folder.iterdir():
        if _ours(entry.name):
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _sweep_generations(folder: Path, meta: dict | None) -> None:
    """Delete what a crash left of rebuilds: unfinished generations, and the files a finished one replaced."""
    current = _shard_dir(folder, meta)
    for entry in folder.iterdir():
        if entry.name.startswith(GENERATION_PREFIX) and entry != current:
            shutil.rmtree(entry, ignore_errors=True)
    if current != folder:
        _remove_shard_files(folder, folder)


class _ReadersWriter:
    """Many readers or one writer. Readers never wait for a waiting writer, so a reader may nest."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writing = False

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writing:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._readers:
                self._cond.wait()
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class EdgeEngine:
    """One per process and data folder: the folder lock, the open shards (one per workspace), their rebuilds."""

    def __init__(self, settings):
        self.settings = settings
        self.root = edge_path(settings)
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock_fd = self._take_folder_lock()
        self.shards: dict[str, qe.EdgeShard] = {}
        self.meta: dict[str, dict] = {}
        self._last_flush: dict[str, float] = {}
        self._guard = _ReadersWriter()  # readers: any use of a shard; writer: close or drop
        self._open_lock = threading.Lock()  # opening or creating shards
        # Writes, flushes and in-place vacuums; also held while a shard is copied for a rebuild and
        # while the rebuilt copy catches up and takes over, so no write is missed or lost.
        self._writes = threading.Lock()
        self._recording: dict[str, list] = {}  # shard -> writes made since it was copied for a rebuild
        self.builder = Builder(self)
        self.closed = False
        try:
            self._sweep()
            self.migrated = migrate_local_mode(settings, self.root)
        except BaseException:
            self._release_folder_lock()
            raise

    def config(self, dimension: int) -> qe.EdgeConfig:
        return edge_config(dimension, self.settings.approximate_from)

    # folder lock
    def _take_folder_lock(self) -> int | None:
        if fcntl is None:
            return None
        fd = os.open(self.root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise IndexLocked(locked_message(self.settings.data_dir)) from None
        return fd

    def _release_folder_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor releases the flock
            self._lock_fd = None

    def _sweep(self) -> None:
        """Finish drops and migrations a crash interrupted (their folders are renamed first, so this is safe)."""
        for entry in self.root.iterdir():
            if entry.name.startswith(TRASH_PREFIX) or entry.name == MIGRATING_DIR:
                shutil.rmtree(entry, ignore_errors=True)

    # shards
    def open(self, name: str, workspace: str | None = None, model_id: str | None = None,
             dimension: int | None = None) -> dict:
        """Open (or, given a model, create) the shard ``name``; returns its metadata."""
        meta = self.meta.get(name)
        if meta is not None and name in self.shards:
            return meta
        with self._open_lock:
            if name in self.shards:
                return self.meta[name]
            if self.closed:
                raise RuntimeError("This index was closed.")
            folder = self.root / name
            meta = _read_meta(folder)
            if _has_shard(folder):
                _sweep_generations(folder, meta)
                if meta is None:  # written by hand or an older build: adopt it (unknown model, known size)
                    meta = {"model_id": None, "dimension": _shard_dimension(folder), "workspace": workspace}
                # loaded with today's settings, so shards made before the vacuum and HNSW settings get them too
                size = meta.get("dimension")
                location = str(_shard_dir(folder, meta))
                shard = qe.EdgeShard.load(location, self.config(size)) if size else qe.EdgeShard.load(location)
            elif dimension is None:
                raise KeyError(name)
            else:
                # The metadata goes first: a shard on disk always says which model built it.
                meta = {"model_id": model_id, "dimension": int(dimension), "workspace": workspace}
                _write_meta(folder, meta)
                shard = qe.EdgeShard.create(str(folder), self.config(dimension))
                _create_payload_indexes(shard)
                shard.flush()
            self.meta[name] = meta
            self._last_flush[name] = time.monotonic()
            self.shards[name] = shard  # last: readers look here without the lock
            # points without a graph: those added since the last rebuild (all of them in a shard
            # never rebuilt, such as one grown big under an older version)
            without_graph = max(0, shard.info().points_count - meta.get("graph_points", 0))
        self.builder.touch(name, added=without_graph)
        return meta

    def exists(self, name: str) -> bool:
        return name in self.shards or _has_shard(self.root / name)

    @contextmanager
    def using(self, name: str) -> Iterator[qe.EdgeShard | None]:
        """The open shard ``name`` (None if not open), kept open until the block ends."""
        with self._guard.read():
            yield self.shards.get(name)

    def update(self, name: str, operation: qe.UpdateOperation) -> None:
        """Apply a write to shard ``name`` (inside :meth:`using`): in its WAL when this returns.

        Looked up under the write lock: a rebuild may just have replaced the shard.
        """
        with self._writes:
            self.shards[name].update(operation)
            recording = self._recording.get(name)
            if recording is not None:
                recording.append(operation)

    def wrote(self, name: str, added: int = 0, deleted: int = 0) -> None:
        """After a write: every update is already in the WAL; persist segments now and then."""
        now = time.monotonic()
        if now - self._last_flush.get(name, 0.0) >= FLUSH_INTERVAL_S:
            self._last_flush[name] = now
            with self._writes:
                self.shards[name].flush()
        self.builder.touch(name, added=added, deleted=deleted)

    def deleted(self, name: str, removed: int) -> None:
        """After deleting ``removed`` points: give their space back (a small shard now, a big one in the background)."""
        with self._writes:
            shard = self.shards[name]
            if shard.info().points_count < self.settings.approximate_from:
                # rewrites a segment once a fifth of it is deleted points; otherwise returns at once.
                # Small enough never to get a graph, so this takes moments.
                shard.optimize()
                removed = 0
        self.wrote(name, deleted=removed)

    # rebuilds (rag/index/edge_build.py runs them)
    def copy_for_rebuild(self, name: str) -> Path | None:
        """Flush shard ``name`` and copy it into a new generation folder; writes from now on are also recorded."""
        with self._writes:
            shard = self.shards.get(name)
            if shard is None or self.closed:
                return None
            shard.flush()
            folder = self.root / name
            target = folder / f"{GENERATION_PREFIX}{uuid.uuid4().hex[:12]}"
            try:
                _copy_shard(_shard_dir(folder, self.meta[name]), target)
            except BaseException:
                shutil.rmtree(target, ignore_errors=True)
                raise
            self._recording[name] = []
            return target

    def switch_to(self, name: str, target: Path) -> bool:
        """Make the rebuilt copy ``target`` shard ``name``: it catches up on the writes made since, then takes over.

        Writes wait meanwhile; searches go on on the old shard until the switch, which is the
        atomic rewrite of ``grounded.json``. False if the shard was dropped or closed meanwhile.
        """
        folder = self.root / name
        with self._writes:
            writes = self._recording.pop(name, None)
            old = self.shards.get(name)
            if writes is None or old is None or self.closed:
                shutil.rmtree(target, ignore_errors=True)
                return False
            new = qe.EdgeShard.load(str(target), self.config(self.meta[name]["dimension"]))
            try:
                graph_points = new.info().points_count
                for operation in writes:
                    new.update(operation)
                new.flush()
                meta = {**self.meta[name], "shard": target.name, "graph_points": graph_points}
                _write_meta(folder, meta)
            except BaseException:
                new.close()
                shutil.rmtree(target, ignore_errors=True)
                raise
            previous = _shard_dir(folder, self.meta[name])
            self.meta[name] = meta
            self.shards[name] = new
        with self._guard.write():  # searches still on the old shard finish first
            old.close()
        _remove_shard_files(folder, previous)
        return True

    def abandon_rebuild(self, name: str, target: Path) -> None:
        with self._writes:
            self._recording.pop(name, None)
        shutil.rmtree(target, ignore_errors=True)

    def drop(self, name: str) -> None:
        self.builder.cancel(name)
        with self._guard.write(), self._open_lock, self._writes:
            shard = self.shards.pop(name, None)
            self.meta.pop(name, None)
            self._last_flush.pop(name, None)
            self._recording.pop(name, None)
            if shard is not None:
                shard.close()
            folder = self.root / name
            if folder.exists():
                trash = self.root / f"{TRASH_PREFIX}{name}-{uuid.uuid4().hex[:8]}"
                os.replace(folder, trash)  # atomic: a crash leaves the shard whole or gone
                shutil.rmtree(trash, ignore_errors=True)

    def names(self) -> list[str]:
        return sorted(e.name for e in self.root.iterdir() if not e.name.startswith(".") and _has_shard(e))

    def close(self) -> None:
        self.builder.stop()  # an unfinished rebuild is stopped and its copy deleted
        with self._guard.write(), self._open_lock, self._writes:
            if self.closed:
                return
            self.closed = True
            try:
                for name, shard in self.shards.items():
                    try:
                        shard.flush()
                    finally:
                        shard.close()
            finally:
                self.shards.clear()
                self.meta.clear()
                self._recording.clear()
                self._release_folder_lock()


_engines: dict[str, EdgeEngine] = {}
_engines_lock = threading.Lock()


def _engine_key(settings) -> str:
    return str(Path(settings.data_dir).resolve())


def open_engine(settings) -> EdgeEngine:
    """The one Edge engine of this process for ``settings``' data folder (opened, locked, migrated once)."""
    key = _engine_key(settings)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None or engine.closed:
            engine = EdgeEngine(settings)
            if not _engines:
                atexit.register(close_engines)  # flush and release at exit
            _engines[key] = engine
        return engine


def close_engine(settings) -> None:
    with _engines_lock:
        engine = _engines.pop(_engine_key(settings), None)
    if engine is not None:
        engine.close()


def close_engines() -> None:
    with _engines_lock:
        engines = list(_engines.values())
        _engines.clear()
    for engine in engines:
        engine.close()


# filters
def _match(key: str, value) -> qe.FieldCondition:
    return qe.FieldCondition(key, match=qe.MatchValue(value))


def _doc_filter(doc_id: str | None = None, version: str | None = None,
                not_version: str | None = None) -> qe.Filter | None:
    must = ([_match("doc_id", doc_id)] if doc_id else []) + ([_match("version", version)] if version else [])
    must_not = [_match("version", not_version)] if not_version else None
    if not must and not must_not:
        return None
    return qe.Filter(must=must, must_not=must_not)


def _user_filter(where: SearchFilter | None) -> qe.Filter | None:
    """The user's metadata filters (file, kind, excluded kinds, date) as an Edge filter; None when there are none."""
    if not where:
        return None
    must: list = []
    if where.files:
        must.append(qe.FieldCondition("file", match=qe.MatchAny(list(where.files))))
    if where.kinds:
        must.append(qe.FieldCondition("kind", match=qe.MatchAny(list(where.kinds))))
    if where.date_from is not None or where.date_to is not None:
        must.append(qe.FieldCondition("date", range=qe.RangeFloat(gte=where.date_from, lte=where.date_to)))
    must_not = [qe.FieldCondition("kind", match=qe.MatchAny(list(where.exclude_kinds)))] if where.exclude_kinds else []
    if where.exclude_versions:
        must_not.append(qe.FieldCondition("version", match=qe.MatchAny(list(where.exclude_versions))))
    return qe.Filter(must=must, must_not=must_not or None) if must or must_not else None


def _sparse(vector: SparseVector) -> qe.SparseVector:
    return qe.SparseVector(list(vector.indices), [float(v) for v in vector.values])


class EdgeIndex:
    """The embedded index on Qdrant Edge; one of the two engines of the :class:`rag.index.base.Index` contract."""

    def __init__(self, settings, model_id: str, dimension: int):
        self.settings = settings
        self.model_id = model_id
        self.dimension = dimension
        self.model_of = None  # see rag.index.base.Index.model_of
        self.remote = False
        self._ready: set[str] = set()
        open_engine(settings)  # lock and migrate now, as the server client was opened at construction

    @property
    def engine(self) -> EdgeEngine:
        """This data folder's engine (reopened if it was closed, as ``open_client`` made a new client)."""
        return open_engine(self.settings)

    def ensure(self, workspace: str) -> str:
        """Open the workspace's shard, creating it if needed; refuse a mismatched model."""
        name = collection_name(workspace)
        engine = self.engine
        if name in self._ready and name in engine.shards:
            return name
        model_id, dimension = workspace_model(self, workspace)
        meta = engine.open(name, workspace, model_id, dimension)
        size = meta.get("dimension") or dimension
        if size != dimension or (meta.get("model_id") and meta["model_id"] != model_id):
            raise mismatch_error(meta.get("model_id") or "an unknown model", size, model_id, dimension)
        self._ready.add(name)
        return name

    @contextmanager
    def _shard(self, workspace: str) -> Iterator[tuple[str, qe.EdgeShard]]:
        """The workspace's shard, held open for the block (reopened if another thread dropped it meanwhile)."""
        for _ in range(5):
            name = self.ensure(workspace)
            engine = self.engine
            with engine.using(name) as shard:
                if shard is not None:
                    yield name, shard
                    return
            self._ready.discard(name)
        raise RuntimeError(f"The index of workspace {workspace!r} keeps being dropped while in use.")

    # writes
    def upsert(
        self, workspace: str, chunks: Sequence[Chunk], dense: np.ndarray, sparse: Sequence[SparseVector], version: str
    ) -> None:
        points = [
            qe.Point(c.chunk_id, {DENSE: np.asarray(d, dtype=np.float32).tolist(), SPARSE: _sparse(s)}, chunk_payload(c, version))
            for c, d, s in zip(chunks, dense, sparse)
        ]
        with self._shard(workspace) as (name, _):
            for start in range(0, len(points), UPSERT_BATCH):
                self.engine.update(name, qe.UpdateOperation.upsert_points(points[start : start + UPSERT_BATCH]))
            self.engine.wrote(name, added=len(points))

    def delete_document(self, workspace: str, doc_id: str, keep_version: str | None = None) -> None:
        """Remove a document's points, except those of ``keep_version`` if given."""
        flt = _doc_filter(doc_id, not_version=keep_version)
        with self._shard(workspace) as (name, shard):
            removed = shard.count(qe.CountRequest(exact=True, filter=flt))
            self.engine.update(name, qe.UpdateOperation.delete_points_by_filter(flt))
            self.engine.deleted(name, removed)

    def set_kind(self, workspace: str, doc_id: str, kind: str) -> None:
        """Re-tag every chunk of a document (kind filters read this payload field)."""
        with self._shard(workspace) as (name, _):
            self.engine.update(name, qe.UpdateOperation.set_payload_by_filter(_doc_filter(doc_id), {"kind": kind}))
            self.engine.wrote(name)

    def settle(self, workspace: str, timeout: float | None = None) -> bool:
        """Build now the approximate index the workspace is due (not after the usual quiet spell) and wait for it."""
        return self.engine.builder.settle(self.ensure(workspace), timeout)

    def drop(self, workspace: str) -> None:
        name = collection_name(workspace)
        self.engine.drop(name)
        self._ready.discard(name)

    # reads
    def count(self, workspace: str, doc_id: str | None = None, version: str | None = None) -> int:
        with self._shard(workspace) as (_, shard):
            return shard.count(qe.CountRequest(exact=True, filter=_doc_filter(doc_id, version)))

    def _scroll(self, workspace: str, flt: qe.Filter | None, with_payload, page: int = SCROLL_PAGE) -> Iterator:
        """Every record matching ``flt``, a page at a time (the shard is held per page, not across yields)."""
        offset = None
        while True:
            with self._shard(workspace) as (_, shard):
                records, offset = shard.scroll(
                    qe.ScrollRequest(offset=offset, limit=page, filter=flt, with_payload=with_payload, with_vector=False)
                )
            yield from records
            if offset is None:
                return

    def chunks_of(self, workspace: str, doc_id: str) -> list[Hit]:
        """Every stored chunk of a document, in order (for previews and checks)."""
        hits = [hit_from_point(r, 0.0) for r in self._scroll(workspace, _doc_filter(doc_id), True)]
        return sorted(hits, key=lambda h: h.chunk_index)

    def all_chunks(self, workspace: str, fields: list[str]) -> Iterable[tuple[str, dict]]:
        """(point id, payload ``fields``) for every point of a workspace, without vectors (for health checks)."""
        for r in self._scroll(workspace, None, list(fields)):
            yield str(r.id), r.payload or {}

    def neighbours(self, workspace: str, doc_id: str, first: int, last: int, version: str | None = None) -> list[Hit]:
        """Chunks ``first``..``last`` (by chunk index) of a document (of one ``version`` if given), in order."""
        must = [_match("doc_id", doc_id), qe.FieldCondition("chunk_index", range=qe.RangeFloat(gte=first, lte=last))]
        flt = qe.Filter(must=must + ([_match("version", version)] if version else []))
        with self._shard(workspace) as (_, shard):
            records, _ = shard.scroll(qe.ScrollRequest(limit=last - first + 1, filter=flt, with_payload=True, with_vector=False))
        return sorted((hit_from_point(r, 0.0) for r in records), key=lambda h: h.chunk_index)

    def workspaces_with_points(self) -> Iterable[str]:
        """Collection names (shard folders) of every workspace that has an index."""
        return self.engine.names()

    def search(
        self,
        workspace: str,
        strategy: EngineStrategy,
        dense: Sequence[float] | None,
        sparse: SparseVector | None,
        k: int = 5,
        candidates: int = 50,
        where: SearchFilter | None = None,
        with_vectors: bool = False,
        exact: bool = False,
    ) -> list[Hit]:
        """Top ``k`` chunks by ``dense`` (cosine), ``sparse`` (BM25) or ``hybrid``.

        ``hybrid`` fuses the dense and sparse candidate lists inside Edge with
        distribution-based score fusion (``Fusion.Dbsf``, the same code as a
        Qdrant server's DBSF): each list's scores are normalised by their mean
        and spread (mean +- 3 standard deviations to 0..1), then summed.
        Dense search is approximate in a shard with an HNSW graph unless ``exact``.
        """
        flt = _user_filter(where)
        has_terms = bool(sparse and sparse.indices)
        params = _dense_params(exact)
        common = dict(limit=k, filter=flt, with_payload=True, with_vector=[DENSE] if with_vectors else False)
        if strategy == "dense":
            request = qe.QueryRequest(query=qe.Query.Nearest([float(x) for x in dense], using=DENSE), params=params, **common)
        elif strategy == "sparse":
            if not has_terms:
                return []
            request = qe.QueryRequest(query=qe.Query.Nearest(_sparse(sparse), using=SPARSE), **common)
        elif strategy == "hybrid":
            limit = max(candidates, k)
            prefetch = [qe.Prefetch(limit=limit, query=qe.Query.Nearest([float(x) for x in dense], using=DENSE), filter=flt,
                                    params=params)]
            if has_terms:
                prefetch.append(qe.Prefetch(limit=limit, query=qe.Query.Nearest(_sparse(sparse), using=SPARSE), filter=flt))
            request = qe.QueryRequest(prefetches=prefetch, query=qe.Fusion.Dbsf(), **common)
        else:
            raise ValueError(f"Unknown retrieval strategy {strategy!r}.")
        with self._shard(workspace) as (_, shard):
            points = shard.query(request)
        return [hit_from_point(p) for p in points]


def migrate_local_mode(settings, root: Path) -> int:
    """Move an old local-mode index (``DATA_DIR/qdrant``) into Edge shards; returns the points moved.

    Each collection is copied (ids, dense and sparse vectors, payload, the
    model it was built with) into ``edge/.migrating/<name>`` and renamed into
    place when complete, so a crash mid-way leaves whole shards or none and
    the next open carries on. When all are in, the old folder is renamed
    ``qdrant.migrated`` (kept until you delete it).
    """
    old = settings.data_dir / "qdrant"
    if not old.is_dir() or not (old / "collection").is_dir():
        return 0
    from qdrant_client import models

    from .server import open_local_client

    try:
        client = open_local_client(old)
    except IndexLocked:  # an older Grounded still runs on this folder
        raise IndexLocked(locked_message(settings.data_dir)) from None
    moved = 0
    try:
        names = [c.name for c in client.get_collections().collections]
        for name in names:
            if _has_shard(root / name):
                continue  # moved by an earlier, interrupted run
            config = client.get_collection(name).config
            meta = dict(config.metadata or {})
            dimension = config.params.vectors[DENSE].size  # type: ignore[index]
            staging = root / MIGRATING_DIR / name
            shutil.rmtree(staging, ignore_errors=True)
            _write_meta(staging, {"model_id": meta.get("model_id"), "dimension": dimension,
                                  "workspace": meta.get("workspace")})
            shard = qe.EdgeShard.create(str(staging), edge_config(dimension, settings.approximate_from))
            try:
                _create_payload_indexes(shard)
                offset = None
                while True:
                    points, offset = client.scroll(name, limit=UPSERT_BATCH, offset=offset, with_payload=True, with_vectors=True)
                    batch = []
                    for p in points:
                        vectors = p.vector if isinstance(p.vector, dict) else {}
                        vector = {}
                        if DENSE in vectors:
                            vector[DENSE] = list(vectors[DENSE])
                        s = vectors.get(SPARSE)
                        if isinstance(s, models.SparseVector):
                            vector[SPARSE] = qe.SparseVector(list(s.indices), list(s.values))
                        batch.append(qe.Point(str(p.id), vector, p.payload or {}))
                    if batch:
                        shard.update(qe.UpdateOperation.upsert_points(batch))
                        moved += len(batch)
                    if offset is None:
                        break
                shard.flush()
            finally:
                shard.close()
            target = root / name
            if target.exists():
                shutil.rmtree(target)  # only metadata, no shard (checked above)
            os.replace(staging, target)
    finally:
        client.close()
    shutil.rmtree(root / MIGRATING_DIR, ignore_errors=True)
    backup = old.with_name(old.name + MIGRATED_SUFFIX)
    while backup.exists():
        backup = backup.with_name(backup.name + "-" + uuid.uuid4().hex[:6])
    os.replace(old, backup)
    log.warning(
        "Moved %d passages from the old embedded index (%s) to Qdrant Edge (%s); the old folder is kept as %s "
        "and can be deleted.", moved, old, root, backup,
    )
    return moved
