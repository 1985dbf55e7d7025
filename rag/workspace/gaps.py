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
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from ..errors import GroundedError, NotFound
from ..present import csv_text
from ..types import Answer, Notice
from ..words import analyse
from .access import User
from .assistants import get_assistant

# Both chosen with ``grounded bench gaps`` on the labelled set's "tune" part (rag/bench/gap_questions.jsonl),
# in the mean-of-two-cosines space of :func:`question_vectors`. Grouping: the best pairwise F1 (0.81).
GROUP_SIMILARITY = 0.25
# A refused question gets the scope answer when it is at least this alike to one of an out-of-scope topic's
# questions: 60% of a topic's other paraphrases caught, 1.3% of other topics' questions (a wrong catch names
# a topic the question isn't about, so this errs towards the usual refusal).
SCOPE_SIMILARITY = 0.45
_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # a word as rag.words reads one
MAX_QUESTIONS = 600  # the most recent gap questions grouped (average linkage is cubic in the distinct questions)
WHY_LABELS = {"refused": "not in the documents", "not_answered": "didn't answer the question", "thumbs_down": "thumbs-down"}
# Words that say how a question is asked, not what it is about (stemmed like the names they are compared with).
_ASKING = frozenset(analyse("tell much many give know please explain us get need want anyone someone thing way also "
                            "can could would find share"))


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


def _scopes(catalog, workspace: str) -> list[tuple[Scope, str, np.ndarray]]:
    out = []
    for r in catalog.gaps.scopes(workspace):
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
