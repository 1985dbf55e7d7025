"""A throwaway PostgreSQL for the tests: GROUNDED_TEST_DATABASE_URL if set, else a cluster of our own.

The cluster (initdb + pg_ctl, Debian's postgresql package) starts once per test session in a temp folder, on a
free loopback port, and is stopped at the end; as root it runs as the ``postgres`` user (initdb refuses root).
Every test gets a fresh database, copied from a template that already has the catalog's tables (a copy takes
milliseconds; migrating each would take longer).
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import sqlalchemy as sa

TEMPLATE = "grounded_template"


def _tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for version in ("17", "16", "15", "14", "13"):
        candidate = Path(f"/usr/lib/postgresql/{version}/bin/{name}")
        if candidate.exists():
            return str(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A PostgreSQL server to make test databases in: ``url(name)`` for a database, ``fresh()`` for a new one."""

    def __init__(self) -> None:
        self.base_url = os.environ.get("GROUNDED_TEST_DATABASE_URL")
        self.folder: Path | None = None
        self._as: list[str] = []
        self._counter = itertools.count()
        self._template_ready = False
        self._made: list[str] = []
        self.problem: str | None = None
        if not self.base_url:
            self._start()

    def _start(self) -> None:
        initdb, pg_ctl = _tool("initdb"), _tool("pg_ctl")
        if not (initdb and pg_ctl):
            self.problem = "PostgreSQL is not installed here (no initdb/pg_ctl; apt-get install postgresql)"
            return
        self.folder = Path(tempfile.mkdtemp(prefix="grounded-pg-"))
        if os.geteuid() == 0:  # initdb refuses root: run the server as the postgres user
            shutil.chown(self.folder, "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]
        data, port = self.folder / "data", _free_port()
        subprocess.run([*self._as, initdb, "-D", str(data), "-U", "grounded", "--auth=trust", "-E", "UTF8"],
                       check=True, capture_output=True)
        options = f"-p {port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off " \
                  "-c full_page_writes=off -c max_connections=200"
        subprocess.run([*self._as, pg_ctl, "-D", str(data), "-o", options, "-l", str(self.folder / "log"), "-w", "start"],
                       check=True, capture_output=True)
        self.base_url = f"postgresql://grounded@127.0.0.1:{port}/postgres"
        self._pg_ctl, self._data = pg_ctl, data

    def url(self, database: str) -> str:
        return sa.engine.make_url(self.base_url).set(database=database).render_as_string(hide_password=False)

    def _admin(self, sql: str) -> None:
        from rag.catalog import database_url

        engine = sa.create_engine(database_url(self.base_url), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(sql)
        finally:
            engine.dispose()

    def fresh(self) -> str:
        """The URL of a new, empty-but-migrated catalog database."""
        from rag.catalog import Catalog

        if not self._template_ready:
            self._admin(f"DROP DATABASE IF EXISTS {TEMPLATE}")
            self._admin(f"CREATE DATABASE {TEMPLATE}")
            Catalog(self.url(TEMPLATE)).close()
            self._template_ready = True
        name = f"grounded_t{os.getpid()}_{next(self._counter)}"
        self._made.append(name)
        self._admin(f"DROP DATABASE IF EXISTS {name}")
        self._admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return self.url(name)

    def empty(self) -> str:
        """The URL of a new database with no tables at all (for migration tests)."""
        name = f"grounded_e{os.getpid()}_{next(self._counter)}"
        self._made.append(name)
        self._admin(f"DROP DATABASE IF EXISTS {name}")
        self._admin(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        if self.folder is None and self.base_url:  # a server we were given: leave it as we found it
            for name in [*self._made, TEMPLATE] if self._template_ready else self._made:
                try:
                    self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                except Exception:  # noqa: BLE001 - best effort; the next run drops it before reuse
                    pass
        if self.folder is not None:
            subprocess.run([*self._as, self._pg_ctl, "-D", str(self._data), "-m", "immediate", "stop"], capture_output=True)
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
