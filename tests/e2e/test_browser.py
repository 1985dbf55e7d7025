"""End to end in a real browser: Debian's Chromium driven by Playwright against the app on loopback.

The app runs offline (``GROUNDED_MODEL=extractive``) in a throwaway data directory. The test does
what a new user does: create an assistant, upload two documents, ask questions, and check that the
answer and a citation naming the right file are on the page. Screenshots of every step are saved to
``tests/e2e/screenshots/`` (or ``$GROUNDED_SCREENSHOTS``) for a person to look at.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from rag.bench.servers import app_server  # noqa: E402
from rag.errors import GroundedError  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("GROUNDED_SCREENSHOTS") or Path(__file__).parent / "screenshots")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SLOW = 90_000  # ms: the first upload loads the embedding model

CASE_STUDY = """# Northwind case study

Northwind is a wholesale distributor with 40 sales reps.

## Challenge
New reps needed weeks of shadowing before they could answer product questions on their own.

## Results
Northwind cut onboarding from 41 days to 12 days after adopting Grounded.
Support tickets fell by a third within two quarters.
"""
PRICING = """Pricing

The Starter plan costs $49 per month for up to five users.
Enterprise plans cost $900 per month and include single sign-on and a dedicated success manager.
All plans can be cancelled at any time.
"""


@contextlib.contextmanager
def serve_app(tmp: Path, **extra_env: str):
    """The app on a free loopback port, offline, in a throwaway data folder; yields its address.
    Afterwards its log must hold no traceback."""
    log = tmp / "streamlit.log"
    try:
        with app_server(tmp / "data", log, startup_s=120, **extra_env) as (url, _pid):
            yield url
    except GroundedError as error:
        pytest.fail(f"{error}\n{log.read_text(errors='replace')[-4000:]}")
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, f"the app logged an error:\n{text[-4000:]}"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    with serve_app(tmp_path_factory.mktemp("e2e")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1400, "height": 950}, color_scheme="light")
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    elsewhere: list[str] = []
    context.on("request", lambda r: elsewhere.append(r.url) if not _is_the_apps(r.url) else None)
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not elsewhere, f"the page asked another host for something (an offline product must not): {elsewhere}"


def _is_the_apps(url: str) -> bool:
    """A request to the app itself (or an inline data or blob URL), not to a third party."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in ("127.0.0.1", "localhost")


class Shots:
    """Numbered screenshots of the whole app (the main column is stretched to show all of it)."""

    def __init__(self, page: Page, folder: Path):
        self.page, self.folder, self.n = page, folder, 0
        folder.mkdir(parents=True, exist_ok=True)
        self.taken: list[Path] = []

    def __call__(self, name: str, full: bool = True) -> Path:
        self.n += 1
        path = self.folder / f"{self.n:02d}-{name}.png"
        _settle(self.page)
        size = self.page.viewport_size
        if full:
            height = self.page.evaluate(
                "() => Math.max(...[...document.querySelectorAll('.stMain, [data-testid=stSidebarContent]')]"
                ".map(e => e.scrollHeight), window.innerHeight)"
            )
            self.page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 6000)})
            self.page.wait_for_timeout(300)
        self.page.screenshot(path=str(path))
        if full:
            self.page.set_viewport_size(size)
        self.taken.append(path)
        return path


def _settle(page: Page, timeout: float = SLOW) -> None:
    """Wait until the script run has finished (no 'Running…' indicator) and animations are done."""
    page.wait_for_timeout(250)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget] [data-testid=stStatusWidgetRunningIcon]')"
        " && !document.querySelector('[data-testid=stSkeleton]')",
        timeout=timeout,
    )
    page.wait_for_timeout(400)


def _nav(page: Page, title: str, heading: str | None = None) -> None:
    """Open a page from the sidebar menu and wait for its heading (the chat's is the assistant's name)."""
    # whole names: "Knowledge" is not "Knowledge gaps"
    page.locator("[data-testid=stSidebarNav]").get_by_role("link", name=title, exact=True).click()
    expect(page.locator("h1").filter(has_text=re.compile(rf"^\s*{re.escape(heading or title)}\s*$"))).to_be_visible()
    _settle(page)


