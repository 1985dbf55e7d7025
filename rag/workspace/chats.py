"""Chat history and feedback, per assistant, in the catalog database.

Each assistant message stores the full structured Answer as JSON, so a
reopened chat shows the same sources and checks, and feedback keeps the
question, the answer and its sources together.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field

from ..errors import NotFound
from ..present import SOURCE_DELETED
from ..types import Answer, Citation, Hit, Notice, SentenceCheck
from .access import User
from .assistants import check_reader


@dataclass
class Message:
    msg_id: str
    role: str  # "user" | "assistant"
    content: str
    answer: Answer | None = None
    created: float = 0.0


@dataclass
class Chat:
    chat_id: str
    workspace: str
    title: str
    created: float
    updated: float
    messages: list[Message] = field(default_factory=list)
    user: str = ""  # the signed-in owner; "" when sign-in is off


def answer_to_json(answer: Answer) -> str:
    data = answer.as_dict()
    data["attributed"] = answer.attributed
    data["removed_markers"] = answer.removed_markers
    data["sentences"] = [{**s.as_dict(), "reasons": s.reasons, "score": s.score} for s in answer.sentences]
    data["hits"] = [{**h.as_dict(), "pages": h.pages, "similarity": h.similarity, "kind": h.kind} for h in answer.hits]
    data["citations"] = [{**c.as_dict(), "chunk_id": c.chunk_id, "pages": c.pages} for c in answer.citations]
    return json.dumps(data)


def answer_from_json(text: str) -> Answer:
    data = json.loads(text)
    return Answer(
        answer=data["answer"],
        model=data["model"],
        refused=data["refused"],
        grounded_fraction=data["grounded_fraction"],
        citations=[Citation(**{**c, "title": c.get("title") or "", "url": c.get("url") or ""}) for c in data["citations"]],
        sentences=[SentenceCheck(**s) for s in data["sentences"]],
        # chats saved before notices had codes hold plain strings: shown as they were, with no code to act on
        notices=[Notice(**n) if isinstance(n, dict) else Notice("saved", n) for n in data.get("notices", [])],
        refusal=data.get("refusal"),
        searched=data.get("searched_for") or "",
        answers_question=(data.get("answers_question") or {}).get("value"),
        answers_reason=(data.get("answers_question") or {}).get("reason", ""),
        removed_markers=data.get("removed_markers", 0),
        attributed=data.get("attributed", False),
        hits=[
            Hit(
                chunk_id=h["chunk_id"], doc_id=h["doc_id"], file=h["file"], text=h["text"], score=h["score"],
                page=h["page"], pages=h.get("pages") or ([h["page"]] if h["page"] else []), section=h["section"],
                similarity=h.get("similarity"), kind=h.get("kind", "other"),
            )
            for h in data.get("hits", [])
        ],
    )


def _owner(catalog, workspace: str, user: User | None) -> str:
    """Whose chats these are ("" for the local user and the command line), once ``user`` may use the assistant.

    A chat holds answers quoted from the assistant's documents: someone the assistant is no longer
    shared with can't read even their own chats with it.
    """
    check_reader(catalog, workspace, user)
    return user.name if user is not None else ""


def new_chat(catalog, workspace: str, title: str = "New chat", *, user: User | None) -> Chat:
    name = _owner(catalog, workspace, user)
    now = time.time()
    chat = Chat(uuid.uuid4().hex, workspace, title, now, now, user=name)
    catalog.execute(
        'INSERT INTO chats(chat_id, workspace, title, created, updated, "user") VALUES (?, ?, ?, ?, ?, ?)',
        (chat.chat_id, workspace, title, now, now, name),
    )
    return chat


def list_chats(catalog, workspace: str, limit: int = 50, *, user: User | None) -> list[Chat]:
    """The user's own chats with an assistant, newest first (a shared assistant's chats stay private)."""
    name = _owner(catalog, workspace, user)
    rows = catalog.query(
        'SELECT * FROM chats WHERE workspace = ? AND "user" = ? ORDER BY updated DESC LIMIT ?', (workspace, name, limit)
    )
    return [Chat(r["chat_id"], r["workspace"], r["title"], r["created"], r["updated"], user=r["user"]) for r in rows]


def load_chat(catalog, chat_id: str, workspace: str, *, user: User | None) -> Chat | None:
    """A chat with its messages, only if it belongs to ``workspace`` and to ``user``."""
    name = _owner(catalog, workspace, user)
    rows = catalog.query(
        'SELECT * FROM chats WHERE chat_id = ? AND workspace = ? AND "user" = ?', (chat_id, workspace, name)
    )
    if not rows:
        return None
    r = rows[0]
    chat = Chat(r["chat_id"], r["workspace"], r["title"], r["created"], r["updated"], user=r["user"])
    for m in catalog.query("SELECT * FROM messages WHERE chat_id = ? ORDER BY created, msg_id", (chat_id,)):
        answer = answer_from_json(m["answer"]) if m["answer"] else None
        chat.messages.append(Message(m["msg_id"], m["role"], m["content"], answer, m["created"]))
    return chat


def add_message(catalog, chat: Chat, role: str, content: str, answer: Answer | None = None) -> Message:
    """Append a message; the first question becomes the chat's title."""
    with catalog.transaction() as c:
        # strictly after the chat's last message: messages are listed by time (the same clock reading twice
        # would leave their order to chance)
        last = c.query("SELECT MAX(created) AS last FROM messages WHERE chat_id = ?", (chat.chat_id,))[0]["last"]
        now = max(time.time(), (last or 0.0) + 1e-6)
        message = Message(uuid.uuid4().hex, role, content, answer, now)
        c.execute(
            "INSERT INTO messages(msg_id, chat_id, role, content, answer, created) VALUES (?, ?, ?, ?, ?, ?)",
            (message.msg_id, chat.chat_id, role, content, answer_to_json(answer) if answer else None, now),
        )
        if role == "user" and not any(m.role == "user" for m in chat.messages):
            chat.title = content.strip().splitlines()[0][:60] or chat.title
        c.execute("UPDATE chats SET updated = ?, title = ? WHERE chat_id = ?", (now, chat.title, chat.chat_id))
    chat.messages.append(message)
    chat.updated = now
    return message


