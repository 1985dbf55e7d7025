"""The Qdrant index: one collection per workspace, named dense + sparse vectors.

A collection per workspace makes isolation free at query time: no payload
filter is needed to keep workspaces apart (in embedded mode a payload filter
is evaluated in Python point by point, about 10x slower at 100k points).

Qdrant runs embedded (on disk under the data directory) by default, or
against a server when ``QDRANT_URL`` is set; the code path is the same.
Each collection records the embedding model that built it, and opening it
with another model is an error that says to re-index.
"""

from __future__ import annotations

import atexit
import re
import threading
from collections.abc import Iterable, Sequence

import numpy as np
from qdrant_client import QdrantClient, models

from .errors import IndexLocked, IndexMismatch
from .sparse import SparseVector
from .types import Chunk, Hit, SearchFilter

DENSE = "dense"
SPARSE = "sparse"
UPSERT_BATCH = 256

_clients: dict[str, QdrantClient] = {}
_clients_lock = threading.Lock()


def open_client(settings) -> QdrantClient:
    """One client per process and location (embedded mode allows one process per folder)."""
    key = _client_key(settings)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            if settings.qdrant_url:
                client = QdrantClient(url=settings.qdrant_url, api_key=settings.qdrant_api_key, timeout=60)
            else:
                settings.qdrant_path.mkdir(parents=True, exist_ok=True)
                try:
                    client = QdrantClient(path=str(settings.qdrant_path))
                except RuntimeError as err:
                    if "already accessed" in str(err):
                        raise IndexLocked(
                            f"Another Grounded process is already using the data folder {settings.data_dir}. "
                            "Close it (or use another --data-dir), or set QDRANT_URL to share a Qdrant server."
                        ) from None
                    raise
            if not _clients:
                # Embedded Qdrant flushes on close; closing at exit avoids noisy errors at interpreter shutdown.
                atexit.register(close_clients)
            _clients[key] = client
        return client


def _client_key(settings) -> str:
    return settings.qdrant_url or str(settings.qdrant_path.resolve())


def close_client(settings) -> None:
    """Close the one client for ``settings``' location (others in this process stay open)."""
    with _clients_lock:
        client = _clients.pop(_client_key(settings), None)
    if client is not None:
        client.close()


def close_clients() -> None:
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()


def collection_name(workspace: str) -> str:
    """A Qdrant-safe collection name for a workspace (stable, collision-resistant)."""
    import hashlib

    slug = re.sub(r"[^a-zA-Z0-9_-]+", "-", workspace).strip("-").lower()[:40] or "ws"
    return f"grounded_{slug}_{hashlib.sha1(workspace.encode()).hexdigest()[:8]}"


def _payload(chunk: Chunk, version: str) -> dict:
    return {
        "doc_id": chunk.doc_id,
        "version": version,
        "file": chunk.file,
        "chunk_index": chunk.index,
        "text": chunk.text,
        "pages": chunk.pages,
        "heading_path": list(chunk.heading_path),
        "content_hash": chunk.content_hash,
        "settings": chunk.settings.as_dict(),
        "tokens": chunk.tokens,
        "kind": chunk.kind,
        "date": chunk.date,
    }


def _filter(where: SearchFilter | None) -> models.Filter | None:
    """A Qdrant payload filter for the user's metadata filters (None when there are none)."""
    if not where:
        return None
    must: list[models.Condition] = []
    if where.files:
        must.append(models.FieldCondition(key="file", match=models.MatchAny(any=list(where.files))))
    if where.kinds:
        must.append(models.FieldCondition(key="kind", match=models.MatchAny(any=list(where.kinds))))
    if where.date_from is not None or where.date_to is not None:
        must.append(models.FieldCondition(key="date", range=models.Range(gte=where.date_from, lte=where.date_to)))
    return models.Filter(must=must)


def _hit(point, score: float | None = None) -> Hit:
    p = point.payload or {}
    pages = p.get("pages") or []
    vector = point.vector.get(DENSE) if isinstance(point.vector, dict) else None
    return Hit(
        chunk_id=str(point.id),
        doc_id=p.get("doc_id", ""),
        file=p.get("file", ""),
        text=p.get("text", ""),
        score=float(point.score if score is None else score),
        page=pages[0] if pages else None,
        pages=pages,
        section=" > ".join(p.get("heading_path") or []),
        chunk_index=p.get("chunk_index", 0),
        kind=p.get("kind", "other"),
        vector=vector,
    )