def _ask(page: Page, question: str) -> None:
    box = page.locator("[data-testid=stChatInputTextArea]")
    expect(box).to_be_enabled()
    box.fill(question)
    box.press("Enter")
    expect(page.locator("[data-testid=stChatMessage]", has_text=question)).to_be_visible()
    _settle(page)


def test_create_upload_ask_and_check_citations(app_url, page, tmp_path):
    shots = Shots(page, SHOTS)
    northwind = tmp_path / "northwind-case-study.md"
    northwind.write_text(CASE_STUDY)
    pricing = tmp_path / "pricing.txt"
    pricing.write_text(PRICING)

    # first visit: the default assistant, with an empty state that says what to do
    page.goto(app_url)
    expect(page.locator("h1", has_text="My assistant")).to_be_visible(timeout=SLOW)
    expect(page.get_by_text("no documents yet")).to_be_visible()
    shots("first-visit")

    # create an assistant from the sidebar
    page.locator("[data-testid=stSidebar]").get_by_role("button", name="New assistant").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("textbox", name="Name", exact=True).fill("Acme marketing")
    dialog.get_by_role("textbox", name="What is it for?", exact=True).fill("Answers from our case studies and price list")
    dialog.get_by_role("textbox", name="Instructions", exact=True).fill("You are our brand voice. Never promise delivery dates.")
    shots("new-assistant-dialog", full=False)
    dialog.get_by_role("button", name="Create").click()
    # the new assistant is the current one, and the next step (adding documents) is shown
    expect(dialog).to_be_hidden()
    expect(page.locator("h1", has_text="Knowledge")).to_be_visible()
    expect(page.locator("[data-testid=stSidebar]").get_by_role("combobox", name="Assistant")).to_have_value("Acme marketing")
    expect(page.get_by_text("No documents yet")).to_be_visible()
    shots("assistant-created")

    # upload two documents on the Knowledge page
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files([str(northwind), str(pricing)])
    expect(page.locator("[data-testid=stFileChip]")).to_have_count(2)
    shots("files-chosen")
    page.get_by_role("button", name="Upload and index").click()
    # queued, then indexed in the background; the queue on the page says when all are done
    expect(page.get_by_text(re.compile(r"2 indexed\."))).to_be_visible(timeout=SLOW)
    _settle(page)
    expect(page.locator("[data-testid=stDataFrame], [data-testid=stDataFrameResizable]").first).to_be_visible()
    shots("documents-indexed")

    # what a search would pull, with relevance, without writing an answer
    search = page.get_by_role("textbox", name="Question", exact=True)
    search.fill("onboarding time for Northwind")
    search.press("Enter")
    expect(page.get_by_text(re.compile(r"\[1\] Northwind case study .*relevance \d+%"))).to_be_visible(timeout=SLOW)
    shots("search-test")

    # ask on the Chat page; the answer quotes the case study and cites it by name
    _nav(page, "Chat", heading="Acme marketing")
    shots("chat-ready")
    _ask(page, "How long did onboarding take for Northwind?")
    answer = page.locator("[data-testid=stChatMessage]").last
    expect(answer).to_contain_text("41 days to 12 days", timeout=SLOW)
    citation = answer.locator("[data-testid=stExpander] summary", has_text=re.compile(r"\[1\].*Northwind case study"))
    expect(citation).to_be_visible()
    citation.click()
    expect(answer.locator("[data-testid=stExpander]").first).to_contain_text("onboarding")
    shots("answer-with-citation")
    # the cited original can be downloaded from the source
    with page.expect_download() as download:
        answer.get_by_role("button", name=re.compile("Download northwind-case-study.md")).click()
    assert download.value.suggested_filename == "northwind-case-study.md"
    assert Path(download.value.path()).read_text() == CASE_STUDY

    # a second question is answered from the other document
    _ask(page, "How much does the Enterprise plan cost?")
    answer = page.locator("[data-testid=stChatMessage]").last
    # money stays money (not typeset as a formula between the two dollar signs)
    expect(answer).to_contain_text("Enterprise plans cost $900 per month", timeout=SLOW)
    expect(answer.locator(".katex")).to_have_count(0)
    expect(answer.locator("[data-testid=stExpander] summary", has_text="Pricing").first).to_be_visible()
    # the chat is listed in the sidebar under its first question
    expect(page.locator("[data-testid=stSidebar]").get_by_role("button", name=re.compile("How long did onboarding"))).to_be_visible()
    shots("second-answer")

    # the same pages in the dark theme (Streamlit follows the system setting)
    page.emulate_media(color_scheme="dark")
    page.wait_for_timeout(500)
    shots("second-answer-dark")
    _nav(page, "Knowledge")
    shots("knowledge-dark")
    page.emulate_media(color_scheme="light")

    print("\nscreenshots:\n" + "\n".join(f"  {p}" for p in shots.taken))
    for path in shots.taken:
        assert path.stat().st_size > 5_000, f"{path} looks empty"


