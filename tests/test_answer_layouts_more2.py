"""Answers from more layouts the rules were not written on: before/after told across a case study's sections or
as a "2024 | 2025" table slide, asked as "what were X before and after?"; a quote with its speaker on the line
above; transcripts written one turn a line with the speaker's company ("Tom Birch (Harbour Rooms): ...") or a
timestamp; a case study's summary led by its outcome, not its problem.

The documents are a seventh made-up company's (Tallowby, table linen hired to hotels and event venues), so none of
the benchmark's and not those of tests/test_answer_layouts.py or tests/test_answer_layouts_more.py.
"""

from __future__ import annotations

import pytest

from rag.answer.asked import classify, direction_fit, speaker_of
from rag.answer.quote import summary_points, units_of
from rag.parse import parse_file
from tests.fixtures import passage_hit as _hit
from tests.fixtures import quoted as _quote

STUDY = "Harbour Rooms: no more short Saturdays"


def _numbered(*hits):
    return [h.__class__(**{**h.__dict__, "chunk_id": f"c{n}"}) for n, h in enumerate(hits)]


def _case() -> list:
    return _numbered(
        _hit("The Harbour Rooms is a conference hotel in Hull with 4 banqueting floors. It moved its table linen to "
             "Tallowby in March 2025.", "harbour-rooms.docx", STUDY),
        _hit("Before Tallowby, the events team counted every napkin by hand after each function. Missed deliveries "
             "ran at 11% of orders, and staff spent 41 days a year restocking.", "harbour-rooms.docx",
             f"{STUDY} > The challenge"),
        _hit("Missed deliveries are down to 4%. Restocking now takes 12 days a year. The cost per drop fell from "
             "€3.10 to €2.40.", "harbour-rooms.docx", f"{STUDY} > Results"),
        _hit("Marit Okafor, Head Chef\n\n\"The napkins come back pressed and counted. I stopped recounting them "
             "before service.\"", "harbour-rooms.docx", f"{STUDY} > In their words"),
    )


DECK = [
    _hit("Crane Hotels x Tallowby\n\n- 6 hotels, 1 linen partner\n- Rolled out in 8 weeks", "crane-hotels.pptx",
         "Crane Hotels"),
    _hit("| Metric | 2024 | 2025 |\n| --- | --- | --- |\n| Linen lost | 9% | 2% |\n| Rush orders | 140 | 35 |\n"
         "| Spend per room night | €1.90 | €1.45 |", "crane-hotels.pptx", "Crane Hotels > Results"),
    _hit("\"Tallowby is the only supplier our housekeepers never mention.\" – Head of Operations", "crane-hotels.pptx",
         "Crane Hotels > What they said"),
]


@pytest.mark.parametrize("question", [
    "What were missed deliveries at the Harbour Rooms before and after Tallowby?",
    "What was the Harbour Rooms' linen bill then and now?",
    "What did the cost per drop go from and to?",
])
def test_a_question_asking_for_both_sides_asks_for_a_figure(question):
    asked = classify(question)
    assert asked.kind == "figure" and asked.wants_both_sides
    # neighbours: one side only, and a description without a figure
    assert not classify("How many days did restocking take before Tallowby?").wants_both_sides
    assert classify("What happened at the Harbour Rooms?").kind == "description"


def test_before_and_after_told_in_two_sections_are_both_quoted(store):
    answer = _quote(store, "What were missed deliveries at the Harbour Rooms before and after Tallowby?", *_case())
    assert "11%" in answer and "4%" in answer, answer
    # one side asked: that side only
    answer = _quote(store, "How long does restocking take now at the Harbour Rooms?", *_case())
    assert "12 days" in answer and "41 days" not in answer, answer


def test_the_other_side_from_another_document_is_not_taken(store):
    other = _hit("Missed deliveries are down to 3% at Crane Hotels.", "crane-hotels.docx", "Crane Hotels > Results")
    hits = _numbered(*_case()[:2], other)
    answer = _quote(store, "What were missed deliveries at the Harbour Rooms before and after Tallowby?", *hits)
    assert "11%" in answer and "3%" not in answer, answer


def test_before_and_after_from_a_table_slide_headed_by_years(store):
    answer = _quote(store, "How much linen did Crane Hotels lose before and after Tallowby?", *_numbered(*DECK))
    assert "| Linen lost | 9% | 2% |" in answer and "| 2024 | 2025 |" in answer, answer
    assert "6 hotels" not in answer


@pytest.mark.parametrize("header, both", [
    ("| Metric | 2024 | 2025 |", True), ("| Measure | Then | Now |", True), ("| KPI | Before | After |", True),
    ("| Metric | Crane | Harbour |", False),
])
def test_a_row_under_two_periods_states_both_sides(header, both):
    asked = classify("What was the linen loss before and after Tallowby?")
    assert direction_fit(asked, f"{header}\n| --- | --- | --- |\n| Linen lost | 9% | 2% |") == (1.0 if both else 0.0)
    assert direction_fit(asked, "The cost per drop fell from €3.10 to €2.40.") == 1.0
    assert direction_fit(asked, "Missed deliveries are down to 4% from 11%.") == 1.0
    assert direction_fit(asked, "Missed deliveries are down to 4%.") == 0.0


