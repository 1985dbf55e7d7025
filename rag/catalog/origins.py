"""Where a document lives on the web and when it last changed there (table ``doc_origins``): rag/ingest/origins.py's
statements."""

from __future__ import annotations

from . import Tables


class OriginTables(Tables):
    """Where an imported page came from."""

    def remember(self, doc_id: str, url: str | None, modified: float | None) -> None:
        """Record (or replace) a document's live address and last change."""
        self._execute(
            "INSERT INTO doc_origins(doc_id, url, modified) VALUES (?, ?, ?) "
            "ON CONFLICT(doc_id) DO UPDATE SET url = excluded.url, modified = excluded.modified",
            (doc_id, url, modified),
        )

    def forget(self, doc_id: str) -> None:
        """Drop a document's origin (it has none any more, or it is gone)."""
        self._execute("DELETE FROM doc_origins WHERE doc_id = ?", (doc_id,))

    def origin_of(self, doc_id: str) -> tuple[str | None, float | None]:
        """(live address, last change) of a document, each None when unknown."""
        rows = self._query("SELECT url, modified FROM doc_origins WHERE doc_id = ?", (doc_id,))
        return (rows[0]["url"], rows[0]["modified"]) if rows else (None, None)

    def url_of(self, doc_id: str) -> str:
        """The document's live address, or "" when it has none (citations link to it)."""
        rows = self._query("SELECT url FROM doc_origins WHERE doc_id = ?", (doc_id,))
        return (rows[0]["url"] or "") if rows else ""

    def modified_of(self, workspace: str) -> dict[str, float]:
        """doc_id -> when it last changed at its origin, for an assistant's documents that say so."""
        rows = self._query(
            "SELECT o.doc_id, o.modified FROM doc_origins o JOIN documents d ON d.doc_id = o.doc_id "
            "WHERE d.workspace = ? AND o.modified IS NOT NULL", (workspace,))
        return {r["doc_id"]: r["modified"] for r in rows}
