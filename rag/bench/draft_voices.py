"""Posts in the team's voice, measured on fixture corpora made in code (nobody's real data).

Each corpus is a made-up company: 10 past LinkedIn posts in a voice of their own, a case study (PDF with a
table, Word with a table, or Markdown) and a style guide written its own way. Per corpus, each brief is drafted
offline (composed) and a 4-post series is planned. Measured:

- topic fact in version 1: the brief's figures (say "11%" and "4%" for an overtime brief) are in version 1;
- names the brief's subject: version 1 names the customer or company the brief names (its first run of capitalised
  words after the first word: "Brewhouse Coffee" of "How Brewhouse Coffee cut overtime with Shiftly"),
  case-insensitively, a possessive too, outside its hashtags (a figure nobody is named for is nobody's);
- invented numbers: figures in any version that no source passage has (0 is the target);
- cut words: words that are only the start of a source word ("caf" of "cafés"; 0 is the target);
- voice traits of version 1, out of 6, from what :class:`~rag.marketing.voice.VoiceProfile` offers: length
  (within the team's 25th-75th percentile words, 20% slack), lines (within 2 of its usual), signature emoji and
  place (its most used emoji at the end of the first line, or none for a team that uses none), closing question
  (as often as the team asks one), hashtags as written (its count, spelled as the team spells them), opener
  (an opener kind the team uses in at least a fifth of its posts);
- style rules kept: violations of the guide's rules over all versions;
- series repeats: a fact or quote told twice, identical posts, posts cut mid-sentence;
- seconds per draft.

The ``harbor`` and ``pathwise`` corpora are held apart: the composer was never tuned on them (``pathwise`` was written
after the composer's last change, as a second check on a voice and layout not seen before).
"""

from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from .documents import make_pdf, write_pdf


@dataclass(frozen=True)
class Corpus:
    name: str
    voice: str  # in plain words, for the table
    posts: list[tuple[str, str]]  # (date, text)
    documents: dict[str, bytes]
    briefs: list[tuple[str, tuple[str, ...]]]  # (brief, the figures version 1 must state)
    series: str
    held_out: bool = False


def _docx(title: str, blocks: list) -> bytes:
    """A Word document: strings are paragraphs ("## " a heading), lists of rows a table."""
    import docx

    d = docx.Document()
    d.add_heading(title, 0)
    for b in blocks:
        if isinstance(b, list):
            t = d.add_table(rows=0, cols=len(b[0]))
            for row in b:
                for cell, value in zip(t.add_row().cells, row):
                    cell.text = value
        elif b.startswith("## "):
            d.add_heading(b[3:], 1)
        else:
            d.add_paragraph(b)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def ruled_pdf(title: str, table: list[list[str]], lines: list[str]) -> bytes:
    """A one-page PDF with a title, a ruled table (read as a table) and lines of text (Latin-1)."""
    import zlib

    ops = ["0.5 w"]
    xs, height, top = [72, 292, 392, 512], 20, 660
    for i, row in enumerate(table):
        y = top - (i + 1) * height
        ops += [f"BT /F1 10 Tf {xs[j] + 4} {y + 6} Td ({cell}) Tj ET" for j, cell in enumerate(row)]
    bottom = top - len(table) * height
    rules = [(xs[0], top - i * height, xs[-1], top - i * height) for i in range(len(table) + 1)]
    rules += [(x, bottom, x, top) for x in xs]
    ops += [f"{x0} {y0} m {x1} {y1} l S" for x0, y0, x1, y1 in rules]
    ops.append(f"BT /F1 18 Tf 72 700 Td ({title}) Tj ET")
    for n, line in enumerate(lines):
        safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"BT /F1 10 Tf 72 {bottom - 40 - 18 * n} Td ({safe}) Tj ET")
    stream = zlib.compress("\n".join(ops).encode("cp1252"))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    return write_pdf(objects)


