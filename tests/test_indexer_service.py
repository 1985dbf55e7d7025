"""Indexers as services (GROUNDED_INDEXER=service): apps and `grounded ingest` only queue; `grounded indexer` indexes."""

import pytest

from rag.ingest import queue
from rag.ingest.indexer import _indexers
from rag.settings import Settings

from .conftest import run_cli

pytestmark = [pytest.mark.both_databases, pytest.mark.postgres_slow]


@pytest.fixture
def service(settings, monkeypatch, tmp_path):
    monkeypatch.setenv("GROUNDED_INDEXER", "service")
    monkeypatch.setenv("GROUNDED_ORIGINALS_DIR", str(tmp_path / "shared"))
    return Settings.load(settings.data_dir, secrets_path=tmp_path / "no-secrets.toml")


def test_ingest_only_queues_and_an_indexer_process_indexes(service, capsys, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# Pricing\n\nThe Pro plan costs 49 euros a month.")
    (notes / "b.md").write_text("# Onboarding\n\nOnboarding fell from 41 days to 12 days.")
    queued = run_cli(capsys, "ingest", "--no-wait", "--data-dir", service.data_dir, notes)
    assert queued.returncode == 0, queued.stderr
    from rag.store import DataFolder

    folder = DataFolder(service)
    try:
        waiting = queue.jobs(folder.catalog, active_only=True)
        assert len(waiting) == 2  # queued, not indexed: that is the indexers' work
        assert all((tmp_path / "shared" / j.stored).is_file() for j in waiting)  # in the shared folder

        done = run_cli(capsys, "indexer", "--once", "--data-dir", service.data_dir)
        assert done.returncode == 0, done.stderr
        assert "without QDRANT_URL" in done.stderr
        assert {j.status for j in queue.jobs(folder.catalog)} == {"indexed"}
        docs = folder.catalog.documents("default", status="ready")
        assert len(docs) == 2 and all(d.original_path.startswith(str(tmp_path / "shared" / "files")) for d in docs)
        assert not list((tmp_path / "shared" / "queue").glob("*/*"))  # stored uploads removed once indexed
    finally:
        folder.close()


@pytest.mark.parametrize("mode", ["app", "service"])
def test_the_app_indexes_only_when_it_is_the_indexer(settings, monkeypatch, mode):
    from app_pages._common import get_store
    from rag.answer.relay import stop_serving_reads
    from rag.index import close_all_indexes
    from rag.ingest.indexer import stop_indexer

    monkeypatch.setenv("GROUNDED_INDEXER", mode)
    store = get_store.__wrapped__(str(settings.data_dir))  # what the cached function runs once per process
    try:
        assert (_indexers.get(store) is not None) == (mode == "app")
    finally:
        stop_indexer(store)
        stop_serving_reads(store)
        store.close()
        close_all_indexes()


def test_a_wrong_indexer_setting_says_what_to_write(monkeypatch, tmp_path):
    from rag.errors import GroundedError

    monkeypatch.setenv("GROUNDED_INDEXER", "both")
    with pytest.raises(GroundedError, match="GROUNDED_INDEXER must be app"):
        Settings.load(tmp_path, secrets_path=tmp_path / "none.toml")
