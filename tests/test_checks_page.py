"""The Checks page and Chat's "Make this a check", with Streamlit's AppTest through app.py's navigation."""

from __future__ import annotations

import time

import pytest

from rag.quality import checks
from rag.workspace.assistants import get_assistant, list_assistants, save_assistant
from tests.test_pages import _ask, _button, _no_exceptions, _plain, _store, _texts, _upload, app  # noqa: F401
from tests.test_signin_pages import _sign_in, workplace  # noqa: F401 - the fixture

PRICING = b"""# Pricing

| Plan | Price | Seats |
|---|---|---|
| Starter | $19 per month | 3 |
| Team | $49 per month | 20 |
"""
CASE_STUDY = b"""# Northwind case study

## Results
Northwind cut onboarding from 41 days to 12 days.
"We finally answer customers the same day," says Maria Lopez, Head of Support at Northwind.
"""


def _checks_page(at):
    return at.switch_page("app_pages/checks.py").run()


@pytest.mark.slow  # indexes through the app's queue
def test_suggest_keep_and_run_checks_on_the_page(app):  # noqa: F811 - the fixture imported above
    app.run()
    _upload(app, [("pricing.md", PRICING, "text/markdown"), ("northwind-case-study.md", CASE_STUDY, "text/markdown")])
    _checks_page(app)
    _no_exceptions(app)
    assert any("No run yet" in i.value for i in app.info)
    _button(app, "Suggest checks from my documents").click().run()
    _no_exceptions(app)
    questions = {_plain(t.value) for t in app.text_input if t.label == "Question"}
    assert {"How much does the Starter plan cost?", "How much does the Team plan cost?",
            "How did onboarding change at Northwind?"} <= questions
    keep_all = next(b for b in app.button if b.label.startswith("Keep all"))
    keep_all.click().run()
    _no_exceptions(app)
    kept = checks.list_checks(_store(), "default", user=None)
    assert len(kept) >= 4
    _button(app, "Run checks now").click().run()
    _no_exceptions(app)
    passing = next(m for m in app.metric if m.label == "Passing")
    assert passing.value == f"{len(kept)} of {len(kept)}"
    assert "How much does the Team plan cost?" in _texts(app)


@pytest.mark.slow
def test_a_settings_change_shows_before_and_after_and_the_failing_passage(app):  # noqa: F811 - the fixture imported above
    app.run()
    _upload(app, [("northwind-case-study.md", CASE_STUDY, "text/markdown")])
    store = _store()
    checks.add_check(store, "default", "How did onboarding change at Northwind?", ["41 days", "12 days"],
                     "northwind-case-study.md", user=None)
    checks.add_check(store, "default", "How did onboarding change at Northwind?", ["41 days", "14 days"], user=None)
    checks.run_checks(store, "default", user=None)
    assistant = get_assistant(store.catalog, "default")
    assistant.retrieval = assistant.retrieval.with_(strategy="dense")
    save_assistant(store.catalog, assistant)
    deadline = time.monotonic() + 60  # the app's check runner does it in the background
    while store.catalog.checks.waiting_run("default") is not None:
        assert time.monotonic() < deadline, "the queued run was not run"
        time.sleep(0.2)
    _checks_page(app)
    _no_exceptions(app)
    text = _texts(app)
    assert "Before → after: Search: meaning and keywords -> meaning only: 1 of 2 -> 1 of 2" in text
    assert "It doesn't say “14 days”." in text
    assert "The fact is in northwind-case-study.md" not in text  # "14 days" is in no document: nothing to open
    # the other failure: a fact that is in a document opens its passage
    checks.add_check(store, "default", "How did onboarding change at Northwind?", ["35%", "12 days", "Head of Support"],
                     user=None)
    _button(_checks_page(app), "Run checks now").click().run()
    _no_exceptions(app)
    assert "It doesn't say “35%”, “Head of Support”." in _texts(app)
    assert "The fact is in Northwind case study: “\"We finally answer customers the same day,\" says Maria Lopez" in _texts(app)
    [toggle] = [t for t in app.toggle if t.label == "View page"]
    toggle.set_value(True).run()
    _no_exceptions(app)
    assert any("Maria Lopez" in _plain(m.value) for m in app.markdown)


@pytest.mark.slow
def test_a_thumbs_up_answer_becomes_a_check_in_one_click(app):  # noqa: F811 - the fixture imported above
    app.run()
    _upload(app, [("northwind-case-study.md", CASE_STUDY, "text/markdown")])
    _ask(app, "How did onboarding change at Northwind?")
    app.feedback[0].set_value(1).run()  # thumbs up
    _no_exceptions(app)
    _button(app, "Make this a check").click().run()
    _no_exceptions(app)
    [made] = checks.list_checks(_store(), "default", user=None)
    assert made.question == "How did onboarding change at Northwind?" and made.origin == "chat"
    assert {"41 days", "12 days"} <= set(made.facts)


def test_add_edit_and_remove_a_check_on_the_page(app):  # noqa: F811 - the fixture imported above
    from rag.ingest.pipeline import ingest_bytes

    app.run()
    ingest_bytes(_store(), "pricing.md", PRICING, "default")
    _checks_page(app)
    def add_form(question: str, facts: str):  # the add form comes after the list of checks
        [t for t in app.text_input if t.label == "Question"][-1].set_value(question)
        [t for t in app.text_area if t.label.startswith("Facts")][-1].set_value(facts)
        _button(app, "Add check").click().run()

    add_form("How much does the Team plan cost?", "$49 per month\n\n")
    _no_exceptions(app)
    [made] = checks.list_checks(_store(), "default", user=None)
    assert made.facts == ["$49 per month"] and made.source is None
    add_form("How much is it?", "  ")  # a check with nothing to check is refused in plain words
    assert any("Add at least one fact" in e.value for e in app.error)
    # edit: another fact and the document it must cite (the first form is the check's own)
    [t for t in app.text_area if t.label.startswith("Facts")][0].set_value("$49 per month\n20 seats")
    [s for s in app.selectbox if s.label == "Must cite"][0].set_value("pricing.md")
    _button(app, "Save").click().run()
    _no_exceptions(app)
    [edited] = checks.list_checks(_store(), "default", user=None)
    assert edited.facts == ["$49 per month", "20 seats"] and edited.source == "pricing.md"
    _button(app, "Remove").click().run()
    _no_exceptions(app)
    assert checks.list_checks(_store(), "default", user=None) == []


@pytest.mark.slow  # two people signed in, an upload through the queue
def test_a_reader_sees_results_but_cannot_add_or_run_checks(workplace):  # noqa: F811 - the fixture imported above
    alice = _sign_in(workplace(), "alice", "alice-pw")
    _upload(alice, [("pricing.md", PRICING, "text/markdown")])
    store = _store()
    shared = list_assistants(store.catalog)[0]
    shared.shared_with = ["bob"]
    save_assistant(store.catalog, shared)
    checks.add_check(store, shared.id, "How much does the Team plan cost?", ["$49 per month"], user=None)
    checks.run_checks(store, shared.id, user=None)

    bob = _sign_in(workplace(), "bob", "bob-pw")
    bob.sidebar.selectbox[0].set_value(shared.id).run()
    _checks_page(bob)
    _no_exceptions(bob)
    assert "Only alice" in _texts(bob)
    assert next(m for m in bob.metric if m.label == "Passing").value == "1 of 1"
    labels = {_plain(b.label) for b in bob.button}
    assert not labels & {"Run checks now", "Add check", "Save", "Remove", "Suggest checks from my documents"}
    assert not [t for t in bob.text_input if t.label == "Question"]
