"""Inputs that pass every size limit yet mean hours of work: what becomes of them, in how long and how much memory.

``grounded bench limits`` makes the inputs of the security report (a text file
of N MB, a CSV of N rows, a ZIP of N one-MiB text entries), ingests each one
with the product's ``ingest_paths`` into a throwaway store, in a fresh process
so that each peak is its own, and reports: indexed or refused (with the
reason), passages, seconds, and the peak resident memory of the main process
and of the parse worker.

``--max-chunks`` raises the passage limit, to index what the default refuses.
``--quick-embeddings`` stands a free stand-in (random unit vectors) in for the
embedding model, so the memory of the rest of the pipeline at 100,000 passages
and more is measured in minutes instead of hours; its times are not the
product's, and the model's own memory (constant, about 0.2 GB) is not in them.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from .common import header, peak_rss_mb, progress, table

MIB = 1 << 20
# Common English words first, so the text has real English's characters per token (about 4).
WORDS = (
    "the of and to a in is it that for on with as was at by an be this are from or have had not but what all "
    "were when we there can more if no out so said up its about into than them only other new some could time "
    "onboarding customer pricing launch campaign analytics report quarter revenue support brand voice team"
).split()


@dataclass(frozen=True)
class LimitsConfig:
    text_mb: tuple[float, ...] = (50, 100)
    csv_rows: tuple[int, ...] = (200_000, 1_000_000)
    zip_entries: tuple[int, ...] = (400,)
    max_chunks: int | None = None  # None: the settings' limit (GROUNDED_MAX_CHUNKS, default 50,000)
    quick_embeddings: bool = False


def _paragraphs(seed: int):
    r = random.Random(seed)
    while True:
        yield " ".join(r.choice(WORDS) for _ in range(r.randint(40, 120))) + ".\n\n"


def write_text(path: Path, mb: float, seed: int = 1) -> Path:
    """A plain-text file of about ``mb`` MiB: paragraphs of common words."""
    target, size = mb * MIB, 0
    with path.open("w") as fh:
        for para in _paragraphs(seed):
            if size >= target:
                break
            fh.write(para)
            size += len(para)
    return path


def write_csv(path: Path, rows: int, seed: int = 1) -> Path:
    """A CSV of ``rows`` customer rows (about 44 bytes each) under one header."""
    r = random.Random(seed)
    with path.open("w") as fh:
        fh.write("id,customer,plan,days,note\n")
        for i in range(rows):
            fh.write(f"{i},{r.choice(WORDS).title()} Ltd,{r.choice(('basic', 'pro', 'enterprise'))},{r.randint(1, 90)},"
                     f"{r.choice(WORDS)} {r.choice(WORDS)}\n")
    return path


def write_zip(path: Path, entries: int) -> Path:
    """The report's ZIP: ``entries`` text entries of exactly 1 MiB, repetitive enough to compress about 100-fold.

    Each entry stays at the 1 MiB the zip-bomb ratio check lets through.
    """
    paragraphs = _paragraphs(3)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for n in range(entries):
            page = "".join(next(paragraphs) for _ in range(10))
            zf.writestr(f"page-{n:03}.txt", (page * (MIB // len(page) + 1))[:MIB])
    return path


def make_inputs(folder: Path, config: LimitsConfig) -> list[Path]:
    made = [write_text(folder / f"text-{mb:g}mb.txt", mb) for mb in config.text_mb]
    made += [write_csv(folder / f"rows-{rows}.csv", rows) for rows in config.csv_rows]
    made += [write_zip(folder / f"export-{n}-entries.zip", n) for n in config.zip_entries]
    return made


def run(config: LimitsConfig) -> dict:
    """Make the inputs in a temporary folder and measure each in its own process."""
    cases = []
    with tempfile.TemporaryDirectory(prefix="grounded-limits-") as tmp:
        for path in make_inputs(Path(tmp), config):
            progress(f"limits: {path.name} ({path.stat().st_size / 1e6:.1f} MB)")
            cases.append(measure(path, config))
    return {**header("limits"), "config": asdict(config), "cases": cases}


def measure(path: Path, config: LimitsConfig) -> dict:
    """One input ingested in a fresh process; its figures, with the load average before and after."""
    load_before = os.getloadavg()[0]
    options = json.dumps({"max_chunks": config.max_chunks, "quick_embeddings": config.quick_embeddings})
    done = subprocess.run(
        [sys.executable, "-m", "rag.bench.limits", str(path), options],
        capture_output=True, text=True, cwd=str(Path(__file__).resolve().parents[2]),
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
    )
    if done.returncode != 0:
        raise RuntimeError(f"measuring {path.name} failed: {done.stderr.strip()[-500:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {"input": path.name, "mb": round(path.stat().st_size / 1e6, 1), **figures,
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)]}


def _quick_embed(dimension: int):
    """Random unit vectors: the pipeline's memory and pace without the model's."""
    import numpy as np

    rng = np.random.default_rng(0)

    def embed(texts: list[str]) -> np.ndarray:
        vectors = rng.standard_normal((len(texts), dimension)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    return embed


def _worker_peak_mb() -> float | None:
    """The highest resident memory the living parse worker (a child process) has had, in MB (Linux)."""
    import psutil

    peaks = []
    for child in psutil.Process().children(recursive=True):
        try:
            status = Path(f"/proc/{child.pid}/status").read_text()
        except OSError:
            continue
        peaks += [int(line.split()[1]) * 1024 / 1e6 for line in status.splitlines() if line.startswith("VmHWM:")]
    return max(peaks, default=None)


def _measure_here(path: Path, max_chunks: int | None, quick_embeddings: bool) -> dict:
    """In the child process: ingest ``path`` as ``grounded ingest`` would, and read the peaks."""
    from ..ingest.pipeline import ingest_paths
    from .common import throwaway_store

    with throwaway_store() as store:
        if max_chunks:
            store.settings = replace(store.settings, limits=replace(store.settings.limits, max_chunks=max_chunks))
        if quick_embeddings:
            store.embeddings.embed_array = _quick_embed(store.embeddings.dimension)
        started = time.perf_counter()
        report = ingest_paths(store, [path])
        seconds = time.perf_counter() - started
        worker = _worker_peak_mb()
    failed = [f for f in report.files if f.status == "failed"]
    return {
        "indexed": report.count("indexed"),
        "failed": len(failed),
        "passages": sum(f.chunks for f in report.files),
        "seconds": round(seconds, 1),
        "main_peak_mb": round(peak_rss_mb()),
        "worker_peak_mb": round(worker) if worker else None,
        "reason": failed[0].error if failed else None,
    }


def render(result: dict) -> str:
    rows = [
        (c["input"], c["mb"], f"{c['indexed']} indexed, {c['failed']} refused", c["passages"], c["seconds"],
         c["main_peak_mb"], c["worker_peak_mb"] or "-", "{:.1f}-{:.1f}".format(*c["load_average"]))
        for c in result["cases"]
    ]
    lines = [table(("input", "MB", "result", "passages", "seconds", "main peak MB", "worker peak MB", "load"), rows)]
    lines += [f"{c['input']}: {c['reason']}" for c in result["cases"] if c["reason"]]
    if result["config"]["quick_embeddings"]:
        lines.append("(quick embeddings: random vectors instead of the model; memory without the model's, times not the product's)")
    return "\n".join(lines)


if __name__ == "__main__":
    options = json.loads(sys.argv[2])
    print(json.dumps(_measure_here(Path(sys.argv[1]), options["max_chunks"], options["quick_embeddings"])))
