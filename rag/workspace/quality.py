"""Answer checks and forget checks, through the door: for the Checks and Knowledge pages, the Chat page's "make this
a check" and the command line. Every call takes the acting user: readers see checks and results, an assistant's
managers add, edit, drop and run them, delete documents and see what their removal left behind (the checks are
made in rag/quality/ itself)."""

from __future__ import annotations

from ..access.assistants import get_assistant
from ..access.users import User
from ..errors import NotFound
from ..quality.checks import (
    BadCheck,
    Suggestion,
    accept_suggestion,
    add_check,
    drop_suggestion,
    edit_check,
    list_checks,
    queue_checks,
    remove_check,
    run_checks,
    run_progress,
    run_report,
    runs,
    suggest_checks,
    waiting_run,
)
from ..quality.checks import check_from_answer as _check_from_answer
from ..quality.forget import CheckSummary, ForgetItem, ForgetResult, delete_and_check, forget_check, run_pending
from ..quality.forget import results as forget_results
from ..store import Store
from .chats import load_chat
from ..catalog.checks import Check

__all__ = [  # noqa: RUF022 - grouped by what they are
    "BadCheck", "Check", "CheckSummary", "ForgetItem", "ForgetResult", "Suggestion",  # what the calls take and return
    "accept_suggestion", "add_check", "check_from_chat", "drop_suggestion", "edit_check", "list_checks",
    "queue_checks", "remove_check", "run_checks", "run_progress", "run_report", "runs", "suggest_checks",
    "waiting_run",  # answer checks
    "delete_and_check", "forget_check", "forget_results", "run_pending",  # forget checks
]


def check_from_chat(store: Store, assistant_id: str, chat_id: str, msg_id: str, *, user: User | None) -> Check:
    """A thumbs-up answer of the person's own chat as a check in one click (an assistant they manage): its question,
    the figures and names it states, the document it cites first."""
    get_assistant(store.catalog, assistant_id, user, manage=True)  # a reader is told who may, before any chat is read
    chat = load_chat(store.catalog, chat_id, assistant_id, user=user)
    index = next((i for i, m in enumerate(chat.messages) if m.msg_id == msg_id), None) if chat else None
    if chat is None or index is None or chat.messages[index].answer is None:
        raise NotFound("That answer is no longer there.")
    question = next((m.content for m in reversed(chat.messages[:index]) if m.role == "user"), "")
    return _check_from_answer(store, assistant_id, question, chat.messages[index].answer, user=user)
