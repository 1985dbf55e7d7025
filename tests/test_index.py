"""The index, on both engines: Qdrant Edge (the embedded default) and the qdrant_client path.

The qdrant_client path is what runs against a Qdrant server (QDRANT_URL); here
it runs over qdrant-client's local mode (":memory:"), which speaks the
server's API, so the server code path stays tested without a server.
"""

import pytest
from qdrant_client import QdrantClient

from rag.answer.retrieve import retrieve
from rag.errors import IndexLocked, IndexMismatch
from rag.index import close_all_indexes, open_index
from rag.index.base import collection_name
from rag.index.edge import EdgeIndex
from rag.index.embed import MiniLMEmbeddings
from rag.index.server import QdrantIndex
from rag.index.sparse import document_vector, query_vector
from rag.ingest.chunk import chunk_document, embedding_text
from rag.ingest.pipeline import ingest_bytes
from rag.ingest.recovery import open_store
from rag.types import (
    ChunkSettings,
    Element,
    ParsedDocument,
    RetrievalSettings,
    SearchFilter,
)

TEXTS = {
    "pricing.md": "Enterprise plans cost 900 dollars per month and include single sign-on.",
    "northwind.md": "Northwind cut onboarding from 41 days to 12 days with our platform.",
    "holiday.md": "The office is closed on public holidays; support answers by email.",
}
BACKENDS = ["edge", "qdrant-client"]


@pytest.fixture(scope="module")
def model():
    return MiniLMEmbeddings()


def _add(index, model, workspace, name, text, version="v1"):
    parsed = ParsedDocument(name, [Element(text, "text", 1, ("Intro",), name)], pages=1)
    chunks = chunk_document(parsed, ChunkSettings(), f"doc-{name}", version)
    texts = [embedding_text(c) for c in chunks]
    index.upsert(workspace, chunks, model.embed_array(texts), [document_vector(t) for t in texts], version)
    return chunks


def _open(backend, settings, model_id, dimension, client=None):
    if backend == "edge":
        return open_index(settings, model_id, dimension)
    return QdrantIndex(settings, model_id, dimension, client=client)


@pytest.fixture(params=BACKENDS)
def index(request, settings, model):
    client = QdrantClient(":memory:") if request.param == "qdrant-client" else None
    idx = _open(request.param, settings, model.model_id, model.dimension, client)
    idx.backend = request.param
    for name, text in TEXTS.items():
        _add(idx, model, "acme", name, text)
    yield idx
    if client is not None:
        client.close()
    close_all_indexes()


def test_the_default_is_edge_and_a_url_means_the_server_path(settings, model, monkeypatch):
    assert type(open_index(settings, model.model_id, model.dimension)) is EdgeIndex
    opened = []
    monkeypatch.setattr("rag.index.server.open_client", lambda s: opened.append(s.qdrant_url) or QdrantClient(":memory:"))
    server = settings.with_(qdrant_url="http://qdrant.example:6333")
    index = open_index(server, model.model_id, model.dimension)
    assert type(index) is QdrantIndex and opened == ["http://qdrant.example:6333"]
    index.client.close()
    close_all_indexes()


@pytest.mark.parametrize("strategy", ["dense", "sparse", "hybrid"])
def test_each_strategy_finds_the_right_passage(index, model, strategy):
    query = "How long did onboarding take for Northwind?"
    hits = index.search("acme", strategy, model.embed_query(query), query_vector(query), k=2)
    assert hits[0].file == "northwind.md"
    assert hits[0].page == 1 and hits[0].section == "Intro"
    assert "41 days" in hits[0].text


def test_vectors_come_back_when_asked(index, model):
    query = "enterprise price"
    hits = index.search("acme", "hybrid", model.embed_query(query), query_vector(query), k=3, with_vectors=True)
    assert len(hits) == 3 and all(len(h.vector) == model.dimension for h in hits)
    assert index.search("acme", "dense", model.embed_query(query), None, k=1)[0].vector is None
    assert index.search("acme", "sparse", None, query_vector("the of and"), k=3) == []  # only stop words


def test_workspaces_never_see_each_other(index, model):
    _add(index, model, "globex", "secret.md", "Globex onboarding took 3 days.")
    query = "onboarding days"
    acme = index.search("acme", "hybrid", model.embed_query(query), query_vector(query), k=10)
    globex = index.search("globex", "hybrid", model.embed_query(query), query_vector(query), k=10)
    assert {h.file for h in acme} == set(TEXTS)
    assert {h.file for h in globex} == {"secret.md"}
    assert collection_name("acme") != collection_name("ACME!")
    assert {collection_name("acme"), collection_name("globex")} <= set(index.workspaces_with_points())


def test_delete_keeps_only_the_named_version(index, model):
    _add(index, model, "acme", "pricing.md", "Enterprise plans now cost 950 dollars.", version="v2")
    assert index.count("acme", "doc-pricing.md") == 2
    assert index.count("acme", "doc-pricing.md", "v2") == 1
    index.delete_document("acme", "doc-pricing.md", keep_version="v2")
    chunks = index.chunks_of("acme", "doc-pricing.md")
    assert len(chunks) == 1 and "950" in chunks[0].text
    index.delete_document("acme", "doc-pricing.md")
    assert index.count("acme", "doc-pricing.md") == 0
    assert index.count("acme") == 2


