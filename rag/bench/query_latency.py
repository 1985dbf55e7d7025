"""Query latency, recall and memory at scale, on synthetic chunks, through the product's retrieval.

Measures whichever engine the product's ``Index`` runs on (named in the result).

Synthetic chunks stand in for real ones where only scale matters: ~160 words
drawn from a Zipf-distributed vocabulary of made-up words, so BM25 posting
lists have a realistic long tail (sparse vectors from the product's own
``document_vector``), and dense vectors (384 dimensions, as MiniLM) spread the
way sentence embeddings are: around topic centres in a space of few
dimensions (:data:`LATENT`), plus a little noise in all 384. Random unit
vectors would not do: any two of them are nearly orthogonal, which no
embedding model produces and which defeats any graph index (recall@10 0.10
at 100,000 in a trial). The spread is calibrated on real MiniLM passages
(docs/benchmarks.md). Each chunk also has a kind, a date and a file, so
filtered queries can be measured.

The index is built in a child process through ``Index.upsert``, then
``Index.settle`` builds its approximate index (timed); a fresh process state
opens it as the app would and serves queries: resident memory then reflects
serving, not the build's leftovers. Each query goes through
``rag.answer.retrieve.retrieve`` with the product's defaults: its text is
embedded by the real model (that time counts, as in the app), then searched
with a vector drawn like the chunks', so the index sees queries shaped like
its data. Recall@10 compares the same queries searched the product's way and
exactly (``exact=True``: every vector at full precision), in the same run.

``--burn N`` loads the machine on purpose while serving is measured: N
processes spin the CPU, each stopped after ``burn_limit_s`` at the latest.

``--candidates 50,100`` times each strategy at each fusion depth
(``RetrievalSettings.candidates``: how many of each list are fused, MMR's
pool) in the same run, alternating which goes first query by query, so a
noisy shared machine weighs on both alike; each row is named
``strategy@depth``, and recall@10 is checked at each depth.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from .common import (
    RssSampler,
    Target,
    bench_settings,
    folder_mb,
    header,
    peak_rss_mb,
    progress,
    rss_mb,
    table,
    target_lines,
    throwaway_store,
)
from .metrics import mean, percentile

WORKSPACE = "bench-query"
VERSION = "synthetic"
DIMENSION = 384
WORDS_PER_CHUNK = 160
CHUNKS_PER_DOC = 20
# Calibrated on MiniLM passages of SciFact (9,074) and its claims as queries: local intrinsic
# dimension 20.8 and relative contrast 1.57 there, 22.7 and 1.58 here at the same size; nearest
# neighbour's cosine 0.64 and tenth's 0.48 there, 0.60 and 0.49 here (docs/benchmarks.md).
LATENT = 32  # dimensions the dense vectors really vary in
TOPICS = 1024  # centres they gather around
TOPIC_SPREAD = 1.0  # spread around a centre, against centres spread 1.0 (in the latent space)
NOISE = 0.5  # noise in all 384 dimensions, against the latent part's norm per dimension
KINDS = (("help", 0.4), ("blog", 0.3), ("sales", 0.2), ("other", 0.1))
DATES = (1_609_459_200.0, 1_767_225_600.0)  # documents dated 2021-01-01 .. 2026-01-01
GENERATOR = 3  # bumped when the chunks change: a kept index of another generator is rebuilt
MARKER = "bench-query.json"
TIES = 20  # exact results fetched past the 10th, to see those tied with it
TIE = 1e-6


@dataclass(frozen=True)
class QueryConfig:
    chunks: int = 10_000
    queries: int = 200
    strategies: tuple[str, ...] = ("hybrid", "dense", "sparse", "mmr")
    filters: bool = True  # also time and check filtered queries (kind, date range, files)
    recall_queries: int = 100
    burn: int = 0  # processes spinning the CPU while serving is measured
    burn_limit_s: float = 3600.0
    batch: int = 1000  # chunks per upsert call
    vocabulary: int = 30_000
    seed: int = 5
    index_dir: Path | None = None  # keep (and reuse) the built index here
    target_p95_ms: float = 50.0
    target_rss_mb: float | None = None  # None: 1.5 GB up to 100,000 chunks, 2.5 GB above
    target_recall: float = 0.98
    candidates: tuple[int, ...] = ()  # fusion depths compared in one run (empty: the product's default only)

    @property
    def rss_goal(self) -> float:
        return self.target_rss_mb or (1500.0 if self.chunks <= 100_000 else 2500.0)


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


class VectorSpace:
    """Where the dense vectors come from: topic centres in :data:`LATENT` dimensions, mapped into 384."""

    def __init__(self, seed: int):
        import numpy as np

        rng = np.random.default_rng(seed + 10)
        self.basis = rng.standard_normal((DIMENSION, LATENT)).astype(np.float32) / np.sqrt(LATENT)
        self.centres = rng.standard_normal((TOPICS, LATENT)).astype(np.float32)

    def draw(self, count: int, rng):
        """``count`` unit vectors: a topic, a point around it, mapped into 384 dimensions, a little noise."""
        import numpy as np

        latent = self.centres[rng.integers(TOPICS, size=count)]
        latent = latent + TOPIC_SPREAD * rng.standard_normal((count, LATENT)).astype(np.float32)
        vectors = latent @ self.basis.T
        vectors += NOISE * rng.standard_normal((count, DIMENSION)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def document_facts(doc: int, seed: int) -> tuple[str, float]:
    """A document's kind and date, the same for every chunk of it."""
    import numpy as np

    rng = np.random.default_rng((seed, doc))
    kinds, shares = zip(*KINDS)
    return str(rng.choice(kinds, p=shares)), float(rng.uniform(*DATES))


