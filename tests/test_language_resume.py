"""A language change cut short (a crash, a restart, a page run stopped) never leaves a document "ready" that the
index lacks, and the next start finishes the re-index.

Changing an assistant's language empties its collection and indexes every document again with the other model.
Each document is marked waiting first (rag.ingest.pipeline.WAITING), and is ready again only once its passages
are back; recovery keeps it waiting (its half-done points removed) and the indexer resumes it.
"""

from __future__ import annotations

import pytest

from rag.answer.retrieve import retrieve
from rag.index import close_all_indexes
from rag.index.embed import E5_ID, MINILM_ID
from rag.ingest import pipeline
from rag.ingest.indexer import Indexer
from rag.ingest.pipeline import WAITING, ingest_bytes, mark_waiting, reindex_next_waiting
from rag.ingest.recovery import open_store
from rag.present import STATUS_LABELS
from rag.types import RetrievalSettings
from rag.workspace.assistants import create_assistant, get_assistant

DOCS = {
    "pricing.txt": "The Enterprise plan costs 900 euros a month and includes single sign-on and audit logs.",
    "onboarding.txt": "Onboarding a new customer takes twelve days on average, with two trainers on site.",
    "support.txt": "Support answers every ticket within four hours on weekdays, by e-mail or chat.",
}


class Interrupted(BaseException):
    """What stops a run from outside: a page's script run stopped by Streamlit, a Ctrl-C, the process ending."""


def _consistent(store, workspace: str) -> dict[str, str]:
    """Every ready document has all its passages, of its version; nothing else of the assistant is searchable."""
    rows = store.catalog.documents(workspace)
    ready = {r.doc_id for r in rows if r.status == "ready"}
    for r in rows:
        if r.status == "ready":
            assert store.index.count(workspace, r.doc_id) == store.index.count(workspace, r.doc_id, r.version) == r.chunks > 0, r.file
        else:
            assert r.status in (WAITING, "failed"), (r.file, r.status)
    found = retrieve(store, "plan customer ticket", workspace, RetrievalSettings("hybrid", k=20, threshold=-1), user=None)
    assert {h.doc_id for h in found.hits + found.below_threshold} <= ready
    return {r.file: r.status for r in rows}


def _reopen(store):
    """The process ends and the app starts again on the same data folder (recovery runs at opening)."""
    settings = store.settings
    store.catalog.close()
    close_all_indexes()
    return open_store(settings)


def _stop_after(count: int):
    def on_progress(p):
        if p.result is not None and p.done >= count:
            raise Interrupted
    return on_progress


# --- the mechanics, with the English model alone (fast) -------------------------------------------------------
def test_waiting_documents_are_not_ready_and_the_indexer_indexes_them_again(store):
    for name, text in DOCS.items():
        ingest_bytes(store, name, text.encode())
    assert mark_waiting(store, "default") == 3
    store.index.drop("default")
    statuses = _consistent(store, "default")
    assert set(statuses.values()) == {WAITING}
    assert STATUS_LABELS[WAITING] == "Waiting to be re-indexed"
    assert not store.catalog.checks.settled("default", quiet_s=0)  # answer checks wait for the re-index
    store = _reopen(store)
    assert set(_consistent(store, "default").values()) == {WAITING}  # a restart does not call them ready
    try:
        Indexer(store, poll_s=0.05).run(until_idle=True)  # the app's indexer, between queued jobs
        assert set(_consistent(store, "default").values()) == {"ready"}
        found = retrieve(store, "How long does onboarding take?", "default", RetrievalSettings("hybrid", k=1), user=None)
        assert found.hits[0].file == "onboarding.txt"
        assert store.catalog.checks.settled("default", quiet_s=0)
    finally:
        store.catalog.close()
        close_all_indexes()


