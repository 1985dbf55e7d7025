"""Web pages are reduced to their main content: page furniture never reaches a chunk, the article all does."""

from __future__ import annotations

import pytest

from rag.ingest.chunk import split
from rag.parse import iter_members, parse_file
from rag.parse.web import parse_html_text
from rag.types import ChunkSettings
from tests.fixtures import make_zip

# A help-center article as Zendesk Guide's default theme exports it: header with logo, menu and
# sign-in, breadcrumbs, search, a sidebar of sibling articles, votes, share links, related
# articles, a footer and a cookie banner around the article.
HELP_CENTER_PAGE = """\
<!DOCTYPE html>
<html dir="ltr" lang="en-US">
<head>
<meta charset="utf-8">
<title>How to change your plan – Example Help Center</title>
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="/theming/style.css">
</head>
<body>
<a class="skip-navigation" tabindex="1" href="#main-content">Skip to main content</a>
<header class="header">
  <div class="logo"><a title="Home" href="/hc/en-us"><img src="/logo.png" alt="Example Help Center home page"></a></div>
  <div class="nav-wrapper-desktop">
    <nav class="user-nav" id="user-nav" aria-label="User navigation">
      <ul class="user-nav-list">
        <li><a href="/hc/en-us/community/topics">Community</a></li>
        <li><a class="submit-a-request" href="/hc/en-us/requests/new">Submit a request</a></li>
      </ul>
    </nav>
    <a class="sign-in" rel="nofollow" href="/hc/signin">Sign in</a>
  </div>
</header>
<main role="main">
<div class="container-divider"></div>
<div class="container">
  <div class="sub-nav">
    <ol class="breadcrumbs">
      <li title="Example Help Center"><a href="/hc/en-us">Example Help Center</a></li>
      <li title="Billing and plans"><a href="/hc/en-us/categories/1">Billing and plans</a></li>
      <li title="Plans"><a href="/hc/en-us/sections/2">Plans</a></li>
    </ol>
    <div class="search-container">
      <form role="search" class="search" action="/hc/en-us/search" method="get"><input type="search" name="query" placeholder="Search" aria-label="Search"><input type="submit" value="Search"></form>
    </div>
  </div>
  <div class="article-container" id="article-container">
    <aside class="article-sidebar" aria-labelledby="section-articles-title">
      <div class="collapsible-sidebar">
        <h3 id="section-articles-title" class="collapsible-sidebar-title sidenav-title">Articles in this section</h3>
        <ul>
          <li><a href="/a/1" class="sidenav-item current-article">How to change your plan</a></li>
          <li><a href="/a/2" class="sidenav-item">Where to find your invoices</a></li>
          <li><a href="/a/3" class="sidenav-item">Cancel your subscription</a></li>
        </ul>
      </div>
    </aside>
    <article id="main-content" class="article">
      <header class="article-header">
        <h1 title="How to change your plan" class="article-title">How to change your plan</h1>
        <div class="article-author">
          <div class="avatar article-avatar"><img src="/a.png" alt="Avatar" class="user-avatar"></div>
          <div class="article-meta">Anna de Vries
            <ul class="meta-group"><li class="meta-data"><time datetime="2025-03-01">March 1, 2025</time></li><li class="meta-data">Updated</li></ul>
          </div>
        </div>
        <a class="article-subscribe" rel="nofollow" role="button" href="/subscribe">Follow</a>
      </header>
      <section class="article-info">
        <div class="article-content">
          <div class="article-body">
            <p>You can move between the Starter, Team and Business plans at any time from the billing page; the new price applies from your next invoice.</p>
            <h2>Change your plan</h2>
            <ol>
              <li>Sign in as an account owner.</li>
              <li>Open <strong>Settings</strong> and choose <strong>Billing</strong>.</li>
              <li>Click <strong>Change plan</strong> next to your current plan.</li>
              <li>Pick the new plan and the billing period.</li>
              <li>Confirm with <strong>Save changes</strong>; a receipt is e-mailed within five minutes.</li>
            </ol>
            <h2>Plans and prices</h2>
            <p>Prices exclude VAT and are billed per workspace.</p>
            <table>
              <thead><tr><th>Plan</th><th>Price per month</th><th>Seats included</th></tr></thead>
              <tbody>
                <tr><td>Starter</td><td>€19</td><td>3</td></tr>
                <tr><td>Team</td><td>€49</td><td>10</td></tr>
                <tr><td>Business</td><td>€129</td><td>50</td></tr>
              </tbody>
            </table>
            <h3>Downgrading</h3>
            <p>When you downgrade, extra seats are removed at the end of the billing period, never straight away.</p>
          </div>
          <div class="article-attachments"></div>
        </div>
        <div class="article-footer">
          <div class="article-share"><ul class="share"><li><a class="share-facebook" href="#">Facebook</a></li><li><a class="share-twitter" href="#">Twitter</a></li><li><a class="share-linkedin" href="#">LinkedIn</a></li></ul></div>
        </div>
        <div class="article-votes">
          <h2 class="article-votes-question" id="article-votes-label">Was this article helpful?</h2>
          <div class="article-votes-controls" role="group" aria-labelledby="article-votes-label">
            <button type="button" class="button article-vote article-vote-up" aria-label="This article was helpful" aria-pressed="false">Yes</button>
            <button type="button" class="button article-vote article-vote-down" aria-label="This article was not helpful" aria-pressed="false">No</button>
          </div>
          <small class="article-votes-count"><span class="article-vote-label">12 out of 15 found this helpful</span></small>
        </div>
        <div class="article-more-questions">Have more questions? <a href="/hc/en-us/requests/new">Submit a request</a></div>
        <div class="article-return-to-top"><a href="#article-container">Return to top</a></div>
      </section>
      <div class="article-relatives">
        <section class="related-articles">
          <h2 class="related-articles-title">Related articles</h2>
          <ul><li><a href="/a/2">Where to find your invoices</a></li><li><a href="/a/4">Add seats to your workspace</a></li></ul>
        </section>
      </div>
    </article>
  </div>
</div>
</main>
<footer class="footer">
  <div class="footer-inner">
    <p class="footer-legal">© 2025 Example B.V. · <a href="/privacy">Privacy</a> · <a href="/terms">Terms</a></p>
    <div class="footer-language-selector">English (US)</div>
  </div>
</footer>
<div id="cookie-banner" class="cookie-consent" role="dialog" aria-label="Cookie consent">
  <p>We use cookies to improve your experience and for marketing. Read our <a href="/cookies">cookie policy</a>.</p>
  <a class="btn" href="#">Accept all</a> <a class="btn" href="#">Manage preferences</a>
</div>
</body>
</html>
"""

