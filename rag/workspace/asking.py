"""Asking an assistant and searching its documents, through the door: each call takes the acting user and refuses
("not found") someone the assistant isn't shared with (the checks are made in rag/answer/ itself, so Python callers
get them too)."""

from __future__ import annotations

from ..answer.chain import AskOptions, Event, Turn, ask, ask_stream
from ..answer.retrieve import Retrieval, retrieve, search

__all__ = ["AskOptions", "Event", "Retrieval", "Turn", "ask", "ask_stream", "retrieve", "search"]
