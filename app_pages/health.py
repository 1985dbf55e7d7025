"""Health: what in the knowledge base makes answers messy, each with a one-click fix."""

from __future__ import annotations

import streamlit as st

from app_pages._common import (
    current_assistant,
    current_user,
    friendly_errors,
    managed_by,
    store_or_stop,
)
from rag.present import escape_markdown as md
from rag.workspace.access import can_manage
from rag.workspace.health import CHECK_TITLES, Finding, apply_fix, check_health
from rag.workspace.models import broken, recent_setup_checks

store = store_or_stop()
user = current_user(store)
assistant = current_assistant(store)
manager = can_manage(assistant, user)  # fixes change documents: the owner's call only

st.title("Health")
st.caption(
    f"Garbage in, garbage out: duplicates, old versions, empty files and badly cut passages in "
    f"**{md(assistant.name)}**'s documents make its answers messy. Fix them here."
)
if flash := st.session_state.pop("health-flash", None):
    st.toast(md(flash), icon=":material/check_circle:")  # it names files



def _setup_panel() -> None:
    """Setup: each reader and model of this install, working or what to do; open by itself when something is broken."""
    fresh = st.session_state.pop("setup-fresh", False)
    checks = recent_setup_checks(store.settings, fresh=fresh)
    problems = broken(checks)
    if problems:
        st.error("This install is missing something, so some files can't be read (they wait, and are read once "
                 "it is fixed and the app restarted): " + " ".join(md(c.problem) for c in problems),
                 icon=":material/build:")
    with st.expander("Setup: readers and models" + (" (needs a fix)" if problems else ""), expanded=bool(problems),
                     icon=":material/build:"):
        for check in checks:
            mark = ":green[:material/check_circle:]" if check.ok else (
                ":gray[:material/info:]" if check.optional else ":red[:material/error:]")
            st.markdown(f"{mark} **{md(check.name)}**" + (f": {md(check.problem)}" if check.problem else ""))
        if st.button("Check again", icon=":material/refresh:", key="setup-check-again"):
            st.session_state["setup-fresh"] = True
            st.rerun()


_setup_panel()
report = None
with friendly_errors("check the knowledge base"):
    report = check_health(store, assistant.id, user)
if report is None:
    st.stop()

SEVERITY = {"high": ("red", "Fix first"), "medium": ("orange", "Worth fixing"), "low": ("gray", "Minor")}

c1, c2, c3 = st.columns(3)
c1.metric("Documents", report.documents)
c2.metric("Passages", report.chunks)
c3.metric("Problems found", len(report.findings))
if report.documents == 0:
    st.info("No documents yet. Add some on the Knowledge page, then come back here.", icon=":material/upload_file:")
elif not report.findings:
    st.success("No problems found. Your documents look clean.", icon=":material/verified:")
if report.findings and not manager:
    st.caption(f"Only {managed_by(assistant)} can apply the fixes.")
if report.questions:
    st.caption(f"Based on {report.questions} question(s) and draft(s) so far for the “never used” check.")


def _do(finding: Finding, n: int, fix, kind: str | None = None) -> None:
    with friendly_errors(fix.label.lower()):
        message = apply_fix(store, fix, user, kind)
        st.session_state["health-flash"] = message
        st.rerun()


for check, findings in report.by_check().items():
    st.subheader(f"{CHECK_TITLES[check]} ({len(findings)})", anchor=False)
    for i, finding in enumerate(findings):
        colour, label = SEVERITY[finding.severity]
        with st.container(border=True):
            st.markdown(f":{colour}-badge[{label}] **{md(finding.title)}**")
            st.caption(md(finding.detail))
            if not finding.fixes or not manager:
                continue
            cols = st.columns(min(len(finding.fixes), 3) + (1 if finding.fixes[0].action == "set_kind" else 0))
            for j, fix in enumerate(finding.fixes):
                key = f"fix-{check}-{i}-{j}-{fix.doc_id}"
                if fix.action == "set_kind":
                    kind = cols[0].selectbox("Kind", fix.args.get("choices", []), key=f"{key}-kind",
                                             label_visibility="collapsed", index=None, placeholder="Choose a kind")
                    if cols[1].button("Set kind", key=key, icon=":material/label:", disabled=kind is None):
                        _do(finding, i, fix, kind)
                else:
                    icon = ":material/delete:" if fix.action == "delete" else ":material/content_cut:"
                    if cols[j % len(cols)].button(md(fix.label), key=key, icon=icon):
                        _do(finding, i, fix)

if report.findings:
    st.button("Check again", icon=":material/refresh:", key="recheck")