# The same kind of page without a single semantic tag: everything is a <div> with a class name.
DIV_PAGE = """\
<html><head><title>Set up single sign-on | Acme Support</title></head>
<body>
<div id="top-bar" class="site-header">
  <div class="brand"><img src="logo.svg" alt="Acme"> Acme Support</div>
  <div class="menu"><a href="/">Home</a> <a href="/guides">Guides</a> <a href="/api">API</a> <a href="/status">Status</a> <a href="/contact">Contact us</a></div>
  <div class="searchbox"><input type="text" placeholder="Search articles..."> Search</div>
</div>
<div class="crumbs" aria-label="breadcrumb"><a href="/">Support</a> &gt; <a href="/guides">Guides</a> &gt; <span>Security</span></div>
<div class="layout">
  <div class="left-col">
    <div class="widget"><div class="widget-title">Popular guides</div>
      <a href="/g/1">Invite your team</a><br><a href="/g/2">Export your data</a><br><a href="/g/3">Billing FAQ</a></div>
  </div>
  <div class="content">
    <h1>Set up single sign-on</h1>
    <div class="meta">Written by Sam · Updated 2 weeks ago</div>
    <p>Single sign-on lets your team sign in to Acme with the identity provider you already use, such as Okta or Microsoft Entra ID. It is included in the Business plan.</p>
    <h2>Before you start</h2>
    <p>You need an administrator account in Acme and in your identity provider, and a verified company domain.</p>
    <h2>Steps</h2>
    <ol>
      <li>In Acme, open Admin settings and choose Security.</li>
      <li>Copy the ACS URL and the entity ID shown on the page.</li>
      <li>In your identity provider, create a SAML 2.0 application with those two values.</li>
      <li>Paste the provider's metadata URL back into Acme.</li>
      <li>Click Test connection, then Enforce SSO once the test passes.</li>
    </ol>
    <h2>Supported providers</h2>
    <table>
      <tr><td><b>Provider</b></td><td><b>Protocol</b></td><td><b>Just-in-time provisioning</b></td></tr>
      <tr><td>Okta</td><td>SAML 2.0</td><td>Yes</td></tr>
      <tr><td>Microsoft Entra ID</td><td>SAML 2.0</td><td>Yes</td></tr>
      <tr><td>Google Workspace</td><td>SAML 2.0</td><td>No</td></tr>
    </table>
    <p>If the test fails, check that the clock on your identity provider is correct: assertions older than five minutes are refused.</p>
    <div class="feedback">Was this article helpful? <a href="#" class="yes">Yes</a> <a href="#" class="no">No</a></div>
    <div class="related"><h3>Related articles</h3><ul><li><a href="/g/7">Enforce two-factor authentication</a></li><li><a href="/g/8">Audit log</a></li></ul></div>
  </div>
</div>
<div class="bottom">
  <div class="cols"><div><b>Product</b><br><a>Pricing</a><br><a>Changelog</a></div><div><b>Company</b><br><a>About</a><br><a>Careers</a></div></div>
  <div class="legal">(c) 2025 Example B.V. · <a>Privacy</a> · <a>Terms</a></div>
</div>
<div class="cc-window"><span>This website uses cookies to ensure you get the best experience.</span> <a>Got it!</a></div>
</body></html>
"""

