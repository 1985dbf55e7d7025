"""Knowledge gaps: which questions count, how they are grouped and named, out of scope, who may see them, CSV, CLI."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from rag.answer.chain import ask
from rag.errors import AccessDenied, NotFound
from rag.ingest.pipeline import ingest_bytes
from rag.types import Answer, Citation, SentenceCheck
from rag.workspace.access import User
from rag.workspace.assistants import create_assistant, delete_assistant, ensure_default, share
from rag.workspace.chats import add_message, new_chat, record_feedback
from rag.workspace.gaps import (
    SCOPE_REPLY,
    back_in_scope,
    gaps_csv,
    group,
    knowledge_gaps,
    mark_out_of_scope,
    question_vectors,
    topic_name,
)
from tests.conftest import run_cli

ALICE, BOB, CAROL = User("alice"), User("bob"), User("carol")
PRICING = b"Enterprise plans cost $900 per month and include single sign-on. The Starter plan costs $49 per month.\n"


def _refused(text: str = "Your documents don't cover this question.") -> Answer:
    return Answer(answer=text, model="extractive", refused=True, refusal="nothing_relevant")


def _answered(answers: bool | None = True, searched: str = "") -> Answer:
    return Answer(
        answer="Enterprise plans cost $900 per month [1].", model="extractive", grounded_fraction=1.0,
        citations=[Citation(1, "d1", "pricing.txt", None, "", "Enterprise plans cost $900 per month", 0.8, "c1")],
        sentences=[SentenceCheck("Enterprise plans cost $900 per month [1].", "supported", [1])],
        answers_question=answers, answers_reason="states the price" if answers else "no figure for what was asked",
        searched=searched,
    )


def _exchange(catalog, workspace: str, question: str, answer: Answer, user: User | None = None, chat=None):
    chat = chat or new_chat(catalog, workspace, user=user)
    add_message(catalog, chat, "user", question)
    message = add_message(catalog, chat, "assistant", answer.answer, answer)
    return chat, message


def _questions(report) -> set[str]:
    return {q.question for g in report.gaps for q in g.questions}


# grouping and naming


def test_grouping_puts_paraphrases_together_and_topics_apart(store):
    topics = {
        "refunds": ["Can I get my money back after cancelling?", "What is the refund policy?",
                    "How do refunds work if a customer cancels?"],
        "sso": ["Do we support single sign-on with Okta?", "Can users log in through SSO?",
                "Is SAML single sign-on available?"],
        "logo": ["Where are the logo files?", "Can I download our logo?",
                 "Which logo version should go on a dark background?"],
    }
    questions = [q for qs in topics.values() for q in qs]
    labels = [t for t, qs in topics.items() for _ in qs]
    groups = group(question_vectors(store.embeddings, questions))
    assert sorted({labels[i] for i in g}.pop() for g in groups) == sorted(topics)  # one group a topic...
    assert all(len({labels[i] for i in g}) == 1 for g in groups)  # ...and no group mixing two


def test_average_linkage_joins_while_groups_are_alike_on_average():
    a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    c = (a + b) / np.linalg.norm(a + b)  # 0.71 to each
    assert group(np.stack([a, a, b]), 0.5) == [[0, 1], [2]]
    # c joins a's pair (0.71); the pair then averages 0.35 with b: below 0.5, so b stays alone
    assert group(np.stack([a, c, b]), 0.5) in ([[0, 1], [2]], [[1, 2], [0]])
    assert group(np.stack([a, c, b]), 0.3) == [[0, 1, 2]]
    assert group(np.zeros((0, 2))) == []
    # weights: a question asked 5 times pulls its group's average towards itself
    d = np.array([0.6, 0.8])
    assert group(np.stack([a, d, b]), 0.7, weights=[1, 5, 1]) == [[1, 2], [0]]


def test_a_topic_is_named_by_the_words_its_questions_share():
    assert topic_name(["How much does the Enterprise plan cost?", "What's the price of the Enterprise plan?",
                       "Is the Enterprise plan expensive?"]) == "Enterprise, plan"
    assert topic_name(["Is there an iPhone app?", "Do we have an app for iPhone?"]) == "iPhone, app"
    assert topic_name(["Refunds after cancelling?", "Can I get refunds?"]) == "refunds"  # a first word is lowered
    assert topic_name(["Can you tell me about SSO?"]) == "SSO"  # asking words never name a topic
    assert topic_name(["What is it?"]) == "What is it?"  # nothing but stop words: the question itself


# which questions count


def test_refused_flagged_and_thumbs_down_are_collected_and_answered_ones_are_not(store):
    catalog = store.catalog
    _exchange(catalog, "default", "Do we have a mobile app?", _refused())
    _exchange(catalog, "default", "What does the Enterprise plan cost per seat?", _answered(answers=False))
    chat, down = _exchange(catalog, "default", "What do we charge for Starter?", _answered())
    record_feedback(catalog, chat.chat_id, "default", None, down.msg_id, -1)
    chat, up = _exchange(catalog, "default", "How much is Enterprise?", _answered())
    record_feedback(catalog, chat.chat_id, "default", None, up.msg_id, +1)
    _exchange(catalog, "default", "Is single sign-on included?", _answered())
    # a follow-up counts as it was searched, standalone
    chat, _ = _exchange(catalog, "default", "Do we have a mobile app?", _answered())
    _exchange(catalog, "default", "and for Android?", _answered(answers=False, searched="Is there an Android app?"), chat=chat)
    other = create_assistant(catalog, "Other")
    _exchange(catalog, other.id, "What is the weather in Oslo?", _refused())

    report = knowledge_gaps(store, "default", user=None)
    assert _questions(report) == {"Do we have a mobile app?", "What does the Enterprise plan cost per seat?",
                                  "What do we charge for Starter?", "Is there an Android app?"}
    why = {q.question: q.why for g in report.gaps for q in g.questions}
    assert why["Do we have a mobile app?"] == ["refused"]
    assert why["What does the Enterprise plan cost per seat?"] == ["not_answered"]
    assert why["What do we charge for Starter?"] == ["thumbs_down"]
    assert _questions(knowledge_gaps(store, other.id, user=None)) == {"What is the weather in Oslo?"}


def test_the_same_question_asked_again_is_counted_with_its_last_time(store):
    for _ in range(3):
        _exchange(store.catalog, "default", "Do we have a mobile app?", _refused())
    [gap] = knowledge_gaps(store, "default", user=None).gaps
    assert gap.count == 3 and gap.example == "Do we have a mobile app?"
    assert gap.last_asked == max(q.asked for q in gap.questions) and gap.key == gap.questions[0].msg_id


def test_no_gaps_when_everything_was_answered(store):
    _exchange(store.catalog, "default", "How much is Enterprise?", _answered())
    report = knowledge_gaps(store, "default", user=None)
    assert report.gaps == [] and report.questions == 0


# out of scope


def test_an_out_of_scope_topic_gets_a_polite_answer_afterwards(store):
    ingest_bytes(store, "pricing.txt", PRICING)
    first = ask(store, "Do we have a mobile app for iPhone?", user=None)
    assert first.refused and first.refusal == "nothing_relevant"
    _exchange(store.catalog, "default", "Do we have a mobile app for iPhone?", first)
    [gap] = knowledge_gaps(store, "default", user=None).gaps

    scope = mark_out_of_scope(store, "default", gap.key, user=None)
    later = ask(store, "Is there an iPhone app?", user=None)
    assert later.refused and later.refusal == "out_of_scope"
    assert later.answer == SCOPE_REPLY and "“" in later.notice("out_of_scope").text  # the topic, in the note
    assert "outside what this assistant covers" in later.answer
    assert not later.notice("refused")
    # questions far from it keep the usual refusal; answerable ones are answered as before
    assert ask(store, "What is the boiling point of tungsten?", user=None).refusal == "nothing_relevant"
    assert not ask(store, "How much do Enterprise plans cost?", user=None).refused

    _exchange(store.catalog, "default", "Is there an iPhone app?", later)  # answered politely: not a new gap
    report = knowledge_gaps(store, "default", user=None)
    assert report.gaps == [] and [g.scope_id for g in report.out_of_scope] == [scope.scope_id]
    with pytest.raises(Exception, match="already marked out of scope"):
        mark_out_of_scope(store, "default", gap.key, user=None)

    back_in_scope(store, "default", scope.scope_id, user=None)
    assert ask(store, "Is there an iPhone app?", user=None).refusal == "nothing_relevant"
    assert [g.key for g in knowledge_gaps(store, "default", user=None).gaps] == [gap.key]
    with pytest.raises(NotFound):
        back_in_scope(store, "default", scope.scope_id, user=None)


def test_the_managers_own_reply_is_given(store):
    ingest_bytes(store, "pricing.txt", PRICING)
    _exchange(store.catalog, "default", "Do we have a mobile app for iPhone?", _refused())
    [gap] = knowledge_gaps(store, "default", user=None).gaps
    mark_out_of_scope(store, "default", gap.key, "We don't make apps; use the website on your phone.", user=None)
    assert ask(store, "Is there an iPhone app?", user=None).answer == "We don't make apps; use the website on your phone."


def test_a_group_that_changed_since_it_was_shown_is_not_marked(store):
    with pytest.raises(NotFound, match="Look at the list again"):
        mark_out_of_scope(store, "default", "no-such-key", user=None)


def test_out_of_scope_is_per_assistant_and_goes_with_it(store):
    ingest_bytes(store, "pricing.txt", PRICING)
    other = create_assistant(store.catalog, "Other")
    ingest_bytes(store, "pricing.txt", PRICING, other.id)
    _exchange(store.catalog, other.id, "Do we have a mobile app for iPhone?", _refused())
    [gap] = knowledge_gaps(store, other.id, user=None).gaps
    mark_out_of_scope(store, other.id, gap.key, user=None)
    assert ask(store, "Is there an iPhone app?", other.id, user=None).refusal == "out_of_scope"
    assert ask(store, "Is there an iPhone app?", "default", user=None).refusal == "nothing_relevant"
    delete_assistant(store, other.id)
    assert store.catalog.query("SELECT * FROM gap_scopes") == []


# who may see them


def test_only_the_assistants_managers_see_its_gaps(store):
    mine = create_assistant(store.catalog, "Alice's", user=ALICE)
    share(store.catalog, mine.id, ["bob"], ALICE)
    carols = create_assistant(store.catalog, "Carol's", user=CAROL)
    _exchange(store.catalog, mine.id, "Do we have a mobile app?", _refused(), user=BOB)  # bob's own chat counts
    _exchange(store.catalog, carols.id, "Where is the brand guide?", _refused(), user=CAROL)

    assert _questions(knowledge_gaps(store, mine.id, user=ALICE)) == {"Do we have a mobile app?"}
    assert _questions(knowledge_gaps(store, carols.id, user=CAROL)) == {"Where is the brand guide?"}
    [gap] = knowledge_gaps(store, mine.id, user=ALICE).gaps
    with pytest.raises(AccessDenied):  # a reader of the assistant
        knowledge_gaps(store, mine.id, user=BOB)
    with pytest.raises(AccessDenied):
        mark_out_of_scope(store, mine.id, gap.key, user=BOB)
    with pytest.raises(NotFound):  # another assistant's manager
        knowledge_gaps(store, mine.id, user=CAROL)
    with pytest.raises(NotFound):
        mark_out_of_scope(store, mine.id, gap.key, user=CAROL)
    scope = mark_out_of_scope(store, mine.id, gap.key, user=ALICE)
    with pytest.raises(AccessDenied):
        back_in_scope(store, mine.id, scope.scope_id, user=BOB)
    with pytest.raises(NotFound):  # a scope id of another assistant is not found through one's own
        back_in_scope(store, carols.id, scope.scope_id, user=CAROL)


def test_an_unowned_assistants_gaps_are_for_admins(store):
    ensure_default(store.catalog)  # made by the command line: nobody owns it
    _exchange(store.catalog, "default", "Do we have a mobile app?", _refused())
    assert _questions(knowledge_gaps(store, "default", user=User("root", admin=True))) == {"Do we have a mobile app?"}
    with pytest.raises(AccessDenied):
        knowledge_gaps(store, "default", user=ALICE)


# CSV and the command line


def test_csv_cells_a_spreadsheet_would_run_are_text(store):
    _exchange(store.catalog, "default", '=HYPERLINK("http://evil.example","click")', _refused())
    _exchange(store.catalog, "default", "+1 what is our phone number?", _refused())
    rows = list(csv.reader(io.StringIO(gaps_csv(knowledge_gaps(store, "default", user=None)))))
    assert rows[0][:5] == ["topic", "status", "times asked", "last asked (UTC)", "question"]
    cells = [cell for row in rows[1:] for cell in row]
    assert "'=HYPERLINK(\"http://evil.example\",\"click\")" in cells and "'+1 what is our phone number?" in cells
    assert not any(c[:1] in "=+-@" for c in cells if c)


def test_cli_lists_marks_and_exports(store, settings, capsys, tmp_path):
    _exchange(store.catalog, "default", "Do we have a mobile app?", _refused())
    _exchange(store.catalog, "default", "Is there an app for iPhone?", _refused())
    store.close()
    data = ["--data-dir", settings.data_dir]

    out = run_cli(capsys, "gaps", "--json", *data)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    [gap] = report["gaps"]
    assert gap["count"] == 2 and gap["example"] in {"Do we have a mobile app?", "Is there an app for iPhone?"}
    assert gap["why"] == {"refused": 2} and report["scopes"] == []

    text = run_cli(capsys, "gaps", *data, "--csv", tmp_path / "gaps.csv")
    assert text.returncode == 0 and gap["key"] in text.stdout and "asked 2 time(s)" in text.stdout
    assert "Do we have a mobile app?" in (tmp_path / "gaps.csv").read_text()

    marked = run_cli(capsys, "gaps", "out-of-scope", gap["key"], "--json", *data)
    assert marked.returncode == 0, marked.stderr
    scope = json.loads(marked.stdout)
    after = json.loads(run_cli(capsys, "gaps", "--json", *data).stdout)
    assert after["gaps"] == [] and after["scopes"][0]["scope_id"] == scope["scope_id"]

    missing = run_cli(capsys, "gaps", "out-of-scope", "nope", *data)
    assert missing.returncode == 1 and "Look at the list again" in missing.stderr
    assert run_cli(capsys, "gaps", "in-scope", scope["scope_id"], *data).returncode == 0
    assert len(json.loads(run_cli(capsys, "gaps", "--json", *data).stdout)["gaps"]) == 1


def test_the_command_line_beside_the_app_reads_gaps_without_the_index(store, settings):
    """While the app holds the index, `grounded gaps` opens the catalog alone and loads the embedding model itself."""
    from rag.store import DataFolder

    _exchange(store.catalog, "default", "Do we have a mobile app?", _refused())
    store.close()
    folder = DataFolder(settings)
    try:
        assert _questions(knowledge_gaps(folder, "default", user=None)) == {"Do we have a mobile app?"}
    finally:
        folder.close()


# the benchmark


def test_pairwise_figures_by_hand():
    from rag.bench.gaps import pairwise

    # labels a a b b; grouping {0,1,2} {3}: pairs 01 right together, 23 wrongly apart, 02 and 12 wrongly together
    figures = pairwise(["a", "a", "b", "b"], [0, 0, 0, 1])
    assert figures["agreement"] == pytest.approx(3 / 6)  # 01 together, 03 and 13 apart: 3 of 6 pairs as labelled
    assert figures["precision"] == pytest.approx(1 / 3) and figures["recall"] == pytest.approx(1 / 2)
    assert pairwise(["a", "a", "b"], [5, 5, 7])["ari"] == pytest.approx(1.0)
    assert pairwise(["a", "b", "c"], [0, 1, 2])["agreement"] == 1.0


def test_bench_gaps_reports_both_parts_and_writes_json(tmp_path, capsys):
    from rag.cli import main

    small = tmp_path / "set.jsonl"
    rows = [("tune", "refunds", "What is the refund policy?"), ("tune", "refunds", "Can I get my money back?"),
            ("tune", "refunds", "How do refunds work?"), ("tune", "refunds", "Do we refund annual plans?"),
            ("tune", "logo", "Where are the logo files?"), ("tune", "logo", "Can I download our logo?"),
            ("tune", "logo", "Which logo goes on dark backgrounds?"), ("tune", "logo", "Is there a logo in SVG?"),
            ("held", "sso", "Do we support single sign-on?"), ("held", "sso", "Can users log in with SSO?"),
            ("held", "sso", "Is SAML SSO available?"), ("held", "sso", "Does SSO work with Okta?"),
            ("held", "app", "Is there a mobile app?"), ("held", "app", "Can I use it on my iPhone?"),
            ("held", "app", "Do we have an Android app?"), ("held", "app", "Is there an app for tablets?")]
    small.write_text("".join(json.dumps({"part": p, "topic": t, "question": q}) + "\n" for p, t, q in rows))
    out = tmp_path / "gaps.json"
    assert main(["bench", "gaps", "--set", str(small), "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "pairwise agreement (tune)" in printed and "pairwise agreement (held)" in printed
    result = json.loads(out.read_text())
    assert set(result["parts"]) == {"tune", "held"} and result["parts"]["held"]["questions"] == 8
    assert result["parts"]["tune"]["at_threshold"]["agreement"] >= 0.8  # two far-apart topics are told apart
    assert {t["name"] for t in result["targets"]} == {"pairwise agreement (tune)", "pairwise agreement (held)"}


def test_the_built_in_set_has_60_questions_in_10_topics_to_tune_on_and_a_held_apart_part():
    from collections import Counter

    from rag.bench.gaps import load

    rows = load()
    tune = Counter(r["topic"] for r in rows if r["part"] == "tune")
    held = Counter(r["topic"] for r in rows if r["part"] == "held")
    assert sum(tune.values()) == 60 and len(tune) == 10 and set(tune.values()) == {6}
    assert held and not set(held) & set(tune)
