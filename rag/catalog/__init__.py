"""The catalog: the tables for assistants (workspaces), documents, kinds, chats, feedback, voice guidance, the
retrieval log, documents' web origins, the sources kept in sync, style rules, saved model connections and the
indexing queue.

The catalog is the source of truth for what a user sees as ready. A
document is ``ready`` only after its chunks are stored in the index; while
work is under way it is ``indexing`` (and its previous ready version, if
any, stays searchable until the new one is complete).

One engine through SQLAlchemy Core: a SQLite file in the data folder by default (no setting), or
PostgreSQL with ``GROUNDED_DATABASE_URL=postgresql://...`` (psycopg 3), which a team's app processes
and indexers share (docs/team.md). Every statement lives in this package: the documents' in
:class:`Catalog` itself, every other table family's in a module of its own (queue.py, sources.py, chats.py,
checks.py, ...) as typed methods reached as ``catalog.<family>`` (see the block of properties below);
other modules never write SQL (tests/test_sql_home.py fails on it). The SQL is written once for both engines: ``?`` parameters, ``ON CONFLICT`` (never ``INSERT OR ...``), no
``rowid`` or ``PRAGMA``, ``"user"`` quoted, flags as 0/1 integers, times as seconds (REAL, which is
DOUBLE PRECISION on PostgreSQL). ``catalog.postgres`` tells the few statements that differ.

Every table is created by migrations, run when a catalog is opened, as one Alembic history
(rag/catalog/migrations/) that runs on both engines: its base revision is :data:`BASE` (m001..m019 below,
written before Alembic, recorded per catalog in ``_migrations``: a catalog made by them is
recognised, not rebuilt); every later change is an Alembic revision (see rag/catalog/migrations/__init__.py).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

import sqlalchemy as sa

from .migrations import Schema, upgrade
from .migrations import placeholders as _placeholders

DocumentStatus = Literal["indexing", "ready", "failed", "deleting", "waiting"]  # waiting: see rag.ingest.pipeline.WAITING

# The schema before Alembic, as one ordered list of migrations (as simonw/llm keeps it): each runs once
# per catalog, in order, and is recorded in ``_migrations``. Never edit one that has shipped. They are
# written to be harmless on catalogs made before this list existed (IF NOT EXISTS, columns added only
# when missing), in SQLite's words: :class:`Schema` says them in PostgreSQL's when the catalog is there.


def _columns(conn: Schema, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(conn.connection).get_columns(table)}


def _script(conn: Schema, sql: str) -> None:
    """Run several statements inside the caller's transaction (``executescript`` would commit it)."""
    for statement in sql.split(";"):
        if statement.strip():
            conn.execute(statement)


def _add_column(conn: Schema, table: str, column: str, decl: str) -> None:
    if column not in _columns(conn, table):
        conn.execute(f'ALTER TABLE {table} ADD COLUMN "{column}" {decl}')


def m001_initial(conn: Schema) -> None:
    _script(conn, """
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
    title TEXT
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
""")


def m002_document_about(conn: Schema) -> None:
    """Who and what a document is about (names on its first pages), for the subject checks."""
    _add_column(conn, "documents", "about", "TEXT")


def m003_document_index_seconds(conn: Schema) -> None:
    """How long a document's last indexing took: re-index estimates."""
    _add_column(conn, "documents", "index_seconds", "REAL")


def m004_chat_owner(conn: Schema) -> None:
    """Who a chat belongs to ("" = the local user, sign-in off)."""
    _add_column(conn, "chats", "user", "TEXT NOT NULL DEFAULT ''")


def m005_document_kinds(conn: Schema) -> None:
    """What was guessed for a document's kind (and why), whether a person chose it, the date it states."""
    conn.execute("""
CREATE TABLE IF NOT EXISTS doc_kinds (
    doc_id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    guessed TEXT,
    chosen INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    doc_date REAL,
    updated REAL NOT NULL
)""")


def m006_voice_guidance(conn: Schema) -> None:
    """A person's own writing guidance per assistant."""
    conn.execute("""
CREATE TABLE IF NOT EXISTS voice_guidance (
    workspace TEXT PRIMARY KEY,
    guidance TEXT NOT NULL,
    updated REAL NOT NULL
)""")