FURNITURE = [
    "Skip to main content", "Community", "Submit a request", "Example Help Center home page",
    "Billing and plans", "Search", "Articles in this section", "Where to find your invoices", "Anna de Vries",
    "Follow", "Facebook", "Was this article helpful", "found this helpful", "Have more questions",
    "Return to top", "Related articles", "Add seats to your workspace", "2025 Example B.V.", "Privacy", "Terms",
    "English (US)", "cookies", "Accept all", "Manage preferences",
]
DIV_FURNITURE = [
    "Acme Support", "Guides", "Status", "Contact us", "Search articles", "Popular guides", "Invite your team",
    "Billing FAQ", "Written by Sam", "Was this article helpful", "Related articles", "Enforce two-factor",
    "Audit log", "Product", "Changelog", "Careers", "(c) 2025 Example B.V.", "Privacy", "Terms",
    "uses cookies", "Got it",
]


def _everything(parsed) -> str:
    return "\n".join(f"{' > '.join(e.heading_path)}\n{e.text}" for e in parsed.elements)


def test_help_center_article_keeps_its_steps_table_and_headings_in_order():
    parsed = parse_html_text(HELP_CENTER_PAGE, "plans.html")
    assert parsed.title == "How to change your plan"
    assert [e.text for e in parsed.elements if e.kind == "title"] == [
        "How to change your plan", "Change your plan", "Plans and prices", "Downgrading",
    ]
    steps = next(e for e in parsed.elements if e.kind == "list")
    assert steps.heading_path == ("How to change your plan", "Change your plan")
    assert steps.text.splitlines() == [
        "1. Sign in as an account owner.",
        "2. Open Settings and choose Billing.",
        "3. Click Change plan next to your current plan.",
        "4. Pick the new plan and the billing period.",
        "5. Confirm with Save changes; a receipt is e-mailed within five minutes.",
    ]
    table = next(e for e in parsed.elements if e.kind == "table")
    assert table.text.splitlines()[:3] == [
        "| Plan | Price per month | Seats included |", "| --- | --- | --- |", "| Starter | €19 | 3 |",
    ]
    assert table.heading_path == ("How to change your plan", "Plans and prices")
    assert [e.kind for e in parsed.elements] == ["title", "text", "title", "list", "title", "text", "table", "title", "text"]


