"""Chats, their messages and the feedback on answers (``catalog.chats``; tables of m001_initial and m004_chat_owner).

Each assistant message stores the full structured Answer as JSON (:func:`answer_to_json`), so a
reopened chat shows the same sources and checks, and feedback keeps the question, the answer and
its sources together. No access checks here: :mod:`rag.workspace.chats` checks who may.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field

from ..types import Answer, Citation, Hit, Notice, SentenceCheck
from . import Row, Tables


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


class ChatTables(Tables):
    """``chats``, ``messages`` and ``feedback``: a person's chats with an assistant (``owner`` "" when sign-in is off)."""

    def add_chat(self, chat: Chat) -> None:
        """Save a new, empty chat."""
        self._execute(
            'INSERT INTO chats(chat_id, workspace, title, created, updated, "user") VALUES (?, ?, ?, ?, ?, ?)',
            (chat.chat_id, chat.workspace, chat.title, chat.created, chat.updated, chat.user),
        )

    def list_chats(self, workspace: str, owner: str, limit: int = 50) -> list[Chat]:
        """``owner``'s chats with an assistant (without their messages), newest first."""
        rows = self._query(
            'SELECT * FROM chats WHERE workspace = ? AND "user" = ? ORDER BY updated DESC LIMIT ?',
            (workspace, owner, limit)
        )
        return [Chat(r["chat_id"], r["workspace"], r["title"], r["created"], r["updated"], user=r["user"]) for r in rows]

    def get_chat(self, chat_id: str, workspace: str, owner: str) -> Chat | None:
        """A chat with its messages in order, only if it belongs to ``workspace`` and to ``owner``."""
        rows = self._query(
            'SELECT * FROM chats WHERE chat_id = ? AND workspace = ? AND "user" = ?', (chat_id, workspace, owner)
        )
        if not rows:
            return None
        r = rows[0]
        chat = Chat(r["chat_id"], r["workspace"], r["title"], r["created"], r["updated"], user=r["user"])
        for m in self._query("SELECT * FROM messages WHERE chat_id = ? ORDER BY created, msg_id", (chat_id,)):
            answer = answer_from_json(m["answer"]) if m["answer"] else None
            chat.messages.append(Message(m["msg_id"], m["role"], m["content"], answer, m["created"]))
        return chat

    def add_message(self, chat_id: str, role: str, content: str, answer: Answer | None, title: str) -> Message:
        """Save a message at the end of a chat and set the chat's title and time; returns it with its id and time."""
        with self.catalog.transaction():
            # strictly after the chat's last message: messages are listed by time (the same clock reading twice
            # would leave their order to chance)
            last = self._query("SELECT MAX(created) AS last FROM messages WHERE chat_id = ?", (chat_id,))[0]["last"]
            now = max(time.time(), (last or 0.0) + 1e-6)
            message = Message(uuid.uuid4().hex, role, content, answer, now)
            self._execute(
                "INSERT INTO messages(msg_id, chat_id, role, content, answer, created) VALUES (?, ?, ?, ?, ?, ?)",
                (message.msg_id, chat_id, role, content, answer_to_json(answer) if answer else None, now),
            )
            self._execute("UPDATE chats SET updated = ?, title = ? WHERE chat_id = ?", (now, title, chat_id))
        return message

    def delete_chat(self, chat_id: str, workspace: str, owner: str) -> None:
        """Delete a chat, its messages and the ratings given to them, only if it belongs to ``workspace`` and to
        ``owner`` (a rating keeps the question and answer it rates: it must not outlive the chat)."""
        with self.catalog.transaction():
            self._execute(
                'DELETE FROM feedback WHERE msg_id IN (SELECT m.msg_id FROM messages m JOIN chats c ON c.chat_id = m.chat_id '
                'WHERE c.chat_id = ? AND c.workspace = ? AND c."user" = ?)',
                (chat_id, workspace, owner),
            )
            self._execute(
                'DELETE FROM messages WHERE chat_id IN (SELECT chat_id FROM chats WHERE chat_id = ? AND workspace = ? AND "user" = ?)',
                (chat_id, workspace, owner),
            )
            self._execute('DELETE FROM chats WHERE chat_id = ? AND workspace = ? AND "user" = ?',
                          (chat_id, workspace, owner))

    def save_feedback(self, msg_id: str, rating: int, comment: str | None, question: str, answer: str,
                      sources: list[dict]) -> None:
        """Keep a rating (+1 or -1) of an answer with its question, text and sources; a second one replaces it."""
        self._execute(
            "INSERT INTO feedback(msg_id, rating, comment, question, answer, sources, created) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(msg_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, question = excluded.question, "
            "answer = excluded.answer, sources = excluded.sources, created = excluded.created",
            (msg_id, rating, comment, question, answer, json.dumps(sources), time.time()),
        )

    def feedback(self, msg_id: str) -> Row | None:
        """The feedback on one answer (its row: rating, comment, question, answer, sources JSON, created), if any."""
        rows = self._query("SELECT * FROM feedback WHERE msg_id = ?", (msg_id,))
        return rows[0] if rows else None
