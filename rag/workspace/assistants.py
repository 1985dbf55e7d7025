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
from dataclasses import asdict, dataclass, field

from ..errors import GroundedError, NotFound
from ..types import ChunkSettings, RetrievalSettings
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


def effective_settings(settings, assistant: "Assistant"):
    """The global settings with this assistant's overrides applied."""
    return settings.with_(
        workspace=assistant.id,
        chunking=assistant.chunking,
        compatible_url=assistant.compatible_url,
        compatible_model=assistant.compatible_model,
    )


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


def save_assistant(catalog, assistant: Assistant, user: User | None = None) -> Assistant:
    """Store an assistant's settings; only its owner may change an existing one."""
    if not assistant.name.strip():
        raise GroundedError("An assistant needs a name.")
    stored = catalog.query("SELECT name, created, config FROM workspaces WHERE name = ?", (assistant.id,))
    if stored:
        before = Assistant.from_row(stored[0]["name"], stored[0]["created"], stored[0]["config"])
        require(before, user, manage=True)
        assistant.owner = before.owner  # ownership never changes through an edit
    catalog.execute(
        "INSERT INTO workspaces(name, created, config) VALUES (?, ?, ?) "
        "ON CONFLICT(name) DO UPDATE SET config = excluded.config",
        (assistant.id, assistant.created or time.time(), assistant.to_config()),
    )
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
        **({} if user is not None and not user.is_local else {"owner": source.owner}),
    )
    for row in store.catalog.documents(source.id, status="ready"):
        if row.original_path and Path(row.original_path).exists():
            ingest_bytes(store, row.file, Path(row.original_path).read_bytes(), copy.id, copy.chunking, kind=row.kind)
    return copy


def delete_assistant(store, assistant_id: str, user: User | None = None) -> None:
    """Remove an assistant, its documents, originals, index and chats (its owner only)."""
    from ..ingest.pipeline import delete_document

    get_assistant(store.catalog, assistant_id, user, manage=True)
    for row in store.catalog.documents(assistant_id):
        delete_document(store, row.doc_id)
    store.index.drop(assistant_id)
    with store.catalog.transaction() as c:
        c.execute("DELETE FROM messages WHERE chat_id IN (SELECT chat_id FROM chats WHERE workspace = ?)", (assistant_id,))
        c.execute("DELETE FROM chats WHERE workspace = ?", (assistant_id,))
        c.execute("DELETE FROM workspaces WHERE name = ?", (assistant_id,))
