"""Who may see what: passwords, owners, sharing, private chats, and checks that can't be skipped."""

from __future__ import annotations

import pytest

from rag.errors import AccessDenied, NotFound
from rag.ingest.pipeline import ingest_bytes
from rag.settings import Settings
from rag.workspace.access import (
    LOCAL_USER,
    User,
    authenticate,
    hash_password,
    verify_password,
)
from rag.workspace.assistants import (
    create_assistant,
    delete_assistant,
    ensure_default,
    get_assistant,
    list_assistants,
    rename_assistant,
    save_assistant,
)
from rag.workspace.chats import list_chats, load_chat, new_chat
from rag.workspace.documents import document, ready_count

# The catalog's tests run on SQLite and on PostgreSQL (the PostgreSQL run with make test and in CI).
pytestmark = [pytest.mark.both_databases, pytest.mark.postgres_slow]

ALICE, BOB, CAROL = User("alice"), User("bob"), User("carol")


def test_passwords_are_salted_hashes_and_checked():
    stored = hash_password("correct horse", iterations=1000)
    assert stored.startswith("pbkdf2_sha256$1000$") and "correct horse" not in stored
    assert hash_password("correct horse", iterations=1000) != stored  # salted
    assert verify_password("correct horse", stored)
    assert not verify_password("wrong", stored)
    assert not verify_password("correct horse", "correct horse")  # plain text in secrets is never accepted
    settings = Settings(users={"alice": stored}, admins=("root",))
    assert authenticate(settings, "alice", "correct horse") == ALICE
    assert authenticate(settings, "alice", "nope") is None and authenticate(settings, "mallory", "correct horse") is None


def test_unknown_names_cost_as_much_as_wrong_passwords(monkeypatch):
    """Timing must not tell which user names exist: both paths run PBKDF2 with the full iteration count."""
    import hashlib

    from rag.workspace.access import ITERATIONS

    settings = Settings(users={"alice": hash_password("correct horse")})
    rounds: list[int] = []
    real = hashlib.pbkdf2_hmac
    monkeypatch.setattr(hashlib, "pbkdf2_hmac", lambda name, pw, salt, n, *a: rounds.append(n) or real(name, pw, salt, n, *a))
    authenticate(settings, "alice", "wrong")
    authenticate(settings, "mallory", "wrong")
    assert rounds[-2:] == [ITERATIONS, ITERATIONS]


def test_guessing_is_slowed_per_address_and_name_and_never_locks_the_owner_out():
    from rag.workspace.sessions import SignInThrottle

    now = [0.0]
    throttle = SignInThrottle(free_attempts=3, first_wait_s=2.0, free_per_address=6, name_free=4,
                              name_delay_max_s=3.0, clock=lambda: now[0])
    for _ in range(3):
        assert throttle.wait_seconds("alice", "10.0.0.1") == 0
        throttle.failed("alice", "10.0.0.1")
    assert throttle.wait_seconds("alice", "10.0.0.1") == 2.0  # this address, this name: waits
    assert throttle.wait_seconds("alice", "10.0.0.9") == 0  # the owner, elsewhere: not affected
    assert throttle.wait_seconds("bob", "10.0.0.1") == 0  # another name from the same address: not yet
    throttle.failed("alice", "10.0.0.1")
    assert throttle.wait_seconds("alice", "10.0.0.1") == 4.0  # doubles with each further failure
    now[0] += 4.0
    assert throttle.wait_seconds("alice", "10.0.0.1") == 0
    for name in ("bob", "carol"):  # one address spraying names is slowed across names
        throttle.failed(name, "10.0.0.1")
    assert throttle.wait_seconds("dave", "10.0.0.1") > 0 and throttle.wait_seconds("dave", "10.0.0.2") == 0
    throttle.succeeded("alice", "10.0.0.1")
    assert throttle.wait_seconds("alice", "10.0.0.1") == 0


