"""Settings: the assistant's instructions, how documents are split and retrieved, and its answer model."""

from __future__ import annotations

import streamlit as st

from app_pages._common import (
    assistant_settings,
    current_assistant,
    current_user,
    friendly_errors,
    managed_by,
    store_or_stop,
)
from rag.errors import GroundedError
from rag.present import (
    CHUNK_LABELS,
    MODEL_LABELS,
    RETRIEVAL_LABELS,
    code_span,
    duration_words,
    home_path,
    mask_secret,
    plural,
)
from rag.present import escape_markdown as md
from rag.types import STRATEGIES as RETRIEVAL_STRATEGIES
from rag.types import ChunkSettings
from rag.workspace.access import EVERYONE, can_manage
from rag.workspace.assistants import (
    delete_assistant,
    duplicate_assistant,
    reindex_seconds,
    save_assistant,
    set_model_server,
)
from rag.workspace.choices import LANGUAGE_LABELS, LANGUAGES, STRATEGIES
from rag.workspace.connections import connection_status, forget_connection, save_connection, try_connection
from rag.workspace.documents import change_language, language_change_seconds, reindex_assistant
from rag.workspace.models import MODEL_CHOICES, local_model_path, resolve_model

# --- Connect a writing model (the install's OpenAI key or OpenAI-compatible server; whoever runs the install) ---
PROVIDER_LABELS = {"openai": "OpenAI", "compatible": "Your own server (Ollama, vLLM, LM Studio, llama.cpp)"}


def connect_writing_model(store, user) -> None:
    """Enter, test, save or remove the install's model connection; keys encrypted at rest and shown only masked."""
    st.subheader("Connect a writing model")
    st.caption("For the whole install: assistants set to Automatic answer and write with it. Without one, answers "
               "quote your documents and drafts are put together from them.")
    statuses = {s.provider: s for s in connection_status(store)}
    for s in statuses.values():
        where = {"outside": "set in the environment or secrets.toml", "saved": "saved here", "none": "not connected"}[s.source]
        detail = " · ".join(x for x in (s.url, s.model, f"key {s.masked_key}" if s.source != "none" else "") if x)
        st.markdown(f"**{PROVIDER_LABELS[s.provider]}**: {where}" + (f" ({md(detail)})" if detail else ""))
        if s.note:
            st.warning(md(s.note), icon=":material/key_off:")
    provider = st.radio("Connect", list(PROVIDER_LABELS), format_func=PROVIDER_LABELS.get, horizontal=True,
                        key="connect-provider")
    current = statuses[provider]
    if current.source == "outside":
        st.info("This connection is set in the environment or `.streamlit/secrets.toml`, which wins over anything saved "
                "here. Change it there.", icon=":material/lock:")
        return
    with st.form("connect-model"):
        url = None
        if provider == "compatible":
            url = st.text_input("Server address", current.url or "", placeholder="http://localhost:11434/v1",
                                key="connect-url")
        model = st.text_input("Model", current.model or ("gpt-4o-mini" if provider == "openai" else ""),
                              placeholder="gpt-4o-mini" if provider == "openai" else "llama3.1 (empty: the server's first)",
                              key="connect-model-name")
        has_key = current.masked_key != "not set"
        key = st.text_input("API key" + ("" if provider == "openai" else " (if the server needs one)"), type="password",
                            placeholder=f"{current.masked_key} is saved: leave empty to keep it" if has_key else "",
                            key="connect-key")
        b1, b2 = st.columns(2)
        tried = b1.form_submit_button("Test connection", icon=":material/network_check:", width="stretch")
        saved = b2.form_submit_button("Save connection", type="primary", icon=":material/save:", width="stretch")
    if tried:
        with st.spinner("Asking the server…"), friendly_errors("test the connection"):
            result = try_connection(store, user, provider, url, model, key or None)
            if result.ok:
                offered = ", ".join(result.models[:8]) + (" …" if len(result.models) > 8 else "")
                st.success(f"Connected: **{md(result.model)}** answered in {result.seconds:.1f} s "
                           f"(“{md(result.reply[:80])}”). The server offers: {md(offered)}.", icon=":material/check_circle:")
            else:
                st.error(md(result.problem), icon=":material/error:")  # it may quote the server
    if saved:
        with friendly_errors("save the connection"):
            save_connection(store, user, provider, url, model, key or None)
            st.session_state.pop("connect-key", None)  # the typed key doesn't travel back to the page
            st.session_state["flash"] = f"{PROVIDER_LABELS[provider]} connected."
            st.rerun()
    if current.source == "saved" and st.button("Remove this connection", icon=":material/link_off:", key="connect-forget"):
        with friendly_errors("remove the connection"):
            forget_connection(store, user, provider)
            st.session_state["flash"] = f"{PROVIDER_LABELS[provider]} disconnected."
            st.rerun()
    protected = "GROUNDED_SECRET_KEY" if store.base_settings.secret_key else code_span(home_path(store.base_settings.key_file))
    st.caption(f"Saved keys are encrypted with a secret kept outside the data folder ({protected}), so a copy of the "
               "data folder can't reveal them. They are shown only masked and never written to logs or exports.")
