"""The catalog's table families of chats, sign-in sessions, answer checks, knowledge gaps, writing guidance and
relayed reads (``catalog.<family>``), each on a fresh catalog: SQLite, and PostgreSQL when there is one
(GROUNDED_TEST_DATABASE_URL, as tests/test_catalog.py)."""

import time

import numpy as np
import pytest

from rag.catalog.chats import Chat
from rag.catalog.checks import CheckResult, FactResult, Passage
from rag.catalog.guidance import GuideRule, RuleRow
from rag.types import Answer, Citation

pytestmark = pytest.mark.both_databases


def test_chats_keep_messages_in_order_per_owner_and_feedback_once(catalog):
    chats = catalog.chats
    mine, theirs = Chat("c1", "w", "New chat", 1.0, 1.0, user="ann"), Chat("c2", "w", "Other", 2.0, 2.0, user="bob")
    chats.add_chat(mine)
    chats.add_chat(theirs)
    assert [c.chat_id for c in chats.list_chats("w", "ann")] == ["c1"]
    assert chats.get_chat("c1", "w", "bob") is None and chats.get_chat("c1", "other", "ann") is None  # not theirs

    answer = Answer(answer="Q3 revenue was $4.2M [1].", model="m", refused=False, grounded_fraction=1.0,
                    citations=[Citation(n=1, doc_id="d", file="q3.pdf", page=2, section="", quote="$4.2M", score=0.9)])
    asked = chats.add_message("c1", "user", "What was Q3 revenue?", None, "What was Q3 revenue?")
    answered = chats.add_message("c1", "assistant", answer.answer, answer, "What was Q3 revenue?")
    assert answered.created > asked.created  # strictly after, even on the same clock reading
    chat = chats.get_chat("c1", "w", "ann")
    assert chat.title == "What was Q3 revenue?" and chat.updated == answered.created
    assert [(m.role, m.content) for m in chat.messages] == [("user", "What was Q3 revenue?"),
                                                           ("assistant", answer.answer)]
    assert chat.messages[1].answer.citations[0].file == "q3.pdf"  # the whole answer comes back
    assert chats.list_chats("w", "ann")[0].title == "What was Q3 revenue?"

    chats.save_feedback(answered.msg_id, -1, None, "What was Q3 revenue?", answer.answer, [{"n": 1}])
    chats.save_feedback(answered.msg_id, 1, "right", "What was Q3 revenue?", answer.answer, [{"n": 1}])
    row = chats.feedback(answered.msg_id)
    assert (row["rating"], row["comment"], row["sources"]) == (1, "right", '[{"n": 1}]')
    assert chats.feedback("nothing") is None

    chats.delete_chat("c1", "w", "bob")  # not bob's: stays
    assert chats.get_chat("c1", "w", "ann") is not None
    chats.delete_chat("c1", "w", "ann")
    assert chats.get_chat("c1", "w", "ann") is None and chats.list_chats("w", "ann") == []
    assert [c.chat_id for c in chats.list_chats("w", "bob")] == ["c2"]


def test_sessions_start_touch_and_end(catalog):
    sessions, now = catalog.sessions, time.time()
    sessions.start("old", "ann", "mark", now - 100, now - 1)  # already expired
    sessions.start("t1", "ann", "mark", now, now + 3600)  # a new one clears the expired ones
    sessions.start("t2", "ann", "mark", now, now + 3600)
    sessions.start("t3", "bob", "mark2", now, now + 3600)
    assert sessions.get("old") is None
    row = sessions.get("t1")
    assert (row.user, row.password_mark, row.last_seen, row.expires) == ("ann", "mark", now, now + 3600)
    sessions.touch("t1", now + 90)
    assert sessions.get("t1").last_seen == now + 90
    sessions.end("t3")
    assert sessions.get("t3") is None
    assert sessions.end_all_of("ann") == 2 and sessions.get("t2") is None
    assert sessions.end_all_of("ann") == 0


