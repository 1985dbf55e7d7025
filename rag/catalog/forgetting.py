"""Forget checks (table ``forget_checks``) and clearing what the catalog keeps of a removed document beside the
index (its style rules, its retrieval log, its passages quoted in saved chats): rag/ingest/forgetting.py's statements.

A check's trace (questions, figures and fingerprints, never the document's text) is JSON here and a ``Trace``
in rag/ingest/forgetting.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from . import Tables


@dataclass(frozen=True)
class ForgetCheckRecord:
    """One forget check as stored: what the removed document said (``trace``), and what re-asking showed."""

    check_id: str
    workspace: str
    doc_id: str
    file: str
    reason: str
    created: float
    trace: dict
    status: str = "pending"  # pending | passed | failed
    checked: float | None = None
    result: dict | None = None


@dataclass(frozen=True)
class Leftovers:
    """Where the catalog still holds a removed document (or version)."""

    listed: bool = False  # among the assistant's documents
    style_rules: bool = False  # style rules read from it
    search_log: bool = False  # the retrieval log lists its passages
    quoted: int = 0  # passages of it saved chats still quote


def _check(r) -> ForgetCheckRecord:
    return ForgetCheckRecord(r["check_id"], r["workspace"], r["doc_id"], r["file"], r["reason"], r["created"],
                             json.loads(r["trace"]), r["status"], r["checked"],
                             json.loads(r["result"]) if r["result"] else None)


def _scrub_citations(citations: list, doc_id: str, chunk_ids: set[str] | None) -> bool:
    changed = False
    for c in citations:
        if c.get("doc_id") == doc_id and (chunk_ids is None or c.get("chunk_id") in chunk_ids) and not c.get("source_deleted"):
            c["quote"], c["section"], c["source_deleted"] = "", "", True
            changed = True
    return changed


_QUOTING = ("SELECT m.msg_id, m.answer FROM messages m JOIN chats c ON c.chat_id = m.chat_id "
            "WHERE c.workspace = ? AND m.answer LIKE ?")


class ForgettingTables(Tables):
    """Forget records and their checks."""

    # the checks
    def add(self, check: ForgetCheckRecord) -> None:
        """Keep a pending forget check (its status is always "pending" when added)."""
        self._execute(
            "INSERT INTO forget_checks(check_id, workspace, doc_id, file, reason, created, trace, status) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')",
            (check.check_id, check.workspace, check.doc_id, check.file, check.reason, check.created, json.dumps(check.trace)),
        )

    def checks(self, workspace: str, *, doc_id: str | None = None, status: str | None = None,
               limit: int = 50) -> list[ForgetCheckRecord]:
        """An assistant's forget checks, newest first (of one document, in one state)."""
        sql, args = "SELECT * FROM forget_checks WHERE workspace = ?", [workspace]
        if doc_id is not None:
            sql, args = sql + " AND doc_id = ?", [*args, doc_id]
        if status is not None:
            sql, args = sql + " AND status = ?", [*args, status]
        return [_check(r) for r in self._query(sql + " ORDER BY created DESC LIMIT ?", (*args, limit))]

    def workspaces_with_pending(self) -> list[str]:
        """The assistants with forget checks still to run."""
        return [r["workspace"] for r in self._query("SELECT DISTINCT workspace FROM forget_checks WHERE status = 'pending'")]

    def newest_of(self, doc_id: str) -> ForgetCheckRecord | None:
        """The newest forget check of a document, in any assistant."""
        rows = self._query("SELECT * FROM forget_checks WHERE doc_id = ? ORDER BY created DESC LIMIT 1", (doc_id,))
        return _check(rows[0]) if rows else None

    def save_result(self, check_id: str, passed: bool, result: dict, checked: float) -> None:
        """Record what a check's run showed (passed: the document is gone from answers and the catalog)."""
        self._execute("UPDATE forget_checks SET status = ?, checked = ?, result = ? WHERE check_id = ?",
                      ("passed" if passed else "failed", checked, json.dumps(result), check_id))

    def drop_workspace(self, workspace: str) -> None:
        """An assistant deleted: its forget checks go with it."""
        self._execute("DELETE FROM forget_checks WHERE workspace = ?", (workspace,))

    # clearing what the catalog keeps beside the index
    def clear_document(self, workspace: str, doc_id: str) -> None:
        """A whole document is gone: its style rules and its retrieval log go, together."""
        with self.catalog.transaction():
            self._execute("DELETE FROM style_rules WHERE doc_id = ?", (doc_id,))
            self._execute("DELETE FROM retrieval_hits WHERE workspace = ? AND doc_id = ?", (workspace, doc_id))

    def clear_old_version(self, doc_id: str) -> None:
        """A new version replaced the document: its style rules no person touched go, the others lose the old wording."""
        with self.catalog.transaction():
            self._execute("DELETE FROM style_rules WHERE doc_id = ? AND edited = 0 AND removed = 0", (doc_id,))
            self._execute("UPDATE style_rules SET source_sentence = '' WHERE doc_id = ?", (doc_id,))

    def scrub_quotes(self, workspace: str, doc_id: str, chunk_ids: Iterable[str] | None) -> None:
        """Saved answers (and their feedback) keep their text; their citations of the document (of ``chunk_ids``
        only, when given) lose the quoted passage and say so, and the passages they retrieved from it go."""
        ids = None if chunk_ids is None else set(chunk_ids)
        rows = self._query(_QUOTING, (workspace, f"%{doc_id}%"))
        with self.catalog.transaction():
            for r in rows:
                data = json.loads(r["answer"])
                changed = _scrub_citations(data.get("citations", []), doc_id, ids)
                hits = data.get("hits", [])
                kept = [h for h in hits if not (h.get("doc_id") == doc_id and (ids is None or h.get("chunk_id") in ids))]
                if changed or len(kept) != len(hits):
                    data["hits"] = kept
                    self._execute("UPDATE messages SET answer = ? WHERE msg_id = ?", (json.dumps(data), r["msg_id"]))
                feedback = self._query("SELECT sources FROM feedback WHERE msg_id = ?", (r["msg_id"],))
                if feedback and feedback[0]["sources"]:
                    sources = json.loads(feedback[0]["sources"])
                    if _scrub_citations(sources, doc_id, ids):
                        self._execute("UPDATE feedback SET sources = ? WHERE msg_id = ?", (json.dumps(sources), r["msg_id"]))

    # what a check reads back
    def leftovers(self, workspace: str, doc_id: str, chunk_ids: Iterable[str], whole: bool) -> Leftovers:
        """Where the catalog still holds document ``doc_id`` (``whole``: all of it; else only the passages
        ``chunk_ids`` of a replaced version, which are then all that is looked for)."""
        listed = style = logged = False
        if whole:
            listed = bool(self._query("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)))
            style = bool(self._query("SELECT 1 FROM style_rules WHERE doc_id = ?", (doc_id,)))
            logged = bool(self._query("SELECT 1 FROM retrieval_hits WHERE workspace = ? AND doc_id = ?", (workspace, doc_id)))
        ids = set(chunk_ids)
        quoted = 0
        for r in self._query(_QUOTING, (workspace, f"%{doc_id}%")):
            data = json.loads(r["answer"])
            quoted += sum(1 for c in data.get("citations", [])
                          if c.get("doc_id") == doc_id and c.get("quote") and (not ids or c.get("chunk_id") in ids))
            quoted += sum(1 for h in data.get("hits", []) if h.get("doc_id") == doc_id and (not ids or h.get("chunk_id") in ids))
        return Leftovers(listed, style, logged, quoted)
