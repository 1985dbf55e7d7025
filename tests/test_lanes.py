"""Nobody's upload waits behind a site or behind someone else's ZIP (security report, issue 21 points 1 and 6).

- The queue takes turns between lanes (an assistant and the person who queued): a colleague's
  one-line note is claimed next, not after all 150 documents of another person's ZIP.
- A site's sync runs in its own lane (a thread of the indexer), beside the queue.
- One run of a sync is bounded (pages requested, seconds); a run cut short records what it did and
  the next run carries on where it stopped, asking again for none of the pages already read; a
  process killed mid-run leaves the sync "under way", so it is resumed, not due at every restart.
"""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

import rag.ingest.indexer as indexer_module
from rag.bench.site import FixtureSite, Page, article_page, sitemap
from rag.ingest import queue, sources
from rag.ingest.admission import FileResult
from rag.ingest.crawl import CrawlOptions, RunBudget
from rag.ingest.indexer import Indexer
from rag.workspace import jobs
from rag.workspace.access import User
from rag.workspace.assistants import create_assistant, ensure_default

FAST = CrawlOptions(requests_per_second=10, timeout_s=5.0)


@pytest.fixture
def settings(settings):
    return replace(settings, allow_private_urls=True)  # the fixture sites are on loopback


def _note(n: int) -> tuple[str, bytes]:
    return f"note-{n:03d}.md", f"# Note {n}\n\nThe launch checklist item number {n} is done.\n".encode()


# ---- fairness in the queue --------------------------------------------------------------------


def test_a_colleagues_note_is_claimed_within_two_claims_of_a_150_document_zip(store):
    alice, bob = User("alice"), User("bob")
    a = create_assistant(store.catalog, "Launch", user=alice)
    b = create_assistant(store.catalog, "Support", user=bob)
    big = jobs.queue_uploads(store, [_note(n) for n in range(150)], a.id, alice)
    (note,) = jobs.queue_uploads(store, [("hours.md", b"# Hours\n\nSupport answers 9 to 5.\n")], b.id, bob)
    assert len(big) == 150 and note.job_id > max(j.job_id for j in big)

    claimed = [queue.claim_next(store.catalog) for _ in range(4)]
    assert note.job_id in [c.job_id for c in claimed[:2]]
    # and after it, the ZIP goes on in the order it was given
    assert [c.name for c in claimed if c.job_id != note.job_id] == ["note-000.md", "note-001.md", "note-002.md"]


def test_lanes_take_turns_by_assistant_and_by_person(store):
    ensure_default(store.catalog, "default")
    settings = store.settings.chunking
    queue.enqueue(store, [_note(n) for n in range(5)], "default", settings, queued_by="alice")
    queue.enqueue(store, [_note(n) for n in range(10, 13)], "default", settings, queued_by="bob")  # same assistant
    queue.enqueue(store, [_note(20)], "default", settings, queued_by="carol")
    order = []
    while (predicted := queue.next_queued(store.catalog, after=0)) is not None:
        job = queue.claim_next(store.catalog)
        assert job.job_id == predicted.job_id  # what is read ahead is what is claimed next
        order.append((job.queued_by, job.name))
    assert order == [
        ("alice", "note-000.md"), ("bob", "note-010.md"), ("carol", "note-020.md"),
        ("alice", "note-001.md"), ("bob", "note-011.md"),
        ("alice", "note-002.md"), ("bob", "note-012.md"),
        ("alice", "note-003.md"), ("alice", "note-004.md"),
    ]


def test_time_left_counts_only_the_turns_other_lanes_take_first(store):
    alice, bob = User("alice"), User("bob")
    a = create_assistant(store.catalog, "Launch", user=alice)
    b = create_assistant(store.catalog, "Support", user=bob)
    jobs.queue_uploads(store, [_note(n) for n in range(40)], a.id, alice)
    for _ in range(2):  # two measured, to estimate from
        job = queue.claim_next(store.catalog)
        queue.finish(store, job, FileResult(job.name, "indexed", chunks=1, doc_id="x"))
    store.catalog.execute("UPDATE jobs SET seconds = 1.0 WHERE status = 'indexed'")
    (note,) = jobs.queue_uploads(store, [("hours.md", b"# Hours\n\nSupport answers 9 to 5.\n")], b.id, bob)

    waiting = queue.jobs(store.catalog, active_only=True)
    first_of_alice = next(j for j in waiting if j.workspace == a.id)
    # bob's note: itself and the one turn alice's lane takes before it, not all 38 of hers
    assert queue.progress(store.catalog, b.id).seconds_left == pytest.approx(
        queue.seconds_left(store.catalog, [note, first_of_alice]))
    assert queue.progress(store.catalog, a.id).seconds_left == pytest.approx(queue.seconds_left(store.catalog, waiting))


