"""Asking: question -> resolve the follow-up -> retrieve and decide -> write or quote -> check and explain -> Answer.

:func:`ask_stream` is those five named steps. The writing step is an LCEL
chain (prompt | chat model | string parser) that streams tokens; without a
model, the answer quotes the sentences, rows and steps that answer the
question (:mod:`rag.answer.quote`). Honesty rules kept here:

- Nothing relevant, or not about the names asked: refuse, name the closest
  documents, call no model (:mod:`rag.answer.decide`).
- The model fails or returns nothing: quote instead, with a notice.
- Every sentence is checked against the passage it cites, and separately,
  the answer is judged on whether it states what was asked (the figure, the
  person, the steps); on-topic quotes that don't are said to be just that.

The model is passed in (:class:`rag.answer.models.PreparedModel`), so the
app, the command line and the tests choose it the same way.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from langchain_core.output_parsers import StrOutputParser

from ..access.assistants import check_reader
from ..access.users import User
from ..ingest import origins
from ..names import mentions_name
from ..types import Answer, Hit, Notice, RetrievalSettings
from .asked import classify, judge
from .check import check_answer
from .decide import decide, question_settings
from .domain import domain_acronyms, is_acronym
from .followup import Turn, condense_question, resolve_follow_up
from .models import PreparedModel, prepare_model
from .prompt import SYSTEM_PROMPT, build_prompt, format_sources, history_messages, instructions_block
from .quote import quote_answer, sources_in_order
from .scope import scope_answer
from .shapes import passages_for
from .subjects import full_names, labels_a_row
from .tail import Written, explain_check, model_notice, planted_notice, stream_written
from .trend import Scope, judge_lines, scope, search_each, trend_answer

__all__ = ["AskOptions", "Event", "Turn", "ask", "ask_stream"]


@dataclass(frozen=True)
class AskOptions:
    model: str | None = None  # openai | compatible | local | extractive; None = the best connected, else quotes
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    instructions: str = ""  # the assistant's persona and rules
    history: tuple[Turn, ...] = ()
    max_tokens: int = 512


EventKind = Literal["status", "token", "answer"]


@dataclass
class Event:
    """A streamed event: ``status`` lines, ``token`` pieces while writing, then one ``answer``."""

    kind: EventKind
    text: str = ""
    answer: Answer | None = None


def resolve_question(question: str, history: tuple[Turn, ...], model: PreparedModel) -> str:
    """The question as it should be searched: a follow-up made standalone (by the model if there is one, else by rule)."""
    if not history:
        return question
    if model.chat is not None:
        try:
            return condense_question(model.chat, question, history)
        except Exception:  # noqa: BLE001 - the model's rewrite is a nicety; the rule-based one still works
            pass
    return resolve_follow_up(question, history)


def _write(model: PreparedModel, question: str, query: str, hits: list[Hit], options: AskOptions,
           notices: list[Notice]) -> Generator[str, None, Written]:
    """Stream the model's answer, token by token; returns a :class:`Written`."""
    chain = build_prompt() | model.chat.bind(max_tokens=options.max_tokens) | StrOutputParser()
    sources, planted = format_sources(hits)
    notices += planted_notice(planted)
    inputs = {
        "instructions": instructions_block(options.instructions),
        "history": history_messages(options.history),
        "sources": sources,
        "question": question if query == question else f"{question}\n(Standalone form: {query})",
    }
    echoes = (SYSTEM_PROMPT, options.instructions)  # small models repeat their instructions; those lines are cut
    return (yield from stream_written(chain, inputs, echoes=echoes))


