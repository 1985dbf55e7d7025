"""Fusion variants computed in the benchmark, to tune what the product's ``hybrid`` should do.

The product fuses in Qdrant with DBSF at equal weights. To find out, on the
train split only, whether another weighting or method would do better, the
retrieval benchmark accepts extra strategy names, fused here from the
product's own dense and sparse result lists (``Index.search``):

- ``dbsf-W``: each list normalised as Qdrant's DBSF does ((s - (mean - 3 sd)) / 6 sd,
  sample sd), then ``W * dense + (1 - W) * sparse``; ``dbsf-0.5`` ranks
  exactly as the product's hybrid does with the same candidate depth.
- ``z-W``: z-scores instead (a point missing from a list gets that list's minimum).
- ``rrf-W``: reciprocal rank fusion, ``W / (60 + rank)`` + ``(1 - W) / (60 + rank)``.

Either can be followed by trials of issue 18:

- ``+agg-B``: document-level aggregation: each chunk's fused score gains ``B``
  times the fused scores of the other chunks of its document in the list (a
  document that matches in several places rises).
- ``+rare-P``: rare query terms weigh more: each term of the sparse query
  weighs ``idf ** P`` (Qdrant multiplies by ``idf`` again), the document
  frequencies counted over the workspace's chunks.
- ``+cand-N``: fuse only the first N of each list (the product fuses
  ``RetrievalSettings.candidates``, 50; the benchmark's lists are ``--depth`` long).

Both lists are fetched once per query and shared by every variant of a run,
so a sweep of weights costs one dense and one sparse search per query.
"""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass

_NAME = re.compile(r"^(dbsf|z|rrf)-([01](?:\.\d+)?)((?:\+(?:agg|rare|cand)-\d+(?:\.\d+)?)*)$")
_TRIAL = re.compile(r"\+(agg|rare|cand)-(\d+(?:\.\d+)?)")
RRF_K = 60

Ranked = list[tuple[str, float]]  # (chunk id, score), best first


@dataclass(frozen=True)
class FusionSpec:
    method: str  # "dbsf" | "z" | "rrf"
    dense_weight: float
    agg: float = 0.0  # weight of a document's other chunks in each chunk's score
    rare: float = 0.0  # sparse query term weight = idf ** rare
    candidates: int = 0  # fuse only this many of each list (0: all of them)


def parse(name: str) -> FusionSpec | None:
    """``dbsf-0.6`` -> FusionSpec("dbsf", 0.6), ``dbsf-0.5+agg-0.2`` -> (..., agg=0.2); None for a product strategy."""
    m = _NAME.match(name)
    if not m or not 0.0 <= float(m.group(2)) <= 1.0:
        return None
    trials = {kind: float(value) for kind, value in _TRIAL.findall(m.group(3))}
    return FusionSpec(m.group(1), float(m.group(2)), agg=trials.get("agg", 0.0), rare=trials.get("rare", 0.0),
                      candidates=int(trials.get("cand", 0)))


def _dbsf(scores: list[float]) -> list[float]:
    if len(scores) == 1:
        return [0.5]
    sd = statistics.stdev(scores)
    if sd == 0:
        return [0.5] * len(scores)
    low = statistics.fmean(scores) - 3 * sd
    return [(s - low) / (6 * sd) for s in scores]


def _z(scores: list[float]) -> list[float]:
    if len(scores) < 2 or statistics.pstdev(scores) == 0:
        return [0.0] * len(scores)
    mean, sd = statistics.fmean(scores), statistics.pstdev(scores)
    return [(s - mean) / sd for s in scores]


def fuse(dense: Ranked, sparse: Ranked, spec: FusionSpec) -> Ranked:
    """One fused list, best first, from two ranked lists of (id, score)."""
    weights = (spec.dense_weight, 1.0 - spec.dense_weight)
    fused: dict[str, float] = {}
    for ranked, weight in zip((dense, sparse), weights):
        if not ranked:
            continue
        if spec.method == "rrf":
            normalised = [1.0 / (RRF_K + rank) for rank in range(1, len(ranked) + 1)]
        else:
            normalised = (_dbsf if spec.method == "dbsf" else _z)([s for _, s in ranked])
        floor = min(normalised) if spec.method == "z" else 0.0
        for (key, _), value in zip(ranked, normalised):
            fused[key] = fused.get(key, 0.0) + weight * (value - floor)
    return sorted(fused.items(), key=lambda kv: kv[1], reverse=True)