def test_a_case_study_summary_leads_with_the_outcome_not_the_problem():
    hits = _case()
    points = summary_points(f"Summarise the {STUDY} case study in three bullet points",
                            {n: units_of(h, n) for n, h in enumerate(hits, 1)})
    text = " ".join(p.text for p in points)
    assert "down to 4%" in text, text
    assert "napkins come back" in text and "conference hotel in Hull" in text


def test_a_quote_under_its_speakers_line_is_quoted_with_it(store):
    answer = _quote(store, "What did the head chef say about the napkins?", *_case())
    assert "Marit Okafor, Head Chef" in answer and "pressed and counted" in answer, answer
    answer = _quote(store, "Who is quoted in the Harbour Rooms case study?", *_case())
    assert "Marit Okafor" in answer, answer


def test_the_attribution_of_an_earlier_quote_is_not_the_next_quotes_speaker(store):
    text = ("\"We never run short on a Saturday.\"\n\nDev Raman, Head of Operations\n\n"
            "\"Our guests notice the napkins.\"")
    answer = _quote(store, "What was said about guests noticing the napkins?",
                    _hit(text, "harbour-rooms.docx", f"{STUDY} > In their words"))
    assert "guests notice" in answer and "Dev Raman" not in answer, answer


CALL = ("Ada Lind (Tallowby): Welcome to the call.\nTom Birch (Harbour Rooms): We used to lose 7% of our napkins per "
        "event.\nIt's under 2% now.\nAda Lind (Tallowby): What would you tell another venue?\n"
        "Tom Birch (Harbour Rooms): Start with the banqueting floors.")


@pytest.mark.parametrize("line, speaker", [
    ("Tom Birch (Harbour Rooms): We used to lose 7%.", "Tom Birch"),
    ("(00:12) Ada Lind: Welcome.", "Ada Lind"),
    ("[00:00:09] Tom Birch: Losses are under 2%.", "Tom Birch"),
    ("TOM: Our drop cost is now 2.40 euros.", "TOM"),
    ("Price (EUR) per drop is 2.40.", ""),
    ("Note (draft): figures are unaudited.", ""),
])
def test_a_turns_speaker_is_read_with_their_company_or_a_timestamp(line, speaker):
    assert speaker_of(line) == speaker


def test_turns_written_one_a_line_each_keep_their_speaker(store):
    units = units_of(_hit(CALL, "tallowby-spring-call.txt"), 1)
    by_text = {u.text: u for u in units}
    assert by_text["It's under 2% now."].speaker == "Tom Birch"  # a line without a speaker goes on the turn above
    assert by_text["Ada Lind (Tallowby): Welcome to the call."].speaker == "Ada Lind"
    start = next(u for u in units if u.text.startswith("Tom Birch (Harbour Rooms): Start"))
    assert "another venue" in start.prompted_by
    answer = _quote(store, "What did Tom Birch say about napkins?", _hit(CALL, "tallowby-spring-call.txt"))
    assert "7%" in answer and "Welcome" not in answer, answer
    # a block with one speaker line stays one turn: a quote's lines are not cut
    one = units_of(_hit("Ada Lind: We deliver daily.\nOn Sundays too.", "note.txt"), 1)
    assert all(u.speaker == "Ada Lind" for u in one)


def test_a_plain_text_transcript_with_companies_is_read_turn_by_turn(tmp_path):
    path = tmp_path / "tallowby-spring-call.txt"
    path.write_text("Tallowby spring call, 3 March 2026\n\n" + CALL + "\nAda Lind (Tallowby): Thanks, Tom.\n"
                    "Tom Birch (Harbour Rooms): Thank you.\n", encoding="utf-8")
    texts = [e.text for e in parse_file(path).elements]
    assert "Tom Birch (Harbour Rooms): We used to lose 7% of our napkins per event. It's under 2% now." in texts, texts
    assert "Ada Lind (Tallowby): Welcome to the call." in texts


GLANCE = _numbered(
    _hit("Tallowby helps Crane Hotels run six hotels on one linen contract.", "crane-case.docx", "Crane Hotels case study"),
    _hit("- Before: 9% of linen lost each quarter\n- After: 2% lost", "crane-case.docx",
         "Crane Hotels case study > Results at a glance"),
    _hit("\"Tallowby is the only supplier our housekeepers never mention,\" says Jonas Feld, Head of Operations.",
         "crane-case.docx", "Crane Hotels case study > In their words"),
    _hit("The rollout took 8 weeks, starting in January 2025.", "crane-case.docx", "Crane Hotels case study > Rollout"),
)


