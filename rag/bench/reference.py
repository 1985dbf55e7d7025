"""The BM25 reference: ``bm25s``, a well-known library, beside the product in the same run.

Analyser: bm25s's own tokenizer with its English stop words and the same
Snowball (Porter 2) stemmer as the product, Lucene's BM25 variant (k1=1.5,
b=0.75). It runs on whatever texts it is given: whole documents for BEIR,
the product's own chunks for the QA benchmark. ``bm25s`` is an optional
extra (``pip install 'grounded[bench]'``); without it the reference is
reported as skipped, and everything else still runs.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass


def reference_available() -> bool:
    return importlib.util.find_spec("bm25s") is not None


@dataclass
class Bm25Reference:
    ids: list[str]  # the id reported for each indexed text (several texts may share one)
    retriever: object
    stemmer: object
    name: str

    @classmethod
    def fit(cls, ids: list[str], texts: list[str]) -> "Bm25Reference":
        import bm25s
        import snowballstemmer

        stemmer = snowballstemmer.stemmer("english")
        tokens = bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False)
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        version = getattr(bm25s, "__version__", "")
        return cls(list(ids), retriever, stemmer, f"bm25s {version}".strip())

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Top ``k`` texts as (id, score), best first; empty when no query term is known."""
        import bm25s

        tokens = bm25s.tokenize([query], stopwords="en", stemmer=self.stemmer, show_progress=False, return_ids=False)
        vocab = self.retriever.vocab_dict
        tokens = [[t for t in tokens[0] if t in vocab]]
        if not tokens[0]:
            return []
        k = min(k, len(self.ids))
        docs, scores = self.retriever.retrieve(tokens, k=k, show_progress=False, n_threads=1)
        return [(self.ids[int(i)], float(s)) for i, s in zip(docs[0], scores[0]) if s > 0]
