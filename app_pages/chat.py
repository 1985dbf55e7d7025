"""Chat: ask the assistant; answers stream in with their sources and a grounding check."""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from app_pages._common import (
    assistant_settings,
    current_assistant,
    current_user,
    friendly_errors,
    store_or_stop,
)
from app_pages._page_view import view_page_button
from rag.errors import NotFound
from rag.present import (
    SOURCE_DELETED,
    SOURCE_DELETED_NOTE,
    escape_markdown,
    highlighted_markdown,
    location,
    passage_markdown,
    plural,
    safe_answer_markdown,
)
from rag.types import Answer
from rag.workspace.access import can_manage
from rag.workspace.asking import AskOptions, Turn, ask_stream
from rag.workspace.chats import (
    add_message,
    answer_markdown,
    chat_markdown,
    delete_chat,
    feedback_for,
    load_chat,
    new_chat,
    record_feedback,
)
from rag.workspace.documents import document as readable_document
from rag.workspace.documents import ready_count
from rag.workspace.jobs import queue_progress, still_indexing_notice
from rag.workspace.models import WEAK_MODEL_AHEAD, resolve_model
from rag.workspace.quality import check_from_chat

store = store_or_stop()
user = current_user(store)
assistant = current_assistant(store)
settings = assistant_settings(store, assistant)
ready_docs = ready_count(store, assistant.id, user)  # counted, not listed: this runs twice per question

st.title(escape_markdown(assistant.name))
if assistant.description:
    st.caption(escape_markdown(assistant.description))
chat = load_chat(store.catalog, st.session_state["chat_id"], assistant.id, user=user) if st.session_state.get("chat_id") else None

model = assistant.model or resolve_model(settings)
if not ready_docs and queue_progress(store, assistant.id, user).busy:
    st.info("This assistant's documents are being indexed. You can ask as soon as the first one is ready "
            "(the sidebar shows how far along it is).", icon=":material/sync:")
elif not ready_docs:
    st.info(
        "This assistant has no documents yet. Add your case studies, help-center pages or launch notes first; "
        "it answers only from them.",
        icon=":material/upload_file:",
    )
    st.page_link("app_pages/knowledge.py", label="Add documents", icon=":material/arrow_forward:")
elif model == "local":
    st.caption(f":material/info: {WEAK_MODEL_AHEAD}")


def _download(path: str):
    return lambda: Path(path).read_bytes()


def render_sources(answer: Answer, key: str) -> None:
    by_chunk = {h.chunk_id: h for h in answer.hits}
    claims: dict[int, list[str]] = {}
    for s in answer.sentences:
        for n in s.citations:
            claims.setdefault(n, []).append(s.text)
    for c in answer.citations:
        hit = by_chunk.get(c.chunk_id)
        relevance = f" · relevance {hit.similarity:.0%}" if hit and hit.similarity is not None else ""
        pages = hit.pages if hit and len(hit.pages) > 1 else c.page
        if c.source_deleted:  # removed since: the saved answer keeps its text, the passage went with its document
            with st.expander(f"[{c.n}] {escape_markdown(c.title or c.file)} · {SOURCE_DELETED}"):
                st.caption(f":material/delete: {SOURCE_DELETED_NOTE}")
            continue
        with st.expander(f"[{c.n}] {escape_markdown(location(c.title or c.file, pages, c.section))}{relevance}"):
            if c.url:  # the live page it was read from: shown as an address to copy, never a link (README, No live links)
                st.caption(f"Live page: {escape_markdown(c.url)}")
            elif c.title and c.title != c.file:
                st.caption(escape_markdown(c.file))  # where it came from, under the name people know it by
            if any(line.lstrip().startswith("|") for line in c.quote.splitlines()):
                st.markdown(passage_markdown(c.quote))  # a table: drawn as a table
            else:
                st.markdown(highlighted_markdown(c.quote, " ".join(claims.get(c.n, []))))
            try:  # the same access check as every other way to a document
                row = readable_document(store, c.doc_id, user, assistant_id=assistant.id)
            except NotFound:
                row = None
                st.caption(f":material/delete: {SOURCE_DELETED_NOTE}")
            if row and row.original_path and Path(row.original_path).exists():
                st.download_button(
                    f"Download {escape_markdown(Path(row.file).name)}" + (f" (see page {c.page})" if c.page else ""),
                    data=_download(row.original_path),
                    file_name=Path(row.file).name,
                    key=f"dl-{key}-{c.n}",
                    icon=":material/download:",
                    on_click="ignore",
                )
            if row:
                view_page_button(store, user, c, f"{key}-{c.n}", assistant_id=assistant.id,
                                 chunk_index=hit.chunk_index if hit else None)


