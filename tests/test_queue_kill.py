"""SIGKILL the process running the indexer at random moments: every queued document ends indexed exactly once.

A queue of real PDFs (made here) is worked through by an app-like process (it opens the store and
starts the indexer, as the app does); it is killed with SIGKILL at a random moment, more PDFs are
queued while it is down, and it is started again. After every kill the store must be consistent
(each document whole or absent: ``tests.test_crash.check_consistent``) and the killed process's
parse worker gone. Finally the queue is left to finish: every document handed over is ready, once,
the catalog and the index agree, and no stored copy is left behind.

GROUNDED_QUEUE_KILL_ITERATIONS sets the rounds (default 4).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.bench.documents import make_pdf
from rag.ingest import queue
from rag.settings import Settings
from rag.store import DataFolder
from rag.workspace import jobs
from rag.workspace.assistants import ensure_default
from tests.test_crash import check_consistent

ITERATIONS = int(os.environ.get("GROUNDED_QUEUE_KILL_ITERATIONS", "4"))
ROOT = Path(__file__).resolve().parents[1]
APP = """
import sys, time
from pathlib import Path
from rag.ingest.indexer import start_indexer
from rag.ingest.recovery import open_store
from rag.settings import Settings

store = open_store(Settings.load(sys.argv[1], secrets_path=Path(sys.argv[2])))
start_indexer(store)
print("ready", flush=True)
time.sleep(3600)
"""


def _pdf(n: int) -> bytes:
    """A 12-page report: enough text (about 30 passages) for a kill to land while it is indexed."""
    pages = [[f"# Report {n}, part {p}"] + [
        f"Customer {n}-{p}-{line} cut onboarding from {30 + line} days to {5 + p} days with the rollout plan."
        for line in range(30)
    ] for p in range(12)]
    return make_pdf(pages)


def _enqueue(data: Path, names: list[str]) -> None:
    folder = DataFolder(Settings.load(data, secrets_path=data / "none.toml"))
    try:
        ensure_default(folder.catalog)
        jobs.queue_uploads(folder, [(name, _pdf(int(name.split("-")[1].split(".")[0]))) for name in names], "default", None)
    finally:
        folder.close()


def _active(data: Path) -> list[queue.Job]:
    folder = DataFolder(Settings.load(data, secrets_path=data / "none.toml"))
    try:
        return queue.jobs(folder.catalog, active_only=True)
    finally:
        folder.close()


def _workers_of(pid: int) -> list[int]:
    """Parse workers started by process ``pid`` that are still running."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if b"rag.parse.worker" in argv and str(pid).encode() in argv and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def _start(data: Path, env: dict) -> subprocess.Popen:
    log = data.parent / "app.log"  # what the process said, if it could not start
    with log.open("a") as err:
        proc = subprocess.Popen([sys.executable, "-c", APP, str(data), str(data / "none.toml")], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=err, text=True)
    assert proc.stdout.readline().strip() == "ready", log.read_text()[-3000:]
    return proc


@pytest.mark.slow
def test_sigkill_of_the_indexing_process_never_loses_or_doubles_a_document(tmp_path):
    data = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    for var in ("QDRANT_URL", "OPENAI_API_KEY", "GROUNDED_EMBEDDING", "GROUNDED_DATA_DIR"):
        env.pop(var, None)
    rng = random.Random(4321)
    names = [f"report-{n}.pdf" for n in range(6)]
    _enqueue(data, names)
    killed_mid_queue = 0
    for round_no in range(ITERATIONS):
        proc = _start(data, env)
        time.sleep(rng.uniform(0.5, 6.0))  # a moment while it parses, embeds, stores or records
        if _active(data):
            killed_mid_queue += 1
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 10
        while _workers_of(proc.pid):
            assert time.monotonic() < deadline, "the killed process's parse worker lives on"
            time.sleep(0.2)
        check_consistent(data)  # every document whole or absent (recovery ran on opening)
        more = f"report-{len(names)}.pdf"
        _enqueue(data, [more])  # queued while nothing indexes: it must not be lost either
        names.append(more)

    proc = _start(data, env)  # the last start is left to finish the queue
    try:
        deadline = time.monotonic() + 600
        while _active(data):
            assert time.monotonic() < deadline, "the queue did not finish"
            time.sleep(1)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert check_consistent(data)["ready"] == len(names)
    folder = DataFolder(Settings.load(data, secrets_path=data / "none.toml"))
    try:
        rows = folder.catalog.documents()
        assert sorted(r.file for r in rows) == sorted(names)  # each once: no duplicate, none lost
        finished = queue.jobs(folder.catalog)
        assert {j.status for j in finished} == {"indexed"}, [(j.name, j.status, j.error) for j in finished]
        assert len(finished) == len(names)
        redone = sum(j.attempts > 1 for j in finished)
    finally:
        folder.close()
    assert not [p for p in queue.queue_dir(Settings.load(data)).rglob("*") if p.is_file()]  # no stored copy left
    assert killed_mid_queue >= ITERATIONS // 2, f"only {killed_mid_queue} of {ITERATIONS} kills landed while work was queued"
    assert redone > 0, "no kill landed mid-document, so resuming was not tested"
    print(f"queue kill loop: {ITERATIONS} rounds, {killed_mid_queue} killed mid-queue, {redone} documents redone after a kill")
