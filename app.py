"""Grounded: the assistant picker, chat history in the sidebar, and page navigation."""

import streamlit as st

from app_pages._common import current_assistant, friendly_errors, store_or_stop
from rag.assistants import create_assistant, list_assistants
from rag.chats import list_chats

st.set_page_config(page_title="Grounded", page_icon=":material/library_books:", layout="wide")

store = store_or_stop()
assistant = current_assistant(store)


@st.dialog("New assistant")
def new_assistant_dialog():
    name = st.text_input("Name", placeholder="e.g. Sales answers")
    description = st.text_input("What is it for?", placeholder="Answers sales questions from our case studies")
    instructions = st.text_area(
        "Instructions", placeholder="You are our brand voice. Never promise delivery dates.", height=100
    )
    if st.button("Create", type="primary", disabled=not name.strip()):
        with friendly_errors("create the assistant"):
            created = create_assistant(store.catalog, name, description=description, instructions=instructions)
            st.session_state["assistant_id"] = created.id
            st.session_state.pop("chat_id", None)
            st.rerun()


def _switch_assistant() -> None:
    st.session_state["assistant_id"] = st.session_state["assistant_picker"]
    st.session_state.pop("chat_id", None)


with st.sidebar:
    assistants = list_assistants(store.catalog)
    names = {a.id: a.name for a in assistants}
    # The picker follows the current assistant, however it was chosen (picker, a new assistant, a test).
    st.session_state["assistant_picker"] = assistant.id
    st.selectbox(
        "Assistant", list(names), format_func=lambda i: names[i], key="assistant_picker", on_change=_switch_assistant
    )
    if assistant.description:
        st.caption(assistant.description)
    if st.button("New assistant", icon=":material/add:", width="stretch"):
        new_assistant_dialog()

    st.divider()
    if st.button("New chat", icon=":material/edit_square:", width="stretch", key="new_chat"):
        st.session_state.pop("chat_id", None)
        st.switch_page("app_pages/chat.py")
    chats = list_chats(store.catalog, assistant.id, limit=20)
    if chats:
        st.caption("Recent chats")
    for chat in chats:
        current = chat.chat_id == st.session_state.get("chat_id")
        if st.button(chat.title, key=f"chat-{chat.chat_id}", width="stretch", type="secondary", disabled=current):
            st.session_state["chat_id"] = chat.chat_id
            st.switch_page("app_pages/chat.py")

navigation = st.navigation(
    [
        st.Page("app_pages/chat.py", title="Chat", icon=":material/chat:", default=True),
        st.Page("app_pages/knowledge.py", title="Knowledge", icon=":material/folder_open:"),
        st.Page("app_pages/settings.py", title="Settings", icon=":material/tune:"),
    ]
)
navigation.run()
