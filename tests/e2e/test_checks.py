"""In a real browser: the Checks page suggests checks from the documents, keeps them, runs them, and a settings change
runs them again by itself with before and after; screenshots are saved for a person to look at."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_browser import SHOTS, SLOW, Shots, _nav, _settle, app_url, browser, page  # noqa: F401 - fixtures

PRICING = """# Pricing

| Plan | Price | Seats |
|---|---|---|
| Starter | $19 per month | 3 |
| Team | $49 per month | 20 |
"""
CASE_STUDY = """# Northwind case study

## Results
Northwind cut onboarding from 41 days to 12 days.
"We finally answer customers the same day," says Maria Lopez, Head of Support at Northwind.
"""


def test_suggest_keep_run_and_rerun_after_a_settings_change(app_url, page, tmp_path):  # noqa: F811 - the fixtures above
    shots = Shots(page, SHOTS / "checks")
    (tmp_path / "pricing.md").write_text(PRICING)
    (tmp_path / "northwind-case-study.md").write_text(CASE_STUDY)

    page.goto(app_url)
    expect(page.locator("h1").first).to_be_visible(timeout=SLOW)
    _nav(page, "Knowledge")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(
        [str(tmp_path / "pricing.md"), str(tmp_path / "northwind-case-study.md")])
    page.get_by_role("button", name="Upload and index").click()
    expect(page.get_by_text(re.compile(r"2 indexed"))).to_be_visible(timeout=SLOW)
    _settle(page)

    _nav(page, "Checks")
    expect(page.get_by_text("No run yet")).to_be_visible()
    page.get_by_role("tab", name="Suggestions").click()
    page.get_by_role("button", name="Suggest checks from my documents").click()
    _settle(page)
    expect(page.get_by_text("Price table row").first).to_be_visible()
    expect(page.get_by_text("Case study headline figure")).to_be_visible()
    shots("suggestions")
    page.get_by_role("button", name=re.compile(r"^Keep all \d+")).click()
    _settle(page)

    page.get_by_role("tab", name="Results").click()
    page.get_by_role("button", name="Run checks now").click()
    _settle(page)
    metric = page.locator("[data-testid=stMetric]", has_text="Passing")
    expect(metric).to_contain_text(re.compile(r"(\d+) of \1"), timeout=SLOW)
    shots("results")

    # a settings change: saved at once, the checks run again in the background, before and after shown
    _nav(page, "Settings")
    search = page.get_by_role("combobox", name="How to search", exact=True)
    search.click()
    search.press_sequentially("Meaning only")
    search.press("Enter")
    expect(search).to_have_value("Meaning only")
    page.get_by_role("button", name="Save", exact=True).click()
    _settle(page)
    _nav(page, "Checks")
    expect(page.get_by_text(re.compile(r"Before → after: Search: meaning and keywords (?:->|→) meaning only: (\d+) of \1 (?:->|→) \d+ of \1"))).to_be_visible(
        timeout=SLOW)  # the page refreshes by itself when the background run ends (Markdown draws "->" as an arrow)
    shots("before-after")
    print("\nscreenshots:\n" + "\n".join(f"  {p}" for p in shots.taken))
