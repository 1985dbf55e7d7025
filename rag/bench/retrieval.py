"""Retrieval quality on a BEIR dataset: every strategy of the product, and BM25 beside it.

The corpus goes through the product's own steps (structure -> ``chunk_document``
-> MiniLM + BM25 sparse vectors -> the Qdrant index) into a throwaway store,
then every query of the split is run through ``rag.retrieve.retrieve`` with
each strategy. Chunk hits are folded to document ids (max score per
document) and scored against the qrels. A BM25 from a well-known library
(``bm25s``) runs on the same corpus in the same process as a reference.

Extra strategy names (``dbsf-0.6``, ``z-0.7``, ``rrf-0.5``, with ``+agg-B`` or
``+rare-P``: see ``fusion.py``) fuse the product's dense and sparse lists in
the benchmark, for tuning ranking on the train split. What is indexed can be
tried too: the document's title beside its heading path (``title``), the
weight of heading words in BM25 (``heading_weight``), and how a BEIR corpus's
titles reach the product (``titles``: as the first heading, as the Markdown
parser makes them; as the document's title only, as a PDF's; or not at all).

A folder of ORD-QA or ORD-MMBench (``ordqa.py``: OpenROAD documentation, a technical set held out
from every decision) is read as it is published, its sections through the product's Markdown parser.

``--help-center`` runs the same on the built-in help center
(``help_center_set.py``) instead of a BEIR folder: ``--split`` is ``all``,
``first-half`` or ``second-half`` of its questions.

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
from . import fusion, ordqa
from .beir import BeirDoc, BeirSplit, load_beir
from .common import Target, header, progress, table, target_lines, throwaway_store
from .metrics import bootstrap_ci, fold_to_documents, mean, percentile, ranking_metrics
from .reference import Bm25Reference, reference_available

WORKSPACE = "bench-retrieval"
VERSION = "beir"
METRICS = ("ndcg@10", "recall@10", "recall@100", "mrr@10")
MARKER = "bench-corpus.json"
PRODUCT_STRATEGIES = ("sparse", "dense", "hybrid", "mmr")


TITLES = ("heading", "document", "none")
HELP_CENTER_SPLITS = ("all", "first-half", "second-half")


@dataclass(frozen=True)
class RetrievalConfig:
    beir: Path | None  # None: the built-in help center
    split: str = "test"
    strategies: tuple[str, ...] = PRODUCT_STRATEGIES
    depth: int = 100  # chunks fetched per query (Recall@100 needs 100)
    limit: int | None = None  # only the first N queries (quick looks; report full runs)
    index_dir: Path | None = None  # keep the index here and reuse it on the next run
    chunking: ChunkSettings = field(default_factory=ChunkSettings)
    target: float = 0.74  # nDCG@10 of the default strategy on the test split
    reference: bool = True
    title: bool = False  # the document's title also in what is embedded and keyword-indexed
    heading_weight: float = 1.0  # weight of title and heading words in the BM25 vector
    titles: str = "heading"  # how a BEIR corpus's titles reach the product (see TITLES)
    embedding_cache: Path | None = None  # passage vectors kept here by text, reused across runs and indexes

    @property
    def dataset(self) -> str:
        if self.beir is None:
            return "help-center"
        return found[0] if (found := ordqa.layout(self.beir)) else Path(self.beir).name


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


def as_parsed(doc: BeirDoc, titles: str = "heading") -> ParsedDocument:
    """A BEIR record as a parser would give it: ``titles`` says where its title goes (see :data:`TITLES`).

    ``heading``: ``# title`` then the text, as the Markdown parser reads it; ``document``:
    the title known only as the document's (a PDF's or Word file's metadata); ``none``: no title.
    """
    path = (doc.title,) if doc.title and titles == "heading" else ()
    elements = [Element(doc.title, "title", None, path, doc.doc_id)] if path else []
    elements.append(Element(doc.text or doc.title, "text", None, path, doc.doc_id))
    return ParsedDocument(file=doc.doc_id, elements=elements, title=(doc.title or None) if titles != "none" else None)


def parsed_corpus(config: RetrievalConfig, split: BeirSplit) -> list[tuple[str, ParsedDocument]]:
    """The split's documents (id, parsed) as the product's parsers would give them."""
    if config.beir is None:
        from ..parse.web import parse_html_text
        from .help_center_set import ARTICLES, article_html

        return [(a.key, parse_html_text(article_html(a), f"{a.key}.html")) for a in ARTICLES]
    if ordqa.layout(config.beir):
        return ordqa.parsed_corpus(split)
    return [(doc.doc_id, as_parsed(doc, config.titles)) for doc in split.corpus]


class EmbeddingCache:
    """Passage vectors by text, on disk: trials that change what is keyword-indexed don't embed again."""

    def __init__(self, model, folder: Path | None):
        self.model = model
        self.path = Path(folder) / f"{model.model_id.replace('/', '_')}.npz" if folder else None
        self.vectors: dict[str, object] = {}
        if self.path and self.path.exists():
            import numpy as np

            with np.load(self.path) as saved:
                self.vectors = dict(zip(saved["keys"].tolist(), saved["vectors"]))

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]

    def embed_array(self, texts: list[str]):
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if self.key(t) not in self.vectors]
        if missing:
            for text, vector in zip(missing, self.model.embed_array(missing)):
                self.vectors[self.key(text)] = vector
        return np.stack([self.vectors[self.key(t)] for t in texts]) if texts else np.zeros((0, self.model.dimension))

    def save(self) -> None:
        if self.path is None:
            return
        import numpy as np

        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = list(self.vectors)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=np.stack([self.vectors[k] for k in keys]))
        tmp.replace(self.path)


