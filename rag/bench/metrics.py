"""Ranking and latency metrics, written out so they can be checked by hand.

Definitions follow BEIR (pytrec_eval) for binary and graded judgements:
- nDCG@k: DCG = sum of rel_i / log2(i + 1) over ranks i = 1..k (linear gain);
  the ideal DCG sorts the judged relevance grades of the query.
- Recall@k: relevant documents in the top k over all relevant documents.
- MRR@k: 1 / rank of the first relevant document in the top k, else 0.
A document is relevant when its grade is above 0. Metrics are per query; a
benchmark reports their mean over every query of the split.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence


def fold_to_documents(hits: Iterable[tuple[str, float]]) -> list[tuple[str, float]]:
    """Chunk hits (doc id, score), best first, folded to one entry per document.

    A document keeps its best (max) score and the rank of its best-ranked
    chunk. For strategies whose list is sorted by score (dense, sparse,
    hybrid) the two agree; for MMR, whose order is not its score order, the
    rank is what the strategy decided, so the rank is kept.
    """
    best: dict[str, float] = {}
    for doc_id, score in hits:
        if doc_id not in best or score > best[doc_id]:
            best[doc_id] = score
    return list(best.items())  # dict order = order of first appearance = rank order


def dcg(grades: Sequence[float]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(grades))


def ndcg_at_k(ranked: Sequence[str], qrels: Mapping[str, float], k: int = 10) -> float:
    """nDCG@k of one ranked list of document ids against graded judgements."""
    ideal = dcg(sorted((g for g in qrels.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([max(qrels.get(d, 0.0), 0.0) for d in ranked[:k]]) / ideal


def recall_at_k(ranked: Sequence[str], qrels: Mapping[str, float], k: int) -> float:
    relevant = {d for d, g in qrels.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def mrr_at_k(ranked: Sequence[str], qrels: Mapping[str, float], k: int = 10) -> float:
    for i, d in enumerate(ranked[:k]):
        if qrels.get(d, 0.0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def hit_at_k(ranked: Sequence[str], gold: Iterable[str], k: int) -> float:
    """1.0 if any gold document is among the first ``k`` documents, else 0.0."""
    return 1.0 if set(gold).intersection(ranked[:k]) else 0.0


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation, as numpy's default."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def bootstrap_ci(values: Sequence[float], rounds: int = 2000, level: float = 0.95, seed: int = 13) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of per-query values.

    With a few hundred queries the mean moves by about 0.01-0.02 from one
    sample of queries to another: two systems whose intervals overlap that
    much are not shown to differ.
    """
    if not values:
        return (0.0, 0.0)
    rng = random.Random(seed)
    n = len(values)
    means = sorted(sum(values[rng.randrange(n)] for _ in range(n)) / n for _ in range(rounds))
    tail = (1 - level) / 2
    return (percentile(means, 100 * tail), percentile(means, 100 * (1 - tail)))


def ranking_metrics(ranked: Sequence[str], qrels: Mapping[str, float]) -> dict[str, float]:
    """The four per-query figures the retrieval benchmark reports."""
    return {
        "ndcg@10": ndcg_at_k(ranked, qrels, 10),
        "recall@10": recall_at_k(ranked, qrels, 10),
        "recall@100": recall_at_k(ranked, qrels, 100),
        "mrr@10": mrr_at_k(ranked, qrels, 10),
    }
