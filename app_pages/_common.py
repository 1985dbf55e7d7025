"""What every page shares: the one store, the signed-in user, the current assistant, friendly errors."""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager

import streamlit as st

from rag.errors import GroundedError, NotFound
from rag.present import escape_markdown
from rag.workspace.access import LOCAL_USER, User, authenticate, signed_in
from rag.workspace.assistants import (
    Assistant,
    create_assistant,
    effective_settings,
    ensure_default,
    get_assistant,
    list_assistants,
)
from rag.workspace.runtime import (
    Settings,
    Store,
    open_store,
    serve_reads,
    start_check_runner,
    start_indexer,
    stop_check_runner,
    stop_indexer,
    stop_serving_reads,
)
from rag.workspace.sessions import (
    HANDOVER,
    HANDOVER_PATH,
    SESSION_COOKIE,
    SIGN_OUT_PATH,
    SignInThrottle,
    end_session,
    session_user,
    start_session,
)

log = logging.getLogger("grounded.ui")


def _release_store(store: Store) -> None:
    """The store leaves the cache (a cache clear, a test's end): its background work stops after the current document."""
    stop_indexer(store)
    stop_serving_reads(store)
    stop_check_runner(store)


@st.cache_resource(show_spinner="Opening your knowledge base…", on_release=_release_store)
def get_store(data_dir: str) -> Store:
    """One store per app process and data directory, shared by every browser session.

    The process that holds the store also works through the folder's indexing queue and answers the
    command line's searches (it alone can open the index): both start here, in background threads.
    """
    store = open_store(Settings.load(data_dir))
    if store.settings.indexes_here:  # else `grounded indexer` processes do it (GROUNDED_INDEXER=service)
        start_indexer(store)
    serve_reads(store)
    start_check_runner(store)  # answer checks queued by a settings change, a re-index or the nightly schedule
    return store


def store_or_stop() -> Store:
    try:
        return get_store(str(Settings.load().data_dir.resolve()))
    except GroundedError as err:
        st.error(escape_markdown(str(err)))
        st.stop()


TOKEN_KEY = "_grounded_session"  # not a widget key: a browser can't set it, only a correct sign-in can


def current_user(store: Store) -> User:
    """The signed-in user; shows the sign-in form and stops the page when nobody is signed in.

    Sign-in is off (everyone is the local user) unless secrets.toml lists users or configures OIDC.
    A password sign-in is a session kept on the server (rag/workspace/sessions.py), checked on every
    run: signing out, expiry or a changed password end it in every tab, and a copied cookie with it.
    """
    settings = store.settings
    if not settings.signin_required:
        return LOCAL_USER
    if settings.oidc:
        if getattr(st.user, "is_logged_in", False):
            return signed_in(str(st.user.get("email") or st.user.get("name") or st.user.get("sub") or ""), settings)
        _oidc_signin()
        st.stop()
    token = st.session_state.get(TOKEN_KEY)
    if token and (user := session_user(store.catalog, settings, token)):
        _write_session_cookie()
        return user
    st.session_state.pop(TOKEN_KEY, None)
    token = st.context.cookies.get(SESSION_COOKIE) if settings.session_hours else None
    if token and (user := session_user(store.catalog, settings, token)):
        st.session_state[TOKEN_KEY] = token  # signed in by an earlier visit's session: a reload keeps you in
        return user
    _password_signin(settings, store, clear_cookie=bool(token))
    st.stop()


def _secure() -> bool:
    return bool(st.context.url and st.context.url.startswith("https"))


def _cookie_script(value: str, max_age: int) -> None:
    """Set (or, with ``max_age`` 0, clear) the session cookie in this browser.

    Behind ``serve.py`` the page posts a single-use code to its route, which sets the cookie
    HttpOnly (no page script can read it) and SameSite=Strict, Secure over https. Run as plain
    ``streamlit run app.py`` there is no such route: a page script sets it (SameSite=Strict, not
    HttpOnly). Either way the token is worthless once its session ends on the server (sign-out,
    ``session_idle_minutes`` unused, ``session_hours`` old, or a changed password).
    """
    if HANDOVER.served:
        if max_age:
            code = HANDOVER.offer(value, max_age)  # base64url: nothing to escape
            script = f"fetch('{HANDOVER_PATH}', {{method: 'POST', body: '{code}', credentials: 'same-origin'}})"
        else:
            script = f"fetch('{SIGN_OUT_PATH}', {{method: 'POST', credentials: 'same-origin'}})"
        st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)
        return
    st.html(f"<script>document.cookie = '{SESSION_COOKIE}={value}; Path=/; Max-Age={max_age}; SameSite=Strict'"
            + ("; Secure" if _secure() else "") + "</script>",
            unsafe_allow_javascript=True)