def test_kind_filters_and_retagging(index, model):
    query = "onboarding"
    where = SearchFilter(kinds=("case study",))
    assert index.search("acme", "hybrid", model.embed_query(query), query_vector(query), k=5, where=where) == []
    index.set_kind("acme", "doc-northwind.md", "case study")
    hits = index.search("acme", "dense", model.embed_query(query), query_vector(query), k=5, where=where)
    assert [h.file for h in hits] == ["northwind.md"] and hits[0].kind == "case study"
    files = SearchFilter(files=("holiday.md",))
    assert {h.file for h in index.search("acme", "sparse", None, query_vector("support email"), k=5, where=files)} == {"holiday.md"}
    future = SearchFilter(date_from=4e9)
    assert index.search("acme", "hybrid", model.embed_query(query), query_vector(query), k=5, where=future) == []


def test_all_chunks_neighbours_and_drop(index, model):
    long = "\n\n".join(f"Paragraph {i}: " + f"words about topic {i}. " * 12 for i in range(6))
    parsed = ParsedDocument("long.md", [Element(long, "text", 1, (), "long.md")], pages=1)
    chunks = chunk_document(parsed, ChunkSettings("recursive", 48, 0), "doc-long", "v1")
    texts = [embedding_text(c) for c in chunks]
    index.upsert("acme", chunks, model.embed_array(texts), [document_vector(t) for t in texts], "v1")
    assert len(chunks) >= 4
    around = index.neighbours("acme", "doc-long", 1, 3)
    assert [h.chunk_index for h in around] == [1, 2, 3]
    rows = dict(index.all_chunks("acme", ["doc_id", "chunk_index"]))
    assert len(rows) == len(chunks) + len(TEXTS)
    assert all(set(p) == {"doc_id", "chunk_index"} for p in rows.values())
    index.drop("acme")
    assert index.count("acme") == 0  # a dropped workspace reopens empty


def test_model_mismatch_is_a_clear_error(index, settings):
    client = getattr(index, "client", None) if index.backend == "qdrant-client" else None
    other = _open(index.backend, settings, "some-other-model", 384, client)
    with pytest.raises(IndexMismatch, match="Re-index"):
        other.ensure("acme")
    wider = _open(index.backend, settings, index.model_id, 768, client)
    with pytest.raises(IndexMismatch, match=r"\(384 dimensions\)"):
        wider.ensure("acme")


def test_second_process_gets_a_clear_message(settings, model):
    import subprocess
    import sys

    open_index(settings, model.model_id, model.dimension).ensure("acme")  # this process holds the folder
    code = (
        "from rag.settings import Settings; from rag.index import open_index; from rag.errors import IndexLocked\n"
        f"s = Settings(data_dir=__import__('pathlib').Path({str(settings.data_dir)!r}))\n"
        "try:\n    open_index(s, 'm', 384)\nexcept IndexLocked as e:\n    print('LOCKED', e)\n"
    )
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    finally:
        close_all_indexes()
    assert "LOCKED Another Grounded process is already using the data folder" in out.stdout, out.stderr
    assert IndexLocked  # the type the message comes with


# Retrieval through the product's own functions, on both engines.
DOCS = {
    "northwind.txt": "Northwind cut onboarding from 41 days to 12 days after adopting Grounded.",
    "pricing.txt": "Enterprise plans cost 900 dollars per month and include single sign-on and audit logs.",
    "support.txt": "Our support team answers within four hours on weekdays, by chat or by email.",
}


@pytest.fixture(params=BACKENDS)
def store(request, settings):
    s = open_store(settings)
    client = None
    if request.param == "qdrant-client":
        client = QdrantClient(":memory:")
        s.index = QdrantIndex(settings, s.embeddings.model_id, s.embeddings.dimension, client=client)
    for name, text in DOCS.items():
        ingest_bytes(s, name, text.encode(), kind="case study" if name == "northwind.txt" else "other")
    yield s
    s.close()
    if client is not None:
        client.close()
    close_all_indexes()


@pytest.mark.parametrize("strategy", ["dense", "sparse", "hybrid", "mmr"])
def test_retrieval_on_both_engines(store, strategy):
    r = retrieve(store, "How long did Northwind's onboarding take?", "default", RetrievalSettings(strategy, k=3), user=None)
    assert r.hits[0].file == "northwind.txt" and r.hits[0].similarity > 0.3
    r = retrieve(store, "enterprise price in days", "default",
                 RetrievalSettings(strategy, k=3, threshold=-1, where=SearchFilter(kinds=("case study",))), user=None)
    assert {h.file for h in r.hits} == {"northwind.txt"}
    r = retrieve(store, "support hours", "default", RetrievalSettings(strategy, k=3, threshold=-1, neighbours=1), user=None)
    assert r.hits[0].file == "support.txt" and r.hits[0].context == DOCS["support.txt"]
