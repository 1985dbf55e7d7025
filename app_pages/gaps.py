"""Knowledge gaps: what people asked that the assistant couldn't answer, grouped by topic, and what to do about it."""

from __future__ import annotations

import time

import streamlit as st

from app_pages._common import (
    current_assistant,
    current_user,
    friendly_errors,
    managed_by,
    store_or_stop,
)
from rag.present import escape_markdown as md
from rag.present import plural
from rag.workspace.access import can_manage
from rag.workspace.gaps import SCOPE_REPLY, WHY_LABELS, back_in_scope, gaps_csv, knowledge_gaps, mark_out_of_scope

store = store_or_stop()
user = current_user(store)
assistant = current_assistant(store)

st.title("Knowledge gaps")
st.caption(
    f"Questions people asked **{md(assistant.name)}** that it couldn't answer: its documents didn't cover them, "
    "the answer missed the point, or someone gave it a thumbs-down. Similar questions are grouped into topics."
)
if flash := st.session_state.pop("gaps-flash", None):
    st.toast(md(flash), icon=":material/check_circle:")

if not can_manage(assistant, user):  # the library checks this too: the list is never read for anyone else
    st.info(f"Only {managed_by(assistant)} can see the questions this assistant couldn't answer.",
            icon=":material/lock:")
    st.stop()

report = None
with friendly_errors("look for knowledge gaps"):
    report = knowledge_gaps(store, assistant.id, user=user)
if report is None:
    st.stop()


def _when(t: float) -> str:
    return time.strftime("%d %b %Y, %H:%M", time.localtime(t))


c1, c2, c3 = st.columns(3)
c1.metric("Topics to look at", len(report.gaps))
c2.metric("Unanswered questions", report.questions)
c3.metric("Out of scope", len(report.scopes))
if not report.gaps:
    st.success("No gaps right now: every question so far was answered, and none got a thumbs-down.",
               icon=":material/verified:")
else:
    st.download_button("Download as a spreadsheet (CSV)", gaps_csv(report), file_name="knowledge-gaps.csv",
                       mime="text/csv", icon=":material/download:", on_click="ignore")


def _add_document(topic: str, example: str) -> None:
    st.session_state["knowledge-gap"] = {"assistant": assistant.id, "topic": topic, "example": example}
    st.switch_page("app_pages/knowledge.py")


def _out_of_scope(key: str, reply: str, topic: str) -> None:
    with friendly_errors("mark the topic out of scope"):
        mark_out_of_scope(store, assistant.id, key, reply, user=user)
        st.session_state["gaps-flash"] = f"“{topic}” is out of scope now."
        st.rerun()


for n, gap in enumerate(report.gaps):
    with st.container(border=True):
        st.markdown(f"**{md(gap.topic)}**")
        why = ", ".join(f"{count} {WHY_LABELS[w]}" for w, count in gap.why.items())
        st.caption(f"Asked {plural(gap.count, 'time')} · last asked {_when(gap.last_asked)} · {md(why)}")
        st.markdown(f"For example: “{md(gap.example)}”")
        if gap.count > 1:
            with st.expander(f"All {gap.count} questions"):
                for q in reversed(gap.questions):
                    st.markdown(f"- {md(q.question)} :gray[({_when(q.asked)})]")
        left, right = st.columns(2)
        if left.button("Add a document for this", key=f"add-{gap.key}", icon=":material/upload_file:",
                       help="Opens the Knowledge page, where you can upload a document that answers these questions."):
            _add_document(gap.topic, gap.example)
        with right.popover("Mark as out of scope", icon=":material/block:"):
            st.caption("From now on, questions like these that the documents can't answer get a polite reply "
                       "saying they are outside what this assistant covers.")
            reply = st.text_area("Reply (optional)", key=f"reply-{gap.key}", placeholder=SCOPE_REPLY,
                                 max_chars=500)
            if st.button("Mark as out of scope", key=f"scope-{gap.key}", type="primary"):
                _out_of_scope(gap.key, reply, gap.topic)

if report.scopes:
    st.subheader("Out of scope", anchor=False)
    st.caption("Questions on these topics get a polite reply instead of “your documents don't cover this”.")
    asked = {g.scope_id: g.count for g in report.out_of_scope}
    for scope in report.scopes:
        with st.container(border=True):
            st.markdown(f"**{md(scope.topic)}**")
            st.caption(f"Reply: {md(scope.reply or SCOPE_REPLY)}")
            if asked.get(scope.scope_id):
                st.caption(f"{plural(asked[scope.scope_id], 'earlier question')} on this topic.")
            if st.button("Put back in scope", key=f"unscope-{scope.scope_id}", icon=":material/undo:"):
                with friendly_errors("put the topic back in scope"):
                    back_in_scope(store, assistant.id, scope.scope_id, user=user)
                    st.session_state["gaps-flash"] = f"“{scope.topic}” counts as a gap again."
                    st.rerun()
