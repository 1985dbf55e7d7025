"""What every benchmark shares: a throwaway store, targets, memory, tables and JSON.

Benchmarks never touch the user's data directory: each builds its own store
in a temporary folder (embedded Qdrant, the offline embedding model) and
removes it afterwards, so a run measures the product from a clean start.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class Target:
    """A goal from the issue, judged in the benchmark's output (never in unit tests)."""

    name: str
    value: float
    goal: float
    op: str = ">="  # ">=" or "<="
    unit: str = ""

    @property
    def passed(self) -> bool:
        return self.value >= self.goal if self.op == ">=" else self.value <= self.goal

    def as_dict(self) -> dict:
        return {**asdict(self), "pass": self.passed}

    def line(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        verdict = "PASS" if self.passed else "MISS"
        return f"{verdict}  {self.name}: {_fmt(self.value)}{unit} (target {self.op} {_fmt(self.goal)}{unit})"


def machine() -> dict:
    """Where the figures were measured: they mean little without it."""
    return {
        "cores": os.cpu_count(),
        "platform": platform.platform(terse=True),
        "python": platform.python_version(),
        "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
    }


def code_version() -> str | None:
    """The git commit the product code was at (``+dirty`` with local changes), if known."""
    import subprocess

    root = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "rag"], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if commit.returncode != 0:
        return None
    return commit.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def header(benchmark: str) -> dict:
    """The fields every result JSON starts with; ``benchmark`` tells the report what it is."""
    return {"benchmark": benchmark, "date": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": machine(),
            "code": code_version()}


def bench_settings(data_dir: Path):
    """Settings for a throwaway store: embedded Qdrant and the offline model, always.

    Answer-model connections (OpenAI key, compatible server) still come from
    the environment, so ``bench qa --model openai`` works when a key is set.
    """
    from ..settings import Settings

    return replace(Settings.load(data_dir), qdrant_url=None, qdrant_api_key=None, embedding="minilm")


@contextlib.contextmanager
def throwaway_store(keep_dir: Path | None = None) -> Iterator:
    """A Store in a temporary data directory, closed and removed on exit (even on Ctrl-C).

    ``keep_dir`` uses (and keeps) that folder instead, so an expensive index
    can be reused by a later run.
    """
    from ..ingest.recovery import open_store

    folder = Path(keep_dir) if keep_dir else Path(tempfile.mkdtemp(prefix="grounded-bench-"))
    store = open_store(bench_settings(folder))
    try:
        yield store
    finally:
        store.close()  # this store's catalog and Qdrant client only; others in the process stay open
        if keep_dir is None:
            shutil.rmtree(folder, ignore_errors=True)


def folder_mb(path: Path) -> float:
    """Bytes on disk under ``path``, in MB."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.stat(os.path.join(root, name)).st_blocks * 512
    return total / 1e6


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, in MB (10^6 bytes, as ``rss_mb``).

    Linux reports kibibytes, macOS bytes.
    """
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak * 1024 / 1e6 if sys.platform != "darwin" else peak / 1e6


def rss_mb(children: bool = False) -> float:
    """Resident memory now; with ``children``, worker processes (the parse worker) are added."""
    import psutil

    me = psutil.Process()
    total = me.memory_info().rss
    if children:
        for child in me.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:  # it ended between listing and reading
                pass
    return total / 1e6


class RssSampler:
    """Highest resident memory seen during a phase (sampled every ``interval`` seconds).

    The process-wide peak also counts building an index; this tells what a
    phase alone needs, such as serving queries once the index is built.
    """

    def __init__(self, interval: float = 0.1, children: bool = False):
        self.interval = interval
        self.children = children
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb(self.children))
            self._stop.wait(self.interval)

    def __enter__(self) -> "RssSampler":
        self.peak = rss_mb(self.children)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb(self.children))


def progress(message: str) -> None:
    """One progress line on stderr (stdout carries the table)."""
    print(message, file=sys.stderr, flush=True)


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence]) -> str:
    """A plain fixed-width table (also valid enough to paste into a terminal note)."""
    cells = [[str(h) for h in headers]] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_json(result: dict, path: str | Path | None) -> None:
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


def target_lines(targets: Sequence[dict]) -> list[str]:
    """PASS/MISS lines for the targets stored in a result JSON."""
    return [Target(**{k: t[k] for k in ("name", "value", "goal", "op", "unit")}).line() for t in targets]