# 1. Brewhouse Coffee: emoji-heavy (⏰ on every first line, a second emoji now and then), short, closing questions;
#    a case study PDF with the overtime row in a table and as a sentence; a Markdown style guide in a list.
BREWHOUSE = Corpus(
    "brewhouse", "emoji-heavy, short, closing question",
    posts=[
        ("2025-03-04 08:30:00", "Sunday nights are for rest. ⏰\n\nNot for rotas. ☕\n\nWe moved the rota to the app.\n\n"
                                "Who builds your rota?\n\n#hospitality #scheduling #Brewhouse"),
        ("2025-03-11 08:30:00", "Every café opens at 7. ⏰\n\nEvery shift is covered.\n\nNo group chat needed. 🙌\n\n"
                                "How do you cover a sick day?\n\n#hospitality #cafés #Brewhouse"),
        ("2025-03-18 08:30:00", "Baristas swap shifts in one tap. ⏰\n\nManagers approve in two.\n\n"
                                "How long does a swap take you?\n\n#scheduling #teams #Brewhouse"),
        ("2025-03-25 08:30:00", "Overtime is a rota problem. ⏰\n\nFix the rota. ☕\nKeep the evenings.\n\n"
                                "How do you keep overtime down?\n\n#scheduling #hospitality #Brewhouse"),
        ("2025-04-01 08:30:00", "Busy Saturday? ⏰\n\nThe rota saw it coming.\n\nTwo more baristas from 9. ☕\n\n"
                                "What does your busiest hour look like?\n\n#cafés #scheduling #Brewhouse"),
        ("2025-04-08 08:30:00", "New café, same rota. ⏰\n\nOpening day ran like week ten. 🎉\n\n"
                                "What do you set up first?\n\n#hospitality #growth #Brewhouse"),
        ("2025-04-15 08:35:00", "Fair rotas keep people. ⏰\n\nEveryone sees the same plan.\n\nNobody gets every close.\n\n"
                                "How do you share the late shifts?\n\n#teams #hospitality #Brewhouse"),
        ("2025-04-22 08:30:00", "Less overtime, more evenings. ⏰\n\nThat is the whole idea. ☕\n\n"
                                "What would you do with your evenings?\n\n#scheduling #teams #Brewhouse"),
        ("2025-04-29 08:30:00", "The rota is out by Thursday. ⏰\n\nEvery week.\n\nNo more Sunday surprises.\n\n"
                                "When does your rota go out?\n\n#scheduling #cafés #Brewhouse"),
        ("2025-05-06 08:30:00", "Hiring for summer? ⏰\n\nStart with the rota, not the ads. ☕\n\n"
                                "How early do you plan summer?\n\n#hiring #hospitality #Brewhouse"),
    ],
    documents={
        "brewhouse-case-study.pdf": ruled_pdf(
            "Brewhouse Coffee case study",
            [["Metric", "Before", "After (12 months)"], ["Overtime as a share of hours", "11%", "4%"],
             ["Rota hours per week", "6", "1"]],
            ["Brewhouse Coffee grew from 12 to 46 cafés in 4 years.",
             "Rotas were built by hand in spreadsheets every Sunday night.",
             "Brewhouse Coffee rolled out Shiftly scheduling to every café in 2024.",
             "Overtime fell from 11% to 4% of hours after the rollout.",
             "Managers now spend 1 hour a week on the rota instead of 6 hours.",
             "“We stopped guessing the rota. Now the rota tells us.”",
             "— Ana Müller, Head of Operations, Brewhouse Coffee"]),
        "brewhouse-style-guide.md": b"""# Brewhouse social style guide

## LinkedIn posts
- Emoji: 1-3 per post.
- At most 3 hashtags per LinkedIn post.
- Always end with #Brewhouse.
- Write numbers as digits.

## Words
| Avoid | Use instead |
| --- | --- |
| staff | team |
| leverage | use |
""",
    },
    briefs=[("How Brewhouse Coffee cut overtime with Shiftly", ("11%", "4%")),
            ("How much time Brewhouse managers spend on the rota now", ("6", "1"))],
    series="How Brewhouse Coffee cut overtime",
)

