"""In a real browser, offline defaults: a help-center export answers a price question with the price,
a how-to question with the steps in order, a follow-up without any model, and never with page furniture."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from rag.bench.marketing_set import BOILERPLATE, acme_case_study_docx, help_center_zip
from tests.e2e.test_browser import SHOTS, SLOW, Shots, _ask, _nav, _settle, app_url, browser, page  # noqa: F401 - fixtures


def test_prices_steps_and_follow_ups_from_a_help_center(app_url, page, tmp_path):  # noqa: F811 - the fixtures above
    shots = Shots(page, SHOTS / "answers")
    export = tmp_path / "help-center-export.zip"
    export.write_bytes(help_center_zip())
    case_study = tmp_path / "acme-co-case-study.docx"
    case_study.write_bytes(acme_case_study_docx())

    page.goto(app_url)
    expect(page.locator("h1").first).to_be_visible(timeout=SLOW)
    _nav(page, "Knowledge")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files([str(export), str(case_study)])
    expect(page.locator("[data-testid=stFileChip]")).to_have_count(2)
    page.get_by_role("button", name="Upload and index").click()
    expect(page.get_by_text(re.compile(r"9 indexed\."))).to_be_visible(timeout=SLOW)  # the queue, when all are done
    _settle(page)
    shots("help-center-indexed")

    _nav(page, "Chat", heading="My assistant")
    _ask(page, "How much does the Team plan cost per month?")
    answer = page.locator("[data-testid=stChatMessage]").last
    expect(answer).to_contain_text("$49", timeout=SLOW)
    expect(answer.locator("table").first).to_contain_text("Price per month")  # the row under its header
    expect(answer).to_contain_text("Answers the question")
    shots("price-answer")

    _ask(page, "what about the Scale plan?")
    answer = page.locator("[data-testid=stChatMessage]").last
    expect(answer).to_contain_text("$99", timeout=SLOW)
    expect(answer).to_contain_text("Searched for: How much does the Scale plan cost per month?")
    shots("follow-up-answer")

    _ask(page, "How do I connect the product to the CRM?")
    answer = page.locator("[data-testid=stChatMessage]").last
    steps = answer.locator("ol li")
    expect(steps).to_have_count(5, timeout=SLOW)
    expect(steps.first).to_contain_text("Integrations")
    expect(steps.last).to_contain_text("Start sync")
    shots("how-to-answer")

    _ask(page, "Who did we quote in the Acme & Co case study?")
    answer = page.locator("[data-testid=stChatMessage]").last
    expect(answer).to_contain_text("stopped chasing paperwork", timeout=SLOW)
    expect(answer).to_contain_text("Jane Doe, COO")
    shots("quote-answer")

    answers = " ".join(page.locator("[data-testid=stChatMessage]").all_inner_texts())
    assert not [b for b in BOILERPLATE if b.lower() in answers.lower()], "page furniture was quoted"
    print("\nscreenshots:\n" + "\n".join(f"  {p}" for p in shots.taken))


def test_a_planted_link_is_shown_as_text_not_a_link(app_url, page, tmp_path):  # noqa: F811 - the fixtures above
    """An address inside a document comes back copyable but never clickable, while streaming and after."""
    notice = tmp_path / "account-notice.md"
    notice.write_text("# Account notice\n\nTo keep your account, reset your password at https://evil.example/phish "
                      "before Friday, or write to help@evil.example.\n")
    page.goto(app_url)
    expect(page.locator("h1").first).to_be_visible(timeout=SLOW)
    _nav(page, "Knowledge")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files([str(notice)])
    page.get_by_role("button", name="Upload and index").click()
    expect(page.get_by_text(re.compile(r"\b(1|10) indexed\."))).to_be_visible(timeout=SLOW)  # after the 9 above, if still listed
    _nav(page, "Chat", heading="My assistant")
    _ask(page, "What does the account notice ask me to do before Friday?")  # the help center above answers a plainer question
    answer = page.locator("[data-testid=stChatMessage]").last
    expect(answer).to_contain_text("https://evil.example/phish", timeout=SLOW)
    expect(answer.locator("a[href*='evil.example']")).to_have_count(0)
    expect(answer.locator("code", has_text="https://evil.example/phish").first).to_be_visible()
    Shots(page, SHOTS / "answers")("planted-link-as-text")
