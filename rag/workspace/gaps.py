"""Knowledge gaps: the questions an assistant could not answer, grouped by topic, with what to do about each.

A question is a gap when its answer was refused ("your documents don't cover this"), was flagged as
not answering the question (on topic, but without the figure, name or steps asked for), or got a
thumbs-down. They are grouped by meaning: the questions' vectors from the same embedding model the
assistant's index uses, clustered by average linkage (two groups join while their questions are on
average at least :data:`GROUP_SIMILARITY` alike), and each group is named by its commonest content
words. ``grounded bench gaps`` measures the grouping on a labelled set of marketing questions.

What a manager can do with a group: add a document for it (the Knowledge page, with the topic noted),
or mark it out of scope. A later question close to an out-of-scope topic that the documents can't
answer gets a polite "that's outside what this assistant covers" instead of the generic refusal
(:func:`scope_answer`, called where the refusal is given). Only an assistant's managers see its gaps,
and only questions asked in that assistant's chats.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from ..answer.scope import (  # noqa: F401 - shared with the scope answer (rag/answer/scope.py); offered here too
    _ASKING,
    _WORD,
    SCOPE_REPLY,
    SCOPE_SIMILARITY,
    Scope,
    _nearest_scope,
    _scopes,
    content_words,
    question_vectors,
    vector_model,
)
from ..errors import GroundedError, NotFound
from ..present import csv_text
from ..words import analyse
from .access import User
from .assistants import get_assistant

# Both chosen with ``grounded bench gaps`` on the labelled set's "tune" part (rag/bench/gap_questions.jsonl),
# in the mean-of-two-cosines space of :func:`question_vectors`. Grouping: the best pairwise F1 (0.81).
GROUP_SIMILARITY = 0.25
MAX_QUESTIONS = 600  # the most recent gap questions grouped (average linkage is cubic in the distinct questions)
WHY_LABELS = {"refused": "not in the documents", "not_answered": "didn't answer the question", "thumbs_down": "thumbs-down"}


@dataclass
class GapQuestion:
    """One question that went unanswered (or was rated down), with when and why."""

    msg_id: str  # the answer's message
    chat_id: str
    question: str  # as searched: a follow-up made standalone
    asked: float
    why: list[str] = field(default_factory=list)  # refused | not_answered | thumbs_down
    user: str = ""

    def as_dict(self) -> dict:
        return {"msg_id": self.msg_id, "question": self.question, "asked": self.asked, "why": list(self.why)}


@dataclass
class Gap:
    """A topic the assistant couldn't answer: its questions, named by their commonest words."""

    key: str  # the msg_id of its first question: stays the same as more questions join
    topic: str
    questions: list[GapQuestion]
    example: str
    scope_id: str | None = None  # marked out of scope (the questions were asked before, or answered politely)

    @property
    def count(self) -> int:
        return len(self.questions)

    @property
    def last_asked(self) -> float:
        return max(q.asked for q in self.questions)

    @property
    def why(self) -> dict[str, int]:
        return dict(Counter(w for q in self.questions for w in q.why))

    def as_dict(self) -> dict:
        return {"key": self.key, "topic": self.topic, "count": self.count, "last_asked": self.last_asked,
                "example": self.example, "why": self.why, "out_of_scope": self.scope_id,
                "questions": [q.as_dict() for q in self.questions]}


@dataclass
class GapReport:
    assistant: str
    gaps: list[Gap]  # open ones, most asked first
    out_of_scope: list[Gap]  # groups that match a topic marked out of scope
    scopes: list[Scope]

    @property
    def questions(self) -> int:
        return sum(g.count for g in self.gaps)

    def as_dict(self) -> dict:
        return {"assistant": self.assistant, "questions": self.questions, "gaps": [g.as_dict() for g in self.gaps],
                "out_of_scope": [g.as_dict() for g in self.out_of_scope], "scopes": [s.as_dict() for s in self.scopes]}


# --- the tables (m021_knowledge_gaps): every statement of this feature is ``catalog.gaps`` (rag/catalog/gaps.py)

def _candidate_rows(catalog, workspace: str, limit: int) -> list[dict]:
    """Answers in ``workspace``'s chats that were refused, flagged as not answering, or rated down; newest first.

    Each with the question it answered (the user message before it) and the question as searched. The answer's
    labels are read from its JSON here, not in SQL: the same statement runs on SQLite and PostgreSQL.
    """
    rows = catalog.gaps.assistant_answers(workspace)
    found: list[dict] = []
    for r in rows:
        try:
            answer = json.loads(r["answer"]) or {}
        except (TypeError, ValueError):
            continue
        label = answer.get("answers_question")
        answers = label.get("value") if isinstance(label, dict) else None
        refused = bool(answer.get("refused")) and answer.get("refusal") != "out_of_scope"
        rated_down = r["rating"] is not None and r["rating"] < 0
        if refused or answers in (0, False) or rated_down:
            found.append({"msg_id": r["msg_id"], "chat_id": r["chat_id"], "created": r["created"], "user": r["asker"],
                          "refused": 1 if answer.get("refused") else 0, "refusal": answer.get("refusal"),
                          "answers": None if answers is None else int(answers), "searched": answer.get("searched_for"),
                          "rating": r["rating"], "question": r["question"]})
            if len(found) >= limit:
                break
    return found


