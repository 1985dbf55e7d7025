"""The catalog: SQLite rows for assistants (workspaces), documents, chats and feedback.

The catalog is the source of truth for what a user sees as ready. A
document is ``ready`` only after its chunks are stored in the index; while
work is under way it is ``indexing`` (and its previous ready version, if
any, stays searchable until the new one is complete).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS workspaces (
    name TEXT PRIMARY KEY,
    created REAL NOT NULL,
    config TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    file TEXT NOT NULL,
    original_path TEXT,
    content_hash TEXT,
    version TEXT,
    pending_version TEXT,
    kind TEXT NOT NULL DEFAULT 'other',
    pages INTEGER,
    chunks INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    error TEXT,
    uploaded REAL NOT NULL,
    updated REAL NOT NULL,
    settings TEXT,
    size_bytes INTEGER,
    title TEXT,
    about TEXT,
    index_seconds REAL
);
CREATE INDEX IF NOT EXISTS documents_workspace ON documents(workspace, file);
CREATE TABLE IF NOT EXISTS chats (
    chat_id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    title TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS chats_workspace ON chats(workspace, updated);
CREATE TABLE IF NOT EXISTS messages (
    msg_id TEXT PRIMARY KEY,
    chat_id TEXT NOT NULL REFERENCES chats(chat_id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    answer TEXT,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_chat ON messages(chat_id, created);
CREATE TABLE IF NOT EXISTS feedback (
    msg_id TEXT PRIMARY KEY,
    rating INTEGER NOT NULL,
    comment TEXT,
    question TEXT,
    answer TEXT,
    sources TEXT,
    created REAL NOT NULL
);
"""


@dataclass
class DocumentRow:
    doc_id: str
    workspace: str
    file: str
    original_path: str | None
    content_hash: str | None
    version: str | None
    pending_version: str | None
    kind: str
    pages: int | None
    chunks: int
    status: str  # indexing | ready | failed | deleting
    error: str | None
    uploaded: float
    updated: float
    settings: str | None
    size_bytes: int | None
    title: str | None
    about: str | None = None  # who and what the document is about (names on its first pages), for coverage checks
    index_seconds: float | None = None  # how long its last indexing took: re-index estimates

    @property
    def chunk_settings(self) -> dict:
        return json.loads(self.settings) if self.settings else {}

    def as_public_dict(self) -> dict:
        """The fields ``grounded docs --json`` promises."""
        return {
            "doc_id": self.doc_id,
            "file": self.file,
            "kind": self.kind,
            "pages": self.pages,
            "chunks": self.chunks,
            "status": self.status,
            "error": self.error,
            "uploaded": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.uploaded)),
        }


_FIELDS = [f for f in DocumentRow.__dataclass_fields__]


class Catalog:
    """Thread-safe access to the catalog database (one connection, WAL journal)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.executescript(SCHEMA)
            self._migrate()

    def _migrate(self) -> None:
        """Columns added after the first release, added in place to older catalogs."""
        doc_columns = {r["name"] for r in self._conn.execute("PRAGMA table_info(documents)")}
        if "about" not in doc_columns:
            self._conn.execute("ALTER TABLE documents ADD COLUMN about TEXT")
        if "index_seconds" not in doc_columns:
            self._conn.execute("ALTER TABLE documents ADD COLUMN index_seconds REAL")
        chat_columns = {r["name"] for r in self._conn.execute("PRAGMA table_info(chats)")}
        if "user" not in chat_columns:  # who a chat belongs to ("" = the local user, sign-in off)
            self._conn.execute("ALTER TABLE chats ADD COLUMN user TEXT NOT NULL DEFAULT ''")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def query(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def execute(self, sql: str, args: tuple = ()) -> None:
        with self._lock:
            self._conn.execute(sql, args)

    # workspaces (an assistant's configuration is the JSON in ``config``; see assistants.py)
    def ensure_workspace(self, name: str) -> None:
        self.execute("INSERT OR IGNORE INTO workspaces(name, created) VALUES (?, ?)", (name, time.time()))

    def workspaces(self) -> list[str]:
        return [r["name"] for r in self.query("SELECT name FROM workspaces ORDER BY created, name")]

    def transaction(self):
        """A context manager that runs several statements atomically."""
        return _Transaction(self)

    # documents
    def get(self, doc_id: str) -> DocumentRow | None:
        rows = self.query("SELECT * FROM documents WHERE doc_id = ?", (doc_id,))
        return DocumentRow(**dict(rows[0])) if rows else None

    def documents(self, workspace: str | None = None, status: str | None = None) -> list[DocumentRow]:
        sql, args = "SELECT * FROM documents WHERE 1=1", []
        if workspace is not None:
            sql += " AND workspace = ?"
            args.append(workspace)
        if status is not None:
            sql += " AND status = ?"
            args.append(status)
        return [DocumentRow(**dict(r)) for r in self.query(sql + " ORDER BY file", tuple(args))]

    def upsert(self, row: DocumentRow) -> None:
        placeholders = ", ".join("?" for _ in _FIELDS)
        values = tuple(asdict(row)[f] for f in _FIELDS)
        self.execute(f"INSERT OR REPLACE INTO documents({', '.join(_FIELDS)}) VALUES ({placeholders})", values)

    def update(self, doc_id: str, **fields) -> None:
        fields.setdefault("updated", time.time())
        assignments = ", ".join(f"{k} = ?" for k in fields)
        self.execute(f"UPDATE documents SET {assignments} WHERE doc_id = ?", (*fields.values(), doc_id))

    def delete(self, doc_id: str) -> None:
        self.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))


class _Transaction:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog

    def __enter__(self) -> Catalog:
        self.catalog._lock.acquire()
        self.catalog._conn.execute("BEGIN IMMEDIATE")
        return self.catalog

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self.catalog._conn.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self.catalog._lock.release()
