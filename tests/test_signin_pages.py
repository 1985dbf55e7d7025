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


def test_sign_out_ends_the_session_and_a_copied_token_stops_working(workplace):
    """The last round: a cookie copied before sign-out still signed in afterwards. The session is on the server now."""
    from app_pages._common import TOKEN_KEY
    from rag.workspace.sessions import session_user

    alice = _sign_in(workplace(), "alice", "alice-pw")
    _no_exceptions(alice)
    copied = alice.session_state[TOKEN_KEY]  # what a script or a shoulder-surfer could have taken
    store = _store()
    assert session_user(store.catalog, store.settings, copied) is not None
    assert copied not in str([tuple(r) for r in store.catalog.query("SELECT * FROM signin_sessions")])  # stored hashed

    [b for b in alice.sidebar.button if _plain(b.label) == "Sign out"][0].click().run()
    _no_exceptions(alice)
    assert [b.label for b in alice.button] == ["Sign in"] and not alice.sidebar.selectbox
    assert session_user(store.catalog, store.settings, copied) is None

    # the copy, handed to another browser session, signs nobody in
    thief = workplace()
    thief.session_state[TOKEN_KEY] = copied
    thief.run()
    _no_exceptions(thief)
    assert [b.label for b in thief.button] == ["Sign in"] and not thief.sidebar.selectbox


def test_an_open_tab_is_signed_out_when_its_session_ends_elsewhere(workplace):
    from rag.workspace.sessions import end_sessions_of

    alice = _sign_in(workplace(), "alice", "alice-pw")
    assert alice.sidebar.selectbox
    end_sessions_of(_store().catalog, "alice")  # expiry, a password change or an admin: the tab's next run asks again
    alice.run()
    assert [b.label for b in alice.button] == ["Sign in"] and not alice.sidebar.selectbox


def test_pages_of_an_assistant_nobody_owns_work_for_a_non_admin(workplace):
    """They crashed on ``md(None)``: the owner's name was shown, and an ownerless assistant has none."""
    from rag.ingest.pipeline import ingest_bytes
    from rag.workspace.assistants import create_assistant

    bob = _sign_in(workplace(), "bob", "bob-pw")
    store = _store()
    ownerless = create_assistant(store.catalog, "Team wiki")  # the command line's: no owner, admins manage it
    for name in ("plan.md", "plan-copy.md"):  # a duplicate, so Health has a finding and its "who may fix" line
        ingest_bytes(store, name, SECRET_PLAN, ownerless.id)
    bob.run()
    bob.sidebar.selectbox[0].set_value(ownerless.id).run()
    for page in ("knowledge", "settings", "write", "health"):
        bob.switch_page(f"app_pages/{page}.py").run()
        _no_exceptions(bob)
        assert "None" not in _texts(bob), page
        assert "admin" in _texts(bob), page  # who to ask: whoever runs Grounded


def test_only_admins_see_anything_of_the_installs_key(workplace, monkeypatch):
    monkeypatch.setenv("GROUNDED_COMPATIBLE_API_KEY", "sk-install-secret-7f3acdef")
    monkeypatch.setenv("GROUNDED_ADMINS", "alice")
    bob = _sign_in(workplace(), "bob", "bob-pw")  # owns his own assistant, may change its settings
    bob.switch_page("app_pages/settings.py").run()
    _no_exceptions(bob)
    assert "install's model" in _texts(bob)
    assert "cdef" not in _texts(bob) and "sk-" not in _texts(bob) and "API keys" not in _texts(bob)
    alice = _sign_in(workplace(), "alice", "alice-pw")
    alice.switch_page("app_pages/settings.py").run()
    _no_exceptions(alice)
    assert "sk-…cdef" in _texts(alice)  # the admin sees which key is set, never the whole of it


def test_the_sign_in_cookie_is_handed_over_httponly_once():
    """Behind serve.py the token reaches the browser only in an HttpOnly, SameSite=Strict cookie (Secure over https)."""
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from app_pages._session_routes import ROUTES
    from rag.workspace.sessions import HANDOVER, HANDOVER_PATH, SESSION_COOKIE, SIGN_OUT_PATH, CookieHandover

    client = TestClient(Starlette(routes=ROUTES), base_url="https://grounded.example")
    code = HANDOVER.offer("the-session-token", 3600)
    other_site = client.post(HANDOVER_PATH, content=code, headers={"Origin": "https://evil.example"})
    assert other_site.status_code == 403 and "set-cookie" not in other_site.headers
    assert client.post(SIGN_OUT_PATH, headers={"Origin": "https://evil.example"}).status_code == 403
    response = client.post(HANDOVER_PATH, content=code, headers={"Origin": "https://grounded.example"})
    assert response.status_code == 204
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=the-session-token;")
    assert all(part in cookie for part in ("HttpOnly", "SameSite=strict", "Secure", "Max-Age=3600", "Path=/"))
    again = client.post(HANDOVER_PATH, content=code)  # a code works once
    assert again.status_code == 403 and "set-cookie" not in again.headers
    for forged in ("", "x" * 32, "a" * 5000):
        assert client.post(HANDOVER_PATH, content=forged).status_code == 403
    plain = TestClient(Starlette(routes=ROUTES), base_url="http://localhost")
    assert "Secure" not in plain.post(HANDOVER_PATH, content=HANDOVER.offer("t", 60)).headers["set-cookie"]
    cleared = plain.post(SIGN_OUT_PATH).headers["set-cookie"]
    assert cleared.startswith(f'{SESSION_COOKIE}="";') and "Max-Age=0" in cleared and "HttpOnly" in cleared
    # codes expire
    now = [0.0]
    desk = CookieHandover(ttl_s=60, clock=lambda: now[0])
    late = desk.offer("t", 60)
    now[0] = 61.0
    assert desk.take(late) is None


@pytest.mark.slow
def test_serve_py_runs_the_app_with_the_cookie_route(tmp_path):
    """``streamlit run serve.py`` (make run) serves the pages and the route that sets the cookie."""
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "GROUNDED_DATA_DIR": str(tmp_path / "data"), "GROUNDED_MODEL": "extractive"}
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", os.path.join(ROOT, "serve.py"),
                               "--server.port", str(port), "--server.headless", "true"],
                              cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                if httpx.get(f"{base}/_stcore/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        assert httpx.get(base + "/", timeout=10).status_code == 200
        refused = httpx.post(base + "/_grounded/session", content="made-up", timeout=10)
        assert refused.status_code == 403 and "set-cookie" not in refused.headers
    finally:
        server.terminate()
        server.wait(timeout=30)
