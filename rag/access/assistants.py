"""Assistants as records, and who may read or manage one: a Custom-GPT-style workspace with its own documents
and settings.

An assistant's id is its workspace (the Qdrant collection and the catalog rows hang off it); its name can change
freely. Its settings (instructions, chunking, retrieval, answer model, conversation starters) live as JSON in the
catalog's ``workspaces`` table (``catalog.assistants``). Reading them and the checks every stage above makes
(:func:`check_reader`, :func:`get_assistant` with ``manage=True``) are here; changing an assistant is the door's
(rag/workspace/assistants.py), which also queues its answer checks when settings change.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace

from ..catalog.assistants import AssistantRow
from ..errors import NotFound
from ..languages import DEFAULT_LANGUAGE
from ..types import ChunkSettings, RetrievalSettings
from .users import User, can_use, require

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
    def from_row(cls, workspace: str, created: float, config: str) -> Assistant:
        data = json.loads(config or "{}")
        chunking = ChunkSettings(**data.pop("chunking", {}))
        retrieval = RetrievalSettings(**data.pop("retrieval", {}))
        data.setdefault("name", workspace)
        return cls(id=workspace, created=created, chunking=chunking, retrieval=retrieval, **data)

    @classmethod
    def from_stored(cls, row: AssistantRow) -> Assistant:
        return cls.from_row(row.id, row.created, row.config)


def same_server(a: str | None, b: str | None) -> bool:
    return bool(a and b) and a.strip().rstrip("/").lower() == b.strip().rstrip("/").lower()


def effective_settings(settings, assistant: Assistant):
    """The global settings with this assistant's overrides applied.

    A key only ever goes to the address it was configured with: when the
    assistant names a model server other than the install's, the install's
    key stays behind (that server gets no key) and the connection is guarded
    like any other request made on a user's behalf (rag/netguard.py).
    """
    changed = replace(settings, workspace=assistant.id, chunking=assistant.chunking)
    if assistant.compatible_url and not same_server(assistant.compatible_url, settings.compatible_url):
        changed = replace(
            changed, compatible_url=assistant.compatible_url, compatible_api_key=None, compatible_trusted=False,
            compatible_model=assistant.compatible_model or settings.compatible_model,
        )
    elif assistant.compatible_model:
        changed = replace(changed, compatible_model=assistant.compatible_model)
    return changed


def stored_assistant(catalog, assistant_id: str) -> Assistant | None:
    """The assistant as stored, unchecked (for the checks themselves and for saving)."""
    row = catalog.assistants.get(assistant_id)
    return Assistant.from_stored(row) if row else None


def list_assistants(catalog, user: User | None = None) -> list[Assistant]:
    """The assistants ``user`` may use (all of them for the command line, ``user=None``)."""
    assistants = [Assistant.from_stored(r) for r in catalog.assistants.all()]
    return [a for a in assistants if can_use(a, user)]


def get_assistant(catalog, assistant_id: str, user: User | None = None, manage: bool = False) -> Assistant:
    """One assistant, if ``user`` may use it (or ``manage`` it); a hidden one is reported as missing."""
    assistant = stored_assistant(catalog, assistant_id)
    if assistant is None:
        raise NotFound("That assistant no longer exists.")
    return require(assistant, user, manage)


def check_reader(catalog, assistant_id: str, user: User | None) -> None:
    """Raise "not found" unless ``user`` may read ``assistant_id`` (``None``: the trusted command line, unchecked).

    Every library function that reveals what an assistant's documents say (answers, drafts,
    searches, voice and style rules, chats) calls this first: a page hiding a control is not the guarantee.
    """
    if user is not None:
        get_assistant(catalog, assistant_id, user)
