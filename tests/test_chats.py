"""Assistants, chat history and feedback in the catalog."""

import pytest

from rag.errors import NotFound
from rag.types import (
    Answer,
    ChunkSettings,
    Citation,
    Hit,
    RetrievalSettings,
    SentenceCheck,
)
from rag.workspace.assistants import (
    create_assistant,
    delete_assistant,
    ensure_default,
    get_assistant,
    list_assistants,
    rename_assistant,
    save_assistant,
)
from rag.workspace.chats import (
    add_message,
    answer_markdown,
    chat_markdown,
    feedback_for,
    list_chats,
    load_chat,
    new_chat,
    record_feedback,
)

# The catalog's tests run on SQLite and on PostgreSQL (the PostgreSQL run with make test and in CI).
pytestmark = [pytest.mark.both_databases, pytest.mark.postgres_slow]


def _answer():
    return Answer(
        answer="Onboarding fell to 12 days [1].",
        model="extractive",
        grounded_fraction=1.0,
        citations=[Citation(1, "d1", "northwind.md", 2, "Results", "cut onboarding from 41 days to 12 days", 0.8, "c1")],
        sentences=[SentenceCheck("Onboarding fell to 12 days [1].", "supported", [1])],
        hits=[Hit("c1", "d1", "northwind.md", "cut onboarding from 41 days to 12 days", 0.8, 2, [2], "Results", similarity=0.7)],
    )


def test_assistant_settings_roundtrip(store):
    a = create_assistant(store.catalog, "Sales answers", instructions="Never promise delivery dates.")
    a.chunking = ChunkSettings("fixed", 128, 16)
    a.retrieval = RetrievalSettings("mmr", k=4, threshold=0.3, neighbours=1)
    a.model = "local"
    save_assistant(store.catalog, a)
    again = get_assistant(store.catalog, a.id)
    assert (again.chunking, again.retrieval, again.model) == (a.chunking, a.retrieval, "local")
    assert again.instructions == "Never promise delivery dates."
    rename_assistant(store.catalog, a.id, "Sales desk")
    assert get_assistant(store.catalog, a.id).name == "Sales desk"
    assert ensure_default(store.catalog).id == "default"
    assert {x.name for x in list_assistants(store.catalog)} == {"Sales desk", "My assistant"}


def test_chat_history_survives_reopening(store, settings):
    chat = new_chat(store.catalog, "default", user=None)
    add_message(store.catalog, chat, "user", "How long did onboarding take?")
    msg = add_message(store.catalog, chat, "assistant", "Onboarding fell to 12 days [1].", _answer())
    store.catalog.close()
    from rag.catalog import Catalog

    reopened = Catalog(settings.catalog_location)
    loaded = load_chat(reopened, chat.chat_id, "default", user=None)
    assert loaded.title == "How long did onboarding take?"
    assert loaded.messages[1].answer.citations[0].quote == "cut onboarding from 41 days to 12 days"
    assert loaded.messages[1].answer.hits[0].similarity == 0.7
    assert load_chat(reopened, chat.chat_id, "someone-else", user=None) is None
    record_feedback(reopened, loaded.chat_id, loaded.workspace, None, msg.msg_id, -1, "Wrong customer")
    fb = feedback_for(reopened, msg.msg_id, chat=loaded, user=None)
    assert fb["rating"] == -1 and fb["comment"] == "Wrong customer"
    assert fb["question"] == "How long did onboarding take?" and "northwind.md" in fb["sources"]
    assert [c.chat_id for c in list_chats(reopened, "default", user=None)] == [chat.chat_id]
    reopened.close()


def test_markdown_export_has_sources():
    md = answer_markdown("How long?", _answer())
    assert "[1] northwind.md, page 2, Results" in md and "> cut onboarding" in md and "Supported: 100%" in md


def test_chat_export_and_delete_assistant(store):
    a = create_assistant(store.catalog, "Temp")
    chat = new_chat(store.catalog, a.id, user=None)
    add_message(store.catalog, chat, "user", "Q?")
    add_message(store.catalog, chat, "assistant", "A", _answer())
    assert "# Q?" in chat_markdown(load_chat(store.catalog, chat.chat_id, a.id, user=None))
    delete_assistant(store, a.id)
    with pytest.raises(NotFound):
        get_assistant(store.catalog, a.id)
    assert list_chats(store.catalog, a.id, user=None) == []


def test_a_rating_goes_with_its_chat_and_its_assistant(store):
    """A rating keeps the question and the answer it rates: deleting the chat (or the assistant) deletes it too,
    and only that chat's ratings."""
    from rag.workspace.chats import delete_chat

    a = create_assistant(store.catalog, "Ratings")
    kept, gone = new_chat(store.catalog, a.id, user=None), new_chat(store.catalog, a.id, user=None)
    rated = {}
    for chat in (kept, gone):
        add_message(store.catalog, chat, "user", "How long did onboarding take?")
        rated[chat.chat_id] = add_message(store.catalog, chat, "assistant", "Onboarding fell to 12 days [1].", _answer())
        record_feedback(store.catalog, chat.chat_id, a.id, None, rated[chat.chat_id].msg_id, -1, "Wrong customer")
    delete_chat(store.catalog, gone.chat_id, a.id, user=None)
    assert store.catalog.chats.feedback(rated[gone.chat_id].msg_id) is None
    assert store.catalog.chats.feedback(rated[kept.chat_id].msg_id) is not None
    delete_assistant(store, a.id)
    assert store.catalog.chats.feedback(rated[kept.chat_id].msg_id) is None