def doc_file(doc: int) -> str:
    return f"doc{doc:07d}.txt"


def synthetic_batch(start: int, count: int, words: list[str], weights, rng, space: VectorSpace, seed: int):
    """``count`` chunks (with texts, kinds, dates), their dense vectors and BM25 sparse vectors."""
    from ..index.sparse import document_vector
    from ..ingest.chunk import chunk_id, content_hash
    from ..types import Chunk

    picks = rng.choice(len(words), size=(count, WORDS_PER_CHUNK), p=weights)
    chunks = []
    for row, i in enumerate(range(start, start + count)):
        text = " ".join(words[j] for j in picks[row])
        doc = i // CHUNKS_PER_DOC
        kind, date = document_facts(doc, seed)
        doc_id = f"doc{doc:07d}"
        chunks.append(Chunk(chunk_id(doc_id, VERSION, i % CHUNKS_PER_DOC), doc_id, doc_file(doc), i % CHUNKS_PER_DOC,
                            text, pages=[1], content_hash=content_hash(text), tokens=WORDS_PER_CHUNK * 2,
                            kind=kind, date=date))
    dense = space.draw(count, rng)
    sparse = [document_vector(c.text) for c in chunks]
    return chunks, dense, sparse


def build_index(data_dir: str, config: QueryConfig) -> dict:
    """Fill the workspace with synthetic chunks, then build its index (run in a child process); build figures."""
    import resource

    import numpy as np

    from ..index import close_index, open_index
    from ..index.embed import MINILM_DIM, MINILM_ID

    words = vocabulary(config.vocabulary, config.seed)
    weights = zipf_weights(len(words))
    rng = np.random.default_rng(config.seed + 1)
    space = VectorSpace(config.seed)
    upsert_s = 0.0
    started = time.perf_counter()
    # The index alone: the vectors are synthetic, so the embedding model is not loaded here.
    # The collection records the model id, and the serving side opens it with the real model.
    settings = bench_settings(Path(data_dir))
    index = open_index(settings, MINILM_ID, MINILM_DIM)
    try:
        for start in range(0, config.chunks, config.batch):
            count = min(config.batch, config.chunks - start)
            chunks, dense, sparse = synthetic_batch(start, count, words, weights, rng, space, config.seed)
            t0 = time.perf_counter()
            index.upsert(WORKSPACE, chunks, dense, sparse, VERSION)
            upsert_s += time.perf_counter() - t0
            done = start + count
            progress(f"built {done}/{config.chunks} chunks ({done / upsert_s:.0f} points/s upsert, "
                     f"{time.perf_counter() - started:.0f} s)")
        filled = time.perf_counter()
        progress(f"building the approximate index (load average {_load()})...")
        settled = index.settle(WORKSPACE)
        index_s = time.perf_counter() - filled
        count = index.count(WORKSPACE)
        steps = getattr(getattr(getattr(index, "engine", None), "builder", None), "last", {})
    finally:
        close_index(settings)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "upsert_points_per_s": round(config.chunks / upsert_s, 1) if upsert_s else 0.0,
        "index_s": round(index_s, 1),
        "index_settled": settled,
        "index_steps": next(iter(steps.values()), {}),  # copy, build (child process), switch
        "index_builder_peak_rss_mb": round(children.ru_maxrss * 1024 / 1e6, 1),
        "index_builder_cpu_s": round(children.ru_utime + children.ru_stime, 1),
        "approximate_from": settings.approximate_from,
        "points": count,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "load_average_after": _load(),
    }


