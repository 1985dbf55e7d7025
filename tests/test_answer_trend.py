"""Figures over time and across documents (rag/answer/trend.py): one cited line per period, each document searched
alone; a question about one period of one company's reports is searched in that report.

The documents are made-up companies' quarterly reports (Kestrel Foods, Ostrava Mills), none of the benchmark's.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from rag.answer.asked import classify
from rag.answer.chain import ask
from rag.answer.trend import asked_periods, named_documents, over_time, period_of
from rag.ingest.pipeline import ingest_bytes
from tests.fixtures import passage_hit as _hit


@pytest.mark.parametrize("question", [
    "How has Kestrel's net sales changed over time?",
    "How have Kestrel's net sales fluctuated across quarters?",
    "Can any trends be identified in Kestrel's export revenue over the reported periods?",
    "What is the impact of exchange rates on Kestrel? List this out separately for each reported period.",
    "How does Kestrel's R&D spending in the most recent quarter compare to previous quarters?",
    "What legal proceedings are disclosed in these 10-Qs?",
    "How did Kestrel's net sales change between Q1 and Q3 2023?",
    "What were Kestrel's net sales in 2022 and 2023?",
    "How has revenue evolved quarter to quarter?",
])
def test_questions_over_time_or_across_documents(question):
    assert over_time(question)


@pytest.mark.parametrize("question", [
    "How much does the Team plan cost?",
    "In Q1 2023, how did Kestrel's operating expenses compare to its revenue?",
    "What did Priya Natarajan say about ShiftPal?",
    "How long did onboarding take before Kelpie?",
    "Which payroll systems does ShiftPal integrate with?",
    "What was the time to first value across our customers?",  # "across" customers, not periods
])
def test_questions_about_one_thing_or_one_period_are_not(question):
    assert not over_time(question)


def test_periods_named_in_a_question():
    assert asked_periods("How did net sales change between Q1 and Q3 2023?") == [(2023, 1), (2023, 3)]
    assert asked_periods("In Q1 2023, how did Microsoft do?") == [(2023, 1)]
    assert asked_periods("In the first quarter of 2023, how much did Apple spend?") == [(2023, 1)]
    assert asked_periods("In Intel's 2022 Q3 report, compare capex") == [(2022, 3)]
    assert asked_periods("What were net sales in 2022 and 2023?") == [(2022, None), (2023, None)]
    assert asked_periods("How much does the Team plan cost?") == []


def test_a_documents_period_from_its_name_and_its_opening():
    cover = _hit("KESTREL FOODS PLC\n\nQuarterly report for the quarterly period ended March 31, 2023\n\nContents", "k.md")
    p = period_of("d1", "2023 Q1 Kestrel.md", "Kestrel Foods", cover)
    assert (p.year, p.quarter) == (2023, 1)
    assert p.ended_on == date(2023, 3, 31) and p.label == "Quarterly period ended March 31, 2023"
    assert p.matches((2023, 1)) and p.matches((None, 1)) and p.matches((2023, None)) and not p.matches((2023, 3))
    bare = period_of("d2", "annual-review-2024.pdf", "", _hit("Our year in numbers.", "a.pdf"))
    assert (bare.year, bare.quarter, bare.ended) == (2024, None, "") and bare.label == "annual-review-2024"
    assert bare.key > p.key or bare.key[0] == 1  # a date orders before a bare year


class _Row:
    def __init__(self, doc_id, file, about):
        self.doc_id, self.file, self.title, self.about = doc_id, file, "", about


def test_the_questions_names_pick_documents_and_a_name_every_document_has_picks_none():
    rows = [_Row("a", "2023 Q1 KST.md", "Kestrel Foods 10-Q"), _Row("b", "2023 Q2 KST.md", "Kestrel Foods 10-Q"),
            _Row("c", "2023 Q1 OST.md", "Ostrava Mills 10-Q Services")]
    assert [r.doc_id for r in named_documents(rows, ["Kestrel", "10-Q"])] == ["a", "b"]
    assert named_documents(rows, ["10-Q"]) == []
    # more of the names said wins: "Ostrava Mills Services" over a report that only says "Services"
    assert [r.doc_id for r in named_documents(rows, ["Ostrava", "Services"])] == ["c"]


def _report(company: str, quarter: int, year: int, ended: str, sales: str, rd: str, note: str) -> str:
    return (f"# {company} quarterly report {year} Q{quarter}\n\n"
            f"{company} quarterly report for the quarterly period ended {ended}.\n\n"
            f"## Results of operations\n\n"
            f"Net sales for the quarter were {sales}. {note}\n\n"
            f"Research and development expense was {rd} in the quarter.\n\n"
            f"## Legal proceedings\n\n"
            f"{company} is not party to any legal proceedings that it believes are material.\n")


REPORTS = {
    "2023 Q1 KST.md": _report("Kestrel Foods", 1, 2023, "March 31, 2023", "$41.2 million", "$3.1 million",
                              "Demand for chilled meals was steady."),
    "2023 Q2 KST.md": _report("Kestrel Foods", 2, 2023, "June 30, 2023", "$44.8 million", "$3.4 million",
                              "Summer ranges sold well in the north."),
    "2023 Q3 KST.md": _report("Kestrel Foods", 3, 2023, "September 30, 2023", "$39.5 million", "$3.9 million",
                              "A product recall in August cut sales."),
    "2023 Q1 OST.md": _report("Ostrava Mills", 1, 2023, "March 31, 2023", "$12.0 million", "$0.8 million",
                              "Flour prices rose."),
    "2023 Q3 OST.md": _report("Ostrava Mills", 3, 2023, "September 30, 2023", "$13.5 million", "$0.9 million",
                              "Export orders grew."),
}


@pytest.fixture
def reports(store):
    for name, text in REPORTS.items():
        ingest_bytes(store, name, text.encode())
    return store


@pytest.mark.slow
def test_a_figure_over_time_is_one_cited_line_per_period_in_order(reports):
    answer = ask(reports, "How have Kestrel Foods' net sales changed over time?", user=None)
    lines = [line for line in answer.answer.splitlines() if line.startswith("- ")]
    assert len(lines) == 3, answer.answer
    for line, ended, sales in zip(lines, ("March 31, 2023", "June 30, 2023", "September 30, 2023"),
                                  ("41.2", "44.8", "39.5")):
        assert ended in line and sales in line and re.search(r"\[\d\]", line), answer.answer
    assert "12.0" not in answer.answer and "13.5" not in answer.answer  # the other company's reports stay out
    assert {c.file for c in answer.citations} == {"2023 Q1 KST.md", "2023 Q2 KST.md", "2023 Q3 KST.md"}
    assert answer.answers_question is True and answer.grounded_fraction >= 0.9, answer.answer


@pytest.mark.slow
def test_two_periods_named_quote_those_two_only(reports):
    answer = ask(reports, "How did Kestrel Foods' research and development expense change between Q1 and Q3 2023?",
                 user=None)
    assert "3.1" in answer.answer and "3.9" in answer.answer and "3.4" not in answer.answer, answer.answer
    assert answer.answer.index("3.1") < answer.answer.index("3.9")


@pytest.mark.slow
def test_one_period_of_one_company_is_searched_in_that_report(reports):
    answer = ask(reports, "What were Ostrava Mills' net sales in Q3 2023?", user=None)
    assert "13.5" in answer.answer and "12.0" not in answer.answer, answer.answer
    assert {c.file for c in answer.citations} == {"2023 Q3 OST.md"}
    latest = ask(reports, "What were Kestrel Foods' net sales in the most recent quarterly report?", user=None)
    assert "39.5" in latest.answer and "41.2" not in latest.answer, latest.answer


@pytest.mark.slow
def test_a_question_without_periods_keeps_the_ordinary_answer(reports):
    answer = ask(reports, "What did Kestrel Foods say about the product recall?", user=None)
    assert "recall" in answer.answer and answer.answer.count("\n- ") == 0


def test_a_change_question_is_still_a_figure_question():
    asked = classify("How has Kestrel's total net sales changed over time?")
    assert asked.kind == "figure" and asked.direction == "change"


def test_a_sentence_that_only_says_the_period_is_not_a_figure():
    from rag.answer.trend import states_period_only

    assert states_period_only("Kestrel Foods quarterly report for the quarterly period ended March 31, 2023.")
    assert not states_period_only("Net sales for the three months ended June 25, 2022 were $82.9 billion.")
    assert not states_period_only("Net sales were $41.2 million.")


def test_over_time_asks_for_no_duration_and_a_date_is_not_a_figure():
    from rag.answer.asked import carries

    assert not classify("How has Kestrel's net sales changed over time?").wants_time
    assert classify("How much time does onboarding take?").wants_time
    assert classify("How long did onboarding take before Kelpie?").wants_time
    asked = classify("What were Ostrava Mills' net sales in Q3 2023?")
    assert not carries(asked, "Quarterly report for the quarterly period ended September 30, 2023.")
    assert not carries(asked, "Published in 2023.")
    assert carries(asked, "Net sales were $13.5 million in Q3 2023.")
    assert carries(asked, "We sold 2,024 units.")


def test_each_periods_line_must_answer_on_its_own():
    from rag.answer.trend import judge_lines

    asked = classify("How have Kestrel Foods' net sales changed over time?")
    good = ("- Quarterly period ended March 31, 2023 [1]: Net sales for the quarter were $41.2 million. [2]\n"
            "- Quarterly period ended June 30, 2023 [3]: Net sales for the quarter were $44.8 million. [4]")
    assert judge_lines(asked, good, "2023 Q1 KST.md Kestrel Foods")[0] is True
    # the figure in one period's line, the subject's words in another's: no line answers on its own
    mixed = ("- 2023 Q1 KST: Net sales are reported by region in the notes. [1]\n"
             "- 2023 Q2 KST: Headcount rose to 412 people. [2]\n"
             "- 2023 Q3 KST: Net sales for the quarter were $39.5 million. [3]")
    verdict, reason = judge_lines(asked, mixed, "2023 Q1 KST.md Kestrel Foods")
    assert verdict is False and "1 of the 3" in reason