def test_24_guesses_an_hour_from_many_addresses_only_slow_the_owner_down():
    """The last round's lock-out: a name guessed from everywhere stays usable by its owner, a little slower."""
    from rag.workspace.sessions import SignInThrottle

    now = [0.0]
    throttle = SignInThrottle(clock=lambda: now[0])
    for i in range(2400):  # 100 hours of 24 guesses an hour, each from a new address
        throttle.failed("alice", f"203.0.113.{i % 250}/{i}")
        now[0] += 150.0
        assert throttle.wait_seconds("alice", "192.0.2.7") == 0  # the owner's own address is never refused
        assert throttle.delay_seconds("alice") <= throttle.name_delay_max_s
    assert throttle.delay_seconds("alice") > 0  # but every try for the name is held a moment
    assert throttle.delay_seconds("bob") == 0
    now[0] += 3601.0
    assert throttle.delay_seconds("alice") == 0  # forgotten after an hour without failures


def _session_settings(**changes):
    return Settings(users={"alice": hash_password("pw", iterations=1000), "bob": hash_password("pw2", iterations=1000)},
                    admins=("alice",), session_hours=2, session_idle_minutes=30, **changes)


def test_sign_out_revokes_the_session_and_every_copy_of_its_token(store):
    from rag.workspace.sessions import end_session, session_user, start_session

    settings = _session_settings()
    token = start_session(store.catalog, settings, User("alice"), now=1000.0)
    copied = str(token)  # what someone took from the browser before sign-out
    assert session_user(store.catalog, settings, copied, now=1010.0) == User("alice", admin=True)
    other = start_session(store.catalog, settings, User("bob"), now=1000.0)
    stored = [tuple(r) for r in store.catalog.query("SELECT * FROM signin_sessions")]
    assert stored and not any(token in str(cell) or other in str(cell) for row in stored for cell in row)  # hashed only
    end_session(store.catalog, token)
    assert session_user(store.catalog, settings, copied, now=1020.0) is None
    assert session_user(store.catalog, settings, other, now=1020.0) == User("bob")  # others' sessions go on
    for forged in ("", "x" * 43, token + "A", "a" * 10_000, None):
        assert session_user(store.catalog, settings, forged, now=1020.0) is None


def test_sessions_expire_when_idle_and_when_old(store):
    from rag.workspace.sessions import session_user, start_session

    settings = _session_settings()
    idle = start_session(store.catalog, settings, User("alice"), now=0.0)
    assert session_user(store.catalog, settings, idle, now=29 * 60) is not None  # used: the idle clock restarts
    assert session_user(store.catalog, settings, idle, now=29 * 60 + 31 * 60) is None  # 31 minutes unused
    assert session_user(store.catalog, settings, idle, now=29 * 60 + 1) is None  # and it stays gone
    busy = start_session(store.catalog, settings, User("alice"), now=0.0)
    t = 0.0
    while t < 2 * 3600 - 600:  # used every 10 minutes: the idle limit never bites...
        t += 600
        assert session_user(store.catalog, settings, busy, now=t) is not None
    assert session_user(store.catalog, settings, busy, now=2 * 3600 + 1) is None  # ...the absolute one does
    # a changed password or a removed user ends sessions made before
    kept = start_session(store.catalog, settings, User("bob"), now=0.0)
    changed = Settings(users={**settings.users, "bob": hash_password("new", iterations=1000)}, session_hours=2)
    assert session_user(store.catalog, changed, kept, now=10.0) is None
    kept = start_session(store.catalog, settings, User("bob"), now=0.0)
    assert session_user(store.catalog, Settings(users={"alice": settings.users["alice"]}), kept, now=10.0) is None


def test_an_idle_limit_of_zero_keeps_only_the_absolute_one(store):
    from rag.workspace.sessions import end_sessions_of, session_user, start_session

    settings = _session_settings().with_(session_idle_minutes=0.0)
    token = start_session(store.catalog, settings, User("alice"), now=0.0)
    assert session_user(store.catalog, settings, token, now=2 * 3600 - 1) is not None
    assert end_sessions_of(store.catalog, "alice") == 1 and session_user(store.catalog, settings, token, now=1.0) is None


def test_admins_manage_assistants_nobody_owns(store):
    from rag.workspace.access import can_manage

    unowned = ensure_default(store.catalog)
    assert unowned.owner is None
    assert not can_manage(unowned, ALICE) and can_manage(unowned, User("root", admin=True))
    with pytest.raises(AccessDenied):
        rename_assistant(store.catalog, unowned.id, "Mine now", ALICE)
    assert get_assistant(store.catalog, unowned.id, ALICE).name == unowned.name  # still visible to all


