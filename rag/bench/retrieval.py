"""Retrieval quality on a BEIR dataset: every strategy of the product, and BM25 beside it.

The corpus goes through the product's own steps (structure -> ``chunk_document``
-> MiniLM + BM25 sparse vectors -> the Qdrant index) into a throwaway store,
then every query of the split is run through ``rag.retrieve.retrieve`` with
each strategy. Chunk hits are folded to document ids (max score per
document) and scored against the qrels. A BM25 from a well-known library
(``bm25s``) runs on the same corpus in the same process as a reference.

Extra strategy names (``dbsf-0.6``, ``z-0.7``, ``rrf-0.5``: see ``fusion.py``)
fuse the product's dense and sparse lists in the benchmark, for tuning the
fusion on the train split.

Every query runs with ``threshold=-1`` (no relevance cut: ranking quality is
measured, not the refusal rule) and a depth of 100 chunks for Recall@100.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..types import ChunkSettings, Element, ParsedDocument
from . import fusion
from .beir import BeirDoc, BeirSplit, load_beir
from .common import Target, header, progress, table, target_lines, throwaway_store
from .metrics import bootstrap_ci, fold_to_documents, mean, percentile, ranking_metrics
from .reference import Bm25Reference, reference_available

WORKSPACE = "bench-retrieval"
VERSION = "beir"
METRICS = ("ndcg@10", "recall@10", "recall@100", "mrr@10")
MARKER = "bench-corpus.json"
PRODUCT_STRATEGIES = ("sparse", "dense", "hybrid", "mmr")


@dataclass(frozen=True)
class RetrievalConfig:
    beir: Path
    split: str = "test"
    strategies: tuple[str, ...] = PRODUCT_STRATEGIES
    depth: int = 100  # chunks fetched per query (Recall@100 needs 100)
    limit: int | None = None  # only the first N queries (quick looks; report full runs)
    index_dir: Path | None = None  # keep the index here and reuse it on the next run
    chunking: ChunkSettings = field(default_factory=ChunkSettings)
    target: float = 0.74  # nDCG@10 of the default strategy on the test split
    reference: bool = True


@dataclass
class StrategyRun:
    """Per-query figures of one strategy (kept per query for the bootstrap)."""

    per_query: dict[str, list[float]] = field(default_factory=lambda: {m: [] for m in METRICS})
    latencies_ms: list[float] = field(default_factory=list)

    def add(self, ranked: list[str], qrels: dict[str, float], ms: float) -> None:
        for name, value in ranking_metrics(ranked, qrels).items():
            self.per_query[name].append(value)
        self.latencies_ms.append(ms)

    def summary(self) -> dict:
        out = {m: round(mean(v), 4) for m, v in self.per_query.items()}
        out["p50_ms"] = round(percentile(self.latencies_ms, 50), 2)
        out["ndcg@10_ci"] = [round(x, 4) for x in bootstrap_ci(self.per_query["ndcg@10"])]
        return out


def as_parsed(doc: BeirDoc) -> ParsedDocument:
    """A BEIR record as the Markdown parser would give ``# title`` then the text."""
    path = (doc.title,) if doc.title else ()
    elements = [Element(doc.title, "title", None, path, doc.doc_id)] if doc.title else []
    elements.append(Element(doc.text or doc.title, "text", None, path, doc.doc_id))
    return ParsedDocument(file=doc.doc_id, elements=elements, title=doc.title or None)


def index_corpus(store, corpus: list[BeirDoc], chunking: ChunkSettings, batch_docs: int = 256) -> int:
    """Chunk, embed and store the corpus with the product's functions; returns the chunk count.

    Documents are embedded in large batches (as ``ingest_bytes`` does per
    file) so a 5,000-abstract corpus indexes in minutes, not one file at a time.
    """
    from ..ingest.chunk import chunk_document, embedding_text
    from ..index.sparse import document_vector

    total, started = 0, time.perf_counter()
    for start in range(0, len(corpus), batch_docs):
        chunks = []
        for doc in corpus[start : start + batch_docs]:
            chunks.extend(chunk_document(as_parsed(doc), chunking, doc.doc_id, VERSION))
        texts = [embedding_text(c) for c in chunks]
        dense = store.embeddings.embed_array(texts)
        sparse = [document_vector(t) for t in texts]
        store.index.upsert(WORKSPACE, chunks, dense, sparse, VERSION)
        total += len(chunks)
        done = min(start + batch_docs, len(corpus))
        rate = done / (time.perf_counter() - started)
        progress(f"indexed {done}/{len(corpus)} documents ({total} chunks, {rate:.0f} docs/s)")
    return total


def _corpus_key(config: RetrievalConfig, split: BeirSplit, model_id: str) -> dict:
    digest = hashlib.sha256((Path(config.beir) / "corpus.jsonl").read_bytes()).hexdigest()[:16]
    return {"dataset": split.name, "corpus_sha256": digest, "chunking": config.chunking.as_dict(), "model_id": model_id}


