"""Answers shaped by what is asked: lists with every item, comparisons side by side, summaries, people, follow-ups, labels.

The documents here are a third company's (ShiftPal, rota software), written in other layouts than
the marketing set's: lists introduced by a sentence ending in a colon, lists whose bullets were lost,
a plan table, a case study with a quote on one line with its speaker.
"""

from __future__ import annotations

import pytest

from rag.answer.asked import classify, judge
from rag.answer.chain import AskOptions, Turn, ask, weak_match
from rag.answer.followup import resolve_follow_up
from rag.answer.quote import units_of
from rag.ingest.pipeline import ingest_bytes
from rag.types import Citation
from tests.fixtures import passage_hit as _hit
from tests.fixtures import quoted as _quote

INTEGRATIONS = """ShiftPal sends approved hours straight to your payroll system.

ShiftPal integrates with the following payroll systems:

- Gusto
- ADP
- Xero Payroll
- Sage Payroll

Payroll integrations are available on the Team and Business plans."""

BARE_LIST = """We hold the following certifications:
SOC 2 Type II
ISO 27001
Cyber Essentials Plus

All data is stored in the EU (Frankfurt) and encrypted at rest."""

PLANS = """| Plan | Seats | Price per month |
| --- | --- | --- |
| Starter | 10 | $29 |
| Team | 60 | $99 |
| Business | 250 | $249 |

Extra seats cost $2 per seat per month on every plan."""

CASE = """# Brewhouse Coffee case study

Brewhouse Coffee runs 46 cafés across the north of England. Before ShiftPal, managers built rotas in spreadsheets.

## Results

Overtime fell from 11% to 4% of hours within 12 months. Rota planning time dropped from 6 hours to 45 minutes a week.

"ShiftPal gave our managers their Sunday evenings back. Swapping shifts used to take a dozen phone calls; now it takes a tap."
— Priya Natarajan, Head of Operations, Brewhouse Coffee

## Timeline

In March 2024 Brewhouse piloted ShiftPal in 5 cafés. By June 2024 all 46 cafés were live.
"""

LUMEN = """# Lumen Fitness case study

Lumen Fitness runs 18 gyms. No-shows for staff shifts fell from 9% to 2% after switching to ShiftPal.

"Our coaches finally see their shifts a month ahead." — Tom Becker, COO, Lumen Fitness
"""

KIOSK = """# Set up the time clock kiosk

1. Open Settings and choose Time clock.
2. Click Add kiosk and name it.
3. Open the kiosk link on the tablet.

Tip: you can copy last week's rota to save time."""


@pytest.mark.parametrize("question, kind", [
    ("Which payroll systems does ShiftPal integrate with?", "list"),
    ("Which certifications do you hold?", "list"),
    ("What languages does the app support?", "list"),
    ("List the integrations", "list"),
    ("What discount do nonprofits get?", "figure"),
    ("What does the Scale plan cost?", "figure"),
    ("What's the difference in seat limits between the Team and Business plans?", "comparison"),
    ("How many users do the Team and Business plans include?", "comparison"),
    ("Compare the Starter and Team plans", "comparison"),
    ("How much faster did Acme & Co get at onboarding?", "figure"),  # "&" joins one name, not two
    ("Summarise the Brewhouse Coffee case study in three bullet points", "summary"),
    ("Give me an overview of our latest launch", "summary"),
    ("What is the Brewhouse case study about?", "summary"),
])
def test_question_kinds(question, kind):
    assert classify(question).kind == kind


def test_a_list_introduced_by_a_sentence_is_quoted_with_every_item(store):
    answer = _quote(store, "Which payroll systems does ShiftPal integrate with?", _hit(INTEGRATIONS))
    for item in ("Gusto", "ADP", "Xero Payroll", "Sage Payroll"):
        assert f"- {item}\n" in answer + "\n"
    assert "following payroll systems" in answer  # the sentence that says what the items are


def test_a_list_whose_bullets_were_lost_is_still_a_list(store):
    units = units_of(_hit(BARE_LIST), 1)
    listed = [u for u in units if u.kind == "list"]
    assert listed and listed[0].text.splitlines() == ["- SOC 2 Type II", "- ISO 27001", "- Cyber Essentials Plus"]
    answer = _quote(store, "Which certifications do you hold?", _hit(BARE_LIST))
    assert "- ISO 27001" in answer and "- Cyber Essentials Plus" in answer


def test_a_paragraph_of_short_sentences_is_not_taken_for_a_list():
    text = "Our rota tool is fast.\nIt is simple.\nTry it today."
    assert not [u for u in units_of(_hit(text), 1) if u.kind == "list"]