# --- grouping and naming (no catalog, no access: the benchmark uses these as they are) ---

def group(vectors: np.ndarray, threshold: float = GROUP_SIMILARITY, weights: list[int] | None = None) -> list[list[int]]:
    """Average-linkage clusters of unit ``vectors``: the two closest groups join while their questions are, on
    average, at least ``threshold`` alike (cosine). ``weights``: how many times each vector was asked."""
    n = len(vectors)
    if n == 0:
        return []
    sim = np.asarray(vectors, dtype=np.float64) @ np.asarray(vectors, dtype=np.float64).T
    np.fill_diagonal(sim, -np.inf)
    sizes = np.asarray(weights if weights is not None else [1] * n, dtype=np.float64)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    while len(members) > 1:
        flat = int(np.argmax(sim))
        i, j = divmod(flat, n)
        if not sim[i, j] >= threshold:
            break
        merged = (sizes[i] * sim[i] + sizes[j] * sim[j]) / (sizes[i] + sizes[j])
        sim[i, :] = merged
        sim[:, i] = merged
        sim[i, i] = -np.inf
        sim[j, :] = -np.inf
        sim[:, j] = -np.inf
        sizes[i] += sizes[j]
        members[i] += members.pop(j)
    return sorted((sorted(m) for m in members.values()), key=lambda m: (-len(m), m[0]))


def topic_name(questions: list[str], words: int = 3) -> str:
    """A group's name: its commonest content words (in the most questions; stop and asking words left out),
    each as it is most often written."""
    seen_in: Counter[str] = Counter()
    written: dict[str, Counter[str]] = {}
    first: dict[str, int] = {}
    for q in questions:
        stems = set()
        for n, token in enumerate(_WORD.findall(q)):
            stem = analyse(token)
            if not stem or stem[0] in _ASKING or token.isdigit():
                continue
            stems.add(stem[0])
            # as written ("iPhone", "SSO", "Salesforce"), but a question's capitalised first word in lower case
            written.setdefault(stem[0], Counter())[token.lower() if n == 0 and token.istitle() else token] += 1
            first.setdefault(stem[0], len(first))
        seen_in.update(stems)
    if not seen_in:
        return questions[0][:60] if questions else ""
    top = max(seen_in.values())
    ranked = sorted(seen_in, key=lambda s: (-seen_in[s], first[s]))
    # a single question is named by its own words; a group by the words its questions share
    shared = [s for s in ranked if seen_in[s] >= 2] if len(questions) > 1 and top >= 2 else ranked
    return ", ".join(written[s].most_common(1)[0][0] for s in shared[:words])


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embed_questions(catalog, embeddings, texts: list[str]) -> np.ndarray:
    """:func:`question_vectors` for ``texts``, kept in the catalog so the next look embeds only new questions."""
    model = vector_model(embeddings)
    hashes = [_hash(t) for t in texts]
    found = catalog.gaps.vectors(model, sorted(set(hashes)))
    missing = sorted({h: t for h, t in zip(hashes, texts) if h not in found}.items())
    if missing:
        new = dict(zip((h for h, _ in missing), question_vectors(embeddings, [t for _, t in missing])))
        catalog.gaps.save_vectors(model, new)
        found.update(new)
    if not hashes:
        return question_vectors(embeddings, [])
    return np.stack([found[h] for h in hashes])


def _embeddings(store):
    """The embedding model of ``store``'s index (a folder opened beside the app has none loaded: made here)."""
    embeddings = getattr(store, "embeddings", None)
    if embeddings is None:
        from ..index.embed import make_embeddings

        embeddings = make_embeddings(store.settings)
    return embeddings


# --- what pages and the command line call ---

def _collect(catalog, workspace: str, limit: int = MAX_QUESTIONS) -> list[GapQuestion]:
    questions = []
    for r in _candidate_rows(catalog, workspace, limit):
        text = (r["searched"] or r["question"] or "").strip()
        if not text:
            continue
        why = []
        if r["refused"] == 1 and r["refusal"] != "out_of_scope":
            why.append("refused")
        if r["answers"] == 0:
            why.append("not_answered")
        if r["rating"] is not None and r["rating"] < 0:
            why.append("thumbs_down")
        questions.append(GapQuestion(r["msg_id"], r["chat_id"], text, r["created"], why, r["user"]))
    return questions


