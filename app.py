"""Grounded: the assistant picker, chat history in the sidebar, and page navigation.

The pages are registered with ``st.navigation`` first (so the sidebar's buttons can switch to
them), the sidebar is drawn next, and the chosen page runs last.
"""

from pathlib import Path

import streamlit as st

from app_pages._common import (
    current_assistant,
    current_user,
    friendly_errors,
    sign_out,
    store_or_stop,
)
from rag.present import duration_words, escape_markdown, plural
from rag.workspace.assistants import create_assistant, list_assistants
from rag.workspace.chats import list_chats
from rag.workspace.choices import LANGUAGE_LABELS, LANGUAGES
from rag.workspace.jobs import queue_progress

# The icon is a file of ours: a ":material/..." page icon makes every browser fetch it from Google's font
# servers, a third-party call from an offline product (and, in the EU, a transfer that needs consent).
st.set_page_config(page_title="Grounded", page_icon=str(Path(__file__).parent / "assets" / "icon.png"), layout="wide")

CHAT = st.Page("app_pages/chat.py", title="Chat", icon=":material/chat:", default=True)
KNOWLEDGE = st.Page("app_pages/knowledge.py", title="Knowledge", icon=":material/folder_open:")
WRITE = st.Page("app_pages/write.py", title="Write", icon=":material/edit_note:")
HEALTH = st.Page("app_pages/health.py", title="Health", icon=":material/health_and_safety:")
GAPS = st.Page("app_pages/gaps.py", title="Knowledge gaps", icon=":material/help_center:")
CHECKS = st.Page("app_pages/checks.py", title="Checks", icon=":material/fact_check:")
SETTINGS = st.Page("app_pages/settings.py", title="Settings", icon=":material/tune:")
navigation = st.navigation([CHAT, KNOWLEDGE, WRITE, HEALTH, CHECKS, GAPS, SETTINGS])

store = store_or_stop()
user = current_user(store)  # the sign-in form, when sign-in is on and nobody is signed in
assistant = current_assistant(store)


def _close_new_assistant() -> None:
    st.session_state.pop("new_assistant_open", None)


# The dialog stays open (across full reruns too) until it is dismissed or an assistant is created.
@st.dialog("New assistant", on_dismiss=_close_new_assistant)
def new_assistant_dialog():
    # A form: typing a name and clicking Create straight away must work (a button that is only
    # enabled once the name is committed swallows that first click).
    with st.form("new_assistant", border=False):
        name = st.text_input("Name", placeholder="e.g. Sales answers")
        description = st.text_input("What is it for?", placeholder="Answers sales questions from our case studies")
        instructions = st.text_area(
            "Instructions",
            placeholder="e.g. You are our brand voice. Never promise delivery dates.",
            height=100,
            help="Its persona and rules. You can change them later in Settings.",
        )
        language = st.radio(
            "Documents and questions in", LANGUAGES, format_func=LANGUAGE_LABELS.get, horizontal=True,
            help="Multilingual reads Dutch, German, French, Spanish and more, and finds a passage in one language "
            "for a question in another; indexing takes about 8 times longer. You can change it later in Settings.",
        )
        st.caption("Next you'll add its documents on the Knowledge page.")
        submitted = st.form_submit_button("Create", type="primary")
    if submitted and not name.strip():
        st.error("Give the assistant a name.")
    elif submitted:
        with friendly_errors("create the assistant"):
            created = create_assistant(store.catalog, name, user=user, description=description, instructions=instructions,
                                       language=language)
            _close_new_assistant()
            st.session_state["assistant_id"] = created.id
            st.session_state.pop("chat_id", None)
            st.session_state["flash"] = f"“{escape_markdown(created.name)}” is ready. Add the documents it should answer from."
            st.switch_page(KNOWLEDGE)


def _indexing_line() -> None:
    """"Indexing 7 of 20" under the assistant picker while its documents are indexed, on every page."""
    progress = queue_progress(store, assistant.id, user)
    seen = f"indexing-total-{assistant.id}"
    if progress.busy:
        st.session_state[seen] = progress.total
        left = f" · {duration_words(progress.seconds_left)} left" if progress.seconds_left is not None else ""
        st.caption(f":material/sync: Indexing {min(progress.done + 1, progress.total)} of {progress.total}{left}")
    elif total := st.session_state.pop(seen, None):  # it just finished (this fragment was still refreshing)
        st.caption(f":material/check_circle: {'All ' if total > 1 else ''}{plural(total, 'document')} indexed")


def _switch_assistant() -> None:
    st.session_state["assistant_id"] = st.session_state["assistant_picker"]
    st.session_state.pop("chat_id", None)


with st.sidebar:
    assistants = list_assistants(store.catalog, user)
    # Someone else's assistant shared with you shows whose it is ("Sales answers · alice").
    names = {a.id: a.name + (f" · {a.owner}" if a.owner and a.owner != user.name and not user.is_local else "") for a in assistants}
    # The picker follows the current assistant, however it was chosen (picker, a new assistant, a test).
    st.session_state["assistant_picker"] = assistant.id
    st.selectbox(
        "Assistant", list(names), format_func=lambda i: names[i], key="assistant_picker", on_change=_switch_assistant
    )
    if assistant.description:
        st.caption(escape_markdown(assistant.description))
    # refreshed on its own only while something is being indexed (a page change shows a queue started elsewhere)
    st.fragment(_indexing_line, run_every=3.0 if queue_progress(store, assistant.id, user).busy else None)()
    if st.button("New assistant", icon=":material/add:", width="stretch"):
        st.session_state["new_assistant_open"] = True
    if st.session_state.get("new_assistant_open"):
        new_assistant_dialog()

    st.divider()
    if st.button("New chat", icon=":material/edit_square:", width="stretch", key="new_chat"):
        st.session_state.pop("chat_id", None)
        st.switch_page(CHAT)
    chats = list_chats(store.catalog, assistant.id, limit=20, user=user)
    if chats:
        st.caption("Recent chats")
    for chat in chats:
        current = chat.chat_id == st.session_state.get("chat_id")
        title = chat.title if len(chat.title) <= 50 else chat.title[:48].rstrip() + "…"
        if st.button(
            escape_markdown(title),
            key=f"chat-{chat.chat_id}",
            width="stretch",
            type="secondary" if current else "tertiary",
            icon=":material/chat_bubble:" if current else ":material/chat_bubble_outline:",
            help=escape_markdown(chat.title) if title != chat.title else None,
        ):
            st.session_state["chat_id"] = chat.chat_id
            st.switch_page(CHAT)

    if not user.is_local:
        st.divider()
        st.caption(f"Signed in as {escape_markdown(user.name)}")
        if st.button("Sign out", icon=":material/logout:", width="stretch", type="tertiary"):
            sign_out(store)

if flash := st.session_state.pop("flash", None):
    st.toast(flash, icon=":material/check_circle:")

navigation.run()
