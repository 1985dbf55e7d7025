"""Checks: questions the assistant must keep answering right, run after every change, with before and after."""

from __future__ import annotations

import streamlit as st

from app_pages._common import current_assistant, current_user, friendly_errors, managed_by, store_or_stop
from app_pages._page_view import view_page_button
from rag.present import escape_markdown as md
from rag.present import plural
from rag.types import Citation
from rag.workspace import quality as checks
from rag.workspace.access import can_manage
from rag.workspace.documents import documents

store = store_or_stop()
user = current_user(store)
assistant = current_assistant(store)
manager = can_manage(assistant, user)  # adding, editing and running checks: the assistant's managers

st.title("Checks")
st.caption(
    f"Questions **{md(assistant.name)}** must keep answering right, each with the facts a right answer states "
    "(a figure, a name, a date, a step). They run again by themselves after you change its settings or re-index it, "
    "and every night, so you see at once if an answer got worse."
)
if flash := st.session_state.pop("checks-flash", None):
    st.toast(md(flash), icon=":material/check_circle:")
if not manager:
    st.caption(f"Only {managed_by(assistant)} can add or run checks.")

SUGGESTIONS = f"checks-suggestions-{assistant.id}"


def _facts_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _document_choices() -> list[str]:
    return [""] + [row.file for row in documents(store, assistant.id, user) if row.status == "ready"]


def _waiting() -> None:
    """A run queued by a settings change or re-index, shown while it waits and runs; the page refreshes when it ends."""
    run = checks.waiting_run(store, assistant.id, user=user)
    key = f"checks-waiting-{assistant.id}"
    if run is None:
        if st.session_state.pop(key, None):
            st.rerun(scope="app")  # it just finished: show its results
        return
    st.session_state[key] = run.run_id
    why = f" after “{md(run.change)}”" if run.change else ""
    if run.status == "running":
        done, total = checks.run_progress(store, assistant.id, run.run_id, user=user)
        st.info(f"Running the checks{why}: {done} of {total} done…", icon=":material/hourglass_top:")
        st.progress(done / max(total, 1))
    else:
        st.info(f"The checks will run{why} as soon as indexing is done…", icon=":material/hourglass_top:")


def _result_card(result, n: int) -> None:
    mark = ":green[:material/check_circle:]" if result.passed else ":red[:material/cancel:]"
    with st.container(border=True):
        st.markdown(f"{mark} **{md(result.question)}**")
        if not result.passed:
            st.markdown(f":red[{md(result.why())}]")
        st.caption(" · ".join(
            (":green[" if f.found else ":red[") + ("✓ " if f.found else "✗ ") + md(f.fact) + "]" for f in result.facts)
            + (f" · {'cites' if result.source_ok else ':red[doesn’t cite]'} {md(result.source)}" if result.source else ""))
        with st.expander("The answer it gave"):
            st.markdown(md(result.answer) if result.answer else "_No answer._")
        if not result.passed and result.passage is not None:
            p = result.passage
            st.caption(f":material/location_on: The fact is in {md(p.title or p.file)}"
                       + (f", page {p.page}" if p.page else "") + f": “{md(p.quote)}”")
            citation = Citation(1, p.doc_id, p.file, p.page, p.section, p.quote, 0.0, chunk_id=p.chunk_id,
                                pages=list(p.pages), title=p.title)
            view_page_button(store, user, citation, f"check-{n}-{result.check_id}", assistant_id=assistant.id)


def _results_tab() -> None:
    if manager and st.button("Run checks now", type="primary", icon=":material/play_arrow:", key="run-checks"):
        with st.status("Running the checks…", expanded=True) as status, friendly_errors("run the checks"):
            bar = st.progress(0.0)

            def progress(done: int, total: int, question: str) -> None:
                bar.progress(done / max(total, 1), text=f"{done} of {total}" + (f": {question}" if question else ""))

            report = checks.run_checks(store, assistant.id, user=user, on_progress=progress)
            status.update(label=f"Done: {report.summary()}", state="complete", expanded=False)
    report = checks.run_report(store, assistant.id, user=user)
    if report is None:
        st.info("No run yet. Add checks (or accept suggested ones), then run them.", icon=":material/fact_check:")
        return
    run = report.run
    c1, c2 = st.columns(2)
    gained = (run.passed or 0) - report.comparison.before_passed if report.comparison else 0
    c1.metric("Passing", f"{run.passed} of {run.total}", delta=gained or None)
    c2.metric("Last run", {"on demand": "On demand", "settings": "After a settings change", "re-index": "After re-indexing",
                           "nightly": "Nightly", "sync": "After a sync"}.get(run.reason, run.reason))
    if report.comparison is not None:
        line = md(report.comparison.headline())
        (st.warning if report.comparison.worse else st.success)(f"Before → after: {line}", icon=":material/compare_arrows:")
    if run.error:
        st.error(md(run.error))
    failed = report.failed
    if failed:
        st.subheader(f"Failing ({len(failed)})", anchor=False)
        for n, r in enumerate(failed):
            _result_card(r, n)
    passed = [r for r in report.results if r.passed]
    if passed:
        with st.expander(f"Passing ({len(passed)})"):
            for n, r in enumerate(passed):
                _result_card(r, 1000 + n)