def _grouped(store, workspace: str) -> tuple[list[Gap], list, str]:
    catalog = store.catalog
    questions = _collect(catalog, workspace)
    scopes = _scopes(catalog, workspace)
    embeddings = _embeddings(store)
    model = vector_model(embeddings)
    if not questions:
        return [], scopes, model
    # the same question asked again is one point, weighted by how often
    distinct: dict[str, list[GapQuestion]] = {}
    for q in questions:
        distinct.setdefault(" ".join(q.question.lower().split()), []).append(q)
    keys = list(distinct)
    vectors = embed_questions(catalog, embeddings, [distinct[k][0].question for k in keys])
    gaps = []
    for members in group(vectors, GROUP_SIMILARITY, [len(distinct[k]) for k in keys]):
        asked = sorted((q for i in members for q in distinct[keys[i]]), key=lambda q: q.asked)
        centre = vectors[members].mean(axis=0)
        typical = members[int(np.argmax(vectors[members] @ centre))]
        # out of scope when most of its questions are near one topic marked so (a broad group with a few stays open)
        near = Counter(n.scope_id for i in members
                       for n, sim in [_nearest_scope(scopes, model, vectors[i])] if n is not None and sim >= SCOPE_SIMILARITY)
        scope = next((sid for sid, votes in near.most_common(1) if 2 * votes > len(members)), None)
        gaps.append(Gap(key=asked[0].msg_id, topic=topic_name([q.question for q in asked]), questions=asked,
                        example=distinct[keys[typical]][0].question, scope_id=scope))
    gaps.sort(key=lambda g: (-g.count, -g.last_asked))
    return gaps, scopes, model


def _check_manager(catalog, workspace: str, user: User | None) -> None:
    """Raise unless ``user`` manages ``workspace`` (its owner; an admin when nobody owns it); ``None`` is the command
    line, unchecked. A reader gets "only the owner can", someone it isn't shared with "not found"."""
    if user is not None:
        get_assistant(catalog, workspace, user, manage=True)


def knowledge_gaps(store, workspace: str, *, user: User | None) -> GapReport:
    """The questions ``workspace`` couldn't answer, grouped by topic. Its managers only (owner; admins when nobody
    owns it; ``user=None`` is the command line)."""
    _check_manager(store.catalog, workspace, user)
    gaps, scopes, _ = _grouped(store, workspace)
    return GapReport(workspace, [g for g in gaps if g.scope_id is None], [g for g in gaps if g.scope_id is not None],
                     [s for s, _, _ in scopes])


def mark_out_of_scope(store, workspace: str, key: str, reply: str = "", *, user: User | None) -> Scope:
    """Mark the group ``key`` (a :attr:`Gap.key`) out of scope: its questions, and later ones like them that the
    documents can't answer, get a polite "outside what this assistant covers" (``reply``: in your own words)."""
    _check_manager(store.catalog, workspace, user)
    gaps, _, model = _grouped(store, workspace)
    gap = next((g for g in gaps if g.key == key), None)
    if gap is None:
        raise NotFound("That group of questions has changed since the list was shown. Look at the list again.")
    if gap.scope_id is not None:
        raise GroundedError(f"“{gap.topic}” is already marked out of scope.")
    texts = sorted({q.question for q in gap.questions})
    vectors = embed_questions(store.catalog, _embeddings(store), texts)
    scope = Scope(uuid.uuid4().hex[:12], gap.topic, (reply or "").strip()[:500], texts, time.time(),
                  user.name if user is not None else "")
    store.catalog.gaps.add_scope(workspace, scope.scope_id, scope.topic, scope.reply, scope.questions, model, vectors,
                                 scope.created, scope.created_by)
    return scope


def back_in_scope(store, workspace: str, scope_id: str, *, user: User | None) -> None:
    """Undo :func:`mark_out_of_scope`: the topic's questions count as gaps again and get the usual refusal."""
    _check_manager(store.catalog, workspace, user)
    if not store.catalog.gaps.delete_scope(workspace, scope_id):
        raise NotFound("That topic is no longer marked out of scope.")


def gaps_csv(report: GapReport) -> str:
    """Every gap question, one row each with its topic, as CSV (cells a spreadsheet would run are made text)."""
    from datetime import UTC, datetime

    def when(t: float) -> str:
        return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M")

    rows = [["topic", "status", "times asked", "last asked (UTC)", "question", "asked (UTC)", "why"]]
    for status, gaps in (("open", report.gaps), ("out of scope", report.out_of_scope)):
        for g in gaps:
            for q in g.questions:
                rows.append([g.topic, status, g.count, when(g.last_asked), q.question, when(q.asked),
                             "; ".join(WHY_LABELS[w] for w in q.why)])
    return csv_text(rows)