def m007_retrieval_log(conn: Schema) -> None:
    """Which passages questions and drafts retrieve: the health check's "never retrieved" finding."""
    _script(conn, """
CREATE TABLE IF NOT EXISTS retrieval_hits (
    workspace TEXT NOT NULL,
    chunk_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    hits INTEGER NOT NULL DEFAULT 0,
    last REAL NOT NULL,
    PRIMARY KEY (workspace, chunk_id)
);
CREATE INDEX IF NOT EXISTS retrieval_hits_doc ON retrieval_hits(workspace, doc_id);
CREATE TABLE IF NOT EXISTS retrieval_questions (
    workspace TEXT NOT NULL,
    at REAL NOT NULL,
    source TEXT NOT NULL DEFAULT 'question'
);
CREATE INDEX IF NOT EXISTS retrieval_questions_ws ON retrieval_questions(workspace, at);
""")


def m008_document_origins(conn: Schema) -> None:
    """Where a document lives on the web (its live address) and when it last changed there: citations link to it."""
    conn.execute("""
CREATE TABLE IF NOT EXISTS doc_origins (
    doc_id TEXT PRIMARY KEY,
    url TEXT,
    modified REAL
)""")


def m009_sources(conn: Schema) -> None:
    """Sites and exports an assistant keeps in sync: the source, and what each of its pages was last time."""
    _script(conn, """
CREATE TABLE IF NOT EXISTS sources (
    source_id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    kind TEXT NOT NULL,
    origin TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '{}',
    schedule TEXT NOT NULL DEFAULT 'off',
    created REAL NOT NULL,
    last_sync REAL,
    last_status TEXT,
    last_error TEXT,
    last_counts TEXT
);
CREATE INDEX IF NOT EXISTS sources_workspace ON sources(workspace);
CREATE TABLE IF NOT EXISTS source_pages (
    source_id TEXT NOT NULL REFERENCES sources(source_id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    final_url TEXT,
    doc_id TEXT,
    status TEXT NOT NULL,
    error TEXT,
    etag TEXT,
    last_modified TEXT,
    lastmod TEXT,
    modified REAL,
    fingerprint TEXT,
    links TEXT,
    first_seen REAL NOT NULL,
    last_checked REAL,
    last_changed REAL,
    PRIMARY KEY (source_id, url)
);
CREATE INDEX IF NOT EXISTS source_pages_doc ON source_pages(doc_id);
""")


def m010_style_rules(conn: Schema) -> None:
    """An assistant's style rules: read from its style guides (``doc_id``) or added by a person (``doc_id`` NULL).

    ``edited`` and ``removed`` record a person's choice, which a later reading of the guide keeps.
    """
    _script(conn, """
CREATE TABLE IF NOT EXISTS style_rules (
    rule_id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL DEFAULT '',
    replacement TEXT NOT NULL DEFAULT '',
    doc_id TEXT,
    source TEXT NOT NULL DEFAULT '',
    edited INTEGER NOT NULL DEFAULT 0,
    removed INTEGER NOT NULL DEFAULT 0,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS style_rules_ws ON style_rules(workspace);
""")


def m011_model_connections(conn: Schema) -> None:
    """Model connections saved from the browser (rag/vault.py): the key encrypted, never in clear."""
    _script(conn, """
CREATE TABLE IF NOT EXISTS model_connections (
    provider TEXT PRIMARY KEY,
    url TEXT,
    model TEXT,
    key_encrypted TEXT,
    updated REAL NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
);
""")




def m012_job_queue(conn: Schema) -> None:
    """The indexing queue (rag/ingest/queue.py): one row per document handed over, and who works through it."""
    _script(conn, """
CREATE TABLE IF NOT EXISTS jobs (
    job_id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch TEXT NOT NULL,
    workspace TEXT NOT NULL,
    name TEXT NOT NULL,
    upload TEXT NOT NULL,
    stored TEXT,
    size INTEGER NOT NULL DEFAULT 0,
    chunking TEXT NOT NULL,
    kind TEXT,
    force INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    error TEXT,
    doc_id TEXT,
    chunks INTEGER NOT NULL DEFAULT 0,
    pages INTEGER,
    queued_by TEXT NOT NULL DEFAULT '',
    origin TEXT NOT NULL DEFAULT 'upload',
    queued REAL NOT NULL,
    started REAL,
    finished REAL,
    seconds REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    dismissed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status, job_id);
CREATE INDEX IF NOT EXISTS jobs_workspace ON jobs(workspace, dismissed, job_id);
CREATE INDEX IF NOT EXISTS jobs_batch ON jobs(batch, job_id);
CREATE TABLE IF NOT EXISTS queue_owner (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    label TEXT NOT NULL,
    token TEXT NOT NULL,
    started REAL NOT NULL,
    beat REAL NOT NULL
);
""")


