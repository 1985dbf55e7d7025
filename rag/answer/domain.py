"""The field's own acronyms: short capitals an assistant's documents use throughout, read as words, not subjects.

"How does DetectGPT tell text an LLM wrote?" is about DetectGPT; "LLM" is the
vocabulary of every paper in that assistant, as "NLP" is, or "HR" in an HR
software company's documents. A quote that answers the question need not say
"LLM" (PDF text often glues it to the next word), so holding it to the strict
name check ("these passages don't mention LLM") flags right answers. An
acronym that passages of several documents use (at least :data:`MIN_DOCUMENTS`
and at least :data:`MIN_SHARE` of the assistant's documents) is such a word:
the answer check treats it like the question's other content words. Rarer
acronyms ("PAL", "GLM") stay names a passage must mention.

The counts are kept per document version, so a question pays only for
documents it has not seen before, and only their first :data:`PASSAGES`
passages are read (a field's vocabulary is on a document's first pages), of
at most :data:`DOCUMENTS` documents spread over the assistant's. The answer
check asks only when a question names an acronym its answer doesn't say.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable

import regex

MIN_DOCUMENTS = 3
MIN_SHARE = 0.25
PASSAGES = 20  # read per document
DOCUMENTS = 200  # documents read at most (evenly spread), so a large assistant's first question stays quick
# two to six capitals standing as a word of their own, with an optional plural "s" ("LLMs")
_ACRONYM = regex.compile(r"(?<![\p{L}\p{N}])(\p{Lu}{2,6})s?(?![\p{L}\p{N}])")

_lock = threading.Lock()
_seen: dict[tuple[str, str, str], frozenset[str]] = {}  # (workspace, doc_id, version) -> its acronyms


def acronyms(texts: Iterable[str]) -> frozenset[str]:
    """The acronyms (two to six capitals, as words of their own) that ``texts`` use."""
    return frozenset(m.group(1) for text in texts for m in _ACRONYM.finditer(text))


def common(per_document: list[frozenset[str]], min_documents: int = MIN_DOCUMENTS,
           min_share: float = MIN_SHARE) -> frozenset[str]:
    """Acronyms used by at least ``min_documents`` documents and ``min_share`` of them all."""
    counts = Counter(a for found in per_document for a in found)
    needed = max(min_documents, min_share * len(per_document))
    return frozenset(a for a, n in counts.items() if n >= needed)


def domain_acronyms(store, workspace: str) -> frozenset[str]:
    """The acronyms common to the ready documents of ``workspace`` (see the module docstring)."""
    rows = sorted(store.catalog.documents(workspace, status="ready"), key=lambda r: r.doc_id)
    if len(rows) < MIN_DOCUMENTS:
        return frozenset()
    if len(rows) > DOCUMENTS:
        rows = [rows[i * len(rows) // DOCUMENTS] for i in range(DOCUMENTS)]
    per_document = []
    for row in rows:
        key = (workspace, row.doc_id, row.version or "")
        with _lock:
            found = _seen.get(key)
        if found is None:
            first = store.index.neighbours(workspace, row.doc_id, 0, PASSAGES - 1, version=row.version or None)
            found = acronyms(h.text for h in first)
            with _lock:
                _seen[key] = found
        per_document.append(found)
    current = {(workspace, r.doc_id, r.version or "") for r in rows}
    with _lock:  # versions replaced or deleted since are forgotten
        for key in [k for k in _seen if k[0] == workspace and k not in current]:
            del _seen[key]
    return common(per_document)


def is_acronym(name: str) -> bool:
    """ "LLM", "LLMs", "NLP": two to six capitals (a plural "s" allowed)."""
    return bool(_ACRONYM.fullmatch(name))


def is_common(name: str, domain: frozenset[str]) -> bool:
    """Is ``name`` (as a question says it: "LLM", "LLMs") one of the ``domain`` acronyms?"""
    return name in domain or name.endswith("s") and name[:-1] in domain
