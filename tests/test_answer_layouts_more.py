"""Answers from more layouts the rules were not written on: a price table set out the other way round (one column
per plan) with its units in the labels, a field block ("WHEN: Oct 13-14, 2026"), "what's new in ...?" lists, the
host of a webinar, results tables headed by fiscal years or versions, a PDF table continued with figures under
period headings.

The documents are a fifth made-up company's (Ospreyline, cloud backup for design studios), so none of the
benchmark's and not Larkspur's (tests/test_answer_layouts.py).
"""

from __future__ import annotations

import pytest

from rag.answer.asked import classify, judge, read_units, with_unit
from rag.answer.chain import weak_match
from rag.answer.quote import summary_points, units_of
from rag.answer.subjects import labels_a_row, subject_gaps
from rag.bench.documents import make_pdf
from rag.parse import parse_file
from rag.types import Citation
from tests.fixtures import passage_hit as _hit
from tests.fixtures import quoted as _quote

PLANS = """|  | Solo | Studio | Agency |
| --- | --- | --- | --- |
| Price ($/seat/mo) | $6 | $14 | $29 |
| Backup retention (days) | 30 | 90 | 365 |
| Storage per seat (TB) | 1 | 5 | Unlimited |
| Support | Email | Chat | Named engineer |
| Integrations | Dropbox | Dropbox, Figma | Dropbox, Figma, Slack |"""

NOTE = "Version history requires Studio or Agency. Solo keeps the latest copy only."


def test_a_table_set_out_by_columns_is_about_the_plans_its_header_names():
    hit = _hit(PLANS, "ospreyline-pricing.xlsx", "Plans", similarity=0.05)
    gaps = subject_gaps("How long do Studio and Agency keep backups?", [hit], 0.3)
    assert not gaps, gaps
    assert labels_a_row("Studio", PLANS) and labels_a_row("Support", PLANS)
    # a name in a body cell only is still mentioned in passing: the table is not about it
    assert not labels_a_row("Figma", PLANS)
    gaps = subject_gaps("Can Ospreyline restore old Figma versions?", [hit], 0.3)
    assert "Figma" in gaps.in_passing


@pytest.mark.parametrize("value, column, row, expected", [
    ("30", "Studio", "Backup retention (days)", "30 days"),  # the row's label gives the unit
    ("4.50", "Fee per drop (€)", "Zone A", "€4.50"),  # the column's header does
    ("6", "Solo", "Price ($/seat/mo)", "$6/seat/mo"),
    ("9,80", "Price per kg (EUR)", "Kale", "EUR 9,80"),
    ("12", "Discount (%)", "", "12%"),
    ("20", "Seats (incl. guests)", "", "20"),  # a remark in brackets is not a unit
    ("$6", "Price ($/seat/mo)", "", "$6"),  # already has its unit
    ("Unlimited", "Storage (TB)", "", "Unlimited"),
    ("12", "Price", "", "12"),
])
def test_a_bare_number_is_read_with_the_unit_its_label_gives(value, column, row, expected):
    assert with_unit(value, column, row) == expected


def test_a_duration_given_in_a_label_answers_how_long():
    answer = "|  | Solo | Studio | Agency |\n| --- | --- | --- | --- |\n| Backup retention (days) | 30 | 90 | 365 |\n\n[1]"
    assert "| 30 days | 90 days | 365 days |" in read_units(answer)
    asked = classify("How long do Studio and Agency keep backups?")
    assert asked.kind == "comparison"
    assert judge(asked, answer)[0] is True
    # without a unit anywhere, bare numbers are not a time
    assert judge(asked, answer.replace(" (days)", ""))[0] is False


def test_a_comparison_of_figures_quotes_the_row_not_the_sentence_naming_both_sides(store):
    question = "How long do Studio and Agency keep backups?"
    answer = _quote(store, question, _hit(NOTE, "ospreyline-docs.html", "Version history", similarity=0.6),
                    _hit(PLANS, "ospreyline-pricing.xlsx", "Plans", similarity=0.2))
    assert "| 30 | 90 | 365 |" in answer, answer
    # a comparison that wants no figure may still be answered by the sentence naming both sides
    answer = _quote(store, "Do Studio and Agency have version history?", _hit(NOTE, "ospreyline-docs.html"))
    assert "requires Studio or Agency" in answer


def test_a_price_in_a_table_set_out_by_columns_is_its_rows_cell(store):
    answer = _quote(store, "How much is the Agency plan per seat?", _hit(PLANS, "ospreyline-pricing.xlsx", "Plans"))
    assert "$29" in answer and "| Price ($/seat/mo) |" in answer


def _citation(hit) -> Citation:
    return Citation(1, hit.doc_id, hit.file, None, hit.section, hit.text[:80], 1.0, chunk_id=hit.chunk_id)


