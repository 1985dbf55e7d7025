"""The passages an answer's shape needs, beyond the ones the search ranked.

A search returns the few passages closest to the question. Some questions
want more of a document than that:

- a summary ("Summarise the Brewhouse case study in three bullet points")
  wants the whole document, to pick its headline figures, quote and timeline
  in its own order (:func:`rag.answer.quote.summary_points`);
- a list ("Which payroll systems do you integrate with?") may run past the
  passage that introduces it: the passage after it is read too.

The extra passages keep the document's order and are numbered after the
search's own, so citations still point at what was read.
"""

from __future__ import annotations

from dataclasses import replace

from ..names import mentions_name
from ..types import Hit
from .asked import Asked

MAX_SUMMARY_PASSAGES = 16  # a case study or a launch note; a 300-page filing is summarised from its first passages


def _summarised_document(store, asked: Asked, hits: list[Hit]) -> str:
    """The document a summary is asked of: the one whose name or title says the question's names, else the top hit's."""
    if asked.names:
        for h in hits:
            row = store.catalog.get(h.doc_id)
            named = f"{h.file} {row.title or '' if row else ''}"
            if all(mentions_name(n, named) for n in asked.names):
                return h.doc_id
    return hits[0].doc_id


def passages_for(store, asked: Asked, hits: list[Hit], workspace: str) -> list[Hit]:
    """``hits`` with the passages ``asked``'s shape needs (see the module docstring)."""
    if not hits:
        return hits
    if asked.kind == "summary":
        doc_id = _summarised_document(store, asked, hits)
        ranked = {h.chunk_id: h for h in hits}
        whole = store.index.chunks_of(workspace, doc_id)[:MAX_SUMMARY_PASSAGES]
        if whole:
            return [ranked.get(h.chunk_id) or replace(h, similarity=None) for h in whole]
        return hits
    if asked.kind == "list":
        top = hits[0]
        following = store.index.neighbours(workspace, top.doc_id, top.chunk_index + 1, top.chunk_index + 1,
                                           version=top.version or None)
        seen = {h.chunk_id for h in hits}
        extra = [h for h in following if h.chunk_id not in seen]
        return [top, *extra, *hits[1:]] if extra else hits
    return hits
