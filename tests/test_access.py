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


def test_repeated_failures_are_slowed_per_name_and_per_client():
    from rag.workspace.access import SignInThrottle

    now = [0.0]
    throttle = SignInThrottle(free_attempts=3, first_wait_s=2.0, clock=lambda: now[0])
    for _ in range(3):
        assert throttle.wait_seconds("alice", "10.0.0.1") == 0
        throttle.failed("alice", "10.0.0.1")
    assert throttle.wait_seconds("alice", "10.0.0.9") == 2.0  # the name is throttled from any client
    assert throttle.wait_seconds("bob", "10.0.0.1") == 2.0  # and the client for any name
    assert throttle.wait_seconds("bob", "10.0.0.9") == 0
    throttle.failed("alice", "10.0.0.1")
    assert throttle.wait_seconds("alice", "10.0.0.9") == 4.0  # doubles with each further failure
    now[0] += 4.0
    assert throttle.wait_seconds("alice", "10.0.0.9") == 0
    throttle.succeeded("alice", "10.0.0.1")
    assert throttle.wait_seconds("alice", "10.0.0.1") == 0


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
    alice_chat = new_chat(store.catalog, shared.id, user="alice")
    new_chat(store.catalog, shared.id, user="bob")
    assert [c.chat_id for c in list_chats(store.catalog, shared.id, user="alice")] == [alice_chat.chat_id]
    assert load_chat(store.catalog, alice_chat.chat_id, shared.id, user="bob") is None
    assert load_chat(store.catalog, alice_chat.chat_id, shared.id, user="alice") is not None


def test_every_write_path_refuses_a_shared_read_only_user(store):
    """Bob may read Alice's shared assistant; every change he tries, through the library itself, is refused."""
    from rag.ingest.kinds import KINDS
    from rag.marketing.voice import guidance_for, save_guidance
    from rag.types import ChunkSettings
    from rag.ingest import sources
    from rag.workspace import documents, jobs
    from rag.workspace import sources as sites
    from rag.workspace.assistants import set_model_server, set_owner, share
    from rag.workspace.chats import add_message, record_feedback
    from rag.workspace.health import Fix, apply_fix, check_health

    shared = create_assistant(store.catalog, "Team", user=ALICE, shared_with=["bob"])
    doc = ingest_bytes(store, "plan.md", b"# Plan\n\nThe Q3 launch moves to October.\n", shared.id)
    chat = new_chat(store.catalog, shared.id, user="alice")
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
        "guidance": lambda: save_guidance(store.catalog, shared.id, "Write like a pirate.", BOB),
        "health fix": lambda: apply_fix(store, Fix("delete", doc.doc_id, "Delete"), BOB),
        "model server": lambda: set_model_server(store.catalog, store.settings, shared.id, "https://example.com/v1", "m", BOB),
        "share": lambda: share(store.catalog, shared.id, ["*"], BOB),
        "give away": lambda: set_owner(store.catalog, shared.id, "bob", BOB),
        "feedback on Alice's chat": lambda: record_feedback(store.catalog, chat.chat_id, shared.id, "bob", answer.msg_id, -1),
        "add a site": lambda: sites.add_site(store, shared.id, "https://example.com/", BOB),
        "sync a site": lambda: sites.sync_site(store, site.source_id, BOB),
        "schedule a site": lambda: sites.set_schedule(store, site.source_id, "daily", BOB),
        "remove a site": lambda: sites.remove_site(store, site.source_id, BOB),
    }
    for what, change in refused.items():
        with pytest.raises((AccessDenied, NotFound)):
            change()
            pytest.fail(f"{what} was allowed")
    # nothing changed
    assert store.catalog.get(doc.doc_id).status == "ready" and store.catalog.get(doc.doc_id).kind == kind_before
    assert len(store.catalog.documents(shared.id)) == 1
    assert guidance_for(store.catalog, shared.id, None)[1] is False
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


def test_a_signed_session_survives_a_reload_until_it_expires(tmp_path):
    from rag.workspace.access import session_secret, session_token, user_from_token

    settings = Settings(users={"alice": hash_password("pw", iterations=1000)}, admins=("alice",), session_hours=2)
    secret = session_secret(tmp_path)
    assert session_secret(tmp_path) == secret and (tmp_path / ".session-key").stat().st_mode & 0o077 == 0
    token = session_token(settings, User("alice"), secret, now=1000.0)
    assert user_from_token(settings, token, secret, now=1000.0 + 3600) == User("alice", admin=True)
    assert user_from_token(settings, token, secret, now=1000.0 + 2 * 3600 + 1) is None  # expired
    name, expires, signature = token.split(".")
    assert user_from_token(settings, f"{name}.{int(expires) + 10**6}.{signature}", secret, now=1000.0) is None  # tampered
    assert user_from_token(settings, token, b"another install's key" * 2, now=1000.0) is None
    changed = Settings(users={"alice": hash_password("new", iterations=1000)}, session_hours=2)
    assert user_from_token(changed, token, secret, now=1000.0) is None  # a new password ends old sessions
    assert user_from_token(Settings(users={}), token, secret, now=1000.0) is None  # a removed user too
    assert user_from_token(settings, "garbage", secret) is None