SESSION_COLOURS = ["amber", "cobalt", "crimson", "emerald", "indigo", "magenta", "saffron", "turquoise"]


def test_eight_browser_sessions_at_once(app_url, browser, tmp_path):
    """Eight people in eight browsers, each creating an assistant, uploading, asking and deleting at
    the same moments; the app serves them all from one process and one Qdrant client."""
    started = time.monotonic()
    contexts = [browser.new_context(viewport={"width": 1200, "height": 900}) for _ in SESSION_COLOURS]
    pages = [c.new_page() for c in contexts]
    errors: list[str] = []
    for p in pages:
        p.set_default_timeout(SLOW)
        p.on("pageerror", lambda err: errors.append(str(err)))
    files = []
    for n, colour in enumerate(SESSION_COLOURS):
        path = tmp_path / f"{colour}-story.md"
        path.write_text(f"# {colour.title()} Labs story\n\n{colour.title()} Labs cut onboarding to {20 + n} days with our rollout plan.\n")
        files.append(path)
    try:
        for p in pages:
            p.goto(app_url)
        for p, colour in zip(pages, SESSION_COLOURS):
            expect(p.locator("h1").first).to_be_visible()
            _settle(p)
            p.locator("[data-testid=stSidebar]").get_by_role("button", name="New assistant").click()
            dialog = p.get_by_role("dialog")
            dialog.get_by_role("textbox", name="Name", exact=True).fill(f"{colour} team")
            dialog.get_by_role("button", name="Create").click()
        for p, path in zip(pages, files):  # all uploads go in before any is awaited
            expect(p.locator("h1", has_text="Knowledge")).to_be_visible()
            p.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files([str(path)])
            expect(p.locator("[data-testid=stFileChip]")).to_have_count(1)
            p.get_by_role("button", name="Upload and index").click()
        for p in pages:
            expect(p.get_by_text(re.compile(r"1 indexed\."))).to_be_visible()
            _settle(p)
        for p, colour in zip(pages, SESSION_COLOURS):  # all questions at once
            p.locator("[data-testid=stSidebarNav] a", has_text="Chat").click()
            box = p.locator("[data-testid=stChatInputTextArea]")
            expect(box).to_be_enabled()
            box.fill(f"How long did onboarding take for {colour.title()} Labs?")
            box.press("Enter")
        for n, (p, colour) in enumerate(zip(pages, SESSION_COLOURS)):
            answer = p.locator("[data-testid=stChatMessage]").last
            expect(answer).to_contain_text(f"{20 + n} days")
            expect(answer.locator("[data-testid=stExpander] summary", has_text=f"{colour.title()} Labs story")).to_be_visible()
            text = answer.inner_text().lower()
            crossed = [other for other in SESSION_COLOURS if other != colour and other in text]
            assert not crossed, f"{colour}'s answer mentions {crossed}: {text[:300]}"
        for p in pages:  # and everyone deletes their document at once
            p.locator("[data-testid=stSidebarNav]").get_by_role("link", name="Knowledge", exact=True).click()
            expect(p.locator("h1", has_text="Knowledge")).to_be_visible()
            _settle(p)
            p.get_by_role("button", name="Delete").click()
            p.get_by_role("button", name="Delete for good").click()
        for p in pages:
            expect(p.get_by_text("No documents yet")).to_be_visible()
    finally:
        for c in contexts:
            c.close()
    assert not errors, f"JavaScript errors: {errors}"
    assert time.monotonic() - started < 600