def test_secrets_file_turns_sign_in_on(tmp_path, monkeypatch):
    monkeypatch.delenv("GROUNDED_DATA_DIR", raising=False)
    secrets = tmp_path / "secrets.toml"
    assert not Settings.load(tmp_path / "d", secrets_path=secrets).signin_required
    secrets.write_text(f'[users]\nalice = "{hash_password("pw", iterations=1000)}"\n')
    settings = Settings.load(tmp_path / "d", secrets_path=secrets)
    assert settings.signin_required and set(settings.users) == {"alice"}
    secrets.write_text('[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\n')
    assert Settings.load(tmp_path / "d", secrets_path=secrets).oidc


def test_assistants_belong_to_their_owner_until_shared(store):
    mine = create_assistant(store.catalog, "Alice's sales answers", user=ALICE)
    assert mine.owner == "alice"
    assert [a.id for a in list_assistants(store.catalog, BOB)] == []
    with pytest.raises(NotFound, match="isn't shared with you"):
        get_assistant(store.catalog, mine.id, BOB)  # a guessed id gets "not found", not the assistant

    mine.shared_with = ["bob"]
    save_assistant(store.catalog, mine, ALICE)
    assert [a.id for a in list_assistants(store.catalog, BOB)] == [mine.id]
    assert list_assistants(store.catalog, CAROL) == []
    with pytest.raises(AccessDenied, match="Only the owner"):
        rename_assistant(store.catalog, mine.id, "Bob's now", BOB)
    with pytest.raises(AccessDenied):
        delete_assistant(store, mine.id, BOB)
    bobs_copy = get_assistant(store.catalog, mine.id, BOB)
    bobs_copy.shared_with = ["*"]
    with pytest.raises(AccessDenied):
        save_assistant(store.catalog, bobs_copy, BOB)  # can't widen sharing of someone else's assistant

    mine.shared_with = ["*"]
    save_assistant(store.catalog, mine, ALICE)
    assert [a.id for a in list_assistants(store.catalog, CAROL)] == [mine.id]


def test_local_user_and_command_line_see_everything(store):
    create_assistant(store.catalog, "Alice's", user=ALICE)
    create_assistant(store.catalog, "Shared before sign-in")  # no owner: everyone's
    assert len(list_assistants(store.catalog)) == 2
    assert len(list_assistants(store.catalog, LOCAL_USER)) == 2
    assert [a.name for a in list_assistants(store.catalog, BOB)] == ["Shared before sign-in"]


def test_documents_follow_their_assistant(store):
    mine = create_assistant(store.catalog, "Alice's", user=ALICE)
    result = ingest_bytes(store, "secret-plan.md", b"# Plan\n\nThe Q3 launch moves to October.\n", mine.id)
    assert document(store, result.doc_id, ALICE).workspace == mine.id
    with pytest.raises(NotFound):
        document(store, result.doc_id, BOB)  # no download, preview or export for Bob


def test_ready_documents_are_counted_for_those_who_may_use_the_assistant(store):
    mine = create_assistant(store.catalog, "Alice's", user=ALICE)
    assert ready_count(store, mine.id, ALICE) == 0
    first = ingest_bytes(store, "plan.md", b"# Plan\n\nThe Q3 launch moves to October.\n", mine.id)
    ingest_bytes(store, "prices.md", b"# Prices\n\nThe Team plan costs $49 a month.\n", mine.id)
    ingest_bytes(store, "elsewhere.md", b"# Elsewhere\n\nAnother assistant's note.\n", "default")
    assert ready_count(store, mine.id, ALICE) == 2
    store.catalog.update(first.doc_id, status="indexing")  # being re-indexed: not counted as ready
    assert ready_count(store, mine.id, ALICE) == 1
    with pytest.raises(NotFound):
        ready_count(store, mine.id, BOB)


def test_chats_in_a_shared_assistant_stay_private(store):
    shared = create_assistant(store.catalog, "Team", user=ALICE, shared_with=["bob"])
    alice_chat = new_chat(store.catalog, shared.id, user=ALICE)
    new_chat(store.catalog, shared.id, user=BOB)
    assert [c.chat_id for c in list_chats(store.catalog, shared.id, user=ALICE)] == [alice_chat.chat_id]
    assert load_chat(store.catalog, alice_chat.chat_id, shared.id, user=BOB) is None
    assert load_chat(store.catalog, alice_chat.chat_id, shared.id, user=ALICE) is not None


