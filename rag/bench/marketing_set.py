"""A marketing team's knowledge base and the questions a marketer asks of it, made in code.

The corpus is what a new user brings on day one: two case studies (a Word
file and a PDF, with before/after figures, a headline figure and quotes
with the person and title who said them), a help-center export (a ZIP of
HTML pages with the site's navigation, breadcrumbs, search box, cookie
banner, "Was this article helpful?" and footer on every page, one of them a
plan-price table and one a five-step how-to), a launch note, a LinkedIn
posts export and a style guide.

Each question lists the key facts a right answer states (matched loosely:
case, spacing and thousands separators are ignored). ``answerable=False``
marks questions the documents don't answer: the right behaviour is to
refuse or to say the passages don't state it. Follow-ups carry the turn
they follow.

Used by ``grounded bench qa --marketing`` and by the tests.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .documents import make_pdf

SITE_TOP = """<header class="site-header"><a href="/" class="logo">Example Help Center</a>
<nav class="main-nav"><a href="/products">Products</a> <a href="/pricing">Pricing</a> <a href="/blog">Blog</a>
<a href="/contact">Contact sales</a></nav>
<form class="search" action="/search"><input type="search" placeholder="Search articles"><button>Search</button></form>
</header>
<div class="cookie-banner" id="cookies">We use cookies to improve your experience. <a href="/cookies">Cookie settings</a>
<button>Accept all</button></div>
<ol class="breadcrumbs"><li><a href="/hc/en-us">Example Help Center</a></li><li><a href="/hc/en-us/sections/1">{section}</a></li></ol>
"""
SITE_BOTTOM = """<div class="article-votes"><span>Was this article helpful?</span> <button>Yes</button> <button>No</button>
<span>12 out of 15 found this helpful</span></div>
<section class="related"><h3>Related articles</h3><ul><li><a href="/hc/a/1">Getting started</a></li>
<li><a href="/hc/a/2">Invite teammates</a></li></ul></section>
<footer class="site-footer"><p>(c) 2025 Example B.V. · <a href="/privacy">Privacy</a> · <a href="/terms">Terms</a> ·
<a href="/status">Status</a></p></footer>"""

ARTICLES = {
    "360001-pricing-plans": ("Billing", "Plans and pricing", """
<p>Every plan includes unlimited documents and assistants. Prices are per workspace, billed monthly.</p>
<table><thead><tr><th>Plan</th><th>Price per month</th><th>Seats</th><th>Support</th></tr></thead>
<tbody><tr><td>Starter</td><td>$19</td><td>3</td><td>Email</td></tr>
<tr><td>Team</td><td>$49</td><td>20</td><td>Email and chat</td></tr>
<tr><td>Scale</td><td>$99</td><td>Unlimited</td><td>Priority, with a named manager</td></tr></tbody></table>
<p>Pay annually and get 2 months free (about 17% off) on Starter, Team and Scale.</p>
<p>Single sign-on (SSO) and audit logs are included in the Scale plan.</p>"""),
    "360002-getting-started": ("Getting started", "Getting started", """
<p>Create a workspace, add your first documents and ask a question. Most teams are up and running in under ten minutes.</p>
<p>Invite your teammates once your first assistant answers the way you want.</p>"""),
    "360003-connect-crm": ("Integrations", "Connect your CRM", """
<p>Connect your CRM so answers can use your latest account notes. You need admin rights in both tools.</p>
<ol><li>Open Settings and choose Integrations.</li>
<li>Select your CRM (Salesforce or HubSpot) and click Connect.</li>
<li>Sign in to the CRM and click Authorize to grant read access.</li>
<li>Pick the objects to sync: accounts, contacts or notes.</li>
<li>Click Start sync. The first sync takes about 15 minutes.</li></ol>
<p>You can disconnect at any time from the same page.</p>"""),
    "360004-invite-teammates": ("Account", "Invite teammates", """
<ol><li>Go to Settings and open Members.</li><li>Click Invite and enter their email addresses.</li></ol>
<p>Invitations expire after 7 days. Admins can resend an invitation from the Members page.</p>"""),
    "360005-reset-password": ("Account", "Reset your password", """
<ol><li>Click Forgot password on the sign-in page.</li><li>Enter the email address of your account.</li>
<li>Open the reset link we email you and choose a new password. The link works for 30 minutes.</li></ol>"""),
    "360006-export-data": ("Account", "Export your data", """
