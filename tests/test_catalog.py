"""The catalog on both engines (SQLite by default, PostgreSQL with GROUNDED_DATABASE_URL), and its migrations."""

import threading
import time

import pytest
import sqlalchemy as sa

from rag import catalog as catalog_module
from rag.catalog import BASE, MIGRATIONS, Catalog, DocumentRow, Schema
from rag.catalog.migrations import current, head
from rag.errors import SetupProblem
from rag.ingest import queue

pytestmark = pytest.mark.both_databases


def _doc(doc_id="d1", **fields):
    now = time.time()
    base = dict(doc_id=doc_id, workspace="default", file="a.pdf", original_path=None, content_hash="h", version="v1",
                pending_version=None, kind="other", pages=3, chunks=5, status="ready", error=None, uploaded=now,
                updated=now, settings=None, size_bytes=10, title=None)
    return DocumentRow(**{**base, **fields})


def test_rows_read_by_name_position_and_as_dicts(catalog, database):
    assert catalog.postgres == (database == "postgres")
    catalog.ensure_workspace("w")
    catalog.ensure_workspace("w")  # twice: still one (ON CONFLICT DO NOTHING on both engines)
    (row,) = catalog.query("SELECT name, created FROM workspaces")
    assert row["name"] == row[0] == "w" and dict(row) == {"name": "w", "created": row["created"]}
    assert list(row.keys()) == ["name", "created"]


def test_times_keep_their_precision_and_flags_are_integers(catalog):
    stamp = 1796676884.6576989  # float4 (PostgreSQL's REAL) would keep 7 digits of it
    catalog.execute("INSERT INTO style_rules(rule_id, workspace, kind, edited, updated) VALUES (?, ?, ?, ?, ?)",
                    ("r1", "w", "avoid", True, stamp))
    (row,) = catalog.query("SELECT edited, updated FROM style_rules WHERE edited = ?", (True,))
    assert row["updated"] == stamp and row["edited"] == 1


def test_question_marks_and_percent_signs_inside_quotes_are_text(catalog):
    catalog.ensure_workspace("50% off?")
    rows = catalog.query("SELECT name FROM workspaces WHERE name LIKE '50% off?' AND name = ?", ("50% off?",))
    assert [r["name"] for r in rows] == ["50% off?"]


def test_documents_upsert_replaces_and_counts_hits(catalog):
    catalog.upsert(_doc())
    catalog.upsert(_doc(chunks=9, status="indexing"))
    assert catalog.get("d1").chunks == 9 and len(catalog.documents()) == 1
    hit = type("Hit", (), {"chunk_id": "c1", "doc_id": "d1"})
    catalog.record_retrieval("default", [hit])
    catalog.record_retrieval("default", [hit])
    assert catalog.query("SELECT hits FROM retrieval_hits")[0]["hits"] == 2
    assert catalog.indexing_totals() == (0, 0.0)


def test_a_transaction_is_all_or_nothing_and_nests(catalog):
    with pytest.raises(RuntimeError):
        with catalog.transaction() as c:
            c.ensure_workspace("a")
            with c.transaction() as inner:  # part of the outer one
                inner.ensure_workspace("b")
            raise RuntimeError("boom")
    assert catalog.workspaces() == []
    with catalog.transaction(durable=True) as c:
        c.ensure_workspace("a")
    assert catalog.workspaces() == ["a"]


def test_concurrent_claims_never_take_a_job_twice(store, database):
    """Eight workers claiming at once (threads; on PostgreSQL each on its own connection): every job once."""
    from rag.types import ChunkSettings

    store.catalog.ensure_workspace("default")
    queue.enqueue(store, [(f"f{i}.md", b"# Hi\n\ntext") for i in range(24)], "default", ChunkSettings())
    taken: list[int] = []
    lock = threading.Lock()

    def worker(n):
        while (job := queue.claim_next(store.catalog, worker=f"w{n}")) is not None:
            with lock:
                taken.append(job.job_id)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(taken) == 24 and len(set(taken)) == 24


def test_a_job_whose_lease_ran_out_is_taken_again_and_its_late_result_ignored(store):
    from rag.ingest.admission import FileResult
    from rag.types import ChunkSettings

    store.catalog.ensure_workspace("default")
    (job,) = queue.enqueue(store, [("a.md", b"# A\n\ntext")], "default", ChunkSettings())
    first = queue.claim_next(store.catalog, worker="dead", lease_s=60)
    assert first.worker == "dead" and first.lease_until > time.time()
    assert queue.claim_next(store.catalog, worker="other") is None  # held
    assert queue.renew_leases(store.catalog, "dead", lease_s=0.0) == 1  # its lease ends now
    time.sleep(0.01)
    second = queue.claim_next(store.catalog, worker="other")
    assert second.job_id == job.job_id and second.attempts == 2 and second.worker == "other"
    late = queue.finish(store, first, FileResult("a.md", "failed", error="cut off"))
    assert late.status == "failed"  # reported to the late worker as it was...
    assert queue.get(store.catalog, job.job_id).status == "indexing"  # ...but the job stays the other's
    queue.finish(store, second, FileResult("a.md", "indexed", chunks=1, doc_id="d"))
    assert queue.get(store.catalog, job.job_id).status == "indexed"


