"""In a real browser: a help center added by its address is imported, answered from, and cited by its page title
with its live address (as text, never a live link)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from rag.bench.site import FixtureSite, Page, article_page, sitemap
from tests.e2e.test_browser import SHOTS, SLOW, Shots, _ask, _nav, _settle, browser, page, serve_app  # noqa: F401


@pytest.fixture(scope="module")
def site():
    with FixtureSite() as help_center:
        help_center.pages["/hc/articles/1"] = Page(article_page(
            "Change your plan", ["Open Settings, then Billing, and choose Change plan.",
                                 "The Team plan costs $49 a month and the Scale plan $99."]))
        help_center.pages["/hc/articles/2"] = Page(article_page(
            "Reset your password", ["Click Forgot password on the sign-in page and follow the link we e-mail you."]))
        help_center.pages["/hc/sitemap.xml"] = Page(sitemap(
            [(help_center.url("/hc/articles/1"), "2026-01-01"), (help_center.url("/hc/articles/2"), "2026-01-01")]),
            "application/xml")
        yield help_center


@pytest.fixture(scope="module")
def site_app(tmp_path_factory):
    """The app, allowed to read a site on loopback (the owner's setting; off by default)."""
    with serve_app(tmp_path_factory.mktemp("e2e-sites"), GROUNDED_ALLOW_PRIVATE_URLS="true") as url:
        yield url


def test_a_help_center_added_by_its_address_answers_and_is_cited_by_title_and_address(site_app, site, page):  # noqa: F811
    shots = Shots(page, SHOTS / "sites")
    page.goto(site_app)
    expect(page.locator("h1").first).to_be_visible(timeout=SLOW)
    _nav(page, "Knowledge")
    page.get_by_role("textbox", name="Add from a website").fill(site.url("/hc/"))
    shots("site-address", full=False)
    page.get_by_role("button", name="Add and import").click()
    expect(page.get_by_text(re.compile(r": 2 (pages )?(indexed|added)")).first).to_be_visible(timeout=SLOW)
    _settle(page)
    shots("site-imported")

    _nav(page, "Chat", heading="My assistant")
    _ask(page, "How much does the Team plan cost?")
    answer = page.locator("[data-testid=stChatMessage]").last
    expect(answer).to_contain_text("$49", timeout=SLOW)
    source = answer.locator("[data-testid=stExpander] summary", has_text="Change your plan").first
    expect(source).to_be_visible()
    source.click()
    expect(answer.locator("code", has_text=site.url("/hc/articles/1")).first).to_be_visible()
    expect(answer.locator(f"a[href^='{site.url('/')}']")).to_have_count(0)
    shots("answer-cited-by-page")
