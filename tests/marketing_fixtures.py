"""Fixture documents for the marketing workflows, built on the fly.

A LinkedIn "Shares.csv" written the way LinkedIn's data export writes it
(each line of a multi-line post wrapped in quotes, inner quotes doubled),
case studies, two product-launch notes that disagree on a price, a ZIP of
help-center pages, and re-exports of one document with small edits.
"""

from __future__ import annotations

import csv
import io

from rag.bench.draft_voices import ruled_pdf
from tests.fixtures import make_zip

POSTS = [
    ("2024-01-15 09:12:00", [
        "Onboarding used to take us 6 weeks.", "", "Now it's 2. 🚀", "", "The trick? Fewer meetings, better docs.", "",
        "What slows your onboarding down?", "", "#onboarding #saas #customersuccess"]),
    ("2024-02-02 17:40:10", [
        "Nobody reads a 40-page PDF.", "", "Your customers skim. ✅", "So write for skimmers.", "",
        "Short lines. One idea each.", "", "How do you keep your docs short?", "", "#contentmarketing #saas #writing"]),
    ("2024-03-05 14:02:11", [
        "We shipped something big today. 🎉", "", "Dashboards that load in a second.", "Built with our customers, for them.",
        "", "Which report would you build first?", "", "#productlaunch #saas #analytics"]),
    ("2024-04-18 08:00:00", [
        "3 things I learned from 100 customer calls:", "", "→ They want answers, not features.", "→ They trust numbers.",
        "→ They remember stories. 💡", "", "What did your last customer call teach you?", "",
        "#customersuccess #sales #saas"]),
    ("2024-05-21 12:30:00", [
        "Stop guessing what customers want.", "", "Ask them. 👂", "Then ask again.", "",
        "When did you last talk to a customer?", "", "#marketing #saas #growth"]),
    ("2024-06-11 10:00:00", [
        "Case studies beat ads.", "", "Every single time. 📈", "", "Real names. Real “numbers”.", "",
        "Do you agree?", "", "#b2bmarketing #saas #casestudy"]),
]


def linkedin_commentary(lines: list[str]) -> str:
    """A post as LinkedIn's export stores it: each line quoted, inner quotes doubled."""
    return '"' + '"\n"'.join(line.replace('"', '""') for line in lines) + '"'


def shares_csv(posts=POSTS, extra_rows: list[list[str]] | None = None) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Date", "ShareLink", "ShareCommentary", "SharedUrl", "MediaUrl", "Visibility"])
    for n, (date, lines) in enumerate(posts, 1):
        w.writerow([date, f"https://www.linkedin.com/feed/update/urn:li:share:71{n:05d}", linkedin_commentary(lines), "", "",
                    "MEMBER_NETWORK"])
    for row in extra_rows or []:
        w.writerow(row)
    return buf.getvalue().encode("utf-8")


NORTHWIND = b"""# Northwind case study

## The challenge
Northwind Traders onboarded new customers by hand. Onboarding took 41 days on average and support tickets piled up.

## The solution
Northwind rolled out Grounded to its 120-person support team.

## Results
Northwind cut onboarding from 41 days to 12 days. Support tickets fell by 35% within two quarters.
"We finally answer customers the same day," says Maria Lopez, Head of Support at Northwind.
"""

FABRIKAM = b"""# Fabrikam customer story

## Results
Fabrikam raised trial-to-paid conversion from 8% to 14% in one quarter after switching to Grounded.
Its sales team now answers security questionnaires in 2 hours instead of 3 days.
"""

LAUNCH_2023 = b"""# Analytics launch

Released May 10, 2023.

We are excited to announce analytics dashboards for every workspace.
The Team plan costs $39 per month.
Dashboards refresh every hour.
"""

LAUNCH_2024 = b"""# Live dashboards launch

Released March 5, 2024.

We are excited to announce live dashboards: every chart loads in under one second.
The Team plan costs $49 per month.
Live dashboards are available to all customers from today, with a 14-day free trial.
"""

