"""The configuration of a Qdrant Edge shard: one place for the live shard (:mod:`rag.index.edge`) and
the copy a background rebuild optimizes (:mod:`rag.index.edge_build`), so both open it the same way."""

from __future__ import annotations

import qdrant_edge as qe

from .base import DENSE, HNSW_EF_CONSTRUCT, HNSW_M, INT8_QUANTILE, SPARSE, indexing_threshold_kb

# Edge runs its optimizers only when asked (``EdgeShard.optimize``). A small shard is vacuumed in
# place after deletes (every re-index deletes the old version), which takes moments; a big one is
# rebuilt in the background (rag/index/edge_build.py), which also builds its HNSW graph.
VACUUM = dict(deleted_threshold=0.2, vacuum_min_vector_number=1000)
FULL_SCAN_KB = 10_000  # a filter matching less than this much vector data (~6,600 points) is searched exactly


def edge_config(dimension: int, approximate_from: int) -> qe.EdgeConfig:
    """The configuration every shard is created and opened with (the live one and the one a rebuild optimizes)."""
    return qe.EdgeConfig(
        # full vectors on disk once a segment is optimized: searches read int8 copies and rescore
        # the few best from these (Qdrant's setup for memory-bound collections)
        vectors={DENSE: qe.EdgeVectorParams(size=int(dimension), distance=qe.Distance.Cosine, memory=qe.Memory.Cold)},
        # BM25: documents store the tf part (rag/index/sparse.py); Edge applies IDF at query time,
        # from the shard's (= the workspace's) document frequencies, as a server collection does.
        sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
        # one indexing thread: on two cores the other one keeps answering while a graph is built
        hnsw_config=qe.HnswIndexConfig(m=HNSW_M, ef_construct=HNSW_EF_CONSTRUCT, full_scan_threshold=FULL_SCAN_KB,
                                       max_indexing_threads=1),
        quantization_config=qe.ScalarQuantizationConfig(type=qe.ScalarType.Int8, quantile=INT8_QUANTILE,
                                                        memory=qe.Memory.Pinned),
        optimizers=qe.EdgeOptimizersConfig(indexing_threshold=indexing_threshold_kb(approximate_from, dimension), **VACUUM),
    )