# 2. Ledgerly: no emoji, 70-90 words in short paragraphs, one CamelCase brand hashtag, no closing question;
#    a Word case study with the onboarding row in a table; a style guide written as Word prose.
_LEDGERLY_POSTS = [
    "Month-end close used to eat the first week of every month for our finance team. Spreadsheets went back and forth "
    "between five people.\n\nWe moved every reconciliation into one shared checklist, with an owner for each line. "
    "Nobody waits on an email to know what is done.\n\nThe close now fits in three days, and the team leaves on time. "
    "That is the kind of progress we like to talk about.\n\n#LedgerLy",
    "Finance teams do not need more dashboards. They need fewer places to look when a number does not match.\n\n"
    "That is why every entry in Ledgerly links back to the document it came from. One click, and the invoice is "
    "there.\n\nAuditors noticed first. They asked fewer questions, and the questions they asked were answered the "
    "same day.\n\n#LedgerLy",
    "A new controller joined a customer of ours last month. On day one she could see who owned every account and "
    "what was still open.\n\nNo handover document, no shadowing for a week. The checklist told her what mattered and "
    "when it was due.\n\nGood onboarding is mostly good structure. The rest is a friendly team.\n\n#LedgerLy",
    "We talk to a lot of finance leaders. The same worry comes up every time: what happens when the one person who "
    "knows the process is away?\n\nWritten steps, shared owners and a clear trail answer most of it. Knowledge stops "
    "living in one head.\n\nIt is not glamorous work. It is the work that lets a team take a holiday.\n\n#LedgerLy",
    "Our spring release is out today for every workspace. Approvals now happen inside the checklist, not in a "
    "separate inbox.\n\nManagers see what waits for them in one list. Everyone else sees where their item is.\n\n"
    "It came from customer calls, as most of our features do. Thank you to everyone who asked for it.\n\n#LedgerLy",
    "Accruals are where month-end goes to hide. Small items, many owners, no single place to see them all.\n\n"
    "We built a view that lists every open accrual with its owner and its due date. Teams clear them days earlier.\n\n"
    "It is a small change on screen. On the calendar it is a big one, and people feel it.\n\n#LedgerLy",
    "Audit season is calmer when the evidence is already attached. Our customers stopped building binders in "
    "March.\n\nEach reconciliation carries its support, and each change carries a name and a date. The auditor reads "
    "instead of asking.\n\nThat saves weeks on both sides, and it makes the conversation friendlier too.\n\n#LedgerLy",
    "Finance is a team sport, even if it rarely looks like one from the outside. The close depends on people "
    "outside finance too.\n\nSo we made it easy to invite a colleague to one task without giving them the whole "
    "ledger.\n\nSales sends the contract, operations confirms the delivery, and the entry is done.\n\n#LedgerLy",
    "We hosted our first customer roundtable in Leeds last week. Twelve finance leads, one long table and a lot of "
    "coffee.\n\nThe theme was simple: fewer handoffs. Every handoff is a place where work waits and errors creep in.\n\n"
    "We left with a list of ideas, and a few of them are already in progress.\n\n#LedgerLy",
    "Reporting should start from clean data, not from a clean-up. That is the whole idea behind our daily checks.\n\n"
    "Every morning the ledger flags what does not match, while it is still small and easy to fix.\n\n"
    "By month-end, there is very little left to chase, and the numbers are ready when people need them.\n\n#LedgerLy",
]
LEDGERLY = Corpus(
    "ledgerly", "no emoji, 70-90 words in paragraphs, one #LedgerLy",
    posts=[(f"2025-0{1 + i // 4}-{6 + 7 * (i % 4):02d} 07:15:00", t) for i, t in enumerate(_LEDGERLY_POSTS)],
    documents={
        "northgate-case-study.docx": _docx("Northgate Logistics case study", [
            "Northgate Logistics runs finance for 14 depots across the north of England.",
            "## The challenge",
            "New finance hires learned the close from whoever had time, and onboarding took 8 weeks.",
            "## What they did",
            "Northgate Logistics moved its close into Ledgerly checklists, with an owner for every step.",
            "## Results",
            [["Metric", "Before", "After (6 months)"], ["Onboarding time for new finance hires", "8 weeks", "3 weeks"],
             ["Month-end close", "9 days", "4 days"]],
            "Northgate Logistics cut its month-end close from 9 days to 4 days.",
            "Audit queries answered within a day rose from 40% to 90%.",
            "“New people find their feet in days now, because the checklist is the handover.”",
            "— Priya Shah, Finance Director, Northgate Logistics",
        ]),
        "ledgerly-brand-voice.docx": _docx("Ledgerly brand voice", [
            "We write the way a calm finance lead talks: plain, precise and warm.",
            "We never use emoji in posts. Every post ends with #LedgerLy, written exactly like that, and we use no "
            "more than one hashtag in a LinkedIn post.",
            "Please avoid the word “seamless”; say “smooth” instead. Don't write “utilize”, write “use”.",
            "Numbers are always written as digits.",
        ]),
    },
    briefs=[("How Northgate Logistics cut onboarding time for new finance hires", ("8 weeks", "3 weeks")),
            ("How Northgate Logistics shortened its month-end close", ("9 days", "4 days"))],
    series="How Northgate Logistics cut onboarding time",
)