# --- end of Connect a writing model ---


store = store_or_stop()
user = current_user(store)
assistant = current_assistant(store)
st.title("Settings")
st.caption(f"For the assistant **{md(assistant.name)}**. Other assistants keep their own settings.")
if not can_manage(assistant, user):
    st.info(f"Only {managed_by(assistant)} can change its settings. "
            "Ask them, or duplicate it from your own assistant.", icon=":material/lock:")
    if user.runs_the_install:
        connect_writing_model(store, user)
    st.stop()


def _model_problem(choice: str, url: str | None) -> str | None:
    """Why ``choice`` can't answer right now (answers then fall back to quotes), as Markdown, or None."""
    if choice == "openai" and not store.settings.openai_api_key:
        return "OpenAI needs an API key: set OPENAI_API_KEY in `.streamlit/secrets.toml` or the environment, then restart."
    if choice == "compatible" and not url:
        return "Enter your server's address below, e.g. http://localhost:11434/v1 for Ollama."
    if choice == "local":
        try:
            local_model_path()
        except GroundedError as err:
            return md(str(err))  # it names a path
    return None


with st.form("assistant"):
    st.subheader("Assistant")
    name = st.text_input("Name", assistant.name)
    description = st.text_input("Description", assistant.description, help="Shown under the assistant's name in the sidebar.")
    instructions = st.text_area(
        "Instructions", assistant.instructions, height=120,
        placeholder="e.g. You are our brand voice. Answer in a friendly, confident tone. Never promise delivery dates.",
        help="Its persona and rules, e.g. “You are our brand voice; never promise delivery dates.” "
        "Answers still come only from your documents.",
    )
    starters = st.text_area(
        "Conversation starters (one per line)", "\n".join(assistant.starters), height=100,
        help="Shown as buttons on an empty chat, so colleagues know what to ask.",
    )

    st.subheader("Finding passages")
    r1, r2 = st.columns(2)
    strategy = r1.selectbox(
        "How to search", RETRIEVAL_STRATEGIES, index=RETRIEVAL_STRATEGIES.index(assistant.retrieval.strategy),
        format_func=RETRIEVAL_LABELS.get,
        help="Meaning finds passages that say the same thing in other words; keywords find exact names and numbers.",
    )
    k = r2.slider(
        "Passages per answer", 1, 20, assistant.retrieval.k,
        help="How many passages the answer is built from. More gives fuller answers but may bring in less relevant text.",
    )
    r3, r4 = st.columns(2)
    threshold = r3.slider(
        "Minimum relevance", 0.0, 0.8, float(assistant.retrieval.threshold), 0.05,
        help="Passages less similar to the question than this are ignored; if none is left, the assistant says your "
        "documents don't cover the question. 0.2 is unrelated text, 0.5 is clearly on topic.",
    )
    neighbours = r4.slider(
        "Surrounding passages to include", 0, 3, assistant.retrieval.neighbours,
        help="Adds the passages just before and after each one found, for more context.",
    )

    st.subheader("Answer model")
    options = ["auto", *MODEL_CHOICES]
    model = st.selectbox(
        "Model", options, index=options.index(assistant.model or "auto"), format_func=MODEL_LABELS.get,
        help="Which model writes the answers. Whatever you choose, each sentence is checked against its sources.",
    )
    # Only whoever runs the install may point an assistant at a server address of their choice; others
    # may pick from the admins' list. The install's key never goes to an address an assistant names.
    compatible_url, compatible_model = assistant.compatible_url, assistant.compatible_model
    allowed = list(store.settings.allowed_server_urls)
    if user.runs_the_install or allowed:
        m1, m2 = st.columns(2)
        current_url = assistant.compatible_url or store.settings.compatible_url or ""
        if user.runs_the_install:
            compatible_url = m1.text_input(
                "Server address (for “My own server”)", current_url, placeholder="http://localhost:11434/v1",
                help="An assistant's own server gets no API key of this install's.",
            )
        else:
            choices = ["", *allowed]
            compatible_url = m1.selectbox(
                "Server (for “My own server”)", choices, index=choices.index(current_url) if current_url in choices else 0,
                format_func=lambda u: u or "The install's own server",
            )
        compatible_model = m2.text_input(
            "Model name on that server", assistant.compatible_model or store.settings.compatible_model or "",
            placeholder="llama3.1",
        )
    saved = st.form_submit_button("Save", type="primary", icon=":material/save:")

