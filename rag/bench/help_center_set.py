"""A product's help center and the questions its users ask of it, made in code: a ranking set for tuning.

Forty articles of a made-up scheduling and client-messaging product,
"Tidewater", written as help centers are: a title, short sections with
their own headings, numbered steps, plan limits, and neighbours that are
easy to confuse (export a report / export all data, cancel / downgrade /
pause, reset a password / change an email, two-factor / single sign-on).
Each question names the article(s) that answer it; most are worded as users
word them, not as the article is (fewer shared words than a search engine
would like), some quote the product's own terms.

Pages are rendered as a crawled help center serves them (``<title>``, an
``<h1>`` title, ``<h2>`` sections) and read by the product's HTML parser, so
titles and headings reach the index as they would in the app. Used by
``grounded bench retrieval --help-center`` to tune ranking beside SciFact's
train split; questions are split in two halves by a fixed rule
(:func:`halves`) so a choice tuned on one half can be checked on the other.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

Section = tuple[str | None, list[str]]  # a heading (None: the opening) and its paragraphs; "1. " starts a step


@dataclass(frozen=True)
class Article:
    key: str
    category: str
    title: str
    sections: tuple[Section, ...]


def _a(key: str, category: str, title: str, *sections: Section) -> Article:
    return Article(key, category, title, sections)


ARTICLES = (
    _a("create-account", "Getting started", "Create your Tidewater account",
       (None, ["Sign up at tidewater.app with your work email or with Google. We send a six-digit code to confirm the address; it expires after 15 minutes."]),
       ("Choose a workspace name", ["Your workspace name appears on booking pages and in emails to clients. You can change it later under Settings > Workspace."]),
       ("Trial", ["Every new workspace starts a 14-day free trial of the Team plan. No card is needed until the trial ends."])),
    _a("invite-teammates", "Getting started", "Invite teammates to your workspace",
       (None, ["Admins and owners can invite people by email. Invitations stay valid for 7 days."]),
       ("Send an invitation", ["1. Open Settings > Members.", "2. Click Invite and enter one or more email addresses.", "3. Pick a role: Member, Admin or Viewer.", "4. Click Send invitations."]),
       ("Seats", ["Each accepted invitation uses a seat. Viewers are free and do not use a seat."])),
    _a("roles", "Account and security", "Roles and permissions",
       (None, ["Tidewater has four roles: Owner, Admin, Member and Viewer."]),
       ("What each role can do", ["Owners manage billing and can delete the workspace. Admins manage members, integrations and booking pages. Members manage their own calendar, bookings and client conversations. Viewers can see schedules and reports but cannot change anything."]),
       ("Change someone's role", ["Open Settings > Members, click the person's name and choose a new role. Only an owner can make someone else an owner."])),
    _a("reset-password", "Account and security", "Reset a forgotten password",
       (None, ["If you can't sign in, click Forgot password on the sign-in page and enter your email address. The reset link works once and expires after one hour."]),
       ("No email arrived", ["Check your spam folder and that you typed the address you signed up with. Accounts created with Google sign-in have no Tidewater password: use Continue with Google instead."])),
    _a("change-email", "Account and security", "Change the email address on your account",
       (None, ["Go to Profile > Account and click Change next to your email. We send a confirmation link to the new address; the change takes effect when you open it."]),
       ("Bookings and notifications", ["Booking confirmations and reminders go to the new address from then on. Past conversations keep the address they were sent from."])),
    _a("two-factor", "Account and security", "Turn on two-factor authentication",
       (None, ["Two-factor authentication (2FA) asks for a code from an authenticator app each time you sign in on a new device."]),
       ("Set it up", ["1. Open Profile > Security.", "2. Click Enable 2FA and scan the QR code with an app such as Google Authenticator or 1Password.", "3. Enter the six-digit code to confirm.", "4. Save your ten recovery codes somewhere safe."]),
       ("Require it for everyone", ["On the Business plan, admins can require 2FA for every member under Settings > Security."])),
    _a("lost-2fa", "Account and security", "Lost access to your authenticator app",
       (None, ["Sign in with one of the recovery codes you saved when you turned on 2FA. Each code works once."]),
       ("No recovery codes", ["Ask a workspace admin to reset your 2FA under Settings > Members. If you are the only owner, contact support from the email address on the account; we verify ownership before resetting it, which takes up to two business days."])),
    _a("sso", "Account and security", "Set up single sign-on (SAML)",
       (None, ["Single sign-on lets your team sign in through your identity provider, such as Okta, Azure AD or Google Workspace. It is part of the Business plan."]),
       ("Configure SAML", ["1. In Settings > Security, click Configure SSO and copy the ACS URL and entity ID.", "2. Create a SAML app in your identity provider with those values.", "3. Paste the provider's metadata URL back into Tidewater.", "4. Test with your own account before enforcing SSO for everyone."]),
       ("Provisioning", ["SCIM provisioning creates and removes members automatically when they join or leave your directory."])),
    _a("plans", "Billing", "Plans and pricing",
       (None, ["Prices are per seat, billed monthly or annually. Annual billing saves 20%."]),
       ("Plans", ["Starter costs $12 per seat a month: one booking page per person, email reminders, 2 calendar connections. Team costs $24: unlimited booking pages, SMS reminders, round-robin scheduling, the Salesforce and HubSpot integrations. Business costs $39: SSO, SCIM, required 2FA, audit log, a 99.9% uptime commitment."]),
       ("Free plan", ["The Free plan has one user, one booking page and Tidewater branding on pages and emails."])),
    _a("change-plan", "Billing", "Upgrade or downgrade your plan",
       (None, ["Owners can change the plan under Settings > Billing > Change plan."]),
       ("Upgrading", ["An upgrade starts right away; you pay the difference for the rest of the billing period."]),
       ("Downgrading", ["A downgrade takes effect at the end of the current period. Features of the higher plan stop then: for example, SMS reminders stop when you move from Team to Starter, and extra booking pages are unpublished, not deleted."])),
    _a("cancel", "Billing", "Cancel your subscription",
       (None, ["Owners can cancel under Settings > Billing > Cancel subscription. You keep access until the end of the period you paid for; we don't refund partial months."]),
       ("What happens to your data", ["After cancelling, the workspace moves to the Free plan. Your data is kept for 90 days, then bookings older than a year and conversation history are deleted. Export it first if you need it."])),
    _a("pause", "Billing", "Pause your subscription",
       (None, ["If your business is seasonal you can pause billing for one to three months instead of cancelling, once per year."]),
       ("While paused", ["Booking pages show as unavailable, reminders stop, and your data and settings are kept exactly as they are. Billing restarts automatically on the date you chose."])),
    _a("invoices", "Billing", "Download invoices and update billing details",
       (None, ["Invoices are emailed to the billing contact and listed under Settings > Billing > Invoices as PDF files."]),
       ("Company details and VAT", ["Add your company name, address and VAT number under Billing details; they appear on every invoice issued after the change. We can't edit invoices that were already issued."])),
    _a("payment-failed", "Billing", "A payment failed",
       (None, ["When a card payment fails we retry it after 3, 5 and 7 days and email the owner each time."]),
       ("Update your card", ["Go to Settings > Billing > Payment method and add a new card; the open invoice is charged at once."]),
       ("If all retries fail", ["The workspace becomes read-only: booking pages stay online but nobody can change settings until the invoice is paid."])),
    _a("connect-calendar", "Calendars", "Connect your calendar",
       (None, ["Tidewater reads your busy times so clients can only book when you're free, and adds each booking to your calendar."]),
       ("Supported calendars", ["Google Calendar, Microsoft Outlook and Office 365, Exchange 2016 or later, and iCloud. Starter connects 2 calendars per person; Team and Business connect up to 6."]),
       ("Connect", ["1. Open Profile > Calendars.", "2. Click Add calendar and sign in with the provider.", "3. Choose which calendars to check for conflicts and which one receives new bookings."])),
    _a("double-booking", "Calendars", "Why was I double-booked?",
       (None, ["Double bookings almost always mean a calendar isn't being checked for conflicts."]),
       ("Things to check", ["Make sure every calendar you use is connected and ticked under Check for conflicts. Events marked Free or All day in your calendar don't block time by default. Calendar sync can lag by up to two minutes, so two clients booking the same slot within seconds may both succeed; turn on Hold slot during checkout to prevent that."])),
    _a("sync-delay", "Calendars", "Calendar changes don't show up",
       (None, ["Changes in your calendar usually reach Tidewater within two minutes."]),
       ("Reconnect", ["If a calendar shows the status Needs attention, the provider revoked our access (often after a password change). Open Profile > Calendars and click Reconnect."])),
    _a("booking-page", "Booking pages", "Create a booking page",
       (None, ["A booking page is the link clients use to book time with you or your team."]),
       ("Create one", ["1. Click New booking page.", "2. Set the meeting length, location (video, phone or an address) and the hours you're available.", "3. Add questions clients answer when they book.", "4. Publish and share the link."]),
       ("Limits", ["Free and Starter include one booking page per person; Team and Business have no limit."])),
    _a("buffer-times", "Booking pages", "Add buffer time and minimum notice",
       (None, ["Buffer time keeps a gap before or after each meeting, so back-to-back bookings can't happen."]),
       ("Settings", ["On a booking page, open Availability. Before and after buffers go up to 2 hours. Minimum notice stops clients from booking too close to the start time, for example no bookings within the next 4 hours. Daily limit caps how many meetings of this type can be booked per day."])),
    _a("round-robin", "Booking pages", "Share bookings across a team (round-robin)",
       (None, ["A round-robin page assigns each booking to one member of a team, so clients see everyone's availability on one page."]),
       ("How members are picked", ["Choose Equal distribution to balance the number of meetings, or Priority to prefer some members and fall back to others. Members who are away (an all-day Out of office event) are skipped. Round-robin is available on Team and Business."])),
    _a("custom-domain", "Booking pages", "Use your own domain for booking pages",
       (None, ["On Team and Business you can serve booking pages from a subdomain you own, such as book.example.com."]),
       ("DNS", ["Add a CNAME record pointing your subdomain to pages.tidewater.app, then enter it under Settings > Branding > Custom domain. We issue the TLS certificate automatically; it can take up to an hour."])),
    _a("branding", "Booking pages", "Add your logo and colours",
       (None, ["Upload a logo (PNG or SVG, up to 2 MB) and pick a brand colour under Settings > Branding. They are used on booking pages, emails and reminders."]),
       ("Remove Tidewater branding", ["The Powered by Tidewater badge is removed on every paid plan."])),
    _a("reminders", "Reminders and messages", "Set up email and SMS reminders",
       (None, ["Reminders cut no-shows. Each booking page can send up to three reminders before a meeting."]),
       ("Email and SMS", ["Email reminders are on every plan. SMS reminders need the Team plan or higher and go to the phone number the client gives when booking; each plan includes 500 SMS per seat each month, then 4 cents per message."]),
       ("Edit the text", ["Open the booking page, then Reminders, and edit the template. Placeholders such as {client_name} and {start_time} are filled in when the reminder is sent."])),
    _a("no-shows", "Reminders and messages", "Reduce no-shows with deposits",
       (None, ["Ask clients to pay a deposit or the full price when they book, through Stripe."]),
       ("Cancellation policy", ["Set how late clients may cancel for a refund, for example up to 24 hours before. Later cancellations and no-shows keep the deposit."])),
    _a("inbox", "Reminders and messages", "Reply to clients from the shared inbox",
       (None, ["Replies to confirmations and reminders land in the shared inbox, grouped by client."]),
       ("Assign and close", ["Assign a conversation to a teammate, add internal notes clients never see, and close it when it's done. Closed conversations reopen when the client writes again."])),
    _a("email-delivery", "Reminders and messages", "Clients don't receive our emails",
       (None, ["Most delivery problems come from spam filters."]),
       ("Send from your own domain", ["Under Settings > Email, add the SPF and DKIM records we show to your domain's DNS so emails are sent as your domain instead of tidewater.app. Until they verify, emails come from notifications@tidewater.app."]),
       ("Check the activity log", ["Every message has a delivery status in the booking's activity log: delivered, bounced or marked as spam."])),
    _a("payments", "Payments", "Take payments with Stripe",
       (None, ["Connect a Stripe account under Settings > Payments to charge clients when they book. Tidewater adds no fee on top of Stripe's."]),
       ("Currencies and refunds", ["Prices can be in any currency Stripe supports. Refunds are made from the booking's page and reach the client in 5 to 10 business days."])),
    _a("salesforce", "Integrations", "Connect Salesforce",
       (None, ["The Salesforce integration creates or updates a contact for each new booking and logs the meeting as an event. It needs the Team plan or higher and a Salesforce edition with API access (Enterprise, Unlimited or Developer)."]),
       ("Map fields", ["Under Integrations > Salesforce > Field mapping, choose which booking questions fill which Salesforce fields."])),
    _a("hubspot", "Integrations", "Connect HubSpot",
       (None, ["Each booking creates a HubSpot contact if none exists and adds the meeting to its timeline. Available on Team and Business."]),
       ("Owners", ["Turn on Assign contact owner to make the member who took the meeting the contact's owner in HubSpot."])),
    _a("zapier", "Integrations", "Automate with Zapier and webhooks",
       (None, ["Zapier connects Tidewater to thousands of apps without code: triggers for booking created, rescheduled and cancelled."]),
       ("Webhooks", ["Developers can subscribe to the same events with webhooks under Settings > Developers. Each request is signed with a secret in the X-Tidewater-Signature header; failed deliveries are retried for 24 hours."])),
    _a("api", "Integrations", "Use the Tidewater API",
       (None, ["The REST API reads and creates bookings, booking pages and clients. Create an API key under Settings > Developers; keys carry the permissions of the member who made them."]),
       ("Limits", ["Requests are limited to 120 per minute per key. Responses over the limit return status 429 with a Retry-After header."])),
    _a("video", "Integrations", "Add Zoom or Google Meet links automatically",
       (None, ["Connect Zoom under Integrations, or use Google Meet with a connected Google Calendar. Each booking then gets its own meeting link, sent in the confirmation and reminders."])),
    _a("reports", "Reports", "Understand your booking reports",
       (None, ["Reports show bookings, cancellations, no-shows and revenue per booking page and per member, for any date range."]),
       ("Export a report", ["Click Export on any report to download it as a CSV file. Exports include only the columns and date range on screen."])),
    _a("export-data", "Reports", "Export all your workspace data",
       (None, ["Owners can download everything in the workspace: clients, bookings, conversations and settings."]),
       ("Request an export", ["Open Settings > Data > Export workspace. We prepare a ZIP of CSV and JSON files and email a download link, valid for 7 days. Large workspaces can take a few hours."])),
    _a("import-clients", "Reports", "Import clients from a spreadsheet",
       (None, ["Bring your client list from another tool with a CSV file: name, email, phone and any custom fields."]),
       ("Import", ["1. Open Clients > Import.", "2. Upload the CSV and match its columns to client fields.", "3. Choose what to do with duplicates (same email): skip or update.", "Imports are limited to 50,000 rows per file."])),
    _a("delete-client", "Privacy", "Delete a client's data (GDPR)",
       (None, ["When a client asks to be forgotten, open their profile and click Delete client. Their bookings, messages and payments details are removed within 30 days, including from backups."]),
       ("Data processing agreement", ["Our DPA is signed automatically when you accept the terms; download it under Settings > Data."])),
    _a("data-location", "Privacy", "Where your data is stored",
       (None, ["Workspaces created in the EU are hosted in Frankfurt; all others in Virginia, USA. Data is encrypted in transit and at rest."]),
       ("Move a workspace", ["Moving an existing workspace between regions is possible on the Business plan; contact support to schedule it."])),
    _a("mobile-app", "Apps", "Use the iPhone and Android apps",
       (None, ["The Tidewater apps show your schedule, let you reply to clients and send push notifications for new bookings. They need iOS 16 or Android 10 or later."]),
       ("Offline", ["Your schedule for the next 7 days is available offline; replies are sent when you're back online."])),
    _a("notifications", "Apps", "Choose which notifications you get",
       (None, ["Under Profile > Notifications, pick email, push or both for new bookings, cancellations, reschedules and client replies."]),
       ("Daily summary", ["Turn on Daily agenda to get one email at 7 am with the day's meetings instead of one per booking."])),
    _a("delete-workspace", "Account and security", "Delete your workspace",
       (None, ["Only the owner can delete a workspace, under Settings > Workspace > Delete. Cancel any paid subscription first."]),
       ("It can't be undone", ["Deletion removes every member's access, booking page and record at once and permanently after 14 days. Export your data before deleting if you may need it."])),
)


def _question(text: str, *keys: str) -> tuple[str, tuple[str, ...]]:
    return text, keys


QUESTIONS = (
    _question("how long is the free trial and do I need a credit card", "create-account"),
    _question("the confirmation code from sign up stopped working", "create-account"),
    _question("how do I add my colleagues to tidewater", "invite-teammates"),
    _question("do read-only users count towards our seats", "invite-teammates", "roles"),
    _question("who is allowed to manage billing", "roles"),
    _question("make a coworker an administrator", "roles"),
    _question("I forgot my password and can't log in", "reset-password"),
    _question("password reset link says it expired", "reset-password"),
    _question("I signed up with Google, why can't I set a password", "reset-password"),
    _question("update my login email", "change-email"),
    _question("will reminders go to my new address", "change-email"),
    _question("enable 2FA on my account", "two-factor"),
    _question("can we force all staff to use an authenticator app", "two-factor"),
    _question("I got a new phone and lost my authenticator codes", "lost-2fa"),
    _question("recovery code for two step verification", "lost-2fa", "two-factor"),
    _question("login with Okta", "sso"),
    _question("automatically remove people from tidewater when they leave the company", "sso"),
    _question("how much does it cost per user", "plans"),
    _question("which plan do I need for text message reminders", "plans", "reminders"),
    _question("is there a discount for paying yearly", "plans"),
    _question("what happens to my extra booking pages if I move to a cheaper plan", "change-plan"),
    _question("when does an upgrade take effect and how is it charged", "change-plan"),
    _question("stop my subscription and get a refund", "cancel"),
    _question("how long do you keep my data after I cancel", "cancel"),
    _question("our studio closes for the winter, can we stop paying for a few months", "pause"),
    _question("put my account on hold", "pause"),
    _question("add our VAT number to invoices", "invoices"),
    _question("where can I download past receipts", "invoices"),
    _question("my card was declined", "payment-failed"),
    _question("why can't anyone change settings, the workspace is read only", "payment-failed"),
    _question("sync with Outlook", "connect-calendar"),
    _question("how many calendars can I link on the starter plan", "connect-calendar"),
    _question("two clients booked the same time slot", "double-booking"),
    _question("all-day events don't block my availability", "double-booking"),
    _question("calendar says needs attention", "sync-delay"),
    _question("new events in google calendar are not showing in tidewater", "sync-delay"),
    _question("make a scheduling link for clients", "booking-page"),
    _question("ask clients questions when they book", "booking-page"),
    _question("stop people booking me at the last minute", "buffer-times"),
    _question("leave 15 minutes between appointments", "buffer-times"),
    _question("limit how many meetings can be booked per day", "buffer-times"),
    _question("distribute meetings evenly among sales reps", "round-robin"),
    _question("skip a team member who is on vacation", "round-robin"),
    _question("host booking pages on book.mycompany.com", "custom-domain"),
    _question("CNAME record", "custom-domain"),
    _question("remove powered by tidewater", "branding"),
    _question("upload our company logo", "branding"),
    _question("how many text messages are included", "reminders"),
    _question("personalise the reminder email with the client's name", "reminders"),
    _question("charge a deposit so people actually show up", "no-shows"),
    _question("keep the payment if a client cancels late", "no-shows"),
    _question("assign a client conversation to a teammate", "inbox"),
    _question("where do client replies to reminders go", "inbox"),
    _question("our confirmation emails end up in spam", "email-delivery"),
    _question("send emails from our own domain with DKIM", "email-delivery"),
    _question("did the client get the reminder email", "email-delivery"),
    _question("accept card payments when clients book", "payments"),
    _question("how long does a refund take", "payments"),
    _question("does tidewater take a commission on payments", "payments"),
    _question("log meetings in our CRM as events", "salesforce"),
    _question("Salesforce Professional edition", "salesforce"),
    _question("create HubSpot contacts from bookings", "hubspot"),
    _question("verify webhook signatures", "zapier"),
    _question("trigger an automation when a booking is cancelled", "zapier"),
    _question("API rate limit", "api"),
    _question("got error 429 from the API", "api"),
    _question("generate an API token", "api"),
    _question("automatic zoom link for each appointment", "video"),
    _question("how many no-shows did each staff member have last month", "reports"),
    _question("download a report as a spreadsheet", "reports"),
    _question("get a full backup of everything in our account", "export-data"),
    _question("bring my customer list over from another booking tool", "import-clients"),
    _question("what happens to duplicate emails when importing", "import-clients"),
    _question("a customer asked us to erase all their information", "delete-client"),
    _question("where can I get your DPA", "delete-client"),
    _question("are you hosted in Europe", "data-location"),
    _question("is my data encrypted", "data-location"),
    _question("does the android app work without internet", "mobile-app"),
    _question("minimum iOS version", "mobile-app"),
    _question("too many emails, I only want one summary each morning", "notifications"),
    _question("turn off push notifications for cancellations", "notifications"),
    _question("permanently close our tidewater account", "delete-workspace", "cancel"),
)


def article_html(article: Article) -> str:
    """The article as a crawled help center page: ``<title>``, an ``<h1>`` title, ``<h2>`` sections, lists for steps."""
    body = []
    for heading, paragraphs in article.sections:
        if heading:
            body.append(f"<h2>{html.escape(heading)}</h2>")
        steps = [p for p in paragraphs if p[:1].isdigit() and p[1:3] == ". "]
        for p in paragraphs:
            if p not in steps:
                body.append(f"<p>{html.escape(p)}</p>")
        if steps:
            body.append("<ol>" + "".join(f"<li>{html.escape(p[3:])}</li>" for p in steps) + "</ol>")
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(article.title)}"
            f" – Tidewater Help Center</title></head><body><main><article><h1>{html.escape(article.title)}</h1>"
            f"{''.join(body)}</article></main></body></html>")


def halves(questions=QUESTIONS) -> tuple[list, list]:
    """Questions split by a fixed rule (alternating): tune on one half, check on the other."""
    return list(questions[0::2]), list(questions[1::2])
