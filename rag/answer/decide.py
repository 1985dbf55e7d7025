"""Retrieve, then decide: answer from these passages, or refuse and say why.

Refusals, in the order they are tried:
- nothing relevant enough was found (every passage under the relevance cut);
- the question is about a name ("Contoso", "GLM-130B") that no relevant
  passage mentions, or mentions only in passing (see
  :mod:`rag.answer.subjects`). Before refusing over a name, the search is
  run again within the documents whose name or opening has it ("Apple's cash
  flow" may first find Amazon's filing);
- the question asks for a role, a credential or a company figure ("Who is the
  CEO?", "Which certifications ...?", "What is your revenue?") that no passage
  found, relevant or not, says at all (see :func:`rag.answer.subjects.unstated_entities`).

A refusal names the closest documents, and no model is called.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from ..names import mentions_name
from ..types import Answer, Hit, Notice, RetrievalSettings
from .retrieve import Retrieval, retrieve
from .subjects import SubjectGaps, full_names, subject_gaps, unstated_entities

log = logging.getLogger(__name__)
REFUSAL = "Your documents don't cover this question."
STYLE_ONLY_KINDS = ("LinkedIn post",)  # past posts are style examples, never evidence for an answer


@dataclass
class Decision:
    """The passages to answer from, or the refusal (an Answer) to give instead."""

    hits: list[Hit] = field(default_factory=list)
    refusal: Answer | None = None


def _about(store, hits: list[Hit]) -> tuple[dict[str, str], dict[str, str]]:
    """Per document: what it is about (title, opening, frequent names) and what it is titled (file name and title)."""
    about, titled = {}, {}
    for doc_id in {h.doc_id for h in hits}:
        row = store.catalog.get(doc_id)
        if row:
            about[doc_id] = row.about or ""
            titled[doc_id] = f"{row.file} {row.title or ''}"
    return about, titled


def _gaps(store, query: str, hits: list[Hit], settings: RetrievalSettings) -> SubjectGaps:
    about, titled = _about(store, hits)
    return subject_gaps(query, hits, settings.subject_threshold, about, titled)


def _named_files(store, workspace: str, names: list[str], within: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Files whose name or opening (the catalog's ``about``) mentions one of ``names`` (within ``within`` if given)."""
    rows = store.catalog.documents(workspace, status="ready")
    return tuple(sorted(
        r.file for r in rows
        if (not within or r.file in within) and any(mentions_name(n, f"{r.file} {r.about or ''}") for n in names)
    ))


def _naming(retrieval: Retrieval, names: list[str]) -> list[Hit]:
    """Candidates under the relevance floor that mention one of ``names``: a name the search found is never "not mentioned"."""
    return [h for h in retrieval.below_threshold
            if any(mentions_name(n, f"{h.context or h.text} {h.file} {h.section}") for n in names)]


def refusal(retrieval: Retrieval, model: str, gaps: SubjectGaps | None = None, unstated: list[str] = ()) -> Answer:
    """The honest "not in your documents" answer, naming the closest documents found."""
    closest = retrieval.closest_files[:3]
    text = REFUSAL
    reason = "nothing_relevant"
    notice = "Nothing in your documents was relevant enough to answer from, so no answer was written."
    if unstated:
        names = ", ".join(f"“{t}”" for t in unstated)
        text = f"Your documents don't say this: none of the passages found mentions {names}."
        notice = f"No passage found mentions {names}, so no answer was written."
        reason = "not_stated"
    elif gaps and gaps.absent:
        names = ", ".join(f"“{t}”" for t in gaps.absent)
        text = f"{REFUSAL} The passages found don't mention {names}."
        notice = f"No passage relevant to the question mentions {names}, so no answer was written."
        reason = "names_absent"
    elif gaps:
        names = ", ".join(f"“{t}”" for t in gaps.in_passing)
        text = f"{REFUSAL} Your documents mention {names} only in passing; none of them is about it."
        notice = f"The passages that mention {names} are about something else, so no answer was written."
        reason = "names_in_passing"
    if closest:
        text += " The closest documents I found were: " + ", ".join(closest) + "."
    return Answer(answer=text, model=model, refused=True, refusal=reason, notices=[Notice("refused", notice)],
                  hits=retrieval.hits + retrieval.below_threshold)


def question_settings(settings: RetrievalSettings) -> RetrievalSettings:
    """Search settings for a question: past posts are left out unless the question asks for a kind."""
    if settings.where.kinds:
        return settings
    return settings.with_(where=replace(settings.where, exclude_kinds=STYLE_ONLY_KINDS))


def decide(store, query: str, workspace: str, settings: RetrievalSettings, model: str, check_subjects: bool = True) -> Decision:
    """Retrieve for ``query`` and decide whether to answer (see the module docstring)."""
    retrieval = retrieve(store, query, workspace, settings, user=None)  # ask_stream checked the asker
    try:  # which passages questions use: the health check's "never retrieved" finding
        store.catalog.record_retrieval(workspace, retrieval.hits)
    except Exception:  # noqa: BLE001 - the health log never stops an answer
        log.debug("retrieval log failed", exc_info=True)
    if not retrieval.hits:
        people = full_names(query)  # "What did Anja Vogel say?": her quote may be far from the question's words
        named = [h for h in retrieval.below_threshold if people and all(p in (h.context or h.text) for p in people)]
        if named:
            return Decision(named)
        return Decision(refusal=refusal(retrieval, model))
    if not check_subjects:
        return Decision(retrieval.hits)
    # "Who is the CEO?" over passages that never say "CEO": no quote of another person's role answers it
    unstated = unstated_entities(query, [f"{h.context or h.text} {h.file} {h.section}"
                                         for h in retrieval.hits + retrieval.below_threshold])
    if unstated:
        return Decision(refusal=refusal(retrieval, model, unstated=unstated))
    gaps = _gaps(store, query, retrieval.hits, settings)
    if not gaps:
        return Decision(retrieval.hits)
    naming = _naming(retrieval, gaps.absent + gaps.in_passing)
    if naming:  # "What did Priya Natarajan say?": the passage with her quote may rank under the floor
        widened = retrieval.hits + naming
        if not _gaps(store, query, widened, settings):
            return Decision(widened)
    named = _named_files(store, workspace, gaps.absent + gaps.in_passing, settings.where.files)
    if named:
        retry = retrieve(store, query, workspace, settings.with_(where=replace(settings.where, files=named)), user=None)
        if retry.hits and not _gaps(store, query, retry.hits, settings):
            return Decision(retry.hits)
    return Decision(refusal=refusal(retrieval, model, gaps))