def index_corpus(store, documents: list[tuple[str, ParsedDocument]], config: RetrievalConfig, batch_docs: int = 256) -> int:
    """Chunk, embed and store the corpus with the product's functions; returns the chunk count.

    Documents are embedded in large batches (as ``ingest_bytes`` does per
    file) so a 5,000-abstract corpus indexes in minutes, not one file at a time.
    """
    from ..index.sparse import document_vector
    from ..ingest.chunk import chunk_document, embedding_text, heading_text

    cache = EmbeddingCache(store.embeddings, config.embedding_cache)
    total, started = 0, time.perf_counter()
    for start in range(0, len(documents), batch_docs):
        chunks, titles = [], []
        for doc_id, parsed in documents[start : start + batch_docs]:
            found = chunk_document(parsed, config.chunking, doc_id, VERSION)
            chunks.extend(found)
            titles.extend([parsed.title if config.title else None] * len(found))
        texts = [embedding_text(c, t) for c, t in zip(chunks, titles)]
        dense = cache.embed_array(texts)
        sparse = [document_vector(c.text, heading_text(c, t), config.heading_weight) for c, t in zip(chunks, titles)]
        store.index.upsert(WORKSPACE, chunks, dense, sparse, VERSION)
        total += len(chunks)
        done = min(start + batch_docs, len(documents))
        rate = done / (time.perf_counter() - started)
        progress(f"indexed {done}/{len(documents)} documents ({total} chunks, {rate:.0f} docs/s)")
    cache.save()
    return total


def _corpus_key(config: RetrievalConfig, documents: list[tuple[str, ParsedDocument]], model_id: str) -> dict:
    digest = hashlib.sha256(json.dumps([[i, *(e.text for e in d.elements)] for i, d in documents]).encode()).hexdigest()[:16]
    return {"dataset": config.dataset, "corpus_sha256": digest, "chunking": config.chunking.as_dict(), "model_id": model_id,
            "title": config.title, "heading_weight": config.heading_weight, "titles": config.titles}


