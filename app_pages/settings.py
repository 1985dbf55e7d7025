"""Settings: the assistant's instructions, how documents are split and retrieved, and its answer model."""

from __future__ import annotations

import streamlit as st

from app_pages._common import assistant_settings, current_assistant, friendly_errors, store_or_stop
from rag.assistants import delete_assistant, duplicate_assistant, save_assistant
from rag.chunk import STRATEGIES
from rag.ingest import estimate_reindex_seconds, reindex_workspace
from rag.llm import MODEL_CHOICES, resolve_model
from rag.present import mask_secret
from rag.retrieve import STRATEGIES as RETRIEVAL_STRATEGIES
from rag.types import ChunkSettings

store = store_or_stop()
assistant = current_assistant(store)
st.title("Settings")
st.caption(f"For the assistant **{assistant.name}**.")

MODEL_LABELS = {
    "auto": "Automatic (the best one available)",
    "openai": "OpenAI",
    "compatible": "My own server (Ollama, vLLM, LM Studio, llama.cpp)",
    "local": "Built-in small model (offline, often wrong on facts)",
    "extractive": "No model: quote the documents",
}
RETRIEVAL_LABELS = {
    "hybrid": "Hybrid: meaning and keywords (recommended)",
    "dense": "Meaning only",
    "sparse": "Keywords only",
    "mmr": "Varied: avoid near-duplicate passages",
}
CHUNK_LABELS = {"by_title": "By section (recommended)", "recursive": "By paragraph and sentence", "fixed": "Fixed windows"}

with st.form("assistant"):
    st.subheader("Assistant")
    name = st.text_input("Name", assistant.name)
    description = st.text_input("Description", assistant.description)
    instructions = st.text_area(
        "Instructions", assistant.instructions, height=120,
        help="Its persona and rules, e.g. “You are our brand voice; never promise delivery dates.”",
    )
    starters = st.text_area("Conversation starters (one per line)", "\n".join(assistant.starters), height=100)

    st.subheader("Finding passages")
    r1, r2 = st.columns(2)
    strategy = r1.selectbox(
        "How to search", RETRIEVAL_STRATEGIES, index=RETRIEVAL_STRATEGIES.index(assistant.retrieval.strategy),
        format_func=RETRIEVAL_LABELS.get,
    )
    k = r2.slider("Passages per answer", 1, 20, assistant.retrieval.k)
    r3, r4 = st.columns(2)
    threshold = r3.slider(
        "Minimum relevance", 0.0, 0.8, float(assistant.retrieval.threshold), 0.05,
        help="Passages less similar to the question than this are ignored; if none is left, the assistant says your "
        "documents don't cover the question. 0.2 is unrelated text, 0.5 is clearly on topic.",
    )
    neighbours = r4.slider("Surrounding passages to include", 0, 3, assistant.retrieval.neighbours)

    st.subheader("Answer model")
    options = ["auto", *MODEL_CHOICES]
    model = st.selectbox("Model", options, index=options.index(assistant.model or "auto"), format_func=MODEL_LABELS.get)
    m1, m2 = st.columns(2)
    compatible_url = m1.text_input(
        "Server address (for “My own server”)", assistant.compatible_url or store.settings.compatible_url or "",
        placeholder="http://localhost:11434/v1",
    )
    compatible_model = m2.text_input(
        "Model name on that server", assistant.compatible_model or store.settings.compatible_model or "",
        placeholder="llama3.1",
    )
    st.caption(
        f"OpenAI key: {mask_secret(store.settings.openai_api_key)}. Keys are read from `.streamlit/secrets.toml` "
        "or the environment (OPENAI_API_KEY); they are never shown here."
    )
    saved = st.form_submit_button("Save", type="primary")

if saved:
    with friendly_errors("save the settings"):
        assistant.name = name
        assistant.description = description
        assistant.instructions = instructions
        assistant.starters = [s.strip() for s in starters.splitlines() if s.strip()]
        assistant.retrieval = assistant.retrieval.with_(strategy=strategy, k=k, threshold=threshold, neighbours=neighbours)
        assistant.model = None if model == "auto" else model
        assistant.compatible_url = compatible_url.strip() or None
        assistant.compatible_model = compatible_model.strip() or None
        save_assistant(store.catalog, assistant)
        st.toast("Settings saved.")
        st.rerun()


st.caption(f"Questions are answered with: **{MODEL_LABELS[resolve_model(assistant_settings(store, assistant), 'question')]}**.")

st.subheader("Splitting documents into passages")
c1, c2, c3 = st.columns(3)
chunk_strategy = c1.selectbox(
    "Strategy", STRATEGIES, index=STRATEGIES.index(assistant.chunking.strategy), format_func=CHUNK_LABELS.get
)
size = c2.number_input("Passage size (tokens)", 32, 1024, assistant.chunking.size, step=32)
overlap = c3.number_input("Overlap (tokens)", 0, 256, assistant.chunking.overlap, step=8)
new_chunking = ChunkSettings(chunk_strategy, int(size), int(overlap))
if new_chunking != assistant.chunking:
    seconds = estimate_reindex_seconds(store, assistant.id)
    st.info(f"Changing this re-indexes every document of this assistant (about {max(1, round(seconds))} seconds).")
    if st.button("Apply and re-index", type="primary"):
        with friendly_errors("re-index"):
            assistant.chunking = new_chunking
            save_assistant(store.catalog, assistant)
            bar = st.progress(0.0, text="Re-indexing…")
            report = reindex_workspace(
                store, assistant.id, new_chunking,
                lambda p: bar.progress(p.done / max(p.total, 1), text=f"Re-indexing {p.path}…"),
            )
            st.success(f"Re-indexed {report.count('indexed')} documents ({report.count('failed')} failed).")

st.subheader("Manage")
a1, a2 = st.columns(2)
with a1.popover("Duplicate", icon=":material/content_copy:", width="stretch"):
    copy_name = st.text_input("Name of the copy", f"{assistant.name} (copy)")
    if st.button("Duplicate with its documents"):
        with st.spinner("Copying…"), friendly_errors("duplicate the assistant"):
            copy = duplicate_assistant(store, assistant.id, copy_name)
            st.session_state["assistant_id"] = copy.id
            st.session_state.pop("chat_id", None)
            st.rerun()
with a2.popover("Delete", icon=":material/delete:", width="stretch"):
    st.warning("This deletes the assistant, its documents and its chats. It can't be undone.")
    if st.button("Delete for good", type="primary"):
        with friendly_errors("delete the assistant"):
            delete_assistant(store, assistant.id)
            st.session_state.pop("assistant_id", None)
            st.session_state.pop("chat_id", None)
            st.rerun()