HELP_PAGES = {
    "help/reset-password.html": b"""<html><head><title>Reset your password</title></head><body>
<h1>Reset your password</h1>
<p>1. Click Forgot password on the sign-in page.</p>
<p>2. Enter the email address of your account.</p>
<p>3. Open the reset link we email you within 15 minutes and choose a new password.</p>
</body></html>""",
    "help/invite-teammates.html": b"""<html><head><title>Invite teammates</title></head><body>
<h1>Invite teammates</h1>
<p>1. Go to Settings > Members.</p>
<p>2. Click Invite and enter their email addresses.</p>
<p>Invitations expire after 7 days.</p>
</body></html>""",
}


def help_zip() -> bytes:
    return make_zip(HELP_PAGES)


# re-exports of one document: Markdown, then the same text as plain text with re-wrapped lines and small edits
PRICING_FAQ_MD = b"""# Pricing FAQ

## Plans
The Starter plan costs 19 dollars per month for up to three seats. The Team plan costs 49 dollars per month
for up to twenty seats and adds single sign-on, audit logs and priority support.

## Billing
Invoices are sent on the first day of each month. You can pay by card or by bank transfer, and annual plans
get two months free. Refunds are available within 30 days of purchase for annual plans.

## Changes
You can upgrade at any time and the difference is charged pro rata. Downgrades take effect at the end of the
current billing period, and your data is kept for 90 days after you cancel.
"""

PRICING_FAQ_TXT = b"""Pricing FAQ

Plans
The Starter plan costs 19 dollars per month for up to three seats.
The Team plan costs 49 dollars per month for up to twenty seats and adds
single sign-on, audit logs and fast priority support.

Billing
Invoices are sent on the first day of every month. You can pay by card or by bank
transfer, and annual plans get two months free. Refunds are available within 30 days
of purchase for annual plans.

Changes
You can upgrade at any time and the difference is charged pro rata. Downgrades take
effect at the end of the current billing period, and your data is kept for 90 days after you cancel.
"""


# Acme & Co: a team whose posts are short, one idea a line, an emoji or two, three hashtags ending with #AcmeCo,
# mostly on Tuesday mornings (UTC); a case study with a before/after headline figure and a quote on its own line;
# and a brand style guide (Markdown or DOCX) with an "Avoid | Use instead" table and limits.
ACME_POSTS = [
    ("2025-01-07 08:05:00", [
        "3 weeks of carrier paperwork. 📄", "", "Gone in one afternoon.", "", "We moved every form into one checklist.",
        "One owner per carrier.", "", "What slows your onboarding down?", "", "#logistics #onboarding #AcmeCo"]),
    ("2025-01-14 08:10:00", [
        "Freight runs on trust. 🤝", "", "Trust runs on answers.", "", "Carriers ask the same 20 questions.",
        "So we wrote the answers down once.", "", "Which question do you answer most?", "", "#freight #carriers #AcmeCo"]),
    ("2025-01-21 08:00:00", [
        "2 emails instead of 14. ✉️", "", "That is what a carrier gets from us now.", "", "Less back and forth.",
        "More trucks on the road.", "", "How many emails does your onboarding take?", "", "#logistics #operations #AcmeCo"]),
    ("2025-02-04 08:20:00", [
        "Our ops team grew by zero people. 🚀", "", "Our carrier list doubled.", "", "The difference?",
        "Answers people can find on their own.", "", "What would you automate first?", "", "#operations #freight #AcmeCo"]),
    ("2025-02-11 08:05:00", [
        "Nobody reads the carrier handbook. 📚", "", "So we stopped sending it.", "", "Now every question gets one clear answer.",
        "With the page it came from.", "", "Do your carriers read yours?", "", "#carriers #onboarding #AcmeCo"]),
    ("2025-02-25 08:15:00", [
        "1 checklist. 12 steps. ✅", "", "Every new carrier follows the same path.", "", "No guessing.", "No chasing.", "",
        "What is on your checklist?", "", "#onboarding #logistics #AcmeCo"]),
    ("2025-03-04 08:00:00", [
        "Speed is a feature. ⚡", "", "For carriers, speed means getting paid on time.", "", "We fixed our invoices first.",
        "Everything else second.", "", "What did you fix first?", "", "#freight #payments #AcmeCo"]),
    ("2025-03-12 16:30:00", [
        "We asked 50 carriers what they hate. 🗣️", "", "Top answer: waiting.", "", "Waiting for documents.",
        "Waiting for answers.", "", "What do your carriers wait for?", "", "#carriers #logistics #AcmeCo"]),
    ("2025-03-18 08:10:00", [
        "Good docs beat long calls. 📞", "", "Every call we skip is an hour back.", "", "For us and for the carrier.", "",
        "When did you last shorten a call?", "", "#operations #onboarding #AcmeCo"]),
    ("2025-04-01 08:05:00", [
        "Onboarding is a promise. 🤞", "", "Keep it short.", "Keep it clear.", "Keep it.", "",
        "What promise does your onboarding make?", "", "#onboarding #freight #AcmeCo"]),
]

