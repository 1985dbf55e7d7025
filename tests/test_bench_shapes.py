"""The shapes set (``grounded bench qa --shapes``): its corpus builds, every question can be answered from it,
and the bench reports per type, per format and per split.

The fast tests read the fixture documents with the product's parsers only (no embedding): a question whose key
facts are in no document would make the set silently unanswerable. The slow one runs the bench on one company.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from rag.bench.documents import make_pdf
from rag.bench.shapes import failures, stated, summarise
from rag.bench.shapes_set import FIRST_FORMATS, FIRST_TYPES, FORMATS, HELD_OUT, TYPES, companies
from rag.parse import parse_file

COMPANIES = companies()


@pytest.fixture(scope="module")
def parsed(tmp_path_factory):
    """Company key -> document name -> the text of its parsed elements (and their heading paths)."""
    root = tmp_path_factory.mktemp("shapes")
    out = {}
    for company in COMPANIES:
        folder = company.write(root / company.key)
        out[company.key] = {}
        for doc in company.documents:
            result = parse_file(folder / doc.name, doc.name)
            out[company.key][doc.name] = "\n".join([e.text for e in result.elements] +
                                                   [" > ".join(e.heading_path) for e in result.elements])
    return out


def test_five_companies_one_held_out_each_with_every_format():
    keys = [c.key for c in COMPANIES]
    assert len(set(keys)) == 5 and HELD_OUT in keys
    assert [c.key for c in COMPANIES if c.held_out] == [HELD_OUT]
    assert len({c.industry for c in COMPANIES}) == 5
    for company in COMPANIES:
        wanted = FIRST_FORMATS if company.key in ("kelpie", "northbeam", "fieldfare") else FORMATS
        assert sorted(d.format for d in company.documents) == sorted(wanted), company.key
        assert len({d.name for d in company.documents}) == len(company.documents)
    # the held-out company and the last tuning one have every format, the CSV and the LinkedIn export included
    assert {d.format for d in next(c for c in COMPANIES if c.held_out).documents} == set(FORMATS)


def test_every_company_asks_several_questions_of_every_type():
    ids = [q.id for c in COMPANIES for q in c.questions]
    assert len(ids) == len(set(ids))
    for company in COMPANIES:
        per_type = Counter(q.type for q in company.questions)
        assert set(per_type) == set(FIRST_TYPES if company.key in ("kelpie", "northbeam", "fieldfare") else TYPES), company.key
        assert all(n >= 2 for n in per_type.values()), (company.key, per_type)
        for q in company.questions:
            assert q.source is None or company.format_of(q.source), (q.id, q.source)
            if q.answerable:
                assert q.facts and q.source, q.id
            else:
                assert q.type == "uncovered" and not q.facts, q.id
            assert (q.after is not None) == (q.type == "follow-up"), q.id
        # an uncovered question that shares a word with a document: "Can X split tips?" beside "Tip: ..."
        assert any(q.type == "uncovered" and "tip" in q.question.lower() for q in company.questions)


def test_every_document_parses_and_holds_the_key_facts_of_its_questions(parsed):
    for company in COMPANIES:
        for doc in company.documents:
            assert parsed[company.key][doc.name].strip(), (company.key, doc.name)
        for q in company.questions:
            if q.answerable:
                text = parsed[company.key][q.source]
                assert [f for f in q.facts if not stated(text, f)] == [], (q.id, q.source)
                # the wrong side of a before/after is in the same document, or the check would be empty
                assert all(stated(text, f) for f in q.not_facts), q.id


def test_uncovered_questions_ask_for_what_no_document_states(parsed):
    """The distinctive word of each uncovered question is in none of its company's documents."""
    distinctive = {"k-un-tips": "split", "k-un-phone": "by phone", "k-un-hipaa": "HIPAA", "k-un-platinum": "Platinum",
                   "k-un-revenue": "revenue", "n-un-tips": "cleaning", "n-un-wind": "wind", "n-un-xl": "Carport XL",
                   "n-un-bcorp": "B Corp", "n-un-revenue": "revenue", "f-un-tips": "split", "f-un-cruise": "cruise",
                   "f-un-platinum": "Platinum", "f-un-soc2": "SOC 2", "f-un-revenue": "revenue",
                   "t-un-tips": "reporters", "t-un-fedramp": "FedRAMP", "t-un-starter": "Starter", "t-un-bounty": "bounty",
                   "t-un-revenue": "ARR in 2025", "s-un-tips": "accept", "s-un-vegan": "vegan", "s-un-zonee": "Zone E",
                   "s-un-fairtrade": "Fairtrade", "s-un-revenue": "revenue", "s-un-vlam-story": "Vlam case study"}
    for company in COMPANIES:
        everything = "\n".join(parsed[company.key].values()).lower()
        for q in company.questions:
            if q.id in distinctive:
                assert distinctive[q.id].lower() not in everything, q.id
    asked = {q.id for c in COMPANIES for q in c.questions if not q.answerable}
    assert set(distinctive) <= asked


