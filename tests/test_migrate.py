"""``grounded migrate --to postgresql://...``: a real assistant moves from SQLite with its documents, chats,
access and queue history, and reads the same on the other side."""

import pytest
import sqlalchemy as sa

from rag.catalog import Catalog
from rag.ingest import queue
from rag.ingest.indexer import Indexer
from rag.catalog.migrate import SKIP, TargetNotEmpty, copy_catalog
from rag.types import ChunkSettings
from rag.workspace.access import User
from rag.workspace.assistants import create_assistant, list_assistants
from rag.workspace.chats import add_message, feedback_for, list_chats, load_chat, new_chat, record_feedback

from .conftest import run_cli

pytestmark = pytest.mark.slow  # indexes documents and starts a PostgreSQL cluster

ALICE, BOB, CAROL = User("alice"), User("bob"), User("carol")


def _tables(catalog: Catalog) -> dict[str, list[tuple]]:
    meta = sa.MetaData()
    meta.reflect(catalog.engine)
    out = {}
    with catalog.engine.connect() as conn:
        for table in meta.sorted_tables:
            if table.name in SKIP:
                continue
            names = sorted(c.name for c in table.columns)
            rows = conn.execute(sa.select(*(table.columns[n] for n in names))).fetchall()
            out[table.name] = sorted(tuple(float(v) if isinstance(v, int) and not isinstance(v, bool) else v
                                           for v in r) for r in rows)
    return out


def test_an_assistant_moves_to_postgresql_whole(store, postgres, capsys):
    team = create_assistant(store.catalog, "Team", user=ALICE, shared_with=["bob"])
    store.catalog.ensure_workspace("default")
    jobs = queue.enqueue(store, [("pricing.md", b"# Pricing\n\nThe Pro plan costs 49 euros a month."),
                                 ("onboarding.md", b"# Onboarding\n\nOnboarding fell from 41 days to 12 days.")],
                         team.id, ChunkSettings(), queued_by="alice")
    Indexer(store, "test").run()
    chat = new_chat(store.catalog, team.id, user=ALICE)
    add_message(store.catalog, chat, "user", "What does Pro cost?")
    answer = add_message(store.catalog, chat, "assistant", "49 euros a month.")
    record_feedback(store.catalog, chat.chat_id, team.id, ALICE, answer.msg_id, 1, "right")
    before = _tables(store.catalog)

    url = postgres.empty()
    result = run_cli(capsys, "migrate", "--data-dir", store.settings.data_dir, "--to", url)
    assert result.returncode == 0, result.stderr
    assert "Copied into" in result.stdout and "secret" not in result.stdout

    moved = Catalog(url)
    try:
        assert _tables(moved) == before  # every row of every table, as it was
        assert team.id in [a.id for a in list_assistants(moved, BOB)]  # access came along
        assert team.id not in [a.id for a in list_assistants(moved, CAROL)]
        assert [c.chat_id for c in list_chats(moved, team.id, user=ALICE)] == [chat.chat_id]
        assert list_chats(moved, team.id, user=BOB) == []
        loaded = load_chat(moved, chat.chat_id, team.id, user=ALICE)
        assert [m.content for m in loaded.messages] == ["What does Pro cost?", "49 euros a month."]
        assert feedback_for(moved, answer.msg_id, chat=loaded, user=ALICE)["comment"] == "right"
        history = queue.jobs(moved, workspace=team.id)
        assert [(j.name, j.status) for j in history] == [(j.name, "indexed") for j in jobs]
        assert {d.file for d in moved.documents(team.id, status="ready")} == {"pricing.md", "onboarding.md"}
        # the queue goes on after the copied jobs: new ids, no clash
        (more,) = queue.enqueue(type("F", (), {"catalog": moved, "settings": store.settings})(),
                                [("faq.md", b"# FAQ\n\nYes.")], team.id, ChunkSettings())
        assert more.job_id > max(j.job_id for j in history)
    finally:
        moved.close()

    again = run_cli(capsys, "migrate", "--data-dir", store.settings.data_dir, "--to", url)
    assert again.returncode == 1 and "already holds an install" in again.stderr  # never copied over an install


def test_the_target_must_not_be_the_source(store):
    with pytest.raises(TargetNotEmpty):
        copy_catalog(store.catalog, str(store.settings.catalog_path))
