"""Qdrant Edge specifics: durability under SIGKILL, the folder lock, threads, migration from local mode,
and the same rankings as the qdrant_client path (DBSF fusion, BM25 IDF)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from qdrant_client import QdrantClient

from rag.errors import GroundedError, IndexMismatch
from rag.index import close_all_indexes, edge_build, open_index
from rag.index.base import collection_name
from rag.index.edge import EDGE_DIR, GENERATION_PREFIX, META_FILE, MIGRATING_DIR, TRASH_PREFIX, EdgeIndex
from rag.index.embed import MiniLMEmbeddings
from rag.index.server import QdrantIndex
from rag.index.sparse import document_vector, query_vector
from rag.ingest.chunk import chunk_document, embedding_text
from rag.settings import Settings
from rag.types import Chunk, ChunkSettings, Element, ParsedDocument

ROOT = Path(__file__).resolve().parents[1]
CORPUS = {
    "northwind.md": "Northwind cut onboarding from 41 days to 12 days with our platform.",
    "pricing.md": "Enterprise plans cost 900 dollars per month and include single sign-on and audit logs.",
    "support.md": "Our support team answers within four hours on weekdays, by chat or by email.",
    "launch.md": "The analytics dashboard launches in March with exportable reports and onboarding guides.",
    "security.md": "Single sign-on, audit logs and encryption at rest are part of every enterprise plan.",
    "holiday.md": "The office is closed on public holidays; support answers by email within a day.",
}
QUERIES = ["onboarding days", "enterprise single sign-on price", "support by email", "audit logs", "March launch reports"]


@pytest.fixture(scope="module")
def model():
    return MiniLMEmbeddings()


def _fill(index, model, workspace="acme", corpus=CORPUS, version="v1"):
    for name, text in corpus.items():
        parsed = ParsedDocument(name, [Element(text, "text", 1, ("Intro",), name)], pages=1)
        chunks = chunk_document(parsed, ChunkSettings(), f"doc-{name}", version)
        texts = [embedding_text(c) for c in chunks]
        index.upsert(workspace, chunks, model.embed_array(texts), [document_vector(t) for t in texts], version)


def _ranking(index, model, strategy, query):
    return [h.file for h in index.search("acme", strategy, model.embed_query(query), query_vector(query), k=6)]


@pytest.mark.parametrize("strategy", ["dense", "sparse", "hybrid"])
def test_edge_ranks_as_the_qdrant_client_path(settings, model, strategy):
    """Same scores in, same order out: cosine, BM25 with Qdrant's IDF, and DBSF fusion agree across engines."""
    client = QdrantClient(":memory:")
    try:
        reference = QdrantIndex(settings, model.model_id, model.dimension, client=client)
        edge = open_index(settings, model.model_id, model.dimension)
        _fill(reference, model)
        _fill(edge, model)
        for query in QUERIES:
            assert _ranking(edge, model, strategy, query) == _ranking(reference, model, strategy, query), query
    finally:
        client.close()
        close_all_indexes()


_KILLED_WRITER = """
import sys, time, numpy as np
import rag.index.edge as ie
from rag.index import open_index
from rag.ingest.chunk import chunk_document
from rag.settings import Settings
from rag.index.sparse import document_vector
from rag.types import Chunk, ChunkSettings, Element, ParsedDocument
ie.FLUSH_INTERVAL_S = 1e9  # never flush: only the write-ahead log stands between the writes and the kill
index = open_index(Settings(data_dir=__import__('pathlib').Path(sys.argv[1])), "test-model", 8)
rng = np.random.default_rng(0)
for n in range(3):
    text = " ".join(f"word{n}x{i}" for i in range(400))
    parsed = ParsedDocument(f"f{n}.md", [Element(text, "text", 1, (), f"f{n}.md")], pages=1)
    for version in ("v1", "v2"):
        chunks = chunk_document(parsed, ChunkSettings("fixed", 64, 0), f"doc{n}", version)
        index.upsert("acme", chunks, rng.standard_normal((len(chunks), 8)).astype("float32"),
                     [document_vector(c.text) for c in chunks], version)
    index.delete_document("acme", f"doc{n}", keep_version="v2")
index.set_kind("acme", "doc0", "blog")
print(index.count("acme"), flush=True)
time.sleep(120)
"""


