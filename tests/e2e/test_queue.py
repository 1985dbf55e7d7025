"""In a real browser: indexing goes on in the background while the marketer asks questions elsewhere, or leaves.

Ten PDFs are uploaded; once the first is indexed the marketer goes to Chat (the sidebar shows how far
indexing is), asks about it and is told the rest are still coming, then comes back: all ten are
indexed. Then ten more are uploaded and the page is closed mid-queue: a fresh visit finds them all
indexed anyway.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from rag.bench.documents import make_pdf
from tests.e2e.test_browser import SHOTS, SLOW, Shots, _ask, _nav, _settle, app_url, browser, page  # noqa: F401 - fixtures

QUEUE_WAIT = 600_000  # ms: twenty PDFs on a busy two-core machine


def _report(n: int) -> bytes:
    """A 10-page report whose first page states a fact only it has (customer n onboarded in 10 + n days)."""
    pages = [[f"# Quarterly report {n}", f"Customer Zephyr{n} finished onboarding in {10 + n} days."]]
    pages += [[f"## Part {p}"] + [f"Line {line} of part {p} of report {n}: renewals, pricing and support notes." for line in range(30)]
              for p in range(1, 10)]
    return make_pdf(pages)


def _write(tmp_path, numbers) -> list[str]:
    paths = []
    for n in numbers:
        path = tmp_path / f"report-{n:02d}.pdf"
        path.write_bytes(_report(n))
        paths.append(str(path))
    return paths


def test_indexing_goes_on_while_chatting_and_after_the_page_closes(app_url, browser, page, tmp_path):  # noqa: F811
    shots = Shots(page, SHOTS / "queue")
    page.goto(app_url)
    expect(page.locator("h1").first).to_be_visible(timeout=SLOW)
    _nav(page, "Knowledge")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(_write(tmp_path, range(10)))
    expect(page.locator("[data-testid=stFileChip]")).to_have_count(10, timeout=SLOW)
    page.get_by_role("button", name="Upload and index").click()

    # the queue is shown live: a bar with how far along it is
    bar = page.locator("[data-testid=stProgress]")
    expect(bar).to_contain_text(re.compile(r"Indexing ([2-9]|10) of 10"), timeout=QUEUE_WAIT)  # the first is done
    shots("queue-running")

    # Chat meanwhile: the sidebar says how far indexing is; answers use what is done, and say the rest is coming
    _nav(page, "Chat", heading="My assistant")
    expect(page.locator("[data-testid=stSidebar]")).to_contain_text(re.compile(r"Indexing \d+ of 10"))
    _ask(page, "How many days did onboarding take for Zephyr0?")
    answer = page.locator("[data-testid=stChatMessage]").last
    expect(answer).to_contain_text("10 days", timeout=SLOW)
    expect(answer).to_contain_text("still being indexed")
    shots("chat-while-indexing")

    # back on Knowledge: all ten indexed, listed with their results until dismissed
    _nav(page, "Knowledge")
    expect(page.get_by_text(re.compile(r"10 indexed\."))).to_be_visible(timeout=QUEUE_WAIT)
    _settle(page)
    expect(page.get_by_text("Documents (10)")).to_be_visible()
    shots("all-ten-indexed")
    page.get_by_role("button", name="Dismiss finished").click()
    _settle(page)
    expect(page.get_by_text(re.compile(r"10 indexed\."))).to_have_count(0)

    # ten more, and the page is closed while they are indexed
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(_write(tmp_path, range(10, 20)))
    expect(page.locator("[data-testid=stFileChip]")).to_have_count(10, timeout=SLOW)
    page.get_by_role("button", name="Upload and index").click()
    expect(page.locator("[data-testid=stProgress]")).to_contain_text(re.compile(r"Indexing \d+ of 10"), timeout=SLOW)
    page.context.close()

    # a new visit, later: the queue went on without anyone watching
    context = browser.new_context(viewport={"width": 1400, "height": 950})
    try:
        later = context.new_page()
        later.set_default_timeout(30_000)
        later.goto(app_url)
        expect(later.locator("h1").first).to_be_visible(timeout=SLOW)
        _nav(later, "Knowledge")
        expect(later.get_by_text(re.compile(r"10 indexed\."))).to_be_visible(timeout=QUEUE_WAIT)
        _settle(later)
        expect(later.get_by_text("Documents (20)")).to_be_visible()
        shots.page = later
        shots("twenty-indexed-after-closing")
    finally:
        context.close()