def test_every_write_path_refuses_a_shared_read_only_user(store):
    """Bob may read Alice's shared assistant; every change he tries, through the library itself, is refused."""
    from rag.ingest import sources
    from rag.ingest.kinds import KINDS
    from rag.marketing.voice import guidance_for
    from rag.types import ChunkSettings
    from rag.workspace import documents, jobs, writing
    from rag.workspace import sources as sites
    from rag.workspace.assistants import set_model_server, set_owner, share
    from rag.workspace.chats import add_message, record_feedback
    from rag.workspace.gaps import back_in_scope, knowledge_gaps, mark_out_of_scope
    from rag.workspace.health import Fix, apply_fix, check_health
    from rag.workspace.quality import delete_and_check

    shared = create_assistant(store.catalog, "Team", user=ALICE, shared_with=["bob"])
    doc = ingest_bytes(store, "plan.md", b"# Plan\n\nThe Q3 launch moves to October.\n", shared.id)
    chat = new_chat(store.catalog, shared.id, user=ALICE)
    add_message(store.catalog, chat, "user", "When is the launch?")
    answer = add_message(store.catalog, chat, "assistant", "October [1].")
    kind_before = store.catalog.get(doc.doc_id).kind
    site = sources.create(store.catalog, shared.id, "https://help.example.com/", allow_private=True)  # not resolved

    refused = {
        "kind": lambda: documents.set_kind(store, doc.doc_id, next(k for k in KINDS if k != kind_before), BOB),
        "reindex": lambda: documents.reindex(store, doc.doc_id, BOB),
        "reindex all": lambda: documents.reindex_assistant(store, shared.id, ChunkSettings(), BOB),
        "delete": lambda: documents.delete(store, doc.doc_id, BOB),
        "upload": lambda: jobs.queue_uploads(store, [("x.md", b"# X\n\nText here.\n")], shared.id, BOB),
        "guidance": lambda: writing.save_guidance(store, shared.id, "Write like a pirate.", user=BOB),
        "add a style rule": lambda: writing.add_rule(store, shared.id, "avoid", "synergy", user=BOB),
        "delete, then check it is forgotten": lambda: delete_and_check(store, doc.doc_id, user=BOB),
        "health fix": lambda: apply_fix(store, Fix("delete", doc.doc_id, "Delete"), BOB),
        "model server": lambda: set_model_server(store.catalog, store.settings, shared.id, "https://example.com/v1", "m", BOB),
        "share": lambda: share(store.catalog, shared.id, ["*"], BOB),
        "give away": lambda: set_owner(store.catalog, shared.id, "bob", BOB),
        "feedback on Alice's chat": lambda: record_feedback(store.catalog, chat.chat_id, shared.id, BOB, answer.msg_id, -1),
        "add a site": lambda: sites.add_site(store, shared.id, "https://example.com/", BOB),
        "sync a site": lambda: sites.sync_site(store, site.source_id, BOB),
        "schedule a site": lambda: sites.set_schedule(store, site.source_id, "daily", BOB),
        "remove a site": lambda: sites.remove_site(store, site.source_id, BOB),
        "see the knowledge gaps": lambda: knowledge_gaps(store, shared.id, user=BOB),  # everyone's questions: managers only
        "mark out of scope": lambda: mark_out_of_scope(store, shared.id, answer.msg_id, user=BOB),
        "back in scope": lambda: back_in_scope(store, shared.id, "any", user=BOB),
        "change the language": lambda: documents.change_language(store, shared.id, "multilingual", BOB),
        "estimate a language change": lambda: documents.language_change_seconds(store, shared.id, "multilingual", BOB),
    }
    for what, change in refused.items():
        with pytest.raises((AccessDenied, NotFound)):
            change()
            pytest.fail(f"{what} was allowed")
    # nothing changed
    assert store.catalog.get(doc.doc_id).status == "ready" and store.catalog.get(doc.doc_id).kind == kind_before
    assert len(store.catalog.documents(shared.id)) == 1
    assert guidance_for(store.catalog, shared.id, None, user=None)[1] is False
    assert not any(r.value == "synergy" for r in writing.style_rules(store, shared.id, user=ALICE))
    assert get_assistant(store.catalog, shared.id, ALICE).shared_with == ["bob"]
    assert [(s.source_id, s.schedule, s.last_sync) for s in sources.list_sources(store.catalog)] == [
        (site.source_id, "off", None)]
    # reading is allowed
    assert documents.passages(store, doc.doc_id, BOB) and check_health(store, shared.id, BOB).documents == 1
    assert [s.source_id for s in sites.list_sites(store, shared.id, BOB)] == [site.source_id]
    # and Carol, who it isn't shared with, can't even read
    with pytest.raises(NotFound):
        documents.passages(store, doc.doc_id, CAROL)
    with pytest.raises(NotFound):
        sites.list_sites(store, shared.id, CAROL)
    with pytest.raises(NotFound):
        check_health(store, shared.id, CAROL)


