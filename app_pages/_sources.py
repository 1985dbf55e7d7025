"""Websites on the Knowledge page: "Add from a website", and the sites an assistant reads, with "Sync now" and a schedule.

The Knowledge page calls :func:`render_sources`. Only people who manage the
assistant see the controls (and the library checks again: rag/workspace/sources.py).

QUEUE INTEGRATION POINT (issue 15): a sync runs inside this page's run for now,
with its own progress bar; with the job queue it is queued instead, and its
progress shown from the queue like any other indexing. Scheduled syncs are
the app's indexer's to start (``rag.workspace.sources.sync_due``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from app_pages._common import friendly_errors
from rag.present import RESULT_LABELS, plural
from rag.present import escape_markdown as md
from rag.workspace import sources as sites
from rag.workspace.access import User, can_manage
from rag.workspace.assistants import Assistant
from rag.workspace.runtime import Store
from rag.workspace.sources import SCHEDULES, CrawlOptions, Source, SyncProgress, SyncReport

PAGE_LABELS = {**RESULT_LABELS, "removed": "Removed"}
SCHEDULE_LABELS = {"off": "Only when I click Sync now", "daily": "Every day", "weekly": "Every week"}
ADDRESS_HELP = (
    "The address of your help center, docs or blog. Grounded reads its sitemap when it has one, else follows its "
    "links (same site, under this address), page by page at a polite pace, and skips what the site's robots.txt forbids. "
    "Menus, footers and cookie banners are left out."
)
PATTERNS_HELP = "One per line: a path such as /hc/en-us/articles, or a pattern with * such as */archive/*."


def _patterns(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.replace(",", "\n").splitlines() if p.strip())


def _run(label: str, start: Callable[[Callable[[SyncProgress], None]], SyncReport]) -> SyncReport | None:
    """Run a sync with a progress bar; its report, or None when it couldn't start (the error is shown)."""
    progress = st.progress(0.0, text=label)

    def on_progress(p: SyncProgress) -> None:
        share = p.done / p.total if p.total else p.done / (p.done + 20)  # no sitemap: the total is unknown
        progress.progress(min(share, 1.0), text=f"{label} {plural(p.done, 'page')} read")

    report = None
    with friendly_errors("read the site"):
        report = start(on_progress)
    progress.empty()
    return report


def _summary(counts: dict[str, int]) -> str:
    parts = [f"{counts.get('indexed', 0)} indexed"]
    parts += [f"{n} {label}" for key, label in (("unchanged", "up to date"), ("removed", "removed"),
                                                ("skipped", "skipped"), ("failed", "could not be read"))
              if (n := counts.get(key, 0))]
    return ", ".join(parts)


def _show_report(report: SyncReport) -> None:
    if report.error:
        st.error(f"The sync failed: {md(report.error)}", icon=":material/error:")
    else:
        st.success(f"{md(report.source.name)}: {_summary(report.counts())}.", icon=":material/check_circle:")
        if report.notice:
            st.info(md(report.notice), icon=":material/schedule:")
    notable = [p for p in report.pages if p.status not in ("indexed", "unchanged")]
    if notable:
        with st.expander(f"{plural(len(notable), 'page')} not indexed, or removed", icon=":material/info:"):
            for p in notable:
                st.markdown(f"- {PAGE_LABELS[p.status]}: {md(p.url)} — {md(p.error or '')}")


def _add_form(store: Store, assistant: Assistant, user: User) -> None:
    with st.form("add-site", border=True):
        address = st.text_input("Add from a website", placeholder="https://help.example.com/", help=ADDRESS_HELP)
        left, right = st.columns(2)
        include = left.text_area("Only pages under (optional)", placeholder="/hc/en-us/articles", help=PATTERNS_HELP)
        exclude = right.text_area("Never pages under (optional)", placeholder="/hc/en-us/community", help=PATTERNS_HELP)
        left, right = st.columns(2)
        max_pages = left.number_input("At most this many pages", min_value=1, max_value=5000, value=500, step=50)
        schedule = right.selectbox("Keep it in sync", list(SCHEDULES), format_func=SCHEDULE_LABELS.get)
        submitted = st.form_submit_button("Add and import", type="primary", icon=":material/travel_explore:")
    if not submitted:
        return
    if not address.strip():
        st.warning("Type the site's address first, for example https://help.example.com/.")
        return
    options = CrawlOptions(include=_patterns(include), exclude=_patterns(exclude), max_pages=int(max_pages))
    report = _run(f"Reading {md(address.strip())}…",
                  lambda progress: sites.add_site(store, assistant.id, address, user, options, schedule, progress))
    if report is not None:
        _show_report(report)


def _status(source: Source) -> str:
    if source.last_sync is None:
        return "Not synced yet."
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(source.last_sync))
    if source.last_status == "failed":
        return f"Last sync {when} failed."
    more = " The rest of the site is being read in the background." if source.resume_since is not None else ""
    return f"Last synced {when}: {_summary(source.last_counts)}.{more}"


def _source_row(store: Store, source: Source, user: User, manager: bool) -> None:
    with st.container(border=True):
        st.markdown(f"**{md(source.name)}**")
        st.caption(f"{md(source.origin)} · {md(_status(source))}")
        if source.last_status == "failed" and source.last_error:
            st.warning(md(source.last_error), icon=":material/warning:")
        if not manager:
            st.caption(f"Kept in sync: {SCHEDULE_LABELS[source.schedule].lower()}.")
            return
        schedule_col, sync_col, remove_col = st.columns([2, 1, 1], vertical_alignment="bottom")
        chosen = schedule_col.selectbox("Keep it in sync", list(SCHEDULES), index=list(SCHEDULES).index(source.schedule),
                                        format_func=SCHEDULE_LABELS.get, key=f"schedule-{source.source_id}")
        if chosen != source.schedule:
            with friendly_errors("change the schedule"):
                sites.set_schedule(store, source.source_id, chosen, user)
                st.toast(f"{md(source.name)}: {SCHEDULE_LABELS[chosen].lower()}.", icon=":material/schedule:")
        if sync_col.button("Sync now", key=f"sync-{source.source_id}", icon=":material/sync:"):
            report = _run(f"Syncing {md(source.name)}…",
                          lambda progress: sites.sync_site(store, source.source_id, user, progress))
            if report is not None:
                _show_report(report)
        with remove_col.popover("Remove", icon=":material/delete:", key=f"remove-menu-{source.source_id}"):
            st.write("Remove this site and the pages it brought in? Documents you uploaded stay.")
            if st.button("Remove the site", key=f"remove-{source.source_id}", type="primary"):
                with friendly_errors("remove the site"):
                    removed = sites.remove_site(store, source.source_id, user)
                    st.toast(f"Removed {md(source.name)} and {plural(len(removed), 'page')}.", icon=":material/delete:")
                    st.rerun()


def render_sources(store: Store, assistant: Assistant, user: User) -> None:
    """The "Websites and help centers" part of the Knowledge page."""
    manager = can_manage(assistant, user)
    st.subheader("Websites and help centers", anchor=False)
    if manager:
        _add_form(store, assistant, user)
    listed: list[Source] = []
    with friendly_errors("list the sites"):
        listed = sites.list_sites(store, assistant.id, user)
    if not listed:
        st.caption("No websites yet." + (" Add your help center or blog above: its pages become documents, and a "
                                           "sync keeps them current." if manager else ""))
    for source in listed:
        _source_row(store, source, user, manager)