def test_acknowledged_writes_survive_sigkill(tmp_path):
    data = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(data)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        written = int(proc.stdout.readline())
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert written > 0
    index = open_index(Settings(data_dir=data), "test-model", 8)
    try:
        assert index.count("acme") == written
        assert index.count("acme", version="v1") == 0
        assert {h.kind for h in index.chunks_of("acme", "doc0")} == {"blog"}
    finally:
        close_all_indexes()


def test_a_closed_index_can_be_opened_by_another_process_and_reopens_itself(settings, model):
    index = open_index(settings, model.model_id, model.dimension)
    _fill(index, model, corpus={"a.md": "Alpha beta."})
    close_all_indexes()  # releases the folder lock
    code = (
        "from rag.settings import Settings; from rag.index import open_index, close_all_indexes\n"
        f"i = open_index(Settings(data_dir=__import__('pathlib').Path({str(settings.data_dir)!r})), {model.model_id!r}, {model.dimension})\n"
        "print(i.count('acme')); close_all_indexes()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.strip() == "1", out.stderr
    assert index.count("acme") == 1  # the old object reopens the folder on use
    close_all_indexes()


def test_threads_search_while_others_write_and_drop(settings, model):
    index = open_index(settings, model.model_id, model.dimension)
    _fill(index, model)
    errors: list[BaseException] = []
    stop = threading.Event()
    vector = model.embed_query("onboarding")

    def guarded(fn):
        def run():
            try:
                while not stop.is_set():
                    fn()
            except BaseException as err:  # noqa: BLE001 - collected and reported below
                errors.append(err)
                stop.set()
        return run

    def search():
        index.search("acme", "hybrid", vector, query_vector("onboarding"), k=3)
        index.search("scratch", "hybrid", vector, query_vector("onboarding"), k=3)

    def rewrite():
        _fill(index, model, corpus={"northwind.md": CORPUS["northwind.md"]}, version="v2")
        index.delete_document("acme", "doc-northwind.md", keep_version="v2")

    def churn():
        _fill(index, model, "scratch", {"x.md": "Scratch text about onboarding."})
        index.count("scratch")
        index.drop("scratch")

    threads = [threading.Thread(target=guarded(f)) for f in (search, search, rewrite, churn)]
    for t in threads:
        t.start()
    threading.Event().wait(3.0)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    close_all_indexes()
    assert not errors, errors


def test_old_local_mode_folder_is_migrated_once(settings, model):
    old = QdrantClient(path=str(settings.data_dir / "qdrant"))
    legacy = QdrantIndex(settings, model.model_id, model.dimension, client=old)
    _fill(legacy, model)
    _fill(legacy, model, "globex", {"secret.md": "Globex onboarding took 3 days."})
    before = {q: _ranking(legacy, model, "hybrid", q) for q in QUERIES}
    old.close()

    index = open_index(settings, model.model_id, model.dimension)
    try:
        assert index.engine.migrated == len(CORPUS) + 1
        assert index.count("acme") == len(CORPUS) and index.count("globex") == 1
        assert {q: _ranking(index, model, "hybrid", q) for q in QUERIES} == before
        assert not (settings.data_dir / "qdrant").exists() and (settings.data_dir / "qdrant.migrated").is_dir()
        assert (settings.data_dir / EDGE_DIR / collection_name("acme") / META_FILE).is_file()
        with pytest.raises(IndexMismatch):  # the model that built it travelled with the points
            open_index(settings, "some-other-model", model.dimension).ensure("acme")
    finally:
        close_all_indexes()
    again = open_index(settings, model.model_id, model.dimension)
    assert again.engine.migrated == 0 and again.count("acme") == len(CORPUS)
    close_all_indexes()


def test_leftovers_of_interrupted_drops_and_migrations_are_swept(settings, model):
    root = settings.data_dir / EDGE_DIR
    (root / MIGRATING_DIR / "grounded_x").mkdir(parents=True)
    (root / f"{TRASH_PREFIX}grounded_y").mkdir()
    index = open_index(settings, model.model_id, model.dimension)
    assert isinstance(index, EdgeIndex)
    assert sorted(p.name for p in root.iterdir()) == [".lock"]
    assert list(index.workspaces_with_points()) == []
    close_all_indexes()


def test_dense_vectors_are_stored_normalised_for_cosine(settings):
    index = open_index(settings, "test-model", 4)
    parsed = ParsedDocument("a.md", [Element("alpha beta gamma", "text", 1, (), "a.md")], pages=1)
    chunks = chunk_document(parsed, ChunkSettings(), "doc-a", "v1")
    index.upsert("acme", chunks, np.array([[3.0, 0.0, 4.0, 0.0]], dtype=np.float32), [document_vector("alpha")], "v1")
    (hit,) = index.search("acme", "dense", [0.6, 0.0, 0.8, 0.0], None, k=1, with_vectors=True)
    assert hit.score == pytest.approx(1.0, abs=1e-5) and hit.vector == pytest.approx([0.6, 0.0, 0.8, 0.0], abs=1e-5)
    close_all_indexes()


def _index_types(folder: Path) -> set[str]:
    """How the dense vectors of each segment of a shard are indexed ("plain": brute force, "hnsw": a graph)."""
    meta = json.loads((folder / META_FILE).read_text())
    segments = (folder / meta.get("shard", "")).glob("segments/*/segment.json")
    return {json.loads(f.read_text())["config"]["vector_data"]["dense"]["index"]["type"] for f in segments}


def _folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_blocks * 512 for f in folder.rglob("*") if f.is_file())  # on disk, not preallocated