def m013_read_requests(conn: Schema) -> None:
    """Searches and questions the command line hands to the process that holds the index (rag/answer/relay.py)."""
    conn.execute("""
CREATE TABLE IF NOT EXISTS read_requests (
    request_id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    args TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'waiting',
    response TEXT,
    created REAL NOT NULL,
    picked REAL,
    done REAL
)""")


def m014_document_ocr(conn: Schema) -> None:
    """What of a document was read by OCR and how surely, and which pages were left out: shown with the document.

    ``ocr_pages``: JSON list of the pages (slides) read by OCR; ``ocr_lowest`` / ``ocr_mean``: their
    confidence (0-100, each page's mean word confidence); ``unread_pages``: JSON object, page -> why it
    was left out (OCR too unsure, nothing readable, time ran out). All NULL for a document read from text.
    """
    _add_column(conn, "documents", "ocr_pages", "TEXT")
    _add_column(conn, "documents", "ocr_lowest", "REAL")
    _add_column(conn, "documents", "ocr_mean", "REAL")
    _add_column(conn, "documents", "unread_pages", "TEXT")


def m015_documents_by_status(conn: Schema) -> None:
    """Documents by assistant and status: Chat counts an assistant's ready documents on every run, and with
    10,000 documents that was a scan of them all (``grounded bench team``)."""
    conn.execute("CREATE INDEX IF NOT EXISTS documents_status ON documents(workspace, status)")


def m016_upload_allowance(conn: Schema) -> None:
    """One allowance per upload (rag/ingest/queue.py): the passages its documents made so far, across all the
    jobs it became and across restarts, and why it was stopped once it went over its limit."""
    conn.execute("""
CREATE TABLE IF NOT EXISTS uploads (
    upload_id TEXT PRIMARY KEY,
    batch TEXT NOT NULL,
    workspace TEXT NOT NULL,
    name TEXT NOT NULL,
    what TEXT NOT NULL,
    max_chunks INTEGER NOT NULL,
    passages INTEGER NOT NULL DEFAULT 0,
    refused TEXT,
    created REAL NOT NULL
)""")
    _add_column(conn, "jobs", "upload_id", "TEXT")


def m017_sync_lanes(conn: Schema) -> None:
    """A site's sync under way since when (cut short by its run's bound, or interrupted: continued, not
    restarted), and the queue's lanes (rag/ingest/queue.py: whose jobs were served last)."""
    _add_column(conn, "sources", "resume_since", "REAL")
    conn.execute("CREATE INDEX IF NOT EXISTS jobs_lane ON jobs(workspace, queued_by, started)")


def m018_signin_sessions(conn: Schema) -> None:
    """Sign-in sessions kept on the server (rag/workspace/sessions.py): a token's SHA-256, never the token,
    so sign-out can end a session and a copied cookie stops working."""
    conn.execute("""
CREATE TABLE IF NOT EXISTS signin_sessions (
    token_hash TEXT PRIMARY KEY,
    "user" TEXT NOT NULL,
    password_mark TEXT NOT NULL,
    created REAL NOT NULL,
    last_seen REAL NOT NULL,
    expires REAL NOT NULL
)""")
    conn.execute('CREATE INDEX IF NOT EXISTS signin_sessions_user ON signin_sessions("user")')


def m019_style_rule_sentences(conn: Schema) -> None:
    """Each style rule read from a guide keeps the sentence (list item, table row) it came from, to show with it."""
    _add_column(conn, "style_rules", "source_sentence", "TEXT NOT NULL DEFAULT ''")