# 3. BrightSmile Dental: an emoji or two, medium length, closing questions, two hashtags; a PDF case study with
#    the no-show figures as sentences; a Markdown style guide with an avoid table and prose limits.
BRIGHTSMILE = Corpus(
    "brightsmile", "some emoji, medium, closing question",
    posts=[
        ("2025-02-03 12:00:00", "An empty chair costs more than you think. 🦷\n\nEvery missed visit is a patient who "
                                "waits longer.\n\nWhat do you do when a patient doesn't show up?\n\n#dentistry #clinics"),
        ("2025-02-10 12:00:00", "Reminders work when they are personal. 💬\n\nA name, a time, one tap to confirm.\n\n"
                                "How do you remind your patients?\n\n#patientcare #clinics"),
        ("2025-02-17 12:05:00", "Front desks are busy. 📞\n\nSo we answer the easy questions before the phone rings.\n\n"
                                "What do patients ask you most?\n\n#dentistry #frontdesk"),
        ("2025-02-24 12:00:00", "No-shows are not a patient problem. 🦷\n\nThey are a reminder problem.\n\n"
                                "How many no-shows did you have last month?\n\n#clinics #patientcare"),
        ("2025-03-03 12:00:00", "We visited 6 clinics last week. 🚗\n\nSame question everywhere: how do we fill the "
                                "gaps?\n\nWhere are the gaps in your diary?\n\n#dentistry #clinics"),
        ("2025-03-10 12:00:00", "Check-in should take a minute. ⏱️\n\nNot a clipboard and a queue.\n\n"
                                "How long does check-in take at your clinic?\n\n#frontdesk #patientcare"),
        ("2025-03-17 12:00:00", "Patients reschedule when it is easy. 🦷\n\nMake it one message.\n\n"
                                "How do patients move an appointment with you?\n\n#clinics #patientcare"),
        ("2025-03-24 12:00:00", "A full diary is a calm diary. 📅\n\nFewer gaps, fewer rushed days.\n\n"
                                "What fills your diary best?\n\n#dentistry #clinics"),
        ("2025-03-31 12:00:00", "Our spring meetup is in Utrecht. 🎉\n\nCome for the talks, stay for the stroopwafels.\n\n"
                                "Will we see you there?\n\n#events #dentistry"),
        ("2025-04-07 12:00:00", "Good reminders sound like your clinic. 💬\n\nNot like a robot.\n\n"
                                "What tone do your reminders take?\n\n#patientcare #clinics"),
    ],
    documents={
        "brightsmile-case-study.pdf": make_pdf([[
            "# BrightSmile Dental case study",
            "BrightSmile Dental runs 63 clinics in the Netherlands and Belgium.",
            "## The challenge",
            "Front desks called every patient by hand the day before an appointment.",
            "## Results",
            "After the group adopted automated reminders, no-shows fell from 14% to 6% within four months.",
            "Average check-in time went down from 22 minutes to 9 minutes.",
            "\"Patients turn up, and our front desks finally have time to talk to them,\" says Dr. Priya Raman, "
            "Chief Operating Officer at BrightSmile Dental.",
        ]]),
        "brightsmile-style-guide.md": "# BrightSmile style guide\n\nOur posts are friendly and clear. Use one or two "
                                      "emoji, never more than 2, and no more than two hashtags in a post.\n\n"
                                      "| Avoid | Use instead |\n| --- | --- |\n| utilize | use |\n| patients' journey | "
                                      "visit |\n".encode(),
    },
    briefs=[("How BrightSmile Dental cut no-shows with reminders", ("14%", "6%")),
            ("How BrightSmile Dental made check-in faster", ("22 minutes", "9 minutes"))],
    series="How BrightSmile Dental cut no-shows",
)