def test_draft_a_linkedin_post_in_my_voice(app_url, page, tmp_path):
    """A marketer uploads their LinkedIn export and a case study, sees their voice described, picks the
    built-in writer, and gets a checked draft whose voice comes from the posts and facts from the case study."""
    sys.path.insert(0, str(ROOT))
    from tests.marketing_fixtures import NORTHWIND, shares_csv

    shots = Shots(page, SHOTS / "write")
    (tmp_path / "Shares.csv").write_bytes(shares_csv())
    (tmp_path / "northwind-case-study.md").write_bytes(NORTHWIND)

    page.goto(app_url)
    expect(page.locator("h1").first).to_be_visible(timeout=SLOW)
    _settle(page)
    page.locator("[data-testid=stSidebar]").get_by_role("button", name="New assistant").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Name", exact=True).fill("Social posts")
    dialog.get_by_role("button", name="Create").click()
    expect(page.locator("h1", has_text="Knowledge")).to_be_visible()
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(
        [str(tmp_path / "Shares.csv"), str(tmp_path / "northwind-case-study.md")]
    )
    expect(page.locator("[data-testid=stFileChip]")).to_have_count(2)
    page.get_by_role("button", name="Upload and index").click()
    # indexed in the background; the queue on the page says when all are done
    expect(page.get_by_text(re.compile(r"\d+ indexed\. You can ask about them"))).to_be_visible(timeout=SLOW)
    _settle(page)
    shots("export-and-case-study-indexed")

    # the writer: the built-in model, chosen in Settings
    _nav(page, "Settings")
    model = page.get_by_role("combobox", name="Model", exact=True)
    model.click()
    model.press_sequentially("Built-in")
    model.press("Enter")
    expect(model).to_have_value(re.compile("Built-in small model"))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(re.compile("Built-in small model")).first).to_be_visible()
    _settle(page)

    _nav(page, "Write")
    expect(page.get_by_text(re.compile(r"From \d+ past posts"))).to_be_visible()
    shots("voice-profile")
    page.get_by_text("LinkedIn post in my style").click()
    topic = page.locator("[data-testid=stTextInput] input").last
    topic.fill("how Northwind cut onboarding time")
    topic.press("Enter")
    _settle(page)
    page.get_by_role("button", name="Write", exact=True).click()
    _settle(page, timeout=300_000)  # the built-in model's first draft loads it
    expect(page.get_by_text("Past posts used for the voice")).to_be_visible(timeout=300_000)
    expect(page.get_by_text("Length", exact=True).first).to_be_visible()  # the output checks (one set per version)
    # the voice came from the posts, which are never among the sources
    sources = page.locator("[data-testid=stExpander] summary", has_text=re.compile(r"^\[\d+\]"))
    for i in range(sources.count()):
        assert "Shares.csv" not in sources.nth(i).inner_text()
    shots("draft-with-checks")