if saved:
    with friendly_errors("save the settings"):
        assistant.name = name
        assistant.description = description
        assistant.instructions = instructions
        assistant.starters = [s.strip() for s in starters.splitlines() if s.strip()]
        assistant.retrieval = assistant.retrieval.with_(strategy=strategy, k=k, threshold=threshold, neighbours=neighbours)
        assistant.model = None if model == "auto" else model
        save_assistant(store.catalog, assistant, user)
        url = (compatible_url or "").strip() or None
        if url == store.settings.compatible_url:
            url = None  # the install's own server: nothing of the assistant's own
        if url != assistant.compatible_url or (compatible_model or None) != assistant.compatible_model:
            set_model_server(store.catalog, store.settings, assistant.id, url, compatible_model, user)
        st.session_state["flash"] = "Settings saved."
        st.rerun()

in_use = assistant.model or resolve_model(assistant_settings(store, assistant))
st.markdown(f"Questions are answered with: **{MODEL_LABELS.get(in_use, in_use)}**.")
problem = _model_problem(in_use, assistant.compatible_url or store.settings.compatible_url)
if problem:
    st.warning(f"{problem} Until then, answers quote your documents instead.", icon=":material/warning:")
if user.runs_the_install:  # nothing of the install's keys, not even their last characters, for anyone else
    st.caption(
        f"API keys — OpenAI: {mask_secret(store.settings.openai_api_key)}; "
        f"your own server: {mask_secret(store.settings.compatible_api_key)}. "
        "Keys are read from `.streamlit/secrets.toml` or the environment and are never shown in full."
    )
else:
    st.caption("Writing models are the install's model, set up by whoever runs Grounded.")

st.subheader("Splitting documents into passages")
st.caption(
    "Documents are cut into passages; answers are built from the passages that best match a question. "
    "Sizes are in tokens (a token is about ¾ of a word). The defaults suit most documents."
)
c1, c2, c3 = st.columns(3)
chunk_strategy = c1.selectbox(
    "Split", STRATEGIES, index=STRATEGIES.index(assistant.chunking.strategy), format_func=CHUNK_LABELS.get,
    key=f"chunk-strategy-{assistant.id}",
    help="By section keeps every passage inside one heading, and tables whole.",
)
size = c2.number_input("Passage size (tokens)", 32, 1024, assistant.chunking.size, step=32, key=f"chunk-size-{assistant.id}")
overlap = c3.number_input(
    "Overlap (tokens)", 0, 256, assistant.chunking.overlap, step=8, key=f"chunk-overlap-{assistant.id}",
    help="How much of the end of one passage is repeated at the start of the next.",
)
new_chunking = ChunkSettings(chunk_strategy, int(size), int(overlap))
if new_chunking.overlap >= new_chunking.size:
    st.warning("The overlap must be smaller than the passage size.", icon=":material/warning:")
elif new_chunking != assistant.chunking:
    documents = store.catalog.documents(assistant.id)
    if documents:
        seconds = reindex_seconds(store, assistant.id, user=user)
        st.info(
            f"Applying this re-indexes all {plural(len(documents), 'document')} of this assistant; "
            f"it takes {duration_words(seconds)}. Answers keep working meanwhile.",
            icon=":material/schedule:",
        )
    else:
        st.info("New documents will be split this way.", icon=":material/info:")
    b1, b2 = st.columns(2)
    if b1.button("Apply and re-index" if documents else "Apply", type="primary", icon=":material/refresh:", width="stretch"):
        with friendly_errors("re-index"):
            assistant.chunking = new_chunking
            save_assistant(store.catalog, assistant, user)
            message = "Splitting settings saved."
            if documents:
                bar = st.progress(0.0, text="Re-indexing…")
                report = reindex_assistant(
                    store, assistant.id, new_chunking, user,
                    lambda p: bar.progress(p.done / max(p.total, 1), text=f"Re-indexing… {p.done} of {p.total} done"),
                )
                failed = report.count("failed")
                message = f"Re-indexed {plural(report.count('indexed'), 'document')}" + (
                    f"; {failed} could not be read again (see the Knowledge page)." if failed else "."
                )
            st.session_state["flash"] = message
            st.rerun()
    if b2.button("Undo changes", icon=":material/undo:", width="stretch"):
        for key in ("chunk-strategy", "chunk-size", "chunk-overlap"):
            st.session_state.pop(f"{key}-{assistant.id}", None)
        st.rerun()

