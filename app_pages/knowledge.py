"""Knowledge: upload documents and watch them being indexed, see and fix what is indexed, preview passages, test retrieval."""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from app_pages._common import (
    current_assistant,
    current_user,
    friendly_errors,
    store_or_stop,
)
from app_pages._page_view import view_page_button
from app_pages._sources import render_sources
from rag.errors import NotFound
from rag.present import (
    CHUNK_LABELS,
    JOB_LABELS,
    RESULT_LABELS,
    STATUS_LABELS,
    duration_words,
    location,
    markdown_table,
    passage_markdown,
    plural,
    queue_table,
    reading_notices,
    reading_summary,
)
from rag.present import escape_markdown as md
from rag.types import ChunkSettings, SearchFilter
from rag.workspace import documents as docs
from rag.workspace import jobs
from rag.workspace.access import can_manage
from rag.workspace.asking import retrieve
from rag.workspace.choices import KINDS, STRATEGIES
from rag.workspace.quality import delete_and_check, forget_results
from rag.workspace.runtime import wake_indexer

FORGET_REASONS = {"deleted": "deleted", "page gone": "gone from its site", "member removed": "not in the ZIP any more",
                  "new version": "old version replaced"}

store = store_or_stop()
user = current_user(store)
assistant = current_assistant(store)
# Only the owner changes what an assistant knows; people it is shared with can read and search.
# Controls a user may not use are never drawn, so no request can trigger them.
manager = can_manage(assistant, user)
st.title("Knowledge")
st.caption(f"The documents **{md(assistant.name)}** answers from. Other assistants can't see them.")
gap = st.session_state.get("knowledge-gap")  # from the Knowledge gaps page's "Add a document for this"
if gap and gap["assistant"] == assistant.id:
    with st.container(border=True):
        st.markdown(f":material/help_center: **Add a document about “{md(gap['topic'])}”**")
        st.caption(f"People asked questions like “{md(gap['example'])}” that the documents couldn't answer. "
                   "Upload a document that answers them below; they'll be answered from it once it is indexed.")
        if st.button("Done", key="knowledge-gap-done", icon=":material/check:", type="tertiary"):
            st.session_state.pop("knowledge-gap", None)
            st.rerun()
if not manager:
    if assistant.owner:
        st.info(f"{md(assistant.owner)} shares this assistant with you: you can read and search its documents, "
                "but only they can add, change or remove them.", icon=":material/group:")
    else:  # nobody owns it (the command line made it): the admins look after it
        st.info("You can read and search this assistant's documents; only an admin (whoever runs Grounded) "
                "can add, change or remove them.", icon=":material/group:")

TYPES_HELP = (
    "PDF, Word, PowerPoint, Excel, CSV, HTML, Markdown, text and e-mail (.eml) files, "
    "or a ZIP of them (a help-center export, say)."
)
MAX_MB = store.settings.limits.max_file_mb

# upload
submitted, uploads = False, []
if manager:
    with st.form("upload", clear_on_submit=True, border=True):
        uploads = st.file_uploader("Add documents", accept_multiple_files=True)
        st.caption(f"{TYPES_HELP} Up to {MAX_MB} MB each; pick as many as you like.")
        submitted = st.form_submit_button("Upload and index", type="primary", icon=":material/upload:")
if submitted and not uploads:
    st.warning("Choose one or more files first (click **Upload** or drop them on the box).")
if submitted and uploads:
    with friendly_errors("add your files"):
        # stored and queued before this returns: from here on, nothing handed over can be lost
        queued = jobs.queue_uploads(store, ((u.name, u.getvalue()) for u in uploads), assistant.id, user)
        wake_indexer(store)
        waiting = sum(j.active for j in queued)
        st.toast(f"{plural(waiting, 'document')} queued for indexing. You can leave this page: indexing goes on."
                 if waiting else "Nothing to index in those files (see why below).", icon=":material/schedule:")


