"""``grounded bench indexers``: queue throughput with one and with two ``grounded indexer`` processes on PostgreSQL.

Each round gets a fresh database on the server of ``--database-url`` (the role needs CREATEDB), a shared
folder for the queued uploads, and N indexer processes started and ready (the embedding model loaded)
before anything is queued; then ``--files`` Markdown reports are queued at once and the clock runs until
the last job is done. Figures: seconds, documents and passages a second, the indexers' CPU seconds (user +
system, from /proc) per document, and the load average around the run: on a shared machine it says more
than anything about what the figures mean. Vectors go to each indexer's own embedded index (no Qdrant
server here, docs/team.md); with ``QDRANT_URL`` in the environment they go to that server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from .common import header, progress, table

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class IndexersConfig:
    database_url: str
    files: int = 40
    counts: tuple[int, ...] = (1, 2)
    paragraphs: int = 25


def _report(n: int, paragraphs: int) -> bytes:
    lines = [f"Section {s} of report {n}. Customer {n * 7 + s} cut onboarding from {40 + s} days to {n % 9 + 3} "
             f"days after the {s}-step rollout; revenue per seat rose {s + n % 5} percent in quarter {s % 4 + 1}."
             for s in range(paragraphs)]
    return (f"# Report {n}\n\n" + "\n\n".join(lines)).encode()


def _cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(f) for f in fields[11:15]) / ticks  # utime, stime, and those of waited-for children


def _admin(url: str, sql: str) -> None:
    from ..catalog import database_url

    engine = sa.create_engine(database_url(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


def _round(config: IndexersConfig, count: int) -> dict:
    from ..ingest import queue
    from ..settings import Settings
    from ..store import DataFolder
    from ..workspace.assistants import ensure_default
    from ..workspace.jobs import queue_uploads

    name = f"grounded_bench_indexers_{os.getpid()}_{count}"
    server = sa.engine.make_url(config.database_url)
    _admin(config.database_url, f"DROP DATABASE IF EXISTS {name}")
    _admin(config.database_url, f"CREATE DATABASE {name}")
    url = server.set(database=name).render_as_string(hide_password=False)
    work = Path(tempfile.mkdtemp(prefix="grounded-bench-indexers-"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GROUNDED_DATABASE_URL": url,
           "GROUNDED_ORIGINALS_DIR": str(work / "shared"), "GROUNDED_INDEXER": "service"}
    indexers = []
    try:
        for i in range(count):
            indexers.append(subprocess.Popen(
                [sys.executable, "-m", "rag.cli", "indexer", "--poll", "0.2"],
                env={**env, "GROUNDED_DATA_DIR": str(work / f"indexer-{i}")}, cwd=ROOT, stderr=subprocess.PIPE, text=True))
        for p in indexers:
            p.stderr.readline()  # "grounded indexer ...: working through the queue": its store and model are loaded
        folder = DataFolder(Settings.load(work / "app").with_(database_url=url, originals_dir=work / "shared",
                                                               indexer="service"))
        ensure_default(folder.catalog, "default")
        uploads = [(f"report-{n:03d}.md", _report(n, config.paragraphs)) for n in range(config.files)]
        cpu_before = sum(_cpu_s(p.pid) for p in indexers)
        load_before = os.getloadavg()[0]
        started = time.monotonic()
        queue_uploads(folder, uploads, "default", None)
        while queue.jobs(folder.catalog, active_only=True):
            if any(p.poll() is not None for p in indexers):
                raise RuntimeError("an indexer stopped during the benchmark")
            time.sleep(0.1)
        seconds = time.monotonic() - started
        cpu = sum(_cpu_s(p.pid) for p in indexers) - cpu_before
        jobs = queue.jobs(folder.catalog)
        passages = sum(j.chunks for j in jobs)
        failed = sum(j.status != "indexed" for j in jobs)
        folder.close()
        return {"indexers": count, "documents": len(jobs), "failed": failed, "passages": passages,
                "seconds": round(seconds, 2), "documents_per_s": round(len(jobs) / seconds, 3),
                "jobs_per_minute": round(60 * len(jobs) / seconds, 1),
                "passages_per_s": round(passages / seconds, 1), "cpu_s_per_document": round(cpu / max(len(jobs), 1), 3),
                "load_before": round(load_before, 1), "load_after": round(os.getloadavg()[0], 1)}
    finally:
        for p in indexers:
            if p.poll() is None:
                p.terminate()
        for p in indexers:
            try:
                p.wait(timeout=120)
            except subprocess.TimeoutExpired:
                p.kill()
        _admin(config.database_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        shutil.rmtree(work, ignore_errors=True)


def run(config: IndexersConfig) -> dict:
    rounds = []
    for count in config.counts:
        progress(f"bench indexers: {config.files} documents, {count} indexer process(es)...")
        rounds.append(_round(config, count))
    return {**header("indexers"), "config": {"files": config.files, "counts": list(config.counts),
                                             "paragraphs": config.paragraphs}, "rounds": rounds}


def render(result: dict) -> str:
    rows = [(r["indexers"], r["documents"], r["failed"], r["passages"], r["seconds"], r.get("jobs_per_minute", ""),
             r["documents_per_s"], r["passages_per_s"], r["cpu_s_per_document"], f"{r['load_before']} -> {r['load_after']}")
            for r in result["rounds"]]
    return table(["indexers", "documents", "failed", "passages", "seconds", "jobs/min", "docs/s", "passages/s", "CPU s/doc",
                  "load avg"], rows)