st.subheader("Language")
st.caption(
    "English is the fastest. Multilingual reads Dutch, German, French, Spanish and more, side by side with English, "
    "and finds a passage in one language for a question in another."
)
new_language = st.radio(
    "Documents and questions in", LANGUAGES, index=LANGUAGES.index(assistant.language), format_func=LANGUAGE_LABELS.get,
    horizontal=True, key=f"language-{assistant.id}",
)
if new_language != assistant.language:
    seconds = language_change_seconds(store, assistant.id, new_language, user)
    if seconds:
        st.info(
            f"Changing the language re-indexes all documents of this assistant with another model; it takes "
            f"{duration_words(seconds)}. Until it ends, answers draw only on the documents already done.",
            icon=":material/schedule:",
        )
    if st.button("Change the language", type="primary", icon=":material/translate:"):
        with friendly_errors("change the language"):
            bar = st.progress(0.0, text="Re-indexing…")
            report = change_language(
                store, assistant.id, new_language, user,
                lambda p: bar.progress(p.done / max(p.total, 1), text=f"Re-indexing… {p.done} of {p.total} done"),
            )
            failed = report.count("failed")
            st.session_state["flash"] = f"Language changed to {new_language}." + (
                f" {failed} documents could not be read again (see the Knowledge page)." if failed else "")
            st.rerun()

if not user.is_local:
    st.subheader("Sharing")
    st.caption("People you share with can ask questions and read the documents; only you change them.")
    with st.form("sharing"):
        everyone = st.checkbox("Everyone who can sign in", EVERYONE in assistant.shared_with)
        others = sorted(n for n in store.settings.users if n != user.name)
        named = [n for n in assistant.shared_with if n != EVERYONE]
        if others:
            chosen = st.multiselect("Or only these people", others, [n for n in named if n in others])
        else:  # OIDC sign-in: people are known by their e-mail address
            chosen = [a.strip() for a in st.text_input("Or only these people (e-mail addresses, comma-separated)",
                                                         ", ".join(named)).split(",") if a.strip()]
        if st.form_submit_button("Save sharing", icon=":material/group:"):
            with friendly_errors("save the sharing"):
                assistant.shared_with = ([EVERYONE] if everyone else []) + list(chosen)
                save_assistant(store.catalog, assistant, user)
                st.session_state["flash"] = "Sharing saved."
                st.rerun()

st.subheader("Manage")
a1, a2 = st.columns(2)
with a1.popover("Duplicate", icon=":material/content_copy:", width="stretch", key=f"duplicate-{assistant.id}"):
    st.caption("A copy with the same settings and documents, to try changes safely.")
    copy_name = st.text_input("Name of the copy", f"{assistant.name} (copy)", key=f"copy-name-{assistant.id}")
    if st.button("Duplicate with its documents", type="primary"):
        with st.spinner("Copying…"), friendly_errors("duplicate the assistant"):
            copy = duplicate_assistant(store, assistant.id, copy_name, user)
            st.session_state["assistant_id"] = copy.id
            st.session_state.pop("chat_id", None)
            st.session_state["flash"] = f"Now using “{md(copy.name)}”."
            st.rerun()
with a2.popover("Delete assistant", icon=":material/delete:", width="stretch", key=f"delete-{assistant.id}"):
    st.warning(f"This deletes **{md(assistant.name)}**, its documents and its chats. It can't be undone.")
    if st.button("Delete for good", type="primary"):
        with friendly_errors("delete the assistant"):
            delete_assistant(store, assistant.id, user)
            st.session_state.pop("assistant_id", None)
            st.session_state.pop("chat_id", None)
            st.session_state["flash"] = f"Deleted “{md(assistant.name)}”."
            st.rerun()

if user.runs_the_install:
    connect_writing_model(store, user)