def test_the_indexer_serves_a_second_assistant_between_the_documents_of_a_big_upload(store):
    alice, bob = User("alice"), User("bob")
    a = create_assistant(store.catalog, "Launch", user=alice)
    b = create_assistant(store.catalog, "Support", user=bob)
    jobs.queue_uploads(store, [_note(n) for n in range(12)], a.id, alice)
    jobs.queue_uploads(store, [("hours.md", b"# Hours\n\nSupport answers 9 to 5.\n")], b.id, bob)
    finished: list[queue.Job] = []
    assert Indexer(store, "test").run(on_finished=finished.append)
    assert [j.status for j in finished] == ["indexed"] * 13
    assert [j.name for j in finished].index("hours.md") <= 1


# ---- bounded sync runs, resumed -----------------------------------------------------------------


def _help_center(site: FixtureSite, n: int, delay_s: float = 0.0) -> list[str]:
    paths = [f"/hc/articles/{i}" for i in range(n)]
    for i, path in enumerate(paths):
        site.pages[path] = Page(article_page(f"Article {i}", [f"Article {i} explains setting number {i}."]),
                                delay_s=delay_s)
    site.pages["/hc/sitemap.xml"] = Page(sitemap([(site.url(p), "2026-01-01") for p in paths]), "application/xml")
    return paths


def _page_requests(site: FixtureSite) -> list[str]:
    return [r.path for r in site.requests if r.path.startswith("/hc/articles/")]


def test_a_sync_cut_by_its_page_budget_resumes_where_it_stopped(store):
    with FixtureSite() as site:
        paths = _help_center(site, 7)
        source = sources.create(store.catalog, "default", site.url("/hc/"), FAST, allow_private=True)
        budget = RunBudget(max_requests=3, seconds=60)

        first = sources.sync(store, source, budget=budget)
        assert first.cut == "pages" and first.error is None and first.count("indexed") == 3
        assert "starting where it stopped" in first.notice
        saved = sources.get(store.catalog, source.source_id)
        assert saved.last_status == "ok" and saved.resume_since is not None and saved.last_sync is not None
        now = time.time()
        assert not saved.due(now)  # "last synced" is written: not due again at once (nor at every restart)
        assert saved.due(now + sources.RESUME_AFTER_S)  # ...but continued soon, whatever the schedule ("off")
        assert sources.due(store.catalog, now + sources.RESUME_AFTER_S) == [saved]

        second = sources.sync(store, saved, budget=budget)  # the pages not read yet first
        assert second.cut == "pages" and second.count("indexed") == 3 and second.count("unchanged") == 0
        third = sources.sync(store, sources.get(store.catalog, source.source_id), budget=budget)
        assert third.cut is None and third.error is None
        assert third.count("indexed") == 1 and third.count("unchanged") == 6

        assert sorted(_page_requests(site)) == sorted(paths)  # each page asked for once over the three runs
        done = sources.get(store.catalog, source.source_id)
        assert done.resume_since is None and not done.due(time.time() + 10 * 86400)  # schedule "off", complete
        assert len(store.catalog.documents("default", status="ready")) == 7


def test_a_link_crawl_cut_short_resumes_through_the_pages_already_read(store):
    with FixtureSite() as site:
        chain = [f"/docs/{i}" for i in range(6)]
        for i, path in enumerate(chain):
            links = [(chain[i + 1], "Next")] if i + 1 < len(chain) else []
            site.pages[path] = Page(article_page(f"Step {i}", [f"Step {i} of the setup guide."], links=links))
        site.pages["/docs/"] = Page(article_page("Guide", ["The setup guide."], links=[(chain[0], "Start")]))
        source = sources.create(store.catalog, "default", site.url("/docs/"), replace(FAST, max_depth=10),
                                allow_private=True)
        reports = []
        while True:
            source = sources.get(store.catalog, source.source_id)
            reports.append(sources.sync(store, source, budget=RunBudget(max_requests=2, seconds=60)))
            if reports[-1].cut is None or len(reports) > 6:
                break
        assert [r.cut for r in reports] == ["pages", "pages", "pages", None]
        assert [r.count("indexed") for r in reports] == [2, 2, 2, 1]
        pages = [r.path for r in site.requests if r.path.startswith("/docs/") and "sitemap" not in r.path]
        assert sorted(pages) == sorted(["/docs/", *chain])  # none asked for twice
        assert sources.get(store.catalog, source.source_id).resume_since is None


@pytest.mark.slow
def test_a_sync_cut_by_its_time_budget_ends_in_time(store):
    with FixtureSite() as site:
        _help_center(site, 10, delay_s=0.5)
        source = sources.create(store.catalog, "default", site.url("/hc/"), FAST, allow_private=True)
        started = time.monotonic()
        report = sources.sync(store, source, budget=RunBudget(max_requests=300, seconds=1.5))
        seconds = time.monotonic() - started
    assert report.cut == "time" and report.error is None and 1 <= report.count("indexed") < 10
    assert seconds < 1.5 + 0.5 + 5  # the budget, one page's wait past it, its indexing