<p>Admins can export every document, chat and setting as a ZIP file from Settings, Data, Export.
Exports are ready within an hour and stay available for 7 days.</p>"""),
    "360007-single-sign-on": ("Security", "Set up single sign-on", """
<p>Single sign-on is available on the Scale plan. It works with Okta, Microsoft Entra ID and Google Workspace.</p>
<ol><li>Open Settings and choose Security.</li><li>Click Set up SSO and choose your identity provider.</li>
<li>Paste the metadata URL from your identity provider and click Save.</li></ol>"""),
    "360008-invoices": ("Billing", "Invoices and receipts", """
<p>Invoices are emailed to the billing contact on the first day of each month. You can pay by card or by bank transfer.
Invoices for the last 24 months are under Settings, Billing.</p>"""),
}


def help_center_zip() -> bytes:
    """A Zendesk-style help-center export: one HTML page per article under help-center/en-us/articles/."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for slug, (section, title, body) in ARTICLES.items():
            page = (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{title} – Example Help Center</title>"
                    f"</head><body>{SITE_TOP.format(section=section)}<main><article><h1>{title}</h1>{body}</article>"
                    f"</main>{SITE_BOTTOM}</body></html>")
            zf.writestr(f"help-center/en-us/articles/{slug}.html", page)
    return buf.getvalue()


def acme_case_study_docx() -> bytes:
    """Acme & Co's case study as a Word file: a summary, the challenge, results with before/after figures, a quote."""
    import docx

    d = docx.Document()
    d.core_properties.title = "Acme & Co cuts carrier onboarding from 41 to 12 days"
    d.add_paragraph("Customer story · Logistics · 1,240 carriers")
    d.add_heading("Acme & Co cuts carrier onboarding from 41 to 12 days", level=1)
    d.add_heading("Summary", level=2)
    d.add_paragraph("Acme & Co is a freight broker in Rotterdam that works with more than 1,200 independent carriers. "
                    "It used Example to answer carriers' onboarding questions from its own documents.")
    d.add_heading("The challenge", level=2)
    d.add_paragraph("Before Example, onboarding a new carrier took 41 days on average, because every question about "
                    "insurance, payment terms and documents went through the same three people.")
    d.add_heading("Results", level=2)
    d.add_paragraph("Carrier onboarding time fell from 41 days to 12 days within six months.")
    d.add_paragraph("Acme & Co onboarded 1,240 carriers in 2024, twice as many as the year before.")
    d.add_paragraph("In 2025, Acme & Co plans to roll Example out to its European hubs.")
    d.add_heading("In their words", level=2)
    d.add_paragraph("“We stopped chasing paperwork and started moving freight. Carriers get answers in minutes, not days.”")
    d.add_paragraph("— Jane Doe, COO of Acme & Co")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def brightsmile_case_study_pdf() -> bytes:
    """BrightSmile's case study as a two-page PDF: a headline figure, before/after no-show rates, a quote."""
    return make_pdf([
        [
            "Customer story - Healthcare - 63 clinics",
            "# BrightSmile Dental cuts no-shows with automated reminders",
            "# 9 min",
            "average check-in time, down from 22 minutes",
            "## Summary",
            "BrightSmile Dental runs 63 clinics in the Netherlands and Belgium. The group used Example",
            "to answer patients' questions and send appointment reminders from its own clinic guides.",
            "## Results",
            "Before Example, the no-show rate across the group was 14%.",
            "After the group adopted automated reminders, the no-show rate fell to 6% within four months.",
        ],
        [
            "## What the team says",
            "\"Patients turn up, and our front desks finally have time to talk to them.\"",
            "Dr. Priya Raman, Chief Operating Officer, BrightSmile Dental",
            "## Next steps",
            "BrightSmile plans to add online rescheduling in 2026.",
        ],
    ])


LAUNCH_NOTE = b"""# Live dashboards launch

Released March 5, 2024.

We are excited to announce live dashboards: every chart loads in under one second.
Live dashboards are available on every plan from today, with a 14-day free trial of the Scale plan.
"""

STYLE_GUIDE = b"""# Brand style guide

## Voice
We write like a helpful colleague: short sentences, plain words, one idea per line.
Lead with the customer's result, then how they got there.

## Words
| Avoid | Use instead |
| --- | --- |
| leverage | use |
| utilize | use |
| synergy | teamwork |
| best-in-class | proven |

## Social posts
Use at most two emoji per post and at most three hashtags.
Always end with #Example.
Write numbers as digits.
"""

