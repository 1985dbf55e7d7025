"""A site by its address: imported from a loopback help center, kept in sync, and refused when it is internal.

The help center (``rag/bench/site.py``) has a sitemap index, a robots.txt with a
disallowed path, a redirect, a 404, a slow page, an oversized page, an off-site
link, a linked PDF and menus and footers on every page. The tests allow private
addresses (``allow_private_urls``) for it, except the one that checks the refusal.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from rag.bench.crawl import CountingEmbeddings
from rag.bench.documents import make_pdf
from rag.bench.site import FOOTER, FixtureSite, Page, article_page, sitemap, sitemap_index
from rag.ingest import sources
from rag.ingest.crawl import CrawlOptions, Robots, Scope, document_name, read_sitemap
from rag.ingest.origins import url_of
from rag.netguard import UnsafeAddress

FAST = CrawlOptions(requests_per_second=10, timeout_s=1.0, max_page_mb=0.05)


@pytest.fixture
def settings(settings):
    return replace(settings, allow_private_urls=True)  # the help center is on loopback


ARTICLES = {
    1: ("Reset your password", ["Click Forgot password on the sign-in page and follow the link we e-mail you."]),
    2: ("Change your plan", ["Open Settings, then Billing, and choose Change plan. The Team plan costs $49 a month."]),
    3: ("Export your data", ["Go to Settings, then Data, and click Export to download a CSV of every record."]),
    4: ("Invite teammates", ["Open People and click Invite; each teammate gets an e-mail with a sign-up link."]),
    5: ("Connect your CRM", ["Open Integrations, pick your CRM and sign in to it to sync contacts both ways."]),
}


def build_help_center(site: FixtureSite, articles: dict[int, tuple[str, list[str]]]) -> None:
    """The fixture help center: every tricky case a real site has, around a few real articles."""
    pages = site.pages
    for n, (title, text) in articles.items():
        links = [("/files/guide.pdf", "The admin guide (PDF)"),
                 (site.url("/hc/offsite", host="localhost"), "Our other site")] if n == 1 else []
        pages[f"/hc/articles/{n}"] = Page(article_page(title, text, links=links))
    pages["/files/guide.pdf"] = Page(make_pdf([["# Admin guide", "Admins can export audit logs every 24 hours."]]),
                                     "application/pdf")
    pages["/hc/old-page"] = Page(status=301, location="/hc/articles/moved-here")
    pages["/hc/articles/moved-here"] = Page(article_page("Set up single sign-on", ["Single sign-on works with Okta."]))
    pages["/hc/slow"] = Page(article_page("Slow page", ["This page answers too late."]), delay_s=3)
    pages["/hc/huge"] = Page(article_page("Huge page", ["word " * 20000]))
    pages["/hc/private/secret"] = Page(article_page("Secret", ["Internal notes nobody should import."]))
    listed = [f"/hc/articles/{n}" for n in sorted(articles)]
    first, second = listed[:3], listed[3:]
    pages["/hc/sitemap-1.xml"] = Page(sitemap(
        [(site.url(p), "2026-01-01") for p in first]
        + [(site.url(p), None) for p in ("/hc/old-page", "/hc/missing", "/hc/slow", "/hc/huge", "/hc/private/secret")]),
        "application/xml")
    pages["/hc/sitemap-2.xml"] = Page(sitemap([(site.url(p), "2026-01-01") for p in second]), "application/xml")
    pages["/hc/sitemap.xml"] = Page(sitemap_index([site.url("/hc/sitemap-1.xml"), site.url("/hc/sitemap-2.xml")]),
                                    "application/xml")
    pages["/robots.txt"] = Page(f"User-agent: *\nDisallow: /hc/private/\n\nSitemap: {site.url('/hc/sitemap.xml')}\n"
                                .encode(), "text/plain")


def statuses(report) -> dict[str, tuple[str, str | None]]:
    return {p.url.split(":", 2)[2].split("/", 1)[1]: (p.status, p.error) for p in report.pages}


def test_import_a_help_center_then_sync_only_what_changed(store):
    with FixtureSite() as site:
        build_help_center(site, ARTICLES)
        counting = store.embeddings = CountingEmbeddings(store.embeddings)
        source = sources.create(store.catalog, "default", site.url("/hc/"), FAST, allow_private=True)
        first = sources.sync(store, source)

        got = statuses(first)
        assert first.error is None
        assert {p: s for p, (s, _) in got.items()} == {
            "hc/articles/1": "indexed", "hc/articles/2": "indexed", "hc/articles/3": "indexed",
            "hc/articles/4": "indexed", "hc/articles/5": "indexed", "hc/old-page": "indexed",
            "files/guide.pdf": "indexed",  # linked from an article, outside /hc/, same host: a document too
            "hc/missing": "failed", "hc/slow": "failed", "hc/huge": "failed", "hc/private/secret": "skipped",
        }
        assert "robots.txt" in got["hc/private/secret"][1]
        assert "404" in got["hc/missing"][1]
        assert "longer than 1 second " in got["hc/slow"][1]
        assert "larger than" in got["hc/huge"][1]
        assert not site.requested("/hc/private/secret")  # robots.txt is obeyed: never even asked
        assert {r.host for r in site.requests} == {f"127.0.0.1:{site.port}"}  # the off-site link was not followed
        assert all(r.user_agent.startswith("GroundedBot/") for r in site.requests)
        moved = next(p for p in first.pages if p.url.endswith("/hc/old-page"))
        assert moved.moved_to == site.url("/hc/articles/moved-here")
        assert url_of(store.catalog, moved.doc_id) == site.url("/hc/articles/moved-here")  # cited at its live address
        assert counting.calls == 7

        # menus, breadcrumbs, "Was this article helpful?" and footers are not indexed
        texts = [h.text for d in store.catalog.documents("default") for h in store.index.chunks_of("default", d.doc_id)]
        joined = "\n".join(texts)
        assert "Team plan costs $49" in joined and "audit logs" in joined
        assert FOOTER not in joined and "Was this article helpful" not in joined and "Contact us" not in joined
        reset = store.catalog.get(next(p.doc_id for p in first.pages if p.url.endswith("/hc/articles/1")))
        assert reset.title == "Reset your password" and reset.file == document_name(site.url("/hc/articles/1"), ".html")

        # the site changes: one page edited, one deleted, one added
        site.pages["/hc/articles/2"] = Page(article_page("Change your plan", ["The Team plan now costs $59 a month."]))
        del site.pages["/hc/articles/3"]
        site.pages["/hc/articles/6"] = Page(article_page("Use the API", ["Create an API key under Settings, then API."]))
        site.pages["/hc/sitemap-1.xml"] = Page(sitemap(
            [(site.url("/hc/articles/1"), "2026-01-01"), (site.url("/hc/articles/2"), "2026-02-01")]
            + [(site.url(p), None) for p in ("/hc/old-page", "/hc/missing", "/hc/slow", "/hc/huge", "/hc/private/secret")]),
            "application/xml")
        site.pages["/hc/sitemap-2.xml"] = Page(sitemap(
            [(site.url(f"/hc/articles/{n}"), "2026-01-01") for n in (4, 5, 6)]), "application/xml")
        site.requests.clear()
        counting.calls = 0

        second = sources.sync(store, sources.get(store.catalog, source.source_id))
        got = statuses(second)
        changed = {p: s for p, (s, _) in got.items() if s not in ("unchanged", "failed", "skipped")}
        assert changed == {"hc/articles/2": "indexed", "hc/articles/6": "indexed", "hc/articles/3": "removed"}
        assert "no longer in the site's sitemap" in got["hc/articles/3"][1]
        assert {p for p, (s, _) in got.items() if s == "unchanged"} == {
            "hc/articles/1", "hc/articles/4", "hc/articles/5", "hc/old-page", "files/guide.pdf"}
        assert counting.calls == 2  # only the changed page and the new one were embedded
        # unchanged pages the sitemap dates cost no request; the others one conditional request each
        assert not site.requested("/hc/articles/1") and not site.requested("/hc/articles/4")
        assert [r.status for r in site.requested("/files/guide.pdf")] == [304]
        assert [r.status for r in site.requested("/hc/articles/moved-here")] == [304]
        assert {d.file for d in store.catalog.documents("default")} >= {document_name(site.url("/hc/articles/6"), ".html")}
        assert document_name(site.url("/hc/articles/3"), ".html") not in {d.file for d in store.catalog.documents("default")}
        assert sources.get(store.catalog, source.source_id).last_counts["removed"] == 1


def test_a_site_without_sitemap_is_read_by_its_links_and_costs_one_request_a_page_when_unchanged(store):
    with FixtureSite() as site:
        site.pages["/robots.txt"] = Page(b"User-agent: GroundedBot\nDisallow: /docs/*.bak$\n", "text/plain")
        site.pages["/docs/"] = Page(article_page("Docs home", ["Start here to learn the product."],
                                                 links=[("/docs/a", "A"), ("/docs/b", "B"), ("/blog/post", "Blog")]))
        site.pages["/docs/a"] = Page(article_page("Page A", ["Page A explains the first setting."],
                                                  links=[("/docs/deep/c", "C"), ("/docs/old.bak", "Backup")]))
        site.pages["/docs/b"] = Page(article_page("Page B", ["Page B explains the second setting."]))
        site.pages["/docs/deep/c"] = Page(article_page("Page C", ["Page C is two links away."],
                                                       links=[("/docs/deep/d", "D")]))
        site.pages["/docs/deep/d"] = Page(article_page("Page D", ["Page D is three links away."]))
        counting = store.embeddings = CountingEmbeddings(store.embeddings)
        source = sources.create(store.catalog, "default", site.url("/docs/"), replace(FAST, max_depth=2),
                                allow_private=True)
        first = sources.sync(store, source)
        assert {p: s for p, (s, _) in statuses(first).items()} == {
            "docs/": "indexed", "docs/a": "indexed", "docs/b": "indexed", "docs/deep/c": "indexed",
            "docs/old.bak": "skipped",  # robots.txt for GroundedBot, with a $ pattern
        }
        assert not site.requested("/blog/post")  # outside /docs/
        assert not site.requested("/docs/deep/d")  # beyond the depth limit

        site.requests.clear()
        counting.calls = 0
        second = sources.sync(store, sources.get(store.catalog, source.source_id))
        assert {s for _, (s, _) in statuses(second).items()} == {"unchanged", "skipped"}
        assert counting.calls == 0
        pages = [r for r in site.requests if r.path != "/robots.txt" and not r.path.endswith("sitemap.xml")]
        assert sorted(r.path for r in pages) == ["/docs/", "/docs/a", "/docs/b", "/docs/deep/c"]
        assert all(r.conditional and r.status == 304 for r in pages)

        del site.pages["/docs/b"]  # unlinked and gone: removed once the crawl reached everything
        site.pages["/docs/"] = Page(article_page("Docs home", ["Start here to learn the product."],
                                                 links=[("/docs/a", "A")]))
        third = sources.sync(store, sources.get(store.catalog, source.source_id))
        assert statuses(third)["docs/b"][0] == "removed"
        assert statuses(third)["docs/"][0] == "indexed"


def test_an_address_on_the_servers_own_network_is_refused(store, tmp_path):
    with FixtureSite() as site:
        site.pages["/"] = Page(article_page("Internal", ["Internal admin page."]))
        with pytest.raises(UnsafeAddress, match="inside this server's own network"):
            sources.create(store.catalog, "default", site.url("/", host="localhost"), FAST, allow_private=False)
        # a source added while private addresses were allowed, synced after they no longer are
        source = sources.create(store.catalog, "default", site.url("/"), FAST, allow_private=True)
        guarded = replace(store.settings, allow_private_urls=False)
        store.settings, allowed = guarded, store.settings
        try:
            report = sources.sync(store, source)
        finally:
            store.settings = allowed
        assert report.error and "inside this server's own network" in report.error
        assert not site.requests
        assert sources.get(store.catalog, source.source_id).last_status == "failed"


def test_robots_rules_follow_rfc_9309():
    robots = Robots.parse("User-agent: *\nDisallow: /\n\nUser-agent: groundedbot\nAllow: /help/\nDisallow: /help/*.pdf$\n"
                          "Disallow: /help/private\nCrawl-delay: 2\nSitemap: https://x.test/s.xml\n")
    assert robots.allowed("https://x.test/help/a")
    assert not robots.allowed("https://x.test/help/private/b")  # the longer rule wins
    assert not robots.allowed("https://x.test/help/guide.pdf") and robots.allowed("https://x.test/help/guide.pdf?v=2")
    assert robots.allowed("https://x.test/other")  # no rule of our own group forbids it ("*"'s rules are not ours)
    assert robots.delay == 2 and robots.sitemaps == ["https://x.test/s.xml"]
    assert Robots.parse("User-agent: *\nDisallow:\n").allowed("https://x.test/anything")


def test_sitemaps_are_parsed_without_entities_or_network():
    evil = (b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.test/&x;</loc></url></urlset>')
    found = read_sitemap(evil)
    assert found is None or all("root:" not in loc for loc, _ in found[0])
    import gzip

    pages, children = read_sitemap(gzip.compress(sitemap([("https://a.test/p", "2026-01-02")])))
    assert pages == [("https://a.test/p", "2026-01-02")] and children == []
    assert read_sitemap(b"<html><body>not a sitemap</body></html>") is None


def test_scope_and_patterns():
    scope = Scope.of("https://Help.Example.com:443/hc/en-us/", CrawlOptions(include=("/hc/en-us/articles",),
                                                                           exclude=("*/drafts/*",)))
    assert scope.host == "help.example.com" and scope.prefix == "/hc/en-us/"
    assert scope.covers("https://help.example.com/hc/en-us/articles/1")
    assert not scope.covers("https://help.example.com/hc/en-us/sections/1")  # not included
    assert not scope.covers("https://help.example.com/hc/en-us/articles/drafts/2")  # excluded
    assert not scope.covers("http://other.example.com/hc/en-us/articles/1")
    assert document_name("https://help.example.com/hc/en-us/", ".html") == "help.example.com/hc/en-us/index.html"
    assert document_name("https://a.test/guide.pdf", ".pdf") == "a.test/guide.pdf"


def small_site(site: FixtureSite) -> None:
    """Two articles and a sitemap: enough for the command line and the health checks."""
    site.pages["/kb/pricing"] = Page(article_page("Plans and pricing", [
        "The Team plan costs $49 per month and includes five seats.", "The Scale plan costs $99 per month."]))
    site.pages["/kb/old-sso"] = Page(status=301, location="/kb/sso")
    site.pages["/kb/sso"] = Page(article_page("Single sign-on", ["Single sign-on works with Okta and Azure AD."]))
    site.pages["/kb/sitemap.xml"] = Page(sitemap([(site.url("/kb/pricing"), "2024-01-15"),
                                                  (site.url("/kb/old-sso"), None)]), "application/xml")


def test_command_line_add_list_sync_and_cite_the_live_address(tmp_path, monkeypatch, capsys):
    import json

    from tests.conftest import run_cli

    monkeypatch.setenv("GROUNDED_ALLOW_PRIVATE_URLS", "true")
    monkeypatch.setenv("GROUNDED_MODEL", "extractive")
    data = ["--data-dir", tmp_path / "data"]
    with FixtureSite() as site:
        small_site(site)
        added = run_cli(capsys, "sources", "add", site.url("/kb/"), "--rate", "10", "--exclude", "/kb/drafts/",
                        "--json", *data)
        assert added.returncode == 0, added.stderr
        report = json.loads(added.stdout)
        assert {p["url"]: p["status"] for p in report["pages"]} == {
            site.url("/kb/pricing"): "indexed", site.url("/kb/old-sso"): "indexed"}
        assert all(set(p) >= {"url", "status", "error"} for p in report["pages"])
        source_id = report["source"]["id"]

        listed = json.loads(run_cli(capsys, "sources", "--json", *data).stdout)["sources"]
        assert [(s["id"], s["address"], s["exclude"]) for s in listed] == [(source_id, site.url("/kb/"), ["/kb/drafts/"])]

        synced = json.loads(run_cli(capsys, "sync", source_id, "--json", *data).stdout)
        assert {p["status"] for p in synced["pages"]} == {"unchanged"}
        assert json.loads(run_cli(capsys, "sync", "--json", *data).stdout) == {"sources": [], "pages": []}  # none due

        asked = json.loads(run_cli(capsys, "ask", "How much does the Team plan cost?", "--json", *data).stdout)
        cited = asked["citations"][0]
        assert (cited["title"], cited["url"]) == ("Plans and pricing", site.url("/kb/pricing"))

        assert run_cli(capsys, "sources", "schedule", source_id, "weekly", *data).returncode == 0
        assert json.loads(run_cli(capsys, "sources", "--json", *data).stdout)["sources"][0]["schedule"] == "weekly"
        removed = run_cli(capsys, "sources", "rm", source_id, *data)
        assert "2 documents" in removed.stdout
        assert json.loads(run_cli(capsys, "docs", "--json", *data).stdout)["documents"] == []


def test_health_lists_failed_syncs_moved_and_stale_pages(store):
    from rag.workspace.health import check_health

    with FixtureSite() as site, FixtureSite() as broken:
        small_site(site)
        broken.pages["/robots.txt"] = Page(b"down for maintenance", status=503)
        sources.sync(store, sources.create(store.catalog, "default", site.url("/kb/"), FAST, allow_private=True))
        failed = sources.sync(store, sources.create(store.catalog, "default", broken.url("/"), FAST, allow_private=True))
        assert failed.error and "robots.txt" in failed.error
        assert [r.path for r in broken.requests] == ["/robots.txt"]  # a server error there stops the crawl (RFC 9309)

    by_check = check_health(store, "default", None).by_check()
    assert "robots.txt" in by_check["sync_failed"][0].detail
    assert site.url("/kb/old-sso") in by_check["moved"][0].detail
    stale = by_check["stale_pages"][0]
    assert "Plans and pricing (2024-01-15)" in stale.detail  # the sitemap's lastmod: well over a year ago


def test_a_schedule_makes_a_source_due():
    day = 86400
    source = sources.Source("s", "default", "https://a.test/", schedule="daily", last_sync=1000 * day)
    assert not source.due(1000 * day + 3600) and source.due(1001 * day)
    assert not replace(source, schedule="off").due(2000 * day)
    assert replace(source, schedule="weekly", last_sync=None).due(0)


def test_the_indexer_runs_scheduled_syncs_when_the_queue_is_empty(store):
    """A site on a daily schedule is synced by the app's indexer in a quiet moment, not by a page script."""
    from rag.ingest.indexer import Indexer

    with FixtureSite() as site:
        site.pages["/hc/sitemap.xml"] = Page(sitemap([(site.url("/hc/articles/1"), "2026-01-01")]), "application/xml")
        site.pages["/hc/articles/1"] = Page(article_page("Reset your password", ["Click Forgot password."]))
        source = sources.create(store.catalog, "default", site.url("/hc/"), FAST, schedule="daily", allow_private=True)
        assert [s.source_id for s in sources.due(store.catalog)] == [source.source_id]
        Indexer(store)._sync_due_sources()
        assert sources.get(store.catalog, source.source_id).last_status == "ok"
        assert [d.title for d in store.catalog.documents("default", status="ready")] == ["Reset your password"]
        assert sources.due(store.catalog) == []  # not again until tomorrow


def test_a_page_reached_under_two_addresses_in_one_sync_counts_once():
    """ "/" and "/index.html" are one document: the second visit finds it just indexed, which is not "up to date"."""
    from rag.ingest.sources import PageResult, Source, SyncReport

    report = SyncReport(Source.__new__(Source), [
        PageResult("https://help.example.com/", "indexed", doc_id="d1"),
        PageResult("https://help.example.com/index.html", "unchanged", doc_id="d1"),
        PageResult("https://help.example.com/a.html", "indexed", doc_id="d2"),
        PageResult("https://help.example.com/b.html", "unchanged", doc_id="d3"),  # really unchanged since last time
    ])
    assert report.count("indexed") == 2 and report.count("unchanged") == 1