@pytest.mark.parametrize("page, furniture", [(HELP_CENTER_PAGE, FURNITURE), (DIV_PAGE, DIV_FURNITURE)], ids=["zendesk", "divs"])
def test_page_furniture_never_reaches_a_chunk(page, furniture):
    parsed = parse_html_text(page, "page.html")
    chunks = split(parsed, ChunkSettings())
    assert chunks
    for piece in chunks:
        text = piece.text + "\n" + " > ".join(piece.heading_path)
        for junk in furniture:
            assert junk not in text, f"{junk!r} leaked into a chunk"


def test_page_without_semantic_tags_keeps_its_article():
    parsed = parse_html_text(DIV_PAGE, "sso.html")
    text = _everything(parsed)
    assert parsed.title == "Set up single sign-on"
    for kept in ("identity provider you already use", "Before you start", "5. Click Test connection",
                 "| Okta | SAML 2.0 | Yes |", "assertions older than five minutes"):
        assert kept in text
    table = next(e for e in parsed.elements if e.kind == "table")
    assert table.heading_path == ("Set up single sign-on", "Supported providers")


def test_zip_of_pages_is_reduced_page_by_page(tmp_path):
    path = tmp_path / "export.zip"
    path.write_bytes(make_zip({"hc/plans.html": HELP_CENTER_PAGE.encode(), "hc/sso.html": DIV_PAGE.encode()}))
    for name, data in iter_members(path, "export.zip"):
        page = tmp_path / name.rsplit("/", 1)[-1]
        page.write_bytes(data)
        text = _everything(parse_file(page, name))
        assert "Example B.V." not in text and "Was this article helpful" not in text
        assert "Business" in text


def test_when_the_extractor_finds_nothing_the_whole_page_is_read(monkeypatch):
    import trafilatura

    monkeypatch.setattr(trafilatura, "extract", lambda *a, **k: None)
    text = _everything(parse_html_text(HELP_CENTER_PAGE, "plans.html"))
    assert "| Team | €49 | 10 |" in text and "Sign in" in text  # the whole page, navigation and all...
    assert "Example B.V." not in text  # ...but a copyright line is never content


def test_when_the_extractor_fails_the_whole_page_is_read(monkeypatch):
    import trafilatura

    def broken(*args, **kwargs):
        raise ValueError("lxml choked")

    monkeypatch.setattr(trafilatura, "extract", broken)
    assert "Sign in as an account owner." in _everything(parse_html_text(HELP_CENTER_PAGE, "plans.html"))


def test_a_short_page_is_kept_and_an_html_email_read_whole():
    short = parse_html_text("<html><body><h1>Billing</h1><p>Invoices go out monthly.</p></body></html>", "a.html")
    assert [e.text for e in short.elements] == ["Billing", "Invoices go out monthly."]
    mail = parse_html_text(DIV_PAGE, "mail.eml", main_content_only=False)
    assert "Got it!" in _everything(mail)


def test_inline_pieces_join_as_written():
    html = "<p>Property and <span>a</span><span>ssets</span> <b>deployed</b>.</p><ul><li>Open <b>Settings</b>.</li></ul>"
    parsed = parse_html_text(html, "x.html", main_content_only=False)
    assert [e.text for e in parsed.elements] == ["Property and assets deployed.", "- Open Settings."]


def test_layout_table_is_read_as_text():
    essay = "The way to get new ideas is to notice anomalies. " * 10
    html = f"<table><tr><td><img src=a.gif></td><td><font>{essay}</font></td></tr></table>"
    parsed = parse_html_text(html, "essay.html", main_content_only=False)
    assert all(e.kind == "text" for e in parsed.elements)
    assert "".join(e.text for e in parsed.elements).count("anomalies") == 10
