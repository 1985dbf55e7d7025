"""The catalog's migrations: one Alembic history that runs on SQLite and PostgreSQL.

Run when a catalog is opened (:func:`upgrade`), inside one transaction that holds the catalog's
write lock (SQLite's ``BEGIN IMMEDIATE``, PostgreSQL's advisory lock), so processes starting
together migrate once.

- ``versions/0001_base.py`` is every table made before Alembic: the functions of
  :data:`rag.catalog.BASE` (m001..m019), each run only if the catalog's ``_migrations`` table does not
  record it. A catalog made by those functions is recognised and only stamped, never rebuilt.
- Every later change is a revision in ``versions/``.

How to add a migration (for instance an ``m020_x`` function written for the old list):
copy ``versions/0002_job_leases.py`` to ``versions/00NN_<topic>.py``; set ``revision = "00NN_<topic>"``
and ``down_revision`` to the newest revision so far (one straight line: ``tests/test_migrations.py``
fails on two heads or a listed function no revision runs); in ``upgrade()`` either write
``op.execute(...)`` / ``op.add_column(...)`` statements that both engines accept, or keep the old
function in rag/catalog.py (not in ``MIGRATIONS``) and call ``run_function(m020_x)``: it gets a
:class:`rag.catalog.Schema` whose ``execute`` takes SQLite's DDL and translates it for PostgreSQL,
and is recorded in ``_migrations`` like the base (skipped where a pre-Alembic build already ran it).
"""

from __future__ import annotations

import time
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

HERE = Path(__file__).parent


def config(connection: sa.Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=1)
def head() -> str:
    heads = ScriptDirectory.from_config(config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"The catalog's migrations have {len(heads)} heads ({heads}); they must form one line.")
    return heads[0]


def current(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(catalog, to: str | None = None) -> None:
    """Bring ``catalog`` to the newest revision (or ``to``), unless it is there already."""
    from alembic import command

    target = to or head()
    conn = catalog._shared if catalog._shared is not None else catalog._connect()
    try:
        if current(conn) == target:
            return  # the usual case: one read, no lock
        if catalog.postgres:
            conn.exec_driver_sql("BEGIN")
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (catalog.LOCK_KEY,))
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            if current(conn) != target:  # another process may have done it while we waited
                command.upgrade(config(conn), target)
            conn.exec_driver_sql("COMMIT")
        except BaseException:
            conn.exec_driver_sql("ROLLBACK")
            raise
    finally:
        if conn is not catalog._shared:
            conn.close()


def run_function(migration) -> None:
    """Run a migration function written for the old list (``migration(conn)``), once per catalog."""
    from ..catalog import Schema

    schema = Schema(op.get_bind())
    schema.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied REAL NOT NULL)")
    if schema.execute("SELECT 1 FROM _migrations WHERE name = ?", (migration.__name__,)).first():
        return
    migration(schema)
    schema.execute("INSERT INTO _migrations(name, applied) VALUES (?, ?)", (migration.__name__, time.time()))