def m020_answer_checks(conn: Schema) -> None:
    """Answer checks (rag/catalog/checks.py): a question and the facts a right answer states, per
    assistant; each run of them (on demand, after a settings change or re-index, nightly) and its results."""
    _script(conn, """
CREATE TABLE IF NOT EXISTS answer_checks (
    check_id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    question TEXT NOT NULL,
    facts TEXT NOT NULL DEFAULT '[]',
    source TEXT,
    origin TEXT NOT NULL DEFAULT 'person',
    status TEXT NOT NULL DEFAULT 'active',
    created_by TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS answer_checks_ws ON answer_checks(workspace, status, created);
CREATE TABLE IF NOT EXISTS check_runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace TEXT NOT NULL,
    reason TEXT NOT NULL,
    change TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    queued_by TEXT NOT NULL DEFAULT '',
    queued REAL NOT NULL,
    started REAL,
    finished REAL,
    passed INTEGER,
    total INTEGER,
    error TEXT
);
CREATE INDEX IF NOT EXISTS check_runs_ws ON check_runs(workspace, run_id);
CREATE INDEX IF NOT EXISTS check_runs_status ON check_runs(status, run_id);
CREATE TABLE IF NOT EXISTS check_results (
    run_id INTEGER NOT NULL REFERENCES check_runs(run_id) ON DELETE CASCADE,
    check_id TEXT NOT NULL,
    question TEXT NOT NULL,
    passed INTEGER NOT NULL,
    answer TEXT NOT NULL DEFAULT '',
    refused INTEGER NOT NULL DEFAULT 0,
    facts TEXT NOT NULL DEFAULT '[]',
    source TEXT,
    source_ok INTEGER,
    cited TEXT NOT NULL DEFAULT '[]',
    passage TEXT,
    PRIMARY KEY (run_id, check_id)
);
""")


def m021_knowledge_gaps(conn: Schema) -> None:
    """Knowledge gaps (rag/workspace/gaps.py): the topics an assistant's manager marked out of scope, and the
    questions' vectors kept so the gaps list doesn't embed every question on every look."""
    _script(conn, """
CREATE TABLE IF NOT EXISTS gap_scopes (
    scope_id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    topic TEXT NOT NULL,
    reply TEXT NOT NULL DEFAULT '',
    questions TEXT NOT NULL,
    model TEXT NOT NULL,
    vectors BLOB NOT NULL,
    created REAL NOT NULL,
    created_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS gap_scopes_workspace ON gap_scopes(workspace);
CREATE TABLE IF NOT EXISTS gap_vectors (
    model TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, text_hash)
);
""")


def m022_forgetting(conn: Schema) -> None:
    """Forget checks (rag/ingest/forgetting.py, rag/quality/forget.py): what a removed document or replaced version
    said, as questions, figures and fingerprints (never its text), and whether re-asking showed it gone."""
    _script(conn, """
CREATE TABLE IF NOT EXISTS forget_checks (
    check_id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    file TEXT NOT NULL,
    reason TEXT NOT NULL,
    created REAL NOT NULL,
    trace TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    checked REAL,
    result TEXT
);
CREATE INDEX IF NOT EXISTS forget_checks_ws ON forget_checks(workspace, status, created);
CREATE INDEX IF NOT EXISTS forget_checks_doc ON forget_checks(doc_id, created);
""")


def m023_assistant_language(conn: Schema) -> None:
    """Each document's language (ISO 639-1, as rag.words.detect_language reads it): its keyword terms are
    stemmed in it, and a question in every language an assistant's documents are in."""
    _add_column(conn, "documents", "language", "TEXT")


def m024_source_sync_leases(conn: Schema) -> None:
    """Who syncs a site now, on a lease (rag/ingest/sources.py): any indexer of a team may sync the sites that
    are due, each site by one at a time, and a dead indexer's site is taken again when its lease runs out."""
    _add_column(conn, "sources", "sync_worker", "TEXT")
    _add_column(conn, "sources", "sync_lease_until", "REAL")