def render_check(answer: Answer) -> None:
    """Two separate labels: does it answer the question, and is each sentence backed by its source."""
    if answer.refused or not answer.sentences:
        return
    if answer.answers_question is False:
        st.caption(f":material/help: Doesn't answer the question: {escape_markdown(answer.answers_reason)}")
    elif answer.answers_question:
        st.caption(f":material/task_alt: Answers the question: {escape_markdown(answer.answers_reason)}")
    flagged = [s for s in answer.sentences if s.support != "supported"]
    share = f"{answer.grounded_fraction:.0%}"
    if not flagged:
        st.caption(f":material/verified: Supported: {share} — every sentence is backed by the passage it cites.")
        return
    st.caption(f":material/warning: Supported: {share} — {len(flagged)} sentence(s) are not fully backed by the sources.")
    with st.expander("Which sentences to check"):
        for s in flagged:
            label = "Not supported" if s.support == "unsupported" else "Weakly supported"
            reasons = f" — {escape_markdown('; '.join(s.reasons))}" if s.reasons else ""
            colour = "red" if s.support == "unsupported" else "orange"
            st.markdown(f":{colour}-background[{label}]: {escape_markdown(s.text)}{reasons}")


def render_answer(answer: Answer, question: str, key: str) -> None:
    if answer.refused:
        st.warning(safe_answer_markdown(answer.answer), icon=":material/search_off:")
    else:
        st.markdown(safe_answer_markdown(answer.answer))
    notices = [n for n in answer.notices if n.code not in ("not_answered", "searched_for")]
    fell_back = {"model_unavailable", "model_failed", "model_empty"}
    if any(n.code in fell_back for n in notices):  # that notice already says quotes are shown
        notices = [n for n in notices if n.code != "quoted"]
    if searched := answer.notice("searched_for"):
        st.caption(f":material/search: {escape_markdown(searched.text)}")
    for notice in notices:
        st.caption(f":material/info: {escape_markdown(notice.text)}")
    render_check(answer)
    render_sources(answer, key)
    st.download_button(
        "Export answer", answer_markdown(question, answer), file_name="answer.md", key=f"exp-{key}",
        icon=":material/ios_share:", on_click="ignore", type="tertiary",
    )


def render_feedback(chat, message) -> None:
    existing = feedback_for(store.catalog, message.msg_id, chat=chat, user=user)
    rating = st.feedback("thumbs", key=f"fb-{message.msg_id}")
    if rating is not None and (existing is None or (existing["rating"] > 0) != bool(rating)):
        record_feedback(store.catalog, chat.chat_id, assistant.id, user, message.msg_id, 1 if rating else -1)
        existing = feedback_for(store.catalog, message.msg_id, chat=chat, user=user)
    if existing and existing["rating"] > 0 and can_manage(assistant, user):
        # a right answer becomes an answer check in one click (the Checks page runs it after every change)
        if st.button("Make this a check", icon=":material/fact_check:", key=f"fbk-{message.msg_id}", type="tertiary",
                     help="Checks re-ask this question after every settings change and say if the answer got worse."):
            with friendly_errors("make a check of this answer"):
                made = check_from_chat(store, assistant.id, chat.chat_id, message.msg_id, user=user)
                st.toast(f"Check added: it must state {escape_markdown('; '.join(made.facts))}.", icon=":material/fact_check:")
    if existing:
        with st.popover("Add a comment", icon=":material/comment:", key=f"fbp-{message.msg_id}"):
            comment = st.text_area("What was right or wrong?", value=existing.get("comment") or "", key=f"fbc-{message.msg_id}")
            if st.button("Save comment", key=f"fbs-{message.msg_id}"):
                record_feedback(store.catalog, chat.chat_id, assistant.id, user, message.msg_id, existing["rating"], comment)
                st.toast("Thanks, your feedback was saved.")