class Index:
    """Vector storage and search for all workspaces, for one embedding model."""

    def __init__(self, settings, model_id: str, dimension: int):
        self.client = open_client(settings)
        self.remote = bool(settings.qdrant_url)
        self.model_id = model_id
        self.dimension = dimension
        self._ready: set[str] = set()
        # Embedded mode is not thread-safe; a server client is, but the lock is cheap.
        self._lock = threading.RLock()

    def ensure(self, workspace: str) -> str:
        """Create the workspace's collection if needed; refuse a mismatched model."""
        name = collection_name(workspace)
        if name in self._ready:
            return name
        with self._lock:
            if not self.client.collection_exists(name):
                self.client.create_collection(
                    name,
                    vectors_config={DENSE: models.VectorParams(size=self.dimension, distance=models.Distance.COSINE)},
                    sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
                    metadata={"model_id": self.model_id, "dimension": self.dimension, "workspace": workspace},
                )
                if self.remote:  # embedded Qdrant ignores payload indexes (and warns)
                    for key in ("doc_id", "version", "kind", "file"):
                        self.client.create_payload_index(name, key, models.PayloadSchemaType.KEYWORD)
                    self.client.create_payload_index(name, "chunk_index", models.PayloadSchemaType.INTEGER)
                    self.client.create_payload_index(name, "date", models.PayloadSchemaType.FLOAT)
            else:
                self._check_model(name)
        self._ready.add(name)
        return name

    def _check_model(self, name: str) -> None:
        config = self.client.get_collection(name).config
        meta = config.metadata or {}
        size = config.params.vectors[DENSE].size  # type: ignore[index]
        built_with = meta.get("model_id", "an unknown model")
        if size != self.dimension or (meta.get("model_id") and meta["model_id"] != self.model_id):
            raise IndexMismatch(
                f"This knowledge base was indexed with {built_with} ({size} dimensions) but the current "
                f"embedding model is {self.model_id} ({self.dimension}). Re-index it (grounded reindex) "
                "or switch the embedding setting back."
            )

    def upsert(
        self, workspace: str, chunks: Sequence[Chunk], dense: np.ndarray, sparse: Sequence[SparseVector], version: str
    ) -> None:
        name = self.ensure(workspace)
        points = [
            models.PointStruct(
                id=c.chunk_id,
                vector={
                    DENSE: d.tolist(),
                    SPARSE: models.SparseVector(indices=s.indices, values=s.values),
                },
                payload=_payload(c, version),
            )
            for c, d, s in zip(chunks, dense, sparse)
        ]
        for start in range(0, len(points), UPSERT_BATCH):
            with self._lock:
                self.client.upsert(name, points[start : start + UPSERT_BATCH], wait=True)

    def delete_document(self, workspace: str, doc_id: str, keep_version: str | None = None) -> None:
        """Remove a document's points, except those of ``keep_version`` if given."""
        name = self.ensure(workspace)
        must = [models.FieldCondition(key="doc_id", match=models.MatchValue(value=doc_id))]
        must_not = (
            [models.FieldCondition(key="version", match=models.MatchValue(value=keep_version))] if keep_version else []
        )
        with self._lock:
            self.client.delete(
                name, points_selector=models.FilterSelector(filter=models.Filter(must=must, must_not=must_not)), wait=True
            )

    def set_kind(self, workspace: str, doc_id: str, kind: str) -> None:
        """Re-tag every chunk of a document (kind filters read this payload field)."""
        name = self.ensure(workspace)
        flt = models.Filter(must=[models.FieldCondition(key="doc_id", match=models.MatchValue(value=doc_id))])
        with self._lock:
            self.client.set_payload(name, payload={"kind": kind}, points=models.FilterSelector(filter=flt), wait=True)

    def count(self, workspace: str, doc_id: str | None = None, version: str | None = None) -> int:
        name = self.ensure(workspace)
        must = []
        if doc_id:
            must.append(models.FieldCondition(key="doc_id", match=models.MatchValue(value=doc_id)))
        if version:
            must.append(models.FieldCondition(key="version", match=models.MatchValue(value=version)))
        with self._lock:
            return self.client.count(name, count_filter=models.Filter(must=must) if must else None, exact=True).count

    def drop(self, workspace: str) -> None:
        name = collection_name(workspace)
        with self._lock:
            self.client.delete_collection(name)
        self._ready.discard(name)

    def chunks_of(self, workspace: str, doc_id: str) -> list[Hit]:
        """Every stored chunk of a document, in order (for previews and checks)."""
        name = self.ensure(workspace)
        flt = models.Filter(must=[models.FieldCondition(key="doc_id", match=models.MatchValue(value=doc_id))])
        hits, offset = [], None
        while True:
            with self._lock:
                points, offset = self.client.scroll(name, scroll_filter=flt, limit=512, offset=offset, with_payload=True)
            hits.extend(_hit(p, 0.0) for p in points)
            if offset is None:
                break
        return sorted(hits, key=lambda h: h.chunk_index)

    # search
    def search(
        self,
        workspace: str,
        strategy: str,
        dense: Sequence[float] | None,
        sparse: SparseVector | None,
        k: int = 5,
        candidates: int = 50,
        where: SearchFilter | None = None,
        with_vectors: bool = False,
    ) -> list[Hit]:
        """Top ``k`` chunks by ``dense`` (cosine), ``sparse`` (BM25) or ``hybrid``.

        ``hybrid`` fuses the dense and sparse candidate lists in Qdrant with
        distribution-based score fusion (DBSF): each list's scores are
        normalised by their mean and spread, then summed. Measured on SciFact
        it beats rank fusion (RRF) by about 0.02 nDCG@10.
        """
        name = self.ensure(workspace)
        flt = _filter(where)
        sparse_query = models.SparseVector(indices=sparse.indices, values=sparse.values) if sparse else None
        has_terms = bool(sparse and sparse.indices)
        common = dict(limit=k, with_payload=True, with_vectors=[DENSE] if with_vectors else False)
        with self._lock:
            if strategy == "dense":
                result = self.client.query_points(name, query=list(dense), using=DENSE, query_filter=flt, **common)
            elif strategy == "sparse":
                if not has_terms:
                    return []
                result = self.client.query_points(name, query=sparse_query, using=SPARSE, query_filter=flt, **common)
            elif strategy == "hybrid":
                limit = max(candidates, k)
                prefetch = [models.Prefetch(query=list(dense), using=DENSE, limit=limit, filter=flt)]
                if has_terms:
                    prefetch.append(models.Prefetch(query=sparse_query, using=SPARSE, limit=limit, filter=flt))
                result = self.client.query_points(
                    name, prefetch=prefetch, query=models.FusionQuery(fusion=models.Fusion.DBSF), **common
                )
            else:
                raise ValueError(f"Unknown retrieval strategy {strategy!r}.")
        return [_hit(p) for p in result.points]

    def all_chunks(self, workspace: str, fields: list[str]) -> Iterable[tuple[str, dict]]:
        """(point id, payload ``fields``) for every point of a workspace, without vectors (for health checks)."""
        name = self.ensure(workspace)
        offset = None
        while True:
            with self._lock:
                points, offset = self.client.scroll(name, limit=1024, offset=offset, with_vectors=False, with_payload=fields)
            for p in points:
                yield str(p.id), p.payload or {}
            if offset is None:
                return

    def neighbours(self, workspace: str, doc_id: str, first: int, last: int) -> list[Hit]:
        """Chunks ``first``..``last`` (by chunk index) of a document, in order."""
        name = self.ensure(workspace)
        flt = models.Filter(
            must=[
                models.FieldCondition(key="doc_id", match=models.MatchValue(value=doc_id)),
                models.FieldCondition(key="chunk_index", range=models.Range(gte=first, lte=last)),
            ]
        )
        with self._lock:
            points, _ = self.client.scroll(name, scroll_filter=flt, limit=last - first + 1, with_payload=True)
        return sorted((_hit(p, 0.0) for p in points), key=lambda h: h.chunk_index)

    def workspaces_with_points(self) -> Iterable[str]:
        with self._lock:
            return [c.name for c in self.client.get_collections().collections]