def _summary(finished: list) -> None:
    """What became of the listed documents, once none is left to do."""
    counts = {s: sum(j.status == s for j in finished) for s in JOB_LABELS}
    problems = counts["failed"] + counts["skipped"] + counts["held"]
    parts = [f"{counts['indexed']} indexed"]
    if counts["unchanged"]:
        parts.append(f"{counts['unchanged']} already up to date")
    if problems:
        parts.append(f"{problems} not indexed (see why above)")
    if counts["cancelled"]:
        parts.append(f"{counts['cancelled']} cancelled")
    summary = ", ".join(parts) + "."
    if problems:
        st.warning(summary, icon=":material/warning:")
    else:
        st.success(summary + " You can ask about them on the Chat page.", icon=":material/check_circle:")


PROBLEMS_SHOWN = 10


DOCUMENTS_REDRAWN_EVERY = 15.0  # seconds: while a long queue runs, the whole page is redrawn at most this often


def _drawn_key() -> str:
    return f"documents-drawn-{assistant.id}"


def _documents_table_behind(done: int) -> bool:
    """True when documents finished since the page (its documents table) was last drawn in full: the first one at
    once (it can be asked about now), later ones at most every DOCUMENTS_REDRAWN_EVERY seconds."""
    drawn_done, drawn_at = st.session_state.get(_drawn_key(), (done, time.monotonic()))
    return done > drawn_done and (drawn_done == 0 or time.monotonic() - drawn_at >= DOCUMENTS_REDRAWN_EVERY)


def _queue_panel() -> None:
    """The indexing queue of this assistant, live: a bar with the time left, each document's status, cancel and dismiss."""
    view = jobs.queue_view(store, assistant.id, user)
    progress = view.progress
    busy_key = f"queue-busy-{assistant.id}"
    was_busy, st.session_state[busy_key] = st.session_state.get(busy_key, False), progress.busy
    if was_busy and not progress.busy:
        st.rerun()  # the queue just finished: redraw the whole page, documents table included
    if progress.busy and _documents_table_behind(progress.done):
        st.rerun()  # documents finished since the table below was drawn: it must not still say "Indexing…"
    if not view.jobs:
        return
    st.subheader("Indexing" if progress.busy else "Just added")
    if progress.busy:
        left = (f" · {duration_words(progress.seconds_left)} left" if progress.seconds_left is not None
                else " · time left known after the first document")
        st.progress(progress.done / progress.total, text=f"Indexing {min(progress.done + 1, progress.total)} of {progress.total}{left}")
        st.caption("You can leave this page or close the tab: indexing goes on, and each document can be asked about "
                   "as soon as it is done.")
    if view.problems:  # above the table, not below its fold
        shown = view.problems[:PROBLEMS_SHOWN]
        more = len(view.problems) - len(shown)
        st.warning(f"{plural(len(view.problems), 'document')} not indexed:\n\n"
                   + "\n".join(f"- **{md(j.name)}**: {md(j.error or JOB_LABELS[j.status])}" for j in shown)
                   + (f"\n- …and {more} more (see the table)" if more else ""), icon=":material/warning:")
    rows, more = queue_table(view.jobs)
    st.markdown(markdown_table(rows))
    if more:
        st.caption(more)
    left_col, right_col = st.columns(2)
    if view.waiting:
        with left_col.popover("Cancel…", icon=":material/cancel:", width="stretch"):
            names = {j.job_id: j.name for j in view.waiting}
            chosen = st.multiselect("Documents not to index", list(names), format_func=names.get, key=f"cancel-{assistant.id}")
            if st.button("Cancel these", disabled=not chosen, key=f"cancel-some-{assistant.id}"):
                _cancel(chosen)
            if st.button(f"Cancel all {len(names)} waiting", key=f"cancel-all-{assistant.id}"):
                _cancel(list(names))
    if view.finished and right_col.button("Dismiss finished", icon=":material/done_all:", width="stretch",
                                         key=f"dismiss-{assistant.id}", help="Stop listing the documents that are done."):
        with friendly_errors("dismiss the finished documents"):
            jobs.dismiss(store, assistant.id, user)
            st.rerun()
    if not progress.busy:
        _summary(view.finished)


