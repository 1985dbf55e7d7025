"""Retrieval: which chunks are pulled for a question, under the user's control.

Strategies:
- ``dense``: cosine similarity of MiniLM embeddings.
- ``sparse``: BM25 (stemming, stop words) on Qdrant's sparse vectors.
- ``hybrid`` (default): dense and sparse fused in Qdrant by score (DBSF).
- ``mmr``: maximal marginal relevance over the hybrid candidates, for
  diversity (fewer near-identical chunks from one document).

The relevance threshold is always judged on the dense cosine similarity of
each hit to the question, whatever the strategy: fused (DBSF/RRF) and BM25
scores have no fixed scale, so a threshold on them would mean something
different for every query. With MiniLM, cosine below about 0.2 is unrelated
text; 0.3-0.5 is on-topic; above 0.6 is a close paraphrase.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from ..access.assistants import check_reader
from ..access.users import User
from ..index.embed import similarity_scale
from ..index.sparse import query_vector
from ..languages import document_languages
from ..names import mentions_name, question_terms
from ..types import STRATEGIES, Hit, RetrievalSettings, SearchFilter, Strategy


@dataclass
class Retrieval:
    """What retrieval found: the relevant hits, and the best ones that fell below the threshold."""

    hits: list[Hit]
    below_threshold: list[Hit]
    query: str

    @property
    def closest_files(self) -> list[str]:
        """Distinct files of the nearest hits, relevant or not (for "closest documents" notices)."""
        seen: dict[str, None] = {}
        for h in self.hits + self.below_threshold:
            seen.setdefault(h.file, None)
        return list(seen)


def _mmr(query: np.ndarray, hits: list[Hit], k: int, lam: float) -> list[Hit]:
    """Greedy maximal marginal relevance on the hits' dense vectors."""
    vectors = np.array([h.vector for h in hits], dtype=np.float32)
    relevance = vectors @ query
    chosen: list[int] = []
    rest = list(range(len(hits)))
    while rest and len(chosen) < k:
        if chosen:
            redundancy = (vectors[rest] @ vectors[chosen].T).max(axis=1)
        else:
            redundancy = np.zeros(len(rest))
        scores = lam * relevance[rest] - (1 - lam) * redundancy
        best = rest[int(np.argmax(scores))]
        chosen.append(best)
        rest.remove(best)
    return [replace(hits[i], score=float(relevance[i])) for i in chosen]


def retrieve(store, query: str, workspace: str, settings: RetrievalSettings = RetrievalSettings(), *,
             user: User | None) -> Retrieval:
    """Hits for ``query`` in ``workspace``, split at the relevance threshold ("not found" unless ``user`` may use it)."""
    check_reader(store.catalog, workspace, user)
    if settings.strategy not in STRATEGIES:
        raise ValueError(f"Unknown retrieval strategy {settings.strategy!r}; choose one of {', '.join(STRATEGIES)}.")
    embeddings = store.embeddings_for(workspace)  # the assistant's model (its language setting)
    dense = np.asarray(embeddings.embed_query(query), dtype=np.float32)
    sparse = query_vector(query, document_languages(store.catalog, workspace))  # stemmed as each language would
    base = "hybrid" if settings.strategy == "mmr" else settings.strategy
    limit = settings.candidates if settings.strategy == "mmr" else settings.k
    where = _without_unfinished(store, workspace, settings.where)
    hits = store.index.search(
        workspace, base, dense.tolist(), sparse, k=limit, candidates=max(settings.candidates, limit),
        where=where or None, with_vectors=True,
    )
    if settings.strategy == "mmr" and hits:
        hits = _mmr(dense, hits, settings.k, settings.mmr_lambda)
    for h in hits:
        # on the English model's scale, which the relevance threshold is set on
        h.similarity = float(similarity_scale(embeddings, np.dot(np.asarray(h.vector, dtype=np.float32), dense))) \
            if h.vector else None
        h.vector = None  # not needed past this point; keeps results light
    names = question_terms(query)
    relevant = [h for h in hits if _relevant(h, names, settings.threshold)]
    below = [h for h in hits if not _relevant(h, names, settings.threshold)]
    if settings.neighbours and relevant:
        _add_context(store, workspace, relevant, settings.neighbours)
    return Retrieval(relevant, below, query)


NAME_FLOOR = 0.1  # a passage naming everything the question names still needs to be this close (0.2 is unrelated text)


def _relevant(hit: Hit, names: list[str], threshold: float) -> bool:
    """Close enough in meaning, or naming every name the question asks about.

    Dense similarity is poor at names: a quote attributed to "Jane Doe" can
    score 0.20 against "What did Jane Doe say about the product?" while style
    notes that mention neither score 0.45. So a passage that says all the
    question's names (in its text, section or file name) counts even under the
    cut, down to :data:`NAME_FLOOR`. Whether it is *about* them is still
    checked before answering (rag/answer/subjects.py).
    """
    similarity = hit.similarity or 0.0
    if similarity >= threshold:
        return True
    where = f"{hit.text}\n{hit.section}\n{hit.file}"
    return bool(names) and similarity >= min(NAME_FLOOR, threshold) and all(mentions_name(n, where) for n in names)


def search(store, query: str, workspace: str, k: int = 5, strategy: Strategy = "hybrid", *,
           user: User | None) -> list[Hit]:
    """Top ``k`` passages for ``query``, relevant or not (a search, no answer: ``grounded search``)."""
    return retrieve(store, query, workspace, RetrievalSettings(strategy=strategy, k=k, threshold=-1.0), user=user).hits


def _without_unfinished(store, workspace: str, where: SearchFilter) -> SearchFilter:
    """``where``, also leaving out document versions still being stored.

    A large document is embedded and stored a batch at a time over minutes
    (rag/ingest/pipeline.py); until the catalog marks it ready, its stored part
    must not answer questions, and while it replaces an older version the two
    must not both be found. A re-index with unchanged settings rewrites the same
    version in place, so that one stays visible. A document waiting to be indexed again (its assistant's
    language changed) has no version to keep: the part of it stored so far is left out too.
    """
    unfinished = tuple(
        row.pending_version
        for status in ("indexing", "waiting")
        for row in store.catalog.documents(workspace, status=status)
        if row.pending_version and row.pending_version != row.version
    )
    return replace(where, exclude_versions=where.exclude_versions + unfinished) if unfinished else where


def _add_context(store, workspace: str, hits: list[Hit], window: int) -> None:
    """Fill ``hit.context`` with the hit and up to ``window`` chunks either side, of the same version."""
    for h in hits:
        first, last = max(0, h.chunk_index - window), h.chunk_index + window
        around = store.index.neighbours(workspace, h.doc_id, first, last, version=h.version or None)
        h.context = "\n\n".join(n.text for n in around) or h.text


def hit_to_document(hit: Hit) -> Document:
    return Document(
        page_content=hit.context or hit.text,
        metadata={
            "chunk_id": hit.chunk_id,
            "doc_id": hit.doc_id,
            "file": hit.file,
            "page": hit.page,
            "section": hit.section,
            "score": hit.score,
            "similarity": hit.similarity,
            "kind": hit.kind,
        },
    )


class GroundedRetriever(BaseRetriever):
    """A LangChain retriever over one workspace of a store."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: object
    user: User | None  # who searches (required: None is the trusted command line)
    workspace: str = "default"
    settings: RetrievalSettings = RetrievalSettings()

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [hit_to_document(h) for h in retrieve(self.store, query, self.workspace, self.settings, user=self.user).hits]
