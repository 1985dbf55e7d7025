"""Assistants: a Custom-GPT-style workspace with its own documents and settings.

An assistant's id is its workspace (the Qdrant collection and the catalog
rows hang off it); its name can change freely. Its settings (instructions,
chunking, retrieval, answer model, conversation starters) live as JSON in
the catalog's ``workspaces`` table.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import asdict, dataclass, field, replace

from ..errors import AccessDenied, GroundedError, NotFound
from ..languages import DEFAULT_LANGUAGE, check_language
from ..netguard import check_url
from ..present import RETRIEVAL_LABELS
from ..types import ChunkSettings, RetrievalSettings
from . import checks_store
from .access import User, can_use, require

DEFAULT_STARTERS = [
    "What do our case studies say about results customers got?",
    "Summarise our latest product launch in three bullet points.",
    "Which questions does our help center answer about billing?",
]


@dataclass
class Assistant:
    id: str
    name: str
    description: str = ""
    instructions: str = ""
    starters: list[str] = field(default_factory=lambda: list(DEFAULT_STARTERS))
    chunking: ChunkSettings = field(default_factory=ChunkSettings)
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    model: str | None = None  # None: the best model configured
    compatible_url: str | None = None  # overrides the global setting for this assistant
    compatible_model: str | None = None
    created: float = 0.0
    owner: str | None = None
    shared_with: list[str] = field(default_factory=list)
    language: str = DEFAULT_LANGUAGE  # "english" (MiniLM) or "multilingual" (multilingual-e5-small); rag/languages.py

    def to_config(self) -> str:
        data = asdict(self)
        data["retrieval"].pop("where", None)  # filters are per question, not saved
        for key in ("id", "created"):
            data.pop(key)
        return json.dumps(data)

    @classmethod
    def from_row(cls, workspace: str, created: float, config: str) -> "Assistant":
        data = json.loads(config or "{}")
        chunking = ChunkSettings(**data.pop("chunking", {}))
        retrieval = RetrievalSettings(**data.pop("retrieval", {}))
        data.setdefault("name", workspace)
        return cls(id=workspace, created=created, chunking=chunking, retrieval=retrieval, **data)


def _same_server(a: str | None, b: str | None) -> bool:
    return bool(a and b) and a.strip().rstrip("/").lower() == b.strip().rstrip("/").lower()


def effective_settings(settings, assistant: "Assistant"):
    """The global settings with this assistant's overrides applied.

    A key only ever goes to the address it was configured with: when the
    assistant names a model server other than the install's, the install's
    key stays behind (that server gets no key) and the connection is guarded
    like any other request made on a user's behalf (rag/netguard.py).
    """
    changed = replace(settings, workspace=assistant.id, chunking=assistant.chunking)
    if assistant.compatible_url and not _same_server(assistant.compatible_url, settings.compatible_url):
        changed = replace(
            changed, compatible_url=assistant.compatible_url, compatible_api_key=None, compatible_trusted=False,
            compatible_model=assistant.compatible_model or settings.compatible_model,
        )
    elif assistant.compatible_model:
        changed = replace(changed, compatible_model=assistant.compatible_model)
    return changed


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
        listed = any(_same_server(url, allowed) for allowed in settings.allowed_server_urls)
        if not listed and user is not None and not user.runs_the_install:
            raise AccessDenied(
                "Only whoever runs Grounded can connect an assistant to a model server. "
                "Ask an admin to add the address to the allowed list (allowed_server_urls)."
            )
        trusted = _same_server(url, settings.compatible_url) or listed
        url = check_url(url, allow_private=settings.allow_private_urls or trusted)
    before = (assistant.compatible_url, assistant.compatible_model)
    assistant.compatible_url = url
    assistant.compatible_model = (model or "").strip() or None
    _store(catalog, assistant)
    if before != (assistant.compatible_url, assistant.compatible_model):
        checks_store.queue_run(catalog, assistant.id, "settings",
                               f"Model server: {before[1] or before[0] or 'the install’s'} -> "
                               f"{assistant.compatible_model or assistant.compatible_url or 'the install’s'}",
                               queued_by=user.name if user else "")
    return assistant


def _new_id(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:24] or "assistant"
    return f"{slug}-{secrets.token_hex(3)}"


def list_assistants(catalog, user: User | None = None) -> list[Assistant]:
    """The assistants ``user`` may use (all of them for the command line, ``user=None``)."""
    rows = catalog.query("SELECT name, created, config FROM workspaces ORDER BY created, name")
    assistants = [Assistant.from_row(r["name"], r["created"], r["config"]) for r in rows]
    return [a for a in assistants if can_use(a, user)]


def get_assistant(catalog, assistant_id: str, user: User | None = None, manage: bool = False) -> Assistant:
    """One assistant, if ``user`` may use it (or ``manage`` it); a hidden one is reported as missing."""
    rows = catalog.query("SELECT name, created, config FROM workspaces WHERE name = ?", (assistant_id,))
    if not rows:
        raise NotFound("That assistant no longer exists.")
    return require(Assistant.from_row(rows[0]["name"], rows[0]["created"], rows[0]["config"]), user, manage)


def check_reader(catalog, assistant_id: str, user: User | None) -> None:
    """Raise "not found" unless ``user`` may read ``assistant_id`` (``None``: the trusted command line, unchecked).

    Every library function that reveals what an assistant's documents say (answers, drafts,
    searches, voice and style rules, chats) calls this first: a page hiding a control is not the guarantee.
    """
    if user is not None:
        get_assistant(catalog, assistant_id, user)


def save_assistant(catalog, assistant: Assistant, user: User | None = None) -> Assistant:
    """Store an assistant's settings; only its owner may change an existing one."""
    if not assistant.name.strip():
        raise GroundedError("An assistant needs a name.")
    assistant.language = check_language(assistant.language)
    stored = catalog.query("SELECT name, created, config FROM workspaces WHERE name = ?", (assistant.id,))
    before = None
    if stored:
        before = Assistant.from_row(stored[0]["name"], stored[0]["created"], stored[0]["config"])
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
        checks_store.queue_run(catalog, assistant.id, "settings", change, queued_by=user.name if user else "")
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
    catalog.execute(
        "INSERT INTO workspaces(name, created, config) VALUES (?, ?, ?) "
        "ON CONFLICT(name) DO UPDATE SET config = excluded.config",
        (assistant.id, assistant.created or time.time(), assistant.to_config()),
    )


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
    with store.catalog.transaction() as c:
        c.execute("DELETE FROM messages WHERE chat_id IN (SELECT chat_id FROM chats WHERE workspace = ?)", (assistant_id,))
        c.execute("DELETE FROM chats WHERE workspace = ?", (assistant_id,))
        c.execute("DELETE FROM sources WHERE workspace = ?", (assistant_id,))  # its pages go with it (ON DELETE CASCADE)
        c.execute("DELETE FROM jobs WHERE workspace = ?", (assistant_id,))
        c.execute("DELETE FROM gap_scopes WHERE workspace = ?", (assistant_id,))  # its out-of-scope topics
        c.execute("DELETE FROM workspaces WHERE name = ?", (assistant_id,))
    forgetting.drop_checks(store.catalog, assistant_id)
    checks_store.delete_workspace_checks(store.catalog, assistant_id)