# Held apart (never tuned on): Harbor Freight Co, a logistics team with list-style posts and a CTA-ish voice.
HARBOR = Corpus(
    "harbor", "held apart: lists, one emoji, 2 hashtags",
    posts=[
        ("2025-05-05 09:45:00", "3 things our drivers asked for: 🚚\n\n- Fewer phone calls\n- Clear routes\n- Paid on "
                                "time\n\nWhat would your drivers ask for?\n\n#logistics #drivers"),
        ("2025-05-12 09:45:00", "Dispatch is a conversation. 🚚\n\nWe made it a short one.\n\nHow long are your dispatch "
                                "calls?\n\n#logistics #dispatch"),
        ("2025-05-19 09:45:00", "Empty miles are lost money. 🚚\n\n- Plan the return load\n- Share it early\n\n"
                                "How do you plan return loads?\n\n#logistics #freight"),
        ("2025-05-26 09:50:00", "A late truck is a late shelf. 🚚\n\nWe track both.\n\nWhat do you track first?\n\n"
                                "#freight #retail"),
        ("2025-06-02 09:45:00", "Paperwork at the dock slows everything. 🚚\n\n- Scan once\n- Sign once\n\n"
                                "How many signatures does your dock need?\n\n#logistics #warehouse"),
        ("2025-06-09 09:45:00", "Drivers stay where they are respected. 🚚\n\nRoutes that make sense are respect.\n\n"
                                "What keeps your drivers?\n\n#drivers #logistics"),
        ("2025-06-16 09:45:00", "Our new depot opens in Hull. 🚚\n\nTwelve bays, one team.\n\nWho is coming to the "
                                "opening?\n\n#logistics #events"),
        ("2025-06-23 09:45:00", "Detention time is nobody's friend. 🚚\n\n- Book slots\n- Keep them\n\n"
                                "How long do your trucks wait?\n\n#freight #warehouse"),
        ("2025-06-30 09:45:00", "Good routes start with good data. 🚚\n\nWe clean ours daily.\n\nHow fresh is your "
                                "route data?\n\n#logistics #data"),
        ("2025-07-07 09:45:00", "Fuel is the biggest line we control. 🚚\n\n- Idle less\n- Route better\n\n"
                                "Where does your fuel go?\n\n#freight #logistics"),
    ],
    documents={
        "harbor-case-study.md": """# Harbor Freight Co case study

Harbor Freight Co moves groceries for 30 stores along the east coast.

## The challenge
Trucks waited at the docks for hours, and drivers logged detention by hand.

## What they did
Harbor Freight Co introduced booked dock slots and shared them with every store.

## Results
| Metric | Before | After (9 months) |
| --- | --- | --- |
| Average detention time per truck | 95 minutes | 25 minutes |
| Empty miles | 18% | 11% |

Harbor Freight Co cut empty miles from 18% to 11% by planning return loads.
“Our drivers drive now. They used to wait.” says Tom Reyes, Head of Fleet at Harbor Freight Co.
""".encode(),
        "harbor-style-guide.md": b"""# Harbor voice

- Never more than 1 emoji per post.
- Use at most two hashtags.
- Say "drivers", not "truckers".

| Avoid | Use instead |
| --- | --- |
| truckers | drivers |
""",
    },
    briefs=[("How Harbor Freight Co cut detention time at the docks", ("95 minutes", "25 minutes")),
            ("How Harbor Freight Co reduced empty miles", ("18%", "11%"))],
    series="How Harbor Freight Co cut detention time",
    held_out=True,
)