def ask_stream(store, question: str, workspace: str | None = None, options: AskOptions = AskOptions(),
               settings=None, model: PreparedModel | None = None, *, user: User | None) -> Iterator[Event]:
    """Answer ``question`` from ``workspace``, streaming status lines and tokens, then the checked Answer.

    ``settings`` overrides the store's (an assistant's own model connection, say); ``model`` is the
    prepared model to write with (default: the one ``options.model`` or the settings call for).
    ``user``: who asks; "not found" unless they may use the assistant (``None``: the command line).
    """
    settings = settings or store.settings
    workspace = workspace or settings.workspace
    check_reader(store.catalog, workspace, user)
    model = model or prepare_model(settings, options.model)
    notices: list[Notice] = list(model.notices)

    # 1. the question as searched
    if options.history:
        yield Event("status", "Understanding the follow-up question…")
    query = resolve_question(question, options.history, model)
    if query != question:
        notices.append(Notice("searched_for", f"Searched for: {query}"))

    # 2. retrieve and decide
    yield Event("status", "Searching your documents…")
    decision = decide(store, query, workspace, question_settings(options.retrieval), model.name)
    if decision.refusal is not None:
        decision.refusal.notices = notices + decision.refusal.notices
        decision.refusal.searched = query if query != question else ""
        # a topic the assistant's manager marked out of scope (knowledge gaps) gets a polite scope answer instead
        yield Event("answer", answer=scope_answer(store, workspace, query, decision.refusal) or decision.refusal)
        return

    # 3. write or quote
    embeddings = store.embeddings_for(workspace)  # the assistant's model (its language setting)
    qvec = np.asarray(embeddings.embed_query(query), dtype=np.float32)
    found = scope(store, workspace, query, classify(query))  # the documents and periods it names (trend.py)
    hits = _scoped(store, workspace, query, options.retrieval, found) or decision.hits
    hits = passages_for(store, classify(query), hits, workspace)
    name = model.name
    written = Written(fell_back=True)
    if model.chat is not None:
        yield Event("status", "Writing the answer…")
        hits = sources_in_order(query, qvec, hits, embeddings)  # what answers the question is numbered first
        written = yield from _relay(_write(model, question, query, hits, options, notices))
        notices += written.notices
        if written.fell_back:
            name = "extractive"
            yield Event("status", "Quoting your documents instead…")
    text = written.text
    per_period = False
    if not text and found is not None and found.across:
        text = trend_answer(classify(query), qvec, hits, found, embeddings)  # one cited line per period
        hits, per_period = (found.hits, True) if text else (hits, False)
    if not text:
        text = quote_answer(query, qvec, hits, embeddings)
    if not written.text:
        yield Event("token", text)

    # 4. check and explain
    checked = check_answer(text, hits, embeddings)
    name_citations(store, checked.citations)
    asked, context = classify(query), _cited_context(store, checked.citations)
    # the field's own acronyms are looked up only when the answer doesn't say one the question names
    unsaid = [n for n in asked.names if is_acronym(n) and not mentions_name(n, f"{checked.answer}\n{context}")]
    answers, reason = judge(asked, checked.answer, context, closeness=_closeness(checked.citations, hits),
                            domain=domain_acronyms(store, workspace) if unsaid else frozenset())
    if answers is not False and per_period:  # each period's line must answer on its own, most of them at least
        answers, reason = judge_lines(asked, checked.answer, context)
    if answers is False and name == "extractive":
        notices.append(Notice("not_answered", reason))
    notices += weak_match(checked.citations, hits, options.retrieval.threshold, full_names(query), list(asked.names),
                          quote=asked.kind == "quote" and answers is True)
    yield Event("answer", answer=Answer(
        answer=checked.answer,
        model=name,
        grounded_fraction=checked.grounded_fraction,
        citations=checked.citations,
        sentences=checked.sentences,
        notices=model_notice(name, bool(checked.citations)) + notices + explain_check(checked, name),
        removed_markers=checked.removed_markers,
        attributed=checked.attributed,
        hits=hits,
        searched=query if query != question else "",
        answers_question=answers,
        answers_reason=reason,
    ))


def _scoped(store, workspace: str, query: str, retrieval: RetrievalSettings, found: Scope | None) -> list[Hit]:
    """The passages of the documents and periods the question names: each document's own best passages for a
    question across them ("over time", "these 10-Qs"), the one document's for a question about one period."""
    if found is None:
        return []
    settings = question_settings(retrieval)
    if found.across:
        hits = search_each(store, workspace, query, settings, found)
        return hits if len(found.periods) >= 2 else []
    from .retrieve import retrieve

    return retrieve(store, query, workspace, settings.with_(where=replace(settings.where, files=found.files)),
                    user=None).hits