@pytest.mark.parametrize("question, kind, direction", [
    ("What was the linen loss at Crane Hotels before Tallowby?", "figure", "before"),
    ("What is the linen loss now?", "figure", "after"),
    ("What were the porters' hours after the switch?", "figure", "after"),
    # neighbours: no figure on a side of a change
    ("What happened after the switch?", "description", None),
    ("What is Tallowby?", "description", None),
])
def test_what_was_a_measure_before_or_after_asks_for_a_figure(question, kind, direction):
    asked = classify(question)
    assert (asked.kind, asked.direction) == (kind, direction)


def test_a_before_after_bullet_pair_is_one_summary_point():
    points = summary_points("Summarise the Crane Hotels case study in three bullet points",
                            {n: units_of(h, n) for n, h in enumerate(GLANCE, 1)})
    text = [p.text for p in points]
    assert "Before: 9% of linen lost each quarter" in text and "After: 2% lost" in text, text
    assert any("Jonas Feld" in t for t in text), text  # the pair takes one point's room: the quote still fits


def test_one_side_of_a_bullet_pair_answers_a_one_side_question(store):
    answer = _quote(store, "What was the linen loss at Crane Hotels before Tallowby?", *GLANCE)
    assert "9%" in answer, answer


@pytest.mark.parametrize("text, both", [
    ("Restocking a banqueting floor was 41 days of staff time a year; now 12.", True),
    ("We used to write off about 300 napkins a month; last month it was 20.", True),
    ("Complaints about linen are down to 3 a month from 23.", True),
    # neighbours: one side only
    ("Restocking was 41 days of staff time a year.", False),
    ("Restocking now takes 12 days; the team is happier.", False),
])
def test_both_sides_told_in_one_sentence(text, both):
    asked = classify("How long did restocking take before and after Tallowby?")
    assert direction_fit(asked, text) == (1.0 if both else 0.0)


def test_a_period_headed_row_about_something_else_does_not_outrank_the_sentence_asked_about(store):
    podcast = _hit("Priya Nand: Nothing goes missing now. We used to write off about 300 napkins a month; last month "
                   "it was 20.", "tallowby-podcast-ep4.txt")
    deck = _hit("| Metric | 2024 | 2025 |\n| --- | --- | --- |\n| Spend per room night | €1.90 | €1.45 |",
                "crane-hotels.pptx", "Crane Hotels > Results")
    answer = _quote(store, "How many napkins did Crane Hotels write off before and after the switch?",
                    *_numbered(deck, podcast))
    assert "300 napkins" in answer and "€1.90" not in answer, answer
    # the row still answers when it is about what was asked
    answer = _quote(store, "How much did Crane Hotels spend per room night before and after Tallowby?",
                    *_numbered(podcast, deck))
    assert "€1.90" in answer, answer


def test_a_slides_quote_with_a_dash_attribution_is_a_summary_point():
    hits = _numbered(*DECK)
    points = summary_points("Summarise the Crane Hotels deck", {n: units_of(h, n) for n, h in enumerate(hits, 1)})
    assert any("housekeepers never mention" in p.text for p in points), [p.text for p in points]
    # a kicker line without a quote stays out
    kicker = _numbered(_hit("Customer story · Hotels · 6 sites", "crane-hotels.pptx", "Crane Hotels"), *DECK[1:])
    points = summary_points("Summarise the Crane Hotels deck", {n: units_of(h, n) for n, h in enumerate(kicker, 1)})
    assert not any("Customer story" in p.text for p in points)


WEBINAR = ("Ada Lind: Welcome to Linen Without Loss. With me is Tom Birch from the Harbour Rooms.\n\n"
           "Tom Birch: Thanks Ada. We cut our linen losses from 7% to 1.5% last year.\n\n"
           "Ada Lind: What surprised you?\n\nTom Birch: How fast the counting disappeared.")


def test_a_question_about_what_a_speaker_found_takes_the_turn_put_that_question(store):
    answer = _quote(store, "What surprised Tom Birch?", _hit(WEBINAR, "linen-without-loss.vtt"))
    assert "counting disappeared" in answer, answer
    # a question about another speaker is not steered to Tom's answer
    assert "counting disappeared" not in _quote(store, "Who hosted Linen Without Loss?",
                                                _hit(WEBINAR, "linen-without-loss.vtt"))


def test_a_caption_with_dialogue_dashes_is_not_the_last_named_speakers(tmp_path):
    path = tmp_path / "spring-briefing.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:04,000\nMARIT OKAFOR: We used to run out on Saturdays.\n\n"
                    "2\n00:00:04,000 --> 00:00:08,000\nThat stopped in May.\n\n"
                    "3\n00:00:08,000 --> 00:00:10,000\n- Really?\n- Yes, since the switch.\n", encoding="utf-8")
    texts = [e.text for e in parse_file(path).elements]
    # a cue without a name goes on the turn above; a dialogue cue's voices are unnamed, each a turn of its own
    assert texts == ["MARIT OKAFOR: We used to run out on Saturdays. That stopped in May.", "Speaker: Really?",
                     "Speaker: Yes, since the switch."], texts
