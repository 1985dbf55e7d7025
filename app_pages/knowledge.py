"""Knowledge: upload documents, see and fix what is indexed, preview chunks, test retrieval."""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from app_pages._common import current_assistant, friendly_errors, store_or_stop
from rag.chunk import STRATEGIES, split
from rag.errors import GroundedError
from rag.ingest import KINDS, delete_document, ingest_bytes, reindex, set_kind
from rag.parse import parse_file
from rag.present import location
from rag.retrieve import retrieve
from rag.types import ChunkSettings

store = store_or_stop()
assistant = current_assistant(store)
st.title("Knowledge")
st.caption(f"The documents **{assistant.name}** answers from. Other assistants can't see them.")

STATUS_LABEL = {"indexed": "Indexed", "unchanged": "Already up to date", "skipped": "Skipped", "failed": "Could not index"}

# upload
with st.form("upload", clear_on_submit=True, border=True):
    uploads = st.file_uploader(
        "Add documents",
        accept_multiple_files=True,
        help="PDF, Word, PowerPoint, Excel, CSV, HTML, Markdown, text, e-mail (.eml), or a ZIP of these.",
    )
    submitted = st.form_submit_button("Upload and index", type="primary", icon=":material/upload:")
if submitted and uploads:
    results = []
    progress = st.progress(0.0, text="Starting…")
    for n, upload in enumerate(uploads):
        progress.progress(n / len(uploads), text=f"Reading {upload.name} ({n + 1} of {len(uploads)})…")
        with st.status(f"Reading {upload.name}…", expanded=False) as status:
            result = None
            with friendly_errors(f"index {upload.name}"):
                result = ingest_bytes(store, upload.name, upload.getvalue(), assistant.id, assistant.chunking)
                results.append(result)
            if result is None:
                status.update(label=f"Could not index {upload.name}", state="error")
                continue
            detail = f" — {result.error}" if result.error else f" — {result.chunks} passages"
            status.update(
                label=f"{STATUS_LABEL[result.status]}: {upload.name}{detail}",
                state="error" if result.status == "failed" else "complete",
            )
    progress.progress(1.0, text="Done")
    indexed = sum(r.status == "indexed" for r in results)
    problems = sum(r.status in ("failed", "skipped") for r in results)
    st.success(f"{indexed} indexed, {len(results) - indexed - problems} already up to date, {problems} not indexed.")

# documents
documents = store.catalog.documents(assistant.id)
if not documents:
    st.info("No documents yet. Drop your case studies, help-center export (ZIP), launch notes or posts above.")
    st.stop()

st.subheader(f"Documents ({len(documents)})")
table = [
    {
        "Name": d.file,
        "Kind": d.kind if d.kind in KINDS else "other",
        "Pages": d.pages,
        "Passages": d.chunks,
        "Uploaded": time.strftime("%Y-%m-%d %H:%M", time.localtime(d.uploaded)),
        "Status": {"ready": "Ready", "failed": "Failed", "indexing": "Indexing…"}.get(d.status, d.status),
        "Note": d.error or "",
    }
    for d in documents
]
edited = st.data_editor(
    table,
    hide_index=True,
    width="stretch",
    disabled=["Name", "Pages", "Passages", "Uploaded", "Status", "Note"],
    column_config={"Kind": st.column_config.SelectboxColumn("Kind", options=list(KINDS), required=True)},
    key=f"docs-{assistant.id}",
)
for doc, row in zip(documents, edited):
    if row["Kind"] != doc.kind and doc.status == "ready":
        with friendly_errors("change the kind"):
            set_kind(store, doc.doc_id, row["Kind"])
            st.toast(f"{doc.file} is now tagged “{row['Kind']}”.")

names = {d.doc_id: d.file for d in documents}
chosen = st.selectbox("Pick a document", list(names), format_func=names.get, key="doc_pick")
doc = store.catalog.get(chosen)
left, middle, right = st.columns(3)
if doc.original_path and Path(doc.original_path).exists():
    left.download_button(
        "Download original", data=lambda: Path(doc.original_path).read_bytes(), file_name=Path(doc.file).name,
        icon=":material/download:", on_click="ignore", width="stretch",
    )
if middle.button("Re-index", icon=":material/refresh:", width="stretch"):
    with st.spinner(f"Re-indexing {doc.file}…"), friendly_errors("re-index the document"):
        result = reindex(store, doc.doc_id, assistant.chunking)
        st.toast(f"{STATUS_LABEL[result.status]}: {doc.file}" + (f" — {result.error}" if result.error else ""))
        st.rerun()
if right.button("Delete", icon=":material/delete:", width="stretch"):
    with friendly_errors("delete the document"):
        delete_document(store, doc.doc_id)
        st.toast(f"Deleted {doc.file}.")
        st.rerun()

# chunk preview
with st.expander("How this document was split into passages"):
    if doc.status != "ready":
        st.caption("Nothing to show: this document is not indexed.")
    else:
        current = ChunkSettings(**doc.chunk_settings) if doc.settings else assistant.chunking
        c1, c2, c3 = st.columns(3)
        strategy = c1.selectbox("Strategy", STRATEGIES, index=STRATEGIES.index(current.strategy), key="pv-strategy")
        size = c2.number_input("Size (tokens)", 32, 1024, current.size, step=32, key="pv-size")
        overlap = c3.number_input("Overlap (tokens)", 0, 256, current.overlap, step=8, key="pv-overlap")
        trial = ChunkSettings(strategy, int(size), int(overlap))
        stored = store.index.chunks_of(assistant.id, doc.doc_id)
        if trial == current:
            pieces = [(h.text, h.page, h.section) for h in stored]
            st.caption(f"Current setting: {len(pieces)} passages.")
        else:
            with friendly_errors("preview the new setting"):
                parsed = parse_file(Path(doc.original_path), display_name=doc.file)
                pieces = [(p.text, p.pages[0] if p.pages else None, " > ".join(p.heading_path)) for p in split(parsed, trial)]
                st.caption(f"With this setting: {len(pieces)} passages (now {len(stored)}).")
                if st.button("Apply this setting to this document", type="primary"):
                    with st.spinner("Re-indexing…"):
                        reindex(store, doc.doc_id, trial)
                    st.rerun()
        for n, (text, page, section) in enumerate(pieces[:50], 1):
            with st.container(border=True):
                st.caption(f"Passage {n} · {location('', page, section).lstrip(' ·')}")
                st.text(text)
        if len(pieces) > 50:
            st.caption(f"…and {len(pieces) - 50} more.")

# retrieval test
st.subheader("Test a search")
query = st.text_input("What would be pulled for this question?", placeholder="e.g. How fast was onboarding for Northwind?")
if query:
    with friendly_errors("search"):
        result = retrieve(store, query, assistant.id, assistant.retrieval.with_(threshold=-1.0))
        threshold = assistant.retrieval.threshold
        if not result.hits:
            st.caption("Nothing found.")
        for n, hit in enumerate(result.hits, 1):
            relevant = (hit.similarity or 0) >= threshold
            with st.container(border=True):
                st.caption(
                    f"[{n}] {location(hit.file, hit.page, hit.section)} · relevance {hit.similarity:.0%}"
                    + ("" if relevant else " · below the relevance threshold: would not be used")
                )
                st.text(hit.text[:1500])