def _closeness(citations, hits: list[Hit]) -> float | None:
    """The best dense similarity to the question of the passages an answer cites (None if none is known)."""
    by_chunk = {h.chunk_id: h for h in hits}
    known = [by_chunk[c.chunk_id].similarity for c in citations
             if c.chunk_id in by_chunk and by_chunk[c.chunk_id].similarity is not None]
    return max(known) if known else None


def weak_match(citations, hits: list[Hit], threshold: float, people: list[str] = (),
               names: list[str] = (), quote: bool = False) -> list[Notice]:
    """A notice when the passages an answer cites are all under the relevance floor (let in by a word they share).

    "Supported" says each sentence is in its source, not that the source answers the question: a
    quote at 18% relevance is supported and still a weak match, and the reader must be told so.
    A passage that says the full name of a person the question asks about ("What did Priya Nair
    say?") is matched by that name, which meaning-based relevance scores poorly: it is not weak.
    Nor is a quotation ("Who is quoted in the Hollyhock case study?", ``quote``) cited from a passage that names
    everything the question does, or whose file does: a quote's words are far from the question's. Nor is a table that labels the names the question asks about (``names``) in a row's first cell or over a
    column ("|  | Core | Pro |" for "the Core and Pro plans"; a name in its file's name counts too): the table is
    about them, however it scores.
    """
    by_chunk = {h.chunk_id: h for h in hits}
    cited_hits = [by_chunk[c.chunk_id] for c in citations if c.chunk_id in by_chunk]
    if people and any(all(p in (h.context or h.text) for p in people) for h in cited_hits):
        return []
    if quote and names and any(re.search(r"[\"“”]", h.text) and all(mentions_name(n, f"{h.text} {h.file}") for n in names)
                               for h in cited_hits):
        return []
    for h in cited_hits:  # the table's file may carry the company's own name ("Sentrel-Pricing-FY26.xlsx")
        labelled = [n for n in names if labels_a_row(n, h.text)]
        if labelled and all(n in labelled or mentions_name(n, h.file) for n in names):
            return []
    cited = [h.similarity for h in cited_hits if h.similarity is not None]
    if not cited or max(cited) >= threshold:
        return []
    return [Notice("weak_match", f"The passages quoted are only a weak match for the question (relevance "
                                 f"{max(cited):.0%}, under the {threshold:.0%} minimum); check that they answer it.")]


def _cited_context(store, citations) -> str:
    """The cited documents' file names, headings and what they are about (title, opening, frequent names)."""
    parts = []
    for c in citations:
        row = store.catalog.get(c.doc_id)
        parts.append(f"{c.file}\n{c.section}\n{row.about if row and row.about else ''}")
    return "\n".join(parts)


def name_citations(store, citations) -> None:
    """Give each citation its document's human title (shown first; the file path is secondary) and live address."""
    for c in citations:
        row = store.catalog.get(c.doc_id)
        c.title = (row.title or "") if row else ""
        c.url = origins.url_of(store.catalog, c.doc_id) if row else ""


def _relay(tokens: Generator[str, None, Written]) -> Generator[Event, None, Written]:
    """Each token as an Event, passing on what the generator returns."""
    while True:
        try:
            token = next(tokens)
        except StopIteration as done:
            return done.value
        yield Event("token", token)


def ask(store, question: str, workspace: str | None = None, options: AskOptions = AskOptions(),
        settings=None, model: PreparedModel | None = None, *, user: User | None) -> Answer:
    """Blocking form of :func:`ask_stream`."""
    for event in ask_stream(store, question, workspace, options, settings, model, user=user):
        if event.kind == "answer":
            return event.answer
    raise RuntimeError("no answer produced")  # unreachable: ask_stream always ends with an answer