def _write_session_cookie() -> None:
    """After a sign-in, hand the browser its session (once; the run that signed in ended with a rerun)."""
    token = st.session_state.pop("_session_cookie", None)
    if token:
        _cookie_script(token, int(float(st.session_state.pop("_session_seconds", 0))))


def _oidc_signin() -> None:
    st.title("Grounded")
    st.write("Sign in to see your team's assistants.")
    if st.button("Sign in", type="primary", icon=":material/login:"):
        st.login()


@st.cache_resource
def _throttle() -> SignInThrottle:
    """One sign-in throttle per app process, shared by every browser session."""
    return SignInThrottle()


def _client() -> str:
    """Who is signing in, as far as the server can tell (the address the request came from).

    ``st.context.ip_address`` is the browser's address, or the proxy's when the app runs behind
    one (then everyone behind it counts as one address: the per-address waits are shared).
    """
    return str(getattr(st.context, "ip_address", None) or "unknown")


def _password_signin(settings: Settings, store: Store, clear_cookie: bool = False) -> None:
    st.title("Grounded")
    if st.session_state.pop("_signed_out", False) or clear_cookie:
        _cookie_script("", 0)  # a session that ended leaves no cookie behind
    with st.form("signin"):
        st.write("Sign in to see your team's assistants.")
        name = st.text_input("User name", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        throttle, client = _throttle(), _client()
        wait = throttle.wait_seconds(name, client)
        if wait > 0:
            st.error(f"Too many attempts that didn't match. Try again in {max(1, round(wait))} seconds.")
            return
        if delay := throttle.delay_seconds(name):  # many failures for this name from elsewhere: slower, never locked
            time.sleep(delay)
        user = authenticate(settings, name, password)
        if user is None:
            throttle.failed(name, client)
            st.error("That user name and password don't match. Ask whoever runs Grounded to check your account.")
        else:
            throttle.succeeded(name, client)
            for key in ("assistant_id", "chat_id"):  # nothing of a previous user's session carries over
                st.session_state.pop(key, None)
            token = start_session(store.catalog, settings, user)
            st.session_state[TOKEN_KEY] = token
            if settings.session_hours:
                st.session_state["_session_cookie"] = token
                st.session_state["_session_seconds"] = settings.session_hours * 3600
            st.rerun()


def sign_out(store: Store) -> None:
    """End the session on the server (the token, and any copy of it, stops working), then forget it here."""
    end_session(store.catalog, st.session_state.get(TOKEN_KEY))
    for key in (TOKEN_KEY, "assistant_id", "chat_id", "_session_cookie"):
        st.session_state.pop(key, None)
    st.session_state["_signed_out"] = True  # the sign-in page clears this browser's session cookie
    if store.settings.oidc:
        st.logout()
    st.rerun()


def current_assistant(store: Store) -> Assistant:
    """The assistant picked in the sidebar (the first one, created if needed, by default).

    The choice is kept in the address (``?assistant=…``) too, so a reload or a bookmarked link
    opens the same assistant.
    """
    user = current_user(store)
    assistant_id = st.session_state.get("assistant_id") or st.query_params.get("assistant")
    assistant = None
    if assistant_id:
        try:  # checked on the server: an id from the address bar or a crafted request gets nothing it may not see
            assistant = get_assistant(store.catalog, assistant_id, user)
        except NotFound:
            st.session_state.pop("assistant_id", None)
    if assistant is None:
        visible = list_assistants(store.catalog, user)
        if visible:
            assistant = visible[0]
        elif user.is_local:
            assistant = ensure_default(store.catalog)
        else:  # a signed-in user's first visit: their own assistant to start with
            assistant = create_assistant(store.catalog, "My assistant", user=user)
    st.session_state["assistant_id"] = assistant.id
    if st.query_params.get("assistant") != assistant.id:
        st.query_params["assistant"] = assistant.id
    return assistant


def managed_by(assistant: Assistant) -> str:
    """Who may change an assistant, for a sentence: its owner by name, or the admins when nobody owns it."""
    if assistant.owner:
        return f"{escape_markdown(assistant.owner)}, who owns this assistant,"
    return "an admin (whoever runs Grounded)"


def assistant_settings(store: Store, assistant: Assistant) -> Settings:
    return effective_settings(store.settings, assistant)


@contextmanager
def friendly_errors(action: str):
    """Show a plain message instead of a traceback if ``action`` fails."""
    try:
        yield
    except GroundedError as err:
        st.error(escape_markdown(str(err)))  # messages name files, and a file name may be Markdown
    except Exception:  # noqa: BLE001 - never show a raw exception on the page
        log.exception("%s failed", action)
        st.error(f"Something went wrong while trying to {escape_markdown(action)}. Please try again; "
                 "if it keeps happening, restart the app.")