def test_a_table_labelling_the_names_asked_about_is_not_a_weak_match():
    table = _hit(PLANS, "ospreyline-pricing.xlsx", "Plans", similarity=0.1)
    assert weak_match([_citation(table)], [table], 0.3, names=["Studio", "Agency"]) == []
    assert weak_match([_citation(table)], [table], 0.3, names=["Kiln", "Studio"]) != []  # a name it lacks
    named_file = _hit(PLANS, "Ospreyline-Pricing.xlsx", "Plans", similarity=0.1)
    assert weak_match([_citation(named_file)], [named_file], 0.3, names=["Ospreyline", "Studio"]) == []
    prose = _hit(NOTE, "ospreyline-docs.html", similarity=0.1)
    assert weak_match([_citation(prose)], [prose], 0.3, names=["Studio", "Agency"]) != []


@pytest.mark.parametrize("question, kind", [
    ("What's new in Ospreyline 4.2?", "list"),
    ("What's shipping in the spring release?", "list"),
    ("What does the Studio Pack include?", "list"),
    ("What is new in Ospreyline Sync?", "list"),
    ("What's the price of the Studio plan?", "figure"),
    ("What does the Studio plan cost?", "figure"),
    ("What does Ospreyline do?", "description"),
    ("What's in season?", "description"),
])
def test_what_a_release_or_a_bundle_holds_is_a_list(question, kind):
    assert classify(question).kind == kind


DECK = "- Cold storage tier\n- Restore from a phone\n- Per-project encryption keys\n- Figma file history"


def test_a_slides_bullets_answer_whats_new(store):
    answer = _quote(store, "What's new in Ospreyline 4.2?", _hit(DECK, "ospreyline-4.2.pptx", "New in 4.2"))
    assert all(item in answer for item in ("Cold storage tier", "Restore from a phone", "encryption keys", "Figma"))


MAIL = """OSPREYLINE DISPATCH -- No. 12

1) OspreyCon 2026 registration is open.

   WHAT:  OspreyCon 2026, for studio IT leads
   WHEN:  Nov 3-4, 2026
   WHERE: The Foundry, Bristol
   COST:  free for customers

2) Heads up: the old desktop agent is retired on Jan 31, 2027."""


def test_a_field_line_is_quoted_with_its_value(store):
    answer = _quote(store, "When and where is OspreyCon 2026?", _hit(MAIL, "ospreyline-dispatch-12.eml"))
    assert "Nov 3-4, 2026" in answer and "Bristol" in answer, answer
    units = units_of(_hit(MAIL, "ospreyline-dispatch-12.eml"), 1)
    when = next(u for u in units if u.text.startswith("WHEN"))
    assert when.kind == "sentence"
    assert next(u for u in units_of(_hit("At a glance\n\nWe back up studios.", "x.md"), 1)).kind == "label"


WEBINAR = """Noor Haddad: Hi all, we're live. I'm Noor Haddad from Ospreyline. This is Backups Without Tears. With me is Felix Brandt, who runs IT at Studio Kiln.

Felix Brandt: Thanks Noor. We restored a 40 GB project in 9 minutes last month.

Noor Haddad: What should a studio check first?

Felix Brandt: Whether the NAS is in the backup at all."""


def test_the_host_is_the_speaker_who_opens_the_session(store):
    hit = _hit(WEBINAR, "backups-without-tears.vtt")
    answer = _quote(store, "Who hosted Backups Without Tears?", hit)
    assert "Noor Haddad" in answer and "9 minutes" not in answer, answer
    # the guest is still the one who said the figure
    answer = _quote(store, "What did Felix Brandt say about restoring?", hit)
    assert "9 minutes" in answer


def _results(header: str) -> list:
    return [
        _hit("Kiln Studio runs 3 design studios in Leeds. It moved its backups to Ospreyline in 2024.",
             "kiln.pdf", "Kiln Studio: no more lost files"),
        _hit(f"| KPI | {header} |\n| --- | --- | --- |\n| Lost files | 0 | 12 |\n| Restore time | 9 min | 2 days |",
             "kiln.pdf", "Kiln Studio: no more lost files > Outcomes"),
        _hit("\"We stopped losing Friday afternoons to restores.\"\n\nMina Osei, Studio Manager, Kiln Studio",
             "kiln.pdf", "Kiln Studio: no more lost files > Quote"),
    ]


@pytest.mark.parametrize("header", ["FY2025 | FY2024", "2025 | 2024", "4.2 | 4.1 early access", "Q1 2026 | Q1 2025"])
def test_a_results_table_headed_by_periods_or_versions_is_a_summary_point(header):
    hits = [h.__class__(**{**h.__dict__, "chunk_id": f"c{n}"}) for n, h in enumerate(_results(header))]
    points = summary_points("Summarise the Kiln Studio case study in three bullets",
                            {n: units_of(h, n) for n, h in enumerate(hits, 1)})
    assert any(p.kind == "row" and "Lost files" in p.text for p in points), [p.text for p in points]


