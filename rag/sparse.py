"""BM25 sparse vectors computed locally (no model download).

Documents get BM25 term-frequency weights; Qdrant applies the IDF part
itself (the sparse vector is configured with ``Modifier.IDF``), so adding or
deleting documents never requires re-weighting stored vectors. Queries get
weight 1 per distinct term. Analyser: lowercase, word tokens, English stop
words removed, Snowball (Porter 2) stemming.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

K1 = 1.2
B = 0.75
AVG_DOC_TOKENS = 160.0  # typical chunk length after analysis; only shapes tf saturation

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)

# A compact English stop-word list (Lucene's plus common function words).
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves""".split()
)

_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return _stemmer.stemWord(word)


def analyse(text: str) -> list[str]:
    """Lowercased, stop-word-free, stemmed terms of ``text``."""
    return [_stem(w) for w in _TOKEN.findall(text.lower()) if w not in STOP_WORDS and len(w) < 40]


def term_index(term: str) -> int:
    """Stable 31-bit id for a term (Qdrant sparse indices are uint32)."""
    return zlib.crc32(term.encode("utf-8")) & 0x7FFFFFFF


@dataclass(frozen=True)
class SparseVector:
    indices: list[int]
    values: list[float]


def _to_vector(weights: dict[int, float]) -> SparseVector:
    items = sorted(weights.items())
    return SparseVector([i for i, _ in items], [v for _, v in items])


def document_vector(text: str) -> SparseVector:
    """BM25 tf part for a document: tf*(k1+1) / (tf + k1*(1-b+b*len/avglen))."""
    terms = analyse(text)
    norm = K1 * (1 - B + B * len(terms) / AVG_DOC_TOKENS)
    weights: dict[int, float] = {}
    for term, tf in Counter(terms).items():
        idx = term_index(term)
        weights[idx] = weights.get(idx, 0.0) + tf * (K1 + 1) / (tf + norm)
    return _to_vector(weights)


def query_vector(text: str) -> SparseVector:
    """One unit of weight per distinct query term; Qdrant multiplies by IDF."""
    return _to_vector({term_index(t): 1.0 for t in set(analyse(text))})
