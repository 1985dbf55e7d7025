"""Answer checks: judging an answer against its facts, suggestions from the documents, runs with before/after after a
settings change, who may add and run them, the background runner, Chat's thumbs-up, and ``grounded checks``."""

from __future__ import annotations

import json
import time

import pytest

from rag.errors import AccessDenied, NotFound
from rag.ingest.pipeline import ingest_bytes
from rag.quality import checks, runs
from rag.quality.judge import states
from rag.quality.runner import CheckRunner
from rag.types import Answer, Citation
from rag.workspace.access import User
from rag.workspace.assistants import create_assistant, get_assistant, save_assistant, share
from rag.workspace.chats import add_message, new_chat
from rag.catalog.checks import Check
from tests.conftest import run_cli
from tests.marketing_fixtures import ACME_CASE_STUDY, GLOBEX_CASE_STUDY, NORTHWIND

OWNER, READER, STRANGER = User("olivia"), User("rita"), User("sam")

PRICING = b"""# Pricing

Every plan includes unlimited questions.

| Plan | Price | Seats |
|---|---|---|
| Starter | $19 per month | 3 |
| Team | $49 per month | 20 |
| Enterprise | $199 per month | Unlimited |
"""

HOW_TO = b"""# Reset your password

Follow these steps to reset your password:

1. Click Forgot password on the sign-in page.
2. Enter the email address of your account.
3. Open the reset link we email you and choose a new password.
"""

FIXTURE = {"northwind-case-study.md": NORTHWIND, "acme-case-study.md": ACME_CASE_STUDY,
           "globex-customer-story.md": GLOBEX_CASE_STUDY, "pricing.md": PRICING, "reset-password.md": HOW_TO}


def _answer(text: str, *files: str, refused: bool = False) -> Answer:
    cites = [Citation(n, f"doc{n}", f, None, "", text[:40], 0.5, chunk_id=f"c{n}") for n, f in enumerate(files, 1)]
    return Answer(text, "extractive", refused=refused, citations=cites)


def _check(*facts: str, source: str | None = None) -> Check:
    return Check("k1", "default", "How did onboarding change at Northwind?", list(facts), source)


# judging
def test_an_answer_stating_every_fact_and_citing_the_document_passes():
    result = runs.judge(_check("41 days", "12 days", source="northwind-case-study.md"),
                          _answer("Northwind cut onboarding from 41 days to 12 days. [1]", "northwind-case-study.md"))
    assert result.passed and result.source_ok and all(f.found for f in result.facts)
    assert result.why() == ""


def test_a_wrong_figure_fails_and_says_which_fact_is_missing():
    result = runs.judge(_check("41 days", "12 days"), _answer("Northwind cut onboarding from 41 days to 14 days. [1]", "a.md"))
    assert not result.passed
    assert result.missing == ["12 days"]
    assert "“12 days”" in result.why()


def test_the_right_number_with_another_unit_fails():
    assert not states("It now takes 12 weeks.", "12 days")
    assert not states("The Team plan costs $39 per month.", "$49 per month")
    assert not states("Tickets fell by 3.5%.", "35%")


def test_a_missing_source_fails_even_when_every_fact_is_stated():
    result = runs.judge(_check("41 days", source="northwind-case-study.md"),
                          _answer("Onboarding took 41 days. [1]", "acme-case-study.md"))
    assert not result.passed and result.source_ok is False
    assert "doesn't cite northwind-case-study.md" in result.why()


def test_only_the_named_document_counts_as_cited():
    check = _check("41 days", source="case-studies/northwind.md")
    assert checks_ok(check, "case-studies/northwind.md")
    assert checks_ok(check, "Case-Studies/Northwind.md")  # case never matters
    assert not checks_ok(check, "archive/northwind.md")  # the same name in another folder is another document
    assert not checks_ok(check, "northwind.md")


def checks_ok(check: Check, cited: str) -> bool:
    return runs.judge(check, _answer("Onboarding took 41 days. [1]", cited)).passed


def test_a_refusal_fails():
    result = runs.judge(_check("41 days"), _answer("I couldn't find that in your documents (41 days).", refused=True))
    assert not result.passed and result.refused and not result.facts[0].found


