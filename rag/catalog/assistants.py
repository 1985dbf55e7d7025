"""Assistants in the catalog (``catalog.assistants``): the ``workspaces`` table, one row per assistant.

An assistant's id is its workspace (the index collection and the catalog rows hang off it); its settings,
owner and sharing are the JSON in ``config`` (read and written as :class:`rag.access.assistants.Assistant`).
No access checks here: :mod:`rag.access` decides who may read or change an assistant.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from . import Tables


@dataclass(frozen=True)
class AssistantRow:
    """One stored assistant: its id (the workspace name), when it was made, and its settings as JSON."""

    id: str
    created: float
    config: str


def _row(r) -> AssistantRow:
    return AssistantRow(r["name"], r["created"], r["config"])


class AssistantTables(Tables):
    def all(self) -> list[AssistantRow]:
        """Every assistant, oldest first."""
        return [_row(r) for r in self._query("SELECT name, created, config FROM workspaces ORDER BY created, name")]

    def get(self, assistant_id: str) -> AssistantRow | None:
        rows = self._query("SELECT name, created, config FROM workspaces WHERE name = ?", (assistant_id,))
        return _row(rows[0]) if rows else None

    def save(self, assistant_id: str, config: str, created: float | None = None) -> None:
        """Store an assistant's settings (``created`` is kept when it exists already)."""
        self._execute(
            "INSERT INTO workspaces(name, created, config) VALUES (?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET config = excluded.config",
            (assistant_id, created or time.time(), config),
        )

    def delete_with_its_rows(self, assistant_id: str) -> None:
        """Remove the assistant and, in one transaction, its chats and messages, sources (their pages go with them:
        ON DELETE CASCADE), queued jobs and out-of-scope topics. Documents, the index and checks are removed by
        their own owners first (rag/workspace/assistants.py delete_assistant)."""
        with self.catalog.transaction() as c:
            c.execute("DELETE FROM feedback WHERE msg_id IN (SELECT m.msg_id FROM messages m JOIN chats ch "
                      "ON ch.chat_id = m.chat_id WHERE ch.workspace = ?)", (assistant_id,))
            c.execute("DELETE FROM messages WHERE chat_id IN (SELECT chat_id FROM chats WHERE workspace = ?)",
                      (assistant_id,))
            c.execute("DELETE FROM chats WHERE workspace = ?", (assistant_id,))
            c.execute("DELETE FROM sources WHERE workspace = ?", (assistant_id,))
            c.execute("DELETE FROM jobs WHERE workspace = ?", (assistant_id,))
            c.execute("DELETE FROM gap_scopes WHERE workspace = ?", (assistant_id,))
            c.execute("DELETE FROM workspaces WHERE name = ?", (assistant_id,))