# Held apart too (written after the composer's last change, never tuned on): Pathwise, warehouse routing software,
# long-form storytelling posts in single short lines (no blank lines between most of them), no hashtags, no emoji,
# no closing question; an HTML case study with its results in a table; a plain-text style guide in prose.
_PATHWISE_POSTS = [
    "Last spring a shift lead in Leicester sent us a photo of her step counter.\nIt said 31,000.\nBy lunch.\n"
    "She was not training for anything. She was picking orders.\nThe aisles were laid out for the products, not for "
    "the people walking them.\nWe spent a week on that floor with her team, mapping every route they took.\n"
    "Most of the walking was coming back for things they had passed ten minutes earlier.\nThat is the problem we "
    "still work on every day.\nNot faster people. Shorter walks.",
    "A picker told us the worst part of his day was not the walking.\nIt was the moment at the end of a route when the "
    "scanner said an item was missing.\nHe knew it meant going back across the whole building.\nSo we started there.\n"
    "Routes now check stock before they start, not after.\nIf something is short, the route changes before anyone "
    "moves.\nHe says the day feels calmer now.\nThat was the word he used, calmer, and it stuck with the whole team.",
    "We get asked why our release notes read like stories.\nIt is because every feature started as one.\n"
    "A supervisor who could not see which orders were late until it was too late.\nA new starter who was handed a "
    "paper map on day one.\nA night shift that had nobody to ask.\nEach of those became something in the product.\n"
    "We would rather tell you about the people than the buttons.\nThe buttons only matter because of them.",
    "Peak season is not one busy day.\nIt is six weeks of busy days, one after another, with the same people.\n"
    "The teams that get through it well do not work harder in week six.\nThey planned week six in August.\n"
    "They know which aisles will jam and which shifts will need help.\nThey move the fast sellers closer to the "
    "packing bench before the rush, not during it.\nNone of it is glamorous.\nAll of it is the difference between "
    "a hard season and a broken one.",
    "One of our customers runs a warehouse that used to be a cinema.\nThe floor slopes.\nThe aisles curve.\n"
    "No routing tool they tried could make sense of it.\nWe drew the building by hand with their team, aisle by aisle, "
    "and taught the software where the slope was.\nIt took two days.\nThe pickers still laugh about the day we "
    "measured the old projection room.\nBut their routes finally make sense, and nobody walks uphill twice.",
    "Our first customer is still with us, eight years on.\nWhen we asked them why, the answer was not a feature.\n"
    "It was that we picked up the phone at 5 a.m. on a Monday when their system went down.\nWe have grown a lot "
    "since then.\nThat phone is still answered by someone who knows warehouses.\nWe intend to keep it that way, "
    "however big we get.\nSoftware is only half of what people buy from us.",
    "There is a myth that warehouse work is simple.\nSpend a shift on a floor and you will see how much judgement it "
    "takes.\nWhich order first. Which cart. Which aisle to avoid at ten past two because the delivery is in.\n"
    "Good pickers carry a map of the whole building in their heads.\nOur job is to put that map on a screen so that "
    "new people can have it from day one.\nThe experienced ones usually tell us where we got it wrong.\nThey are "
    "nearly always right.",
    "We opened our Manchester office this month.\nIt is ten minutes from three of our customers' sites.\n"
    "That matters more than it sounds.\nMost of what we build starts with someone standing in an aisle, pointing at "
    "a shelf and saying this is where it goes wrong.\nYou cannot do that from a video call.\nSo the team in "
    "Manchester will spend half its week on warehouse floors.\nThe other half, they will be building what they saw.",
    "A night shift supervisor wrote to us last week.\nShe had run the same site for eleven years and had never had "
    "a quiet peak.\nThis year she did.\nShe did not credit the software.\nShe credited the planning her team did in "
    "the summer, with the software showing them where the jams would be.\nThat is exactly how it should work.\n"
    "People plan. The tool shows them what they cannot see from where they stand.",
    "Every warehouse we visit has a wall of paper somewhere.\nShift plans, aisle maps, a list of who is trained on "
    "which truck.\nWe never ask people to take the wall down.\nWe ask what they look at most often, and we start "
    "there.\nUsually it is the list of late orders.\nSometimes it is the whiteboard with the day's problem aisle "
    "circled in red.\nThe wall tells you what a team actually needs.\nThe software should follow it, not replace it.",
]
PATHWISE = Corpus(
    "pathwise", "held apart: long-form stories in short lines, no hashtags, no emoji",
    posts=[(f"2025-0{3 + i // 4}-{3 + 7 * (i % 4):02d} 16:10:00", t) for i, t in enumerate(_PATHWISE_POSTS)],
    documents={
        "kestrel-foods-case-study.html": """<html><head><title>Kestrel Foods case study</title></head><body>
<h1>Kestrel Foods case study</h1>
<p>Kestrel Foods ships chilled food to 220 shops from one warehouse in Doncaster.</p>
<h2>The challenge</h2>
<p>Pickers walked the whole building for every order, and mistakes were only found at the packing bench.</p>
<h2>What they did</h2>
<p>Kestrel Foods switched to Pathwise routes, which group orders by aisle and check stock before a route starts.</p>
<h2>Results</h2>
<table>
<tr><th>Metric</th><th>Before</th><th>After (8 months)</th></tr>
<tr><td>Picking errors per 1,000 orders</td><td>12</td><td>3</td></tr>
<tr><td>Walking distance per shift</td><td>14 km</td><td>8 km</td></tr>
</table>
<p>Picking errors fell from 12 to 3 per 1,000 orders after the switch.</p>
<p>“Our pickers finish a shift without that tired, lost feeling. The routes make sense to them.” says Joanne Pike,
Warehouse Manager at Kestrel Foods.</p>
</body></html>""".encode(),
        "pathwise-writing-notes.txt": b"""Pathwise writing notes

We tell one true story per post, in short lines, the way you would tell it to a colleague on the warehouse floor.
We never use hashtags, and we never use emoji. Please don't write "synergy"; write "teamwork" instead.
Keep every post under 160 words.
""",
    },
    briefs=[("How Kestrel Foods cut picking errors with Pathwise", ("12", "3")),
            ("How Kestrel Foods cut walking distance for its pickers", ("14 km", "8 km"))],
    series="How Kestrel Foods cut picking errors",
    held_out=True,
)