def _build_key(config: QueryConfig) -> dict:
    return {"chunks": config.chunks, "generator": GENERATOR, "seed": config.seed, "vocabulary": config.vocabulary}


def _kept(folder: Path, config: QueryConfig) -> dict | None:
    """The build figures of an index kept in ``folder`` from the same chunks, if there is one."""
    try:
        saved = json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return None
    return saved if saved.get("key") == _build_key(config) else None


def engine_name(index) -> str:
    """Which engine the product's index runs on, for the report (the figures mean little without it)."""
    kind = type(index).__name__
    if getattr(index, "remote", False):
        return "qdrant server"
    if kind == "QdrantIndex":  # qdrant_client over a folder: its pure-Python local mode
        return "qdrant-client local mode (embedded)"
    return f"{kind} (embedded)"


def queries_for(config: QueryConfig) -> list[tuple[str, list[float]]]:
    """Short queries (2-6 words, same vocabulary and distribution) with a dense vector drawn like the chunks'."""
    import numpy as np

    words = vocabulary(config.vocabulary, config.seed)
    weights = zipf_weights(len(words))
    rng = np.random.default_rng(config.seed + 2)
    texts = [" ".join(words[j] for j in rng.choice(len(words), size=rng.integers(2, 7), p=weights))
             for _ in range(config.queries)]
    vectors = VectorSpace(config.seed).draw(len(texts), rng)
    return list(zip(texts, (v.tolist() for v in vectors)))


class SyntheticQueryVectors:
    """The store's embedding model, embedding each query as usual (its time counts), then answering the query's synthetic vector."""

    def __init__(self, model, vectors: dict[str, list[float]]):
        self._model = model
        self._vectors = vectors

    def __getattr__(self, name):
        return getattr(self._model, name)

    def embed_query(self, text: str):
        self._model.embed_query(text)
        return self._vectors[text]


