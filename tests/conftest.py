"""Shared fixtures: a throwaway store in a temp data directory, and a scripted answer model."""

import os

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from rag.answer.models import PreparedModel
from rag.index import close_all_indexes
from rag.ingest.recovery import open_store
from rag.settings import Settings


@pytest.fixture(scope="session")
def postgres():
    """The session's throwaway PostgreSQL (tests/postgres.py); skips where there is none (CI always has one)."""
    from .postgres import Cluster

    cluster = Cluster()
    if cluster.problem:
        if os.environ.get("GROUNDED_REQUIRE_POSTGRES"):  # .ci/run sets it: CI must test on PostgreSQL
            pytest.fail(f"These tests must run on PostgreSQL here: {cluster.problem}")
        pytest.skip(cluster.problem)
    yield cluster
    from rag.store import stop_every_worker

    stop_every_worker(timeout=10)  # an app's workers left by a page test would poll a stopped server
    cluster.stop()


def pytest_addoption(parser):
    parser.addoption("--database", choices=["sqlite", "postgres"], default="sqlite",
                     help="the catalog engine of tests that don't choose one (pytest --database postgres tests/...)")


@pytest.fixture
def database(request):
    """Which catalog engine a test runs on: "sqlite" (default; ``--database postgres`` for every test) or both
    (modules marked ``both_databases``)."""
    return getattr(request, "param", None) or request.config.getoption("--database")


def pytest_generate_tests(metafunc):
    """Tests in a module marked ``both_databases`` run on SQLite and on PostgreSQL; ``postgres_slow``: the
    PostgreSQL run is marked slow (make test and CI run it, make test-fast not)."""
    if "database" not in metafunc.fixturenames or metafunc.definition.get_closest_marker("both_databases") is None:
        return
    slow = metafunc.definition.get_closest_marker("postgres_slow") is not None
    metafunc.parametrize("database", ["sqlite", pytest.param("postgres", marks=[pytest.mark.slow] if slow else [])],
                         indirect=True)


@pytest.fixture
def settings(tmp_path, monkeypatch, database, request):
    for var in ("QDRANT_URL", "OPENAI_API_KEY", "GROUNDED_DATA_DIR", "GROUNDED_EMBEDDING", "GROUNDED_DATABASE_URL",
                "GROUNDED_ORIGINALS_DIR", "GROUNDED_INDEXER"):
        monkeypatch.delenv(var, raising=False)
    if database == "postgres":
        monkeypatch.setenv("GROUNDED_DATABASE_URL", request.getfixturevalue("postgres").fresh())
    return Settings.load(tmp_path / "data", secrets_path=tmp_path / "no-secrets.toml")


@pytest.fixture
def catalog(settings):
    """A fresh catalog alone (no index): on SQLite, or PostgreSQL for tests marked to run on both databases."""
    from rag.catalog import Catalog

    c = Catalog(settings.catalog_location)
    yield c
    c.close()


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


class ScriptedChat(GenericFakeChatModel):
    """A LangChain chat model that replies with the given texts in turn, token by token, and records each prompt."""

    prompts: list = []

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        self.prompts.append(messages)
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)


def scripted_model(*replies: str, name: str = "compatible") -> PreparedModel:
    """An answer model to pass as ``model=`` to ask, ask_stream and draft: it replies with ``replies`` in turn."""
    return PreparedModel(name, ScriptedChat(messages=iter([AIMessage(r) for r in replies]), prompts=[]))


@pytest.fixture
def connected_model(monkeypatch):
    """For pages, which prepare their own model: ``connected_model("reply", ...)`` makes the next models
    started (by :func:`rag.answer.models.make_chat_model`, the one factory) reply with these texts."""

    def connect(*replies: str) -> ScriptedChat:
        chat = ScriptedChat(messages=iter([AIMessage(r) for r in replies]), prompts=[])
        monkeypatch.setattr("rag.answer.models.make_chat_model", lambda settings, choice: chat)
        return chat

    return connect
