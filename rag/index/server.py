"""The index over a Qdrant server (``QDRANT_URL``), through ``qdrant_client``.

The same class runs over qdrant-client's local mode (``QdrantClient(path=...)``
or ``":memory:"``) in tests, which speaks the server's API, so the server
code path stays tested without a server. The embedded default is Qdrant Edge
(:mod:`rag.index.edge`); :func:`rag.index.open_index` picks one.
"""

from __future__ import annotations

import atexit
import threading
import time
from collections.abc import Iterable, Sequence

import numpy as np
from qdrant_client import QdrantClient, models

from ..errors import IndexLocked
from ..types import Chunk, Hit, SearchFilter
from .base import (
    DENSE,
    HNSW_EF,
    HNSW_EF_CONSTRUCT,
    HNSW_M,
    INT8_QUANTILE,
    OVERSAMPLING,
    PAYLOAD_KEYWORDS,
    SPARSE,
    UPSERT_BATCH,
    EngineStrategy,
    chunk_payload,
    collection_name,
    hit_from_point,
    indexing_threshold_kb,
    locked_message,
    mismatch_error,
    workspace_model,
)
from .sparse import SparseVector

SETTLE_POLL_S = 1.0
_clients: dict[str, QdrantClient] = {}
_clients_lock = threading.Lock()


def open_client(settings) -> QdrantClient:
    """One server client per process and URL (the embedded default is Qdrant Edge, not a client)."""
    if not settings.qdrant_url:
        raise ValueError("open_client is for a Qdrant server (QDRANT_URL); the embedded index is rag.index.edge.")
    key = settings.qdrant_url
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = QdrantClient(url=settings.qdrant_url, api_key=settings.qdrant_api_key, timeout=60)
            if not _clients:
                atexit.register(close_server_clients)
            _clients[key] = client
        return client


def open_local_client(path) -> QdrantClient:
    """qdrant-client's local mode on ``path`` (tests of the server code path, and migrating old data folders)."""
    try:
        return QdrantClient(path=str(path))
    except RuntimeError as err:
        if "already accessed" in str(err):
            raise IndexLocked(locked_message(path)) from None
        raise


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
    must_not: list[models.Condition] = []
    if where.exclude_kinds:
        must_not.append(models.FieldCondition(key="kind", match=models.MatchAny(any=list(where.exclude_kinds))))
    if where.exclude_versions:
        must_not.append(models.FieldCondition(key="version", match=models.MatchAny(any=list(where.exclude_versions))))
    return models.Filter(must=must, must_not=must_not or None)


def _dense_params(exact: bool) -> models.SearchParams:
    """Approximate (graph, int8, rescored) or exact (every vector at full precision) dense search."""
    quantization = models.QuantizationSearchParams(ignore=exact, rescore=True, oversampling=OVERSAMPLING)
    return models.SearchParams(hnsw_ef=HNSW_EF, exact=exact, quantization=quantization)


def _is_local(client: QdrantClient) -> bool:
    """Whether ``client`` is qdrant-client's local mode (pure Python, in this process) rather than a server."""
    return type(getattr(client, "_client", None)).__name__ == "QdrantLocal"