# Every library function that reveals what an assistant's documents say, called by someone it isn't
# shared with: each must refuse by itself ("not found"), whatever page or command called it.
def _reading_calls(store, assistant_id: str, doc_id: str, chat, user):
    from rag.answer.chain import AskOptions, ask, ask_stream
    from rag.answer.retrieve import GroundedRetriever, retrieve, search
    from rag.marketing.recipes import RECIPES, draft, plan_retrieval, revise
    from rag.marketing.series import plan_series, usual_slot
    from rag.marketing.style_rules import style_rules
    from rag.marketing.voice import guidance_for, profile_for, saved_guidance, style_documents
    from rag.types import ChunkSettings, RetrievalSettings
    from rag.workspace import chats, documents, jobs, page_view
    from rag.workspace import sources as sites
    from rag.workspace.assistants import get_assistant, reindex_seconds
    from rag.workspace.gaps import knowledge_gaps
    from rag.workspace.health import check_health
    from rag.workspace.quality import forget_results

    class Previous:  # revise() needs only the recipe and topic of the draft it starts from
        recipe, topic, model, body = "linkedin-post", "launch", "composed", ""

    message = chat.messages[-1].msg_id
    return {
        "ask": lambda: ask(store, "When is the launch?", assistant_id, AskOptions(), user=user),
        "ask_stream": lambda: list(ask_stream(store, "When is the launch?", assistant_id, AskOptions(), user=user)),
        "retrieve": lambda: retrieve(store, "launch", assistant_id, RetrievalSettings(), user=user),
        "search": lambda: search(store, "launch", assistant_id, user=user),
        "LangChain retriever": lambda: GroundedRetriever(store=store, workspace=assistant_id, user=user).invoke("launch"),
        "draft": lambda: draft(store, "linkedin-post", "launch", assistant_id, user=user),
        "revise": lambda: revise(store, Previous(), "regenerate", assistant_id, user=user),
        "plan_retrieval": lambda: plan_retrieval(store, RECIPES["linkedin-post"], "launch", assistant_id, user=user),
        "plan_series": lambda: plan_series(store, "launch", 2, assistant_id, user=user),
        "usual_slot": lambda: usual_slot(store, assistant_id, user=user),
        "style_rules": lambda: style_rules(store, assistant_id, user=user),
        "profile_for": lambda: profile_for(store, assistant_id, user=user),
        "guidance_for": lambda: guidance_for(store.catalog, assistant_id, None, user=user),
        "saved_guidance": lambda: saved_guidance(store.catalog, assistant_id, user=user),
        "style_documents": lambda: style_documents(store, assistant_id, user=user),
        "check_health": lambda: check_health(store, assistant_id, user),
        "knowledge_gaps": lambda: knowledge_gaps(store, assistant_id, user=user),
        "passages": lambda: documents.passages(store, doc_id, user),
        "preview": lambda: documents.preview(store, doc_id, ChunkSettings(), user),
        "documents": lambda: documents.documents(store, assistant_id, user),
        "document": lambda: documents.document(store, doc_id, user),
        "ready_count": lambda: documents.ready_count(store, assistant_id, user),
        "page view": lambda: page_view.passage(store, user, documents.passages(store, doc_id, None)[0]),
        "queue_view": lambda: jobs.queue_view(store, assistant_id, user),
        "queue_progress": lambda: jobs.queue_progress(store, assistant_id, user),
        "still_indexing_notice": lambda: jobs.still_indexing_notice(store, assistant_id, user, "launch"),
        "list_sites": lambda: sites.list_sites(store, assistant_id, user),
        "get_assistant": lambda: get_assistant(store.catalog, assistant_id, user),
        "reindex_seconds": lambda: reindex_seconds(store, assistant_id, user=user),
        "forget_results": lambda: forget_results(store, assistant_id, user=user),
        "list_chats": lambda: chats.list_chats(store.catalog, assistant_id, user=user),
        "load_chat": lambda: chats.load_chat(store.catalog, chat.chat_id, assistant_id, user=user),
        "new_chat": lambda: chats.new_chat(store.catalog, assistant_id, user=user),
        "delete_chat": lambda: chats.delete_chat(store.catalog, chat.chat_id, assistant_id, user=user),
        "feedback_for": lambda: chats.feedback_for(store.catalog, message, chat=chat, user=user),
        "record_feedback": lambda: chats.record_feedback(store.catalog, chat.chat_id, assistant_id, user, message, 1),
    }