CORPORA = {c.name: c for c in (BREWHOUSE, LEDGERLY, BRIGHTSMILE, HARBOR, PATHWISE)}


def _shares_csv(posts: list[tuple[str, str]]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["Date", "ShareLink", "ShareCommentary", "SharedUrl", "MediaUrl", "Visibility"])
    for n, (date, text) in enumerate(posts, 1):
        w.writerow([date, f"https://www.linkedin.com/feed/update/urn:li:share:8{n:05d}", text, "", "", "MEMBER_NETWORK"])
    return out.getvalue().encode()


def build(store, corpus: Corpus, folder: Path) -> None:
    from ..ingest.pipeline import ingest_bytes, ingest_paths

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Shares.csv").write_bytes(_shares_csv(corpus.posts))
    ingest_paths(store, [folder / "Shares.csv"], workspace=corpus.name)
    for name, data in corpus.documents.items():
        ingest_bytes(store, name, data, workspace=corpus.name)


# the measures
_FIG = re.compile(r"\d[\d,.]*\d|\d")
_WORD = re.compile(r"[^\W_]+")


def brief_subject(brief: str) -> str:
    """The customer or company a brief names: its first run of capitalised words after the first word ("How Brewhouse
    Coffee cut overtime with Shiftly" -> "Brewhouse Coffee"; "How much time Brewhouse managers ..." -> "Brewhouse")."""
    tokens = re.findall(r"\S+", brief)
    run: list[str] = []
    for word in tokens[1:]:
        if word[:1].isupper() or (run and word == "&"):
            run.append(word.rstrip(",.:;!?"))
        elif run:
            break
    return " ".join(run)


def names_subject(text: str, subject: str) -> bool:
    """Whether ``text`` names ``subject`` (case-insensitive, "Brewhouse Coffee's" too) outside its hashtag lines."""
    body = "\n".join(line for line in text.splitlines() if not line.strip().startswith("#"))
    return bool(subject) and bool(re.search(rf"(?<![\w&#]){re.escape(subject)}(?:['’]s)?(?![\w&])", body, re.I))


def invented_numbers(text: str, sources: str) -> list[str]:
    have = {f.replace(",", "") for f in _FIG.findall(sources)}
    return [f for f in _FIG.findall(text) if f.replace(",", "").rstrip(".") not in have]


def cut_words(text: str, sources: str) -> list[str]:
    """Words that are only the start of a source word ("caf" of "cafés")."""
    have = {w.lower() for w in _WORD.findall(sources)}
    return [w for w in _WORD.findall(text) if w.lower() not in have and any(h.startswith(w.lower()) and len(h) > len(w)
                                                                            for h in have)]


def _pairs(text: str) -> list[tuple[str, str]]:
    """The before-and-after figures a text states ("from 11% to 4%", "11% → 4%", "1 hour instead of 6 hours")."""
    from ..marketing.facts import _pair

    out = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        s = re.sub(r"([$€£]?\d\S*(?:\s[^\W\d_]+)?)\s*→\s*", r"from \1 to ", sentence, count=1)  # "11% → 4%"
        before, after = _pair(s)
        if before and after:
            out.append((re.sub(r"\s", "", before.lower()), re.sub(r"\s", "", after.lower())))
    return out


def voice_traits(text: str, profile, spelled: dict[str, str]) -> dict[str, bool]:
    """The six traits of a post against the team's template, measured as the Write page's "Voice match" check measures
    them (:func:`rag.marketing.voice.check_voice`), so the benchmark and the check never disagree; a hashtag is also
    "as written" only in the team's most used spelling (``spelled``)."""
    from ..marketing.voice import check_voice, hashtags_in, plain

    names = {"hashtags": "hashtags as written"}
    out = {names.get(t.name, t.name): t.matched for t in check_voice(text, profile).traits}
    out["hashtags as written"] = out["hashtags as written"] and all(spelled.get(t.lower(), t) == t
                                                                    for t in hashtags_in(plain(text)))
    return out