def delete_chat(catalog, chat_id: str, workspace: str, *, user: User | None) -> None:
    user = _owner(catalog, workspace, user)
    with catalog.transaction() as c:
        c.execute(
            'DELETE FROM messages WHERE chat_id IN (SELECT chat_id FROM chats WHERE chat_id = ? AND workspace = ? AND "user" = ?)',
            (chat_id, workspace, user),
        )
        c.execute('DELETE FROM chats WHERE chat_id = ? AND workspace = ? AND "user" = ?', (chat_id, workspace, user))


def record_feedback(catalog, chat_id: str, workspace: str, user: User | None, msg_id: str, rating: int,
                    comment: str = "") -> None:
    """Thumbs up (+1) or down (-1) on an answer in the user's own chat, stored with its question, answer and sources."""
    chat = load_chat(catalog, chat_id, workspace, user=user)
    index = next((i for i, m in enumerate(chat.messages) if m.msg_id == msg_id), None) if chat else None
    if chat is None or index is None:
        raise NotFound("That answer is no longer there.")
    message = chat.messages[index]
    question = next((m.content for m in reversed(chat.messages[:index]) if m.role == "user"), "")
    sources = [c.as_dict() for c in message.answer.citations] if message.answer else []
    catalog.execute(
        "INSERT INTO feedback(msg_id, rating, comment, question, answer, sources, created) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(msg_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, question = excluded.question, "
        "answer = excluded.answer, sources = excluded.sources, created = excluded.created",
        (msg_id, 1 if rating > 0 else -1, comment.strip() or None, question, message.content, json.dumps(sources), time.time()),
    )


def feedback_for(catalog, msg_id: str, *, chat: Chat, user: User | None) -> dict | None:
    """The feedback on one answer of ``chat``, if ``user`` may read that chat (its owner, with access to the assistant)."""
    if _owner(catalog, chat.workspace, user) != chat.user or not any(m.msg_id == msg_id for m in chat.messages):
        raise NotFound("That answer is no longer there.")
    rows = catalog.query("SELECT * FROM feedback WHERE msg_id = ?", (msg_id,))
    return dict(rows[0]) if rows else None


def answer_markdown(question: str, answer: Answer) -> str:
    """One answer as Markdown, with its sources and grounding check."""
    lines = [f"**Question:** {question}", "", answer.answer, ""]
    if answer.notices:
        lines += [f"> {n.text}" for n in answer.notices] + [""]
    if answer.citations:
        lines.append("**Sources**")
        lines.append("")
        for c in answer.citations:
            where = ", ".join(x for x in (c.title, c.file, f"page {c.page}" if c.page else "", c.section) if x)
            lines.append(f"[{c.n}] {where} ({SOURCE_DELETED})" if c.source_deleted else f"[{c.n}] {where}  \n> {c.quote}")
            lines.append("")
    if not answer.refused and answer.sentences:
        if answer.answers_question is not None:
            verdict = "Answers the question" if answer.answers_question else "Doesn't answer the question"
            lines.append(f"*{verdict}: {answer.answers_reason}*  ")
        lines.append(f"*Supported: {answer.grounded_fraction:.0%} of the answer is backed by the passages it cites.*")
    return "\n".join(lines).strip() + "\n"


def chat_markdown(chat: Chat) -> str:
    """A whole chat as Markdown."""
    parts = [f"# {chat.title}", ""]
    question = ""
    for m in chat.messages:
        if m.role == "user":
            question = m.content
        elif m.answer is not None:
            parts += [answer_markdown(question, m.answer), "---", ""]
    return "\n".join(parts)