@pytest.mark.parametrize("question", [
    "What's the difference in seat limits between the Team and Business plans?",
    "How many users do the Team and Business plans include?",
])
def test_a_comparison_gives_both_rows_side_by_side(store, question):
    answer = _quote(store, question, _hit(PLANS))
    assert "| Team | 60 | $99 |" in answer and "| Business | 250 | $249 |" in answer
    assert "| Plan | Seats | Price per month |" in answer  # read with the header
    assert "$2 per seat" not in answer
    verdict, _ = judge(classify(question), answer)
    assert verdict is True


def test_a_comparison_missing_one_side_is_not_called_an_answer():
    asked = classify("How many seats do the Team and Enterprise plans include?")
    verdict, reason = judge(asked, "| Plan | Seats |\n| --- | --- |\n| Team | 60 |\n\n[1]")
    assert verdict is False and "Enterprise" in reason


def test_a_summary_is_key_points_across_the_document_in_its_order(store):
    hits = [_hit(part, "brewhouse.md") for part in CASE.split("## ")]
    answer = _quote(store, "Summarise the Brewhouse Coffee case study in three bullet points", *hits)
    lines = answer.splitlines()
    assert len(lines) == 3 and all(line.startswith("- ") for line in lines)
    assert "46 cafés" in lines[0]
    assert "from 11% to 4%" in answer
    assert "Priya Natarajan" in answer  # the quote with who said it
    verdict, _ = judge(classify("Summarise the Brewhouse Coffee case study"), answer)
    assert verdict is True


@pytest.mark.parametrize("previous, follow_up, expected", [
    ("Who is quoted in the Brewhouse Coffee case study?", "and for Lumen Fitness?",
     "Who is quoted in the Lumen Fitness case study?"),
    ("How much did overtime fall at Brewhouse Coffee?", "what about Lumen Fitness?",
     "How much did overtime fall at Lumen Fitness?"),
    ("How much does the Team plan cost per month?", "and for the Scale plan?",
     "How much does the Scale plan cost per month?"),
    ("How long did Acme & Co take to onboard carriers?", "and Northwind?",
     "How long did Northwind take to onboard carriers?"),
])
def test_a_follow_up_swaps_the_whole_entity(previous, follow_up, expected):
    assert resolve_follow_up(follow_up, (Turn(previous, ""),)) == expected


@pytest.mark.parametrize("question, answer", [
    ("How do I contact support by phone?", "1. Open Settings and choose Rota.\n2. Click Publish.\n\n[1]"),
    ("Can ShiftPal split tips?", "Tip: you can copy last week's rota to save time. [1]"),
    ("Do you use cookies?", "Open the kiosk link on the tablet. [1]"),
])
def test_an_answer_of_the_right_shape_on_another_subject_is_not_called_an_answer(question, answer):
    verdict, reason = judge(classify(question), answer, "kiosk.md\nSet up the time clock kiosk")
    assert verdict is False and "anything about" in reason


def test_on_subject_answers_keep_their_label():
    verdict, _ = judge(classify("How do I set up the time clock kiosk?"),
                       "1. Open Settings and choose Time clock.\n2. Click Add kiosk and name it.\n\n[1]",
                       "kiosk.md\nSet up the time clock kiosk")
    assert verdict is True


def test_quotes_under_the_relevance_floor_carry_a_weak_match_notice():
    weak = _hit("Set up the time clock kiosk.", "kiosk.md", similarity=0.18)
    citation = Citation(1, weak.doc_id, weak.file, None, "", weak.text, 1.0, chunk_id=weak.chunk_id)
    notices = weak_match([citation], [weak], threshold=0.25)
    assert [n.code for n in notices] == ["weak_match"] and "18%" in notices[0].text
    strong = _hit("Set up the time clock kiosk.", "kiosk.md", similarity=0.6)
    assert weak_match([citation], [strong], threshold=0.25) == []


@pytest.fixture
def shiftpal(store):
    for name, text in {"integrations.md": INTEGRATIONS, "plans.md": "# Plans\n\n" + PLANS, "brewhouse.md": CASE,
                       "lumen.md": LUMEN, "kiosk.md": KIOSK, "security.md": "# Security\n\n" + BARE_LIST}.items():
        ingest_bytes(store, name, text.encode())
    return store