def test_a_results_table_headed_by_words_only_is_not_a_before_after():
    hits = [h.__class__(**{**h.__dict__, "chunk_id": f"c{n}"}) for n, h in enumerate(_results("Studio | Agency"))]
    points = summary_points("Summarise the Kiln Studio case study in three bullets",
                            {n: units_of(h, n) for n, h in enumerate(hits, 1)})
    assert not any(p.kind == "row" for p in points)


def test_a_pdf_table_continued_with_figures_under_period_headings_keeps_its_header(tmp_path):
    path = tmp_path / "kiln.pdf"
    path.write_bytes(make_pdf([
        ["# Kiln Studio", "Intro line.", ["KPI", "FY2025", "FY2024"], ["Lost files", "0", "12"], ["Restores", "40", "610"]],
        [["Restore time", "9 min", "2 days"], ["Backup cost/yr", "$8K", "$21K"], "All figures audited."],
    ]))
    tables = [e for e in parse_file(path).elements if e.kind == "table"]
    assert [t.page for t in tables] == [1, 2]
    assert tables[1].text.splitlines()[0] == "| KPI | FY2025 | FY2024 |", tables[1].text
    assert "| Restore time | 9 min | 2 days |" in tables[1].text


def test_a_new_table_on_the_next_page_keeps_its_own_header(tmp_path):
    path = tmp_path / "kiln.pdf"
    path.write_bytes(make_pdf([
        ["# Kiln Studio", "Intro line.", ["KPI", "FY2025", "FY2024"], ["Lost files", "0", "12"], ["Restores", "40", "610"]],
        [["Plan", "Seats", "Price"], ["Studio", "12 seats", "$14"], ["Agency", "40 seats", "$29"]],
    ]))
    tables = [e for e in parse_file(path).elements if e.kind == "table"]
    assert tables[1].text.splitlines()[0] == "| Plan | Seats | Price |", tables[1].text


@pytest.mark.parametrize("previous, follow_up, expected", [
    ("How much is guided onboarding?", "and the workshop?", "How much is the workshop?"),
    ("What is the online fee for a studio seat?", "and for a guest?", "What is the online fee for a guest?"),
    ("What was the backup fee in Zone A?", "and in Zone B?", "What was the backup fee in Zone B?"),
    # names are swapped as names; a phrase with the same head word as a phrase
    ("How much does the Studio plan cost per month?", "and the Agency plan?", "How much does the Agency plan cost per month?"),
    ("What's the retention on Solo?", "and Studio?", "What's the retention on Studio?"),
])
def test_and_the_other_thing_swaps_the_phrase_the_question_ends_on(previous, follow_up, expected):
    from rag.answer.followup import Turn, resolve_follow_up

    assert resolve_follow_up(follow_up, (Turn(previous, ""),)) == expected


def test_a_question_without_a_phrase_to_swap_keeps_its_subject_in_brackets():
    from rag.answer.followup import Turn, resolve_follow_up

    resolved = resolve_follow_up("what about the cold tier?", (Turn("How much do restores cost?", ""),))
    assert resolved.startswith("The cold tier") and "restores" in resolved


ASKED = """Noor Haddad: Welcome back. Felix, what was the hardest part of the switch?

Felix Brandt: Thanks Noor, good to be here.

Noor Haddad: What breaks when a studio moves its backups?

Felix Brandt: Old NAS firmware. Update it before the first sync."""


def test_a_persons_answer_is_found_by_the_question_put_to_them(store):
    answer = _quote(store, "What did Felix Brandt say breaks when a studio switches?", _hit(ASKED, "kiln-webinar.vtt"))
    assert "Old NAS firmware" in answer and "good to be here" not in answer, answer
    units = units_of(_hit(ASKED, "kiln-webinar.vtt"), 1)
    firmware = next(u for u in units if "firmware" in u.text)
    assert "What breaks when a studio moves its backups?" in firmware.prompted_by
    greeting = next(u for u in units if "good to be here" in u.text)
    assert "hardest part" in greeting.prompted_by  # each turn with the question right before it, not a later one
    assert not next(u for u in units if "Welcome back" in u.text).prompted_by


def test_a_transcripts_summary_points_say_who_spoke(store):
    from rag.answer.quote import render_points

    hit = _hit(WEBINAR, "backups-without-tears.vtt")
    points = [u for u in units_of(hit, 1) if "9 minutes" in u.text or "This is Backups" in u.text]
    rendered = render_points(points)
    assert "Felix Brandt: " in rendered and "Noor Haddad: This is Backups" in rendered
    # a point that already names its speaker is not named twice
    assert rendered.count("Noor Haddad") == 1 or "I'm Noor Haddad" in rendered