def test_a_crash_while_a_waiting_document_is_stored_leaves_it_waiting_without_its_half(store, monkeypatch):
    text = "\n\n".join(f"## Part {n}\n" + f"Renewal terms of part {n} are explained here in plain words. " * 12
                       for n in range(12))
    ingest_bytes(store, "terms.md", text.encode())
    chunks = store.catalog.documents("default")[0].chunks
    assert chunks >= 4
    mark_waiting(store, "default")
    store.index.drop("default")

    class DiesMidway:
        """The store's model, killed after the first batch was stored (the process dying mid-document)."""
        def __init__(self, model):
            self.model, self.calls = model, 0

        def __getattr__(self, name):
            return getattr(self.model, name)

        def embed_array(self, texts):
            self.calls += 1
            if self.calls > 1:
                raise Interrupted
            return self.model.embed_array(texts)

    monkeypatch.setattr(pipeline, "STORE_BATCH", 2)
    real = store.embeddings
    store.embeddings = DiesMidway(real)
    with pytest.raises(Interrupted):
        reindex_next_waiting(store)
    store.embeddings = real
    row = store.catalog.documents("default")[0]
    assert row.status == WAITING and row.pending_version  # never "indexing": rolling that back would drop it
    assert store.index.count("default", row.doc_id) == 2  # the half stored...
    assert not retrieve(store, "renewal terms", "default", RetrievalSettings("hybrid", threshold=-1), user=None).hits
    store = _reopen(store)  # ...is removed at the next start; the document stays, waiting
    try:
        row = store.catalog.documents("default")[0]
        assert (row.status, row.pending_version, store.index.count("default", row.doc_id)) == (WAITING, None, 0)
        assert store.recovered >= 1
        assert reindex_next_waiting(store).status == "indexed"
        assert reindex_next_waiting(store) is None
        row = store.catalog.documents("default")[0]
        assert row.status == "ready" and store.index.count("default", row.doc_id, row.version) == row.chunks == chunks
    finally:
        store.catalog.close()
        close_all_indexes()


def test_a_waiting_document_whose_original_is_gone_fails_plainly_and_does_not_block_the_rest(store):
    for name, text in DOCS.items():
        ingest_bytes(store, name, text.encode())
    gone = next(r for r in store.catalog.documents("default") if r.file == "pricing.txt")
    mark_waiting(store, "default")
    store.index.drop("default")
    from pathlib import Path

    Path(gone.original_path).unlink()
    Indexer(store, poll_s=0.05).run(until_idle=True)  # ends: no document stays waiting
    rows = {r.file: r for r in store.catalog.documents("default")}
    assert rows["pricing.txt"].status == "failed"
    assert "original of pricing.txt is missing" in rows["pricing.txt"].error
    assert rows["onboarding.txt"].status == rows["support.txt"].status == "ready"
    _consistent(store, "default")


def test_the_indexer_leaves_a_re_index_in_hand_to_its_caller(store):
    ingest_bytes(store, "pricing.txt", DOCS["pricing.txt"].encode())
    mark_waiting(store, "default")
    with pipeline.in_hand(store, "default"):
        assert reindex_next_waiting(store) is None  # the indexer's call: someone is on it
        assert reindex_next_waiting(store, "default", skip_in_hand=False).status == "indexed"
    assert store.catalog.documents("default")[0].status == "ready"


# --- the language change itself (seconds: the multilingual model embeds for real) ----------------------------
@pytest.mark.slow
def test_a_language_change_cut_short_is_finished_at_the_next_start(store):
    from rag.workspace.documents import change_language

    made = create_assistant(store.catalog, "Sales")
    for name, text in DOCS.items():
        ingest_bytes(store, name, text.encode(), made.id)
    with pytest.raises(Interrupted):  # stopped after the first document is back
        change_language(store, made.id, "multilingual", None, _stop_after(1))
    statuses = _consistent(store, made.id)
    assert sorted(statuses.values()) == ["ready", WAITING, WAITING]  # before: all three "ready", two of them empty
    assert get_assistant(store.catalog, made.id).language == "multilingual"
    store = _reopen(store)
    try:
        assert sorted(_consistent(store, made.id).values()) == ["ready", WAITING, WAITING]
        Indexer(store, poll_s=0.05).run(until_idle=True)
        assert set(_consistent(store, made.id).values()) == {"ready"}
        assert store.index.model_of(made.id) == (E5_ID, 384)
        found = retrieve(store, "Wie lange dauert die Einarbeitung eines Kunden?", made.id,
                         RetrievalSettings("dense", k=1, threshold=-1), user=None)
        assert found.hits[0].file == "onboarding.txt"  # embedded by the multilingual model: found across languages
    finally:
        store.catalog.close()
        close_all_indexes()


@pytest.mark.slow
def test_running_the_change_again_finishes_what_a_stopped_page_left(store):
    from rag.workspace.documents import change_language

    made = create_assistant(store.catalog, "Vertrieb", language="multilingual")
    for name, text in DOCS.items():
        ingest_bytes(store, name, text.encode(), made.id)
    with pytest.raises(Interrupted):
        change_language(store, made.id, "english", None, _stop_after(2))
    assert sorted(_consistent(store, made.id).values()) == ["ready", "ready", WAITING]
    report = change_language(store, made.id, "english", None)  # the same choice again: the rest is done
    assert report.count("indexed") == 1
    assert set(_consistent(store, made.id).values()) == {"ready"}
    assert store.index.model_of(made.id) == (MINILM_ID, 384)