def test_a_run_whose_time_ran_out_before_any_page_fails_and_does_not_loop(store):
    with FixtureSite() as site:
        _help_center(site, 3)
        source = sources.create(store.catalog, "default", site.url("/hc/"), FAST, schedule="daily", allow_private=True)
        report = sources.sync(store, source, budget=RunBudget(max_requests=300, seconds=0))
    assert report.cut == "time" and "too slow to read" in report.error
    saved = sources.get(store.catalog, source.source_id)
    assert saved.last_status == "failed" and saved.resume_since is None
    assert not saved.due(time.time() + sources.RESUME_AFTER_S)  # the next try is the schedule's


class Killed(BaseException):
    """What a SIGKILL does to a sync, as far as the catalog can tell: nothing after this point runs."""


def test_a_sync_killed_mid_run_is_resumed_not_restarted_and_not_due_at_every_restart(store):
    with FixtureSite() as site:
        paths = _help_center(site, 5)
        source = sources.create(store.catalog, "default", site.url("/hc/"), FAST, schedule="daily", allow_private=True)
        index = sources.index_now(store, "default")
        done = []

        def dies_on_the_third(item):
            if len(done) == 2:
                raise Killed
            done.append(item.url)
            return index(item)

        with pytest.raises(Killed):
            sources.sync(store, source, dies_on_the_third)
        saved = sources.get(store.catalog, source.source_id)
        assert saved.resume_since is not None and saved.last_sync is not None
        assert not saved.due(time.time())  # a restart right away doesn't start it again...
        assert saved.due(time.time() + sources.RESUME_AFTER_S)  # ...it is continued a few minutes later

        site.requests.clear()
        report = sources.sync(store, saved)
        assert report.cut is None and report.error is None
        assert report.count("unchanged") == 2 and report.count("indexed") == 3
        assert sorted(_page_requests(site)) == sorted(p for p in paths if site.url(p) not in done)


def test_a_stopped_sync_ends_before_its_next_request_and_continues_later(store):
    import threading

    with FixtureSite() as site:
        _help_center(site, 6)
        source = sources.create(store.catalog, "default", site.url("/hc/"), FAST, allow_private=True)
        stop = threading.Event()

        def on_progress(progress):
            if progress.done == 2:
                stop.set()  # the app shutting down

        report = sources.sync(store, source, on_progress=on_progress, stop=stop)
    assert report.cut == "stopped" and report.error is None and len(report.pages) == 2
    assert len(_page_requests(site)) == 2
    assert sources.get(store.catalog, source.source_id).resume_since is not None


# ---- the two lanes together -------------------------------------------------------------------


@pytest.mark.slow
def test_an_upload_is_indexed_while_a_slow_site_syncs_in_its_own_lane(store):
    ensure_default(store.catalog, "default")
    with FixtureSite() as site:
        _help_center(site, 30, delay_s=1.0)
        source = sources.create(store.catalog, "default", site.url("/hc/"), FAST, schedule="daily", allow_private=True)
        running = indexer_module.start_indexer(store)
        try:
            deadline = time.monotonic() + 60
            while not _page_requests(site):  # the sync lane has started on the site
                assert time.monotonic() < deadline
                time.sleep(0.05)
            queued_at = time.monotonic()
            (job,) = jobs.queue_uploads(store, [("hours.md", b"# Hours\n\nSupport answers 9 to 5.\n")], "default", None)
            indexer_module.wake_indexer(store)
            while queue.get(store.catalog, job.job_id).active:
                assert time.monotonic() < queued_at + 60
                time.sleep(0.05)
            waited = time.monotonic() - queued_at
            assert queue.get(store.catalog, job.job_id).status == "indexed"
            assert sources.get(store.catalog, source.source_id).last_status is None  # the sync is still under way
        finally:
            indexer_module.stop_indexer(store, timeout=60)
        assert not running.running
    print(f"upload indexed {waited:.2f} s after it was queued, beside a sync of 30 pages at 1 s each")
    saved = sources.get(store.catalog, source.source_id)
    assert saved.resume_since is not None and saved.last_sync is not None  # stopped mid-run: continued later
    assert saved.last_counts["indexed"] < 30


def test_one_run_of_a_source_at_a_time(store):
    """A person's "Sync now" while the lane syncs the same site is told so, in plain words (no double work)."""
    with FixtureSite() as site:
        _help_center(site, 3)
        source = sources.create(store.catalog, "default", site.url("/hc/"), FAST, allow_private=True)
        refused = []

        def on_progress(progress):
            if progress.done == 1:
                with pytest.raises(sources.SyncUnderWay) as err:
                    sources.sync(store, sources.get(store.catalog, source.source_id))
                refused.append(str(err.value))

        report = sources.sync(store, source, on_progress=on_progress)
        assert report.error is None and report.count("indexed") == 3
        assert refused and "is being synced right now" in refused[0]
        assert sources.sync(store, sources.get(store.catalog, source.source_id)).error is None  # free again afterwards