def filters_for(config: QueryConfig) -> dict:
    """The filtered queries measured: a kind, the last year, and three files."""
    from ..types import SearchFilter

    docs = max(1, config.chunks // CHUNKS_PER_DOC)
    return {
        "kind=blog": SearchFilter(kinds=("blog",)),
        "last year": SearchFilter(date_from=DATES[1] - 365 * 86400.0, date_to=DATES[1]),
        "3 files": SearchFilter(files=tuple(doc_file(d) for d in (1, docs // 2, docs - 1))),
    }


def time_strategy(store, queries: list[str], strategy: str, where=None) -> list[float]:
    from ..answer.retrieve import retrieve
    from ..types import RetrievalSettings, SearchFilter

    settings = RetrievalSettings(strategy=strategy, where=where or SearchFilter())
    for q in queries[:5]:  # warm-up, not counted
        retrieve(store, q, WORKSPACE, settings, user=None)
    times = []
    for q in queries:
        started = time.perf_counter()
        retrieve(store, q, WORKSPACE, settings, user=None)
        times.append((time.perf_counter() - started) * 1000)
    return times


def time_depths(store, queries: list[str], strategy: str, depths: tuple[int, ...], where=None) -> dict[int, list[float]]:
    """Each query at every fusion depth in turn (the order alternating query by query): {depth: times in ms}."""
    from ..answer.retrieve import retrieve
    from ..types import RetrievalSettings, SearchFilter

    settings = {d: RetrievalSettings(strategy=strategy, where=where or SearchFilter(), candidates=d) for d in depths}
    for q in queries[:5]:  # warm-up, not counted
        for d in depths:
            retrieve(store, q, WORKSPACE, settings[d], user=None)
    times: dict[int, list[float]] = {d: [] for d in depths}
    for n, q in enumerate(queries):
        for d in (depths if n % 2 == 0 else tuple(reversed(depths))):
            started = time.perf_counter()
            retrieve(store, q, WORKSPACE, settings[d], user=None)
            times[d].append((time.perf_counter() - started) * 1000)
    return times


def recall_at_10(index, queries: list[tuple[str, list[float]]], strategy: str, where=None, candidates: int | None = None) -> float:
    """Share of the exact top 10 that the product's (approximate) search also returns, averaged over queries.

    Ties count: a result scoring the same as the exact 10th (synthetic chunks often tie on
    BM25) is as right as the one exact search happened to list.
    """
    from ..index.sparse import query_vector

    shares = []
    for text, vector in queries:
        sparse = query_vector(text)
        depth = {"candidates": candidates} if candidates else {}  # fused at the same depth both ways
        found = index.search(WORKSPACE, strategy, vector, sparse, k=10, where=where, **depth)
        exact = index.search(WORKSPACE, strategy, vector, sparse, k=10 + TIES, where=where, exact=True, **depth)
        if not exact:
            continue
        tenth = exact[min(9, len(exact) - 1)].score
        right = {h.chunk_id for h in exact if h.score >= tenth - TIE}
        shares.append(len({h.chunk_id for h in found} & right) / min(10, len(exact)))
    return round(mean(shares), 4) if shares else 1.0


def latency_summary(times: list[float]) -> dict:
    return {
        "p50_ms": round(percentile(times, 50), 2),
        "p95_ms": round(percentile(times, 95), 2),
        "p99_ms": round(percentile(times, 99), 2),
        "mean_ms": round(mean(times), 2),
    }


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _burn(deadline: float) -> None:
    """Spin one core until ``deadline`` (a process of the CPU burner)."""
    spins = 0
    while True:
        spins += 1
        if spins % 100_000 == 0 and time.time() > deadline:
            return


@contextmanager
def cpu_burner(processes: int, limit_s: float):
    """``processes`` processes spinning the CPU for the block (each stops by itself after ``limit_s``)."""
    if processes <= 0:
        yield
        return
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_burn, args=(time.time() + limit_s,), daemon=True) for _ in range(processes)]
    for w in workers:
        w.start()
    try:
        yield
    finally:
        for w in workers:
            w.terminate()
            w.join()


def measure_serving(folder: Path, config: QueryConfig) -> dict:
    """Open the built index as the app would, then time every strategy, check recall and watch memory."""
    queries = queries_for(config)
    texts = [t for t, _ in queries]
    checked = queries[: config.recall_queries]
    out: dict = {"rss_before_open_mb": round(rss_mb(), 1)}
    started = time.perf_counter()
    with throwaway_store(folder) as store:
        store.embeddings.embed_query("warm up")  # the model loads once per process, as in the app
        out["engine"] = engine_name(store.index)
        out["open_s"] = round(time.perf_counter() - started, 2)
        out["rss_after_open_mb"] = round(rss_mb(), 1)
        store.embeddings = SyntheticQueryVectors(store.embeddings, dict(queries))
        strategies, recall = {}, {}
        with cpu_burner(config.burn, config.burn_limit_s), RssSampler() as sampler:
            out["load_average_before"] = _load()
            for strategy in config.strategies:
                if config.candidates:
                    for depth, times in time_depths(store, texts, strategy, config.candidates).items():
                        strategies[f"{strategy}@{depth}"] = latency_summary(times)
                        progress(f"{strategy}@{depth}: p95 {strategies[f'{strategy}@{depth}']['p95_ms']} ms")
                    continue
                strategies[strategy] = latency_summary(time_strategy(store, texts, strategy))
                progress(f"{strategy}: p95 {strategies[strategy]['p95_ms']} ms")
            if config.filters and config.candidates:
                for label, where in filters_for(config).items():
                    for depth, times in time_depths(store, texts[:50], "hybrid", config.candidates, where).items():
                        strategies[f"hybrid@{depth}, {label}"] = latency_summary(times)
            elif config.filters:
                for label, where in filters_for(config).items():
                    strategies[f"hybrid, {label}"] = latency_summary(time_strategy(store, texts[:50], "hybrid", where))
                    progress(f"hybrid, {label}: p95 {strategies[f'hybrid, {label}']['p95_ms']} ms")
            embed_times = []
            for q in texts[:100]:
                t0 = time.perf_counter()
                store.embeddings.embed_query(q)
                embed_times.append((time.perf_counter() - t0) * 1000)
            out["load_average_after"] = _load()
        for strategy in ("dense", "hybrid"):
            for depth in config.candidates:
                recall[f"{strategy}@{depth}"] = recall_at_10(store.index, checked, strategy, candidates=depth)
            if not config.candidates:
                recall[strategy] = recall_at_10(store.index, checked, strategy)
        if config.filters and not config.candidates:
            for label, where in filters_for(config).items():
                recall[f"hybrid, {label}"] = recall_at_10(store.index, checked[:50], "hybrid", where)
        progress(f"recall@10 against exact search: {recall}")
    out["strategies"] = strategies
    out["recall_at_10"] = recall
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
        "burn": config.burn,
        "vectors": {"latent": LATENT, "topics": TOPICS, "topic_spread": TOPIC_SPREAD, "noise": NOISE},
    }
    try:
        kept = _kept(folder, config)
        if kept:
            result["build"] = {**kept["build"], "reused": True}
        else:
            shutil.rmtree(folder, ignore_errors=True)  # a kept index of other chunks
            folder.mkdir(parents=True)
            progress(f"building {config.chunks} synthetic chunks in a child process (load average {_load()})...")
            with multiprocessing.get_context("spawn").Pool(1) as pool:
                result["build"] = pool.apply(build_index, (str(folder), config))
            (folder / MARKER).write_text(json.dumps({"key": _build_key(config), "build": result["build"]}))
        result |= measure_serving(folder, config)
    finally:
        if config.index_dir is None:
            shutil.rmtree(folder, ignore_errors=True)
    result["config"] = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()}
    hybrids = [f"hybrid@{d}" for d in config.candidates] if config.candidates else ["hybrid"]
    hybrids = [h for h in hybrids if h in result["strategies"]] or [next(iter(result["strategies"]))]
    loaded = f", {config.burn} CPU burners" if config.burn else ""
    result["targets"] = [
        *(Target(f"{name} p95 at {config.chunks} chunks{loaded}", result["strategies"][name]["p95_ms"],
                 config.target_p95_ms, "<=", "ms").as_dict() for name in hybrids),
        Target(f"resident memory serving {config.chunks} chunks", result["rss_mb"], config.rss_goal, "<=", "MB").as_dict(),
        *(Target(f"recall@10 of {name} against exact search", result["recall_at_10"][name], config.target_recall).as_dict()
          for name in hybrids if name in result["recall_at_10"]),
    ]
    return result


