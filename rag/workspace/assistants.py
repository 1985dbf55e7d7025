"""Assistants through the door: making, changing, sharing, copying and deleting one, each checked for the acting user.

The records and the reader and manager checks are rag/access/assistants.py (the stages below the door check
with them too); they are offered here as well, so pages and the command line reach assistants in one place.
A change to the settings answers depend on queues the assistant's answer checks (run in the background,
rag/quality/runner.py).
"""

from __future__ import annotations

import re
import secrets
import time

from ..access.assistants import (  # noqa: F401 - the door offers the records and checks too
    DEFAULT_STARTERS,
    Assistant,
    check_reader,
    effective_settings,
    get_assistant,
    list_assistants,
    same_server,
    stored_assistant,
)
from ..access.users import User, require
from ..errors import AccessDenied, GroundedError, NotFound
from ..languages import check_language
from ..netguard import check_url
from ..present import RETRIEVAL_LABELS
from ..types import ChunkSettings


def set_model_server(catalog, settings, assistant_id: str, url: str | None, model: str | None,
                     user: User | None) -> Assistant:
    """Point an assistant at its own OpenAI-compatible server (``url=None``: back to the install's).

    Only whoever runs the install (an admin; the single user without
    sign-in; the command line) may name any address. Others who manage an
    assistant may pick only an address from the admins' list
    (``allowed_server_urls``). The address is checked now (http/https, and
    not an internal one unless private addresses are allowed) and again at
    every connection.
    """
    assistant = get_assistant(catalog, assistant_id, user, manage=True)
    url = (url or "").strip() or None
    if url is not None:
        listed = any(same_server(url, allowed) for allowed in settings.allowed_server_urls)
        if not listed and user is not None and not user.runs_the_install:
            raise AccessDenied(
                "Only whoever runs Grounded can connect an assistant to a model server. "
                "Ask an admin to add the address to the allowed list (allowed_server_urls)."
            )
        trusted = same_server(url, settings.compatible_url) or listed
        url = check_url(url, allow_private=settings.allow_private_urls or trusted)
    before = (assistant.compatible_url, assistant.compatible_model)
    assistant.compatible_url = url
    assistant.compatible_model = (model or "").strip() or None
    _store(catalog, assistant)
    if before != (assistant.compatible_url, assistant.compatible_model):
        catalog.checks.queue_run(assistant.id, "settings",
                               f"Model server: {before[1] or before[0] or 'the install’s'} -> "
                               f"{assistant.compatible_model or assistant.compatible_url or 'the install’s'}",
                               queued_by=user.name if user else "")
    return assistant


def _new_id(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:24] or "assistant"
    return f"{slug}-{secrets.token_hex(3)}"


def save_assistant(catalog, assistant: Assistant, user: User | None = None) -> Assistant:
    """Store an assistant's settings; only its owner may change an existing one."""
    if not assistant.name.strip():
        raise GroundedError("An assistant needs a name.")
    assistant.language = check_language(assistant.language)
    before = stored_assistant(catalog, assistant.id)
    if before is not None:
        require(before, user, manage=True)
        # Ownership and the model server never change through an edit: set_owner and set_model_server check who may.
        assistant.owner = before.owner
        assistant.compatible_url, assistant.compatible_model = before.compatible_url, before.compatible_model
        # Nor the language: its passages would stay embedded by the other model; change_language re-indexes.
        assistant.language = before.language
    elif assistant.compatible_url:
        raise AccessDenied("Connect a model server with set_model_server, which checks who may and where to.")
    _store(catalog, assistant)
    if before is not None and (change := settings_change(before, assistant)):
        # the assistant's answer checks run again in the background (rag/quality/runner.py), compared with the last run
        catalog.checks.queue_run(assistant.id, "settings", change, queued_by=user.name if user else "")
    return assistant


_CHUNK_WORDS = {"by_title": "by section", "recursive": "by paragraph", "fixed": "fixed size"}


def _splitting(c: ChunkSettings) -> str:
    return f"{_CHUNK_WORDS.get(c.strategy, c.strategy)}, {c.size} tokens, overlap {c.overlap}"


# the settings as the Settings page names them, short: the Checks page says what changed in those words
_MODEL_WORDS = {"auto": "automatic", "openai": "OpenAI", "compatible": "your own server", "local": "built-in small model",
                "extractive": "quotes only"}


def _search_words(strategy: str) -> str:
    """'meaning and keywords' for hybrid: the Settings page's label without its '(recommended)'."""
    return re.sub(r"\s*\(.*\)$", "", RETRIEVAL_LABELS.get(strategy, strategy)).lower()


