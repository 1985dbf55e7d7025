"""In a real browser: a citation's "View page" shows the cited PDF page with the passage highlighted,
and a screenshot of it is saved for a person to look at."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_browser import SHOTS, SLOW, Shots, _ask, _nav, _settle, app_url, browser, page  # noqa: F401 - fixtures
from tests.test_page_view import _two_pages


def test_view_the_cited_page_with_the_passage_highlighted(app_url, page, tmp_path):  # noqa: F811 - the fixtures above
    shots = Shots(page, SHOTS / "page-view")
    launch = tmp_path / "spring-launch.pdf"
    launch.write_bytes(_two_pages())

    page.goto(app_url)
    expect(page.locator("h1").first).to_be_visible(timeout=SLOW)
    _nav(page, "Knowledge")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files([str(launch)])
    page.get_by_role("button", name="Upload and index").click()
    expect(page.get_by_text(re.compile(r"1 indexed"))).to_be_visible(timeout=SLOW)
    _settle(page)

    _nav(page, "Chat", heading="My assistant")
    _ask(page, "How much does the Enterprise plan cost per month?")
    answer = page.locator("[data-testid=stChatMessage]").last
    expect(answer).to_contain_text("$900", timeout=SLOW)
    summary = answer.locator("[data-testid=stExpander] summary", has_text=re.compile(r"\[1\].*spring launch", re.IGNORECASE))
    expect(summary).to_be_visible()
    summary.click()
    source = answer.locator("[data-testid=stExpander]").filter(has_text=re.compile(r"\[1\].*spring launch", re.IGNORECASE))
    shots("source-open", full=False)
    source.get_by_text("View page", exact=True).click()
    _settle(page)
    picture = source.locator("[data-testid=stImage] img, [data-testid=stFullScreenFrame] img").first
    expect(picture).to_be_visible(timeout=SLOW)
    expect(source).to_contain_text("Page 2 of 2")  # where the cited sentence is
    expect(source).to_contain_text("the passage is on pages 1–2")
    expect(source).not_to_contain_text("without highlight")
    assert picture.evaluate("img => img.naturalWidth") >= 1000
    top = "e => e.scrollIntoView({block: 'start'})"  # the switch, the page controls and the page's top in view
    source.get_by_text("View page", exact=True).evaluate(top)
    shots("cited-page", full=False)

    source.get_by_role("button", name="Previous").click()
    _settle(page)
    expect(source).to_contain_text("Page 1 of 2")
    source.get_by_text("View page", exact=True).evaluate(top)
    shots("previous-page", full=False)
    print("\nscreenshots:\n" + "\n".join(f"  {p}" for p in shots.taken))
