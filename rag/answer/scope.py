"""Out of scope: a refused question close to a topic a manager marked out of scope gets that topic's polite reply.

The answer chain calls :func:`scope_answer` where it refuses (it has checked who asks). The topics are marked on the
Knowledge gaps page (rag/workspace/gaps.py, which groups questions with the same :func:`question_vectors`); the
vectors here and there are made the same way, so a question and a topic's questions compare.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import numpy as np

from ..types import Answer, Notice
from ..words import analyse

# A refused question gets the scope answer when it is at least this alike to one of an out-of-scope topic's
# questions: 60% of a topic's other paraphrases caught, 1.3% of other topics' questions (a wrong catch names
# a topic the question isn't about, so this errs towards the usual refusal).
SCOPE_SIMILARITY = 0.45
_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # a word as rag.words reads one
# Words that say how a question is asked, not what it is about (stemmed like the names they are compared with).
_ASKING = frozenset(analyse("tell much many give know please explain us get need want anyone someone thing way also "
                            "can could would find share"))


@dataclass
class Scope:
    """A topic a manager marked out of scope, and the reply its questions get."""

    scope_id: str
    topic: str
    reply: str
    questions: list[str]
    created: float
    created_by: str = ""

    def as_dict(self) -> dict:
        return {"scope_id": self.scope_id, "topic": self.topic, "reply": self.reply, "questions": self.questions,
                "created": self.created, "created_by": self.created_by}


def _scope_rows(catalog, workspace: str) -> list:
    return catalog.gaps.scopes(workspace)


def content_words(question: str) -> str:
    """``question`` without its stop and asking words ("How much does the Enterprise plan cost?" -> "Enterprise
    plan cost"); the question itself when nothing is left."""
    kept = [w for w in _WORD.findall(question) if (stem := analyse(w)) and stem[0] not in _ASKING]
    return " ".join(kept) or question


def vector_model(embeddings) -> str:
    """What a question's vector depends on: the embedding model, and how the question is embedded with it."""
    return f"{getattr(embeddings, 'model_id', type(embeddings).__name__)}+content"


def _unit(matrix) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    return matrix / np.clip(np.linalg.norm(matrix, axis=-1, keepdims=True), 1e-12, None)


def question_vectors(embeddings, texts: list[str]) -> np.ndarray:
    """Unit vectors whose dot product is the mean of two cosines: the questions' and their content words'.

    The content words alone keep "How much does X cost?" and "What's the price of X?" from being held apart
    by how they are asked; the whole question keeps what the words mean together. Chosen on the labelled
    set's tune part (``grounded bench gaps``): pairwise F1 0.81 against 0.72 for the questions alone.
    """
    if not texts:
        return np.zeros((0, 2 * (getattr(embeddings, "dimension", None) or 0)), dtype=np.float32)
    whole = _unit(embeddings.embed_documents(list(texts)))
    content = _unit(embeddings.embed_documents([content_words(t) for t in texts]))
    return np.concatenate([whole, content], axis=1) / np.sqrt(2.0, dtype=np.float32)


def _scopes(catalog, workspace: str) -> list[tuple[Scope, str, np.ndarray]]:
    out = []
    for r in _scope_rows(catalog, workspace):
        vectors = np.frombuffer(r["vectors"], dtype=np.float32)
        questions = json.loads(r["questions"])
        scope = Scope(r["scope_id"], r["topic"], r["reply"], questions, r["created"], r["created_by"])
        out.append((scope, r["model"], vectors.reshape(max(len(questions), 1), -1)))
    return out


def _nearest_scope(scopes, model: str, vector: np.ndarray) -> tuple[Scope | None, float]:
    best, best_sim = None, -1.0
    for scope, scope_model, vectors in scopes:
        if scope_model != model or vectors.shape[1] != vector.shape[0]:
            continue  # marked under another embedding model: its vectors can't be compared
        sim = float(np.max(vectors @ vector))
        if sim > best_sim:
            best, best_sim = scope, sim
    return best, best_sim


SCOPE_REPLY = ("That's outside what this assistant covers, so I can't answer it from its documents. "
               "Please ask your team directly.")


def scope_answer(store, workspace: str, query: str, refusal: Answer) -> Answer | None:
    """The polite scope answer to give instead of ``refusal`` when ``query`` is close to a topic marked out of scope.

    Called by the answer chain where it refuses (it has checked who asks); ``None`` when no such topic is near.
    """
    scopes = _scopes(store.catalog, workspace)
    if not scopes:
        return None
    vector = question_vectors(store.embeddings, [query])[0]
    scope, sim = _nearest_scope(scopes, vector_model(store.embeddings), vector)
    if scope is None or sim < SCOPE_SIMILARITY:
        return None
    text = scope.reply or SCOPE_REPLY
    return Answer(answer=text, model=refusal.model, refused=True, refusal="out_of_scope",
                  notices=[*(n for n in refusal.notices if n.code != "refused"),
                           Notice("out_of_scope", f"Whoever looks after this assistant marked “{scope.topic}” "
                                                  "as outside what it covers.")],
                  hits=refusal.hits, searched=refusal.searched)