@pytest.mark.parametrize("answer, fact", [
    ("a 41-day wait", "41 days"), ("41 Days", "41 days"), ("from 41 to 12 days", "41 days"),
    ("2,000 tickets a month", "2000 tickets"), ("49 dollars per month", "$49 per month"), ("35 per cent", "35%"),
    ("Maria López said so", "Maria Lopez"), ("released 10 May 2023", "May 10, 2023"), ("three seats", "3 seats"),
    ("1. Click\n2. Enter\n3. Open", "3 steps"), ("It takes   3\nsteps.", "3 steps"),
])
def test_figures_names_dates_and_steps_are_compared_after_normalising(answer, fact):
    assert states(answer, fact)


@pytest.mark.parametrize("answer, fact", [
    ("1. Click\n2. Enter", "3 steps"), ("1. Click\n2. Enter\n3. Open\n4. Save", "3 steps"),
    ("Maria said so", "Maria Lopez"), ("released 11 May 2023", "May 10, 2023"),
])
def test_a_fact_only_partly_stated_is_missing(answer, fact):
    assert not states(answer, fact)


# a fixture assistant
@pytest.fixture
def assistant(store):
    made = create_assistant(store.catalog, "Sales answers", user=OWNER)
    share(store.catalog, made.id, [READER.name], OWNER)
    for name, data in FIXTURE.items():
        ingest_bytes(store, name, data, made.id)
    return made


def _keep_suggestions(store, assistant_id: str) -> list[Check]:
    for s in checks.suggest_checks(store, assistant_id, user=OWNER):
        checks.accept_suggestion(store, assistant_id, s, user=OWNER)
    return checks.list_checks(store, assistant_id, user=OWNER)


@pytest.mark.slow  # indexes the fixture assistant and asks through the answer path
def test_every_case_study_and_price_table_row_and_how_to_gets_a_suggestion(store, assistant):
    offered = checks.suggest_checks(store, assistant.id, user=OWNER)
    by_source: dict[str, list[checks.Suggestion]] = {}
    for s in offered:
        by_source.setdefault(s.source, []).append(s)
    for case in ("northwind-case-study.md", "acme-case-study.md", "globex-customer-story.md"):
        whys = {s.why for s in by_source[case]}
        assert whys == {"Case study headline figure", "Case study quote"}, case
    acme = {s.why: s for s in by_source["acme-case-study.md"]}
    assert acme["Case study headline figure"].facts == ["41 days", "12 days"]
    assert acme["Case study quote"].facts[0] == "Dana Whitfield"
    prices = {tuple(s.facts) for s in by_source["pricing.md"]}
    assert prices == {("$19 per month",), ("$49 per month",), ("$199 per month",)}
    assert [s.facts for s in by_source["reset-password.md"]] == [["3 steps"]]


@pytest.mark.slow  # indexes the fixture assistant and asks through the answer path
def test_kept_and_dropped_suggestions_are_not_offered_again(store, assistant):
    offered = checks.suggest_checks(store, assistant.id, user=OWNER)
    edited = offered[0]
    edited.facts = ["41 days"]
    checks.accept_suggestion(store, assistant.id, edited, user=OWNER)
    checks.drop_suggestion(store, assistant.id, offered[1], user=OWNER)
    again = {s.key for s in checks.suggest_checks(store, assistant.id, user=OWNER)}
    assert offered[0].key not in again and offered[1].key not in again
    assert len(again) == len(offered) - 2
    kept = checks.list_checks(store, assistant.id, user=OWNER)
    assert [(c.question, c.facts, c.origin) for c in kept] == [(edited.question, ["41 days"], "suggested")]


@pytest.mark.slow  # indexes the fixture assistant and asks through the answer path
def test_the_suggested_checks_pass_on_the_answer_path_and_are_stored_with_the_answer(store, assistant):
    kept = _keep_suggestions(store, assistant.id)
    report = checks.run_checks(store, assistant.id, user=OWNER)
    assert report.run.total == len(kept) and report.comparison is None
    assert report.run.passed == len(kept), [(r.question, r.why(), r.answer) for r in report.failed]
    stored = checks.run_report(store, assistant.id, user=READER)
    assert [r.answer for r in stored.results] == [r.answer for r in report.results]
    assert all(r.answer for r in stored.results)