def settings_change(before: Assistant, after: Assistant) -> str:
    """What changed in the settings answers depend on, in a line ("Search: dense -> hybrid"); "" when nothing did."""
    a, b = before.retrieval, after.retrieval
    parts = [f"{label}: {old} -> {new}" for label, old, new in (
        ("Search", _search_words(a.strategy), _search_words(b.strategy)),
        ("Passages per answer", a.k, b.k),
        ("Relevance threshold", a.threshold, b.threshold),
        ("Neighbouring passages", a.neighbours, b.neighbours),
        ("Model", _MODEL_WORDS.get(before.model or "auto", before.model), _MODEL_WORDS.get(after.model or "auto", after.model)),
    ) if old != new]
    if before.chunking != after.chunking:
        parts.append(f"Splitting: {_splitting(before.chunking)} -> {_splitting(after.chunking)}")
    if before.instructions.strip() != after.instructions.strip():
        parts.append("Instructions changed")
    return "; ".join(parts)


def _store(catalog, assistant: Assistant) -> None:
    catalog.assistants.save(assistant.id, assistant.to_config(), assistant.created or time.time())


def set_owner(catalog, assistant_id: str, owner: str | None, user: User | None) -> Assistant:
    """Give an assistant to someone (``None``: nobody, so admins manage it). Its owner, an admin, or the command line."""
    assistant = get_assistant(catalog, assistant_id, user)
    if user is not None and not user.runs_the_install and user.name != assistant.owner:
        raise AccessDenied("Only the owner of this assistant or an admin can give it to someone else.")
    assistant.owner = (owner or "").strip() or None
    _store(catalog, assistant)
    return assistant


def share(catalog, assistant_id: str, people: list[str], user: User | None) -> Assistant:
    """Who besides the owner may use an assistant ("*": everyone signed in). Its manager only."""
    assistant = get_assistant(catalog, assistant_id, user, manage=True)
    assistant.shared_with = sorted({p.strip() for p in people if p.strip()})
    _store(catalog, assistant)
    return assistant


def create_assistant(catalog, name: str, user: User | None = None, **fields) -> Assistant:
    """A new assistant, owned by ``user`` when someone is signed in."""
    if user is not None and not user.is_local:
        fields["owner"] = user.name
    assistant = Assistant(id=_new_id(name), name=name.strip(), created=time.time(), **fields)
    return save_assistant(catalog, assistant)


def ensure_default(catalog, workspace: str = "default") -> Assistant:
    """The assistant for ``workspace``, created with defaults if it doesn't exist yet."""
    try:
        return get_assistant(catalog, workspace)
    except NotFound:
        name = "My assistant" if workspace == "default" else workspace
        return save_assistant(catalog, Assistant(id=workspace, name=name, created=time.time()))


def rename_assistant(catalog, assistant_id: str, name: str, user: User | None = None) -> Assistant:
    assistant = get_assistant(catalog, assistant_id, user, manage=True)
    assistant.name = name.strip()
    return save_assistant(catalog, assistant, user)


def duplicate_assistant(store, assistant_id: str, name: str | None = None, user: User | None = None) -> Assistant:
    """A copy with the same settings and the same documents (re-indexed into its own collection), owned by ``user``."""
    from pathlib import Path

    from ..ingest.pipeline import ingest_bytes

    source = get_assistant(store.catalog, assistant_id, user)
    copy = create_assistant(
        store.catalog,
        name or f"{source.name} (copy)",
        user=user,
        description=source.description,
        instructions=source.instructions,
        starters=list(source.starters),
        chunking=source.chunking,
        retrieval=source.retrieval,
        model=source.model,
        language=source.language,
        **({} if user is not None and not user.is_local else {"owner": source.owner}),
    )
    for row in store.catalog.documents(source.id, status="ready"):
        if row.original_path and Path(row.original_path).exists():
            ingest_bytes(store, row.file, Path(row.original_path).read_bytes(), copy.id, copy.chunking, kind=row.kind)
    return copy


def delete_assistant(store, assistant_id: str, user: User | None = None) -> None:
    """Remove an assistant, its documents, originals, index and chats (its owner only)."""
    from ..ingest import forgetting
    from ..ingest.pipeline import delete_document
    from ..ingest.queue import settle_workspace

    get_assistant(store.catalog, assistant_id, user, manage=True)
    settle_workspace(store, assistant_id)  # nothing of it is being indexed while it goes
    for row in store.catalog.documents(assistant_id):
        delete_document(store, row.doc_id)
    store.index.drop(assistant_id)
    store.catalog.assistants.delete_with_its_rows(assistant_id)  # chats, sources, jobs, out-of-scope topics
    forgetting.drop_checks(store.catalog, assistant_id)
    store.catalog.checks.delete_workspace(assistant_id)


def reindex_seconds(store, assistant_id: str, *, user: User | None) -> float:
    """About how long re-indexing an assistant's documents takes on this machine (someone who may use it)."""
    from ..ingest.pipeline import estimate_reindex_seconds

    get_assistant(store.catalog, assistant_id, user)
    return estimate_reindex_seconds(store, assistant_id)
