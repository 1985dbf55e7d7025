"""The command line beside a running app: the app holds the data folder, ``grounded`` queues and reads through it.

The "app" here is a real process that opens the store and starts what the app starts with it (the
indexer and the read server, as ``app_pages/_common.get_store`` does); every command is the real
``grounded`` in a subprocess, as a person types it in a second terminal.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.ingest import queue
from rag.settings import Settings
from rag.store import DataFolder

ROOT = Path(__file__).resolve().parents[1]
APP = """
import sys, time
from rag.answer.relay import serve_reads
from rag.ingest.indexer import start_indexer
from rag.ingest.recovery import open_store
from rag.settings import Settings

store = open_store(Settings.load(sys.argv[1]))
start_indexer(store)
serve_reads(store)
print("ready", flush=True)
time.sleep(3600)
"""


def _env(data_dir: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1", "GROUNDED_MODEL": "extractive"}
    for var in ("QDRANT_URL", "OPENAI_API_KEY", "GROUNDED_EMBEDDING", "GROUNDED_DATA_DIR"):
        env.pop(var, None)
    return env


@pytest.fixture
def app(tmp_path):
    data = tmp_path / "data"
    proc = subprocess.Popen([sys.executable, "-c", APP, str(data)], cwd=tmp_path, env=_env(data), stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        yield data
    finally:
        proc.kill()
        proc.wait()


def grounded(data: Path, *args, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag", *map(str, args), "--data-dir", str(data)], cwd=data.parent,
                          env=_env(data), capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow  # an app process and a command beside it
def test_ingest_queues_for_the_app_and_prints_what_it_indexes(app, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "northwind.md").write_text("# Northwind\n\nNorthwind cut onboarding from 41 days to 12 days.\n")
    (folder / "pricing.txt").write_text("Enterprise plans cost 900 dollars per month.\n")
    (folder / "movie.mkv").write_bytes(b"\x1a\x45\xdf\xa3")

    out = grounded(app, "ingest", folder)
    assert out.returncode == 0, out.stderr
    assert "is indexing them" in out.stderr and "the app (process" in out.stderr  # the app did the work
    lines = out.stdout.splitlines()
    assert "indexed   northwind.md (1 chunks)" in lines and "indexed   pricing.txt (1 chunks)" in lines
    assert any(line.startswith("skipped   movie.mkv: ") for line in lines)
    assert "2 indexed, 0 unchanged, 1 skipped, 0 failed" in lines

    # what it printed is what the catalog (the Knowledge page's source) says
    folder_view = DataFolder(Settings.load(app, secrets_path=tmp_path / "none.toml"))
    try:
        listed = {j.name: j for j in queue.jobs(folder_view.catalog)}
        assert {n: j.status for n, j in listed.items()} == {"northwind.md": "indexed", "pricing.txt": "indexed", "movie.mkv": "skipped"}
        assert {j.origin for j in listed.values()} == {"command line"}
        assert sorted(d.file for d in folder_view.catalog.documents(status="ready")) == ["northwind.md", "pricing.txt"]
    finally:
        folder_view.close()

    # reads while the app runs: the catalog directly, searches and questions through the app
    docs = json.loads(grounded(app, "docs", "--json").stdout)["documents"]
    assert sorted(d["file"] for d in docs) == ["northwind.md", "pricing.txt"]
    found = grounded(app, "search", "how fast was onboarding", "-k", "1", "--json")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["results"][0]["file"] == "northwind.md"
    asked = grounded(app, "ask", "How long did onboarding take for Northwind?")
    assert asked.returncode == 0, asked.stderr
    assert "12 days" in asked.stdout and "Sources:" in asked.stdout and "northwind.md" in asked.stdout

    # --no-wait returns at once; grounded jobs follows it
    (folder / "launch.md").write_text("# Spring launch\n\nThe Atlas release adds offline sync.\n")
    started = time.monotonic()
    quick = grounded(app, "ingest", folder / "launch.md", "--no-wait")
    assert quick.returncode == 0 and "1 queued" in quick.stdout and "grounded jobs" in quick.stdout, quick.stdout
    deadline = started + 120
    while True:
        listed = {j["path"]: j for j in json.loads(grounded(app, "jobs", "--json").stdout)["jobs"]}
        if listed["launch.md"]["status"] == "indexed":
            break
        assert time.monotonic() < deadline, listed
        time.sleep(1)
    jobs_text = grounded(app, "jobs").stdout
    assert "launch.md" in jobs_text and "indexed" in jobs_text

    # what needs the index itself says what to do instead
    refused = grounded(app, "rm", docs[0]["doc_id"])
    assert refused.returncode == 1 and "already using the data folder" in refused.stderr and "ingest, jobs" in refused.stderr


def test_ingest_indexes_in_its_own_process_when_no_app_runs(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "northwind.md").write_text("# Northwind\n\nNorthwind cut onboarding from 41 days to 12 days.\n")
    data = tmp_path / "data"
    out = grounded(data, "ingest", folder)
    assert out.returncode == 0, out.stderr
    assert "is indexing them" not in out.stderr and "1 indexed, 0 unchanged, 0 skipped, 0 failed" in out.stdout
    assert "The queue is empty." in grounded(data, "jobs").stdout  # reported here, so not listed on
