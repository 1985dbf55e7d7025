"""What every page shares: the one store, the current assistant, friendly errors."""

from __future__ import annotations

import logging
from contextlib import contextmanager

import streamlit as st

from rag.assistants import Assistant, effective_settings, ensure_default, get_assistant, list_assistants
from rag.errors import GroundedError, NotFound
from rag.settings import Settings
from rag.store import Store

log = logging.getLogger("grounded.ui")


@st.cache_resource(show_spinner="Opening your knowledge base…")
def get_store(data_dir: str) -> Store:
    """One store per app process and data directory, shared by every browser session."""
    return Store(Settings.load(data_dir))


def store_or_stop() -> Store:
    try:
        return get_store(str(Settings.load().data_dir.resolve()))
    except GroundedError as err:
        st.error(str(err))
        st.stop()


def current_assistant(store: Store) -> Assistant:
    """The assistant picked in the sidebar (the first one, created if needed, by default).

    The choice is kept in the address (``?assistant=…``) too, so a reload or a bookmarked link
    opens the same assistant.
    """
    assistant_id = st.session_state.get("assistant_id") or st.query_params.get("assistant")
    assistant = None
    if assistant_id:
        try:
            assistant = get_assistant(store.catalog, assistant_id)
        except NotFound:
            st.session_state.pop("assistant_id", None)
    if assistant is None:
        assistant = (list_assistants(store.catalog) or [ensure_default(store.catalog)])[0]
    st.session_state["assistant_id"] = assistant.id
    if st.query_params.get("assistant") != assistant.id:
        st.query_params["assistant"] = assistant.id
    return assistant


def assistant_settings(store: Store, assistant: Assistant) -> Settings:
    return effective_settings(store.settings, assistant)


@contextmanager
def friendly_errors(action: str):
    """Show a plain message instead of a traceback if ``action`` fails."""
    try:
        yield
    except GroundedError as err:
        st.error(str(err))
    except Exception:  # noqa: BLE001 - never show a raw exception on the page
        log.exception("%s failed", action)
        st.error(f"Something went wrong while trying to {action}. Please try again; if it keeps happening, restart the app.")
