"""The indexing queue and its indexer: stored before "queued", in order, cancel, dismiss, access, resumed after a crash."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

import rag.ingest.indexer as indexer_module
from rag.errors import AccessDenied, NotFound
from rag.index import close_all_indexes
from rag.ingest import queue
from rag.ingest.indexer import Indexer
from rag.ingest.recovery import open_store
from rag.types import ChunkSettings
from rag.workspace import jobs
from rag.workspace.access import User
from rag.workspace.assistants import create_assistant, ensure_default

from .fixtures import make_zip

# The catalog's tests run on SQLite and on PostgreSQL (the PostgreSQL run with make test and in CI).
pytestmark = [pytest.mark.both_databases, pytest.mark.postgres_slow]

ALICE, BOB, CAROL = User("alice"), User("bob"), User("carol")
DOCS = [
    ("a-launch.md", b"# Spring launch\n\nThe Atlas release adds offline sync for field teams.\n"),
    ("b-northwind.md", b"# Northwind\n\nOnboarding dropped from 41 days to 12 days with Grounded.\n"),
    ("c-help.txt", b"To reset a password, open Settings, choose Security, then Reset.\n"),
]


def _queue(store, uploads=DOCS, assistant="default", user=None):
    ensure_default(store.catalog, "default")
    return jobs.queue_uploads(store, uploads, assistant, user)


def _run(store) -> list[queue.Job]:
    """Work through the queue in this thread; the jobs in the order they finished."""
    finished: list[queue.Job] = []
    assert Indexer(store, "test").run(on_finished=finished.append)
    return finished


def _reopen(store):
    """What a restart does: the store closed, opened again (documents repaired at open)."""
    store.catalog.close()
    close_all_indexes()
    return open_store(store.settings)


def _whole(store, name: str, workspace: str = "default") -> None:
    """The document is ready, indexed once (every chunk of its one version), its original kept."""
    from rag.ingest.admission import doc_id_for

    row = store.catalog.get(doc_id_for(workspace, name))
    assert row is not None and row.status == "ready", (name, row)
    assert store.index.count(workspace, row.doc_id) == store.index.count(workspace, row.doc_id, row.version) == row.chunks > 0
    assert os.path.isfile(row.original_path)


def test_uploads_are_stored_and_queued_before_enqueue_returns(store):
    help_zip = make_zip({"help/reset.html": b"<h1>Reset</h1><p>Use the Forgot password link.</p>", "help/logo.bmp": b"BM\x00\x00"})
    batch = _queue(store, [*DOCS, ("movie.mkv", b"\x1a\x45"), ("help.zip", help_zip)])
    by_name = {j.name: j for j in batch}
    assert [j.name for j in batch] == [n for n, _ in DOCS] + ["movie.mkv", "help.zip/help/reset.html", "help.zip/help/logo.bmp"]
    for name, data in DOCS:  # each document's exact bytes are on disk, and its row says where
        assert by_name[name].status == "queued" and queue.stored_bytes(store, by_name[name]) == data
    assert by_name["help.zip/help/reset.html"].upload == "help.zip" and by_name["help.zip/help/reset.html"].status == "queued"
    # what admission refuses is decided at once, with its reason, and nothing of it is stored
    assert by_name["movie.mkv"].status == "skipped" and "aren't supported" in by_name["movie.mkv"].error
    assert by_name["help.zip/help/logo.bmp"].status == "skipped" and by_name["help.zip/help/logo.bmp"].stored is None
    assert len({j.batch for j in batch}) == 1


def test_nothing_is_queued_unless_everything_is(store):
    def uploads():
        yield DOCS[0]
        raise OSError("the upload broke off")

    with pytest.raises(OSError):
        _queue(store, uploads())
    assert queue.jobs(store.catalog, include_dismissed=True) == []
    assert not any(queue.queue_dir(store.settings).iterdir())  # no stored bytes left behind


def test_the_indexer_works_in_order_reads_ahead_and_cleans_up(store, monkeypatch):
    submitted: list[str] = []
    real_submit = indexer_module.ParseAhead.submit
    monkeypatch.setattr(indexer_module.ParseAhead, "submit", lambda self, name, data: submitted.append(name) or real_submit(self, name, data))
    batch = _queue(store)
    finished = _run(store)
    assert [j.name for j in finished] == [n for n, _ in DOCS]  # first in, first out
    assert [j.status for j in finished] == ["indexed"] * 3 and all(j.chunks >= 1 for j in finished)
    assert submitted == [n for n, _ in DOCS[1:]]  # each next document was read while the one before was embedded
    for name, _ in DOCS:
        _whole(store, name)
    assert not any(queue.queue_dir(store.settings).iterdir())  # the stored copies went once indexed
    assert queue.progress(store.catalog) == queue.QueueProgress(0, 0, None, None)
    assert {j.job_id for j in queue.jobs(store.catalog)} == {j.job_id for j in batch}  # listed until dismissed


def test_a_waiting_job_can_be_cancelled_a_finished_one_not(store):
    batch = _queue(store)
    cancelled = jobs.cancel(store, "default", [batch[1].job_id], None)
    assert [j.status for j in cancelled] == ["cancelled"]
    finished = _run(store)
    assert [j.name for j in finished] == [DOCS[0][0], DOCS[2][0]]
    assert [d.file for d in store.catalog.documents()] == [DOCS[0][0], DOCS[2][0]]
    assert jobs.cancel(store, "default", [batch[0].job_id], None) == []  # done already: nothing to cancel
    assert queue.get(store.catalog, batch[0].job_id).status == "indexed"


def test_finished_jobs_are_listed_until_dismissed(store):
    first = _queue(store, DOCS[:1])
    _run(store)
    second = _queue(store, DOCS[1:2])
    assert queue.dismiss(store.catalog, [second[0].job_id]) == 0  # still to do: cancel it, don't hide it
    assert jobs.dismiss(store, "default", None) == 1  # the finished one
    assert [j.job_id for j in jobs.queue_view(store, "default", None).jobs] == [second[0].job_id]
    assert queue.get(store.catalog, first[0].job_id).dismissed == 1


def test_progress_counts_the_running_batches_and_estimates_from_measured_throughput(store):
    ensure_default(store.catalog, "default")
    done = _queue(store, [("old.md", b"x" * 1000)])
    store.catalog.execute("UPDATE jobs SET status = 'indexed', seconds = 2.0, finished = 1 WHERE job_id = ?", (done[0].job_id,))
    running = _queue(store, [("a.md", b"x" * 3000), ("b.md", b"x" * 500), ("c.pdf", b"x" * 100)])
    store.catalog.execute("UPDATE jobs SET status = 'indexed', seconds = 1.0, finished = 2 WHERE job_id = ?", (running[0].job_id,))
    found = queue.progress(store.catalog, "default")
    assert (found.done, found.total) == (1, 3)  # the finished batch before it is not counted
    # measured: .md at 4000 bytes / 3 s; .pdf never seen, so the rate over all types (the same here)
    assert found.seconds_left == pytest.approx((500 + 100) / (4000 / 3.0))
    assert queue.seconds_left(store.catalog, []) == 0.0


def test_only_managers_queue_cancel_and_see_file_names(store):
    team = create_assistant(store.catalog, "Team", user=ALICE, shared_with=["bob"])
    batch = jobs.queue_uploads(store, DOCS, team.id, ALICE)
    assert {j.queued_by for j in batch} == {"alice"} and {j.origin for j in batch} == {"upload"}
    refused = {
        "queue": lambda: jobs.queue_uploads(store, DOCS[:1], team.id, BOB),
        "see the queue": lambda: jobs.queue_view(store, team.id, BOB),
        "cancel": lambda: jobs.cancel(store, team.id, [batch[0].job_id], BOB),
        "dismiss": lambda: jobs.dismiss(store, team.id, BOB),
        "a job": lambda: jobs.job(store, batch[0].job_id, BOB),
        "progress of an assistant not shared": lambda: jobs.queue_progress(store, team.id, CAROL),
    }
    for what, attempt in refused.items():
        with pytest.raises((AccessDenied, NotFound)):
            attempt()
            pytest.fail(f"{what} was allowed")
    assert all(j.status == "queued" for j in queue.jobs(store.catalog, workspace=team.id))
    # Bob, who may use the assistant, sees how far along it is, never a file name
    store.catalog.execute("UPDATE jobs SET status = 'indexing' WHERE job_id = ?", (batch[0].job_id,))
    seen = jobs.queue_progress(store, team.id, BOB)
    assert (seen.done, seen.total, seen.current) == (0, 3, None)
    assert jobs.queue_progress(store, team.id, ALICE).current == DOCS[0][0]
    bob_note = jobs.still_indexing_notice(store, team.id, BOB, "How fast was Northwind onboarded?")
    alice_note = jobs.still_indexing_notice(store, team.id, ALICE, "How fast was Northwind onboarded?")
    assert "b-northwind" not in bob_note.text and "3 documents" in bob_note.text
    assert "“b-northwind.md” is still being indexed" in alice_note.text and alice_note.code == "still_indexing"
    # a job id of another assistant is ignored, whatever a request carries
    ensure_default(store.catalog, "default")
    theirs = jobs.queue_uploads(store, DOCS[:1], "default", None)
    assert jobs.cancel(store, team.id, [theirs[0].job_id], ALICE) == []


class _Crash(BaseException):
    """What a SIGKILL is to the code it interrupts: nothing after it runs (not even except Exception)."""


def test_a_job_interrupted_mid_way_is_redone_from_its_stored_bytes(store, monkeypatch):
    _queue(store)
    embedded = store.embeddings.embed_array
    calls = []

    def crash_on_the_second(texts):
        calls.append(texts)
        if len(calls) == 2:
            raise _Crash
        return embedded(texts)

    monkeypatch.setattr(store.embeddings, "embed_array", crash_on_the_second)
    with pytest.raises(_Crash):
        _run(store)
    interrupted = queue.jobs(store.catalog)[1]
    assert interrupted.status == "indexing" and store.catalog.documents(status="indexing")  # as a kill leaves it
    store.catalog.execute("UPDATE queue_owner SET beat = 0")  # its worker is gone (a dead process stops beating)

    store = _reopen(store)  # the half-indexed document is rolled back here
    assert store.catalog.documents(status="indexing") == []
    assert [d.file for d in store.catalog.documents()] == [DOCS[0][0]]
    finished = _run(store)
    assert [j.name for j in finished] == [DOCS[1][0], DOCS[2][0]]
    assert queue.get(store.catalog, interrupted.job_id).attempts == 2
    for name, _ in DOCS:
        _whole(store, name)
    store.catalog.close()


def test_a_job_whose_document_was_done_before_the_crash_is_reported_indexed(store, monkeypatch):
    _queue(store, DOCS[:1])

    def crash(*args):
        raise _Crash

    monkeypatch.setattr(queue, "finish", crash)
    with pytest.raises(_Crash):
        _run(store)  # the document is ready; the job row was never told
    monkeypatch.undo()
    store.catalog.execute("UPDATE queue_owner SET beat = 0")
    store = _reopen(store)
    (redone,) = _run(store)
    assert redone.status == "indexed"  # not "unchanged": this upload is what indexed it
    _whole(store, DOCS[0][0])
    store.catalog.close()


def test_stored_bytes_no_job_needs_are_swept_when_a_worker_takes_over(store):
    _queue(store, DOCS[:1])
    root = queue.queue_dir(store.settings)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    crashed = root / f"abc123.{dead.pid}"  # an enqueue killed before its rows were committed
    crashed.mkdir()
    (crashed / "000000").write_bytes(b"orphan")
    being_written = root / f"def456.{os.getpid()}"  # a live process's enqueue, rows not committed yet
    being_written.mkdir()
    (being_written / "000000").write_bytes(b"wait for me")
    assert queue.take_ownership(store, "test", "token")
    assert not crashed.exists()
    assert (being_written / "000000").exists()
    assert all(queue.stored_bytes(store, j) for j in queue.jobs(store.catalog))  # the queued one's bytes stay


def test_one_worker_per_data_folder(store):
    _queue(store, DOCS[:1])
    first = Indexer(store, "the app", poll_s=0.05)
    thread = threading.Thread(target=first.run, kwargs={"until_idle": False})
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while queue.jobs(store.catalog, active_only=True):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert queue.owner(store.catalog).label == "the app"
        assert Indexer(store, "grounded ingest").run() is False  # the live one keeps the queue
    finally:
        first.stop()
        thread.join(30)
    assert queue.owner(store.catalog) is None  # given up when stopped
    _queue(store, DOCS[1:2])
    assert [j.status for j in _run(store)] == ["indexed"]


def test_the_background_indexer_picks_up_new_jobs(store):
    running = indexer_module.start_indexer(store)
    try:
        assert indexer_module.start_indexer(store) is running  # one per folder in a process
        batch = _queue(store, DOCS)
        indexer_module.wake_indexer(store)
        deadline = time.monotonic() + 120
        while any(j.active for j in queue.jobs(store.catalog, batch=batch[0].batch)):
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        indexer_module.stop_indexer(store, timeout=60)
    assert not running.running
    assert [j.status for j in queue.jobs(store.catalog)] == ["indexed"] * 3


def test_chunk_settings_travel_with_the_job(store):
    ensure_default(store.catalog, "default")
    (job,) = queue.enqueue(store, DOCS[:1], "default", ChunkSettings("fixed", 64, 8), queued_by="", force=True)
    assert job.chunk_settings == ChunkSettings("fixed", 64, 8) and job.force == 1
    (done,) = _run(store)
    assert store.catalog.get(done.doc_id).chunk_settings == {"strategy": "fixed", "size": 64, "overlap": 8}


def test_deleting_an_assistant_cancels_its_queue_and_nothing_brings_it_back(store):
    from rag.workspace.assistants import delete_assistant

    team = create_assistant(store.catalog, "Team", user=ALICE)
    jobs.queue_uploads(store, DOCS, team.id, ALICE)
    delete_assistant(store, team.id, ALICE)
    assert queue.jobs(store.catalog, include_dismissed=True) == []  # its file names go with it
    assert not [p for p in queue.queue_dir(store.settings).rglob("*") if p.is_file()]
    # a job whose assistant is gone is never indexed (that would bring the assistant back, ownerless)
    other = create_assistant(store.catalog, "Other", user=ALICE)
    (orphan,) = jobs.queue_uploads(store, DOCS[:1], other.id, ALICE)
    store.catalog.execute("DELETE FROM workspaces WHERE name = ?", (other.id,))
    assert _run(store) == []
    assert {team.id, other.id}.isdisjoint(store.catalog.workspaces())
    assert queue.get(store.catalog, orphan.job_id).status == "queued"


def test_a_file_met_by_an_install_problem_is_held_then_read_once_the_install_is_fixed(store, monkeypatch):
    """A reader whose module is missing (the parser registry's HTML entry raising ImportError, as trafilatura's
    does without lxml_html_clean) holds the job with the plain reason, bytes kept; the next start reads it."""
    from dataclasses import replace

    import rag.parse as parse
    from rag.settings import Limits

    monkeypatch.setattr(store, "settings", replace(store.settings, limits=replace(Limits(), parse_timeout_s=0)))
    read_html = parse.PARSERS[".html"]

    def without_module(path, name):
        raise ImportError("lxml.html.clean module is now a separate project lxml_html_clean.")

    monkeypatch.setitem(parse.PARSERS, ".html", without_module)
    page = b"<html><body><h1>Pricing</h1><p>The Team plan costs 49 dollars a month.</p></body></html>"
    _queue(store, [("pricing.html", page), *DOCS[:1]])
    done = {j.name: j for j in _run(store)}
    held = done["pricing.html"]
    assert held.status == queue.HELD and held.stored and not held.active
    assert held.error == "HTML pages can't be read: the module lxml_html_clean is missing; run make install again."
    assert done["a-launch.md"].status == "indexed"
    queue.sweep(store)  # a held job's bytes are needed: not swept
    assert queue.stored_bytes(store, queue.get(store.catalog, held.job_id)) == page
    (still,) = _run(store)  # a restart (a new indexer) tries it once more; still missing: held again, no loop
    assert still.job_id == held.job_id and still.status == queue.HELD and still.attempts == 2

    monkeypatch.setitem(parse.PARSERS, ".html", read_html)  # `make install` again, and the app restarts
    store = _reopen(store)
    monkeypatch.setattr(store, "settings", replace(store.settings, limits=replace(Limits(), parse_timeout_s=0)))
    assert queue.release_held(store.catalog) == 1  # what the indexer does as it starts
    again = queue.get(store.catalog, held.job_id)
    assert again.status == "queued" and again.error is None
    (retried,) = _run(store)
    assert retried.job_id == held.job_id and retried.status == "indexed" and retried.stored is None
    _whole(store, "pricing.html")
    store.catalog.close()
    close_all_indexes()


def test_a_file_uploaded_again_replaces_its_failed_row_and_failures_are_listed_first(store):
    """The summary counts each document once, as last uploaded: no stale "not indexed" after a good re-upload."""
    broken = b"%PDF-1.4 this is not really a PDF"
    _queue(store, [("brochure.pdf", broken), *DOCS[:2]])
    _run(store)
    view = jobs.queue_view(store, "default", None)
    assert [(j.name, j.status) for j in view.problems] == [("brochure.pdf", "failed")]

    from rag.bench.documents import make_pdf

    _queue(store, [("brochure.pdf", make_pdf([["Spring brochure", "The Atlas release ships in March."]]))])
    _run(store)
    view = jobs.queue_view(store, "default", None)
    assert sorted((j.name, j.status) for j in view.jobs) == [
        ("a-launch.md", "indexed"), ("b-northwind.md", "indexed"), ("brochure.pdf", "indexed")]
    assert view.problems == []
    assert len(queue.jobs(store.catalog, workspace="default")) == 4  # the history stays; the view shows the latest


def test_an_earlier_job_still_to_do_stays_listed_beside_the_newer_one():
    from rag.workspace.jobs import latest_per_document

    def job(job_id, status):
        return queue.Job(job_id=job_id, batch="b", workspace="default", name="a.md", upload="a.md", stored=None,
                         size=1, chunking="{}", kind=None, force=0, status=status, error=None, doc_id=None, chunks=0,
                         pages=None, queued_by="", origin="upload", queued=0.0, started=None, finished=None, seconds=None,
                         attempts=0, dismissed=0)

    assert [j.job_id for j in latest_per_document([job(1, "failed"), job(2, "indexed")])] == [2]
    assert [j.job_id for j in latest_per_document([job(1, "queued"), job(2, "queued")])] == [1, 2]