def _cancel(job_ids: list[int]) -> None:
    with friendly_errors("cancel"):
        done = jobs.cancel(store, assistant.id, job_ids, user)
        st.toast(f"Cancelled {plural(len(done), 'document')}." if done else "Those had already started.")
        st.rerun()


if manager:
    # refreshed on its own while documents are indexed; slowly otherwise, to notice files queued elsewhere
    drawn = jobs.queue_progress(store, assistant.id, user)
    st.session_state[_drawn_key()] = (drawn.done, time.monotonic())
    st.fragment(_queue_panel, run_every=2.0 if drawn.busy else 10.0)()
else:
    coming = jobs.queue_progress(store, assistant.id, user)
    if coming.busy:
        st.caption(f":material/sync: Indexing {min(coming.done + 1, coming.total)} of {coming.total} documents the owner added.")

# websites and help centers kept in sync
render_sources(store, assistant, user)

# provable forgetting: what was removed, and the check that it no longer answers
if manager:
    if forgotten := st.session_state.pop("forget-result", None):
        (st.success if forgotten["passed"] else st.error)(
            md(f"{forgotten['file']}: {forgotten['summary']}"),
            icon=":material/verified:" if forgotten["passed"] else ":material/report:")
    removed = []
    with friendly_errors("check that removed documents are forgotten"):
        removed = forget_results(store, assistant.id, user=user, limit=10)
    if removed:
        with st.expander(f"Removed documents ({len(removed)}): proof they are forgotten", icon=":material/delete_sweep:"):
            st.caption("After a document is deleted, replaced by a new version, or gone from a synced site or a ZIP "
                       "uploaded again, its headline questions are asked again: no answer may cite it or state a figure "
                       "only it had.")
            for r in removed:
                why = FORGET_REASONS.get(r.reason, r.reason)
                if r.result is None:
                    st.caption(f":material/hourglass_empty: {md(r.file)} ({why}): check waiting.")
                    continue
                icon = ":material/verified:" if r.result.passed else ":material/report:"
                st.markdown(f"{icon} **{md(r.file)}** ({why}): {md(r.result.summary())}")
                for p in r.result.probes:
                    if not p.passed:
                        st.caption(f"“{md(p.question)}” — cites {md(', '.join(p.cited) or 'nothing')}"
                                   + (f"; states {md(', '.join(p.stated))}" if p.stated else ""))

# documents
documents = docs.documents(store, assistant.id, user)
if not documents:
    if jobs.queue_progress(store, assistant.id, user).busy:
        st.info("Your documents are being indexed; they are listed here as each one is ready.", icon=":material/sync:")
    else:
        st.info(
            "No documents yet. Add your case studies, help-center export (ZIP), launch notes or posts above; "
            "the assistant answers only from what you add here.",
            icon=":material/upload_file:",
        )
    st.stop()

st.subheader(f"Documents ({len(documents)})")
st.caption("Tag each document with its kind (double-click a cell in the **Kind** column) to tell them apart in searches.")
has_problems = any(d.error for d in documents)
has_ocr = any(reading_summary(d) for d in documents)
table = [
    {
        "Name": d.title or d.file,
        "File": d.file,
        "Kind": d.kind if d.kind in KINDS else "other",
        "Pages": str(d.pages) if d.pages else "—",
        "Passages": d.chunks,
        "Uploaded": time.strftime("%d %b %Y, %H:%M", time.localtime(d.uploaded)),
        "Status": STATUS_LABELS.get(d.status, d.status),
        **({"Read by OCR": reading_summary(d)} if has_ocr else {}),
        **({"Problem": d.error or ""} if has_problems else {}),
    }
    for d in documents
]
edited = st.data_editor(
    table,
    hide_index=True,
    width="stretch",
    disabled=["Name", "File", "Pages", "Passages", "Uploaded", "Status", "Read by OCR", "Problem"] + ([] if manager else ["Kind"]),
    column_config={
        "Name": st.column_config.TextColumn("Name", width="medium", help="The document's title"),
        "File": st.column_config.TextColumn("File", width="medium", help="Where it came from"),
        "Kind": st.column_config.SelectboxColumn("Kind", options=list(KINDS), required=True, width="medium"),
        "Passages": st.column_config.NumberColumn("Passages", help="The pieces the document was split into for searching."),
        "Read by OCR": st.column_config.TextColumn(
            "Read by OCR", help="Pages read from a scan or picture, and OCR's lowest confidence: check their wording on the page."),
        "Problem": st.column_config.TextColumn("Problem", width="large"),
    },
    key=f"docs-{assistant.id}",
)
for doc, shown, row in zip(documents, table, edited):
    if manager and row["Kind"] != shown["Kind"]:
        with friendly_errors("change the kind"):
            docs.set_kind(store, doc.doc_id, row["Kind"], user)
            st.toast(f"{md(doc.file)} is now tagged “{row['Kind']}”.")

