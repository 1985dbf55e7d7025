"""Sign-in in the app: nobody gets in without it, and user B can't reach user A's assistant,
documents, chats or downloads — by the sidebar, the address bar or a crafted session value."""

from __future__ import annotations

import os

import pytest
from streamlit.testing.v1 import AppTest

from rag.index import close_all_indexes
from rag.workspace.access import hash_password
from rag.workspace.assistants import get_assistant, list_assistants, save_assistant
from tests.test_pages import (
    ROOT,
    _button,
    _no_exceptions,
    _plain,
    _store,
    _texts,
    _upload,
    offline_app_env,
)

SECRET_PLAN = b"# Launch plan\n\nThe Falcon launch moves to 14 October and the price rises to 1,200 dollars.\n"


@pytest.fixture
def workplace(tmp_path, monkeypatch):
    offline_app_env(tmp_path, monkeypatch)
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        "[users]\n"
        f'alice = "{hash_password("alice-pw", iterations=1000)}"\n'
        f'bob = "{hash_password("bob-pw", iterations=1000)}"\n'
    )
    yield lambda: AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=120)
    import streamlit as st

    st.cache_resource.clear()
    close_all_indexes()


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.run()
    [t for t in at.text_input if t.label == "User name"][0].set_value(name)
    [t for t in at.text_input if t.label == "Password"][0].set_value(password)
    _button(at, "Sign in").click().run()
    return at


def test_nothing_shows_before_sign_in(workplace):
    at = workplace()
    at.run()
    _no_exceptions(at)
    assert [b.label for b in at.button] == ["Sign in"] and not at.sidebar.selectbox and not at.chat_input
    _sign_in(at, "alice", "wrong password")
    assert any("don't match" in e.value for e in at.error) and not at.sidebar.selectbox
    _sign_in(at, "alice", "alice-pw")
    _no_exceptions(at)
    assert at.title[0].value == "My assistant" and "Signed in as alice" in _texts(at)


def test_user_b_cannot_reach_user_a_in_any_way(workplace):
    alice = _sign_in(workplace(), "alice", "alice-pw")
    _upload(alice, [("secret-plan.md", SECRET_PLAN, "text/markdown")])
    _no_exceptions(alice)
    store = _store()
    alices = list_assistants(store.catalog)[0]
    assert alices.owner == "alice"
    secret_doc = store.catalog.documents(alices.id)[0]

    bob = _sign_in(workplace(), "bob", "bob-pw")
    _no_exceptions(bob)
    assert bob.sidebar.selectbox[0].options == ["My assistant"]  # his own only
    bobs = [a for a in list_assistants(store.catalog) if a.owner == "bob"][0]
    assert bob.sidebar.selectbox[0].value == bobs.id

    # a crafted session value and address-bar parameter pointing at Alice's assistant
    bob.session_state["assistant_id"] = alices.id
    bob.query_params["assistant"] = alices.id
    bob.switch_page("app_pages/knowledge.py").run()
    _no_exceptions(bob)
    assert "secret-plan.md" not in _texts(bob) and bob.session_state["assistant_id"] == bobs.id
    assert any("No documents yet" in i.value for i in bob.info)

    # asking can't pull Alice's passages either
    bob.switch_page("app_pages/chat.py").run()
    assert bob.chat_input[0].disabled  # Bob's own assistant has nothing to search
    from rag.answer.chain import AskOptions, ask
    from rag.errors import NotFound
    from rag.workspace.access import User
    from rag.workspace.documents import document

    with pytest.raises(NotFound):
        get_assistant(store.catalog, alices.id, User("bob"))
    with pytest.raises(NotFound):
        document(store, secret_doc.doc_id, User("bob"))  # no download, preview or export
    # and the index itself: Bob's assistant's collection holds none of Alice's chunks
    answer = ask(store, "When does the Falcon launch happen?", bobs.id, AskOptions(model="extractive"), user=None)
    assert answer.refused and "secret-plan.md" not in answer.answer


def test_sharing_gives_read_and_ask_but_not_change(workplace):
    alice = _sign_in(workplace(), "alice", "alice-pw")
    _upload(alice, [("secret-plan.md", SECRET_PLAN, "text/markdown")])
    store = _store()
    shared = list_assistants(store.catalog)[0]
    shared.shared_with = ["bob"]
    save_assistant(store.catalog, shared)

    bob = _sign_in(workplace(), "bob", "bob-pw")
    assert bob.sidebar.selectbox[0].options == ["My assistant · alice"]  # shared, with its owner named
    bob.sidebar.selectbox[0].set_value(shared.id).run()
    bob.switch_page("app_pages/knowledge.py").run()
    _no_exceptions(bob)
    assert "shares this assistant with you" in _texts(bob)
    assert not bob.file_uploader and "Delete" not in [_plain(b.label) for b in bob.button]
    bob.switch_page("app_pages/chat.py").run()
    bob.chat_input[0].set_value("When does the Falcon launch happen?").run()
    _no_exceptions(bob)
    assert "14 October" in _texts(bob)
    bob.switch_page("app_pages/settings.py").run()
    assert "Only alice" in _texts(bob) and not [b for b in bob.button if _plain(b.label) == "Save"]

    # Bob's chat stays his: Alice doesn't see it in her sidebar
    alice.run()
    assert not any("Falcon" in _plain(b.label) for b in alice.sidebar.button)
