"""Moving an install's catalog to another database: ``grounded migrate --to postgresql://...`` (docs/team.md).

Everything the catalog holds is copied, table by table, in one transaction on the target: assistants and
who may use them, documents with their kinds, origins and OCR records, chats and feedback, the queue's
history and uploads, sources, style rules, voice guidance, saved model connections (their keys stay
encrypted with the same secret: GROUNDED_SECRET_KEY or the key file must move too), sign-in sessions and
the retrieval log. The target is brought to the newest schema first and must hold no install yet.
Not copied: which process owns the queue (a live process's, not the install's). Vectors are not in the
catalog: an index on a Qdrant server is filled by re-indexing (``grounded reindex``), and kept originals
move with ``--originals-dir``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa

from . import Catalog, describe
from ..errors import GroundedError

SKIP = {"alembic_version", "_migrations", "queue_owner", "sqlite_sequence"}
HOLDS_AN_INSTALL = ("workspaces", "documents", "chats", "jobs")


class TargetNotEmpty(GroundedError):
    """The database to move to already holds an install."""


def _value(value, column: sa.Column):
    """A SQLite value as the target column's type (SQLite keeps what it was given: a REAL column may hold 1)."""
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, sa.Float):
        return float(value)
    if isinstance(kind, sa.Integer):
        return int(value)
    if isinstance(kind, (sa.Text, sa.String)) and not isinstance(value, str):
        return value.decode() if isinstance(value, bytes) else str(value)
    return value


def copy_catalog(source: Catalog, to: str, originals: tuple[Path, Path] | None = None) -> dict:
    """Copy every table of ``source`` into the (empty) catalog at ``to``; returns rows copied per table.

    ``originals``: (old files folder, new files folder): kept originals are copied there and the
    documents' paths rewritten to it.
    """
    target = Catalog(to)
    try:
        if source.url == target.url:
            raise TargetNotEmpty("That is the database this install already uses.")
        for table in HOLDS_AN_INSTALL:
            if target.query(f"SELECT 1 FROM {table} LIMIT 1"):
                raise TargetNotEmpty(f"The database at {target.where} already holds an install ({table} has rows). "
                                     "Give an empty database: nothing was copied.")
        here, there = sa.MetaData(), sa.MetaData()
        here.reflect(source.engine)
        there.reflect(target.engine)
        counts: dict = {"to": target.where}
        with target.engine.begin() as out:
            for table in there.sorted_tables:  # parents before the rows that refer to them
                if table.name in SKIP or table.name not in here.tables:
                    continue
                mine = here.tables[table.name]
                columns = [c for c in table.columns if c.name in mine.columns]
                with source.engine.connect() as read:
                    rows = read.execute(sa.select(*(mine.columns[c.name] for c in columns))).fetchall()
                batch = [{c.name: _value(v, c) for c, v in zip(columns, row)} for row in rows]
                if originals and table.name == "documents":
                    old, new = (str(p) for p in originals)
                    for r in batch:
                        if r.get("original_path", "") and r["original_path"].startswith(old):
                            r["original_path"] = new + r["original_path"][len(old):]
                for start in range(0, len(batch), 1000):
                    out.execute(table.insert(), batch[start:start + 1000])
                counts[table.name] = len(batch)
            if target.postgres:  # identity columns continue after the copied ids
                for table, column in (("jobs", "job_id"), ("read_requests", "request_id")):
                    out.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                        f"COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)")
        if originals and originals[0].is_dir():
            shutil.copytree(originals[0], originals[1], dirs_exist_ok=True)
        return counts
    finally:
        target.close()


__all__ = ["copy_catalog", "describe", "TargetNotEmpty"]
