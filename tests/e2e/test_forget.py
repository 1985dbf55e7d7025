"""In a real browser: a document is deleted on Knowledge, the page says the forget check passed, and a saved chat that
cited it keeps its answer while the citation says "source deleted"."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_browser import CASE_STUDY, SHOTS, SLOW, Shots, _ask, _nav, _settle, app_url, browser, page  # noqa: F401


def test_a_deleted_document_is_shown_forgotten_and_its_saved_citation_says_so(app_url, page, tmp_path):  # noqa: F811
    shots = Shots(page, SHOTS / "forget")
    case = tmp_path / "northwind.md"
    case.write_text(CASE_STUDY)
    page.goto(app_url)
    expect(page.locator("h1").first).to_be_visible(timeout=SLOW)
    _nav(page, "Knowledge")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files([str(case)])
    page.get_by_role("button", name="Upload and index").click()
    expect(page.get_by_text(re.compile(r"\b1 indexed\."))).to_be_visible(timeout=SLOW)

    _nav(page, "Chat", heading="My assistant")
    _ask(page, "How long did onboarding take for Northwind?")
    answer = page.locator("[data-testid=stChatMessage]").last
    expect(answer).to_contain_text("12 days", timeout=SLOW)

    _nav(page, "Knowledge")
    _settle(page)
    page.get_by_role("button", name="Delete").click()
    page.get_by_role("button", name="Delete for good").click()
    verdict = page.get_by_text(re.compile(r"northwind\.md: Forgotten: \d+ questions? re-asked, none cites it"))
    expect(verdict).to_be_visible(timeout=SLOW)
    expect(page.get_by_text("No documents yet")).to_be_visible()
    page.get_by_text(re.compile(r"Removed documents \(1\)")).click()
    shots("forgotten")

    # the saved chat keeps its answer; its source can't be opened any more and says why
    _nav(page, "Chat", heading="My assistant")
    _settle(page)
    if not page.locator("[data-testid=stChatMessage]").count():  # a fresh chat was opened: reopen the saved one
        page.locator("[data-testid=stSidebar]").get_by_role("button", name=re.compile("onboarding", re.I)).first.click()
        _settle(page)
    answer = page.locator("[data-testid=stChatMessage]").last
    expect(answer).to_contain_text("12 days", timeout=SLOW)
    expect(answer.locator("[data-testid=stExpander] summary", has_text="source deleted")).to_be_visible()
    shots("chat-source-deleted")