ACME_CASE_STUDY = """# How Acme & Co cut carrier onboarding from 41 to 12 days

Acme & Co is a freight broker that works with 300 trucking carriers across the Midwest.

## The challenge
New carriers were onboarded by hand, over email and spreadsheets. Each one took 41 days to go live, and carrier questions waited a week for an answer.

## What they did
Acme & Co moved carrier paperwork into one shared checklist and answered carrier questions from its own documents with Grounded.

## Results
Acme & Co cut carrier onboarding from 41 days to 12 days.
Carrier questions answered the same day rose from 30% to 85%.

“Our carriers stopped waiting on us. Now we are the ones waiting on them.”

— Dana Whitfield, VP Operations, Acme & Co
""".encode()

GLOBEX_CASE_STUDY = b"""# Globex customer story

## The problem
Globex answered 2,000 support tickets a month from a shared inbox, and new agents needed 6 weeks to learn the product.

## Results
Globex cut first-response time from 9 hours to 45 minutes.
New agents now reach full speed in 2 weeks instead of 6 weeks.

"Our agents finally trust the answers they send," says Priya Natarajan, Head of Support at Globex.
"""

BRAND_GUIDE_MD = b"""# Acme & Co brand style guide

How we sound: plain, warm, specific. This is our tone of voice.

## Words
Plain words win. Swap these:

| Avoid | Use instead |
| --- | --- |
| leverage | use |
| utilize | use |
| synergy | teamwork |
| game-changer | big step |

## Social posts
- No more than two emoji per post.
- Use at most three hashtags.
- Always end with #AcmeCo.
- Write numbers as digits.
- Headlines in sentence case.
"""


def brand_guide_docx() -> bytes:
    """The same style guide as a Word document (a table of words, then the post rules as a list)."""
    import docx

    d = docx.Document()
    d.add_heading("Acme & Co brand style guide", 0)
    d.add_paragraph("How we sound: plain, warm, specific. This is our tone of voice.")
    d.add_heading("Words", 1)
    d.add_paragraph("Plain words win. Swap these:")
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Avoid", "Use instead"
    for avoid, use in (("leverage", "use"), ("utilize", "use"), ("synergy", "teamwork"), ("game-changer", "big step")):
        row = table.add_row()
        row.cells[0].text, row.cells[1].text = avoid, use
    d.add_heading("Social posts", 1)
    for rule in ("No more than two emoji per post.", "Use at most three hashtags.", "Always end with #AcmeCo.",
                 "Write numbers as digits.", "Headlines in sentence case."):
        d.add_paragraph(rule, style="List Bullet")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def ingest_acme(store, folder, workspace: str = "default", guide: bytes | None = None, guide_name: str = "brand-style-guide.docx"):
    """Acme's posts (as LinkedIn's export), its case study, Globex's story and the style guide, in ``workspace``."""
    from rag.ingest.pipeline import ingest_bytes, ingest_paths

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Shares.csv").write_bytes(shares_csv(ACME_POSTS))
    ingest_paths(store, [folder / "Shares.csv"], workspace=workspace)
    ingest_bytes(store, "acme-case-study.md", ACME_CASE_STUDY, workspace=workspace)
    ingest_bytes(store, "globex-customer-story.md", GLOBEX_CASE_STUDY, workspace=workspace)
    ingest_bytes(store, guide_name, guide if guide is not None else brand_guide_docx(), workspace=workspace)