def _checks_tab() -> None:
    current = checks.list_checks(store, assistant.id, user=user)
    if not current:
        st.info("No checks yet.", icon=":material/fact_check:")
    choices = _document_choices() if manager else []
    for c in current:
        with st.expander(md(c.question)):
            st.caption("Must state: " + "; ".join(md(f) for f in c.facts) + (f" · cites {md(c.source)}" if c.source else ""))
            if not manager:
                continue
            with st.form(f"edit-{c.check_id}", border=False):
                question = st.text_input("Question", c.question)
                facts = st.text_area("Facts a right answer states (one a line)", "\n".join(c.facts))
                source = st.selectbox("Must cite", choices, index=choices.index(c.source) if c.source in choices else 0,
                                      format_func=lambda f: f or "Any document")
                e1, e2 = st.columns(2)
                save = e1.form_submit_button("Save", icon=":material/save:")
                drop = e2.form_submit_button("Remove", icon=":material/delete:")
            if save or drop:
                with friendly_errors("change the check"):
                    if drop:
                        checks.remove_check(store, assistant.id, c.check_id, user=user)
                    else:
                        checks.edit_check(store, assistant.id, c.check_id, question, _facts_lines(facts), source, user=user)
                    st.session_state["checks-flash"] = "Check removed." if drop else "Check saved."
                    st.rerun()
    if not manager:
        return
    st.subheader("Add a check", anchor=False)
    with st.form("add-check", clear_on_submit=True):
        question = st.text_input("Question", placeholder="How much does the Team plan cost?")
        facts = st.text_area("Facts a right answer states (one a line)", placeholder="$49 per month")
        source = st.selectbox("Must cite", choices, format_func=lambda f: f or "Any document")
        added = st.form_submit_button("Add check", type="primary", icon=":material/add:")
    if added:
        with friendly_errors("add the check"):
            checks.add_check(store, assistant.id, question, _facts_lines(facts), source or None, user=user)
            st.session_state["checks-flash"] = "Check added."
            st.rerun()


def _suggestions_tab() -> None:
    if not manager:
        st.caption(f"Only {managed_by(assistant)} can add suggested checks.")
        return
    st.caption("From your documents: each case study's headline figure and quote, each price-table row, each how-to's "
               "steps. Keep them as they are, change them, or remove the ones you don't want.")
    if st.button("Suggest checks from my documents", icon=":material/auto_awesome:", key="suggest"):
        with st.spinner("Reading your documents…"), friendly_errors("suggest checks"):
            st.session_state[SUGGESTIONS] = checks.suggest_checks(store, assistant.id, user=user)
    offered = st.session_state.get(SUGGESTIONS)
    if offered is None:
        return
    if not offered:
        st.success("Nothing new to suggest: your case studies, price tables and how-tos all have checks.",
                   icon=":material/verified:")
        return
    if st.button(f"Keep all {len(offered)}", icon=":material/done_all:", key="keep-all"):
        with friendly_errors("keep the suggested checks"):
            for s in offered:
                checks.accept_suggestion(store, assistant.id, s, user=user)
            st.session_state[SUGGESTIONS] = []
            st.session_state["checks-flash"] = f"Kept {plural(len(offered), 'check')}."
            st.rerun()
    for i, s in enumerate(list(offered)):
        with st.container(border=True):
            st.caption(f"{md(s.why)} · {md(s.source)}")
            with st.form(f"suggestion-{i}-{s.key}", border=False):
                question = st.text_input("Question", s.question)
                facts = st.text_area("Facts a right answer states (one a line)", "\n".join(s.facts))
                k1, k2 = st.columns(2)
                keep = k1.form_submit_button("Keep", type="primary", icon=":material/check:")
                drop = k2.form_submit_button("Don't suggest again", icon=":material/close:")
            if keep or drop:
                with friendly_errors("keep the check" if keep else "remove the suggestion"):
                    if keep:
                        s.question, s.facts = question, _facts_lines(facts)
                        checks.accept_suggestion(store, assistant.id, s, user=user)
                    else:
                        checks.drop_suggestion(store, assistant.id, s, user=user)
                    offered.remove(s)
                    st.session_state["checks-flash"] = "Check kept." if keep else "Suggestion removed."
                    st.rerun()


# refreshed on its own only while a run waits or runs (a run queued elsewhere shows at the next page change)
st.fragment(_waiting, run_every=2.0 if checks.waiting_run(store, assistant.id, user=user) else None)()
results, listed, suggested = st.tabs(["Results", "Checks", "Suggestions"])
with results:
    with friendly_errors("show the checks' results"):
        _results_tab()
with listed:
    with friendly_errors("list the checks"):
        _checks_tab()
with suggested:
    _suggestions_tab()
