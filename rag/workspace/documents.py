"""Document operations as a person does them: each takes the acting user and checks access itself.

Pages hide the controls a user may not use, but that is a convenience: the
guarantee is here. Reading a document (its passages, a preview of another
split, a download) needs the right to use its assistant; changing it (kind,
re-index, delete) needs the right to manage it; adding documents goes through the
indexing queue (:mod:`rag.workspace.jobs`), under the same rule. A document
of an assistant the user may not see is reported exactly like a missing one.

``user=None`` is the trusted command line (whoever runs the machine).
"""

from __future__ import annotations

from ..access.documents import readable_document
from ..catalog import DocumentRow
from ..index.embed import MINILM_ID
from ..ingest import kinds, pipeline
from ..ingest.admission import FileResult, IngestReport, ProgressCallback
from ..ingest.forgetting import Trace
from ..languages import MULTILINGUAL_SLOWER, check_language
from ..store import Store
from ..types import ChunkSettings, Hit
from .access import User
from .assistants import Assistant, get_assistant


def document(store: Store, doc_id: str, user: User | None, manage: bool = False,
             assistant_id: str | None = None) -> DocumentRow:
    """A document's catalog row, if ``user`` may see (or ``manage``) its assistant; else "not found" (the check
    every stage makes: :func:`rag.access.documents.readable_document`)."""
    return readable_document(store.catalog, doc_id, user, manage, assistant_id)


def managed_assistant(store: Store, assistant_id: str, user: User | None) -> Assistant:
    """The assistant, if ``user`` may change what it knows."""
    return get_assistant(store.catalog, assistant_id, user, manage=True)


def set_kind(store: Store, doc_id: str, kind: str, user: User | None) -> None:
    document(store, doc_id, user, manage=True)
    kinds.set_kind(store, doc_id, kind)


def reindex(store: Store, doc_id: str, user: User | None, chunking: ChunkSettings | None = None) -> FileResult:
    row = document(store, doc_id, user, manage=True)
    result = pipeline.reindex(store, doc_id, chunking)
    store.catalog.checks.queue_run(row.workspace, "re-index", f"Re-indexed {row.title or row.file}",
                           queued_by=user.name if user else "")  # its answer checks run again, in the background
    return result


def reindex_assistant(store: Store, assistant_id: str, chunking: ChunkSettings, user: User | None,
                      on_progress: ProgressCallback | None = None) -> IngestReport:
    assistant = managed_assistant(store, assistant_id, user)
    report = pipeline.reindex_workspace(store, assistant.id, chunking, on_progress)
    store.catalog.checks.queue_run(assistant.id, "re-index", queued_by=user.name if user else "")
    return report


def _model_changes(store: Store) -> bool:
    """Whether the language setting changes the embedding model (not with OpenAI embeddings: those serve
    every language)."""
    return getattr(store.embeddings, "model_id", None) == MINILM_ID


def language_change_seconds(store: Store, assistant_id: str, language: str, user: User | None) -> float:
    """How long changing the assistant's language would take: its documents re-indexed with the other model."""
    assistant = managed_assistant(store, assistant_id, user)
    language = check_language(language)
    if language == assistant.language or not _model_changes(store):
        return 0.0
    seconds = pipeline.estimate_reindex_seconds(store, assistant.id)
    return seconds * MULTILINGUAL_SLOWER if language == "multilingual" else seconds / MULTILINGUAL_SLOWER


def change_language(store: Store, assistant_id: str, language: str, user: User | None,
                    on_progress: ProgressCallback | None = None) -> IngestReport:
    """Set the assistant's language ("english" or "multilingual") and re-index its documents with that model.

    The two models' vectors cannot be searched together, so the assistant's index is emptied first
    and filled again document by document: until the re-index ends, answers draw on the documents
    done so far (:func:`language_change_seconds` says how long it takes).

    Crash-safe: every document is marked waiting (never "ready" without its passages) before the index
    is emptied, in that order, and each becomes ready again only once indexed by the new model. A
    re-index cut short (a crash, a restart, a closed page) is resumed by the indexer when the app
    starts again (:func:`rag.ingest.pipeline.reindex_next_waiting`), or by running this again.
    """
    from ..ingest.queue import settle_workspace

    assistant = managed_assistant(store, assistant_id, user)
    language = check_language(language)
    report = IngestReport()
    if language == assistant.language:  # nothing to change; finish what an interrupted change left waiting
        return pipeline.reindex_waiting(store, assistant.id, on_progress)
    if not _model_changes(store):
        _store_language(store, assistant, language)
        return report
    settle_workspace(store, assistant.id)  # nothing of it is being indexed while the model changes
    with pipeline.in_hand(store, assistant.id):
        with pipeline.REINDEX_GUARD:
            pipeline.mark_waiting(store, assistant.id)
            store.index.drop(assistant.id)
            _store_language(store, assistant, language)
        return pipeline.reindex_waiting(store, assistant.id, on_progress)


def _store_language(store: Store, assistant: Assistant, language: str) -> None:
    """Save the language setting (an ordinary edit keeps the stored one: see save_assistant)."""
    from .assistants import _store

    assistant.language = language
    _store(store.catalog, assistant)


def delete(store: Store, doc_id: str, user: User | None) -> Trace | None:
    """Delete a document everywhere; a forget check is left pending for it (run by :mod:`rag.quality.forget`)."""
    document(store, doc_id, user, manage=True)
    return pipeline.delete_document(store, doc_id, reason="deleted")


def passages(store: Store, doc_id: str, user: User | None) -> list[Hit]:
    """How a document is indexed now, passage by passage."""
    document(store, doc_id, user)
    return pipeline.stored_chunks(store, doc_id)


def preview(store: Store, doc_id: str, chunking: ChunkSettings, user: User | None) -> list:
    """How a document would be split with ``chunking`` (nothing changes)."""
    document(store, doc_id, user)
    return pipeline.preview_chunks(store, doc_id, chunking)


def documents(store: Store, assistant_id: str, user: User | None) -> list[DocumentRow]:
    """The documents of an assistant the user may use."""
    assistant = get_assistant(store.catalog, assistant_id, user)
    return store.catalog.documents(assistant.id)


def ready_count(store: Store, assistant_id: str, user: User | None) -> int:
    """How many documents of an assistant the user may use are ready to answer from.

    Counted in SQLite, not listed: the chat page asks on every run (twice per question), and
    listing 10,000 documents there took 0.1-0.3 s of the GIL each time, which every browser
    session waited for in turn (docs/team.md).
    """
    assistant = get_assistant(store.catalog, assistant_id, user)
    return store.catalog.count_ready(assistant.id)