def ensure_index(store, config: RetrievalConfig, split: BeirSplit) -> tuple[int, float, bool]:
    """Index the corpus unless ``index_dir`` already holds this exact one. (chunks, seconds, reused)"""
    key = _corpus_key(config, split, store.embeddings.model_id)
    marker = store.settings.data_dir / MARKER
    if marker.exists():
        saved = json.loads(marker.read_text())
        if {k: saved.get(k) for k in key} == key:
            return saved["chunks"], saved["seconds"], True
        store.index.drop(WORKSPACE)
    started = time.perf_counter()
    chunks = index_corpus(store, split.corpus, config.chunking)
    seconds = time.perf_counter() - started
    marker.write_text(json.dumps({**key, "chunks": chunks, "seconds": round(seconds, 1)}))
    return chunks, round(seconds, 1), False


def product_search(store, strategy: str, depth: int) -> Callable[[str], list[tuple[str, float]]]:
    """A query function over ``rag.retrieve.retrieve`` for one strategy (query embedding included)."""
    from ..types import RetrievalSettings
    from ..answer.retrieve import retrieve

    base = RetrievalSettings()
    settings = RetrievalSettings(strategy=strategy, k=depth, threshold=-1.0, candidates=max(base.candidates, depth))

    def search(query: str) -> list[tuple[str, float]]:
        found = retrieve(store, query, WORKSPACE, settings)
        return [(h.doc_id, h.score) for h in found.hits + found.below_threshold]

    return search


def evaluate(search: Callable[[str], list[tuple[str, float]]], split: BeirSplit, label: str) -> StrategyRun:
    run = StrategyRun()
    timed = getattr(search, "timed", None)  # fusion variants time themselves (their lists are shared)
    for n, (qid, text) in enumerate(split.queries.items(), 1):
        if timed:
            hits, ms = timed(text)
        else:
            started = time.perf_counter()
            hits = search(text)
            ms = (time.perf_counter() - started) * 1000
        run.add([d for d, _ in fold_to_documents(hits)], split.qrels[qid], ms)
        if n % 100 == 0:
            progress(f"{label}: {n}/{len(split.queries)} queries")
    return run


def run(config: RetrievalConfig) -> dict:
    unknown = [s for s in config.strategies if s not in PRODUCT_STRATEGIES and not fusion.parse(s)]
    if unknown:
        raise ValueError(f"Unknown strategy {', '.join(unknown)}; use {', '.join(PRODUCT_STRATEGIES)} or dbsf-W, z-W, rrf-W.")
    split = load_beir(config.beir, config.split)
    if config.limit:
        keep = list(split.queries)[: config.limit]
        split.queries = {q: split.queries[q] for q in keep}
        split.qrels = {q: split.qrels[q] for q in keep}
    result = header("retrieval") | {"dataset": split.name, "split": split.split, "queries": len(split.queries)}
    with throwaway_store(config.index_dir) as store:
        chunks, seconds, reused = ensure_index(store, config, split)
        result["corpus"] = {
            "documents": len(split.corpus),
            "chunks": chunks,
            "index_s": seconds,
            "reused_index": reused,
            "chunking": config.chunking.as_dict(),
            "model": store.embeddings.model_id,
        }
        result["depth"] = config.depth
        result["strategies"] = {}
        cache = fusion.ListCache(store, WORKSPACE, config.depth)
        for strategy in config.strategies:
            spec = fusion.parse(strategy)
            search = fusion.FusedSearch(cache, spec) if spec else product_search(store, strategy, config.depth)
            run_ = evaluate(search, split, strategy)
            result["strategies"][strategy] = run_.summary()
            progress(f"{strategy}: nDCG@10 {result['strategies'][strategy]['ndcg@10']:.4f}")
    result["reference"] = reference_result(split, config.depth) if config.reference else {"skipped": "not requested"}
    targets = []
    if "hybrid" in result["strategies"]:  # the target is the default pipeline's
        value = result["strategies"]["hybrid"]["ndcg@10"]
        targets.append(Target(f"hybrid nDCG@10 on {split.name} {split.split}", value, config.target))
    result["targets"] = [t.as_dict() for t in targets]
    return result


def reference_result(split: BeirSplit, depth: int) -> dict:
    """bm25s on whole documents (title + text), same queries, same metrics."""
    if not reference_available():
        return {"skipped": "bm25s is not installed (pip install 'grounded[bench]')"}
    ref = Bm25Reference.fit([d.doc_id for d in split.corpus], [f"{d.title}\n{d.text}" for d in split.corpus])
    summary = evaluate(lambda q: ref.search(q, depth), split, "bm25s").summary()
    return {"name": ref.name, **summary}


def render(result: dict) -> str:
    """The table printed after a run: one row per strategy, the reference last."""
    def row(name: str, s: dict) -> list:
        return [name, *(s[m] for m in METRICS), f"{s['ndcg@10_ci'][0]:.3f}-{s['ndcg@10_ci'][1]:.3f}", f"{s['p50_ms']:.1f}"]

    rows = [row(name, s) for name, s in result["strategies"].items()]
    ref = result.get("reference") or {}
    if "ndcg@10" in ref:
        rows.append(row(ref["name"], ref))
    corpus = result["corpus"]
    lines = [
        f"{result['dataset']} {result['split']}: {result['queries']} queries, {corpus['documents']} documents "
        f"-> {corpus['chunks']} chunks (indexed in {corpus['index_s']} s{', reused' if corpus['reused_index'] else ''})",
        table(["strategy", *METRICS, "nDCG@10 95% CI", "p50 ms"], rows),
    ]
    if "skipped" in ref:
        lines.append(f"reference: {ref['skipped']}")
    return "\n".join(lines + target_lines(result["targets"]))
