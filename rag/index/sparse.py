"""BM25 sparse vectors computed locally (no model download).

Documents get BM25 term-frequency weights; Qdrant applies the IDF part
itself (the sparse vector is configured with ``Modifier.IDF``), so adding or
deleting documents never requires re-weighting stored vectors. Queries get
weight 1 per distinct term. Terms come from :func:`rag.words.analyse`
(lowercase, word tokens, stop words removed, Snowball stemming), in the
document's language; a query's in every language its assistant's documents are in.
"""

from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import dataclass

from ..words import ENGLISH, analyse, analyse_for

K1 = 1.2
B = 0.75
AVG_DOC_TOKENS = 160.0  # typical chunk length after analysis; only shapes tf saturation

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


def document_vector(text: str, heading: str = "", heading_weight: float = 1.0, language: str = ENGLISH) -> SparseVector:
    """BM25 tf part for a document: tf*(k1+1) / (tf + k1*(1-b+b*len/avglen)).

    ``heading`` (its title and section path) is a second field whose words count ``heading_weight``
    times each, in the frequency and the length alike (BM25F); at 1.0 it is the same as
    ``document_vector(heading + "\n" + text)``.
    """
    frequencies: Counter = Counter()
    for term, tf in Counter(analyse(text, language)).items():
        frequencies[term] += tf
    heading_terms = analyse(heading, language) if heading else []
    for term, tf in Counter(heading_terms).items():
        frequencies[term] += heading_weight * tf
    length = sum(frequencies.values())
    norm = K1 * (1 - B + B * length / AVG_DOC_TOKENS)
    weights: dict[int, float] = {}
    for term, tf in frequencies.items():
        idx = term_index(term)
        weights[idx] = weights.get(idx, 0.0) + tf * (K1 + 1) / (tf + norm)
    return _to_vector(weights)


def query_vector(text: str, languages=None) -> SparseVector:
    """One unit of weight per distinct query term (its terms in each of ``languages``, English when
    none is given); Qdrant multiplies by IDF."""
    return _to_vector({term_index(t): 1.0 for t in analyse_for(text, languages)})
