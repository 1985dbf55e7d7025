"""Query latency and memory at scale, on synthetic chunks, through the product's retrieval.

Measures whichever engine the product's ``Index`` runs on (named in the result).

Synthetic chunks stand in for real ones where only scale matters: random
unit vectors (384 dimensions, as MiniLM) and ~160 words drawn from a
Zipf-distributed vocabulary of made-up words, so BM25 posting lists have a
realistic long tail. Sparse vectors come from the product's own
``document_vector``; points go in through ``Index.upsert``.

The index is built in a child process, then a fresh process state opens it
as the app would and serves queries: resident memory then reflects serving,
not the build's leftovers. Each query is timed through
``rag.retrieve.retrieve`` with the product's defaults (query embedding by the
real model + search). Workspace isolation is the product's: one collection
per workspace, so no payload filter is needed; ``--with-filter`` adds a run
with a user metadata filter (kind).
"""

from __future__ import annotations

import multiprocessing
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .common import RssSampler, Target, bench_settings, folder_mb, header, peak_rss_mb, progress, rss_mb, table, target_lines, throwaway_store
from .metrics import mean, percentile

WORKSPACE = "bench-query"
VERSION = "synthetic"
DIMENSION = 384
WORDS_PER_CHUNK = 160
CHUNKS_PER_DOC = 20


@dataclass(frozen=True)
class QueryConfig:
    chunks: int = 10_000
    queries: int = 200
    strategies: tuple[str, ...] = ("hybrid", "dense", "sparse", "mmr")
    with_filter: bool = False
    batch: int = 1000  # chunks per upsert call
    vocabulary: int = 30_000
    seed: int = 5
    index_dir: Path | None = None  # keep (and reuse) the built index here
    target_p95_ms: float = 50.0
    target_rss_mb: float = 1500.0


def vocabulary(size: int, seed: int) -> list[str]:
    """Distinct made-up words (consonant-vowel syllables), the same for a given seed."""
    import numpy as np

    rng = np.random.default_rng(seed)
    consonants, vowels = list("bdfgklmnprstvz"), list("aeiou")
    words: dict[str, None] = {}
    while len(words) < size:
        syllables = rng.integers(2, 5)
        word = "".join(consonants[rng.integers(14)] + vowels[rng.integers(5)] for _ in range(syllables))
        words.setdefault(word, None)
    return list(words)


def zipf_weights(size: int, exponent: float = 1.07):
    import numpy as np

    w = 1.0 / np.arange(1, size + 1) ** exponent
    return w / w.sum()


def synthetic_batch(start: int, count: int, words: list[str], weights, rng):
    """``count`` chunks (with texts), unit dense vectors and BM25 sparse vectors."""
    import numpy as np

    from ..ingest.chunk import chunk_id, content_hash
    from ..index.sparse import document_vector
    from ..types import Chunk

    picks = rng.choice(len(words), size=(count, WORDS_PER_CHUNK), p=weights)
    chunks = []
    for row, i in enumerate(range(start, start + count)):
        text = " ".join(words[j] for j in picks[row])
        doc = f"doc{i // CHUNKS_PER_DOC:06d}"
        chunks.append(Chunk(chunk_id(doc, VERSION, i % CHUNKS_PER_DOC), doc, f"{doc}.txt", i % CHUNKS_PER_DOC, text,
                            pages=[1], content_hash=content_hash(text), tokens=WORDS_PER_CHUNK * 2))
    dense = rng.standard_normal((count, DIMENSION)).astype(np.float32)
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    sparse = [document_vector(c.text) for c in chunks]
    return chunks, dense, sparse


def build_index(data_dir: str, config: QueryConfig) -> dict:
    """Fill the workspace with synthetic chunks (run in a child process); returns build figures."""
    import numpy as np

    words = vocabulary(config.vocabulary, config.seed)
    weights = zipf_weights(len(words))
    rng = np.random.default_rng(config.seed + 1)
    from ..index.embed import MINILM_DIM, MINILM_ID
    from ..index import open_index as Index, close_index as close_client

    upsert_s = 0.0
    started = time.perf_counter()
    # The index alone: the vectors are synthetic, so the embedding model is not loaded here.
    # The collection records the model id, and the serving side opens it with the real model.
    settings = bench_settings(Path(data_dir))
    index = Index(settings, MINILM_ID, MINILM_DIM)
    try:
        for start in range(0, config.chunks, config.batch):
            count = min(config.batch, config.chunks - start)
            chunks, dense, sparse = synthetic_batch(start, count, words, weights, rng)
            t0 = time.perf_counter()
            index.upsert(WORKSPACE, chunks, dense, sparse, VERSION)
            upsert_s += time.perf_counter() - t0
            done = start + count
            progress(f"built {done}/{config.chunks} chunks ({done / upsert_s:.0f} points/s upsert, "
                     f"{time.perf_counter() - started:.0f} s)")
        count = index.count(WORKSPACE)
    finally:
        close_client(settings)
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "upsert_points_per_s": round(config.chunks / upsert_s, 1) if upsert_s else 0.0,
        "points": count,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def _existing_points(folder: Path) -> int:
    """Points already in a kept index folder (0 if none): lets a run reuse a 100k build."""
    if not folder.exists() or not any(folder.iterdir()):
        return 0
    with throwaway_store(folder) as store:
        return store.index.count(WORKSPACE)