def test_checks_runs_and_results(catalog):
    checks = catalog.checks
    assert checks.queue_run("w", "settings") is None  # no checks: nothing to run
    check = checks.add_check("w", "Who leads support?", ["Dana"], "acme.md", created_by="ann")
    dropped = checks.add_check("w", "Old question?", ["x"], status="dropped")
    assert checks.get_check(check.check_id) == check and checks.count_checks("w") == 1
    assert [c.check_id for c in checks.list_checks("w")] == [check.check_id]
    assert {c.check_id for c in checks.list_checks("w", status=None)} == {check.check_id, dropped.check_id}
    checks.update_check(check.check_id, "Who leads support at Acme?", ["Dana", "Whitfield"], None)
    assert checks.get_check(check.check_id).facts == ["Dana", "Whitfield"]
    assert checks.workspaces_with_checks() == ["w"]

    first = checks.queue_run("w", "re-index", "Re-indexed a.pdf")
    again = checks.queue_run("w", "re-index", "Re-indexed b.pdf")  # still waiting: one run, both changes
    assert again.run_id == first.run_id and again.change == "Re-indexed a.pdf; Re-indexed b.pdf"
    assert [r.run_id for r in checks.queued_runs()] == [first.run_id]
    assert checks.last_run_queued("w") == first.queued
    assert checks.claim_run(first.run_id) and not checks.claim_run(first.run_id)  # taken once
    assert checks.waiting_run("w").status == "running"
    result = CheckResult(check.check_id, "Who leads support at Acme?", False, "Someone.", False,
                         [FactResult("Dana", True), FactResult("Whitfield", False)], None, None, ["acme.md"],
                         Passage("d", "c", "acme.md", 2, [2], "Team", 3, "Dana Whitfield"))
    checks.save_result(first.run_id, result)
    assert checks.results_so_far(first.run_id) == 1
    assert checks.requeue_interrupted() == 1 and checks.results_so_far(first.run_id) == 0  # a stopped process's run
    assert checks.claim_run(first.run_id)
    checks.save_result(first.run_id, result)
    checks.finish_run(first.run_id, 0, 1)
    (back,) = checks.results(first.run_id)
    assert back == result and back.missing == ["Whitfield"]
    done = checks.get_run(first.run_id)
    assert (done.status, done.passed, done.total) == ("done", 0, 1) and checks.waiting_run("w") is None

    second = checks.queue_run("w", "on demand")
    assert checks.previous_run(second).run_id == first.run_id
    assert [r.run_id for r in checks.runs("w")] == [second.run_id, first.run_id]
    assert checks.settled("w", quiet_s=0) and checks.last_sync("w") is None

    checks.set_check_status(check.check_id, "dropped")
    assert checks.count_checks("w") == 0
    checks.delete_workspace("w")
    assert checks.list_checks("w", status=None) == [] and checks.runs("w") == []
    assert checks.get_run(first.run_id) is None


def test_gaps_find_answers_cache_vectors_and_keep_scopes(catalog):
    gaps = catalog.gaps
    catalog.chats.add_chat(Chat("c1", "w", "t", 1.0, 1.0, user="ann"))
    catalog.chats.add_chat(Chat("c2", "elsewhere", "t", 1.0, 1.0))
    catalog.chats.add_message("c1", "user", "Pricing in Japan?", None, "t")
    refused = Answer(answer="Not in the documents.", model="m", refused=True, grounded_fraction=0.0)
    answer = catalog.chats.add_message("c1", "assistant", refused.answer, refused, "t")
    catalog.chats.add_message("c2", "assistant", refused.answer, refused, "t")  # another assistant's
    catalog.chats.save_feedback(answer.msg_id, -1, None, "Pricing in Japan?", refused.answer, [])
    (row,) = gaps.assistant_answers("w")
    assert (row["msg_id"], row["asker"], row["question"], row["rating"]) == \
        (answer.msg_id, "ann", "Pricing in Japan?", -1)
    assert '"refused": true' in row["answer"]

    hashes = [f"h{i}" for i in range(600)]  # more than one batch of 500
    gaps.save_vectors("model-a", {h: np.full(4, i, dtype=np.float32) for i, h in enumerate(hashes)})
    gaps.save_vectors("model-a", {"h0": np.ones(4, dtype=np.float32)})  # replaced
    found = gaps.vectors("model-a", hashes + ["unknown"])
    assert len(found) == 600 and found["h599"].tolist() == [599.0] * 4 and found["h0"].tolist() == [1.0] * 4
    assert gaps.vectors("model-b", hashes) == {}

    gaps.add_scope("w", "s1", "Japan pricing", "Ask sales.", ["Pricing in Japan?"], "model-a",
                   np.ones((1, 4), dtype=np.float32), 5.0, "ann")
    (scope,) = gaps.scopes("w")
    assert (scope["topic"], scope["reply"], scope["questions"], scope["created_by"]) == \
        ("Japan pricing", "Ask sales.", '["Pricing in Japan?"]', "ann")
    assert np.frombuffer(scope["vectors"], dtype=np.float32).tolist() == [1.0] * 4
    assert gaps.scopes("elsewhere") == []
    assert not gaps.delete_scope("elsewhere", "s1")  # another assistant's topic stays
    assert gaps.delete_scope("w", "s1") and gaps.scopes("w") == [] and not gaps.delete_scope("w", "s1")


