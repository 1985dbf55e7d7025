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
    get_assistant,
    list_assistants,
    rename_assistant,
    save_assistant,
)
from rag.workspace.chats import list_chats, load_chat, new_chat
from rag.workspace.documents import document

ALICE, BOB, CAROL = User("alice"), User("bob"), User("carol")


def test_passwords_are_salted_hashes_and_checked():
    stored = hash_password("correct horse", iterations=1000)
    assert stored.startswith("pbkdf2_sha256$1000$") and "correct horse" not in stored
    assert hash_password("correct horse", iterations=1000) != stored  # salted
    assert verify_password("correct horse", stored)
    assert not verify_password("wrong", stored)
    assert not verify_password("correct horse", "correct horse")  # plain text in secrets is never accepted
    users = {"alice": stored}
    assert authenticate(users, "alice", "correct horse") == ALICE
    assert authenticate(users, "alice", "nope") is None and authenticate(users, "mallory", "correct horse") is None


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


def test_chats_in_a_shared_assistant_stay_private(store):
    shared = create_assistant(store.catalog, "Team", user=ALICE, shared_with=["bob"])
    alice_chat = new_chat(store.catalog, shared.id, user="alice")
    new_chat(store.catalog, shared.id, user="bob")
    assert [c.chat_id for c in list_chats(store.catalog, shared.id, user="alice")] == [alice_chat.chat_id]
    assert load_chat(store.catalog, alice_chat.chat_id, shared.id, user="bob") is None
    assert load_chat(store.catalog, alice_chat.chat_id, shared.id, user="alice") is not None