@pytest.mark.slow  # indexes the fixture assistant and asks through the answer path
def test_a_settings_change_queues_a_run_shown_before_and_after(store, assistant):
    kept = _keep_suggestions(store, assistant.id)
    first = checks.run_checks(store, assistant.id, user=OWNER)
    assert first.run.passed == len(kept)
    changed = get_assistant(store.catalog, assistant.id, OWNER)
    changed.retrieval = changed.retrieval.with_(strategy="dense", threshold=0.99)  # nothing is that close: refusals
    save_assistant(store.catalog, changed, OWNER)  # returns at once: the run is queued, not run
    (queued,) = store.catalog.checks.queued_runs()
    assert queued.reason == "settings" and queued.change == "Search: meaning and keywords -> meaning only; Relevance threshold: 0.25 -> 0.99"
    (second,) = runs.run_queued(store, quiet_s=0)
    n, worse = len(kept), [r for r in second.results if not r.passed]
    assert worse  # the how-to, at least, is no longer answered
    these = "this one" if len(worse) == 1 else f"these {len(worse)}"
    assert second.comparison.headline() == (f"Search: meaning and keywords -> meaning only; Relevance threshold: 0.25 -> 0.99: "
                                            f"{n} of {n} -> {n - len(worse)} of {n}; {these} got worse")
    assert second.comparison.worse == worse and second.comparison.better == []
    # a failing check keeps the passage that holds its fact, to open it
    for failing in worse:
        assert failing.passage is not None and failing.passage.file == failing.source
        assert states(failing.passage.quote, failing.missing[0]) or failing.missing[0].endswith("steps")
    # back again: better, nothing worse
    changed.retrieval = changed.retrieval.with_(strategy="hybrid", threshold=0.25)
    save_assistant(store.catalog, changed, OWNER)
    (third,) = runs.run_queued(store, quiet_s=0)
    assert third.comparison.headline().endswith(f"{n - len(worse)} of {n} -> {n} of {n}")
    assert [r.check_id for r in third.comparison.better] == [r.check_id for r in worse]


@pytest.mark.slow  # indexes the fixture assistant and asks through the answer path
def test_runs_are_queued_once_per_change_only_for_assistants_with_checks(store, assistant):
    changed = get_assistant(store.catalog, assistant.id, OWNER)
    changed.retrieval = changed.retrieval.with_(k=8)
    save_assistant(store.catalog, changed, OWNER)
    assert store.catalog.checks.queued_runs() == []  # no checks yet: nothing to run
    checks.add_check(store, assistant.id, "How much does the Team plan cost?", ["$49 per month"], user=OWNER)
    changed.name = "Renamed"
    save_assistant(store.catalog, changed, OWNER)
    assert store.catalog.checks.queued_runs() == []  # a name doesn't change answers
    changed.retrieval = changed.retrieval.with_(k=4)
    save_assistant(store.catalog, changed, OWNER)
    changed.model = "extractive"
    save_assistant(store.catalog, changed, OWNER)
    (queued,) = store.catalog.checks.queued_runs()
    assert queued.change == "Passages per answer: 8 -> 4; Model: automatic -> quotes only"


@pytest.mark.slow  # indexes the fixture assistant and asks through the answer path
def test_a_reindex_queues_a_run_that_waits_until_indexing_is_done(store, assistant):
    from rag.workspace.documents import reindex

    checks.add_check(store, assistant.id, "How much does the Team plan cost?", ["$49 per month"], user=OWNER)
    row = next(r for r in store.catalog.documents(assistant.id) if r.file == "pricing.md")
    reindex(store, row.doc_id, OWNER)
    (queued,) = store.catalog.checks.queued_runs()
    assert queued.reason == "re-index"
    assert runs.run_queued(store, quiet_s=60) == []  # a document changed a moment ago: not settled yet
    (report,) = runs.run_queued(store, quiet_s=0)
    assert report.run.passed == 1


@pytest.mark.slow  # indexes the fixture assistant and asks through the answer path
def test_nightly_and_after_sync_runs_are_queued(store, assistant):
    checks.add_check(store, assistant.id, "How much does the Team plan cost?", ["$49 per month"], user=OWNER)
    (nightly,) = runs.queue_due_runs(store.catalog)
    assert nightly.reason == "nightly"
    runs.run_queued(store, quiet_s=0)
    assert runs.queue_due_runs(store.catalog) == []  # ran a moment ago
    store.catalog.execute("INSERT INTO sources(source_id, workspace, kind, origin, schedule, created, last_sync) "
                          "VALUES ('s1', ?, 'site', 'https://example.com', 'daily', 0, ?)", (assistant.id, time.time() + 1))
    (after_sync,) = runs.queue_due_runs(store.catalog)
    assert after_sync.reason == "sync"
    (day_later,) = runs.queue_due_runs(store.catalog, now=time.time() + runs.NIGHTLY_S + 10) or [after_sync]
    assert day_later.run_id == after_sync.run_id  # still waiting: the same run, not a second one


