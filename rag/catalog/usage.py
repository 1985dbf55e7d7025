"""The retrieval log (tables ``retrieval_hits``, ``retrieval_questions``): which passages questions and drafts
retrieve, and how often people asked; the health check reads it (rag/workspace/health.py)."""

from __future__ import annotations

import time
from collections.abc import Iterable

from . import Tables


class UsageTables(Tables):
    """Which documents answers used, and how often people asked."""

    def record(self, workspace: str, hits: Iterable, source: str = "question") -> None:
        """Note which chunks a question (or a draft) retrieved: one row per question, a counter per chunk.

        ``hits``: anything with ``chunk_id`` and ``doc_id`` (the retrieved passages)."""
        now = time.time()
        hits = list(hits)
        with self.catalog.transaction():
            self._execute("INSERT INTO retrieval_questions(workspace, at, source) VALUES (?, ?, ?)", (workspace, now, source))
            for h in hits:
                self._execute(
                    "INSERT INTO retrieval_hits(workspace, chunk_id, doc_id, hits, last) VALUES (?, ?, ?, 1, ?) "
                    "ON CONFLICT(workspace, chunk_id) DO UPDATE SET hits = retrieval_hits.hits + 1, last = excluded.last",
                    (workspace, h.chunk_id, h.doc_id, now),
                )

    def hits_by_document(self, workspace: str) -> dict[str, int]:
        """doc_id -> how many times any of its chunks was retrieved (the health check's "never retrieved")."""
        rows = self._query("SELECT doc_id, SUM(hits) AS n FROM retrieval_hits WHERE workspace = ? GROUP BY doc_id",
                           (workspace,))
        return {r["doc_id"]: r["n"] for r in rows}

    def questions_since(self, workspace: str, since: float) -> int:
        """How many questions (and drafts) an assistant was asked since ``since``."""
        rows = self._query("SELECT COUNT(*) AS n FROM retrieval_questions WHERE workspace = ? AND at >= ?",
                           (workspace, since))
        return rows[0]["n"]
