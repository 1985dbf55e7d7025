"""Retrieval strategies, threshold, filters and neighbours over a real store."""

import pytest
from langchain_core.documents import Document

from rag.answer.retrieve import GroundedRetriever, retrieve
from rag.ingest.pipeline import ingest_bytes
from rag.types import ChunkSettings, RetrievalSettings, SearchFilter

DOCS = {
    "northwind.txt": "Northwind cut onboarding from 41 days to 12 days after adopting Grounded.",
    "pricing.txt": "Enterprise plans cost 900 dollars per month and include single sign-on and audit logs.",
    "support.txt": "Our support team answers within four hours on weekdays, by chat or by email.",
    "launch.txt": "The new analytics dashboard launches in March with exportable reports.",
    "pricing-copy.txt": "Enterprise plans cost 900 dollars per month and include single sign-on and audit logs!",
}


@pytest.fixture
def filled(store):
    for name, text in DOCS.items():
        kind = "case study" if name == "northwind.txt" else "other"
        ingest_bytes(store, name, text.encode(), kind=kind)
    return store


@pytest.mark.parametrize("strategy", ["dense", "sparse", "hybrid", "mmr"])
def test_every_strategy_finds_the_answer(filled, strategy):
    r = retrieve(filled, "How long did Northwind's onboarding take?", "default", RetrievalSettings(strategy, k=3), user=None)
    assert r.hits[0].file == "northwind.txt"
    assert all(h.similarity is not None for h in r.hits)


def test_threshold_is_judged_on_dense_similarity_in_every_mode(filled):
    for strategy in ("dense", "sparse", "hybrid", "mmr"):
        r = retrieve(filled, "What is the boiling point of tungsten?", "default", RetrievalSettings(strategy, k=3, threshold=0.3), user=None)
        assert r.hits == [], strategy
        assert all(h.similarity < 0.3 for h in r.below_threshold)


def test_mmr_prefers_diverse_chunks(filled):
    query = "enterprise plan price single sign-on"
    hybrid = retrieve(filled, query, "default", RetrievalSettings("hybrid", k=2, threshold=-1), user=None)
    mmr = retrieve(filled, query, "default", RetrievalSettings("mmr", k=2, threshold=-1, mmr_lambda=0.3), user=None)
    assert {h.file for h in hybrid.hits} == {"pricing.txt", "pricing-copy.txt"}
    assert len({h.file for h in mmr.hits} & {"pricing.txt", "pricing-copy.txt"}) == 1


def test_filters_by_file_kind_and_date(filled):
    q = "enterprise price"
    by_file = retrieve(filled, q, "default", RetrievalSettings(k=5, threshold=-1, where=SearchFilter(files=("support.txt",))), user=None)
    assert {h.file for h in by_file.hits} == {"support.txt"}
    by_kind = retrieve(filled, q, "default", RetrievalSettings(k=5, threshold=-1, where=SearchFilter(kinds=("case study",))), user=None)
    assert {h.file for h in by_kind.hits} == {"northwind.txt"}
    future = retrieve(filled, q, "default", RetrievalSettings(k=5, threshold=-1, where=SearchFilter(date_from=4e9)), user=None)
    assert future.hits == [] and future.below_threshold == []


def test_neighbour_window_adds_surrounding_chunks(store):
    text = "\n\n".join(f"Paragraph {i}: " + ("filler words about topic %d. " % i) * 6 for i in range(8))
    text += "\n\nParagraph 8: the secret launch codename is Bluebird."
    ingest_bytes(store, "long.txt", text.encode(), chunking=ChunkSettings("by_title", 48, 0))
    r = retrieve(store, "launch codename", "default", RetrievalSettings(k=1, threshold=-1, neighbours=1), user=None)
    hit = r.hits[0]
    assert "Bluebird" in hit.text
    assert "Paragraph 7" in hit.context and hit.context.endswith(hit.text)


def test_langchain_retriever_returns_documents(filled):
    retriever = GroundedRetriever(store=filled, workspace="default", settings=RetrievalSettings(k=2), user=None)
    docs = retriever.invoke("support response time")
    assert docs and isinstance(docs[0], Document)
    assert docs[0].metadata["file"] == "support.txt" and docs[0].metadata["similarity"] > 0.3
