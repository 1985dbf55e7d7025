"""Five companies' documents in every format we read, and questions of every shape, made in code.

For issue 22's measure: does the answer take the shape the question asks for
(a list with its items, two values side by side, a quote with its speaker, a
summary of key points, a table row, a before/after figure, a follow-up that
swaps the whole entity, a date and a place, steps), whatever the format the
answer is in, and does it decline what the documents never say?

Each company brings one document per format, in its own layout and voice
(the first three nine, the last two eleven: they add a CSV and a LinkedIn
posts export, and questions about a change over time):

- a price list as a spreadsheet with a title row above the header and a
  second sheet of add-ons (``xlsx``);
- a two-page PDF case study whose results table continues on page 2 (``pdf``);
- a Word case study with a table beside its text and a quote (``docx``);
- a webinar transcript (``transcript``: WebVTT, "Name: text", SRT);
- an e-mail newsletter with an event's date and place (``eml``);
- a launch deck (``pptx``);
- a help-center page with its site's chrome (``help-html``: breadcrumbs,
  "Related articles", "Was this helpful?", a "Tip:" line);
- a page with a list introduced by a sentence (``list-page``: Markdown or HTML);
- a style guide written as prose (``style-guide``: Markdown, Word, plain text,
  a wiki page) or as a "write / not" table;
- a CSV table with a title row above its header, comma or semicolon separated
  (``csv``);
- a LinkedIn posts export (``linkedin``: LinkedIn's own ``Shares.csv`` or
  another exporter's columns) whose posts give a figure over time.

Each question lists its key facts (what a right answer states), the document
that holds them and its shape (``type``). ``answerable=False`` marks questions
the documents never answer, some sharing a word with a document ("Can X split
tips?" beside a "Tip: ..." line): the right behaviour is to decline or flag.
Follow-ups carry the turn they follow.

**Held out:** ``snelvers`` (:data:`HELD_OUT`) was chosen before its documents
were written, written whole before anything was run on it, and is never used to
tune the answer rules (rag/answer, rag/parse): its figures are reported apart
from the tuned companies'. Reading its failures to change a rule defeats the
split; fix the class on the tuning companies (Sentrel is the one written with
it, in other layouts) and read Snelvers as the check. Fieldfare was the held-out
company before; its failures were read and fixed, so it counts as tuned now.

Used by ``grounded bench qa --shapes`` (rag/bench/shapes.py) and by the tests.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from .documents import make_pdf

HELD_OUT = "snelvers"  # decided before its documents were written and before any run; never tune rag/answer on it

TYPES = ("list", "comparison", "person", "summary", "table", "before-after", "follow-up", "date-place", "how-to",
         "change", "uncovered")
FORMATS = ("xlsx", "csv", "pdf", "docx", "transcript", "eml", "pptx", "help-html", "list-page", "style-guide", "linkedin")
# Kelpie, Northbeam and Fieldfare were written before the CSV, LinkedIn and change-over-time items; they have the rest.
FIRST_FORMATS = tuple(f for f in FORMATS if f not in ("csv", "linkedin"))
FIRST_TYPES = tuple(t for t in TYPES if t != "change")


@dataclass(frozen=True)
class Document:
    name: str  # the file name as uploaded (a path inside the company's folder)
    format: str  # one of FORMATS
    make: Callable[[], bytes]


@dataclass(frozen=True)
class ShapeQuestion:
    id: str
    question: str
    type: str  # one of TYPES
    source: str | None  # the document holding the answer (for an uncovered question: the one sharing a word, if any)
    facts: tuple[str, ...] = ()  # what a right answer states
    answerable: bool = True
    after: tuple[str, str] | None = None  # (question, answer) of the turn this follows up
    not_facts: tuple[str, ...] = ()  # what it must not state instead (the wrong side of a before/after)


@dataclass(frozen=True)
class Company:
    key: str
    name: str
    industry: str
    documents: tuple[Document, ...]
    questions: tuple[ShapeQuestion, ...]

    @property
    def held_out(self) -> bool:
        return self.key == HELD_OUT

    def format_of(self, name: str | None) -> str | None:
        return next((d.format for d in self.documents if d.name == name), None)

    def write(self, folder: Path) -> Path:
        """Write the company's documents under ``folder``; returns it."""
        for doc in self.documents:
            path = folder / doc.name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(doc.make())
        return folder


Q = ShapeQuestion


# --- makers shared by the companies ---------------------------------------------------------------------------