def test_an_unreachable_database_is_a_setup_problem_with_what_to_do():
    with pytest.raises(SetupProblem) as err:
        Catalog("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2")
    assert "GROUNDED_DATABASE_URL" in str(err.value) and "secret" not in str(err.value)


# ---- migrations ------------------------------------------------------------------------------


def test_one_line_of_revisions_and_every_listed_function_is_run_by_one():
    import rag.catalog.migrations as migrations

    newest = sorted(p.stem for p in (migrations.HERE / "versions").glob("0*.py"))[-1]
    assert head() == newest, "one straight line of revisions, numbered in order"

    sources = "".join(p.read_text() for p in (migrations.HERE / "versions").glob("*.py"))
    later = [m for m in MIGRATIONS if m not in BASE]
    assert not [m.__name__ for m in later if m.__name__ not in sources], \
        "a function in MIGRATIONS no revision runs: add a revision for it (rag/catalog/migrations/__init__.py says how)"


def _old_catalog(url: str) -> None:
    """A catalog as the list of functions made it before Alembic: every base migration, recorded in _migrations."""
    engine = sa.create_engine(catalog_module.database_url(url))
    with engine.begin() as conn:
        schema = Schema(conn)
        schema.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied REAL NOT NULL)")
        for m in BASE:
            m(schema)
            schema.execute("INSERT INTO _migrations(name, applied) VALUES (?, ?)", (m.__name__, 1.0))
        schema.execute("INSERT INTO workspaces(name, created) VALUES ('kept', 1)")
    engine.dispose()


def test_a_catalog_made_before_alembic_is_recognised_not_rebuilt(tmp_path, database, request):
    url = request.getfixturevalue("postgres").empty() if database == "postgres" else str(tmp_path / "old.sqlite3")
    _old_catalog(url)
    c = Catalog(url)
    try:
        assert c.workspaces() == ["kept"]
        assert c.query("SELECT COUNT(*) AS n FROM _migrations")[0]["n"] == len(MIGRATIONS)  # the base + later functions
        assert c.query("SELECT version_num FROM alembic_version")[0][0] == head()
        assert "lease_until" in {col["name"] for col in sa.inspect(c.engine).get_columns("jobs")}
    finally:
        c.close()


def test_a_partly_migrated_old_catalog_gets_only_what_it_lacks(tmp_path):
    path = tmp_path / "older.sqlite3"
    engine = sa.create_engine(catalog_module.database_url(path))
    with engine.begin() as conn:
        schema = Schema(conn)
        schema.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied REAL NOT NULL)")
        for m in BASE[:11]:
            m(schema)
            schema.execute("INSERT INTO _migrations(name, applied) VALUES (?, ?)", (m.__name__, 1.0))
    engine.dispose()
    c = Catalog(path)
    names = [r["name"] for r in c.query("SELECT name FROM _migrations ORDER BY name")]
    assert names == sorted(m.__name__ for m in MIGRATIONS)
    with c.engine.connect() as conn:
        assert current(conn) == head()
    c.close()


def test_processes_opening_a_new_catalog_together_migrate_it_once(database, request, tmp_path):
    url = request.getfixturevalue("postgres").empty() if database == "postgres" else str(tmp_path / "new.sqlite3")
    errors, opened = [], []

    def open_one():
        try:
            opened.append(Catalog(url))
        except Exception as err:  # noqa: BLE001 - collected for the assertion
            errors.append(err)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(opened) == 4
    assert opened[0].query("SELECT COUNT(*) AS n FROM _migrations")[0]["n"] == len(MIGRATIONS)
    for c in opened:
        c.close()


def test_a_catalog_from_a_newer_version_says_to_update(tmp_path):
    path = tmp_path / "newer.sqlite3"
    Catalog(path).close()
    engine = sa.create_engine(catalog_module.database_url(path))
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    engine.dispose()
    with pytest.raises(SetupProblem, match="newer version of Grounded"):
        Catalog(path)


def test_taking_over_the_queue_requeues_the_last_owners_jobs_not_other_indexers(store):
    """An app that indexes beside `grounded indexer` processes: its takeover leaves their leased jobs alone."""
    from rag.types import ChunkSettings

    store.catalog.ensure_workspace("default")
    queue.enqueue(store, [("a.md", b"# A\n\ntext"), ("b.md", b"# B\n\ntext")], "default", ChunkSettings())
    leased = queue.claim_next(store.catalog, worker="an-indexer", lease_s=60)
    orphan = queue.claim_next(store.catalog, worker="a-dead-owner", lease_s=None)
    assert queue.take_ownership(store, "the app", "new-owner")
    assert queue.get(store.catalog, leased.job_id).status == "indexing"
    assert queue.get(store.catalog, orphan.job_id).status == "queued"
    queue.give_up_ownership(store.catalog, "new-owner")
