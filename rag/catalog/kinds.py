"""Each document's kind and date as guessed and as chosen (table ``doc_kinds``): the statements of rag/ingest/kinds.py."""

from __future__ import annotations

from dataclasses import dataclass

from . import Tables


@dataclass(frozen=True)
class KindRecord:
    doc_id: str
    guessed: str | None
    chosen: bool
    reason: str
    doc_date: float | None


def _record(r) -> KindRecord:
    return KindRecord(r["doc_id"], r["guessed"], bool(r["chosen"]), r["reason"] or "", r["doc_date"])


class KindTables(Tables):
    """Each document's kind and date, guessed and chosen."""

    def record(self, doc_id: str) -> KindRecord | None:
        """What was guessed (or chosen) for one document's kind, and the date it states."""
        rows = self._query("SELECT doc_id, guessed, chosen, reason, doc_date FROM doc_kinds WHERE doc_id = ?", (doc_id,))
        return _record(rows[0]) if rows else None

    def records(self, workspace: str) -> dict[str, KindRecord]:
        """doc_id -> its kind record, for every document of an assistant that has one."""
        rows = self._query("SELECT doc_id, guessed, chosen, reason, doc_date FROM doc_kinds WHERE workspace = ?", (workspace,))
        return {r["doc_id"]: _record(r) for r in rows}

    def save(self, doc_id: str, workspace: str, guessed: str | None, chosen: bool, reason: str, doc_date: float | None,
             updated: float) -> None:
        """Record (or replace) a document's kind record."""
        self._execute(
            "INSERT INTO doc_kinds(doc_id, workspace, guessed, chosen, reason, doc_date, updated) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(doc_id) DO UPDATE SET workspace = excluded.workspace, guessed = excluded.guessed, "
            "chosen = excluded.chosen, reason = excluded.reason, doc_date = excluded.doc_date, updated = excluded.updated",
            (doc_id, workspace, guessed, int(chosen), reason, doc_date, updated),
        )

    def forget(self, doc_id: str) -> None:
        """A document is gone: its kind record goes too."""
        self._execute("DELETE FROM doc_kinds WHERE doc_id = ?", (doc_id,))