@pytest.mark.slow  # indexes the fixture assistant and asks through the answer path
def test_the_background_runner_runs_a_queued_run(store, assistant):
    checks.add_check(store, assistant.id, "How much does the Team plan cost?", ["$49 per month"], user=OWNER)
    run = checks.queue_checks(store, assistant.id, user=OWNER)
    runner = CheckRunner(store, poll_s=0.05, quiet_s=0).start()
    try:
        deadline = time.monotonic() + 60
        while store.catalog.checks.get_run(run.run_id).status != "done" and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        runner.stop(timeout=30)
    assert store.catalog.checks.get_run(run.run_id).passed == 1


@pytest.mark.slow  # indexes the fixture assistant and asks through the answer path
def test_readers_see_checks_but_only_managers_add_edit_or_run_them(store, assistant):
    made = checks.add_check(store, assistant.id, "How much does the Team plan cost?", ["$49 per month"], user=OWNER)
    assert [c.check_id for c in checks.list_checks(store, assistant.id, user=READER)] == [made.check_id]
    for action in (
        lambda: checks.add_check(store, assistant.id, "Q?", ["1 day"], user=READER),
        lambda: checks.edit_check(store, assistant.id, made.check_id, "Q?", ["1 day"], user=READER),
        lambda: checks.remove_check(store, assistant.id, made.check_id, user=READER),
        lambda: checks.run_checks(store, assistant.id, user=READER),
        lambda: checks.queue_checks(store, assistant.id, user=READER),
        lambda: checks.suggest_checks(store, assistant.id, user=READER),
    ):
        with pytest.raises(AccessDenied):
            action()
    with pytest.raises(NotFound):
        checks.list_checks(store, assistant.id, user=STRANGER)
    with pytest.raises(NotFound):
        checks.run_report(store, assistant.id, user=STRANGER)


@pytest.mark.slow  # indexes the fixture assistant and asks through the answer path
def test_a_check_needs_a_question_a_fact_and_a_document_the_assistant_has(store, assistant):
    with pytest.raises(checks.BadCheck, match="question"):
        checks.add_check(store, assistant.id, "  ", ["41 days"], user=OWNER)
    with pytest.raises(checks.BadCheck, match="at least one fact"):
        checks.add_check(store, assistant.id, "How long?", ["  "], user=OWNER)
    with pytest.raises(checks.BadCheck, match="isn't one of this assistant's documents"):
        checks.add_check(store, assistant.id, "How long?", ["41 days"], "missing.pdf", user=OWNER)
    made = checks.add_check(store, assistant.id, "How long?", ["41 days"], "Northwind-Case-Study.md", user=OWNER)
    assert made.source == "northwind-case-study.md"
    with pytest.raises(checks.BadCheck, match="no checks yet"):
        other = create_assistant(store.catalog, "Empty", user=OWNER)
        checks.run_checks(store, other.id, user=OWNER)


@pytest.mark.slow  # indexes the fixture assistant and asks through the answer path
def test_a_thumbs_up_answer_becomes_a_check_in_one_click(store, assistant):
    from rag.answer.chain import ask
    from rag.workspace.quality import check_from_chat

    question = "How did onboarding change at Northwind?"
    answer = ask(store, question, assistant.id, user=OWNER)
    chat = new_chat(store.catalog, assistant.id, user=OWNER)
    add_message(store.catalog, chat, "user", question)
    message = add_message(store.catalog, chat, "assistant", answer.answer, answer)
    with pytest.raises(AccessDenied):
        check_from_chat(store, assistant.id, chat.chat_id, message.msg_id, user=READER)
    made = check_from_chat(store, assistant.id, chat.chat_id, message.msg_id, user=OWNER)
    assert made.question == question and made.origin == "chat"
    assert "41 days" in made.facts and "12 days" in made.facts
    assert made.source == answer.citations[0].file
    with pytest.raises(checks.BadCheck, match="a check already"):
        check_from_chat(store, assistant.id, chat.chat_id, message.msg_id, user=OWNER)
    assert checks.run_checks(store, assistant.id, user=OWNER).run.passed == 1