def ensure_index(store, config: RetrievalConfig, split: BeirSplit) -> tuple[int, float, bool]:
    """Index the corpus unless ``index_dir`` already holds this exact one. (chunks, seconds, reused)"""
    documents = parsed_corpus(config, split)
    key = _corpus_key(config, documents, store.embeddings.model_id)
    marker = store.settings.data_dir / MARKER
    if marker.exists():
        saved = json.loads(marker.read_text())
        if {k: saved.get(k) for k in key} == key:
            return saved["chunks"], saved["seconds"], True
        store.index.drop(WORKSPACE)
    started = time.perf_counter()
    chunks = index_corpus(store, documents, config)
    seconds = time.perf_counter() - started
    marker.write_text(json.dumps({**key, "chunks": chunks, "seconds": round(seconds, 1)}))
    return chunks, round(seconds, 1), False


def answering(name: str) -> tuple[str, int] | None:
    """``hybrid@50`` -> ("hybrid", 50): a product strategy as it runs when answering, fusing that many candidates."""
    strategy, at, depth = name.partition("@")
    return (strategy, int(depth)) if at and strategy in PRODUCT_STRATEGIES and depth.isdigit() and int(depth) > 0 else None


def product_search(store, strategy: str, depth: int) -> Callable[[str], list[tuple[str, float]]]:
    """A query function over ``rag.retrieve.retrieve`` for one strategy (query embedding included).

    ``hybrid@N``: as the product answers with ``RetrievalSettings.candidates`` = N: at most N passages
    (answers ask for up to 50), each list N deep before fusion. Plain ``hybrid`` fuses ``depth`` a list.
    """
    from ..answer.retrieve import retrieve
    from ..types import RetrievalSettings

    base = RetrievalSettings()
    if (as_answered := answering(strategy)) is not None:
        strategy, candidates = as_answered
        settings = RetrievalSettings(strategy=strategy, k=min(depth, candidates), threshold=-1.0, candidates=candidates)
    else:
        settings = RetrievalSettings(strategy=strategy, k=depth, threshold=-1.0, candidates=max(base.candidates, depth))

    def search(query: str) -> list[tuple[str, float]]:
        found = retrieve(store, query, WORKSPACE, settings, user=None)
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
    unknown = [s for s in config.strategies if s not in PRODUCT_STRATEGIES and not fusion.parse(s) and not answering(s)]
    if unknown:
        raise ValueError(f"Unknown strategy {', '.join(unknown)}; use {', '.join(PRODUCT_STRATEGIES)}, hybrid@N (as answers "
                         "run, N candidates a list) or dbsf-W, z-W, rrf-W.")
    if config.beir is None:
        split = load_help_center(config.split)
    else:
        split = ordqa.load(config.beir, config.split) if ordqa.layout(config.beir) else load_beir(config.beir, config.split)
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
            "title": config.title,
            "heading_weight": config.heading_weight,
            "titles": config.titles,
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
    if "hybrid" in result["strategies"] and config.beir is not None:  # the target is the default pipeline's, on BEIR
        value = result["strategies"]["hybrid"]["ndcg@10"]
        targets.append(Target(f"hybrid nDCG@10 on {split.name} {split.split}", value, config.target))
    result["targets"] = [t.as_dict() for t in targets]
    return result


def load_help_center(split: str) -> BeirSplit:
    """The built-in help center as a split: every article, and all its questions or one half of them."""
    from .help_center_set import ARTICLES, QUESTIONS, halves

    if split not in HELP_CENTER_SPLITS:
        raise ValueError(f"The help center's splits are {', '.join(HELP_CENTER_SPLITS)}, not {split!r}.")
    questions = {"all": list(QUESTIONS), "first-half": halves()[0], "second-half": halves()[1]}[split]
    corpus = [BeirDoc(a.key, a.title, "\n".join(p for _, paragraphs in a.sections for p in paragraphs)) for a in ARTICLES]
    queries = {f"q{n}": text for n, (text, _) in enumerate(questions)}
    qrels = {f"q{n}": {key: 1.0 for key in keys} for n, (_, keys) in enumerate(questions)}
    return BeirSplit("help-center", split, corpus, queries, qrels)


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
