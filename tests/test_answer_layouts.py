"""Answers from layouts the rules were not written on: accented speakers on their own line, transcript turns
labelled with a first name in capitals, hard-wrapped prose, a case study whose headline figure is only in its title,
results over two years.

The documents are a fourth made-up company's (Larkspur Print, a print shop), so none of the benchmark's.
"""

from __future__ import annotations

import pytest

from rag.answer.asked import classify, judge
from rag.answer.check import check_answer
from rag.answer.quote import unwrap
from tests.fixtures import passage_hit as _hit
from tests.fixtures import quoted as _quote

CASE = """Larkspur printed the hotel group's menus, signs and welcome packs in 2025.

"Larkspur turned our reprints around overnight. Our guests never saw an old menu again."

Zoë Müller-Brandt, Head of Guest Experience, Harrow Hotels"""

WEBINAR = """HOST: Welcome to the Larkspur print webinar. I'm joined by Inès Duarte, our head of production.

INÈS: Thanks. Most of our jobs are printed overnight. Our presses ship within 48 hours of proof approval.

HOST: And what should a marketer send us first?

INÈS: A print-ready PDF with bleed."""

MAIL = """The Larkspur Print Fair returns on 12 May 2026 at the Old Mill, Leeds. Doors open at
9:15 and the last talk ends at 16:00. Last year's fair drew 380 designers.

Date: Tuesday 12 May 2026
Place: The Old Mill, Leeds"""


def test_a_quote_keeps_its_speaker_line_whatever_the_alphabet(store):
    hit = _hit(CASE, "harrow-hotels.docx", "Harrow Hotels case study")
    answer = _quote(store, "What did Zoë Müller-Brandt say about Larkspur?", hit)
    assert "reprints around overnight" in answer and "Zoë Müller-Brandt" in answer
    assert judge(classify("What did Zoë Müller-Brandt say about Larkspur?"), answer, "harrow-hotels.docx")[0] is True
    who = _quote(store, "Who is quoted in the Harrow Hotels case study?", hit)
    assert "Zoë Müller-Brandt" in who


@pytest.mark.parametrize("label", ["INÈS", "Inès", "Inès Duarte"])
def test_a_turn_labelled_with_a_first_name_in_capitals_is_the_persons(store, label):
    """The figure is the turn's second sentence; the host's line names her in full and must not win."""
    webinar = WEBINAR.replace("INÈS:", f"{label}:")
    answer = _quote(store, "What did Inès Duarte say about shipping?", _hit(webinar, "larkspur-webinar.vtt"))
    assert "48 hours" in answer and "I'm joined by" not in answer
    verdict, reason = judge(classify("What did Inès Duarte say about shipping?"), answer,
                            "larkspur-webinar.vtt\nI'm joined by Inès Duarte, our head of production.")
    assert verdict is True, reason


def test_hard_wrapped_lines_are_one_sentence_but_labelled_lines_stay_apart():
    assert unwrap(["Doors open at", "9:15 and the last talk ends at 16:00."]) == "Doors open at 9:15 and the last talk ends at 16:00."
    assert unwrap(["Date: Tuesday 12 May 2026", "Place: The Old Mill, Leeds"]).count("\n") == 1
    assert unwrap(["HOST: Welcome", "INÈS: Thanks"]).count("\n") == 1
    assert unwrap(["We print menus.", "signs come next"]).count("\n") == 1  # a finished sentence is not a wrap


@pytest.mark.parametrize("question, kind, clock", [
    ("What time do doors open at the Larkspur Print Fair?", "date", True),
    ("When is the Larkspur Print Fair?", "date", False),
    ("What time savings did Harrow Hotels see?", None, False),  # a figure, not a time of day
])
def test_what_time_asks_for_a_time_of_day(question, kind, clock):
    asked = classify(question)
    assert asked.wants_clock is clock and (kind is None or asked.kind == kind)
    if kind is None:
        assert asked.kind != "date"


def test_a_time_of_day_told_across_a_hard_wrap_is_answered(store):
    answer = _quote(store, "What time do doors open at the Larkspur Print Fair?", _hit(MAIL, "print-fair.eml"))
    assert "9:15" in answer
    asked = classify("What time do doors open at the Larkspur Print Fair?")
    assert judge(asked, "The Larkspur Print Fair returns on 12 May 2026 at the Old Mill, Leeds. [1]")[0] is False


def _case_study() -> list:
    title = "Harrow Hotels cuts its print bill by 31%"
    return [
        _hit("CASE STUDY | HOSPITALITY | 12 HOTELS", "harrow.pdf"),
        _hit("Harrow Hotels runs 12 hotels in the north of England. It moved all of its printing to Larkspur in 2024.",
             "harrow.pdf", title),
        _hit("| Metric | 2024 | 2025 |\n| --- | --- | --- |\n| Print spend | £84,000 | £58,000 |\n| Reprints | 140 | 22 |",
             "harrow.pdf", f"{title} > Results, 2024 against 2025"),
        _hit("\"Our guests never saw an old menu again.\"\n\nAmira Costa, Head of Guest Experience, Harrow Hotels",
             "harrow.pdf", f"{title} > In their words"),
    ]


def test_a_title_that_states_the_headline_figure_leads_the_summary(store):
    hits = [h.__class__(**{**h.__dict__, "chunk_id": f"c{n}"}) for n, h in enumerate(_case_study())]
    answer = _quote(store, "Summarise the Harrow Hotels case study in three bullet points", *hits)
    assert "31%" in answer and "£84,000" in answer and "Amira Costa" in answer
    checked = check_answer(answer, hits, store.embeddings)
    title_line = next(s for s in checked.sentences if "31%" in s.text)
    assert title_line.support != "unsupported"  # the title is the passage's heading: a reader sees it there


def test_a_title_without_a_figure_leaves_the_opening_sentence_first(store):
    hits = [h.__class__(**{**h.__dict__, "chunk_id": f"c{n}",
                           "section": h.section.replace("cuts its print bill by 31%", "and Larkspur")})
            for n, h in enumerate(_case_study())]
    answer = _quote(store, "Summarise the Harrow Hotels case study in three bullet points", *hits)
    assert "runs 12 hotels" in answer and "Harrow Hotels and Larkspur" not in answer


STYLE = """Larkspur sounds like a printer who cares about paper. Our sentences are short and our words are plain.

We always write "proof", never "mock-up". Avoid trade slang too: don't write bleed-through or ghosting in
customer copy. Headings use sentence case."""


def test_words_a_style_guide_quotes_in_prose_answer_which_words(store):
    question = "Which words does our style guide tell us to avoid?"
    answer = _quote(store, question, _hit(STYLE, "larkspur-style-guide.md", "How Larkspur sounds"))
    assert "mock-up" in answer
    assert classify(question).wants_words and not classify("Which certifications do you hold?").wants_words
    assert judge(classify(question), answer, "larkspur-style-guide.md")[0] is not False
