"""Knowledge: upload documents, see what is indexed, try a search."""

import streamlit as st

from pages._store import get_store
from rag.errors import GroundedError
from rag.ingest import ingest_bytes

st.title("Knowledge")
try:
    store = get_store()
except GroundedError as err:
    st.error(str(err))
    st.stop()

uploads = st.file_uploader("Add documents", accept_multiple_files=True)
if uploads and st.button("Index these files", type="primary"):
    for upload in uploads:
        with st.status(f"Reading {upload.name}…") as status:
            result = ingest_bytes(store, upload.name, upload.getvalue())
            label = {"indexed": "Indexed", "unchanged": "Already indexed", "skipped": "Skipped", "failed": "Could not index"}
            status.update(
                label=f"{label[result.status]}: {upload.name}" + (f" — {result.error}" if result.error else ""),
                state="error" if result.status == "failed" else "complete",
            )

documents = store.catalog.documents(store.settings.workspace)
if documents:
    st.dataframe(
        [{"File": d.file, "Status": d.status, "Pages": d.pages, "Chunks": d.chunks, "Note": d.error or ""} for d in documents],
        hide_index=True,
        use_container_width=True,
    )
else:
    st.info("No documents yet. Drop some files above to get started.")

query = st.text_input("Try a search", placeholder="What would be pulled for this question?")
if query:
    for n, hit in enumerate(store.search(query), 1):
        where = ", ".join(x for x in (hit.file, f"page {hit.page}" if hit.page else "", hit.section) if x)
        with st.container(border=True):
            st.markdown(f"**[{n}] {where}** · relevance {hit.score:.2f}")
            st.text(hit.text[:1200])