def test_every_reading_function_refuses_someone_without_access(store):
    from rag.workspace.chats import add_message

    private = create_assistant(store.catalog, "Alice's", user=ALICE)
    doc = ingest_bytes(store, "plan.md", b"# Plan\n\nThe Falcon launch moves to 14 October.\n", private.id)
    chat = new_chat(store.catalog, private.id, user=ALICE)
    add_message(store.catalog, chat, "user", "When is the launch?")
    add_message(store.catalog, chat, "assistant", "14 October [1].")
    for what, call in _reading_calls(store, private.id, doc.doc_id, chat, CAROL).items():
        with pytest.raises(NotFound):
            call()
            pytest.fail(f"{what} revealed Alice's assistant to Carol")
    # the same calls work for Alice (the test can fail: it is not refusing everyone)
    for what in ("search", "passages", "load_chat", "check_health", "style_rules"):
        assert _reading_calls(store, private.id, doc.doc_id, chat, ALICE)[what]() is not None, what
    assert "October" in _reading_calls(store, private.id, doc.doc_id, chat, ALICE)["ask"]().answer
    # and losing access ends access to one's own chats with it too
    shared = create_assistant(store.catalog, "Team", user=ALICE, shared_with=["carol"])
    carols = new_chat(store.catalog, shared.id, user=CAROL)
    save_assistant(store.catalog, get_assistant(store.catalog, shared.id, ALICE).__class__(
        **{**get_assistant(store.catalog, shared.id, ALICE).__dict__, "shared_with": []}), ALICE)
    with pytest.raises(NotFound):
        load_chat(store.catalog, carols.chat_id, shared.id, user=CAROL)