# Brewhouse Coffee: a case study whose brief is overtime. The overtime figures are a table row and a sentence; the
# customer's growth ("from 12 to 46 cafés") is a before/after too, and must not win for an overtime brief.
BREWHOUSE_TABLE = [["Metric", "Before", "After (12 months)"], ["Overtime as a share of hours", "11%", "4%"],
                   ["Shifts swapped by app", "0", "310 a month"]]
BREWHOUSE_LINES = [
    "Brewhouse Coffee grew from 12 to 46 cafés in 4 years.",
    "Rotas were built by hand in spreadsheets every Sunday night.",
    "Brewhouse Coffee rolled out Shiftly scheduling to every café in 2024.",
    "Overtime fell from 11% to 4% of hours after the rollout.",
    "“We stopped guessing the rota. Now the rota tells us.”",
    "— Ana Müller, Head of Operations, Brewhouse Coffee",
]


def brewhouse_pdf() -> bytes:
    return ruled_pdf("Brewhouse Coffee case study", BREWHOUSE_TABLE, BREWHOUSE_LINES)


def brewhouse_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_heading("Brewhouse Coffee case study", 0)
    d.add_paragraph(BREWHOUSE_LINES[0])
    d.add_heading("The challenge", 1)
    d.add_paragraph(BREWHOUSE_LINES[1])
    d.add_heading("Results", 1)
    table = d.add_table(rows=0, cols=3)
    for row in BREWHOUSE_TABLE:
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = value
    for line in BREWHOUSE_LINES[2:]:
        d.add_paragraph(line)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


# Brewhouse's team: every post carries ⏰ (U+23F0) at the end of its first line, 20-30 words, a closing question.
BREWHOUSE_POSTS = [
    ("2025-03-04 08:30:00", ["Sunday nights are for rest. ⏰", "", "Not for rotas.", "", "We moved the rota to the app.",
                             "", "Who builds your rota?", "", "#hospitality #scheduling #Brewhouse"]),
    ("2025-03-11 08:30:00", ["Every café opens at 7. ⏰", "", "Every shift is covered.", "", "No group chat needed.", "",
                             "How do you cover a sick day?", "", "#hospitality #cafés #Brewhouse"]),
    ("2025-03-18 08:30:00", ["Baristas swap shifts in one tap. ⏰", "", "Managers approve in two.", "",
                             "How long does a swap take you?", "", "#scheduling #teams #Brewhouse"]),
    ("2025-03-25 08:30:00", ["Overtime is a rota problem. ⏰", "", "Fix the rota.", "Keep the evenings.", "",
                             "How do you keep overtime down?", "", "#scheduling #hospitality #Brewhouse"]),
    ("2025-04-01 08:30:00", ["Busy Saturday? ⏰", "", "The rota saw it coming.", "", "Two more baristas from 9.", "",
                             "What does your busiest hour look like?", "", "#cafés #scheduling #Brewhouse"]),
    ("2025-04-08 08:30:00", ["New café, same rota. ⏰", "", "Opening day ran like week ten.", "",
                             "What do you set up first?", "", "#hospitality #growth #Brewhouse"]),
    ("2025-04-15 08:35:00", ["Fair rotas keep people. ⏰", "", "Everyone sees the same plan.", "", "Nobody gets every close.",
                             "", "How do you share the late shifts?", "", "#teams #hospitality #Brewhouse"]),
    ("2025-04-22 08:30:00", ["Less overtime, more evenings. ⏰", "", "That is the whole idea.", "",
                             "What would you do with your evenings?", "", "#scheduling #teams #Brewhouse"]),
]


def ingest_brewhouse(store, folder, workspace: str = "default", as_docx: bool = False):
    """Brewhouse's posts and its case study (PDF, or Word with the row in a Word table)."""
    from rag.ingest.pipeline import ingest_bytes, ingest_paths

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Shares.csv").write_bytes(shares_csv(BREWHOUSE_POSTS))
    ingest_paths(store, [folder / "Shares.csv"], workspace=workspace)
    if as_docx:
        ingest_bytes(store, "brewhouse-case-study.docx", brewhouse_docx(), workspace=workspace)
    else:
        ingest_bytes(store, "brewhouse-case-study.pdf", brewhouse_pdf(), workspace=workspace)