def test_stated_reads_words_by_stem_and_figures_by_value():
    assert stated("Don't write synergies or leverage.", "synergy") and stated("no eco-friendly claims", "eco-friendly")
    assert not stated("friendly", "eco-friendly") and not stated("the pax count", "passengers")
    assert stated("| Growth | $129 |", "$129") and not stated("| Growth | $1,290 |", "$129")
    assert stated("EUR 298,000", "298,000") and stated("Settings > Integrations", "Settings > Integrations")


def test_make_pdf_draws_a_table_that_continues_on_the_next_page(tmp_path):
    header = ["Metric", "Before", "After"]
    rows = [[f"Metric {n}", f"{40 + n} days", f"{10 + n} days"] for n in range(1, 7)]
    path = tmp_path / "results.pdf"
    path.write_bytes(make_pdf([["# Results", "Intro line.", header, *rows[:3]], [*rows[3:], "All figures from 2025."]]))
    result = parse_file(path)
    tables = [e for e in result.elements if e.kind == "table"]
    assert [t.page for t in tables] == [1, 2]
    assert tables[1].text.splitlines()[0] == "| Metric | Before | After |"  # the header carried to the continued rows
    assert "| Metric 5 | 45 days | 15 days |" in tables[1].text
    assert "All figures from 2025." in " ".join(e.text for e in result.elements if e.kind != "table")


def test_make_pdf_without_tables_is_unchanged():
    """Text-only pages keep the flowing layout other fixtures rely on (positions in the page-view tests)."""
    pdf = make_pdf([["# Title", "line one"]])
    assert b"72 720 Td" in pdf and b" re" not in pdf and b" l S" not in pdf


def _record(**over) -> dict:
    base = {"id": "x", "split": "tuned", "type": "table", "format": "xlsx", "question": "q?", "answer": "a",
            "answerable": True, "refused": False, "flagged": False, "answers_question": True, "notices": [],
            "searched": "", "latency_ms": 100.0, "share": 1.0, "all_facts": True, "missing": [], "overclaim": False}
    return base | over


def test_summaries_count_overclaims_uncovered_and_flags():
    records = [
        _record(),
        _record(id="miss", share=0.5, all_facts=False, missing=["$449"], overclaim=True),
        _record(id="flag", flagged=True),
        _record(id="un1", answerable=False, type="uncovered", refused=True, flagged=True, declined=True, overclaim=False),
        _record(id="un2", answerable=False, type="uncovered", declined=False, overclaim=True),
    ]
    for r in records:
        if not r["answerable"]:
            for k in ("share", "all_facts", "missing"):
                r.pop(k)
    s = summarise(records)
    assert (s["answerable"], s["uncovered"], s["overclaims"], s["uncovered_labelled_answering"]) == (3, 2, 1, 1)
    assert s["all_facts"] == pytest.approx(2 / 3, abs=1e-3) and s["key_facts"] == pytest.approx(2.5 / 3, abs=1e-3)
    assert s["answerable_flagged"] == pytest.approx(1 / 3, abs=1e-3)
    assert s["uncovered_declined"] == 0.5 and s["uncovered_declined_or_flagged"] == 0.5
    why = {f["id"]: f["why"] for f in failures(records)}
    assert set(why) == {"miss", "flag", "un2"}
    assert "missed $449" in why["miss"] and "labelled" in why["miss"] and "flagged though" in why["flag"]


@pytest.mark.slow
def test_the_bench_runs_on_one_company_and_writes_its_json(tmp_path, capsys):
    from rag.cli import main

    out = tmp_path / "shapes.json"
    assert main(["bench", "qa", "--shapes", "--company", "kelpie", "--strategies", "hybrid", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["benchmark"] == "shapes" and result["held_out"] == HELD_OUT
    assert list(result["companies"]) == ["kelpie"] and not result["companies"]["kelpie"]["failed"]
    assert list(result["splits"]) == ["tuned"]  # the held-out company was not asked
    tuned = result["splits"]["tuned"]
    kelpie = next(c for c in COMPANIES if c.key == "kelpie")
    assert set(tuned["by_type"]) == set(FIRST_TYPES) and set(tuned["by_format"]) <= set(FIRST_FORMATS) | {"none"}
    assert tuned["overall"]["answerable"] + tuned["overall"]["uncovered"] == len(kelpie.questions)
    for figures in (tuned["overall"], *tuned["by_type"].values(), *tuned["by_format"].values()):
        assert {"key_facts", "all_facts", "answerable_flagged", "overclaims", "uncovered_declined",
                "uncovered_declined_or_flagged", "uncovered_labelled_answering", "p50_ms"} <= set(figures)
    answers = {a["id"]: a for a in result["answers"]}
    assert set(answers) == {q.id for q in kelpie.questions}
    assert all(0.0 <= a["share"] <= 1.0 for a in answers.values() if a["answerable"])
    assert answers["k-fu-enterprise"]["after"] == "How much does the Growth plan cost per month?"
    assert {f["id"] for f in result["failures"]} <= set(answers)
    assert any("held out" in t["name"] or t["name"].startswith("tuned:") for t in result["targets"])
    printed = capsys.readouterr().out
    assert "type: list" in printed and "format: xlsx" in printed and ("PASS" in printed or "MISS" in printed)