def engine_name(index) -> str:
    """Which engine the product's index runs on, for the report (the figures mean little without it)."""
    kind = type(index).__name__
    if getattr(index, "remote", False):
        return "qdrant server"
    if kind == "QdrantIndex":  # qdrant_client over a folder: its pure-Python local mode
        return "qdrant-client local mode (embedded)"
    return f"{kind} (embedded)"


def queries_for(config: QueryConfig) -> list[str]:
    """Short queries (2-6 words) drawn from the same vocabulary and distribution."""
    import numpy as np

    words = vocabulary(config.vocabulary, config.seed)
    weights = zipf_weights(len(words))
    rng = np.random.default_rng(config.seed + 2)
    return [" ".join(words[j] for j in rng.choice(len(words), size=rng.integers(2, 7), p=weights))
            for _ in range(config.queries)]


def time_strategy(store, queries: list[str], strategy: str, where=None) -> list[float]:
    from ..types import RetrievalSettings
    from ..answer.retrieve import retrieve
    from ..types import SearchFilter

    settings = RetrievalSettings(strategy=strategy, where=where or SearchFilter())
    for q in queries[:5]:  # warm-up, not counted
        retrieve(store, q, WORKSPACE, settings)
    times = []
    for q in queries:
        started = time.perf_counter()
        retrieve(store, q, WORKSPACE, settings)
        times.append((time.perf_counter() - started) * 1000)
    return times


def latency_summary(times: list[float]) -> dict:
    return {
        "p50_ms": round(percentile(times, 50), 2),
        "p95_ms": round(percentile(times, 95), 2),
        "p99_ms": round(percentile(times, 99), 2),
        "mean_ms": round(mean(times), 2),
    }


def measure_serving(folder: Path, config: QueryConfig) -> dict:
    """Open the built index as the app would, then time every strategy and watch memory."""
    from ..types import SearchFilter

    queries = queries_for(config)
    out: dict = {"rss_before_open_mb": round(rss_mb(), 1)}
    started = time.perf_counter()
    with throwaway_store(folder) as store:
        store.embeddings.embed_query("warm up")  # the model loads once per process, as in the app
        out["engine"] = engine_name(store.index)
        out["open_s"] = round(time.perf_counter() - started, 2)
        out["rss_after_open_mb"] = round(rss_mb(), 1)
        strategies = {}
        with RssSampler() as sampler:
            for strategy in config.strategies:
                strategies[strategy] = latency_summary(time_strategy(store, queries, strategy))
                progress(f"{strategy}: p95 {strategies[strategy]['p95_ms']} ms")
            if config.with_filter:
                times = time_strategy(store, queries[:20], "hybrid", SearchFilter(kinds=("other",)))
                strategies["hybrid+kind filter"] = latency_summary(times)
            embed_times = []
            for q in queries[:100]:
                t0 = time.perf_counter()
                store.embeddings.embed_query(q)
                embed_times.append((time.perf_counter() - t0) * 1000)
    out["strategies"] = strategies
    out["embed_p50_ms"] = round(percentile(embed_times, 50), 2)
    out["rss_mb"] = round(sampler.peak, 1)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    out["index_mb"] = round(folder_mb(folder), 1)  # the data folder: the index and an empty catalog
    return out


def run(config: QueryConfig) -> dict:
    folder = Path(config.index_dir) if config.index_dir else Path(tempfile.mkdtemp(prefix="grounded-bench-query-"))
    result = header("query") | {
        "isolation": "one collection per workspace (no payload filter)",
        "chunks": config.chunks,
        "queries": config.queries,
    }
    try:
        if _existing_points(folder) == config.chunks:
            result["build"] = {"reused": True}
        else:
            shutil.rmtree(folder, ignore_errors=True)  # a kept index of another size
            folder.mkdir(parents=True)
            progress(f"building {config.chunks} synthetic chunks in a child process...")
            with multiprocessing.get_context("spawn").Pool(1) as pool:
                result["build"] = pool.apply(build_index, (str(folder), config))
        result |= measure_serving(folder, config)
    finally:
        if config.index_dir is None:
            shutil.rmtree(folder, ignore_errors=True)
    default = "hybrid" if "hybrid" in result["strategies"] else next(iter(result["strategies"]))
    result["targets"] = [
        Target(f"{default} p95 at {config.chunks} chunks", result["strategies"][default]["p95_ms"],
               config.target_p95_ms, "<=", "ms").as_dict(),
        Target(f"resident memory serving {config.chunks} chunks", result["rss_mb"], config.target_rss_mb, "<=", "MB").as_dict(),
    ]
    return result


def render(result: dict) -> str:
    rows = [[name, s["p50_ms"], s["p95_ms"], s["p99_ms"], s["mean_ms"]] for name, s in result["strategies"].items()]
    build = result["build"]
    built = ("reused a kept index" if build.get("reused") else
             f"built in {build['seconds']} s ({build['upsert_points_per_s']} points/s upsert, "
             f"build peak RSS {build['peak_rss_mb']} MB)")
    lines = [
        f"{result['chunks']} chunks, {result['queries']} queries per strategy; {result['engine']}, {result['isolation']}",
        built,
        table(["strategy", "p50 ms", "p95 ms", "p99 ms", "mean ms"], rows),
        f"query embedding alone p50 {result['embed_p50_ms']} ms; open {result['open_s']} s; "
        f"resident serving {result['rss_mb']} MB (peak {result['peak_rss_mb']} MB); index on disk {result['index_mb']} MB",
    ]
    return "\n".join(lines + target_lines(result["targets"]))