def aggregate(fused: Ranked, docs: dict[str, str], weight: float) -> Ranked:
    """Each chunk's score plus ``weight`` times the scores of its document's other chunks in the list."""
    totals: dict[str, float] = {}
    for key, score in fused:
        totals[docs[key]] = totals.get(docs[key], 0.0) + score
    rescored = [(key, score + weight * (totals[docs[key]] - score)) for key, score in fused]
    return sorted(rescored, key=lambda kv: kv[1], reverse=True)


def rare_query(query: str, idf: dict[int, float], power: float):
    """The product's sparse query with each term weighing ``idf ** power`` instead of 1."""
    from ..index.sparse import SparseVector, query_vector

    base = query_vector(query)
    return SparseVector(base.indices, [idf.get(i, 0.0) ** power for i in base.indices])


@dataclass
class ListCache:
    """Dense and sparse lists per query, fetched once through the product's index, with their cost."""

    store: object
    workspace: str
    depth: int

    def __post_init__(self):
        self._lists: dict[tuple[str, float], tuple[Ranked, Ranked, dict[str, str], float]] = {}
        self._idf: dict[int, float] | None = None

    def idf(self) -> dict[int, float]:
        """Qdrant's BM25 IDF per term over the workspace's chunks (their heading path and text, as indexed)."""
        if self._idf is None:
            import math
            from collections import Counter

            from ..index.sparse import term_index
            from ..words import analyse

            frequencies: Counter = Counter()
            chunks = 0
            for _, payload in self.store.index.all_chunks(self.workspace, ["text", "heading_path"]):
                chunks += 1
                words = analyse(" > ".join(payload.get("heading_path") or []) + "\n" + payload.get("text", ""))
                frequencies.update({term_index(w) for w in words})
            self._idf = {t: math.log(1 + (chunks - n + 0.5) / (n + 0.5)) for t, n in frequencies.items()}
        return self._idf

    def get(self, query: str, rare: float = 0.0) -> tuple[Ranked, Ranked, dict[str, str], float]:
        if (query, rare) not in self._lists:
            import numpy as np

            from ..index.sparse import query_vector

            started = time.perf_counter()
            vector = np.asarray(self.store.embeddings.embed_query(query), dtype=np.float32).tolist()
            terms = rare_query(query, self.idf(), rare) if rare else query_vector(query)
            dense = self.store.index.search(self.workspace, "dense", vector, None, k=self.depth)
            sparse = self.store.index.search(self.workspace, "sparse", None, terms, k=self.depth)
            docs = {h.chunk_id: h.doc_id for h in dense + sparse}
            self._lists[(query, rare)] = ([(h.chunk_id, h.score) for h in dense], [(h.chunk_id, h.score) for h in sparse],
                                          docs, time.perf_counter() - started)
        return self._lists[(query, rare)]


@dataclass
class FusedSearch:
    """A fusion variant as a query function: (doc id, score) chunk hits, like the product strategies.

    ``timed`` reports the cost of fetching both lists (once, cached) plus the
    fusion, so each variant is timed as if it ran alone.
    """

    cache: ListCache
    spec: FusionSpec

    def timed(self, query: str) -> tuple[list[tuple[str, float]], float]:
        dense, sparse, docs, fetch_s = self.cache.get(query, self.spec.rare)
        started = time.perf_counter()
        if self.spec.candidates:
            dense, sparse = dense[: self.spec.candidates], sparse[: self.spec.candidates]
        fused = fuse(dense, sparse, self.spec)
        if self.spec.agg:
            fused = aggregate(fused, docs, self.spec.agg)
        hits = [(docs[c], s) for c, s in fused[: self.cache.depth]]
        return hits, (fetch_s + time.perf_counter() - started) * 1000

    def __call__(self, query: str) -> list[tuple[str, float]]:
        return self.timed(query)[0]
