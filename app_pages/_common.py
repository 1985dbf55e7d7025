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
    """The assistant picked in the sidebar (the first one, created if needed, by default)."""
    assistant_id = st.session_state.get("assistant_id")
    if assistant_id:
        try:
            return get_assistant(store.catalog, assistant_id)
        except NotFound:
            st.session_state.pop("assistant_id", None)
    assistants = list_assistants(store.catalog) or [ensure_default(store.catalog)]
    st.session_state["assistant_id"] = assistants[0].id
    return assistants[0]


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