def test_offline_linkedin_post_in_my_style_with_the_style_guide(app_url, page, tmp_path):
    """Offline, no model: a marketer uploads their LinkedIn export, a case study and the brand style guide, sees
    the guide's rules on the Write page, and gets three versions of a post, each with the case study's headline
    figure as a whole sentence, the team's voice, no broken rule and every fact cited; the customer's quote, with
    who said it, in at least one of them and never as the opening line (the team's posts are short)."""
    sys.path.insert(0, str(ROOT))
    from tests.marketing_fixtures import ACME_CASE_STUDY, ACME_POSTS, brand_guide_docx, shares_csv

    shots = Shots(page, SHOTS / "compose")
    (tmp_path / "Shares.csv").write_bytes(shares_csv(ACME_POSTS))
    (tmp_path / "acme-case-study.md").write_bytes(ACME_CASE_STUDY)
    (tmp_path / "brand-style-guide.docx").write_bytes(brand_guide_docx())

    page.goto(app_url)
    expect(page.locator("h1").first).to_be_visible(timeout=SLOW)
    _settle(page)
    page.locator("[data-testid=stSidebar]").get_by_role("button", name="New assistant").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Name", exact=True).fill("Acme social")
    dialog.get_by_role("button", name="Create").click()
    expect(page.locator("h1", has_text="Knowledge")).to_be_visible()
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(
        [str(tmp_path / name) for name in ("Shares.csv", "acme-case-study.md", "brand-style-guide.docx")]
    )
    expect(page.locator("[data-testid=stFileChip]")).to_have_count(3)
    page.get_by_role("button", name="Upload and index").click()
    # the ten posts of the export, the case study and the guide, indexed in the background
    expect(page.get_by_text(re.compile(r"\b12 indexed\. You can ask about them"))).to_be_visible(timeout=SLOW)
    _settle(page)
    shots("posts-case-study-and-guide-indexed")

    _nav(page, "Write")
    expect(page.get_by_text(re.compile(r"From 10 past posts"))).to_be_visible()
    expect(page.get_by_text("No writing model is connected", exact=False)).to_be_visible()
    rules = page.locator("[data-testid=stMarkdownContainer] li")
    expect(rules.filter(has_text="Avoid “leverage”: use “use”")).to_be_visible()
    expect(rules.filter(has_text="Always end with #AcmeCo")).to_be_visible()
    expect(rules.filter(has_text="from brand-style-guide.docx")).to_have_count(9)
    shots("voice-and-style-rules")

    topic = page.get_by_role("textbox", name="What should the post be about?")
    topic.fill("How Acme & Co cut carrier onboarding from 41 to 12 days")
    topic.press("Enter")
    _settle(page)
    page.get_by_role("button", name="Write", exact=True).click()
    _settle(page)
    expect(page.get_by_text("Put together from your documents in your usual format", exact=False).last).to_be_visible()  # the draft's notice, under the page's
    tabs = page.get_by_role("tab", name=re.compile(r"^Version \d: "))
    expect(tabs).to_have_count(3)
    quoted = 0
    for n in range(3):
        tabs.nth(n).click()
        panel = page.get_by_role("tabpanel").filter(visible=True)
        expect(panel).to_contain_text("Acme & Co cut carrier onboarding from 41 days to 12 days.")
        expect(panel).to_contain_text("#AcmeCo")
        text = panel.inner_text()
        assert not text.lstrip().startswith("“"), text  # the quote is never the opening line
        if "“Our carriers stopped waiting on us." in text:  # whole, or trimmed at a sentence to keep to the length
            assert "Dana Whitfield, VP Operations" in text  # a quote comes with who said it
            quoted += 1
        for check in ("Length", "Every factual sentence cited", "Voice match", "Style guide"):
            line = panel.locator("p", has_text=check).first
            expect(line).to_contain_text("check_circle")  # the green tick, not a red cross
        expect(panel.locator("p", has_text="Style guide")).to_contain_text("Follows all 9 of your style rules")
        expect(panel.locator("[data-testid=stExpander] summary", has_text=re.compile(r"\[1\] How Acme & Co cut carrier onboarding"))).to_be_visible()
        assert "cancel" not in panel.inner_text()
        shots(f"version-{n + 1}")
    assert quoted >= 1  # the customer's words are in one of the versions

    print("\nscreenshots:\n" + "\n".join(f"  {p}" for p in shots.taken))
    for path in shots.taken:
        assert path.stat().st_size > 5_000, f"{path} looks empty"