names = {d.doc_id: f"{d.title} ({d.file})" if d.title and d.title != d.file else d.file for d in documents}
chosen = st.selectbox(
    "Document", list(names), format_func=names.get, key=f"doc-pick-{assistant.id}",
    help="Pick a document to download, re-index, delete or see how it was split.",
)
try:
    doc = docs.document(store, chosen, user, assistant_id=assistant.id)
except NotFound:  # deleted in another tab
    st.rerun()
for notice in reading_notices(doc):
    icon = ":material/document_scanner:" if notice.code == "read_by_ocr" else ":material/warning:"
    (st.info if notice.code == "read_by_ocr" else st.warning)(md(notice.text), icon=icon)
left, middle, right = st.columns(3)
if doc.original_path and Path(doc.original_path).exists():
    left.download_button(
        "Download original", data=lambda path=doc.original_path: Path(path).read_bytes(), file_name=Path(doc.file).name,
        icon=":material/download:", on_click="ignore", width="stretch",
    )
else:
    left.button("Download original", icon=":material/download:", width="stretch", disabled=True,
                help="The original file is not available; upload it again.")
if manager and middle.button(
    "Re-index", icon=":material/refresh:", width="stretch",
    help="Read the file again and split it with this assistant's current settings.",
):
    with st.spinner(f"Re-indexing {md(doc.file)}…"), friendly_errors("re-index the document"):
        result = docs.reindex(store, doc.doc_id, user, assistant.chunking)
        st.session_state["flash"] = f"{RESULT_LABELS[result.status]}: {md(doc.file)}" + (
            f" — {md(result.error)}" if result.error else f" — {plural(result.chunks, 'passage')}"
        )
        st.rerun()
if manager:
    with right.popover("Delete", icon=":material/delete:", width="stretch", key=f"delete-pop-{doc.doc_id}"):
        st.markdown(f"Delete **{md(doc.file)}**? The assistant will no longer answer from it.")
        if st.button("Delete for good", type="primary", key=f"delete-{doc.doc_id}"):
            with friendly_errors("delete the document"), st.spinner("Deleting, then checking it is forgotten…"):
                forgotten = delete_and_check(store, doc.doc_id, user=user)
                st.session_state["flash"] = f"Deleted {md(doc.file)}."
                st.session_state["forget-result"] = forgotten.as_dict()
                st.rerun()


def _passages(pieces, limit: int) -> None:
    for n, (text, pages, section) in enumerate(pieces[:limit], 1):
        with st.container(border=True):
            where = location("", pages, section)
            st.caption(f"Passage {n}" + (f" · {md(where)}" if where else ""))
            st.markdown(passage_markdown(text))
    if len(pieces) > limit:
        st.caption(f"…and {len(pieces) - limit} more.")