# history
question_for_answer = ""
if chat:
    for message in chat.messages:
        with st.chat_message(message.role):
            if message.role == "user":
                question_for_answer = message.content
                st.markdown(escape_markdown(message.content))
            elif message.answer:
                render_answer(message.answer, question_for_answer, message.msg_id)
                render_feedback(chat, message)
    if chat.messages:
        e1, e2, _ = st.columns([1, 1, 3])
        e1.download_button(
            "Export chat", chat_markdown(chat), file_name="chat.md", icon=":material/download:", on_click="ignore",
            width="stretch",
        )
        if e2.button("Delete chat", icon=":material/delete:", width="stretch", key=f"delete-chat-{chat.chat_id}"):
            with friendly_errors("delete the chat"):
                delete_chat(store.catalog, chat.chat_id, assistant.id, user=user)
                st.session_state.pop("chat_id", None)
                st.session_state["flash"] = "Chat deleted."
                st.rerun()

starter = None
if (not chat or not chat.messages) and ready_docs:
    st.markdown(
        f"Ask anything about your {plural(ready_docs, 'document')}. "
        "Every answer lists its sources, so you can check each claim."
    )
if (not chat or not chat.messages) and ready_docs and assistant.starters:
    st.caption("Try asking")
    for text in assistant.starters[:4]:
        if st.button(escape_markdown(text), key=f"starter-{text}", icon=":material/arrow_forward:"):
            starter = text

question = st.chat_input("Ask about your documents", disabled=not ready_docs) or starter
if question:
    with friendly_errors("answer your question"):
        if chat is None:
            chat = new_chat(store.catalog, assistant.id, user=user)
            st.session_state["chat_id"] = chat.chat_id
        history = tuple(
            Turn(q.content, a.content, a.answer.searched if a.answer else "")
            for q, a in zip(chat.messages[::2], chat.messages[1::2])
            if q.role == "user" and a.role == "assistant"
        )
        add_message(store.catalog, chat, "user", question)
        with st.chat_message("user"):
            st.markdown(escape_markdown(question))
        with st.chat_message("assistant"):
            status = st.status("Searching your documents…")
            result: dict = {}

            streamed = st.empty()
            so_far, shown_at = "", 0.0
            for event in ask_stream(
                store,
                question,
                assistant.id,
                AskOptions(model=assistant.model, retrieval=assistant.retrieval, instructions=assistant.instructions, history=history),
                settings=settings,
                user=user,
            ):
                if event.kind == "status":
                    status.update(label=escape_markdown(event.text))
                elif event.kind == "token":
                    # The whole text so far, escaped as one: an address or a link split across tokens
                    # can't come together live in the page (escaping each token alone would let it).
                    so_far += event.text
                    if time.monotonic() - shown_at > 0.1:
                        streamed.markdown(escape_markdown(so_far))
                        shown_at = time.monotonic()
                else:
                    result["answer"] = event.answer
            status.update(label="Done", state="complete")
            answer = result["answer"]
            # answers use what is indexed so far; say so when some of the assistant's documents are still queued
            if still_indexing := still_indexing_notice(store, assistant.id, user, question):
                answer.notices.append(still_indexing)
            add_message(store.catalog, chat, "assistant", answer.answer, answer)
        st.rerun()
