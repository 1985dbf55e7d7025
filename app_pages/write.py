"""Write: one-click recipes (LinkedIn post in my style, campaign copy, help article, sales answer), the voice profile,
the style guide's rules, and a post series."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from app_pages._common import (
    assistant_settings,
    current_assistant,
    current_user,
    friendly_errors,
    managed_by,
    store_or_stop,
)
from app_pages._page_view import view_page_button
from rag.present import escape_markdown as md
from rag.present import (
    highlighted_markdown,
    location,
    safe_answer_markdown,
)
from rag.workspace.access import can_manage
from rag.workspace.models import resolve_model
from rag.workspace.writing import (
    CASES,
    MAX_POSTS,
    MIN_POSTS,
    RECIPES,
    RULE_KINDS,
    TONES,
    Draft,
    DraftOptions,
    Series,
    add_rule,
    apply_fix,
    draft,
    guidance_for,
    plan_series,
    profile_for,
    remove_rule,
    revise,
    save_guidance,
    series_csv,
    series_ics,
    style_rules,
    update_rule,
)

store = store_or_stop()
user = current_user(store)
assistant = current_assistant(store)
manager = can_manage(assistant, user)  # people it is shared with can draft, but not change its guidance or rules
settings = assistant_settings(store, assistant)
DRAFT_KEY = f"draft-{assistant.id}"  # the versions of the last draft: a list of Draft
SERIES_KEY = f"series-{assistant.id}"

st.title("Write")
st.caption(
    f"One-click writing from **{md(assistant.name)}**'s documents. Facts come with sources; "
    "your past posts set the voice and your style guide sets the rules. Neither is ever cited."
)

# the voice profile
profile = profile_for(store, assistant.id, user=user)
guidance, edited = guidance_for(store.catalog, assistant.id, profile, user=user)
with st.container(border=True):
    st.subheader("Your voice", anchor=False)
    if profile is None:
        st.info(
            "No past posts yet. Upload your LinkedIn export (the Shares.csv file in LinkedIn's “Get a copy of your data”) "
            "or some blog posts on the Knowledge page, and Grounded will learn how you write.",
            icon=":material/record_voice_over:",
        )
    else:
        st.markdown(f"From {profile.posts} past post{'s' if profile.posts != 1 else ''}: **{md(profile.summary())}**.")
        with st.expander("What was measured"):
            for phrase in profile.describe():
                st.markdown(f"- {md(phrase)}")
            if profile.hook_examples:
                st.caption("Typical first lines: " + " · ".join(f"“{md(h)}”" for h in profile.hook_examples))
            if profile.top_hashtags:
                st.caption("Hashtags you use most: " + md(" ".join(profile.top_hashtags)))
    with st.expander("Writing guidance" + (" (edited by you)" if edited else ""), expanded=False):
        st.caption("What the writer is told about your voice. Change it freely; it is saved for this assistant."
                   if manager else f"What the writer is told about your voice. Only {managed_by(assistant)} can change it.")
        text = st.text_area("Guidance", value=guidance, height=200, key=f"guidance-{assistant.id}",
                            label_visibility="collapsed", disabled=not manager)
        g1, g2, _ = st.columns([1, 1, 3])
        if manager and g1.button("Save guidance", key="save-guidance", icon=":material/save:"):
            with friendly_errors("save the guidance"):
                save_guidance(store, assistant.id, text, user=user)
                st.toast("Guidance saved.", icon=":material/check_circle:")
        if manager and edited and g2.button("Back to measured", key="reset-guidance", icon=":material/restart_alt:"):
            with friendly_errors("reset the guidance"):
                save_guidance(store, assistant.id, "", user=user)
                st.session_state.pop(f"guidance-{assistant.id}", None)
                st.rerun()

# the style guide's rules
rules = style_rules(store, assistant.id, user=user)
with st.container(border=True):
    st.subheader("Your style rules", anchor=False)
    if not rules:
        st.info("No style rules yet. Upload your brand style guide on the Knowledge page (words to avoid, emoji and "
                "hashtag limits, a hashtag every post ends with) and its rules appear here, or add one below.",
                icon=":material/rule:")
    else:
        st.caption("Every draft is checked against these; drafts put together without a model follow them as written.")
        for rule in rules:
            origin = f"from {md(rule.source)}" if rule.source else "added by you"
            said = f" — your guide says: “{md(rule.source_sentence)}”" if rule.source_sentence else ""
            st.markdown(f"- {md(rule.describe())} :gray[({origin}{said})]")
    if manager:
        with st.expander("Change, remove or add a rule"):
            if rules:
                by_id = {r.rule_id: r for r in rules}
                picked = by_id[st.selectbox("Rule", list(by_id), format_func=lambda i: by_id[i].describe(), key="rule-pick")]
                needs_value = picked.kind not in ("digits",)
                value = picked.value
                if picked.kind == "headline_case":
                    value = st.selectbox("Case", CASES, index=CASES.index(picked.value), key=f"rule-case-{picked.rule_id}")
                elif needs_value:
                    value = st.text_input("Word, limit or hashtag", picked.value, key=f"rule-value-{picked.rule_id}")
                replacement = st.text_input("Use instead", picked.replacement, key=f"rule-use-{picked.rule_id}") \
                    if picked.kind == "avoid" else ""
                c1, c2 = st.columns(2)
                if c1.button("Save rule", key="rule-save", icon=":material/save:", width="stretch"):
                    with friendly_errors("save the rule"):
                        update_rule(store, assistant.id, picked.rule_id, value, replacement, user=user)
                        st.rerun()
                if c2.button("Remove rule", key="rule-remove", icon=":material/delete:", width="stretch"):
                    with friendly_errors("remove the rule"):
                        remove_rule(store, assistant.id, picked.rule_id, user=user)
                        st.rerun()
            st.markdown("**Add a rule**")
            kind = st.selectbox("Kind of rule", list(RULE_KINDS), format_func=RULE_KINDS.get, key="rule-new-kind")
            new_value = new_use = ""
            if kind == "headline_case":
                new_value = st.selectbox("Case", CASES, key="rule-new-case")
            elif kind != "digits":
                new_value = st.text_input({"avoid": "Word to avoid", "required_hashtag": "Hashtag"}.get(kind, "Limit"),
                                          key="rule-new-value", placeholder={"avoid": "leverage", "required_hashtag": "#YourBrand"}
                                          .get(kind, "2"))
            if kind == "avoid":
                new_use = st.text_input("Use instead", key="rule-new-use", placeholder="use")
            if st.button("Add rule", key="rule-add", icon=":material/add:"):
                with friendly_errors("add the rule"):
                    add_rule(store, assistant.id, kind, new_value, new_use, user=user)
                    st.rerun()

# the recipe
ids = list(RECIPES)
recipe_id = st.radio(
    "Recipe", ids, format_func=lambda i: RECIPES[i].title, horizontal=True, key=f"recipe-{assistant.id}"
)
recipe = RECIPES[recipe_id]
st.caption(md(recipe.description))
model = assistant.model or resolve_model(settings)
if model == "extractive":
    st.caption(":material/info: No writing model is connected: drafts are put together from your documents in your "
               "usual format, every fact quoted from its source. Connect a model in Settings for freshly written text.")
elif model == "local":
    st.caption(":material/warning: The small built-in model writes these drafts: it often gets facts wrong. "
               "Every sentence is checked against its source.")
topic = st.text_input(recipe.topic_label, key=f"topic-{assistant.id}-{recipe_id}",
                      placeholder=recipe.default_topic or "e.g. how Northwind cut onboarding time")
fact_files = sorted(r.file for r in store.catalog.documents(assistant.id, status="ready") if r.kind in recipe.fact_kinds)
chosen = st.multiselect("Take facts only from (optional)", fact_files, key=f"sources-{assistant.id}-{recipe_id}",
                        placeholder="All your documents")
options = DraftOptions(model=assistant.model, retrieval=assistant.retrieval, instructions=assistant.instructions,
                       files=tuple(chosen))


def _keep(versions: list[Draft]) -> None:
    st.session_state[DRAFT_KEY] = versions


def _run(work) -> None:
    with friendly_errors("write the draft"):
        with st.spinner("Gathering facts and writing…"):
            result = work()
            _keep([result] + result.alternatives)
        st.rerun()


if st.button("Write", type="primary", icon=":material/edit_note:", key="write",
             disabled=not topic.strip() and not recipe.default_topic):
    _run(lambda: draft(store, recipe_id, topic, assistant.id, options, settings=settings, user=user))


def render_checks(result: Draft) -> None:
    for c in result.checks:
        icon = ":material/check_circle:" if c.passed else ":material/cancel:"
        colour = "green" if c.passed else "red"
        st.markdown(f":{colour}[{icon}] **{md(c.label)}** — {md(c.detail)}")


def render_fixes(versions: list[Draft], n: int) -> None:
    """Each broken style rule with its one-click fix."""
    result = versions[n]
    for i, v in enumerate(result.violations):
        c1, c2 = st.columns([3, 1])
        c1.markdown(f":orange[:material/rule:] {md(v.message)}"
                    + (f" :gray[(your guide: “{md(v.guide_says)}”)]" if v.guide_says else ""))
        if v.fixable and c2.button(md(v.fix_label), key=f"fix-{n}-{i}", icon=":material/auto_fix_high:", width="stretch"):
            with friendly_errors("fix the draft"):
                versions[n] = apply_fix(store, result, v)
                _keep(versions)
                st.rerun()


def render_sources(result: Draft, version: int = 0) -> None:
    claims: dict[int, list[str]] = {}
    for s in result.sentences:
        for n in s.citations:
            claims.setdefault(n, []).append(s.text)
    for c in result.citations:
        with st.expander(f"[{c.n}] {md(location(c.title or c.file, c.page, c.section))}"):
            st.markdown(highlighted_markdown(c.quote, " ".join(claims.get(c.n, []))))
            view_page_button(store, user, c, f"draft-{version}-{c.n}-{c.chunk_id}", assistant_id=assistant.id)


def render_version(versions: list[Draft], n: int) -> None:
    result = versions[n]
    st.markdown(safe_answer_markdown(result.text))
    render_checks(result)
    render_fixes(versions, n)
    with st.expander("Copy without the source numbers"):
        st.code(result.publishable, language=None, wrap_lines=True)
    if result.citations:
        st.markdown("**Sources**")
        render_sources(result, n)


stored = st.session_state.get(DRAFT_KEY)
versions: list[Draft] = stored if isinstance(stored, list) else []
if versions and versions[0].recipe == recipe_id:
    first = versions[0]
    st.divider()
    for w in first.warnings:
        st.warning(md(w), icon=":material/compare_arrows:")
    if first.refused:
        for n in first.notices:
            st.warning(md(n.text), icon=":material/search_off:")
    else:
        for n in first.notices:
            st.caption(f":material/info: {md(n.text)}")
        if len(versions) > 1:
            st.caption(f"{len(versions)} versions, each opening another way: pick the one you like.")
            for n, tab in enumerate(st.tabs([f"Version {i}: {v.angle}" for i, v in enumerate(versions, 1)])):
                with tab:
                    render_version(versions, n)
        else:
            render_version(versions, 0)
        if first.examples:
            with st.expander(f"Past posts used for the voice ({len(first.examples)}, never cited)"):
                for e in first.examples:
                    st.markdown(f"- {md(e.file)}")
        if first.model == "composed":
            st.caption("To rewrite it shorter or in another tone, connect a writing model in Settings.")
        else:
            r1, r2, r3, r4 = st.columns([1, 1, 1, 1])
            if r1.button("Regenerate", icon=":material/refresh:", key="regenerate", width="stretch"):
                _run(lambda: revise(store, first, "regenerate", assistant.id, options, settings=settings, user=user))
            if r2.button("Shorten", icon=":material/compress:", key="shorten", width="stretch"):
                _run(lambda: revise(store, first, "shorten", assistant.id, options, settings=settings, user=user))
            tone = r3.selectbox("Tone", TONES, key="tone", label_visibility="collapsed")
            if r4.button("Change tone", icon=":material/tune:", key="change-tone", width="stretch"):
                _run(lambda: revise(store, first, tone, assistant.id, options, settings=settings, user=user))

# a post series
if recipe_id == "linkedin-post":
    st.divider()
    st.subheader("Plan a series", anchor=False)
    st.caption("Several posts on the topic, each on a different fact from the documents you chose, dated on the day "
               "and hour you usually post. Export them as a spreadsheet (CSV) or a calendar (.ics).")
    s1, s2 = st.columns(2)
    count = s1.number_input("Posts", MIN_POSTS, MAX_POSTS, 4, key="series-count")
    start = s2.date_input("Starting from", date.today() + timedelta(days=1), key="series-start")
    if st.button("Plan the series", icon=":material/calendar_month:", key="plan-series", disabled=not topic.strip()):
        with friendly_errors("plan the series"), st.spinner("Planning the posts…"):
            st.session_state[SERIES_KEY] = plan_series(store, topic, int(count), assistant.id, tuple(chosen), start,
                                                       options, settings, user=user)
            st.rerun()
    series: Series | None = st.session_state.get(SERIES_KEY)
    if series is not None:
        st.markdown(f"Posting on **{md(series.slot.describe())}**.")
        for note in series.notices:
            st.caption(f":material/info: {md(note.text)}")
        for n, post in enumerate(series.posts, 1):
            with st.container(border=True):
                st.markdown(f"**Post {n} of {len(series.posts)} · {post.when:%A %d %B %Y, %H:%M} UTC**")
                st.markdown(safe_answer_markdown(post.draft.text))
                failed = [c for c in post.draft.checks if not c.passed]
                st.caption(":material/check_circle: All checks pass." if not failed else
                           ":material/cancel: " + md(" ".join(f"{c.label}: {c.detail}" for c in failed)))
        if series.posts:
            d1, d2 = st.columns(2)
            d1.download_button("Download CSV", series_csv(series), file_name="post-series.csv", mime="text/csv",
                               icon=":material/table:", key="series-csv", on_click="ignore", width="stretch")
            d2.download_button("Download calendar (.ics)", series_ics(series), file_name="post-series.ics",
                               mime="text/calendar", icon=":material/event:", key="series-ics", on_click="ignore",
                               width="stretch")