# What pages call in rag/: each function either checks the acting user itself (listed in
# _reading_calls above, or a write checked in test_every_write_path_refuses...) or is listed here
# as revealing nothing of a document beyond what it is handed.
HANDED_OR_HARMLESS = {
    # formatting and constants
    "escape_markdown", "highlighted_markdown", "coloured_markdown", "passage_markdown", "location", "plural", "safe_answer_markdown",
    "duration_words", "reading_notices", "reading_summary", "mask_secret",
    "answer_markdown", "chat_markdown", "series_csv", "series_ics", "CHUNK_LABELS", "JOB_LABELS", "RESULT_LABELS",
    "STATUS_LABELS", "MODEL_LABELS", "RETRIEVAL_LABELS", "RECIPES", "TONES", "CASES", "RULE_KINDS", "MIN_POSTS",
    "MAX_POSTS", "KINDS", "STRATEGIES", "SCHEDULES", "CHECK_TITLES", "MODEL_CHOICES", "EVERYONE", "WEAK_MODEL_AHEAD",
    # types
    "Answer", "AskOptions", "Turn", "Draft", "DraftOptions", "Series", "Finding", "ChunkSettings", "SearchFilter",
    "Citation", "Hit", "Store", "Settings", "User", "Assistant", "Source", "SyncProgress", "SyncReport",
    "CrawlOptions", "GroundedError", "NotFound",
    # work on what a checked call already returned (a Draft, a Passage, a chat)
    "apply_fix", "add_message", "page_view",
    # who may do what, model and store plumbing (no document text)
    "can_manage", "resolve_model", "local_model_path", "wake_indexer",
    "serve_reads", "stop_serving_reads", "start_indexer", "stop_indexer", "start_check_runner", "stop_check_runner",
    "open_store", "LOCAL_USER", "authenticate",
    "signed_in", "SESSION_COOKIE", "SignInThrottle", "end_session", "session_user", "start_session", "HANDOVER",
    "HANDOVER_PATH", "SIGN_OUT_PATH",
    "effective_settings", "ensure_default", "create_assistant", "list_assistants", "get_assistant",
    # connections: admins only, checked in rag/workspace/connections.py
    "connection_status", "forget_connection", "save_connection", "try_connection",
    # the install's own health (readers and models work or not): no document, chat or assistant in it
    "broken", "recent_setup_checks", "code_span", "home_path",
    # knowledge gaps: a checked report (knowledge_gaps) as CSV, and wording
    "gaps_csv", "WHY_LABELS", "SCOPE_REPLY",
    # a deleted source's wording; the queue as a table (of a checked queue_view)
    "SOURCE_DELETED", "SOURCE_DELETED_NOTE", "queue_table", "markdown_table",
    "LANGUAGES", "LANGUAGE_LABELS",  # the language setting's choices and their names
}
CHECKED_WRITES = {
    "save_assistant", "delete_assistant", "duplicate_assistant", "set_model_server", "reindex_assistant",
    "save_guidance", "add_rule", "remove_rule", "update_rule", "record_feedback", "delete_chat", "new_chat",
    "delete_and_check",  # a document deleted, then its forget check
    "mark_out_of_scope", "back_in_scope",  # managers only: tests/test_gaps.py
    "check_from_chat",
    "change_language", "language_change_seconds",  # managers only: test_every_write_path_refuses_a_shared_read_only_user
}


# functions of the workspace modules pages import whole that work on what a checked call returned
ON_CHECKED_OBJECTS = {"render", "section", "cited_page", "is_paged", "indexer_for", "sync_due", "managed_assistant",
                      "latest_per_document"}


def test_every_library_call_of_the_pages_is_checked_or_harmless():
    import ast
    import importlib
    import inspect
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    reading = {n.id if isinstance(n, ast.Name) else n.attr
               for n in ast.walk(ast.parse(inspect.getsource(_reading_calls)))
               if isinstance(n, (ast.Name, ast.Attribute))}
    unknown = set()
    for page in [root / "app.py", *sorted((root / "app_pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(page.read_text())):
            if not (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rag")):
                continue
            for alias in node.names:
                try:  # a whole module (``from rag.workspace import documents``): every function takes the user
                    module = importlib.import_module(f"{node.module}.{alias.name}")
                except ImportError:
                    module = None
                if module is not None:
                    # what the module offers: its __all__ (a door module offering functions made elsewhere), else
                    # the functions it defines
                    offered = getattr(module, "__all__", None)
                    for name, fn in inspect.getmembers(module, inspect.isfunction):
                        mine = name in offered if offered is not None else fn.__module__ == module.__name__
                        if mine and not name.startswith("_") and name not in ON_CHECKED_OBJECTS | HANDED_OR_HARMLESS:
                            if "user" not in inspect.signature(fn).parameters:
                                unknown.add(f"{page.name}: {module.__name__}.{name} takes no user")
                elif alias.name not in reading | HANDED_OR_HARMLESS | CHECKED_WRITES:
                    unknown.add(f"{page.name}: {node.module}.{alias.name}")
    assert not unknown, f"say whether these check the acting user: {sorted(unknown)}"


def test_the_doors_writing_and_quality_changes_need_the_acting_user():
    """The door's changes take the user as a required keyword: a page that leaves it out gets an error, never the
    trusted command line's ``user=None`` (which rag/marketing's style rules take by default)."""
    import inspect

    from rag.workspace import quality, writing

    for module in (writing, quality):
        changes = set(module.__all__) & CHECKED_WRITES
        assert changes, module.__name__
        for name in changes:
            user = inspect.signature(getattr(module, name)).parameters["user"]
            assert user.default is inspect.Parameter.empty and user.kind is inspect.Parameter.KEYWORD_ONLY, name
