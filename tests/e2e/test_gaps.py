"""In a real browser: unanswered questions show up on Knowledge gaps, grouped, and a topic marked out of scope
gets a polite answer in the chat afterwards."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_browser import PRICING, SHOTS, SLOW, Shots, _ask, _nav, _settle, app_url, browser, page  # noqa: F401


def test_knowledge_gaps_group_questions_and_out_of_scope_answers_politely(app_url, page, tmp_path):  # noqa: F811
    shots = Shots(page, SHOTS / "gaps")
    pricing = tmp_path / "pricing.md"
    pricing.write_text(PRICING)
    page.goto(app_url)
    expect(page.locator("h1").first).to_be_visible(timeout=SLOW)
    _nav(page, "Knowledge")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files([str(pricing)])
    page.get_by_role("button", name="Upload and index").click()
    expect(page.get_by_text(re.compile(r"\b1 indexed\."))).to_be_visible(timeout=SLOW)

    _nav(page, "Chat", heading="My assistant")
    _ask(page, "Do we have a mobile app for iPhone?")
    expect(page.locator("[data-testid=stChatMessage]").last).to_contain_text("don't cover this question", timeout=SLOW)
    _ask(page, "Is there an app for the iPhone?")
    expect(page.locator("[data-testid=stChatMessage]").last).to_contain_text("don't cover this question", timeout=SLOW)

    _nav(page, "Knowledge gaps")
    expect(page.get_by_text(re.compile(r"Asked 2 times · last asked .* · 2 not in the documents"))).to_be_visible()
    expect(page.get_by_text("For example:")).to_be_visible()
    shots("gaps-listed")

    page.get_by_role("button", name="Add a document for this").click()
    expect(page.locator("h1").filter(has_text=re.compile(r"^\s*Knowledge\s*$"))).to_be_visible()
    expect(page.get_by_text(re.compile("Add a document about"))).to_be_visible()
    shots("knowledge-with-topic")

    _nav(page, "Knowledge gaps")
    page.get_by_role("button", name="Mark as out of scope").first.click()  # opens the popover
    page.locator("[data-testid=stPopoverBody]").get_by_role("button", name="Mark as out of scope").click()
    _settle(page)
    expect(page.get_by_role("heading", name="Out of scope")).to_be_visible()
    shots("gaps-out-of-scope")

    _nav(page, "Chat", heading="My assistant")
    _ask(page, "Is there an iPhone app?")
    expect(page.locator("[data-testid=stChatMessage]").last).to_contain_text("outside what this assistant covers",
                                                                             timeout=SLOW)
    shots("polite-scope-answer")
