"""A team's processes on one PostgreSQL catalog: two app processes and the command line queue 40 files, two
`grounded indexer` processes work through them, one is SIGKILLed mid-job. Every job is done exactly once,
no document is indexed twice or lost, and both apps list the same documents, assistants and access.

What cannot be shown here: vectors shared between processes. That needs a Qdrant server (QDRANT_URL), and
none can be installed on these machines; each indexer keeps its own embedded index (its own data folder), so
the passages are checked in the index of the indexer that recorded each job. The catalog, the queue, the
leases and the shared originals folder are the real thing.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.catalog import Catalog
from rag.ingest import queue

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
PRODUCER = """
import sys, time
from rag.settings import Settings
from rag.store import DataFolder
from rag.types import ChunkSettings
from rag.workspace.assistants import ensure_default
from rag.workspace.jobs import queue_uploads
folder = DataFolder(Settings.load())
ensure_default(folder.catalog, "default")
names = sys.argv[1:]
for start in range(0, len(names), 5):  # a person uploading a few at a time
    batch = [(n, open(n, "rb").read()) for n in names[start:start + 5]]
    queue_uploads(folder, [(n.rsplit("/", 1)[-1], data) for n, data in batch], "default", None, ChunkSettings())
    time.sleep(0.5)
"""
LISTER = """
import json
from rag.settings import Settings
from rag.store import DataFolder
from rag.workspace.access import User
from rag.workspace.assistants import list_assistants
folder = DataFolder(Settings.load())
docs = sorted((d.file, d.status, d.chunks, d.version) for d in folder.catalog.documents("default"))
seen = {who: [a.id for a in list_assistants(folder.catalog, User(who))] for who in ("alice", "bob", "carol")}
print(json.dumps({"docs": docs, "assistants": seen}))
"""


def _text(n: int) -> bytes:
    paragraphs = [f"Section {s} of report {n}. Customer {n * 7 + s} cut onboarding from {40 + s} days to {n % 9 + 3} "
                  f"days after the {s}-step rollout; revenue per seat rose {s + n % 5} percent in quarter {s % 4 + 1}."
                  for s in range(25)]
    return ("# Report %d\n\n" % n + "\n\n".join(paragraphs)).encode()


def test_two_apps_two_indexers_one_killed_nothing_lost_or_doubled(postgres, tmp_path):
    url = postgres.fresh()
    shared = tmp_path / "shared"
    files = tmp_path / "uploads"
    files.mkdir()
    paths = []
    for n in range(40):
        path = files / f"report-{n:02d}.md"
        path.write_bytes(_text(n))
        paths.append(path)
    base = {k: v for k, v in os.environ.items() if k not in ("QDRANT_URL", "GROUNDED_DATA_DIR", "OPENAI_API_KEY")}
    base.update(PYTHONPATH=str(ROOT), GROUNDED_DATABASE_URL=url, GROUNDED_ORIGINALS_DIR=str(shared),
                GROUNDED_INDEXER="service")

    def env(name: str) -> dict:
        return {**base, "GROUNDED_DATA_DIR": str(tmp_path / name)}

    catalog = Catalog(url)
    from rag.workspace.access import User
    from rag.workspace.assistants import create_assistant, ensure_default

    ensure_default(catalog, "default")
    create_assistant(catalog, "Team", user=User("alice"), shared_with=["bob"])

    def indexer(name):
        return subprocess.Popen([sys.executable, "-m", "rag.cli", "indexer", "--lease", "4", "--poll", "0.3"],
                                env=env(name), cwd=ROOT, stderr=subprocess.PIPE, text=True)

    first, second = indexer("indexer-1"), indexer("indexer-2")
    procs = []
    try:
        token = first.stderr.readline().split()[2].rstrip(":")  # "grounded indexer abcd1234: working ..."
        apps = [subprocess.Popen([sys.executable, "-c", PRODUCER, *map(str, part)], env=env(f"app-{i}"), cwd=ROOT)
                for i, part in enumerate((paths[:15], paths[15:30]))]
        cli = subprocess.run([sys.executable, "-m", "rag.cli", "ingest", "--no-wait", *map(str, paths[30:])],
                             env=env("cli"), cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert cli.returncode == 0, cli.stderr
        procs = apps
        for app in apps:
            assert app.wait(timeout=120) == 0

        # SIGKILL the first indexer while it has a job in hand, after it finished at least one
        deadline = time.monotonic() + 180
        killed_job = None
        while time.monotonic() < deadline and killed_job is None:
            mine = [j for j in queue.jobs(catalog, include_dismissed=True) if (j.worker or "").startswith(token)]
            if any(j.status == "indexed" for j in mine):
                held = [j for j in mine if j.status == "indexing"]
                if held:
                    first.send_signal(signal.SIGKILL)
                    first.wait(timeout=30)
                    killed_job = held[0].job_id
            time.sleep(0.05)
        assert killed_job is not None, "the first indexer never held a job"

        while time.monotonic() < deadline and queue.jobs(catalog, active_only=True):
            assert second.poll() is None, second.stderr.read()
            time.sleep(0.5)
        assert not queue.jobs(catalog, active_only=True), "jobs left undone"
    finally:
        for p in (first, second, *procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in (first, second, *procs):
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()

    jobs = queue.jobs(catalog, include_dismissed=True)
    assert sorted(j.name for j in jobs) == sorted(p.name for p in paths)  # 40 jobs, each file once
    assert {j.status for j in jobs} == {"indexed"}  # none lost, none failed
    redone = [j for j in jobs if j.attempts > 1]
    assert [j.job_id for j in redone] == [killed_job]  # only the killed job was taken again
    docs = catalog.documents("default")
    assert sorted(d.file for d in docs) == sorted(p.name for p in paths) and {d.status for d in docs} == {"ready"}
    assert all(d.original_path and d.original_path.startswith(str(shared)) for d in docs)  # kept in the shared folder

    # no duplicate passages: in the index of the indexer that recorded each job, exactly the catalog's count
    from rag.ingest.recovery import open_store
    from rag.settings import Settings

    by_doc = {d.doc_id: d for d in docs}
    for name in ("indexer-1", "indexer-2"):
        settings = Settings.load(tmp_path / name).with_(database_url=url, originals_dir=shared, indexer="service")
        store = open_store(settings)
        try:
            for job in jobs:
                doc = by_doc[job.doc_id]
                if name == "indexer-1" and (job.worker or "").startswith(token) and job.job_id != killed_job:
                    assert store.index.count("default", doc.doc_id, doc.version) == doc.chunks
                if name == "indexer-2" and not (job.worker or "").startswith(token):
                    assert store.index.count("default", doc.doc_id, doc.version) == doc.chunks
        finally:
            store.close()
            from rag.index import close_all_indexes

            close_all_indexes()

    # both apps (and any other process) see the same documents, assistants and access
    seen = [subprocess.run([sys.executable, "-c", LISTER], env=env(f"app-{i}"), cwd=ROOT, capture_output=True,
                           text=True, timeout=120) for i in range(2)]
    assert all(s.returncode == 0 for s in seen), [s.stderr for s in seen]
    views = [json.loads(s.stdout) for s in seen]
    assert views[0] == views[1] and len(views[0]["docs"]) == 40
    team = [a for a in views[0]["assistants"]["alice"] if a.startswith("team")]
    assert team and team[0] in views[0]["assistants"]["bob"] and team[0] not in views[0]["assistants"]["carol"]
    catalog.close()