@pytest.mark.slow  # indexes the fixture assistant and asks through the answer path
def test_cli_checks_add_list_suggest_run(store, assistant, capsys):
    data_dir, ws = store.settings.data_dir, assistant.id
    store.catalog.close()
    from rag.index import close_all_indexes

    close_all_indexes()
    common = ("--data-dir", data_dir, "-w", ws)
    added = run_cli(capsys, "checks", "add", "How much does the Team plan cost?", "--fact", "$49 per month",
                    "--source", "pricing.md", "--json", *common)
    assert added.returncode == 0, added.stderr
    check_id = json.loads(added.stdout)["check_id"]
    listed = run_cli(capsys, "checks", "list", "--json", *common)
    assert [c["check_id"] for c in json.loads(listed.stdout)] == [check_id]
    bad = run_cli(capsys, "checks", "add", "How long?", "--fact", "41 days", "--source", "nope.pdf", *common)
    assert bad.returncode == 1 and "isn't one of this assistant's documents" in bad.stderr
    suggested = run_cli(capsys, "checks", "suggest", "--json", *common)
    offered = json.loads(suggested.stdout)["suggested"]
    assert {s["source"] for s in offered} >= {"northwind-case-study.md", "acme-case-study.md", "pricing.md"}
    assert "How much does the Team plan cost?" not in {s["question"] for s in offered}  # it is a check already
    ran = run_cli(capsys, "checks", "run", "--json", *common)
    assert ran.returncode == 0, ran.stderr
    report = json.loads(ran.stdout)
    assert report["run"]["passed"] == 1 and report["results"][0]["facts"] == [{"fact": "$49 per month", "found": True}]
    text = run_cli(capsys, "checks", "run", *common)
    assert "pass  How much does the Team plan cost?" in text.stdout
    assert "1 of 1 -> 1 of 1" in text.stdout  # compared with the run before


@pytest.mark.slow  # indexes the fixture assistant and asks through the answer path
def test_a_failing_check_opens_the_passage_that_states_the_fact(store, assistant):
    from rag.workspace import page_view

    check = checks.add_check(store, assistant.id, "What did Northwind achieve?", ["12 days"], "northwind-case-study.md",
                             user=OWNER)
    p = runs.find_passage(store, assistant.id, check, "12 days")
    assert p.file == "northwind-case-study.md" and p.quote == "Northwind cut onboarding from 41 days to 12 days."
    citation = Citation(1, p.doc_id, p.file, p.page, p.section, p.quote, 0.0, chunk_id=p.chunk_id, pages=p.pages)
    opened = page_view.passage(store, READER, citation, assistant_id=assistant.id)
    assert p.quote in opened.text and opened.quote == p.quote
    with pytest.raises(NotFound):
        page_view.passage(store, STRANGER, citation, assistant_id=assistant.id)


@pytest.mark.slow  # indexes the fixture assistant and asks through the answer path
def test_a_run_under_way_shows_how_far_it_is(store, assistant):
    checks.add_check(store, assistant.id, "How much does the Team plan cost?", ["$49 per month"], user=OWNER)
    checks.add_check(store, assistant.id, "How much does the Starter plan cost?", ["$19 per month"], user=OWNER)
    run = checks.queue_checks(store, assistant.id, user=OWNER)
    seen = []
    store.catalog.checks.claim_run(run.run_id)
    runs.execute_run(store, store.catalog.checks.get_run(run.run_id),
                     lambda done, total, q: seen.append(checks.run_progress(store, assistant.id, run.run_id, user=READER)))
    assert seen == [(0, 2), (1, 2), (2, 2)]
    with pytest.raises(NotFound):
        checks.run_progress(store, assistant.id, run.run_id, user=STRANGER)


def test_what_changed_is_said_in_a_line():
    from rag.types import ChunkSettings
    from rag.workspace.assistants import Assistant, settings_change

    before = Assistant("a", "A")
    after = Assistant("a", "A", description="new words", starters=["Hi?"])
    assert settings_change(before, after) == ""  # nothing answers depend on
    after.chunking = ChunkSettings("fixed", 512, 64)
    after.instructions = "Be brief."
    after.retrieval = after.retrieval.with_(neighbours=1)
    assert settings_change(before, after) == (
        "Neighbouring passages: 0 -> 1; Splitting: by section, 256 tokens, overlap 32 -> fixed size, 512 tokens, "
        "overlap 64; Instructions changed")
