import pytest

from rag.chunk import chunk_document, embedding_text
from rag.embed import MiniLMEmbeddings
from rag.errors import IndexLocked, IndexMismatch
from rag.index import Index, close_clients, collection_name
from rag.sparse import document_vector, query_vector
from rag.types import ChunkSettings, Element, ParsedDocument

TEXTS = {
    "pricing.md": "Enterprise plans cost 900 dollars per month and include single sign-on.",
    "northwind.md": "Northwind cut onboarding from 41 days to 12 days with our platform.",
    "holiday.md": "The office is closed on public holidays; support answers by email.",
}


@pytest.fixture(scope="module")
def model():
    return MiniLMEmbeddings()


def _add(index, model, workspace, name, text, version="v1"):
    parsed = ParsedDocument(name, [Element(text, "text", 1, ("Intro",), name)], pages=1)
    chunks = chunk_document(parsed, ChunkSettings(), f"doc-{name}", version)
    texts = [embedding_text(c) for c in chunks]
    index.upsert(workspace, chunks, model.embed_array(texts), [document_vector(t) for t in texts], version)
    return chunks


@pytest.fixture
def index(settings, model):
    idx = Index(settings, model.model_id, model.dimension)
    for name, text in TEXTS.items():
        _add(idx, model, "acme", name, text)
    yield idx
    close_clients()


@pytest.mark.parametrize("strategy", ["dense", "sparse", "hybrid"])
def test_each_strategy_finds_the_right_passage(index, model, strategy):
    query = "How long did onboarding take for Northwind?"
    hits = index.search("acme", strategy, model.embed_query(query), query_vector(query), k=2)
    assert hits[0].file == "northwind.md"
    assert hits[0].page == 1 and hits[0].section == "Intro"
    assert "41 days" in hits[0].text


def test_workspaces_never_see_each_other(index, model):
    _add(index, model, "globex", "secret.md", "Globex onboarding took 3 days.")
    query = "onboarding days"
    acme = index.search("acme", "hybrid", model.embed_query(query), query_vector(query), k=10)
    globex = index.search("globex", "hybrid", model.embed_query(query), query_vector(query), k=10)
    assert {h.file for h in acme} == set(TEXTS)
    assert {h.file for h in globex} == {"secret.md"}
    assert collection_name("acme") != collection_name("ACME!")


def test_delete_keeps_only_the_named_version(index, model):
    _add(index, model, "acme", "pricing.md", "Enterprise plans now cost 950 dollars.", version="v2")
    assert index.count("acme", "doc-pricing.md") == 2
    index.delete_document("acme", "doc-pricing.md", keep_version="v2")
    chunks = index.chunks_of("acme", "doc-pricing.md")
    assert len(chunks) == 1 and "950" in chunks[0].text
    index.delete_document("acme", "doc-pricing.md")
    assert index.count("acme", "doc-pricing.md") == 0


def test_model_mismatch_is_a_clear_error(index, settings):
    other = Index(settings, "some-other-model", 384)
    with pytest.raises(IndexMismatch, match="Re-index"):
        other.ensure("acme")


def test_second_process_gets_a_clear_message(index, settings):
    import subprocess
    import sys

    code = (
        "from rag.settings import Settings; from rag.index import open_client; from rag.errors import IndexLocked\n"
        f"s = Settings(data_dir=__import__('pathlib').Path({str(settings.data_dir)!r}))\n"
        "try:\n    open_client(s)\nexcept IndexLocked as e:\n    print('LOCKED', e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "LOCKED Another Grounded process is already using the data folder" in out.stdout, out.stderr
    assert IndexLocked  # the type the message comes with
