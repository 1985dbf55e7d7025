"""Chat history and feedback, per assistant: who may read and write them (the tables are ``catalog.chats``,
:mod:`rag.catalog.chats`, which also holds the types and the JSON an answer is stored as).

Each assistant message stores the full structured Answer as JSON, so a
reopened chat shows the same sources and checks, and feedback keeps the
question, the answer and its sources together.
"""

from __future__ import annotations

import time
import uuid

from ..catalog.chats import Chat, Message, answer_from_json, answer_to_json  # noqa: F401 - the types, here as before
from ..errors import NotFound
from ..present import SOURCE_DELETED
from ..types import Answer
from .access import User
from .assistants import check_reader


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
    catalog.chats.add_chat(chat)
    return chat


def list_chats(catalog, workspace: str, limit: int = 50, *, user: User | None) -> list[Chat]:
    """The user's own chats with an assistant, newest first (a shared assistant's chats stay private)."""
    name = _owner(catalog, workspace, user)
    return catalog.chats.list_chats(workspace, name, limit)


def load_chat(catalog, chat_id: str, workspace: str, *, user: User | None) -> Chat | None:
    """A chat with its messages, only if it belongs to ``workspace`` and to ``user``."""
    name = _owner(catalog, workspace, user)
    return catalog.chats.get_chat(chat_id, workspace, name)


def add_message(catalog, chat: Chat, role: str, content: str, answer: Answer | None = None) -> Message:
    """Append a message; the first question becomes the chat's title."""
    title = chat.title
    if role == "user" and not any(m.role == "user" for m in chat.messages):
        title = content.strip().splitlines()[0][:60] or chat.title
    message = catalog.chats.add_message(chat.chat_id, role, content, answer, title)
    chat.title = title
    chat.messages.append(message)
    chat.updated = message.created
    return message


def delete_chat(catalog, chat_id: str, workspace: str, *, user: User | None) -> None:
    user = _owner(catalog, workspace, user)
    catalog.chats.delete_chat(chat_id, workspace, user)


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
    catalog.chats.save_feedback(msg_id, 1 if rating > 0 else -1, comment.strip() or None, question, message.content,
                                sources)


def feedback_for(catalog, msg_id: str, *, chat: Chat, user: User | None) -> dict | None:
    """The feedback on one answer of ``chat``, if ``user`` may read that chat (its owner, with access to the assistant)."""
    if _owner(catalog, chat.workspace, user) != chat.user or not any(m.msg_id == msg_id for m in chat.messages):
        raise NotFound("That answer is no longer there.")
    row = catalog.chats.feedback(msg_id)
    return dict(row) if row is not None else None


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