def test_guidance_voice_and_style_rules_keep_peoples_choices(catalog):
    guidance = catalog.guidance
    assert guidance.voice_guidance("w") is None
    guidance.save_voice_guidance("w", "Warm, short.")
    guidance.save_voice_guidance("w", "Warm, shorter.")
    assert guidance.voice_guidance("w") == "Warm, shorter."
    guidance.clear_voice_guidance("w")
    assert guidance.voice_guidance("w") is None

    utilize = GuideRule("r-util", "avoid", "utilize", "use", "d1", "guide.md", "- utilize → use")
    emoji = GuideRule("r-emoji", "max_emoji", "2", "", "d1", "guide.md", "No more than two emoji.")
    guidance.sync_guide_rules("w", [utilize, emoji])
    assert guidance.style_rules("w") == [  # limits first, then avoided words
        RuleRow("r-emoji", "max_emoji", "2", "", "guide.md", "No more than two emoji."),
        RuleRow("r-util", "avoid", "utilize", "use", "guide.md", "- utilize → use")]

    guidance.edit_rule("r-util", "utilize", "employ")  # a person's edit wins over the guide's
    guidance.remove_rule("r-emoji")  # a person's removal too
    assert guidance.rule_kind("w", "r-emoji") is None and guidance.rule_kind("w", "r-util") == "avoid"
    reworded = GuideRule("r-util", "avoid", "utilize", "make use of", "d1", "guide.md", "Say “use”, not “utilize”.")
    guidance.sync_guide_rules("w", [reworded, emoji])
    assert guidance.style_rules("w") == [
        RuleRow("r-util", "avoid", "utilize", "employ", "guide.md", "Say “use”, not “utilize”.")]
    guidance.sync_guide_rules("w", [])  # the guide no longer says them: gone
    assert guidance.style_rules("w") == [] and guidance.rule_kind("w", "r-util") is None

    guidance.add_person_rule("w", "p1", "required_hashtag", "#AcmeCo", "")
    guidance.remove_rule("p1")
    guidance.add_person_rule("w", "p1", "required_hashtag", "#Acme", "")  # added again: back, with the new value
    guidance.sync_guide_rules("w", [])  # a person's rule is not a guide's
    assert guidance.style_rules("w") == [RuleRow("p1", "required_hashtag", "#Acme", "", "", "")]
    assert guidance.rule_kind("other", "p1") is None


def test_read_requests_go_from_asked_to_answered_once(catalog):
    requests, now = catalog.read_requests, time.time()
    assert not requests.any_waiting() and requests.claim() is None
    old = requests.ask("search", {"query": "old"}, now - 7200)
    first = requests.ask("search", {"query": "pricing", "k": 3}, now)
    second = requests.ask("ask", {"question": "Who?"}, now)
    requests.remove_older_than(now - 3600)
    assert requests.any_waiting()
    claimed = requests.claim()
    assert (claimed.request_id, claimed.kind, claimed.args) == (first, "search", {"query": "pricing", "k": 3})
    assert requests.claim().request_id == second and requests.claim() is None  # each taken once; the old one gone
    assert requests.status(first).status == "working" and requests.status(first).response is None
    requests.answer(first, {"results": [1, 2]})
    done = requests.status(first)
    assert (done.status, done.response) == ("done", {"results": [1, 2]})
    requests.remove(first)
    requests.remove(second)
    assert not requests.any_waiting() and old not in (first, second)
    with pytest.raises(IndexError):
        requests.status(first)
