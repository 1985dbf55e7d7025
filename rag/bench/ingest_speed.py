"""Ingest speed: where the time goes when real files are indexed, against the model alone.

The folder goes through the product's real ``ingest_paths`` into a throwaway
store. Each stage is timed by wrapping the function ``rag.ingest`` calls for
it (the code under test is unchanged):

- parse:  ``rag.ingest.pipeline._parsed``: the time ingest waits for a document's
          parse (the parse worker process). The next document is parsed
          while the current one is embedded (``rag.ingest.parse_ahead``), so this is
          only the part of parsing that is not hidden; the worker's own time
          is reported beside it as ``parse_overlapped_s``
- chunk:  ``rag.ingest.pipeline.chunk_document`` (token counting included)
- embed:  the store's ``embeddings.embed_array`` (dense vectors)
- sparse: ``rag.ingest.pipeline.document_vector`` (BM25 term weights)
- store:  the index's ``upsert`` and ``delete_document``
- other:  the rest (hashing, keeping originals, the SQLite catalog)

Then the ceiling: the embedding model alone on exactly the same chunk texts
at its best batch budget in word pieces (picked on a sample). Target: the
whole pipeline within 1.25x of that, i.e. parsing, chunking and storing
don't dominate.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .common import RssSampler, Target, header, peak_rss_mb, progress, table, target_lines, throwaway_store

STAGES = ("parse", "chunk", "embed", "sparse", "store", "other")


@dataclass(frozen=True)
class IngestConfig:
    folder: Path
    batch_tokens: tuple[int, ...] = (128, 256, 512, 1024)
    sample: int = 384  # chunk texts used to pick the best batch budget
    limit: int | None = None  # only the first N files
    target_ratio: float = 1.25


@dataclass
class StageClock:
    """Seconds spent inside each wrapped stage, plus what it saw (texts, token counts)."""

    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys((*STAGES, "parse_background"), 0.0))
    texts: list[str] = field(default_factory=list)
    tokens: int = 0

    def wrap(self, stage: str, fn, on_call=None):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                out = fn(*args, **kwargs)
            finally:
                self.seconds[stage] += time.perf_counter() - started
            if on_call:
                on_call(args, out)
            return out

        return timed


@contextlib.contextmanager
def instrument(store, clock: StageClock) -> Iterator[None]:
    """Wrap the stage functions for the duration of the run, then restore them."""
    from ..ingest import pipeline as ingest

    def saw_chunks(_args, chunks):
        clock.tokens += sum(c.tokens for c in chunks)

    def saw_texts(args, _out):
        clock.texts.extend(args[0])

    from ..ingest import parse_ahead

    patches = [
        (ingest, "_parsed", clock.wrap("parse", ingest._parsed)),
        (parse_ahead, "parse_file_isolated", clock.wrap("parse_background", parse_ahead.parse_file_isolated)),
        (ingest, "chunk_document", clock.wrap("chunk", ingest.chunk_document, saw_chunks)),
        (ingest, "document_vector", clock.wrap("sparse", ingest.document_vector)),
        (store.embeddings, "embed_array", clock.wrap("embed", store.embeddings.embed_array, saw_texts)),
        (store.index, "upsert", clock.wrap("store", store.index.upsert)),
        (store.index, "delete_document", clock.wrap("store", store.index.delete_document)),
    ]
    saved = []
    try:
        for obj, name, fn in patches:
            own = name in vars(obj)  # a module function, or a method looked up on the class
            saved.append((obj, name, vars(obj).get(name), own))
            setattr(obj, name, fn)
        yield
    finally:
        for obj, name, original, own in reversed(saved):
            if own:
                setattr(obj, name, original)
            else:  # remove the instance attribute that shadowed the class's method
                delattr(obj, name)


def embedding_ceiling(embeddings, texts: list[str], batch_tokens, sample: int) -> dict:
    """The model alone: chunks/s per batch budget on a sample, then all texts at the best one."""
    rng = random.Random(7)
    probe = rng.sample(texts, min(sample, len(texts)))
    original = embeddings.batch_tokens
    rates: dict[str, float] = {}
    try:
        embeddings.embed_array(probe[:16])  # warm the session once
        for budget in batch_tokens:
            embeddings.batch_tokens = budget
            started = time.perf_counter()
            embeddings.embed_array(probe)
            rates[str(budget)] = round(len(probe) / (time.perf_counter() - started), 1)
            progress(f"embedding alone, {budget} tokens a batch: {rates[str(budget)]} chunks/s")
        best = int(max(rates, key=rates.get))
        embeddings.batch_tokens = best
        started = time.perf_counter()
        embeddings.embed_array(texts)
        seconds = time.perf_counter() - started
    finally:
        embeddings.batch_tokens = original
    return {
        "batch_tokens": rates,
        "best_batch": best,
        "seconds": round(seconds, 4),
        "chunks_per_s": round(len(texts) / seconds, 1),
    }


def run(config: IngestConfig) -> dict:
    from ..ingest.pipeline import ingest_paths, iter_files

    files = list(iter_files([config.folder]))[: config.limit]
    clock = StageClock()
    with throwaway_store() as store:
        pipeline_batch = store.embeddings.batch_tokens

        def on_progress(p):
            if p.result is not None:
                progress(f"[{p.done}/{p.total}] {p.result.status} {p.result.path} "
                         f"({p.result.chunks} chunks, {p.result.seconds:.1f} s)")

        with instrument(store, clock), RssSampler(interval=0.25, children=True) as memory:
            started = time.perf_counter()
            report = ingest_paths(store, files, on_progress=on_progress)
            whole = time.perf_counter() - started
        pipeline_peak = peak_rss_mb()  # read before the batch sweep, whose big batches need more
        clock.seconds["other"] = max(whole - sum(clock.seconds[k] for k in STAGES if k != "other"), 0.0)
        ceiling = embedding_ceiling(store.embeddings, clock.texts, config.batch_tokens, config.sample)

    indexed = [f for f in report.files if f.status == "indexed"]
    pages = sum(f.pages or 0 for f in indexed)
    chunks = sum(f.chunks for f in indexed)
    ratio = whole / ceiling["seconds"] if ceiling["seconds"] else 0.0
    result = header("ingest") | {
        "folder": str(config.folder),
        "files": len(report.files),
        "indexed": len(indexed),
        "failed": [f.as_dict() for f in report.files if f.status in ("failed", "skipped")],
        "pages": pages,
        "chunks": chunks,
        "tokens": clock.tokens,
        "seconds": round(whole, 4),
        "stages": {k: round(clock.seconds[k], 4) for k in STAGES},
        "parse_overlapped_s": round(clock.seconds["parse_background"], 4),  # the worker's time, mostly hidden
        "pages_per_s": round(pages / whole, 2) if whole else 0.0,
        "chunks_per_s": round(chunks / whole, 1) if whole else 0.0,
        "tokens_per_s": round(clock.tokens / whole, 1) if whole else 0.0,
        "pipeline_batch_tokens": pipeline_batch,
        "embedding_alone": ceiling,
        "ratio": round(ratio, 3),
        "peak_rss_mb": round(pipeline_peak, 1),
        "peak_rss_with_workers_mb": round(memory.peak, 1),
        "peak_rss_with_sweep_mb": round(peak_rss_mb(), 1),
    }
    result["targets"] = [Target("whole pipeline / embedding alone", round(ratio, 3), config.target_ratio, "<=", "x").as_dict()]
    return result


def render(result: dict) -> str:
    whole = result["seconds"] or 1.0
    rows = [[stage, result["stages"][stage], f"{100 * result['stages'][stage] / whole:.0f}%"] for stage in STAGES]
    rows.append(["whole pipeline", result["seconds"], "100%"])
    if "parse_overlapped_s" in result:
        background = result["parse_overlapped_s"]
        rows.append(["(parsing ahead, overlapped)", background, f"{100 * background / whole:.0f}%"])
    ceiling = result["embedding_alone"]
    rows.append([f"embedding alone ({ceiling['best_batch']} tokens a batch)", ceiling["seconds"],
                 f"{100 * ceiling['seconds'] / whole:.0f}%"])
    lines = [
        f"{result['indexed']}/{result['files']} files, {result['pages']} pages, {result['chunks']} chunks, "
        f"{result['tokens']} tokens",
        table(["stage", "seconds", "share"], rows),
        f"pages/s {result['pages_per_s']}  chunks/s {result['chunks_per_s']}  tokens/s {result['tokens_per_s']}",
        f"peak RSS {result['peak_rss_mb']} MB during the pipeline (sampled with the parse worker: "
        f"{result['peak_rss_with_workers_mb']} MB; after the batch sweep: {result['peak_rss_with_sweep_mb']} MB)",
        "embedding alone by tokens a batch (chunks/s): "
        + ", ".join(f"{b}: {r}" for b, r in ceiling["batch_tokens"].items()),
    ]
    lines += [f"{f['status']}: {f['path']}: {f['error']}" for f in result["failed"]]
    return "\n".join(lines + target_lines(result["targets"]))