@dataclass
class CorpusTally:
    drafts: int = 0
    versions: int = 0
    topic_fact_v1: int = 0
    names_subject_v1: int = 0
    invented: int = 0
    cut: int = 0
    traits: int = 0
    traits_total: int = 0
    traits_fewest: int | None = None  # the fewest traits one version 1 matched (the target is for every draft)
    style_violations: int = 0
    series_posts: int = 0
    series_repeats: int = 0
    series_cut: int = 0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    def as_row(self) -> dict:
        return {
            "drafts": self.drafts,
            "topic_fact_in_v1": f"{self.topic_fact_v1}/{self.drafts}",
            "names_subject_in_v1": f"{self.names_subject_v1}/{self.drafts}",
            "invented_numbers": self.invented,
            "cut_words": self.cut,
            "voice_traits_v1": f"{self.traits}/{self.traits_total}",
            "fewest_traits_v1": self.traits_fewest,
            "style_violations": self.style_violations,
            "series_posts": self.series_posts,
            "series_repeats": self.series_repeats,
            "series_cut_posts": self.series_cut,
            "seconds_per_draft": round(self.seconds / self.drafts, 2) if self.drafts else None,
            "misses": self.misses,
            "example_v1": self.examples[:1],
        }


def measure(store, corpus: Corpus) -> CorpusTally:
    from datetime import date

    from ..marketing.recipes import _tag_case, draft
    from ..marketing.series import plan_series
    from ..marketing.style_rules import check_rules

    tally = CorpusTally()
    settings = store.settings.with_(workspace=corpus.name)
    spelled = _tag_case(store, corpus.name)
    posts = "\n".join(text for _, text in corpus.posts)
    for brief, figures in corpus.briefs:
        started = time.monotonic()
        result = draft(store, "linkedin-post", brief, corpus.name, settings=settings, user=None)
        tally.seconds += time.monotonic() - started
        tally.drafts += 1
        sources = "\n".join(h.text for h in result.facts)
        if result.refused:
            tally.misses.append(f"{brief}: refused ({'; '.join(n.text for n in result.notices if n.code != 'composed')})")
            continue
        v1 = result.publishable
        tally.examples.append(v1)
        if all(f in v1 for f in figures):
            tally.topic_fact_v1 += 1
        else:
            tally.misses.append(f"{brief}: version 1 lacks {', '.join(f for f in figures if f not in v1)}")
        if names_subject(v1, brief_subject(brief)):
            tally.names_subject_v1 += 1
        else:
            tally.misses.append(f"{brief}: version 1 doesn't name {brief_subject(brief)}")
        for v in [result] + result.alternatives:
            tally.versions += 1
            tally.invented += len(invented_numbers(v.publishable, sources))
            cut = cut_words(v.publishable, sources + "\n" + posts)  # a closing line or hashtag comes from the posts
            tally.cut += len(cut)
            if cut:
                tally.misses.append(f"{brief}: cut words {', '.join(cut)}")
            tally.style_violations += len(check_rules(v.text, v.rules, "linkedin-post", v.names))
        if result.voice is not None:
            traits = voice_traits(result.text, result.voice, spelled)
            tally.traits += sum(traits.values())
            tally.traits_total += len(traits)
            got = round(6 * sum(traits.values()) / len(traits))
            tally.traits_fewest = got if tally.traits_fewest is None else min(tally.traits_fewest, got)
            missed = [k for k, ok in traits.items() if not ok]
            if missed:
                tally.misses.append(f"{brief}: voice differs in {', '.join(missed)}")
    series = plan_series(store, corpus.series, 4, corpus.name, start=date(2026, 12, 1), settings=settings, user=None)
    posts = [p.draft for p in series.posts]
    tally.series_posts = len(posts)
    stated = [f for p in posts for f in p.stated]
    # a fact told twice: the same source line, the same before-and-after figures in other words (a table row in one
    # post, its sentence in another), or two identical posts
    pairs = [pair for p in posts for pair in dict.fromkeys(_pairs(p.publishable))]
    tally.series_repeats = (len(stated) - len(set(stated))) + (len(pairs) - len(set(pairs))) + \
        (len(posts) - len({p.publishable for p in posts}))
    for p in posts:
        lines = [line.strip() for line in p.publishable.splitlines() if line.strip()]
        if any(not line.startswith("#") and not re.search(r"[.!?:”\"]\W*$", line) for line in lines):
            tally.series_cut += 1
    return tally
