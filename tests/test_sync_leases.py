"""Any indexer may sync the sites that are due: each run of a site holds it on a lease in the catalog (issue 26, point 3).

Before, a site's sync was guarded inside one process only, so exactly one ``grounded indexer`` of a team
(``--sites``) could sync sites. Now a run claims the source's row (one conditional UPDATE) and renews a
lease while it reads; another process's run of the same site is refused, and a dead process's site is
taken again once its lease has run out. On SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from rag.bench.site import FixtureSite, Page, article_page, sitemap
from rag.catalog import Catalog
from rag.cli import _parser
from rag.index import close_all_indexes
from rag.ingest import sources
from rag.ingest.crawl import CrawlOptions
from rag.ingest.recovery import open_store
from rag.ingest.sources import SYNC_LEASE_S, claim_sync, release_sync, renew_sync, sync_holder

pytestmark = [pytest.mark.both_databases]

FAST = CrawlOptions(requests_per_second=10, timeout_s=5.0)


@pytest.fixture
def settings(settings):
    return replace(settings, allow_private_urls=True)  # the fixture sites are on loopback


def _help_center(site: FixtureSite, n: int, delay_s: float = 0.0) -> None:
    paths = [f"/hc/articles/{i}" for i in range(n)]
    for i, path in enumerate(paths):
        site.pages[path] = Page(article_page(f"Article {i}", [f"Article {i} explains setting number {i}."]), delay_s=delay_s)
    site.pages["/hc/sitemap.xml"] = Page(sitemap([(site.url(p), "2026-01-01") for p in paths]), "application/xml")


@pytest.fixture
def other(settings, tmp_path):
    """A second indexer's store: its own data folder (its own embedded index), the same catalog."""
    shared = settings.database_url or str(settings.catalog_path)
    s = open_store(replace(settings, data_dir=tmp_path / "other-indexer", database_url=shared))
    yield s
    s.catalog.close()
    close_all_indexes()


def test_a_claim_is_one_holders_until_released_or_its_lease_runs_out(store):
    with FixtureSite() as site:
        source = sources.create(store.catalog, "default", site.url("/hc/"), FAST, allow_private=True)
    catalog, sid = store.catalog, source.source_id
    assert sync_holder(catalog, sid) == (None, None)
    assert claim_sync(catalog, sid, "a")
    assert not claim_sync(catalog, sid, "b")
    assert not claim_sync(catalog, sid, "a")  # nor twice by the same holder: one run at a time
    release_sync(catalog, sid, "b")  # not b's to give back: nothing changes
    assert sync_holder(catalog, sid)[0] == "a"
    assert renew_sync(catalog, sid, "a") and not renew_sync(catalog, sid, "b")
    # "a" died: past its lease another takes the source, and "a", late, learns it has lost it
    assert claim_sync(catalog, sid, "b", now=time.time() + SYNC_LEASE_S + 1)
    assert sync_holder(catalog, sid)[0] == "b"
    assert not renew_sync(catalog, sid, "a")
    release_sync(catalog, sid, "a")  # a late release leaves the new holder's claim alone
    assert sync_holder(catalog, sid)[0] == "b"
    release_sync(catalog, sid, "b")
    assert sync_holder(catalog, sid) == (None, None)
    assert claim_sync(catalog, sid, "c")


def test_claims_at_the_same_moment_from_separate_connections_give_the_source_to_one(store, settings):
    with FixtureSite() as site:
        source = sources.create(store.catalog, "default", site.url("/hc/"), FAST, allow_private=True)
    catalogs = [Catalog(settings.catalog_location) for _ in range(8)]  # as eight processes would each have
    start = threading.Barrier(len(catalogs))
    won: list[str] = []

    def claim(n: int) -> None:
        start.wait()
        if claim_sync(catalogs[n], source.source_id, f"worker-{n}"):
            won.append(f"worker-{n}")

    try:
        threads = [threading.Thread(target=claim, args=(n,)) for n in range(len(catalogs))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        for c in catalogs:
            c.close()
    assert len(won) == 1 and sync_holder(store.catalog, source.source_id)[0] == won[0]


def test_another_indexers_sync_of_the_same_site_is_refused_then_free(store, other):
    with FixtureSite() as site:
        _help_center(site, 3)
        source = sources.create(store.catalog, "default", site.url("/hc/"), FAST, allow_private=True)
        refused, held = [], []

        def on_progress(progress):
            if progress.done == 1:
                held.append(sync_holder(store.catalog, source.source_id)[0])
                with pytest.raises(sources.SyncUnderWay) as err:
                    sources.sync(other, sources.get(other.catalog, source.source_id))
                refused.append(str(err.value))

        report = sources.sync(store, source, on_progress=on_progress)
        assert report.error is None and report.count("indexed") == 3
        assert held[0] is not None and refused and "is being synced right now" in refused[0]
        assert sync_holder(store.catalog, source.source_id) == (None, None)  # given back at the end
        again = sources.sync(other, sources.get(other.catalog, source.source_id))  # the other indexer may now
        assert again.error is None and again.count("unchanged") == 3


def test_a_dead_indexers_site_is_taken_again_when_its_lease_has_run_out(store, other):
    with FixtureSite() as site:
        _help_center(site, 2)
        source = sources.create(store.catalog, "default", site.url("/hc/"), FAST, allow_private=True)
        assert claim_sync(store.catalog, source.source_id, "killed-indexer")  # and never renewed, nor released
        with pytest.raises(sources.SyncUnderWay):
            sources.sync(other, sources.get(other.catalog, source.source_id))
        # its lease ran out (claimed as of long ago): the next indexer takes the site
        release_sync(store.catalog, source.source_id, "killed-indexer")
        assert claim_sync(store.catalog, source.source_id, "killed-indexer", now=time.time() - SYNC_LEASE_S - 1)
        report = sources.sync(other, sources.get(other.catalog, source.source_id))
        assert report.error is None and report.count("indexed") == 2
        assert sync_holder(store.catalog, source.source_id) == (None, None)


def test_a_run_that_lost_its_lease_stops_at_its_next_page(store, monkeypatch):
    """A holder stalled past its lease (the site taken by another meanwhile) stops rather than sync beside it."""
    monkeypatch.setattr(sources, "SYNC_BEAT_S", 0.1)
    with FixtureSite() as site:
        _help_center(site, 12, delay_s=0.3)
        source = sources.create(store.catalog, "default", site.url("/hc/"), FAST, allow_private=True)

        def on_progress(progress):
            if progress.done == 1:  # another indexer took it as if this one's lease had run out
                assert claim_sync(store.catalog, source.source_id, "thief", now=time.time() + SYNC_LEASE_S + 1)

        report = sources.sync(store, source, on_progress=on_progress)
        assert report.cut == "stopped" and report.count("indexed") < 12
        assert sync_holder(store.catalog, source.source_id)[0] == "thief"  # the loser leaves the new holder's claim


def test_every_indexer_syncs_sites_unless_told_not_to():
    parse = _parser().parse_args
    assert parse(["indexer"]).sites is True
    assert parse(["indexer", "--sites"]).sites is True  # what older setups gave exactly one indexer
    assert parse(["indexer", "--no-sites"]).sites is False