def test_space_of_deleted_points_is_given_back_and_search_stays_exact(settings):
    """Re-indexing deletes old versions; a small shard is vacuumed in place and stays exact (no graph)."""
    index = EdgeIndex(settings, "test-model", 384)
    rng = np.random.default_rng(3)
    docs = {f"doc-{n}": rng.standard_normal((300, 384)).astype(np.float32) for n in range(10)}
    for doc_id, vectors in docs.items():
        parsed = ParsedDocument(doc_id, [Element(f"Passage {i} of {doc_id}. " * 20, "text", 1, (), doc_id) for i in range(300)])
        chunks = chunk_document(parsed, ChunkSettings(strategy="fixed", size=64, overlap=0), doc_id, "v1")[:300]
        index.upsert("acme", chunks, vectors[: len(chunks)], [document_vector(c.text) for c in chunks], "v1")
    folder = settings.data_dir / EDGE_DIR / collection_name("acme")
    index.engine.shards[collection_name("acme")].flush()
    before = _folder_bytes(folder)
    for doc_id in list(docs)[:8]:
        index.delete_document("acme", doc_id)
    index.engine.shards[collection_name("acme")].flush()
    after = _folder_bytes(folder)
    assert after < before * 0.8, (before, after)
    assert index.count("acme") == 600
    # under Settings.approximate_from no HNSW graph is built: searches stay brute force, so exact
    assert _index_types(folder) == {"plain"}
    probe = docs["doc-9"][5]
    (best,) = index.search("acme", "dense", probe, None, k=1)
    assert best.doc_id == "doc-9" and best.score == pytest.approx(1.0, abs=1e-3)
    close_all_indexes()


def _synthetic(index, count: int, start: int = 0, doc_size: int = 50, workspace: str = "acme", seed: int = 0) -> np.ndarray:
    """``count`` passages with random 32-dimension vectors, ``doc_size`` per document; their vectors."""
    vectors = np.random.default_rng(seed).standard_normal((count, 32)).astype(np.float32)
    for first in range(0, count, doc_size):
        doc_id = f"doc-{(start + first) // doc_size}"
        rows = range(first, min(first + doc_size, count))
        chunks = [Chunk(f"00000000-0000-0000-0000-{start + i:012d}", doc_id, f"{doc_id}.md", i - first, f"passage {start + i}")
                  for i in rows]
        index.upsert(workspace, chunks, vectors[first : first + len(chunks)], [document_vector(c.text) for c in chunks], "v1")
    return vectors


def _approximate(settings, threshold: int = 300) -> EdgeIndex:
    """An index whose shards get a graph from ``threshold`` points, rebuilt as soon as they are quiet."""
    index = EdgeIndex(replace(settings, approximate_from=threshold), "test-model", 32)
    index.engine.builder.quiet_s = 0.5
    return index


