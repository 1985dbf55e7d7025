"""Knowledge gaps in the catalog (``catalog.gaps``; tables of m021_knowledge_gaps, and the chats they are read from).

The grouping, naming and out-of-scope logic is :mod:`rag.workspace.gaps`; here are its statements:
the answers a gap may come from, the cached question vectors, and the topics marked out of scope.
Vectors are stored as float32 bytes. No access checks here: rag.workspace.gaps checks who may.
"""

from __future__ import annotations

import json

import numpy as np

from . import Row, Tables


class GapTables(Tables):
    """``gap_vectors`` (question vectors per embedding model), ``gap_scopes`` (topics marked out of scope), and the
    assistant answers of ``chats``/``messages``/``feedback`` that gaps are found in."""

    def assistant_answers(self, workspace: str) -> list[Row]:
        """Every stored answer in ``workspace``'s chats, newest first, with its question and rating: where gaps are.

        Columns: msg_id, chat_id, created, asker, answer (its JSON), rating (None without feedback), question (the
        user message before it). The answer's labels are read from its JSON by the caller, not in SQL: the same
        statement runs on SQLite and PostgreSQL.
        """
        return self._query(
            """
            SELECT m.msg_id, m.chat_id, m.created, c."user" AS asker, m.answer, f.rating,
                   (SELECT q.content FROM messages q
                     WHERE q.chat_id = m.chat_id AND q.role = 'user' AND q.created <= m.created
                     ORDER BY q.created DESC LIMIT 1) AS question
              FROM messages m
              JOIN chats c ON c.chat_id = m.chat_id
              LEFT JOIN feedback f ON f.msg_id = m.msg_id
             WHERE c.workspace = ? AND m.role = 'assistant' AND m.answer IS NOT NULL
             ORDER BY m.created DESC
            """,
            (workspace,),
        )

    def vectors(self, model: str, hashes: list[str]) -> dict[str, np.ndarray]:
        """The cached vectors of ``model`` for the question digests ``hashes`` that have one (so only new ones are
        embedded)."""
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(hashes), 500):
            part = hashes[start:start + 500]
            marks = ",".join("?" * len(part))
            rows = self._query(f"SELECT text_hash, vector FROM gap_vectors WHERE model = ? AND text_hash IN ({marks})",
                               (model, *part))
            found.update({r["text_hash"]: np.frombuffer(r["vector"], dtype=np.float32) for r in rows})
        return found

    def save_vectors(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        """Cache question vectors of ``model`` by question digest (one transaction; a second one replaces)."""
        with self.catalog.transaction():
            for text_hash, vector in vectors.items():
                self._execute("INSERT INTO gap_vectors(model, text_hash, vector) VALUES (?, ?, ?) "
                              "ON CONFLICT(model, text_hash) DO UPDATE SET vector = excluded.vector",
                              (model, text_hash, np.asarray(vector, dtype=np.float32).tobytes()))

    def scopes(self, workspace: str) -> list[Row]:
        """``workspace``'s out-of-scope topics, oldest first (rows of gap_scopes: questions JSON, vectors bytes)."""
        return self._query("SELECT * FROM gap_scopes WHERE workspace = ? ORDER BY created", (workspace,))

    def add_scope(self, workspace: str, scope_id: str, topic: str, reply: str, questions: list[str], model: str,
                  vectors: np.ndarray, created: float, created_by: str) -> None:
        """Mark a topic out of scope: its questions, their vectors of ``model`` and the reply later ones get."""
        self._execute(
            "INSERT INTO gap_scopes(scope_id, workspace, topic, reply, questions, model, vectors, created, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (scope_id, workspace, topic, reply, json.dumps(questions), model,
             np.asarray(vectors, dtype=np.float32).tobytes(), created, created_by),
        )

    def delete_scope(self, workspace: str, scope_id: str) -> bool:
        """Put a topic back in scope; False when it wasn't marked (any more)."""
        before = self._query("SELECT 1 FROM gap_scopes WHERE workspace = ? AND scope_id = ?", (workspace, scope_id))
        self._execute("DELETE FROM gap_scopes WHERE workspace = ? AND scope_id = ?", (workspace, scope_id))
        return bool(before)