@pytest.mark.slow
def test_shapes_end_to_end(shiftpal):
    listed = ask(shiftpal, "Which payroll systems does ShiftPal integrate with?", user=None)
    assert all(x in listed.answer for x in ("Gusto", "ADP", "Xero Payroll", "Sage Payroll")) and listed.answers_question

    compared = ask(shiftpal, "What's the difference in seat limits between the Team and Business plans?", user=None)
    assert "60" in compared.answer and "250" in compared.answer and compared.answers_question

    summary = ask(shiftpal, "Summarise the Brewhouse Coffee case study in three bullet points", user=None)
    assert summary.answer.count("\n- ") == 2 and "11%" in summary.answer and "Priya Natarajan" in summary.answer

    said = ask(shiftpal, "What did Priya Natarajan say about ShiftPal?", user=None)
    assert not said.refused and "Sunday evenings" in said.answer

    follow = ask(shiftpal, "and for Lumen Fitness?",
                 options=AskOptions(history=(Turn("Who is quoted in the Brewhouse Coffee case study?", ""),)), user=None)
    assert follow.searched == "Who is quoted in the Lumen Fitness case study?" and "Tom Becker" in follow.answer

    tips = ask(shiftpal, "Can ShiftPal split tips?", user=None)
    assert tips.refused or tips.answers_question is False


# Other layouts: transcripts, slides, spreadsheets, e-mails and case studies told in two sentences.

TRANSCRIPT = """Lena Ortiz: Hi everyone, I'm Lena Ortiz, and I'm your host today. Our guest is Tom Becker, who leads HR at Fennel Foods.

Tom Becker: At Fennel Foods we hire about 80 people a month. Onboarding used to take three weeks. With Kelpie we cut it to five days.

Lena Ortiz: That's a huge change."""


def test_what_a_person_said_in_a_transcript_is_their_turn_not_their_introduction(store):
    answer = _quote(store, "What did Tom Becker say about onboarding at Fennel Foods?", _hit(TRANSCRIPT, "webinar.vtt"))
    assert answer.startswith("Tom Becker:") and "three weeks" in answer and "five days" in answer
    assert "Our guest is" not in answer
    assert judge(classify("What did Tom Becker say?"), answer)[0] is True


def test_when_prefers_the_day_over_the_year(store):
    slide = _hit("- Private beta: 3 March 2026\n- General availability: 21 April 2026", "kelpie-flows-launch.pptx", "Availability")
    title = _hit("- Spring 2026 product launch", "kelpie-flows-launch.pptx", "Kelpie Flows launch")
    answer = _quote(store, "When does Kelpie Flows become generally available?", slide, title)
    assert "21 April 2026" in answer and "Spring 2026" not in answer


def test_when_and_where_gives_the_place_too(store):
    mail = _hit("Join us at the Northbeam Open Day.\n\nDate: Thursday 18 June 2026, 10:00 to 15:00\n\n"
                "Place: Northbeam training centre, Utrecht\n\nLunch is on us.", "open-day.eml")
    answer = _quote(store, "When and where is the Northbeam Open Day?", mail)
    assert "18 June 2026" in answer and "Utrecht" in answer


def test_before_and_after_told_in_two_sentences_gives_both(store):
    case = _hit("Tandem Bikes sells bikes in 40 stores. Before Kelpie, onboarding a seasonal hire took 12 days. "
                "With Kelpie it takes 3 days, and new starters sign everything on their phones.", "tandem.docx")
    answer = _quote(store, "How long did it take to onboard a seasonal hire at Tandem Bikes before and after Kelpie?", case)
    assert "12 days" in answer and "3 days" in answer
    summary = _quote(store, "Summarise the Tandem Bikes case study", case)
    assert "12 days" in summary and "3 days" in summary


def test_a_how_to_told_in_one_sentence_is_an_answer_and_a_list_of_things_is_not(store):
    asked = classify("How do I pause alerts?")
    assert judge(asked, "To pause alerts, open Alerts and switch off Notifications for the site. [1]")[0] is True
    tools = _hit("Kelpie integrates with the following HR systems:\n\n- BambooHR\n- Personio\n- Gusto", "integrations.md")
    how = _hit("To connect BambooHR, go to Settings > Integrations, pick BambooHR and click Connect.", "connect.md")
    answer = _quote(store, "How do I connect Kelpie to BambooHR?", tools, how)
    assert "click Connect" in answer and "Personio" not in answer


@pytest.mark.parametrize("question, answer, sources", [
    # the company's own name is in every passage: it says nothing about wind turbines
    ("Does Northbeam install wind turbines?",
     "Every Northbeam installation is designed and checked by our own engineers. [1]", "northbeam-accreditation.html"),
    # "XL" is not in "packages.xlsx", and the Carport L row is not the Carport XL's price
    ("How much does the Carport XL package cost?",
     "| Package | Price |\n| --- | --- |\n| Carport L | €240,000 |\n\n[1]", "northbeam-packages-2026.xlsx"),
    ("What was Northbeam's revenue last year?",
     "| Package | Price |\n| --- | --- |\n| Rooftop S | €28,500 |\n\n[1]", "northbeam-packages-2026.xlsx"),
])
def test_uncovered_questions_answered_from_look_alike_passages_are_flagged(question, answer, sources):
    assert judge(classify(question), answer, sources)[0] is False