@pytest.mark.slow  # starts the builder's child process
def test_a_big_shard_gets_its_graph_in_the_background_and_keeps_every_write(settings, monkeypatch):
    """Writes made while the copy is built are replayed into it; the switch loses nothing, reopening finds it."""
    index = _approximate(settings)
    vectors = _synthetic(index, 400)
    engine, name = index.engine, collection_name("acme")
    copy = engine.copy_for_rebuild

    def copy_then_write(shard_name):
        target = copy(shard_name)
        _synthetic(index, 50, start=400, seed=1)  # arrives while the child builds
        index.delete_document("acme", "doc-0")
        return target

    monkeypatch.setattr(engine, "copy_for_rebuild", copy_then_write)
    assert index.settle("acme", timeout=300)
    folder = engine.root / name
    meta = json.loads((folder / META_FILE).read_text())
    assert meta["shard"].startswith(GENERATION_PREFIX) and meta["graph_points"] == 400
    assert "hnsw" in _index_types(folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted([META_FILE, meta["shard"]])  # the old files are gone
    assert index.count("acme") == 400
    assert index.count("acme", doc_id="doc-0") == 0 and index.count("acme", doc_id="doc-8") == 50
    probe = vectors[123]
    approximate = [h.chunk_id for h in index.search("acme", "dense", probe, None, k=10)]
    assert approximate == [h.chunk_id for h in index.search("acme", "dense", probe, None, k=10, exact=True)]
    assert approximate[0].endswith("000000000123")
    close_all_indexes()
    reopened = _approximate(settings)
    assert reopened.count("acme") == 400
    close_all_indexes()


@pytest.mark.slow  # starts the builder's child process
def test_search_goes_on_while_the_graph_is_built(settings, monkeypatch):
    """The build runs in a child process (Edge holds the GIL while it optimizes): this process keeps answering."""
    slow = edge_build.child_command
    monkeypatch.setattr(edge_build, "child_command", lambda *args: [
        sys.executable, "-c", "import sys, time; time.sleep(3); from rag.index.edge_build import main; main(sys.argv[1:])",
        *slow(*args)[3:]])
    index = _approximate(settings)
    vectors = _synthetic(index, 400)
    builder = index.engine.builder
    settled = threading.Thread(target=index.settle, args=("acme",))
    settled.start()
    while builder._process is None and settled.is_alive():
        time.sleep(0.05)
    answered = 0
    while builder._process is not None:
        assert index.search("acme", "dense", vectors[7], None, k=1)[0].chunk_id.endswith("000000000007")
        answered += 1
    settled.join()
    assert answered > 10
    assert "hnsw" in _index_types(index.engine.root / collection_name("acme"))
    close_all_indexes()


@pytest.mark.slow  # starts the builder's child process
def test_a_workspace_dropped_while_its_graph_is_built_stays_dropped(settings, monkeypatch):
    slow = edge_build.child_command
    monkeypatch.setattr(edge_build, "child_command", lambda *args: [
        sys.executable, "-c", "import sys, time; time.sleep(30); from rag.index.edge_build import main; main(sys.argv[1:])",
        *slow(*args)[3:]])
    index = _approximate(settings)
    _synthetic(index, 400)
    builder = index.engine.builder
    threading.Thread(target=index.settle, args=("acme",), daemon=True).start()
    while builder._process is None:
        time.sleep(0.05)
    started = time.monotonic()
    index.drop("acme")
    assert time.monotonic() - started < 10  # the child is killed, not waited for
    assert list(index.workspaces_with_points()) == []
    assert [p.name for p in index.engine.root.iterdir()] == [".lock"]
    close_all_indexes()


@pytest.mark.slow  # starts the builder's child process
def test_leftovers_of_an_interrupted_rebuild_are_swept(settings):
    """A copy that never took over, and the files a finished one replaced, are deleted at the next open."""
    index = _approximate(settings)
    _synthetic(index, 400)
    assert index.settle("acme", timeout=300)
    close_all_indexes()
    folder = settings.data_dir / EDGE_DIR / collection_name("acme")
    (folder / f"{GENERATION_PREFIX}unfinished" / "segments").mkdir(parents=True)  # killed mid-build
    (folder / "segments").mkdir()  # the replaced shard, not yet deleted
    reopened = _approximate(settings)
    assert reopened.count("acme") == 400
    meta = json.loads((folder / META_FILE).read_text())
    assert sorted(p.name for p in folder.iterdir()) == sorted([META_FILE, meta["shard"]])
    close_all_indexes()


def test_where_approximate_search_starts_is_a_setting(tmp_path, monkeypatch):
    def load():
        return Settings.load(tmp_path / "data", secrets_path=tmp_path / "none.toml").approximate_from

    monkeypatch.delenv("GROUNDED_APPROXIMATE_FROM", raising=False)
    assert load() == 20_000
    monkeypatch.setenv("GROUNDED_APPROXIMATE_FROM", "50_000")
    assert load() == 50_000
    monkeypatch.setenv("GROUNDED_APPROXIMATE_FROM", "0")
    with pytest.raises(GroundedError, match="GROUNDED_APPROXIMATE_FROM must be a whole number above 0"):
        load()