# chunk preview and compare
with st.expander("How this document was split into passages", icon=":material/view_agenda:"):
    if doc.status != "ready":
        st.caption("Nothing to show: this document is not indexed." + (f" {md(doc.error)}" if doc.error else ""))
    else:
        current = ChunkSettings(**doc.chunk_settings) if doc.settings else assistant.chunking
        st.caption(
            "Answers are built from these passages. Try another setting to compare before applying it "
            "(a token is about ¾ of a word)."
        )
        c1, c2, c3 = st.columns(3)
        strategy = c1.selectbox(
            "Split", STRATEGIES, index=STRATEGIES.index(current.strategy), format_func=CHUNK_LABELS.get,
            key=f"pv-strategy-{doc.doc_id}",
        )
        size = c2.number_input("Passage size (tokens)", 32, 1024, current.size, step=32, key=f"pv-size-{doc.doc_id}")
        overlap = c3.number_input(
            "Overlap (tokens)", 0, 256, current.overlap, step=8, key=f"pv-overlap-{doc.doc_id}",
            help="How much of the end of one passage is repeated at the start of the next.",
        )
        trial = ChunkSettings(strategy, int(size), int(overlap))
        stored = [(h.text, h.pages or h.page, h.section) for h in docs.passages(store, doc.doc_id, user)]
        if trial == current:
            st.markdown(f"**Now: {plural(len(stored), 'passage')}**")
            _passages(stored, 50)
        elif trial.overlap >= trial.size:
            st.warning("The overlap must be smaller than the passage size.", icon=":material/warning:")
        else:
            with friendly_errors("preview the new setting"):
                pieces = [(c.text, c.pages, c.section) for c in docs.preview(store, doc.doc_id, trial, user)]
                if manager and st.button("Use this setting for this document", type="primary", icon=":material/check:"):
                    with st.spinner(f"Re-indexing {md(doc.file)}…"):
                        result = docs.reindex(store, doc.doc_id, user, trial)
                    st.session_state["flash"] = f"{RESULT_LABELS[result.status]}: {md(doc.file)} — " + md(
                        result.error or plural(result.chunks, "passage")
                    )
                    st.rerun()
                now, new = st.columns(2)
                with now:
                    st.markdown(f"**Now: {plural(len(stored), 'passage')}**")
                    _passages(stored, 30)
                with new:
                    st.markdown(f"**With the new setting: {plural(len(pieces), 'passage')}**")
                    _passages(pieces, 30)

# retrieval test
st.subheader("Test a search")
st.caption("See which passages would be used to answer a question, and how relevant each is, without writing an answer.")
q1, q2 = st.columns([3, 1])
query = q1.text_input(
    "Question", placeholder="e.g. How fast was onboarding for Northwind?", key=f"search-{assistant.id}",
)
kinds = q2.multiselect("Only these kinds", KINDS, key=f"search-kinds-{assistant.id}", placeholder="All kinds")
if query:
    with friendly_errors("search"):
        settings = assistant.retrieval.with_(threshold=-1.0, where=SearchFilter(kinds=tuple(kinds)))
        result = retrieve(store, query, assistant.id, settings, user=user)
        titles = {d.doc_id: d.title for d in documents}
        threshold = assistant.retrieval.threshold
        if not result.hits:
            st.info("Nothing found. Check the spelling, or add documents that cover this.", icon=":material/search_off:")
        used = sum((h.similarity or 0) >= threshold for h in result.hits)
        if result.hits:
            st.caption(
                f"{plural(len(result.hits), 'passage')} found, in the order the search ranks them; {used} "
                f"reach the minimum relevance ({threshold:.0%}, set in Settings) and would be used for an answer. "
                "Relevance is how close in meaning a passage is to the question."
            )
        for n, hit in enumerate(result.hits, 1):
            relevance = hit.similarity if hit.similarity is not None else 0.0
            relevant = relevance >= threshold
            with st.container(border=True):
                st.caption(
                    f"[{n}] {md(location(titles.get(hit.doc_id) or hit.file, hit.pages or hit.page, hit.section))}"
                    f" · relevance {relevance:.0%}"
                    + ("" if relevant else " · below the minimum relevance: would not be used")
                )
                st.markdown(passage_markdown(hit.text[:1500]))
                view_page_button(store, user, hit, f"search-{n}-{hit.chunk_id}", assistant_id=assistant.id,
                                 chunk_index=hit.chunk_index)