class QdrantIndex:
    """The index over ``qdrant_client``: a Qdrant server (``QDRANT_URL``), or local mode in tests.

    ``client`` overrides the server client: tests pass ``QdrantClient(":memory:")``
    or ``QdrantClient(path=...)`` (local mode speaks the server's API), so this
    code path is tested without a server.
    """

    def __init__(self, settings, model_id: str, dimension: int, client: QdrantClient | None = None):
        self.client = client if client is not None else open_client(settings)
        self.remote = not _is_local(self.client)
        self.approximate_from = settings.approximate_from
        self.model_id = model_id
        self.dimension = dimension
        self.model_of = None  # see rag.index.base.Index.model_of
        self._ready: set[str] = set()
        # Local mode is not thread-safe; a server client is, but the lock is cheap.
        self._lock = threading.RLock()

    def ensure(self, workspace: str) -> str:
        """Create the workspace's collection if needed; refuse a mismatched model."""
        name = collection_name(workspace)
        if name in self._ready:
            return name
        model_id, dimension = workspace_model(self, workspace)
        with self._lock:
            if not self.client.collection_exists(name):
                # the same approximate search as the embedded engine (rag/index/base.py); the
                # server's optimizer builds the graph in the background on its own
                self.client.create_collection(
                    name,
                    vectors_config={DENSE: models.VectorParams(size=dimension, distance=models.Distance.COSINE, on_disk=True)},
                    sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
                    hnsw_config=models.HnswConfigDiff(m=HNSW_M, ef_construct=HNSW_EF_CONSTRUCT),
                    quantization_config=models.ScalarQuantization(scalar=models.ScalarQuantizationConfig(
                        type=models.ScalarType.INT8, quantile=INT8_QUANTILE, always_ram=True)),
                    optimizers_config=models.OptimizersConfigDiff(
                        indexing_threshold=indexing_threshold_kb(self.approximate_from, dimension)),
                    metadata={"model_id": model_id, "dimension": dimension, "workspace": workspace},
                )
                if self.remote:  # local mode ignores payload indexes (and warns)
                    for key in PAYLOAD_KEYWORDS:
                        self.client.create_payload_index(name, key, models.PayloadSchemaType.KEYWORD)
                    self.client.create_payload_index(name, "chunk_index", models.PayloadSchemaType.INTEGER)
                    self.client.create_payload_index(name, "date", models.PayloadSchemaType.FLOAT)
            else:
                self._check_model(name, model_id, dimension)
        self._ready.add(name)
        return name

    def _check_model(self, name: str, model_id: str, dimension: int) -> None:
        config = self.client.get_collection(name).config
        meta = config.metadata or {}
        size = config.params.vectors[DENSE].size  # type: ignore[index]
        if size != dimension or (meta.get("model_id") and meta["model_id"] != model_id):
            raise mismatch_error(meta.get("model_id", "an unknown model"), size, model_id, dimension)

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
                payload=chunk_payload(c, version),
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
            hits.extend(hit_from_point(p, 0.0) for p in points)
            if offset is None:
                break
        return sorted(hits, key=lambda h: h.chunk_index)

    # search
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

        ``hybrid`` fuses the dense and sparse candidate lists in Qdrant with
        distribution-based score fusion (DBSF): each list's scores are
        normalised by their mean and spread, then summed. Measured on SciFact
        it beats rank fusion (RRF) by about 0.02 nDCG@10. Dense search is
        approximate in a collection with an HNSW graph unless ``exact``.
        """
        name = self.ensure(workspace)
        flt = _filter(where)
        sparse_query = models.SparseVector(indices=sparse.indices, values=sparse.values) if sparse else None
        has_terms = bool(sparse and sparse.indices)
        params = _dense_params(exact) if self.remote else None  # local mode is always exact
        common = dict(limit=k, with_payload=True, with_vectors=[DENSE] if with_vectors else False)
        with self._lock:
            if strategy == "dense":
                result = self.client.query_points(name, query=list(dense), using=DENSE, query_filter=flt,
                                                  search_params=params, **common)
            elif strategy == "sparse":
                if not has_terms:
                    return []
                result = self.client.query_points(name, query=sparse_query, using=SPARSE, query_filter=flt, **common)
            elif strategy == "hybrid":
                limit = max(candidates, k)
                prefetch = [models.Prefetch(query=list(dense), using=DENSE, limit=limit, filter=flt, params=params)]
                if has_terms:
                    prefetch.append(models.Prefetch(query=sparse_query, using=SPARSE, limit=limit, filter=flt))
                result = self.client.query_points(
                    name, prefetch=prefetch, query=models.FusionQuery(fusion=models.Fusion.DBSF), **common
                )
            else:
                raise ValueError(f"Unknown retrieval strategy {strategy!r}.")
        return [hit_from_point(p) for p in result.points]

    def settle(self, workspace: str, timeout: float | None = None) -> bool:
        """Wait until the server's optimizer has built the collection's index (its status is green)."""
        name = self.ensure(workspace)
        if not self.remote:  # local mode has no optimizer: always exact
            return True
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.client.get_collection(name).status != models.CollectionStatus.GREEN:
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(SETTLE_POLL_S)
        return True

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

    def neighbours(self, workspace: str, doc_id: str, first: int, last: int, version: str | None = None) -> list[Hit]:
        """Chunks ``first``..``last`` (by chunk index) of a document (of one ``version`` if given), in order."""
        name = self.ensure(workspace)
        must = [
            models.FieldCondition(key="doc_id", match=models.MatchValue(value=doc_id)),
            models.FieldCondition(key="chunk_index", range=models.Range(gte=first, lte=last)),
        ]
        if version:
            must.append(models.FieldCondition(key="version", match=models.MatchValue(value=version)))
        flt = models.Filter(must=must)
        with self._lock:
            points, _ = self.client.scroll(name, scroll_filter=flt, limit=last - first + 1, with_payload=True)
        return sorted((hit_from_point(p, 0.0) for p in points), key=lambda h: h.chunk_index)

    def workspaces_with_points(self) -> Iterable[str]:
        with self._lock:
            return [c.name for c in self.client.get_collections().collections]


def close_server_client(url: str) -> None:
    """Close this process's client for the server at ``url``, if one is open."""
    with _clients_lock:
        client = _clients.pop(url, None)
    if client is not None:
        client.close()


def close_server_clients() -> None:
    """Close every server client this process opened."""
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()