POSTS = [
    ("2024-01-15 09:12:00", ["Onboarding used to take our customers 6 weeks.", "", "Now it's 2. 🚀", "",
                             "The trick? Fewer meetings, better docs.", "", "#onboarding #saas #Example"]),
    ("2024-02-02 17:40:10", ["Nobody reads a 40-page PDF.", "", "Your customers skim. ✅", "",
                             "So write for skimmers.", "", "#contentmarketing #saas #Example"]),
    ("2024-03-05 14:02:11", ["We shipped live dashboards today. 🎉", "", "Every chart loads in under a second.", "",
                             "Which report would you build first?", "", "#productlaunch #saas #Example"]),
]


def shares_csv() -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Date", "ShareLink", "ShareCommentary", "SharedUrl", "MediaUrl", "Visibility"])
    for n, (date, lines) in enumerate(POSTS, 1):
        commentary = '"' + '"\n"'.join(line.replace('"', '""') for line in lines) + '"'
        w.writerow([date, f"https://www.linkedin.com/feed/update/urn:li:share:72{n:05d}", commentary, "", "", "MEMBER_NETWORK"])
    return buf.getvalue().encode("utf-8")


def corpus() -> dict[str, bytes]:
    """File name -> bytes, as a marketer would upload them."""
    return {
        "acme-co-case-study.docx": acme_case_study_docx(),
        "brightsmile-case-study.pdf": brightsmile_case_study_pdf(),
        "help-center-export.zip": help_center_zip(),
        "launch-live-dashboards.md": LAUNCH_NOTE,
        "brand-style-guide.md": STYLE_GUIDE,
        "Shares.csv": shares_csv(),
    }


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in corpus().items():
        (folder / name).write_bytes(data)
    return folder


BOILERPLATE = ("Was this article helpful", "Example B.V.", "Cookie settings", "Accept all", "Search articles",
               "Contact sales", "found this helpful", "Related articles")


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    facts: tuple[str, ...]  # what a right answer states
    kind: str  # figure | who | when | how-to | other
    answerable: bool = True
    after: tuple[str, str] | None = None  # (question, answer) of the turn this follows up
    not_facts: tuple[str, ...] = field(default=())  # what a right answer must not state (the wrong side of a before/after)


QUESTIONS: tuple[Question, ...] = (
    Question("price-team", "How much does the Team plan cost per month?", ("$49",), "figure"),
    Question("price-scale", "How much does the Scale plan cost?", ("$99",), "figure"),
    Question("annual", "How much do we save by paying annually?", ("2 months",), "figure"),
    Question("acme-faster", "How much faster did Acme & Co get at onboarding?", ("41 days", "12 days"), "figure"),
    Question("acme-carriers", "How many carriers did Acme & Co onboard in 2024?", ("1,240",), "figure"),
    Question("noshow-after", "What was BrightSmile's no-show rate after they adopted the product?", ("6%",), "figure",
             not_facts=("14%",)),
    Question("checkin", "How long does check-in take at BrightSmile now?", ("9 min",), "figure"),
    Question("crm-steps", "How do I connect the product to the CRM?",
             ("Integrations", "Connect", "Authorize", "objects to sync", "Start sync"), "how-to"),
    Question("reset-steps", "How do I reset my password?", ("Forgot password", "reset link"), "how-to"),
    Question("jane-said", "What did Jane Doe say about the product?", ("stopped chasing paperwork",), "who"),
    Question("acme-quote", "Who did we quote in the Acme & Co case study?", ("Jane Doe", "COO"), "who"),
    Question("launch-date", "When did we launch live dashboards?", ("March 5, 2024",), "when"),
    Question("sso-plan", "Which plan includes single sign-on?", ("Scale",), "other"),
    Question("invite-expiry", "How long do invitations last?", ("7 days",), "figure"),
    Question("follow-she", "and what did she say about it?", ("stopped chasing paperwork",), "who",
             after=("Who did we quote in the Acme & Co case study?",
                    "“We stopped chasing paperwork and started moving freight.” — Jane Doe, COO of Acme & Co [1]")),
    Question("follow-scale", "what about the Scale plan?", ("$99",), "figure",
             after=("How much does the Team plan cost per month?", "| Team | $49 | 20 | Email and chat | [1]")),
    Question("enterprise", "How much does the Enterprise plan cost?", (), "figure", answerable=False),
    Question("nonprofit", "What discount do nonprofits get?", (), "figure", answerable=False),
)
