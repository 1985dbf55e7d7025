"""``grounded bench team`` without a browser: the documents, the questions, the assistant and the report maths.

The browser part (the load itself) is what the benchmark runs; here its pieces are checked on
tiny data, fast. Targets are judged in the benchmark's output, never asserted here.
"""

from __future__ import annotations

import json

import pytest

from rag.bench.team import (
    MARKER,
    Outcome,
    TeamConfig,
    assign_questions,
    build_assistant,
    coined_names,
    library_times,
    make_documents,
    render,
    spread,
    states,
    summarise_step,
    targets,
)
from rag.cli import main


def test_every_question_has_one_answer_document_that_states_its_figure():
    documents = make_documents(300, seed=3)
    assert make_documents(300, seed=3) == documents  # the same assistant for the same seed
    assert len({d.file for d in documents}) == 300
    kinds = {d.file.split("/")[0] for d in documents}
    assert kinds == {"case-studies", "help"}
    for doc in documents:
        assert doc.text.startswith(f"# {doc.title}\n")
        for q in doc.questions:
            assert q.file == doc.file and q.title == doc.title
            assert states(doc.text, q.expected)
    # the name a question asks about is found in its own document only
    for doc in documents[:40]:
        name = doc.title.split()[0]
        assert [d.file for d in documents if name in d.text] == [doc.file]


def test_coined_names_are_distinct_words():
    names = coined_names(2_000, seed=1)
    assert len(set(names)) == 2_000 and all(n.isalpha() and n[0].isupper() for n in names)


def test_questions_are_shared_out_without_repeats():
    documents = make_documents(30)
    drawn = assign_questions(documents, sessions=4, rounds=5, seed=2)
    assert [len(qs) for qs in drawn] == [5, 5, 5, 5]
    texts = [q.text for qs in drawn for q in qs]
    assert len(set(texts)) == 20
    with pytest.raises(ValueError, match="need 61 questions"):
        assign_questions(documents, sessions=61, rounds=1, seed=2)


def test_states_ignores_case_and_spacing_but_not_the_figure():
    assert states("Acme cut onboarding from 41 days to 12  Days.", "12 days")
    assert not states("It took 13 days.", "12 days")
    assert states("The Team plan costs $49 per month.", "$49")


def test_report_maths_by_hand():
    assert spread([]) == {"p50_s": 0.0, "p95_s": 0.0, "max_s": 0.0}
    figures = spread([float(s) for s in range(1, 21)])  # 1 .. 20 s
    assert figures["p50_s"] == pytest.approx(10.5) and figures["p95_s"] == pytest.approx(19.05)
    assert figures["max_s"] == 20.0
    outcomes = [Outcome(1.0), Outcome(2.0), Outcome(None, "timed out"), Outcome(3.0, "wrong answer")]
    step = summarise_step(2, outcomes, page_errors=1, wall_s=12.34)
    assert step["questions"] == 4 and step["p50_s"] == 2.0  # late answers have no time; wrong ones do
    assert step["errors"] == 3
    assert step["error_kinds"] == {"timed out": 1, "wrong answer": 1, "page error": 1}
    config = TeamConfig(sessions=(1, 2))
    assert targets(config, [step]) == []  # 20 sessions were not run: nothing to judge
    judged = targets(TeamConfig(target_sessions=2), [step])
    assert [t.passed for t in judged] == [True, False]  # p95 under 3 s, but errors


def test_assistant_is_ingested_once_answers_right_and_is_reused(tmp_path, capsys):
    documents = make_documents(12, seed=5)
    data = tmp_path / "data"
    first = build_assistant(data, documents, seed=5)
    assert first["documents"] == 12 and first["chunks"] >= 12 and not first["reused"]
    assert json.loads((data / MARKER).read_text())["ingest_s"] == first["ingest_s"]
    again = build_assistant(data, documents, seed=5)
    assert again["reused"] and again["ingest_s"] == first["ingest_s"]
    with pytest.raises(ValueError, match="holds another assistant"):
        build_assistant(data, make_documents(13, seed=5), seed=5)
    library = library_times(data, documents, TeamConfig(sessions=(1, 3), questions=2))
    assert library["questions"] == 16 and library["wrong"] == 0 and library["p95_s"] > 0
    assert [(a["sessions"], a["questions"], a["wrong"]) for a in library["at_once"]] == [(1, 2, 0), (3, 6, 0)]
    result = {"assistant": first, "library": library, "first_answer": summarise_step(1, [Outcome(4.2)], 0, 4.2), "config": {"questions": 2}, "app_tracebacks": 0, "targets": [],
              "steps": [{**summarise_step(1, [Outcome(0.8)], 0, 3.0), "app_rss_peak_mb": 900.0, "app_cpu_per_question_s": 0.4,
                         "browser_cpu_s": 2.0, "load_before": 1.0, "load_after": 1.5}]}
    shown = render(result)
    assert "1.0 -> 1.5" in shown and "first answer (loading the embedding model): 4.2 s" in shown


def test_team_command_refuses_a_folder_it_did_not_make(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("someone's files")
    assert main(["bench", "team", "--documents", "12", "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("grounded bench: ") and "not empty" in err and err.count("\n") == 1