MIGRATIONS: list[Callable[[Schema], None]] = [  # the base; later changes are Alembic revisions
    m001_initial,
    m002_document_about,
    m003_document_index_seconds,
    m004_chat_owner,
    m005_document_kinds,
    m006_voice_guidance,
    m007_retrieval_log,
    m008_document_origins,
    m009_sources,
    m010_style_rules,
    m011_model_connections,
    m012_job_queue,
    m013_read_requests,
    m014_document_ocr,
    m015_documents_by_status,
    m016_upload_allowance,
    m017_sync_lanes,
    m018_signin_sessions,
    m019_style_rule_sentences,
    m020_answer_checks,  # from here on each is run by its Alembic revision (rag/catalog/migrations/versions)
    m021_knowledge_gaps,
    m022_forgetting,
    m023_assistant_language,
    m024_source_sync_leases,
]


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
    status: DocumentStatus
    error: str | None
    uploaded: float
    updated: float
    settings: str | None
    size_bytes: int | None
    title: str | None
    about: str | None = None  # who and what the document is about (names on its first pages), for coverage checks
    index_seconds: float | None = None  # how long its last indexing took: re-index estimates
    ocr_pages: str | None = None  # JSON list of the pages read by OCR (see m014_document_ocr)
    ocr_lowest: float | None = None  # the least sure of those pages' OCR confidence (0-100)
    ocr_mean: float | None = None  # their mean OCR confidence (0-100)
    unread_pages: str | None = None  # JSON object: page -> why it was left out of the index
    language: str | None = None  # the language its text was read as (ISO 639-1; see m023_assistant_language)

    @property
    def chunk_settings(self) -> dict:
        return json.loads(self.settings) if self.settings else {}

    @property
    def read_by_ocr(self) -> list[int]:
        """The pages (slides) whose text was read by OCR: to be checked against the page."""
        return json.loads(self.ocr_pages) if self.ocr_pages else []

    @property
    def left_out(self) -> dict[int, str]:
        """The pages left out of the index, with why (page numbers as ints)."""
        return {int(page): why for page, why in json.loads(self.unread_pages).items()} if self.unread_pages else {}

    def ocr_columns(self) -> dict:
        """The OCR record as columns: carried over while a new version is indexed."""
        return {"ocr_pages": self.ocr_pages, "ocr_lowest": self.ocr_lowest, "ocr_mean": self.ocr_mean,
                "unread_pages": self.unread_pages}

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
            "read_by_ocr": self.read_by_ocr,
            "ocr_lowest": self.ocr_lowest,
            "ocr_mean": self.ocr_mean,
            "left_out": {str(page): why for page, why in self.left_out.items()},
            "uploaded": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.uploaded)),
        }


_FIELDS = [f for f in DocumentRow.__dataclass_fields__]


BASE = MIGRATIONS[:MIGRATIONS.index(m019_style_rule_sentences) + 1]  # Alembic's base revision (rag/catalog/migrations)


class Row(tuple):
    """A result row: by position (``row[0]``) or by column name (``row["name"]``); ``dict(row)`` gives the columns."""

    _index: dict[str, int] = {}

    def __getitem__(self, key):
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


@lru_cache(maxsize=512)
def _row_type(keys: tuple[str, ...]) -> type[Row]:
    return type("Row", (Row,), {"_index": {k: i for i, k in enumerate(keys)}, "__slots__": ()})


def _arg(value):
    return int(value) if isinstance(value, bool) else value  # flags are 0/1 integers on both engines


def database_url(where: str | Path) -> str:
    """A SQLAlchemy URL for ``where``: a URL as given (``postgresql://`` means psycopg 3), a path as a SQLite file."""
    text = str(where)
    if "://" not in text:
        return f"sqlite:///{Path(text)}"
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    return text


def server_pid(url: str) -> int | None:
    """The PostgreSQL server's main process, when it runs on this machine (its CPU is counted apart); else None."""
    import psutil

    engine = sa.create_engine(database_url(url))
    try:
        with engine.connect() as conn:
            backend = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        parent = psutil.Process(backend).parent()  # the postmaster: every backend is its child
        return parent.pid if parent is not None else None
    except (psutil.Error, sa.exc.SQLAlchemyError):
        return None  # a server elsewhere
    finally:
        engine.dispose()


def describe(where: str | Path) -> str:
    """``where`` for a person to read: the password left out."""
    try:
        return sa.engine.make_url(database_url(where)).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for a message
        return "the database"


