"""Write: one-click recipes (LinkedIn post in my style, campaign copy, help article, sales answer) and the voice profile."""

from __future__ import annotations

import streamlit as st

from app_pages._common import (
    assistant_settings,
    current_assistant,
    current_user,
    friendly_errors,
    store_or_stop,
)
from rag.answer.models import resolve_model
from rag.marketing.recipes import RECIPES, TONES, Draft, DraftOptions, draft, revise
from rag.marketing.voice import guidance_for, profile_for, save_guidance
from rag.present import escape_markdown as md
from rag.present import (
    highlighted_markdown,
    location,
    passage_markdown,
    safe_answer_markdown,
)
from rag.workspace.access import can_manage

store = store_or_stop()
user = current_user(store)
assistant = current_assistant(store)
manager = can_manage(assistant, user)  # people it is shared with can draft, but not change its guidance
settings = assistant_settings(store, assistant)
DRAFT_KEY = f"draft-{assistant.id}"

st.title("Write")
st.caption(
    f"One-click writing from **{md(assistant.name)}**'s documents. Facts come with sources; "
    "your past posts set the voice and are never cited."
)

# the voice profile
profile = profile_for(store, assistant.id)
guidance, edited = guidance_for(store.catalog, assistant.id, profile)
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
                   if manager else f"What the writer is told about your voice. Only {md(assistant.owner)} can change it.")
        text = st.text_area("Guidance", value=guidance, height=200, key=f"guidance-{assistant.id}",
                            label_visibility="collapsed", disabled=not manager)
        g1, g2, _ = st.columns([1, 1, 3])
        if manager and g1.button("Save guidance", key="save-guidance", icon=":material/save:"):
            with friendly_errors("save the guidance"):
                save_guidance(store.catalog, assistant.id, text, user)
                st.toast("Guidance saved.", icon=":material/check_circle:")
        if manager and edited and g2.button("Back to measured", key="reset-guidance", icon=":material/restart_alt:"):
            with friendly_errors("reset the guidance"):
                save_guidance(store.catalog, assistant.id, "", user)
                st.session_state.pop(f"guidance-{assistant.id}", None)
                st.rerun()

# the recipe
ids = list(RECIPES)
recipe_id = st.radio(
    "Recipe", ids, format_func=lambda i: RECIPES[i].title, horizontal=True, key=f"recipe-{assistant.id}"
)
recipe = RECIPES[recipe_id]
st.caption(md(recipe.description))
model = assistant.model or resolve_model(settings)
if recipe.needs_writing and model == "extractive":
    st.caption(":material/info: No writing model is selected, so this recipe will gather the facts and examples for you to write from.")
topic = st.text_input(recipe.topic_label, key=f"topic-{assistant.id}-{recipe_id}",
                      placeholder=recipe.default_topic or "e.g. how Northwind cut onboarding time")
options = DraftOptions(model=assistant.model, retrieval=assistant.retrieval, instructions=assistant.instructions)


def _run(work) -> None:
    with friendly_errors("write the draft"):
        with st.spinner("Gathering facts and writing…"):
            st.session_state[DRAFT_KEY] = work()
        st.rerun()


if st.button("Write", type="primary", icon=":material/edit_note:", key="write",
             disabled=not topic.strip() and not recipe.default_topic):
    _run(lambda: draft(store, recipe_id, topic, assistant.id, options, settings=settings))


def render_checks(result: Draft) -> None:
    for c in result.checks:
        icon = ":material/check_circle:" if c.passed else ":material/cancel:"
        colour = "green" if c.passed else "red"
        st.markdown(f":{colour}[{icon}] **{md(c.label)}** — {md(c.detail)}")


def render_sources(result: Draft) -> None:
    claims: dict[int, list[str]] = {}
    for s in result.sentences:
        for n in s.citations:
            claims.setdefault(n, []).append(s.text)
    for c in result.citations:
        with st.expander(f"[{c.n}] {md(location(c.file, c.page, c.section))}"):
            st.markdown(highlighted_markdown(c.quote, " ".join(claims.get(c.n, []))))


def render_gathered(result: Draft) -> None:
    if result.facts:
        st.markdown("**Facts you can use** (with their sources)")
        for n, h in enumerate(result.facts, 1):
            with st.expander(f"[{n}] {md(location(h.file, h.page, h.section))}"):
                st.markdown(passage_markdown(h.text))
    if result.examples:
        st.markdown("**Your most similar past posts** (for voice only; not sources)")
        for e in result.examples:
            with st.expander(md(e.file)):
                st.markdown(passage_markdown(e.text))


result: Draft | None = st.session_state.get(DRAFT_KEY)
if result is not None and result.recipe == recipe_id:
    st.divider()
    for w in result.warnings:
        st.warning(md(w), icon=":material/compare_arrows:")
    if result.refused:
        for n in result.notices:
            st.warning(md(n.text), icon=":material/search_off:")
    elif result.needs_model:
        for n in result.notices:
            if n.code == "needs_model":
                st.warning(md(n.text), icon=":material/edit_off:")
            else:
                st.caption(f":material/info: {md(n.text)}")
        render_gathered(result)
    else:
        st.markdown(safe_answer_markdown(result.text))
        for n in result.notices:
            st.caption(f":material/info: {md(n.text)}")
        render_checks(result)
        with st.expander("Copy without the source numbers"):
            st.code(result.publishable, language=None, wrap_lines=True)
        if result.citations:
            st.markdown("**Sources**")
            render_sources(result)
        if result.examples:
            with st.expander(f"Past posts used for the voice ({len(result.examples)}, never cited)"):
                for e in result.examples:
                    st.markdown(f"- {md(e.file)}")
        r1, r2, r3, r4 = st.columns([1, 1, 1, 1])
        if r1.button("Regenerate", icon=":material/refresh:", key="regenerate", width="stretch"):
            _run(lambda: revise(store, result, "regenerate", assistant.id, options, settings=settings))
        if r2.button("Shorten", icon=":material/compress:", key="shorten", width="stretch"):
            _run(lambda: revise(store, result, "shorten", assistant.id, options, settings=settings))
        tone = r3.selectbox("Tone", TONES, key="tone", label_visibility="collapsed")
        if r4.button("Change tone", icon=":material/tune:", key="change-tone", width="stretch"):
            _run(lambda: revise(store, result, tone, assistant.id, options, settings=settings))