def test_a_comparison_of_things_named_in_lower_case_words(store):
    addons = _hit("| Add-on | Price | Billed |\n| --- | --- | --- |\n| Background checks | $12 | per check |\n"
                  "| E-signature pack | $25 | per month |\n| Extra storage | $5 | per month |", "prices.xlsx")
    answer = _quote(store, "How much do Background checks and the E-signature pack cost?", addons)
    assert "$12" in answer and "$25" in answer and "$5 " not in answer


def test_a_bill_before_is_the_row_with_its_currency_code(store):
    story = _hit("Coldline operates three warehouses. Energy was the company's second-largest cost.", "coldline.pdf")
    results = _hit("| Measure | Before | After |\n| --- | --- | --- |\n| Grid electricity bought | 1,420 MWh | 610 MWh |\n"
                   "| Energy bill | EUR 298,000 | EUR 131,000 |", "coldline.pdf", "Results, first 12 months")
    answer = _quote(store, "What was Coldline's energy bill before Northbeam?", story, results)
    assert "| Energy bill | EUR 298,000 | EUR 131,000 |" in answer and "| Measure | Before | After |" in answer


def test_the_year_asked_about_is_not_the_subject():
    verdict, reason = judge(classify("What was Kelpie's revenue in 2025?"),
                            "Harbour Health will roll Kelpie out to its 2 new clinics and 40 staff in 2027. [1]",
                            "harbour-health.pdf In 2025 the HR team moved its onboarding to Kelpie.")
    assert verdict is False and "revenue" in reason


@pytest.mark.slow
def test_a_quote_found_only_by_the_persons_name_is_answered_not_refused(store):
    ingest_bytes(store, "coldline.md", b"# Coldline case study\n\n## Customer statement\n\n"
                 b'"The roof now pays for the cold. We budget energy in years, not in weeks." '
                 b"Anja Vogel, Facilities Director, Coldline Logistics\n")
    ingest_bytes(store, "prices.md", b"# Prices\n\nRooftop S costs EUR 28,500 installed.\n")
    answer = ask(store, "What did Anja Vogel say?", user=None)
    assert not answer.refused and "pays for the cold" in answer.answer


@pytest.mark.parametrize("question, names", [
    ("What did Tomás Ruiz say about Fieldfare?", ["Tomás", "Ruiz", "Fieldfare"]),
    ("What did Zoë Müller-Lüdenscheidt say?", ["Zoë", "Müller-Lüdenscheidt"]),
])
def test_names_with_accents_are_whole_names(question, names):
    from rag.answer.subjects import full_names
    from rag.names import question_terms

    assert question_terms(question) == names
    assert full_names(question) == [" ".join(names[:2])]


def test_a_passage_close_in_meaning_may_use_other_words_for_the_subject():
    asked = classify("How does BERT's architecture allow one model across diverse tasks?")
    answer = "BERT's model architecture is a multi-layer bidirectional Transformer encoder. [1]"
    assert judge(asked, answer, "bert.pdf", closeness=0.62)[0] is not False  # close: sharing "architecture" will do
    assert judge(asked, answer, "bert.pdf", closeness=0.30)[0] is False  # far: most subject words must be there


def test_a_list_question_answered_in_prose_is_not_called_a_miss():
    """ "What findings does the paper report?" may be answered by sentences: can't tell, not "doesn't answer"."""
    asked = classify("What findings does RoBERTa report about masked language model pretraining?")
    assert asked.kind == "list"
    verdict, _ = judge(asked, "We find that masked language model pretraining, under the right design choices, is "
                              "competitive with other recently published methods. [1]", "roberta.pdf RoBERTa")
    assert verdict is None


def test_a_plural_acronym_mentions_its_singular():
    from rag.names import mentions_name

    assert mentions_name("LLM", "the widespread use of LLMs") and not mentions_name("XL", "packages-2026.xlsx")


def test_a_year_alone_is_not_the_figure_asked_for():
    verdict, reason = judge(classify("What was Kelpie's revenue in 2025?"),
                            "Harbour Health will roll Kelpie out to its two new clinics in 2027. [1]",
                            "harbour-health.pdf In 2025 the HR team moved its onboarding to Kelpie.")
    assert verdict is False and "none of them states the figure" in reason