class Tables:
    """One table family's typed methods (a module of this package, e.g. ``queue.py``) over the catalog that holds
    the tables. Subclasses write their SQL with ``self._query`` / ``self._execute`` (SQLite's ``?`` placeholders,
    translated for PostgreSQL) and return rows or dataclasses, never cursors; a method that must see its own
    writes with others' waits opens ``self.catalog.transaction()``."""

    def __init__(self, catalog: "Catalog"):
        self.catalog = catalog

    def _query(self, sql: str, args: tuple = ()) -> list["Row"]:
        return self.catalog.query(sql, args)

    def _execute(self, sql: str, args: tuple = ()) -> None:
        self.catalog.execute(sql, args)


class Catalog:
    """Thread-safe access to the catalog database.

    SQLite: one connection (WAL journal), one statement or transaction at a time, as before.
    PostgreSQL: a pool of connections; a transaction takes the catalog's one advisory lock, so it is
    as exclusive as SQLite's ``BEGIN IMMEDIATE`` (the queue's claim, one statement, needs no lock:
    ``FOR UPDATE SKIP LOCKED``, rag/catalog/queue.py).
    """

    LOCK_KEY = 0x67726F64  # "grod": pg_advisory_xact_lock key of write transactions and migrations

    def __init__(self, where: str | Path):
        self.url = database_url(where)
        self.where = describe(where)  # for messages: the password left out
        if self.url.startswith("sqlite:///"):
            Path(self.url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
            self.engine = sa.create_engine(self.url, poolclass=sa.pool.StaticPool,
                                           connect_args={"check_same_thread": False, "timeout": 30})
        else:
            self.engine = sa.create_engine(self.url, isolation_level="AUTOCOMMIT", pool_size=5, max_overflow=10,
                                           pool_pre_ping=True)
        self.postgres = self.engine.dialect.name == "postgresql"
        self._lock = threading.RLock()  # SQLite: the one connection, one user at a time
        self._local = threading.local()  # the connection of this thread's open transaction
        self._shared: sa.Connection | None = None
        try:
            if not self.postgres:
                self._shared = self._connect()
                self._shared.exec_driver_sql("PRAGMA journal_mode=WAL")
                self._shared.exec_driver_sql("PRAGMA synchronous=NORMAL")
                self._shared.exec_driver_sql("PRAGMA foreign_keys=ON")
                # deleted rows are overwritten in the file, not only unlinked: a removed document's text must not
                # stay readable on disk (see scrub)
                self._shared.exec_driver_sql("PRAGMA secure_delete=ON")
            upgrade(self)
        except BaseException as err:
            self.close()
            if isinstance(err, sa.exc.OperationalError):
                from ..errors import SetupProblem

                raise SetupProblem(f"The catalog database ({describe(where)}) could not be opened: {_reason(err)}. "
                                   "Check GROUNDED_DATABASE_URL and that the database server is running.") from err
            raise

    def _connect(self) -> sa.Connection:
        return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def _run(self, conn: sa.Connection, sql: str, args) -> list[Row]:
        # Straight to the driver's cursor of the engine's connection: SQLAlchemy's per-statement layer cost
        # about 10x the statement itself on SQLite (60-90 us against 7, measured), for nothing used here.
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            cursor.execute(_placeholders(sql, self.postgres), tuple(_arg(a) for a in args))
            if cursor.description is None:
                return []
            make = _row_type(tuple(d[0] for d in cursor.description))
            return [make(r) for r in cursor.fetchall()]
        finally:
            cursor.close()

    def _statement(self, sql: str, args) -> list[Row]:
        held = getattr(self._local, "conn", None)
        if held is not None:
            return self._run(held, sql, args)
        if self._shared is not None:
            with self._lock:
                return self._run(self._shared, sql, args)
        with self._connect() as conn:
            return self._run(conn, sql, args)

    def scrub(self) -> None:
        """After a document is forgotten: SQLite's write-ahead log, which still holds the deleted rows' old pages,
        is copied back into the (securely deleted) file and emptied. Best effort: with a reader in the middle of
        a long read the log stays until the next scrub or checkpoint. (PostgreSQL reuses dead rows' space after
        its autovacuum; see docs/security.md.)"""
        if self._shared is not None:
            with self._lock:
                self._run(self._shared, "PRAGMA wal_checkpoint(TRUNCATE)", ())

    def close(self) -> None:
        with self._lock:
            if self._shared is not None:
                self._shared.close()
                self._shared = None
            self.engine.dispose()

    def query(self, sql: str, args: tuple = ()) -> list[Row]:
        return self._statement(sql, args)

    def execute(self, sql: str, args: tuple = ()) -> None:
        self._statement(sql, args)

    # ---- table families: every statement outside this class lives in one module of this package per family,
    # as typed methods (``catalog.queue.claim(...)``). Made on first use; nothing outside rag/catalog/ writes SQL
    # (tests/test_layers.py fails on it).

    @cached_property
    def assistants(self) -> "AssistantTables":
        """Assistants, their configuration JSON, members and access."""
        from .assistants import AssistantTables

        return AssistantTables(self)

    @cached_property
    def queue(self) -> "QueueTables":
        """Jobs, uploads, the queue's owner and leases."""
        from .queue import QueueTables

        return QueueTables(self)

    @cached_property
    def sources(self) -> "SourceTables":
        """Folders, ZIPs and sites kept in sync, and their lanes."""
        from .sources import SourceTables

        return SourceTables(self)

    @cached_property
    def kinds(self) -> "KindTables":
        """Each document's kind and date, guessed and chosen."""
        from .kinds import KindTables

        return KindTables(self)

    @cached_property
    def origins(self) -> "OriginTables":
        """Where an imported page came from."""
        from .origins import OriginTables

        return OriginTables(self)

    @cached_property
    def connections(self) -> "ConnectionTables":
        """Model connections (keys encrypted by rag/vault.py)."""
        from .connections import ConnectionTables

        return ConnectionTables(self)

    @cached_property
    def forgetting(self) -> "ForgettingTables":
        """Forget records and their checks."""
        from .forgetting import ForgettingTables

        return ForgettingTables(self)

    @cached_property
    def usage(self) -> "UsageTables":
        """Which documents answers used, and how often people asked."""
        from .usage import UsageTables

        return UsageTables(self)

    @cached_property
    def chats(self) -> "ChatTables":
        """Chats, their messages and feedback."""
        from .chats import ChatTables

        return ChatTables(self)

    @cached_property
    def sessions(self) -> "SessionTables":
        """Sign-in sessions."""
        from .sessions import SessionTables

        return SessionTables(self)

    @cached_property
    def checks(self) -> "CheckTables":
        """Answer checks, their runs and results."""
        from .checks import CheckTables

        return CheckTables(self)

    @cached_property
    def gaps(self) -> "GapTables":
        """Knowledge gaps: out-of-scope topics and cached question vectors."""
        from .gaps import GapTables

        return GapTables(self)

    @cached_property
    def guidance(self) -> "GuidanceTables":
        """Voice guidance and style rules."""
        from .guidance import GuidanceTables

        return GuidanceTables(self)

    @cached_property
    def read_requests(self) -> "ReadRequestTables":
        """Reads relayed to the process that holds the index."""
        from .read_requests import ReadRequestTables

        return ReadRequestTables(self)

    # workspaces (an assistant's configuration is the JSON in ``config``; see assistants.py)
    def ensure_workspace(self, name: str) -> None:
        self.execute("INSERT INTO workspaces(name, created) VALUES (?, ?) ON CONFLICT(name) DO NOTHING", (name, time.time()))

    def workspaces(self) -> list[str]:
        return [r["name"] for r in self.query("SELECT name FROM workspaces ORDER BY created, name")]

    def workspace_config(self, name: str) -> dict | None:
        """An assistant's configuration (its JSON as a dict; {} when it has none), None when there is no such one."""
        rows = self.query("SELECT config FROM workspaces WHERE name = ?", (name,))
        if not rows:
            return None
        return json.loads(rows[0]["config"]) if rows[0]["config"] else {}

    def transaction(self, durable: bool = False):
        """A context manager that runs several statements atomically.

        ``durable``: the commit is synced to disk before the block ends, so it survives a power cut
        too (the catalog's usual NORMAL sync survives a crash of the process, not of the machine).
        For what a person was just told is safe, such as "queued".
        """
        return _Transaction(self, durable)

    # documents
    def get(self, doc_id: str) -> DocumentRow | None:
        rows = self.query("SELECT * FROM documents WHERE doc_id = ?", (doc_id,))
        return DocumentRow(**dict(rows[0])) if rows else None

    def documents(self, workspace: str | None = None, status: DocumentStatus | None = None) -> list[DocumentRow]:
        sql, args = "SELECT * FROM documents WHERE 1=1", []
        if workspace is not None:
            sql += " AND workspace = ?"
            args.append(workspace)
        if status is not None:
            sql += " AND status = ?"
            args.append(status)
        return [DocumentRow(**dict(r)) for r in self.query(sql + " ORDER BY file", tuple(args))]

    def count_ready(self, workspace: str) -> int:
        """How many of ``workspace``'s documents are ready: counted, not listed (Chat asks on every run)."""
        return int(self.query("SELECT COUNT(*) AS n FROM documents WHERE workspace = ? AND status = 'ready'",
                              (workspace,))[0]["n"])

    def document_languages(self, workspace: str, unrecorded: str) -> set[str]:
        """The languages of ``workspace``'s ready documents (ISO 639-1); ``unrecorded`` for one indexed before
        languages were recorded."""
        rows = self.query(
            "SELECT DISTINCT COALESCE(language, ?) AS language FROM documents WHERE workspace = ? AND status = 'ready'",
            (unrecorded, workspace),
        )
        return {r["language"] for r in rows}

    def indexing_totals(self) -> tuple[int, float]:
        """(passages, seconds) over every ready document whose indexing time is recorded: this machine's pace."""
        row = self.query(
            "SELECT COALESCE(SUM(chunks), 0), COALESCE(SUM(index_seconds), 0) FROM documents "
            "WHERE status = 'ready' AND index_seconds > 0"
        )[0]
        return int(row[0]), float(row[1])

    def upsert(self, row: DocumentRow) -> None:
        placeholders = ", ".join("?" for _ in _FIELDS)
        values = tuple(asdict(row)[f] for f in _FIELDS)
        updates = ", ".join(f"{f} = excluded.{f}" for f in _FIELDS if f != "doc_id")
        self.execute(f"INSERT INTO documents({', '.join(_FIELDS)}) VALUES ({placeholders}) "
                     f"ON CONFLICT(doc_id) DO UPDATE SET {updates}", values)

    def update(self, doc_id: str, **fields) -> None:
        fields.setdefault("updated", time.time())
        assignments = ", ".join(f"{k} = ?" for k in fields)
        self.execute(f"UPDATE documents SET {assignments} WHERE doc_id = ?", (*fields.values(), doc_id))

    def delete(self, doc_id: str) -> None:
        self.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

    # the retrieval log (read by the health check)
    def record_retrieval(self, workspace: str, hits: Iterable, source: str = "question") -> None:
        """Note which chunks a question (or a draft) retrieved: one row per question, a counter per chunk."""
        self.usage.record(workspace, hits, source)


def _reason(err: Exception) -> str:
    text = str(getattr(err, "orig", None) or err).strip().splitlines()
    return text[0] if text else "unknown error"


class _Transaction:
    def __init__(self, catalog: Catalog, durable: bool = False):
        self.catalog = catalog
        self.durable = durable
        self._conn: sa.Connection | None = None
        self._outer = False

    def __enter__(self) -> Catalog:
        catalog = self.catalog
        if getattr(catalog._local, "conn", None) is not None:
            self._outer = True  # nested: part of the transaction already open in this thread
            return catalog
        if catalog._shared is not None:
            catalog._lock.acquire()
            conn = catalog._shared
            try:
                if self.durable:  # per connection, and this one is ours until the lock is released
                    conn.exec_driver_sql("PRAGMA synchronous=FULL")
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                catalog._lock.release()
                raise
        else:
            conn = catalog._connect()
            try:
                conn.exec_driver_sql("BEGIN")
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (Catalog.LOCK_KEY,))
            except BaseException:
                conn.close()
                raise
        self._conn = catalog._local.conn = conn
        return catalog

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._outer:
            return
        catalog, conn = self.catalog, self._conn
        catalog._local.conn = None
        try:
            conn.exec_driver_sql("ROLLBACK" if exc_type else "COMMIT")
        finally:
            if catalog._shared is not None:
                if self.durable:
                    conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
                catalog._lock.release()
            else:
                conn.close()
