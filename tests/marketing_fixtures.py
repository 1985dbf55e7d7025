"""Fixture documents for the marketing workflows, built on the fly.

A LinkedIn "Shares.csv" written the way LinkedIn's data export writes it
(each line of a multi-line post wrapped in quotes, inner quotes doubled),
case studies, two product-launch notes that disagree on a price, a ZIP of
help-center pages, and re-exports of one document with small edits.
"""

from __future__ import annotations

import csv
import io

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
