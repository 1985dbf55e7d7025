"""Killing the process at any moment never leaves a half-indexed document.

A real ``grounded`` process ingests, re-indexes or deletes, and is killed with
SIGKILL after a random delay; the next open of the store must find every
document either fully present (catalog row ready, every chunk of its version
in the index, nothing of other versions, its original on disk) or absent
(no row, no chunks, no original). GROUNDED_KILL_ITERATIONS sets the number of
rounds (default 6 here; the release check runs 50).
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

from rag.index import close_all_indexes
from rag.ingest.recovery import open_store
from rag.settings import Settings

ITERATIONS = int(os.environ.get("GROUNDED_KILL_ITERATIONS", "6"))
ROOT = Path(__file__).resolve().parents[1]


DOCS = 8


def _write_docs(folder: Path, round_no: int) -> None:
    """Eight case studies of ~25 chunks; the odd ones change every round, so re-ingests replace them."""
    folder.mkdir(exist_ok=True)
    for n in range(DOCS):
        body = "\n\n".join(
            f"## Section {s}\nCustomer {n} saw result {s} in round {round_no if n % 2 else 0}: "
            + "onboarding, pricing, support and renewal details. " * 24
            for s in range(25)
        )
        (folder / f"case-{n}.md").write_text(f"# Case study {n}\n\n{body}\n")


def _command(data_dir: Path, folder: Path, round_no: int) -> list[str]:
    base = [sys.executable, "-m", "rag"]
    choice = round_no % 4
    if choice == 1:
        return base + ["reindex", "--data-dir", str(data_dir), "--chunk-size", str(96 + 32 * (round_no % 3))]
    if choice == 3:  # delete every document, one by one, as the Knowledge page does
        script = (
            "import sys; from rag.settings import Settings; from rag.ingest.recovery import open_store; from rag.ingest.pipeline import delete_document;"
            "s = open_store(Settings.load(sys.argv[1]));"
            "[delete_document(s, r.doc_id) for r in s.catalog.documents()]"
        )
        return [sys.executable, "-c", script, str(data_dir)]
    return base + ["ingest", str(folder), "--data-dir", str(data_dir), "--json"]


def check_consistent(data_dir: Path) -> dict:
    """Open the store (which recovers) and check every document is whole or absent."""
    store = open_store(Settings.load(data_dir, secrets_path=data_dir / "none.toml"))
    try:
        rows = store.catalog.documents()
        assert all(r.status in ("ready", "failed") for r in rows), [(r.file, r.status) for r in rows]
        ready = {r.doc_id: r for r in rows if r.status == "ready"}
        for r in ready.values():
            assert store.index.count(r.workspace, r.doc_id) == r.chunks > 0, r.file
            assert store.index.count(r.workspace, r.doc_id, r.version) == r.chunks, r.file
            assert r.original_path and Path(r.original_path).is_file(), r.file
        for workspace in {r.workspace for r in rows} or {"default"}:
            stray = {payload["doc_id"] for _, payload in store.index.all_chunks(workspace, ["doc_id"])} - set(ready)
            assert not stray, f"chunks without a ready document: {stray}"
        kept = {p.parent.parent.name for p in store.settings.files_dir.glob("*/*/*/*") if p.is_file()}
        assert kept <= set(ready) | {r.doc_id for r in rows}, f"originals without a document: {kept - set(ready)}"
        return {"ready": len(ready), "recovered": store.recovered}
    finally:
        store.catalog.close()
        close_all_indexes()


@pytest.mark.slow  # a minute or more: real processes, killed
def test_sigkill_at_random_moments_never_half_indexes(tmp_path):
    data_dir = tmp_path / "data"
    folder = tmp_path / "docs"
    rng = random.Random(1234)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    # Calibrate: how long until a process touches the data (start-up), and how long a full ingest runs.
    # (twice: the first run of a fresh checkout compiles every module and reads the model cold)
    for _ in range(2):
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "rag", "docs", "--data-dir", str(data_dir)], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        startup = time.monotonic() - started
    _write_docs(folder, 0)
    started = time.monotonic()
    subprocess.run(_command(data_dir, folder, 0), cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    full = time.monotonic() - started
    killed = recovered = 0
    round_no = 0
    # a busy machine can stretch or shrink a run against the calibration: go on (within three times
    # the rounds) until at least half the planned rounds were killed mid-way
    while round_no < ITERATIONS or (killed < ITERATIONS // 2 and round_no < 3 * ITERATIONS):
        round_no += 1
        _write_docs(folder, round_no)
        proc = subprocess.Popen(
            _command(data_dir, folder, round_no), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        began = time.monotonic()
        try:
            proc.wait(timeout=rng.uniform(startup * 0.9, max(full, startup + 1.0)))  # a moment while it works
            # it finished first: the machine is faster than calibrated, so aim closer to this run's length
            took = time.monotonic() - began
            full, startup = (full + took) / 2, min(startup, 0.9 * took)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            killed += 1
            proc.wait()
        recovered += check_consistent(data_dir)["recovered"]
    # a clean run afterwards indexes everything
    subprocess.run(_command(data_dir, folder, 0), cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    assert check_consistent(data_dir)["ready"] == DOCS
    assert killed >= ITERATIONS // 2, f"only {killed} of {round_no} runs were killed mid-way; the test lost its point"
    assert recovered > 0, "no kill landed mid-document, so nothing was tested"
    print(f"kill loop: {round_no} rounds, {killed} killed, {recovered} documents repaired on reopen "
          f"(start-up {startup:.1f} s, full ingest {full:.1f} s)")


CHANGE = (
    "import sys; from rag.settings import Settings; from rag.ingest.recovery import open_store;"
    "from rag.workspace.documents import change_language;"
    "s = open_store(Settings.load(sys.argv[1])); change_language(s, sys.argv[2], sys.argv[3], None)"
)
DOCUMENTS = 30  # re-filled one by one: enough that a kill lands mid-way


@pytest.mark.slow  # a minute or more: real processes, killed, and the multilingual model
def test_sigkill_during_a_language_change_never_leaves_a_ready_document_without_its_passages(tmp_path):
    from rag.catalog import Catalog
    from rag.index.embed import E5_ID, MINILM_ID
    from rag.ingest.indexer import Indexer
    from rag.ingest.pipeline import ingest_bytes
    from rag.workspace.assistants import create_assistant, get_assistant

    data_dir = tmp_path / "data"
    settings = Settings.load(data_dir, secrets_path=data_dir / "none.toml")
    store = open_store(settings)
    assistant = create_assistant(store.catalog, "Sales").id
    for n in range(DOCUMENTS):
        ingest_bytes(store, f"note-{n}.txt", f"Customer {n} renewed the plan after {n + 2} months of onboarding.".encode(),
                     assistant)
    store.catalog.close()
    close_all_indexes()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    rng = random.Random(27)
    killed = waiting = 0
    for language in ("multilingual", "english", "multilingual"):
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-c", CHANGE, str(data_dir), assistant, language], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # the model loads, then the documents are marked waiting, the index emptied and re-filled one by one:
        # kill it once a random number of them is done again (watched in the catalog alone), so the kill lands
        # mid-way however fast or slow the machine is
        done_before_kill = rng.randint(0, DOCUMENTS // 2)
        watcher = Catalog(settings.catalog_location)
        try:
            while proc.poll() is None and not watcher.documents(assistant, status="waiting"):
                time.sleep(0.01)
            while proc.poll() is None and \
                    DOCUMENTS - len(watcher.documents(assistant, status="waiting")) < done_before_kill:
                time.sleep(0.01)
        finally:
            watcher.close()
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
        store = open_store(settings)  # the app starts again
        try:
            rows = store.catalog.documents(assistant)
            assert len(rows) == DOCUMENTS and all(r.status in ("ready", "waiting") for r in rows), [(r.file, r.status) for r in rows]
            waiting += sum(r.status == "waiting" for r in rows)
            for r in rows:
                expected = store.index.count(assistant, r.doc_id, r.version) if r.status == "ready" else 0
                assert store.index.count(assistant, r.doc_id) == expected == (r.chunks if r.status == "ready" else 0), r.file
            Indexer(store, poll_s=0.05).run(until_idle=True)  # the app's indexer finishes the change
            rows = store.catalog.documents(assistant)
            assert all(r.status == "ready" and store.index.count(assistant, r.doc_id, r.version) == r.chunks > 0 for r in rows)
            assert get_assistant(store.catalog, assistant).language in ("english", "multilingual")
            model = E5_ID if get_assistant(store.catalog, assistant).language == "multilingual" else MINILM_ID
            assert store.index.model_of(assistant)[0] == model
        finally:
            store.catalog.close()
            close_all_indexes()
        print(f"language change to {language}: {'killed' if proc.returncode < 0 else 'finished'} after "
              f"{time.monotonic() - started:.1f} s")
    assert killed and waiting, "no change was killed mid-way, so nothing was tested"