def _xlsx(sheets: list[tuple[str, list[tuple[int, int, list]]]], money: str, merged: list[tuple[int, int, int]] = ()) -> bytes:
    """A workbook: per sheet its name and blocks (first row, first column, rows); money cells get ``money``'s format.

    A cell value given as ``("money", 129)`` is a number shown as money. ``merged``: (sheet index, row, columns) merges.
    """
    import openpyxl

    wb = openpyxl.Workbook()
    for n, (title, blocks) in enumerate(sheets):
        ws = wb.active if n == 0 else wb.create_sheet()
        ws.title = title
        for top, left, rows in blocks:
            for i, row in enumerate(rows):
                for j, value in enumerate(row):
                    if value is None:
                        continue
                    if isinstance(value, tuple):
                        cell = ws.cell(top + i, left + j, value[1])
                        cell.number_format = money
                    else:
                        ws.cell(top + i, left + j, value)
    for sheet, row, columns in merged:
        ws = wb.worksheets[sheet]
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=1 + columns)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _docx(title: str, blocks: list[tuple[str, object]], merged_title: str | None = None) -> bytes:
    """A Word file from blocks: ("h1"|"h2"|"p"|"bullet", text) or ("table", rows); ``merged_title`` tops the table."""
    import docx

    d = docx.Document()
    d.core_properties.title = title
    for kind, value in blocks:
        if kind == "h1":
            d.add_heading(value, level=1)
        elif kind == "h2":
            d.add_heading(value, level=2)
        elif kind == "bullet":
            d.add_paragraph(value, style="List Bullet")
        elif kind == "table":
            rows = list(value)
            table = d.add_table(rows=0, cols=len(rows[0]))
            table.style = "Table Grid"
            if merged_title:
                cells = table.add_row().cells
                cells[0].merge(cells[-1])
                cells[0].text = merged_title
            for row in rows:
                for cell, text in zip(table.add_row().cells, row):
                    cell.text = text
        else:
            d.add_paragraph(value)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _pptx(slides: list[tuple[str, list[str]]]) -> bytes:
    """A deck: a title slide, then "Title and Content" slides with their bullets."""
    from pptx import Presentation

    deck = Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[0])
    first.shapes.title.text = slides[0][0]
    first.placeholders[1].text = slides[0][1][0] if slides[0][1] else ""
    for title, bullets in slides[1:]:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        body = slide.placeholders[1].text_frame
        body.text = bullets[0]
        for item in bullets[1:]:
            body.add_paragraph().text = item
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def _eml(sender: str, subject: str, sent: datetime, text: str, html: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "customers@list.example"
    message["Date"] = format_datetime(sent)
    message["Subject"] = subject
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return bytes(message)


def _text(value: str) -> Callable[[], bytes]:
    return lambda: value.encode("utf-8")


def _links(items: list[str]) -> str:
    return "".join(f"<li><a href='/articles/{n}'>{t}</a></li>" for n, t in enumerate(items, 1))


# --- Kelpie: onboarding software for HR teams; friendly, casual voice ------------------------------------------


def _kelpie_prices() -> bytes:
    usd = '"$"#,##0'
    plans = [["Kelpie price list 2026 (USD, excluding VAT)"],
             ["Plan", "Employees included", "Price per month", "Onboarding flows", "Support"],
             ["Starter", 25, ("money", 39), 3, "Email"],
             ["Growth", 100, ("money", 129), 20, "Email and chat"],
             ["Enterprise", 500, ("money", 449), "Unlimited", "Dedicated success manager"],
             [],
             ["Pay annually and save 15% on every plan."]]
    addons = [["Add-on", "Price", "Billed"],
              ["Background checks", ("money", 12), "per check"],
              ["E-signature pack", ("money", 25), "per month"],
              ["Extra employee", ("money", 2), "per employee per month"]]
    return _xlsx([("Plans", [(1, 1, plans)]), ("Add-ons", [(1, 1, addons)])], usd)


def _kelpie_harbour_pdf() -> bytes:
    header = ["Metric", "Before Kelpie", "After Kelpie"]
    return make_pdf([
        [
            "Customer story - Healthcare - 4 hospitals, 2,300 staff",
            "# Harbour Health gets nurses to their first shift in 6 days",
            "Harbour Health runs four hospitals on the south coast. Every new nurse used to wait weeks",
            "for contracts, checks and uniforms before a first shift. In 2025 the HR team moved its",
            "onboarding to Kelpie.",
            "## Results after six months",
            header,
            ["Time to first shift", "19 days", "6 days"],
            ["Paperwork per hire", "14 forms", "3 forms"],
            ["New-hire drop-outs", "11%", "4%"],
        ],
        [
            ["HR hours per hire", "9 hours", "2 hours"],
            ["New-hire satisfaction", "3.1 out of 5", "4.6 out of 5"],
            ["Checks completed before day one", "62%", "98%"],
            "## In their words",
            "\"We used to lose nurses before their first shift. Now they start in under a week.\"",
            "Marcus Bell, Head of People, Harbour Health",
            "## What's next",
            "Harbour Health will roll Kelpie out to its two new clinics in 2027.",
        ],
    ])


def _kelpie_tandem_docx() -> bytes:
    return _docx("Tandem Bikes onboards seasonal staff in 3 days", [
        ("p", "Customer story · Retail · 40 stores"),
        ("h1", "Tandem Bikes onboards seasonal staff in 3 days"),
        ("p", "Tandem Bikes sells and repairs bikes in 40 stores across the UK. Every spring it hires hundreds of "
              "seasonal mechanics and sales staff, and every spring its store managers drowned in forms."),
        ("h2", "At a glance"),
        ("table", [("Item", "Detail"), ("Industry", "Retail"), ("Stores", "40"), ("Seasonal hires per year", "600"),
                   ("Kelpie plan", "Growth")]),
        ("p", "The table above sums up the project; the story is below."),
        ("h2", "Results"),
        ("p", "Before Kelpie, onboarding a seasonal hire took 12 days. With Kelpie it takes 3 days, and new starters "
              "sign everything on their phones before they arrive."),
        ("h2", "In their words"),
        ("p", "“Our store managers got their Saturdays back. Paperwork now happens before day one, not on the shop floor.”"),
        ("p", "— Priya Nair, Operations Director at Tandem Bikes"),
    ])


KELPIE_VTT = """WEBVTT

1
00:00:01.000 --> 00:00:06.000
<v Lena Ortiz>Hi everyone, I'm Lena Ortiz, Head of Marketing at Kelpie, and I'm your host today.</v>

2
00:00:06.500 --> 00:00:11.000
<v Lena Ortiz>Our guest is Tom Becker, who leads HR at Fennel Foods. Tom, how many people do you hire?</v>

3
00:00:11.500 --> 00:00:16.000
<v Tom Becker>At Fennel Foods we hire about 80 people a month, mostly for our kitchens.</v>

4
00:00:16.500 --> 00:00:23.000
<v Tom Becker>Onboarding used to take three weeks. With Kelpie we cut it to five days, and nobody starts without their food hygiene certificate.</v>

5
00:00:23.500 --> 00:00:28.000
<v Lena Ortiz>That's a huge change. What made the biggest difference?</v>

6
00:00:28.500 --> 00:00:34.000
<v Tom Becker>Reminders. New hires get a nudge for every missing document, so HR stopped chasing people.</v>
"""

KELPIE_EML = """Hi there,

Big news this month: the People Ops Summit is back!

Join us on 14 May 2026 at the Lighthouse Conference Centre in Glasgow. Doors open at 9:00 and the first talk
starts at 9:30. Tickets are free for Kelpie customers.

Also new: 12 onboarding templates for retail and hospitality teams, ready to copy into your account.

See you in Glasgow,
The Kelpie team
"""


def _kelpie_eml() -> bytes:
    return _eml("Lena Ortiz <lena@kelpie.example>", "Kelpie news: the People Ops Summit is back",
                datetime(2026, 3, 2, 8, 15, tzinfo=timezone.utc), KELPIE_EML)


def _kelpie_deck() -> bytes:
    return _pptx([
        ("Kelpie Flows launch", ["Spring 2026 product launch"]),
        ("What's new in Kelpie Flows", ["Drag-and-drop onboarding flows", "Automatic reminders for missing documents",
                                        "Mobile check-in for the first day"]),
        ("Availability", ["Private beta: 3 March 2026", "General availability: 21 April 2026",
                          "Included in the Growth and Enterprise plans"]),
        ("Early results", ["Beta customers cut HR admin time by 38%", "9 in 10 new hires finished their flow before day one"]),
    ])


KELPIE_HELP = f"""<!doctype html><html><head><meta charset="utf-8"><title>Add a new hire – Kelpie Help Center</title></head>
<body><header class="site-header"><a href="/" class="logo">Kelpie Help Center</a>
<form class="search"><input type="search" placeholder="Search articles"></form></header>
<nav aria-label="Breadcrumb"><ol class="breadcrumbs">{_links(["Kelpie Help Center", "People", "Adding people"])}</ol></nav>
<main><article><h1>Add a new hire</h1><div class="article-body">
<p>Add each new hire before their first day, so their onboarding flow can start on time.</p>
<ol><li>Open People in the left menu.</li><li>Click Add new hire.</li>
<li>Enter their name, work email and start date.</li><li>Choose an onboarding flow and click Send invite.</li></ol>
<p>Tip: you can copy the flow of a previous hire to save time.</p>
<p>Need a hand? Email help@kelpie.example and we'll get back to you within one working day.</p>
</div>
<div class="article-votes"><span>Was this article helpful?</span><button>Yes</button><button>No</button>
<small>31 out of 35 found this helpful</small></div>
<section class="related-articles"><h3>Related articles</h3><ul>{_links(["Import people from a spreadsheet",
"Change a start date", "Delete a new hire"])}</ul></section></article></main>
<footer class="site-footer"><p>© 2026 Kelpie Ltd · <a href="/privacy">Privacy</a> · <a href="/terms">Terms</a></p></footer>
</body></html>"""

KELPIE_INTEGRATIONS = """# Integrations and security

Kelpie works with the tools your HR team already uses. Kelpie integrates with the following HR and payroll systems:

- BambooHR
- Personio
- Gusto
- Rippling

All integrations are included in every plan. To connect a system, open Settings > Integrations, choose the system
and click Connect, then sign in with an admin account of that system.

## Security

Your new hires' documents are safe with us. Kelpie holds the following certifications:

- SOC 2 Type II
- ISO 27001
- Cyber Essentials Plus

We renew them every year and share the reports with customers on request.
"""

KELPIE_STYLE = """# How Kelpie sounds

We write like a friendly colleague who has onboarded a hundred people and still remembers their first day. Our
sentences are short and our words are plain. We talk to HR people as equals, never down to them.

We always say "new hire", never "onboardee". Avoid HR jargon too: don't write synergy or leverage, and don't
call people resources. Headings use sentence case, and we write numbers as digits, even when they are small.

Our brand colour is Kelpie Teal (#1A9E8F). Use it for buttons and links, never for long stretches of text.
"""


def kelpie() -> Company:
    prices, harbour, tandem = "kelpie-price-list-2026.xlsx", "kelpie-case-study-harbour-health.pdf", "kelpie-case-study-tandem-bikes.docx"
    webinar, mail, deck = "kelpie-webinar-onboarding.vtt", "kelpie-newsletter-march.eml", "kelpie-flows-launch.pptx"
    help_page, lists, style = "help-center/2041-add-a-new-hire.html", "kelpie-integrations.md", "kelpie-style-guide.md"
    documents = (
        Document(prices, "xlsx", _kelpie_prices),
        Document(harbour, "pdf", _kelpie_harbour_pdf),
        Document(tandem, "docx", _kelpie_tandem_docx),
        Document(webinar, "transcript", _text(KELPIE_VTT)),
        Document(mail, "eml", _kelpie_eml),
        Document(deck, "pptx", _kelpie_deck),
        Document(help_page, "help-html", _text(KELPIE_HELP)),
        Document(lists, "list-page", _text(KELPIE_INTEGRATIONS)),
        Document(style, "style-guide", _text(KELPIE_STYLE)),
    )
    questions = (
        Q("k-list-integrations", "Which HR systems does Kelpie integrate with?", "list", lists,
          ("BambooHR", "Personio", "Gusto", "Rippling")),
        Q("k-list-certs", "Which certifications does Kelpie hold?", "list", lists,
          ("SOC 2 Type II", "ISO 27001", "Cyber Essentials Plus")),
        Q("k-list-features", "Which features does the Kelpie Flows launch include?", "list", deck,
          ("Drag-and-drop", "Automatic reminders", "Mobile check-in")),
        Q("k-list-avoid", "Which words does our style guide tell us to avoid?", "list", style,
          ("onboardee", "synergy", "leverage")),
        Q("k-cmp-employees", "How many employees do the Starter and Growth plans include?", "comparison", prices, ("25", "100")),
        Q("k-cmp-price", "What's the difference in price between the Growth and Enterprise plans?", "comparison", prices,
          ("$129", "$449")),
        Q("k-cmp-addons", "How much do Background checks and the E-signature pack cost?", "comparison", prices, ("$12", "$25")),
        Q("k-person-harbour", "Who is quoted in the Harbour Health case study?", "person", harbour, ("Marcus Bell", "Head of People")),
        Q("k-quote-priya", "What did Priya Nair say about Kelpie?", "person", tandem, ("Saturdays back",)),
        Q("k-quote-tom", "What did Tom Becker say about onboarding at Fennel Foods?", "person", webinar, ("three weeks", "five days")),
        Q("k-person-host", "Who hosted the onboarding webinar?", "person", webinar, ("Lena Ortiz",)),
        Q("k-summary-harbour", "Summarise the Harbour Health case study in three bullet points", "summary", harbour,
          ("19 days", "6 days", "Marcus Bell")),
        Q("k-summary-launch", "Give me an overview of the Kelpie Flows launch in three bullet points", "summary", deck,
          ("21 April 2026", "38%")),
        Q("k-summary-tandem", "Summarise the Tandem Bikes case study", "summary", tandem, ("12 days", "3 days", "Priya Nair")),
        Q("k-table-growth", "How much does the Growth plan cost per month?", "table", prices, ("$129",)),
        Q("k-table-flows", "How many onboarding flows does the Starter plan include?", "table", prices, ("3",)),
        Q("k-table-extra", "How much does an extra employee cost?", "table", prices, ("$2",)),
        Q("k-table-support", "What support comes with the Enterprise plan?", "table", prices, ("Dedicated success manager",)),
        Q("k-ba-dropout", "What was Harbour Health's new-hire drop-out rate before Kelpie?", "before-after", harbour, ("11%",),
          not_facts=("4%",)),
        Q("k-ba-hours", "How many HR hours per hire does Harbour Health spend now?", "before-after", harbour, ("2 hours",),
          not_facts=("9 hours",)),
        Q("k-ba-tandem", "How long did it take to onboard a seasonal hire at Tandem Bikes before and after Kelpie?",
          "before-after", tandem, ("12 days", "3 days")),
        Q("k-fu-enterprise", "and the Enterprise plan?", "follow-up", prices, ("$449",),
          after=("How much does the Growth plan cost per month?", "| Growth | 100 | $129 | 20 | Email and chat | [1]")),
        Q("k-fu-said", "What did he say?", "follow-up", harbour, ("lose nurses",),
          after=("Who is quoted in the Harbour Health case study?", "Marcus Bell, Head of People, Harbour Health [1]")),
        Q("k-fu-esign", "what about the E-signature pack?", "follow-up", prices, ("$25",),
          after=("How much do background checks cost?", "| Background checks | $12 | per check | [1]")),
        Q("k-date-summit", "When and where is the People Ops Summit?", "date-place", mail, ("14 May 2026", "Glasgow")),
        Q("k-date-ga", "When does Kelpie Flows become generally available?", "date-place", deck, ("21 April 2026",)),
        Q("k-date-beta", "When did the Kelpie Flows private beta open?", "date-place", deck, ("3 March 2026",)),
        Q("k-howto-invite", "How do I add a new hire in Kelpie?", "how-to", help_page,
          ("Open People", "Add new hire", "start date", "Send invite")),
        Q("k-howto-connect", "How do I connect Kelpie to BambooHR?", "how-to", lists, ("Settings > Integrations", "Connect")),
        Q("k-un-tips", "Can Kelpie split tips?", "uncovered", help_page, answerable=False),
        Q("k-un-phone", "How do I contact Kelpie support by phone?", "uncovered", help_page, answerable=False),
        Q("k-un-hipaa", "Is Kelpie HIPAA compliant?", "uncovered", lists, answerable=False),
        Q("k-un-platinum", "How much does the Platinum plan cost?", "uncovered", prices, answerable=False),
        Q("k-un-revenue", "What was Kelpie's revenue in 2025?", "uncovered", None, answerable=False),
        Q("k-un-fennel-study", "Who is quoted in the Fennel Foods case study?", "uncovered", webinar, answerable=False),
    )
    return Company("kelpie", "Kelpie", "HR software", documents, questions)


# --- Northbeam Solar: commercial solar installer; formal, engineering voice ------------------------------------


def _northbeam_prices() -> bytes:
    eur = '"€"#,##0'
    packages = [["Northbeam Solar: commercial packages 2026", None, None, None, None],
                [],
                ["Package", "System size", "Price (installed)", "Panel warranty", "Payback estimate"],
                ["Rooftop S", "30 kWp", ("money", 28500), "25 years", "6 years"],
                ["Rooftop M", "100 kWp", ("money", 86000), "25 years", "5.5 years"],
                ["Carport L", "250 kWp", ("money", 240000), "30 years", "7 years"],
                [],
                ["All prices include installation, grid connection and VAT."]]
    options = [["Optional extras"],
               ["Option", "Price", "Notes"],
               ["Battery storage (50 kWh)", ("money", 32000), "Installed in two days"],
               ["Monitoring subscription", "€45 per month", "First year included"],
               ["EV charger (22 kW)", ("money", 1900), "Per charger"]]
    return _xlsx([("Packages", [(2, 2, packages)]), ("Options", [(1, 1, options)])], eur, merged=[(0, 2, 5)])


def _northbeam_coldline_pdf() -> bytes:
    header = ["Measure", "Before", "After"]
    return make_pdf([
        [
            "CASE STUDY | LOGISTICS | 3 COLD-STORAGE WAREHOUSES",
            "# Coldline Logistics cuts its energy bill by 56%",
            "Coldline Logistics operates three cold-storage warehouses near Rotterdam. Refrigeration runs",
            "day and night, and energy was the company's second-largest cost. Northbeam installed a",
            "1.2 MWp rooftop system with battery storage. Installation took 9 weeks and finished in June 2025.",
            "## Results, first 12 months",
            header,
            ["Grid electricity bought", "1,420 MWh", "610 MWh"],
            ["Energy bill", "EUR 298,000", "EUR 131,000"],
            ["CO2 emissions", "540 t", "232 t"],
        ],
        [
            header,
            ["Peak demand charges", "EUR 41,000", "EUR 17,500"],
            ["Outages affecting cold rooms", "5", "0"],
            ["Inverter availability", "97.1%", "99.8%"],
            "## Customer statement",
            "\"The roof now pays for the cold. We budget energy in years, not in weeks.\"",
            "Anja Vogel, Facilities Director, Coldline Logistics",
        ],
    ])


def _northbeam_millbrook_docx() -> bytes:
    return _docx("Millbrook Academy: a school that runs on its own roof", [
        ("h1", "Millbrook Academy: a school that runs on its own roof"),
        ("p", "Millbrook Academy is a secondary school of 1,100 pupils. Its governors asked Northbeam for a system that "
              "would cut costs and double as a teaching resource."),
        ("table", [("Project facts", "Value"), ("System", "180 kWp rooftop"), ("Panels", "410"),
                   ("Installed", "August 2024"), ("Annual output", "171 MWh")]),
        ("h2", "Results"),
        ("p", "Before the installation, Millbrook Academy spent €62,000 a year on electricity. In the first full year "
              "after it, the school spent €27,000."),
        ("p", "“Our pupils can watch the school's own power station on a screen in the hall.” David Okafor, Business "
              "Manager, Millbrook Academy"),
    ])


NORTHBEAM_TRANSCRIPT = """Northbeam webinar: battery storage for businesses

Karl Jensen: Good afternoon, and welcome. I am Karl Jensen, and with me is Ruth Alvarez, Head of Engineering at Northbeam.
Ruth Alvarez: Thank you, Karl.
Karl Jensen: Ruth, what does a battery change for a typical business?
Ruth Alvarez: A 50 kWh battery typically raises self-consumption from 55% to 80%.
The stored energy covers the evening peak, when grid prices are highest.
Karl Jensen: And how disruptive is the installation?
Ruth Alvarez: Most of our battery projects are installed in two days, without switching off the building.
Karl Jensen: Thank you, Ruth.
"""

NORTHBEAM_EML_TEXT = """You are invited to the Northbeam Open Day.

Date: Thursday 18 June 2026, 10:00 to 15:00
Place: Northbeam Test Field, Kanaalweg 12, Utrecht

Our engineers will show the Carport L and our battery systems in operation. Lunch is provided.
"""

NORTHBEAM_EML_HTML = """<html><body><table><tr><td>
<h1>You are invited to the Northbeam Open Day</h1>
<p><b>Date:</b> Thursday 18 June 2026, 10:00 to 15:00<br><b>Place:</b> Northbeam Test Field, Kanaalweg 12, Utrecht</p>
<p>Our engineers will show the Carport L and our battery systems in operation. Lunch is provided.</p>
<p><a href="https://northbeam.example/open-day">Register now</a></p>
<p style="font-size:10px">You receive this e-mail because you are a Northbeam customer. <a href="#">Unsubscribe</a></p>
</td></tr></table></body></html>"""


def _northbeam_eml() -> bytes:
    return _eml("Northbeam Solar <events@northbeam.example>", "Invitation: Northbeam Open Day",
                datetime(2026, 5, 20, 7, 0, tzinfo=timezone.utc), NORTHBEAM_EML_TEXT, NORTHBEAM_EML_HTML)


def _northbeam_deck() -> bytes:
    return _pptx([
        ("Carport L", ["Product launch, Q1 2026"]),
        ("Why Carport L", ["Shade for up to 120 cars", "Generates 250 kWp on an existing car park",
                           "Built ready for EV charging"]),
        ("Timeline", ["Orders open: 2 February 2026", "First installations: 1 April 2026"]),
        ("Pilot results", ["Pilot site output 12% above forecast", "No change to parking capacity"]),
    ])


NORTHBEAM_HELP = f"""<!doctype html><html><head><meta charset="utf-8"><title>Set up monitoring alerts | Northbeam Support</title></head>
<body><div class="header"><a href="/">All collections</a> &gt; <a href="/c/monitor">Northbeam Monitor</a> &gt;
<span>Alerts</span></div>
<h1>Set up monitoring alerts</h1>
<p>Northbeam Monitor can warn you when your system produces less than expected.</p>
<ol><li>Open the Northbeam Monitor app and select your site.</li><li>Go to Alerts.</li>
<li>Choose Production below forecast.</li><li>Set the threshold as a percentage and click Save.</li></ol>
<p>Tip: set the threshold to 20% so that cloudy days do not trigger alerts.</p>
<h2>Pause alerts</h2>
<p>To pause alerts during maintenance, open Alerts and switch off Notifications for the site.</p>
<div class="intercom-reaction-picker"><h4>Did this answer your question?</h4><span>😞</span><span>😐</span><span>😃</span></div>
<h2>Related Articles</h2><ul>{_links(["Read your production report", "Add a second site", "Share access with your installer"])}</ul>
</body></html>"""

NORTHBEAM_ACCREDITATION = """<!doctype html><html><head><title>Quality and accreditation | Northbeam Solar</title></head>
<body><nav><a href="/">Home</a> <a href="/projects">Projects</a> <a href="/contact">Contact</a></nav>
<main><h1>Quality and accreditation</h1>
<p>Every Northbeam installation is designed and checked by our own engineers.</p>
<p>Northbeam is accredited under the following schemes:</p>
<ul><li>MCS</li><li>NABCEP</li><li>ISO 9001</li><li>ISO 14001</li></ul>
<p>We install panels from three manufacturers, chosen for their warranty terms:</p>
<ul><li>Meyer Burger</li><li>REC</li><li>Aiko</li></ul>
<p>Our installers are employed by Northbeam; we do not subcontract installation.</p></main>
<footer>© 2026 Northbeam Solar B.V.</footer></body></html>"""


def _northbeam_style() -> bytes:
    return _docx("Northbeam writing guide", [
        ("h1", "Northbeam writing guide"),
        ("p", "Northbeam documents are read by facilities managers and finance directors, so we write as engineers "
              "who explain: precise, calm and free of hype. In technical documents we refer to the company as "
              "Northbeam, not as we."),
        ("p", "Always give system size in kWp and energy in MWh, and state the period a figure covers. Avoid the "
              "words green, eco-friendly and revolutionary; say what the system saves instead."),
        ("p", "Our primary colour is Northbeam Navy (#14213D) and our accent colour is Signal Amber (#FCA311). "
              "Amber is for figures and calls to action only."),
    ])


def northbeam() -> Company:
    prices, coldline, millbrook = "northbeam-packages-2026.xlsx", "northbeam-case-study-coldline.pdf", "northbeam-case-study-millbrook.docx"
    webinar, mail, deck = "northbeam-webinar-battery-storage.txt", "northbeam-open-day-invitation.eml", "northbeam-carport-l-launch.pptx"
    help_page, lists, style = "support/monitoring-alerts.html", "northbeam-accreditation.html", "northbeam-writing-guide.docx"
    documents = (
        Document(prices, "xlsx", _northbeam_prices),
        Document(coldline, "pdf", _northbeam_coldline_pdf),
        Document(millbrook, "docx", _northbeam_millbrook_docx),
        Document(webinar, "transcript", _text(NORTHBEAM_TRANSCRIPT)),
        Document(mail, "eml", _northbeam_eml),
        Document(deck, "pptx", _northbeam_deck),
        Document(help_page, "help-html", _text(NORTHBEAM_HELP)),
        Document(lists, "list-page", _text(NORTHBEAM_ACCREDITATION)),
        Document(style, "style-guide", _northbeam_style),
    )
    questions = (
        Q("n-list-accred", "Which accreditations does Northbeam hold?", "list", lists, ("MCS", "NABCEP", "ISO 9001", "ISO 14001")),
        Q("n-list-brands", "Which panel manufacturers does Northbeam install?", "list", lists, ("Meyer Burger", "REC", "Aiko")),
        Q("n-list-carport", "What are the benefits of Carport L?", "list", deck, ("120 cars", "250 kWp", "EV charging")),
        Q("n-list-avoid", "Which words should we avoid in Northbeam copy?", "list", style, ("green", "eco-friendly", "revolutionary")),
        Q("n-cmp-size", "How big are the Rooftop S and Rooftop M systems?", "comparison", prices, ("30 kWp", "100 kWp")),
        Q("n-cmp-price", "What's the price difference between the Rooftop M and Carport L packages?", "comparison", prices,
          ("€86,000", "€240,000")),
        Q("n-cmp-warranty", "Compare the panel warranty of Rooftop S and Carport L", "comparison", prices, ("25 years", "30 years")),
        Q("n-person-coldline", "Who is quoted in the Coldline Logistics case study?", "person", coldline,
          ("Anja Vogel", "Facilities Director")),
        Q("n-quote-david", "What did David Okafor say about the solar installation?", "person", millbrook, ("power station",)),
        Q("n-quote-ruth", "What did Ruth Alvarez say about self-consumption?", "person", webinar, ("55%", "80%")),
        Q("n-person-expert", "Who was the Northbeam expert on the battery storage webinar?", "person", webinar, ("Ruth Alvarez",)),
        Q("n-summary-coldline", "Summarise the Coldline Logistics case study in three bullet points", "summary", coldline,
          ("56%", "Anja Vogel")),
        Q("n-summary-carport", "Summarise the Carport L launch deck", "summary", deck, ("2 February 2026", "12%")),
        Q("n-summary-millbrook", "What is the Millbrook Academy case study about?", "summary", millbrook, ("€62,000", "€27,000")),
        Q("n-table-price", "How much does the Rooftop M package cost?", "table", prices, ("€86,000",)),
        Q("n-table-payback", "What is the payback estimate for Carport L?", "table", prices, ("7 years",)),
        Q("n-table-monitoring", "How much is the monitoring subscription?", "table", prices, ("€45",)),
        Q("n-table-battery", "How much does battery storage cost?", "table", prices, ("€32,000",)),
        Q("n-ba-bill", "What was Coldline's energy bill before Northbeam?", "before-after", coldline, ("298,000",),
          not_facts=("131,000",)),
        Q("n-ba-peak", "How much were Coldline's peak demand charges after the installation?", "before-after", coldline,
          ("17,500",), not_facts=("41,000",)),
        Q("n-ba-millbrook", "How much did Millbrook Academy spend on electricity before and after the installation?",
          "before-after", millbrook, ("€62,000", "€27,000")),
        Q("n-fu-carport", "And Carport L?", "follow-up", prices, ("€240,000",),
          after=("How much does the Rooftop M package cost?", "| Rooftop M | 100 kWp | €86,000 | 25 years | 5.5 years | [1]")),
        Q("n-fu-said", "What did she say?", "follow-up", coldline, ("pays for the cold",),
          after=("Who is quoted in the Coldline Logistics case study?", "Anja Vogel, Facilities Director, Coldline Logistics [1]")),
        Q("n-fu-millbrook", "and in the Millbrook Academy one?", "follow-up", millbrook, ("David Okafor",),
          after=("Who is quoted in the Coldline Logistics case study?", "Anja Vogel, Facilities Director, Coldline Logistics [1]")),
        Q("n-date-openday", "When and where is the Northbeam Open Day?", "date-place", mail, ("18 June 2026", "Utrecht")),
        Q("n-date-orders", "When do Carport L orders open?", "date-place", deck, ("2 February 2026",)),
        Q("n-date-installed", "When was the Millbrook Academy system installed?", "date-place", millbrook, ("August 2024",)),
        Q("n-howto-alerts", "How do I set up monitoring alerts?", "how-to", help_page,
          ("Go to Alerts", "Production below forecast", "Save")),
        Q("n-howto-pause", "How do I pause alerts?", "how-to", help_page, ("Notifications",)),
        Q("n-un-tips", "What tips do you have for cleaning solar panels?", "uncovered", help_page, answerable=False),
        Q("n-un-wind", "Does Northbeam install wind turbines?", "uncovered", None, answerable=False),
        Q("n-un-xl", "How much does the Carport XL package cost?", "uncovered", prices, answerable=False),
        Q("n-un-bcorp", "Is Northbeam B Corp certified?", "uncovered", lists, answerable=False),
        Q("n-un-revenue", "What was Northbeam's revenue last year?", "uncovered", None, answerable=False),
    )
    return Company("northbeam", "Northbeam Solar", "commercial solar energy", documents, questions)


# --- Fieldfare Travel (HELD OUT): corporate travel management; calm, British voice -----------------------------


def _fieldfare_prices() -> bytes:
    gbp = '"£"#,##0'
    fees = [["Fieldfare Travel"],
            ["Service fees per booking, 2026"],
            [],
            ["Booking type", "Online fee", "Agent-assisted fee", "Change fee"],
            ["Domestic flight", ("money", 6), ("money", 18), ("money", 10)],
            ["International flight", ("money", 9), ("money", 28), ("money", 15)],
            ["Hotel", ("money", 4), ("money", 12), "Free"],
            ["Rail", ("money", 2), ("money", 8), ("money", 3)]]
    memberships = [["Membership", "Annual fee", "Travellers included", "Support"],
                   ["Essentials", ("money", 0), "Up to 50", "Office hours"],
                   ["Premier", ("money", 2400), "Up to 250", "24/7 phone line"]]
    addons = [["Add-on", "Price", "Unit"],
              ["Duty of care tracking", ("money", 3), "per traveller per month"],
              ["Airport lounge pass", ("money", 35), "per visit"],
              ["Visa handling", ("money", 45), "per application"]]
    return _xlsx([("Service fees", [(1, 1, fees)]), ("Memberships", [(1, 1, memberships)]), ("Add-ons", [(1, 1, addons)])], gbp)


def _fieldfare_orbital_pdf() -> bytes:
    return make_pdf([
        [
            "Fieldfare Travel | Customer case study",
            "# Orbital Engineering saves £700,000 a year on business travel",
            "Orbital Engineering is a consultancy of 1,800 engineers who travel to client sites across",
            "Europe and the Middle East. In 2024 it moved all of its travel booking to Fieldfare.",
            "## Results, 2023 against 2024",
            ["Metric", "2023", "2024"],
            ["Annual travel spend", "£4.2 million", "£3.5 million"],
            ["Average flight price", "£412", "£356"],
            ["Policy compliance", "68%", "93%"],
        ],
        [
            ["Time to book a trip", "40 minutes", "12 minutes"],
            ["Unused tickets written off", "£96,000", "£21,000"],
            "## What the CFO says",
            "\"Fieldfare found us £700,000 in the first year without cutting a single trip.\"",
            "Helen Marsh, CFO, Orbital Engineering",
            "## Next",
            "Orbital Engineering will add its Dubai office to Fieldfare in 2026.",
        ],
    ])


def _fieldfare_kestrel_docx() -> bytes:
    return _docx("Kestrel Films keeps its crews moving", [
        ("h1", "Kestrel Films keeps its crews moving"),
        ("p", "Kestrel Films makes television drama on location. Its crews travel at short notice, and a shoot that "
              "moves by a day moves forty people with it."),
        ("table", [("Item", "Detail"), ("Crew trips per year", "2,100"), ("Countries", "14"),
                   ("Booking channel", "Agent-assisted"), ("Membership", "Premier")]),
        ("p", "Before Fieldfare, a last-minute crew change took on average 6 hours to rebook. Now it takes 45 minutes, "
              "day or night."),
        ("h2", "From the production office"),
        ("p", "“When a shoot moves, our crew moves with it. We have stopped losing whole days to travel.”"),
        ("p", "Tomás Ruiz, Head of Production, Kestrel Films"),
    ], merged_title="Kestrel Films at a glance")


FIELDFARE_SRT = """1
00:00:02,000 --> 00:00:07,000
JOE: Welcome to today's Fieldfare webinar on duty of care.

2
00:00:07,500 --> 00:00:12,000
JOE: I'm joined by Amira Haddad, Fieldfare's head of traveller safety.

3
00:00:12,500 --> 00:00:18,000
AMIRA: Thanks, Joe. Our duty of care team answers within 90 seconds, day and night.

4
00:00:18,500 --> 00:00:24,000
AMIRA: In 2025 we helped 312 travellers get home during strikes, storms and airspace closures.

5
00:00:24,500 --> 00:00:28,000
JOE: And what should a travel manager do first?

6
00:00:28,500 --> 00:00:34,000
AMIRA: Make sure every traveller's mobile number is in their profile.
That is how we reach them.
"""

FIELDFARE_EML = """FIELDFARE BULLETIN | April 2026

The Travel Managers' Forum returns

Our Travel Managers' Forum is on 9 September 2026 at The Brewery, Chiswell Street, London. Registration opens at
8:30 and the programme ends with drinks at 17:00. Last year's forum in Manchester drew 240 travel managers.

Rail news

From May, Fieldfare books Eurostar and Deutsche Bahn tickets in the same trip as your flights.

Reply to this e-mail to reserve your place.
"""


def _fieldfare_eml() -> bytes:
    return _eml("Fieldfare Bulletin <bulletin@fieldfare.example>", "Fieldfare Bulletin: the Travel Managers' Forum",
                datetime(2026, 4, 7, 11, 0, tzinfo=timezone.utc), FIELDFARE_EML)


def _fieldfare_deck() -> bytes:
    return _pptx([
        ("Fieldfare Go", ["The new mobile app for travellers"]),
        ("What's in the app", ["Live flight alerts", "Mobile boarding passes", "One-tap rebooking",
                               "Expense receipts captured automatically"]),
        ("Launch dates", ["iOS: 3 March 2026", "Android: 17 March 2026"]),
        ("Beta results", ["Beta users rebooked 4x faster", "Travellers rated the app 4.7 out of 5"]),
    ])


FIELDFARE_HELP = f"""<!doctype html><html><head><meta charset="utf-8"><title>Add a traveller profile – Fieldfare Help</title></head>
<body><header><a href="/hc/en-gb">Fieldfare Help</a><form><input type="search" placeholder="How can we help?"></form></header>
<div id="main-content"><nav aria-label="Breadcrumb"><ol class="breadcrumbs">{_links(["Fieldfare Help", "Travellers"])}</ol></nav>
<h1>Add a traveller profile</h1>
<p>Every traveller needs a profile before you can book for them.</p>
<ol><li>Sign in to the Fieldfare portal.</li><li>Open Travellers.</li><li>Click Add traveller.</li>
<li>Enter the name exactly as it appears on the passport, and a mobile number.</li><li>Click Save profile.</li></ol>
<p>Tip: add frequent flyer numbers so that miles are credited automatically.</p>
<h2>Remove a traveller</h2>
<p>Open the profile, click More and choose Archive traveller. Past trips stay in your reports.</p>
<section class="articleFoot"><p>Still need help? <a href="/contact">Contact Us</a></p></section>
<section id="related"><h3>Related Articles</h3><ul>{_links(["Book for someone else", "Travel policies", "Import travellers"])}</ul></section>
</div></body></html>"""

FIELDFARE_PAYMENTS = """# Paying for travel

Fieldfare accepts the following payment methods:

- Corporate card
- Lodged card
- Invoice, payable within 30 days
- Apple Pay

Your account manager can set a different method for each cost centre.

## Security

Card data never touches our servers. Fieldfare is certified to:

- ISO 27001
- PCI DSS Level 1
"""

FIELDFARE_STYLE = """Fieldfare tone of voice

Fieldfare sounds calm and confident, like a good travel agent at three in the morning. We are warm without being
chummy, and we never make light of a disruption.

We call the people we look after travellers, never pax or passengers. We use British English spelling, and we
avoid exclamation marks in anything a traveller reads during a trip.

Our signature colour is Fieldfare Plum (#5B2A86). Set dates as 9 September 2026, with no ordinals.
"""


def fieldfare() -> Company:
    prices, orbital, kestrel = "fieldfare-service-fees-2026.xlsx", "fieldfare-case-study-orbital.pdf", "fieldfare-case-study-kestrel-films.docx"
    webinar, mail, deck = "fieldfare-webinar-duty-of-care.srt", "fieldfare-bulletin-april.eml", "fieldfare-go-launch.pptx"
    help_page, lists, style = "help/115-add-a-traveller-profile.html", "fieldfare-payments.md", "fieldfare-tone-of-voice.txt"
    documents = (
        Document(prices, "xlsx", _fieldfare_prices),
        Document(orbital, "pdf", _fieldfare_orbital_pdf),
        Document(kestrel, "docx", _fieldfare_kestrel_docx),
        Document(webinar, "transcript", _text(FIELDFARE_SRT)),
        Document(mail, "eml", _fieldfare_eml),
        Document(deck, "pptx", _fieldfare_deck),
        Document(help_page, "help-html", _text(FIELDFARE_HELP)),
        Document(lists, "list-page", _text(FIELDFARE_PAYMENTS)),
        Document(style, "style-guide", _text(FIELDFARE_STYLE)),
    )
    questions = (
        Q("f-list-payment", "Which payment methods does Fieldfare accept?", "list", lists,
          ("Corporate card", "Lodged card", "Invoice", "Apple Pay")),
        Q("f-list-certs", "Which certifications does Fieldfare hold?", "list", lists, ("ISO 27001", "PCI DSS")),
        Q("f-list-app", "Which features are in the Fieldfare Go app?", "list", deck,
          ("Live flight alerts", "Mobile boarding passes", "One-tap rebooking", "Expense receipts")),
        Q("f-list-words", "Which words should we never use for travellers?", "list", style, ("pax", "passengers")),
        Q("f-cmp-flights", "Compare the online booking fees for domestic and international flights", "comparison", prices,
          ("£6", "£9")),
        Q("f-cmp-members", "How many travellers do the Essentials and Premier memberships include?", "comparison", prices,
          ("50", "250")),
        Q("f-cmp-hotel", "What's the difference between the online and agent-assisted fee for a hotel?", "comparison", prices,
          ("£4", "£12")),
        Q("f-person-orbital", "Who is quoted in the Orbital Engineering case study?", "person", orbital, ("Helen Marsh", "CFO")),
        Q("f-quote-tomas", "What did Tomás Ruiz say about Fieldfare?", "person", kestrel, ("crew moves with it",)),
        Q("f-quote-amira", "What did Amira Haddad say about response times?", "person", webinar, ("90 seconds",)),
        Q("f-person-webinar", "Who spoke for Fieldfare in the duty of care webinar?", "person", webinar, ("Amira Haddad",)),
        Q("f-summary-orbital", "Summarise the Orbital Engineering case study in three bullet points", "summary", orbital,
          ("£4.2 million", "£3.5 million", "Helen Marsh")),
        Q("f-summary-go", "Give me an overview of the Fieldfare Go launch", "summary", deck, ("3 March 2026", "4x")),
        Q("f-summary-kestrel", "What is the Kestrel Films case study about?", "summary", kestrel, ("6 hours", "45 minutes")),
        Q("f-table-intl", "How much is the agent-assisted fee for an international flight?", "table", prices, ("£28",)),
        Q("f-table-premier", "How much does the Premier membership cost per year?", "table", prices, ("£2,400",)),
        Q("f-table-visa", "How much does visa handling cost?", "table", prices, ("£45",)),
        Q("f-table-rail-change", "What does it cost to change a rail booking?", "table", prices, ("£3",)),
        Q("f-ba-compliance", "What was Orbital Engineering's policy compliance in 2023?", "before-after", orbital, ("68%",),
          not_facts=("93%",)),
        Q("f-ba-booking", "How long does it take Orbital Engineering to book a trip now?", "before-after", orbital,
          ("12 minutes",), not_facts=("40 minutes",)),
        Q("f-ba-kestrel", "How long did it take Kestrel Films to rebook a crew change before Fieldfare?", "before-after",
          kestrel, ("6 hours",), not_facts=("45 minutes",)),
        Q("f-fu-rail", "and for rail?", "follow-up", prices, ("£2",),
          after=("What is the online fee for a hotel booking?", "| Hotel | £4 | £12 | Free | [1]")),
        Q("f-fu-said", "What did she say?", "follow-up", orbital, ("£700,000",),
          after=("Who is quoted in the Orbital Engineering case study?", "Helen Marsh, CFO, Orbital Engineering [1]")),
        Q("f-fu-kestrel", "and in the Kestrel Films case study?", "follow-up", kestrel, ("Tomás Ruiz",),
          after=("Who is quoted in the Orbital Engineering case study?", "Helen Marsh, CFO, Orbital Engineering [1]")),
        Q("f-date-forum", "When and where is the Travel Managers' Forum?", "date-place", mail, ("9 September 2026", "London")),
        Q("f-date-android", "When does Fieldfare Go launch on Android?", "date-place", deck, ("17 March 2026",)),
        Q("f-date-registration", "What time does registration open at the Travel Managers' Forum?", "date-place", mail, ("8:30",)),
        Q("f-howto-profile", "How do I add a traveller profile?", "how-to", help_page, ("Open Travellers", "Add traveller", "passport")),
        Q("f-howto-remove", "How do I remove a traveller?", "how-to", help_page, ("Archive traveller",)),
        Q("f-un-tips", "Can Fieldfare split tips?", "uncovered", help_page, answerable=False),
        Q("f-un-cruise", "Does Fieldfare book cruises?", "uncovered", None, answerable=False),
        Q("f-un-platinum", "How much does the Platinum membership cost?", "uncovered", prices, answerable=False),
        Q("f-un-soc2", "Is Fieldfare SOC 2 certified?", "uncovered", lists, answerable=False),
        Q("f-un-revenue", "What was Fieldfare's revenue in 2025?", "uncovered", None, answerable=False),
    )
    return Company("fieldfare", "Fieldfare Travel", "corporate travel management", documents, questions)


# --- Sentrel: phishing-resistant sign-in (passkeys, SSO) for mid-size companies; terse American voice, docs-site help -


def _sentrel_pricing() -> bytes:
    usd = '"$"#,##0'
    # transposed: one column per plan, one row per feature, units in the row labels
    plans = [["Sentrel pricing FY26"],
             ["Billed annually. USD per user per month unless noted."],
             ["", "Core", "Pro", "Enterprise"],
             ["List price ($/user/mo)", ("money", 4), ("money", 9), ("money", 16)],
             ["Minimum users", 10, 50, 500],
             ["Audit log retention (days)", 30, 90, 365],
             ["SSO apps", 5, "Unlimited", "Unlimited"],
             ["Support", "Community forum", "Business hours", "24x7 + named TAM"]]
    services = [["SKU", "Service", "Fee (USD)", "Lead time"],
                ["PS-100", "Guided deployment", ("money", 2500), "2 weeks"],
                ["PS-210", "Custom SAML connector", ("money", 1200), "per app, 5 business days"],
                ["PS-300", "Phishing simulation workshop", ("money", 3000), "per session"]]
    return _xlsx([("Plans", [(1, 1, plans)]), ("Professional services", [(1, 1, services)])], usd, merged=[(0, 1, 3)])


SENTREL_SLA = """Sentrel SLA - service credits (effective Jan 1 2026),,
,,
Monthly uptime below,Credit (% of monthly fee),Claim within (days)
99.95%,10%,30
99.5%,25%,30
99.0%,50%,30
95.0%,100%,60
"""


def _sentrel_halcyon_pdf() -> bytes:
    return make_pdf([
        [
            "CUSTOMER PROOF // FINANCIAL SERVICES",
            "# Halcyon Credit Union: zero account takeovers",
            "Org: Halcyon Credit Union, Columbus, OH. 1,150 employees, 38 branches.",
            "Problem: staff phished twice in 2024. Help desk buried in password resets.",
            "Fix: Sentrel Pro, passkeys for all staff, rolled out in 6 weeks.",
            "## Outcomes (FY2025 vs FY2024)",
            ["KPI", "FY2025", "FY2024"],
            ["Account takeovers", "0", "7"],
            ["Password reset tickets/mo", "40", "610"],
        ],
        [
            ["Median sign-in time", "4 sec", "19 sec"],
            ["Phishing clicks reported", "3", "112"],
            ["Help desk cost/yr", "$58K", "$310K"],
            "## Quote",
            "CISO Marisol Reyes: \"We stopped arguing about password rules. There are no passwords left",
            "to argue about.\"",
        ],
    ])


def _sentrel_pinecrest_docx() -> bytes:
    """A short case study whose fact table runs across: labels in the first row, values in the second."""
    return _docx("Pinecrest Freight goes passwordless in a weekend", [
        ("h1", "Pinecrest Freight goes passwordless in a weekend"),
        ("table", [("HQ", "Drivers and staff", "Rollout", "Plan"), ("Omaha, NE", "2,800", "1 weekend", "Enterprise")]),
        ("p", "Pinecrest runs 2,800 people across 22 depots. Drivers shared tablet logins. Audits flagged it. "
              "Sentrel replaced shared logins with a passkey per driver on a company phone."),
        ("h2", "Results"),
        ("p", "Shared accounts: 340 before, 0 after. Time to offboard a driver: 3 days before, 10 minutes after."),
        ("p", "\"We retired 14,000 passwords in one weekend and nobody called the help desk,\" said Raj Patel, "
              "VP of IT at Pinecrest Freight."),
    ])


SENTREL_VTT = """WEBVTT

00:00:00.500 --> 00:00:05.000
Dana Kim: OK, we're live. I'm Dana Kim, product marketing at Sentrel. This is Passkeys 101.

00:00:05.200 --> 00:00:09.800
Dana Kim: With me is Ahmed Farouk, our principal security engineer.

00:00:10.000 --> 00:00:16.000
Ahmed Farouk: Thanks Dana. Short version: a passkey can't be phished, because it only works on the real site.

00:00:16.200 --> 00:00:22.000
Ahmed Farouk: In our data, customers cut help desk password tickets by 92% in the first quarter.

00:00:22.200 --> 00:00:25.000
Dana Kim: What breaks when you roll it out?

00:00:25.200 --> 00:00:31.000
Ahmed Farouk: Old VPN clients. Check those first.
"""

SENTREL_EML = """SENTREL SIGNAL -- Issue 31

1) SentrelCon 2026 registration is open.

   WHAT:  SentrelCon 2026, our user conference
   WHEN:  Oct 13-14, 2026
   WHERE: Fairmont Austin, Austin, TX
   COST:  $0 for customers, $499 otherwise

2) Passkeys for shared devices is GA. See the release notes.

3) Heads up: legacy SMS codes are retired on Mar 31, 2027.

-- The Sentrel team
"""


def _sentrel_eml() -> bytes:
    return _eml("Sentrel Signal <signal@sentrel.example>", "Sentrel Signal #31: SentrelCon registration is open",
                datetime(2026, 6, 9, 14, 0, tzinfo=timezone.utc), SENTREL_EML)


def _sentrel_deck() -> bytes:
    """A release deck: bullets that start with a label and a colon, and a comparison table slide."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[0])
    first.shapes.title.text = "Sentrel 26.3 release"
    first.placeholders[1].text = "Customer webinar, Sep 2026"
    for title, bullets in [
        ("Shipping in 26.3", ["Passkeys on shared devices", "Risk-based step-up for admin actions",
                              "SCIM 2.0 group push", "Okta and Entra ID migration wizard"]),
        ("Dates", ["Early access: Sep 8, 2026", "GA: Sep 29, 2026"]),
    ]:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        body = slide.placeholders[1].text_frame
        body.text = bullets[0]
        for item in bullets[1:]:
            body.add_paragraph().text = item
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Early access results"
    rows = [("Metric", "26.2", "26.3 early access"), ("Admin step-up prompts/wk", "1,900", "240"),
            ("Median enrollment time", "3 min", "45 sec")]
    table = slide.shapes.add_table(len(rows), 3, Inches(0.5), Inches(1.6), Inches(9), Inches(2)).table
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            table.cell(i, j).text = text
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


SENTREL_DOCS = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Configure SCIM provisioning | Sentrel Docs</title></head>
<body><nav class="navbar"><a class="navbar__brand" href="/">Sentrel Docs</a><a href="/api">API</a><a href="/changelog">Changelog</a>
<input type="search" placeholder="Search docs ⌘K"></nav>
<div class="main-wrapper"><aside class="theme-doc-sidebar-container"><ul class="menu">
<li><a href="/docs/intro">Introduction</a></li><li><a href="/docs/admin">Admin guide</a><ul>
<li><a href="/docs/admin/sso">Set up SSO</a></li><li><a class="menu__link--active" href="/docs/admin/scim">Configure SCIM provisioning</a></li>
<li><a href="/docs/admin/passkeys">Enforce passkeys</a></li><li><a href="/docs/admin/audit">Audit logs</a></li></ul></li></ul></aside>
<main class="docMainContainer"><nav aria-label="Breadcrumbs"><ul class="breadcrumbs"><li><a href="/">Docs</a></li>
<li><a href="/docs/admin">Admin guide</a></li><li>SCIM</li></ul></nav>
<article><div class="theme-doc-markdown markdown"><h1>Configure SCIM provisioning</h1>
<p>SCIM keeps Sentrel users in sync with your IdP. Requires Pro or Enterprise.</p>
<h2 id="steps">Steps</h2>
<ol><li>In the Sentrel console, go to <strong>Settings → Directory</strong>.</li>
<li>Click <strong>Generate SCIM token</strong>. Copy it. It is shown once.</li>
<li>In your IdP, add the SCIM base URL <code>https://api.sentrel.example/scim/v2</code> and paste the token.</li>
<li>Push a test group. Users appear in Sentrel within 60 seconds.</li></ol>
<div class="admonition admonition-tip alert alert--success"><div class="admonition-heading"><h5>tip</h5></div>
<div class="admonition-content"><p>Push groups, not individual users. Group membership drives app access.</p></div></div>
<h2 id="rotate">Rotate the token</h2>
<p>Go to Settings → Directory and click Regenerate. The old token stops working immediately.</p>
</div>
<footer class="theme-doc-footer"><a href="https://github.com/sentrel/docs/edit/main/admin/scim.md">Edit this page</a>
<span>Last updated on Aug 4, 2026</span></footer>
<div class="feedback"><p>Was this page helpful?</p><button>👍</button><button>👎</button></div>
<nav class="pagination-nav"><a class="pagination-nav__link--prev" href="/docs/admin/sso">Previous « Set up SSO</a>
<a class="pagination-nav__link--next" href="/docs/admin/passkeys">Next Enforce passkeys »</a></nav></article>
<div class="table-of-contents"><p>On this page</p><ul><li><a href="#steps">Steps</a></li><li><a href="#rotate">Rotate the token</a></li></ul></div>
</main></div><footer class="footer">Copyright © 2026 Sentrel, Inc.</footer></body></html>"""

SENTREL_TRUST = """<!doctype html><html><head><title>Trust center | Sentrel</title></head><body>
<header><a href="/">Sentrel</a> <a href="/pricing">Pricing</a> <a href="/trust">Trust</a> <a href="/login">Sign in</a></header>
<main><h1>Trust center</h1>
<p>Independent auditors check our controls every year. Current attestations:</p>
<ul><li><strong>SOC 2 Type II</strong> (report under NDA)</li><li><strong>ISO/IEC 27001:2022</strong></li>
<li><strong>FIDO2 Certified</strong> (server)</li></ul>
<h2>Subprocessors</h2>
<p>Customer data is hosted in the US. We use these subprocessors:</p>
<ul><li>AWS – hosting (us-east-2)</li><li>Cloudflare – DNS and DDoS protection</li><li>Twilio – SMS fallback codes</li></ul>
<p>Questions? security@sentrel.example</p></main>
<footer>© 2026 Sentrel, Inc. · <a href="/privacy">Privacy</a></footer></body></html>"""

SENTREL_STYLE = """# Sentrel writing rules

Short. Active voice. US spelling. Oxford comma.

Say what the product does, not how it feels. No exclamation points in the product UI.

| Write | Not |
|---|---|
| sign in | log in, login (as a verb) |
| allowlist / blocklist | whitelist / blacklist |
| passkey | passwordless key, FIDO key |
| admin | administrator (in UI copy) |

Product names: Sentrel Console, Sentrel Verify. Brand color: Sentrel Indigo, #3D2BD6.
"""


def _sentrel_posts() -> bytes:
    """A posts CSV from a third-party exporter (its own column names), newest first."""
    import csv as _csv

    rows = [
        ("2026-04-21", "New Sentrel Phish Index for Q1 2026: 1 in 38 emails we scanned was a credential phish. "
                       "That's the worst quarter we've measured."),
        ("2025-10-14", "Phish Index, Q3 2025: 1 in 44 emails was a credential phish, up from 1 in 52 in Q1."),
        ("2025-04-15", "First Sentrel Phish Index: in Q1 2025, 1 in 52 emails we scanned was a credential phish."),
        ("2025-09-02", "We're hiring: 4 security engineers in Denver. Remote-friendly."),
    ]
    out = io.StringIO()
    writer = _csv.writer(out)
    writer.writerow(["Date posted", "Post text", "Post URL", "Impressions"])
    for n, (when, text) in enumerate(rows, 1):
        writer.writerow([when, text, f"https://www.linkedin.com/posts/sentrel_{n}", 1000 * n])
    return out.getvalue().encode("utf-8")


def sentrel() -> Company:
    pricing, sla, halcyon = "Sentrel-Pricing-FY26.xlsx", "sentrel-sla-credits.csv", "sentrel-proof-halcyon-cu.pdf"
    pinecrest, webinar, mail = "sentrel-pinecrest-freight.docx", "passkeys-101-webinar.vtt", "sentrel-signal-31.eml"
    deck, docs, trust = "sentrel-26.3-release.pptx", "docs/admin/scim.html", "sentrel-trust-center.html"
    style, posts = "sentrel-writing-rules.md", "sentrel-linkedin-posts.csv"
    documents = (
        Document(pricing, "xlsx", _sentrel_pricing),
        Document(sla, "csv", _text(SENTREL_SLA)),
        Document(halcyon, "pdf", _sentrel_halcyon_pdf),
        Document(pinecrest, "docx", _sentrel_pinecrest_docx),
        Document(webinar, "transcript", _text(SENTREL_VTT)),
        Document(mail, "eml", _sentrel_eml),
        Document(deck, "pptx", _sentrel_deck),
        Document(docs, "help-html", _text(SENTREL_DOCS)),
        Document(trust, "list-page", _text(SENTREL_TRUST)),
        Document(style, "style-guide", _text(SENTREL_STYLE)),
        Document(posts, "linkedin", _sentrel_posts),
    )
    questions = (
        Q("t-list-attest", "Which attestations does Sentrel have?", "list", trust,
          ("SOC 2 Type II", "ISO/IEC 27001", "FIDO2 Certified")),
        Q("t-list-subproc", "Which subprocessors does Sentrel use?", "list", trust, ("AWS", "Cloudflare", "Twilio")),
        Q("t-list-263", "What's shipping in Sentrel 26.3?", "list", deck,
          ("Passkeys on shared devices", "Risk-based step-up", "SCIM 2.0 group push", "migration wizard")),
        Q("t-list-notsay", "Which terms does the Sentrel writing guide tell us not to use?", "list", style,
          ("log in", "whitelist", "blacklist")),
        Q("t-cmp-price", "Compare the list price of Core and Enterprise", "comparison", pricing, ("$4", "$16")),
        Q("t-cmp-retention", "How long do Pro and Enterprise keep audit logs?", "comparison", pricing, ("90", "365")),
        Q("t-cmp-minimum", "What's the difference in minimum users between Core and Pro?", "comparison", pricing,
          ("10", "50")),
        Q("t-cmp-credit", "What credit do I get below 99.5% uptime versus below 99.0%?", "comparison", sla, ("25%", "50%")),
        Q("t-person-halcyon", "Who is quoted in the Halcyon Credit Union case study?", "person", halcyon,
          ("Marisol Reyes", "CISO")),
        Q("t-quote-raj", "What did Raj Patel say about Sentrel?", "person", pinecrest, ("14,000 passwords",)),
        Q("t-quote-ahmed", "What did Ahmed Farouk say about help desk tickets?", "person", webinar, ("92%",)),
        Q("t-person-host", "Who hosted Passkeys 101?", "person", webinar, ("Dana Kim",)),
        Q("t-summary-halcyon", "Summarize the Halcyon Credit Union case study in three bullets", "summary", halcyon,
          ("account takeovers", "Marisol Reyes")),
        Q("t-summary-pinecrest", "Give me an overview of the Pinecrest Freight story", "summary", pinecrest,
          ("340", "Raj Patel")),
        Q("t-summary-release", "Summarize the 26.3 release deck", "summary", deck, ("Sep 29, 2026", "240")),
        Q("t-table-pro-price", "How much is Sentrel Pro per user per month?", "table", pricing, ("$9",)),
        Q("t-table-support", "What support does Enterprise include?", "table", pricing, ("24x7 + named TAM",)),
        Q("t-table-saml", "How much is a custom SAML connector?", "table", pricing, ("$1,200",)),
        Q("t-table-claim", "How long do I have to claim a credit if uptime drops below 95%?", "table", sla, ("60",)),
        Q("t-ba-resets", "How many password reset tickets did Halcyon get per month before Sentrel?", "before-after",
          halcyon, ("610",), not_facts=("40",)),
        Q("t-ba-signin", "What's Halcyon's median sign-in time now?", "before-after", halcyon, ("4 sec",),
          not_facts=("19 sec",)),
        Q("t-ba-offboard", "How long did it take Pinecrest to offboard a driver before Sentrel?", "before-after",
          pinecrest, ("3 days",), not_facts=("10 minutes",)),
        # a second round on Sentrel, after the second held-out run (types the held-out table was weak on; none of its
        # questions or failures read)
        Q("t-ba-cost", "What was Halcyon's help desk cost in FY2024?", "before-after", halcyon, ("$310K",),
          not_facts=("$58K",)),
        Q("t-ba-clicks", "How many phishing clicks did Halcyon report after Sentrel?", "before-after", halcyon, ("3",),
          not_facts=("112",)),
        Q("t-ba-shared", "How many shared accounts did Pinecrest have before Sentrel?", "before-after", pinecrest,
          ("340",), not_facts=()),
        Q("t-quote-marisol", "What did Marisol Reyes say about passwords?", "person", halcyon, ("no passwords left",)),
        Q("t-person-pinecrest", "Who is quoted in the Pinecrest Freight story?", "person", pinecrest,
          ("Raj Patel", "VP of IT")),
        Q("t-quote-vpn", "What did Ahmed Farouk say breaks in a rollout?", "person", webinar, ("Old VPN clients",)),
        Q("t-summary-webinar", "Summarize the Passkeys 101 webinar", "summary", webinar, ("92%", "Ahmed Farouk")),
        Q("t-fu-workshop", "and the workshop?", "follow-up", pricing, ("$3,000",),
          after=("How much is guided deployment?", "| PS-100 | Guided deployment | $2,500 | 2 weeks | [1]")),
        Q("t-fu-pro", "and Pro?", "follow-up", pricing, ("90",),
          after=("What's the audit log retention on Core?", "| Audit log retention (days) | 30 | 90 | 365 | [1]")),
        Q("t-fu-said", "What did she say?", "follow-up", halcyon, ("no passwords left",),
          after=("Who is quoted in the Halcyon Credit Union case study?", "CISO Marisol Reyes [1]")),
        Q("t-fu-pinecrest", "and in the Pinecrest Freight one?", "follow-up", pinecrest, ("Raj Patel",),
          after=("Who is quoted in the Halcyon Credit Union case study?", "CISO Marisol Reyes [1]")),
        Q("t-date-con", "When and where is SentrelCon 2026?", "date-place", mail, ("Oct 13-14, 2026", "Austin")),
        Q("t-date-sms", "When are SMS codes retired?", "date-place", mail, ("Mar 31, 2027",)),
        Q("t-date-ga", "When does 26.3 go GA?", "date-place", deck, ("Sep 29, 2026",)),
        Q("t-howto-scim", "How do I set up SCIM provisioning?", "how-to", docs,
          ("Settings → Directory", "Generate SCIM token", "test group")),
        Q("t-howto-rotate", "How do I rotate the SCIM token?", "how-to", docs, ("Regenerate",)),
        Q("t-change-prompts", "How did admin step-up prompts change from 26.2 to 26.3?", "change", deck, ("1,900", "240")),
        Q("t-change-halcyon", "How did Halcyon's help desk cost change after Sentrel?", "change", halcyon,
          ("$310K", "$58K")),
        # past posts are style examples for Write, never evidence for an answer (rag/answer/decide.py): declined
        Q("t-un-phish-posts", "How has the Sentrel Phish Index changed over time?", "uncovered", posts, answerable=False),
        Q("t-un-tips", "Does Sentrel give tips to phishing reporters?", "uncovered", docs, answerable=False),
        Q("t-un-fedramp", "Is Sentrel FedRAMP authorized?", "uncovered", trust, answerable=False),
        Q("t-un-starter", "How much is the Starter plan?", "uncovered", pricing, answerable=False),
        Q("t-un-bounty", "Does Sentrel run a bug bounty program?", "uncovered", trust, answerable=False),
        Q("t-un-revenue", "What was Sentrel's ARR in 2025?", "uncovered", None, answerable=False),
    )
    return Company("sentrel", "Sentrel", "identity security (passkeys, SSO)", documents, questions)


# --- Snelvers (HELD APART): fresh produce delivered to restaurant kitchens in the Low Countries; Dutch-English, ------
# --- long-form British case studies. Written whole before anything was run on it; never tune rag/answer on it. ------


def _snelvers_tariffs() -> bytes:
    eur = '"€"#,##0.00'
    zones = [["SNELVERS B.V. — Delivery tariffs 2026"],
             ["Restaurants, hotels and canteens · all amounts in EUR, excluding 9% BTW"],
             [],
             ["Zone", "Cities served", "Delivery days", "Fee per drop (€)", "Minimum order (€)", "Free delivery above (€)"],
             ["Zone A", "Amsterdam, Amstelveen", "Mon–Sat", ("money", 4.5), ("money", 150), ("money", 450)],
             ["Zone B", "Utrecht, Haarlem, Leiden", "Mon–Sat", ("money", 6.0), ("money", 175), ("money", 550)],
             ["Zone C", "Rotterdam, The Hague, Delft", "Mon–Fri", ("money", 7.5), ("money", 200), ("money", 650)],
             ["Zone D", "Antwerp", "Tue and Thu only", ("money", 12.5), ("money", 300), ("money", 900)],
             [],
             ["Orders placed before 22:00 are delivered the next morning between 05:30 and 10:00."]]
    # the subscriptions sheet is transposed: one column per plan, one row per feature
    plans = [["Kitchen subscriptions (per month, excl. BTW)"],
             ["", "Basis", "Keuken", "Keuken Plus"],
             ["Monthly fee (€)", ("money", 0), ("money", 49), ("money", 129)],
             ["Deliveries per week", "Up to 2", "Up to 6", "Unlimited"],
             ["Order cut-off", "20:00", "22:00", "23:30"],
             ["Account manager", "No", "Shared", "Dedicated"]]
    extras = [["Surcharge", "Amount", "When it applies"],
              ["Sunday delivery", ("money", 25), "per drop, Zone A only"],
              ["Crate deposit", ("money", 7.5), "per reusable cold-chain crate, refunded on return"],
              ["Failed delivery", ("money", 35), "nobody on site to receive the order"]]
    return _xlsx([("Bezorgtarieven", [(1, 1, zones)]), ("Abonnementen", [(1, 1, plans)]), ("Toeslagen", [(2, 2, extras)])],
                 eur, merged=[(0, 1, 5)])


SNELVERS_SEASONS = """Seizoenskalender / seasonal calendar 2026 - prices indicative, per kg, excl. BTW;;;;
Product;Grown in;In season from;In season until;Price per kg (EUR)
White asparagus;Limburg;April;June;9,80
Strawberries (Elsanta);Westland;May;September;6,40
Kale (boerenkool);Noord-Holland;October;February;2,10
Jerusalem artichoke;Flevoland;November;March;3,25
Samphire (zeekraal);Zeeland;June;August;14,50
"""


def _snelvers_tromp_pdf() -> bytes:
    return make_pdf([
        [
            "SNELVERS STORIES  -  Hospitality  -  Amsterdam",
            "# Less in the bin: Huis Tromp's year with Snelvers",
            "Huis Tromp is a family-run group of three brasseries on the Amsterdam canals, and for",
            "most of its twenty years the kitchens were supplied by whoever could come that morning.",
            "By 2023 the group was dealing with eleven suppliers, taking delivery of something almost",
            "every hour, and throwing away a good deal of what arrived. In the spring of 2024 the head",
            "office moved every fresh order to Snelvers, on one delivery a day before breakfast.",
            "The change was less about price than about rhythm. Chefs now order on the app until",
            "22:00 and the crates are in the walk-in fridge by half past six. Spring 2024 is compared",
            "below with spring 2025.",
            "## The figures",
            ["Measure", "Spring 2024", "Spring 2025", "Change"],
            ["Food waste per week", "310 kg", "205 kg", "-34%"],
            ["Suppliers", "11", "2", "-9"],
        ],
        [
            ["Deliveries per week", "68", "18", "-74%"],
            ["Ordering, per chef", "5.5 hours", "1.5 hours", "-4 hours"],
            ["Fresh produce cost", "EUR 41,200", "EUR 38,900", "-6%"],
            "The kitchens noticed the quiet first. \"We used to spend the morning signing delivery",
            "notes; now the morning belongs to the food,\" says Maarten Tromp, who runs the group's",
            "kitchens and whose grandfather opened the first brasserie in 2004.",
            "## What comes next",
            "Huis Tromp opens a fourth brasserie in Haarlem in the autumn of 2026, and it will be",
            "supplied by Snelvers from its first day.",
        ],
    ])


def _snelvers_werkcafe_docx() -> bytes:
    return _docx("Feeding a science park without a loading-bay queue", [
        ("p", "Case study · Contract catering · Utrecht"),
        ("h1", "Feeding a science park without a loading-bay queue"),
        ("p", "Het Werkcafé runs the five staff restaurants of the Utrecht Science Park, serving some 4,000 lunches on "
              "an ordinary weekday. Until last year its loading bay was one of the busiest places on the campus: "
              "vans from seven different wholesalers arrived between seven and eleven, often at the same time, and "
              "the kitchen porters spent much of the morning checking crates rather than preparing vegetables."),
        ("table", [("", "Before Snelvers", "With Snelvers"), ("Wholesalers", "7", "1"),
                   ("Van arrivals per week", "45", "10"), ("Invoices per month", "130", "4"),
                   ("Lunches served per weekday", "4,000", "4,000")]),
        ("p", "Snelvers now makes one consolidated drop at each restaurant before 07:00, from an electric van that "
              "fits under the car park barrier. Invoices arrive once a week rather than with every delivery."),
        ("p", "Head chef Fenna Bakker puts it simply: “My porters peel potatoes again instead of counting boxes, "
              "and the loading bay is quiet by seven.”"),
        ("p", "The contract covers all five restaurants until the end of 2027."),
    ])


SNELVERS_PODCAST = """The Pass — a Snelvers podcast for chefs. Episode 12: buying with the seasons

Sanne de Vries  0:04
Welcome to The Pass. I'm Sanne de Vries, I look after our growers at Snelvers, and today I'm talking to Joris Hendriks, who cooks at Restaurant Vlam in Rotterdam.

Joris Hendriks  0:19
Thanks for having me. We change the menu every six weeks now, because the produce tells us to.

Sanne de Vries  0:31
How did that start?

Joris Hendriks  0:35
Honestly, the samphire. It comes in from Zeeland for about eight weeks in summer, and once the team had cooked with it, imported herbs just tasted of the lorry.

Sanne de Vries  1:02
And what does buying seasonally do to your costs?

Joris Hendriks  1:07
Our vegetable bill fell by about 12 percent in the first year, because in season things are simply cheaper.
"""

SNELVERS_EML_HTML = """<html><body style="font-family:Georgia,serif">
<table width="600" align="center"><tr><td>
<p style="font-size:11px;color:#888">Can't read this e-mail? <a href="#">View it in your browser</a></p>
<h1>Seizoensbrief · September 2026</h1>
<p>Dear chef,</p>
<p>September is the month when the kitchen gardens of Noord-Holland start to hand over to the cellars, and it is
also the month we open our doors. We should very much like you to join us.</p>
<h2>The Chefs' Breakfast</h2>
<p>Our Chefs' Breakfast will be held on Monday 21 September 2026 at the Foodhallen, Bellamyplein 51, Amsterdam.
Coffee is served from 07:30 and the growers' tasting begins at 08:15; we shall be finished well before the lunch
service. Places are limited to 120 chefs.</p>
<h2>From our growers</h2>
<p>The first kale of the season arrives from Noord-Holland in the week of 5 October.</p>
<p style="font-size:11px;color:#888">Snelvers B.V. · Cruquiusweg 40, Amsterdam · You are receiving this letter because
you order with Snelvers. <a href="#">Unsubscribe</a></p>
</td></tr></table></body></html>"""


def _snelvers_eml() -> bytes:
    """An HTML-only newsletter: no plain-text part."""
    message = EmailMessage()
    message["From"] = "Snelvers Seizoensbrief <brief@snelvers.example>"
    message["To"] = "chefs@list.snelvers.example"
    message["Date"] = format_datetime(datetime(2026, 9, 1, 6, 30, tzinfo=timezone.utc))
    message["Subject"] = "Seizoensbrief: the Chefs' Breakfast, and the first kale"
    message.set_content(SNELVERS_EML_HTML, subtype="html")
    return bytes(message)


def _snelvers_deck() -> bytes:
    """A plan deck whose last slide is a table, and whose bullets start with a sentence ending in a colon."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[0])
    first.shapes.title.text = "Snelvers 2026: Nachtlevering"
    first.placeholders[1].text = "Overnight delivery for restaurant kitchens · plan for the partners' meeting"
    for title, bullets in [
        ("What Nachtlevering is", ["Drivers deliver between 01:00 and 05:00 with a key-safe code:",
                                   "Crates go straight into the kitchen's cold room",
                                   "A photo of every drop is sent to the chef",
                                   "No one needs to be on site"]),
        ("Rollout", ["Pilot in Amsterdam Zone A from 2 March 2026", "Rotterdam and Utrecht follow on 4 May 2026",
                     "Antwerp is planned for 2027"]),
    ]:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        body = slide.placeholders[1].text_frame
        body.text = bullets[0]
        for item in bullets[1:]:
            body.add_paragraph().text = item
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Pilot results (12 kitchens, March 2026)"
    rows = [("", "Day delivery", "Nachtlevering"), ("On-time drops", "91%", "99%"),
            ("Kilometres per drop", "6.8 km", "4.1 km"), ("Kitchen time spent receiving", "25 minutes", "0 minutes")]
    table = slide.shapes.add_table(len(rows), 3, Inches(0.5), Inches(1.6), Inches(9), Inches(2.4)).table
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            table.cell(i, j).text = text
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


SNELVERS_HELP = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Report a missing or damaged item : Snelvers Support</title></head>
<body><div class="fw-header"><a href="/support/home" class="fw-logo">Snelvers Support</a>
<a href="/support/tickets/new">Submit a ticket</a> <a href="/support/login">Log in</a></div>
<div class="breadcrumb"><a href="/support/home">Solution home</a> / <a href="/support/orders">Orders</a> /
<a href="/support/orders/problems">Problems with a delivery</a></div>
<div class="fw-content"><h2 class="heading">Report a missing or damaged item</h2>
<p class="article-meta">Modified on: Tue, 3 Mar, 2026 at 9:12 AM</p>
<div class="article-body">
<p>If something is missing from your delivery, or arrives damaged, you can claim a credit in the app until 12:00 on the
day of delivery. To report it:</p>
<ol><li>Open the Snelvers Pro app and tap Orders.</li><li>Choose today's delivery and tap Report a problem.</li>
<li>Select the item, then Missing or Damaged.</li><li>Add a photo of the crate label and tap Send.</li></ol>
<p>The credit appears on your next weekly invoice.</p>
<p><strong>Top tip:</strong> keep the crate until the claim is settled, because our driver collects damaged goods on the
next drop.</p>
<p>For chilled items that arrive warm, call the night desk on +31 20 555 0142 rather than using the app.</p>
</div>
<div class="article-feedback"><p>Did you find it helpful? <a href="#">Yes</a> <a href="#">No</a></p>
<p>Send feedback</p></div></div>
<aside class="fw-sidebar"><h3>Popular articles</h3><ul>{_links(["Change your delivery window",
"Pause deliveries for a holiday", "Return your crates", "Update your key-safe code"])}</ul>
<h3>Articles in this section</h3><ul>{_links(["Report a missing or damaged item", "My order is late"])}</ul></aside>
<div class="fw-footer">© 2026 Snelvers B.V.</div></body></html>"""

SNELVERS_QUALITY = """# Where our food comes from

Snelvers buys directly from about 140 growers and makers, most of them within 150 km of the kitchen they supply. The
largest groups of growers are in these provinces:

1. Westland (South Holland), for tomatoes, peppers and soft fruit
2. Flevoland, for potatoes, onions and root vegetables
3. Noord-Holland, for cabbages and leafy greens
4. Zeeland, for samphire, mussels and sea vegetables

We also hold the certificates a professional kitchen asks for. Our depots are certified to:

* SKAL organic (certificate 022381)
* BRCGS Storage and Distribution, grade AA
* ISO 14001

## How we deliver

Every delivery leaves our depots in Amsterdam and Rotterdam in an electric van or, inside the canal ring, on an
electric cargo bike. Chilled produce travels in reusable cold-chain crates that we collect on the next drop.
"""

SNELVERS_VOICE = """<!doctype html><html><head><title>Brand voice - Marketing - Snelvers Wiki</title></head><body>
<div id="header"><a href="/wiki">Snelvers Wiki</a> <span>Spaces / Marketing / Brand</span></div>
<div id="main"><h1 id="title-text">Brand voice</h1>
<div class="page-metadata">Created by Eva Janssen, last updated on 12 January 2026</div>
<div id="main-content" class="wiki-content">
<p>Snelvers talks to chefs the way a good market trader does: plainly, with a little warmth and no fuss. Most of our
readers are Dutch and read our English as a second language, so we prefer short sentences and ordinary words to
anything clever, and we never rely on idiom that only a Londoner would catch.</p>
<p>We write in British English. We say chef, kitchen and grower; we do not call our customers clients or accounts, and
we never describe our food as premium or artisanal, since both words have been worn out by people with nothing to
sell. When a Dutch word is the better word, such as boerenkool or zeekraal, we use it and give the English in brackets
the first time.</p>
<p>Our colour is Snelvers Green (#2E7D32) on a warm white background. Prices are always written with the euro sign
and two decimals, as €4.50.</p>
</div></div></body></html>"""


def _snelvers_posts() -> bytes:
    """LinkedIn's own posts export (Shares.csv), oldest first as LinkedIn writes them."""
    import csv as _csv

    rows = [
        ("2024-05-14 08:02:11", "We now deliver to 400 kitchens in Amsterdam and Utrecht. Thank you, chefs, for trusting "
                                "a company with a silly Dutch name."),
        ("2025-06-03 07:45:40", "Milestone: 900 kitchens across the Randstad now get their fresh produce from Snelvers, "
                                "and our Rotterdam depot opened this week."),
        ("2026-02-10 09:30:05", "1,500 kitchens! Antwerp joined this winter, and every drop now leaves our depots by "
                                "electric van or cargo bike."),
        ("2026-03-02 06:10:00", "Nachtlevering starts tonight: our first overnight drops for 12 pilot kitchens in "
                                "Amsterdam."),
    ]
    out = io.StringIO()
    writer = _csv.writer(out)
    writer.writerow(["Date", "ShareLink", "ShareCommentary", "SharedUrl", "MediaUrl", "Visibility"])
    for n, (when, text) in enumerate(rows, 1):
        writer.writerow([when, f"https://www.linkedin.com/feed/update/urn:li:share:71{n:05d}", text, "", "", "MEMBER_NETWORK"])
    return out.getvalue().encode("utf-8")


def snelvers() -> Company:
    tariffs, seasons, tromp = "Snelvers_tarieven_2026.xlsx", "snelvers-seizoenskalender-2026.csv", "snelvers-story-huis-tromp.pdf"
    werkcafe, podcast, mail = "snelvers-case-het-werkcafe.docx", "the-pass-episode-12.txt", "seizoensbrief-september.eml"
    deck, help_page, quality = "snelvers-nachtlevering-plan.pptx", "support/report-a-missing-item.html", "where-our-food-comes-from.md"
    voice, posts = "wiki/brand-voice.html", "Shares.csv"
    documents = (
        Document(tariffs, "xlsx", _snelvers_tariffs),
        Document(seasons, "csv", _text(SNELVERS_SEASONS)),
        Document(tromp, "pdf", _snelvers_tromp_pdf),
        Document(werkcafe, "docx", _snelvers_werkcafe_docx),
        Document(podcast, "transcript", _text(SNELVERS_PODCAST)),
        Document(mail, "eml", _snelvers_eml),
        Document(deck, "pptx", _snelvers_deck),
        Document(help_page, "help-html", _text(SNELVERS_HELP)),
        Document(quality, "list-page", _text(SNELVERS_QUALITY)),
        Document(voice, "style-guide", _text(SNELVERS_VOICE)),
        Document(posts, "linkedin", _snelvers_posts),
    )
    questions = (
        Q("s-list-certs", "Which certificates do Snelvers' depots hold?", "list", quality,
          ("SKAL", "BRCGS", "ISO 14001")),
        Q("s-list-provinces", "In which provinces are most Snelvers growers?", "list", quality,
          ("Westland", "Flevoland", "Noord-Holland", "Zeeland")),
        Q("s-list-night", "What does Nachtlevering include?", "list", deck,
          ("cold room", "photo", "No one needs to be on site")),
        Q("s-list-words", "Which words should we not use to describe our food?", "list", voice, ("premium", "artisanal")),
        Q("s-cmp-zones", "Compare the delivery fee per drop in Zone A and Zone C", "comparison", tariffs, ("4.50", "7.50")),
        Q("s-cmp-plans", "What's the difference in monthly fee between the Keuken and Keuken Plus subscriptions?",
          "comparison", tariffs, ("49", "129")),
        Q("s-cmp-minimum", "What is the minimum order in Zone B and in Zone D?", "comparison", tariffs, ("175", "300")),
        Q("s-cmp-season", "Which is more expensive per kg, white asparagus or samphire?", "comparison", seasons,
          ("9,80", "14,50", "Samphire")),
        Q("s-person-tromp", "Who is quoted in the Huis Tromp story?", "person", tromp, ("Maarten Tromp",)),
        Q("s-quote-fenna", "What did Fenna Bakker say about Snelvers?", "person", werkcafe, ("peel potatoes",)),
        Q("s-quote-joris", "What did Joris Hendriks say about costs?", "person", podcast, ("12 percent",)),
        Q("s-person-host", "Who presents The Pass podcast?", "person", podcast, ("Sanne de Vries",)),
        Q("s-summary-tromp", "Summarise the Huis Tromp story in three bullet points", "summary", tromp,
          ("34%", "Maarten Tromp")),
        Q("s-summary-werkcafe", "Give me an overview of the Het Werkcafé case study", "summary", werkcafe,
          ("45", "Fenna Bakker")),
        Q("s-summary-night", "Summarise the Nachtlevering plan", "summary", deck, ("2 March 2026", "99%")),
        Q("s-table-zoned", "What is the free delivery threshold in Zone D?", "table", tariffs, ("900",)),
        Q("s-table-cutoff", "What is the order cut-off on the Keuken Plus subscription?", "table", tariffs, ("23:30",)),
        Q("s-table-deposit", "How much is the crate deposit?", "table", tariffs, ("7.50",)),
        Q("s-table-kale", "When is kale in season?", "table", seasons, ("October", "February")),
        Q("s-ba-waste", "How much food did Huis Tromp throw away per week before Snelvers?", "before-after", tromp,
          ("310 kg",), not_facts=("205 kg",)),
        Q("s-ba-invoices", "How many invoices a month does Het Werkcafé get now?", "before-after", werkcafe, ("4",),
          not_facts=("130",)),
        Q("s-ba-ontime", "What share of drops were on time with Nachtlevering in the pilot?", "before-after", deck,
          ("99%",), not_facts=("91%",)),
        Q("s-fu-zone", "and in Zone B?", "follow-up", tariffs, ("6.00",),
          after=("What is the delivery fee per drop in Zone A?", "| Zone A | Amsterdam, Amstelveen | Mon–Sat | €4.50 | €150 | €450 | [1]")),
        Q("s-fu-said", "What did he say?", "follow-up", tromp, ("morning belongs to the food",),
          after=("Who is quoted in the Huis Tromp story?", "Maarten Tromp, who runs the group's kitchens [1]")),
        Q("s-fu-werkcafe", "And in the Het Werkcafé one?", "follow-up", werkcafe, ("Fenna Bakker",),
          after=("Who is quoted in the Huis Tromp story?", "Maarten Tromp, who runs the group's kitchens [1]")),
        Q("s-date-breakfast", "When and where is the Chefs' Breakfast?", "date-place", mail,
          ("21 September 2026", "Foodhallen")),
        Q("s-date-rotterdam", "When does Nachtlevering start in Rotterdam?", "date-place", deck, ("4 May 2026",)),
        Q("s-date-haarlem", "When does Huis Tromp open its Haarlem brasserie?", "date-place", tromp, ("autumn of 2026",)),
        Q("s-howto-report", "How do I report a missing item?", "how-to", help_page, ("Orders", "Report a problem", "photo")),
        Q("s-howto-warm", "What should I do if chilled items arrive warm?", "how-to", help_page, ("night desk",)),
        Q("s-change-tromp-deliveries", "How did Huis Tromp's deliveries per week change?", "change", tromp, ("68", "18")),
        # added after the first held-out run (that run had 1 answerable change question), written without reading
        # its failures
        Q("s-change-vans", "How did van arrivals per week change at Het Werkcafé?", "change", werkcafe, ("45", "10")),
        # past posts are style examples for Write, never evidence for an answer (rag/answer/decide.py): this was a
        # "change" question in the first held-out run; found unanswerable by design on Sentrel's twin question
        Q("s-un-kitchens-posts", "How has the number of kitchens Snelvers delivers to grown?", "uncovered", posts,
          answerable=False),
        Q("s-un-tips", "Can Snelvers drivers accept tips?", "uncovered", help_page, answerable=False),
        Q("s-un-vegan", "Does Snelvers sell vegan meal boxes to consumers?", "uncovered", None, answerable=False),
        Q("s-un-zonee", "What is the delivery fee in Zone E?", "uncovered", tariffs, answerable=False),
        Q("s-un-fairtrade", "Is Snelvers Fairtrade certified?", "uncovered", quality, answerable=False),
        Q("s-un-revenue", "What was Snelvers' revenue in 2025?", "uncovered", None, answerable=False),
        Q("s-un-vlam-story", "Who is quoted in the Restaurant Vlam case study?", "uncovered", podcast, answerable=False),
    )
    return Company("snelvers", "Snelvers", "fresh produce delivery to restaurants", documents, questions)


def companies() -> tuple[Company, ...]:
    """The five companies; :data:`HELD_OUT` names the one kept apart."""
    return kelpie(), northbeam(), fieldfare(), sentrel(), snelvers()
