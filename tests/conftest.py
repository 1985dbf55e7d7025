"""Shared fixtures: a throwaway store in a temp data directory."""

import pytest

from rag.index import close_all_indexes
from rag.ingest.recovery import open_store
from rag.settings import Settings


@pytest.fixture
def settings(tmp_path, monkeypatch):
    for var in ("QDRANT_URL", "OPENAI_API_KEY", "GROUNDED_DATA_DIR", "GROUNDED_EMBEDDING"):
        monkeypatch.delenv(var, raising=False)
    return Settings.load(tmp_path / "data", secrets_path=tmp_path / "no-secrets.toml")


@pytest.fixture
def store(settings):
    s = open_store(settings)
    yield s
    s.catalog.close()
    close_all_indexes()


def run_cli(capsys, *args):
    """``grounded ARGS`` in this process (a subprocess costs seconds of imports per call)."""
    from types import SimpleNamespace

    from rag.cli import main

    capsys.readouterr()
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)