def render(result: dict) -> str:
    rows = [[name, s["p50_ms"], s["p95_ms"], s["p99_ms"], s["mean_ms"], result["recall_at_10"].get(name, "")]
            for name, s in result["strategies"].items()]
    build = result["build"]
    reused = " (a kept index)" if build.get("reused") else ""
    steps = build.get("index_steps") or {}
    built = (f"built in {build['seconds']} s{reused}: upsert {build['upsert_points_per_s']} points/s, then the approximate "
             f"index in {build['index_s']} s (copy {steps.get('copy_s', '-')} s, build {steps.get('build_s', '-')} s, "
             f"switch {steps.get('switch_s', '-')} s; builder peak RSS {build['index_builder_peak_rss_mb']} MB); "
             f"approximate from {build['approximate_from']} points")
    burn = f", {result['burn']} CPU burner processes" if result["burn"] else ""
    lines = [
        f"{result['chunks']} chunks, {result['queries']} queries per strategy; {result['engine']}, {result['isolation']}{burn}",
        built,
        f"load average {result['load_average_before']} before serving, {result['load_average_after']} after",
        table(["strategy", "p50 ms", "p95 ms", "p99 ms", "mean ms", "recall@10"], rows),
        f"query embedding alone p50 {result['embed_p50_ms']} ms; open {result['open_s']} s; "
        f"resident serving {result['rss_mb']} MB (peak {result['peak_rss_mb']} MB); index on disk {result['index_mb']} MB",
    ]
    return "\n".join(lines + target_lines(result["targets"]))
