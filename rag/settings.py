"""One typed settings object for the whole app.

Values come, in order of precedence, from explicit arguments (CLI flags, the
UI), environment variables, ``.streamlit/secrets.toml`` and the defaults
below. Nothing else in ``rag/`` reads the environment.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import GroundedError
from .types import ChunkSettings

SECRETS_FILE = Path(".streamlit") / "secrets.toml"


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def _secrets(path: Path = SECRETS_FILE) -> dict:
    """Flat key/value pairs from secrets.toml (top-level keys only, not tables or lists), or {}."""
    return {k.upper(): v for k, v in _read_toml(path).items() if not isinstance(v, (dict, list))}


def default_key_file(env: dict) -> Path:
    """Where the install secret that encrypts saved model keys lives: the user's config folder, outside the data folder."""
    config = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "grounded" / "secret.key"


def _flag(raw: str | None) -> bool:
    """A yes/no setting: true, yes, 1 or on (any case) mean yes."""
    return (raw or "").strip().lower() in ("1", "true", "yes", "on")


def _hours(raw: str | None, variable: str = "GROUNDED_SESSION_HOURS", default: float | None = None,
           unit: str = "hours") -> float:
    if raw is None:
        return Settings.session_hours if default is None else default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value < 0 or value != value:
        meaning = "0 signs in every visit" if unit == "hours" else "0: no limit"
        raise GroundedError(f"The setting {variable} must be a number of {unit} ({meaning}), not {raw!r}.")
    return value


def _indexer(raw: str | None) -> str:
    value = (raw or "app").strip().lower()
    if value not in ("app", "service"):
        raise GroundedError(f"The setting GROUNDED_INDEXER must be app (the app indexes) or service "
                            f"(separate `grounded indexer` processes do), not {raw!r}.")
    return value


def _count(raw: str | None, variable: str, default: int) -> int:
    if raw is None:
        return default
    try:
        value = int(raw.replace("_", "").replace(",", ""))
    except ValueError:
        value = 0
    if value <= 0:
        raise GroundedError(f"The setting {variable} must be a whole number above 0, not {raw!r}.")
    return value


@dataclass(frozen=True)
class Limits:
    """Input limits; each breach gives the user a plain message."""

    max_file_mb: int = 200
    max_zip_entries: int = 2000
    max_zip_total_mb: int = 500
    # Passages one upload may make (a file, or all of a ZIP's documents together): about 40 minutes
    # of indexing at the measured 20 passages a second on 2 cores (rag/ingest/workload.py).
    max_chunks: int = 50_000
    parse_timeout_s: float = 180.0  # per file; the parser runs in a child process that is killed after this
    parse_memory_mb: int = 4096  # address-space limit of that child process
    # One run of a site's sync (rag/ingest/sources.py): a run that reaches either bound stops and the
    # sync continues where it stopped a few minutes later, so no site holds the sync lane for long.
    sync_max_pages: int = 300  # pages requested per run
    sync_max_minutes: float = 5.0


LIMIT_VARIABLES = {  # environment (or secrets.toml) name -> Limits field
    "GROUNDED_MAX_FILE_MB": "max_file_mb",
    "GROUNDED_MAX_ZIP_ENTRIES": "max_zip_entries",
    "GROUNDED_MAX_ZIP_MB": "max_zip_total_mb",
    "GROUNDED_MAX_CHUNKS": "max_chunks",
    "GROUNDED_PARSE_TIMEOUT_S": "parse_timeout_s",
    "GROUNDED_PARSE_MEMORY_MB": "parse_memory_mb",
    "GROUNDED_SYNC_MAX_PAGES": "sync_max_pages",
    "GROUNDED_SYNC_MAX_MINUTES": "sync_max_minutes",
}


def _limits(get) -> Limits:
    """Input limits, each overridable by its variable in :data:`LIMIT_VARIABLES`."""
    changes = {}
    for variable, name in LIMIT_VARIABLES.items():
        raw = get(variable)
        if raw is None:
            continue
        kind = type(getattr(Limits, name))
        try:
            value = kind(raw)
        except ValueError:
            value = None
        if value is None or value <= 0:
            raise GroundedError(f"The setting {variable} must be a positive number, not {raw!r}.")
        changes[name] = value
    return Limits(**changes)


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    qdrant_url: str | None = None
    qdrant_api_key: str | None = field(default=None, repr=False)
    openai_api_key: str | None = field(default=None, repr=False)
    embedding: str = "minilm"  # "minilm" (offline, default) or "openai"
    openai_embedding_model: str = "text-embedding-3-small"
    embed_batch_tokens: int = 256  # padded word pieces per embedding batch: fastest of 128-2,048 (docs/benchmarks.md)
    # Passages a workspace holds before its dense search uses an approximate index (HNSW over
    # int8 vectors, rescored); below this it is exact. Measured in ``grounded bench query`` (README).
    approximate_from: int = 20_000
    chunking: ChunkSettings = field(default_factory=ChunkSettings)
    workspace: str = "default"
    limits: Limits = field(default_factory=Limits)
    # Answer models: None = automatic (openai if a key, compatible if a URL, else extractive
    # for questions and the built-in local model for writing tasks).
    answer_model: str | None = None  # "openai" | "compatible" | "local" | "extractive"
    openai_model: str = "gpt-4o-mini"
    compatible_url: str | None = None  # e.g. http://localhost:11434/v1 (Ollama)
    compatible_model: str | None = None
    compatible_api_key: str | None = field(default=None, repr=False)
    llm_timeout_s: float = 60.0
    temperature: float = 0.1
    # Sign-in (rag/access.py): user name -> password hash from secrets.toml's [users] table,
    # and whether Streamlit's OIDC login is configured ([auth] table).
    users: dict = field(default_factory=dict, repr=False)
    oidc: bool = False
    # Who runs this install: the people who may connect model servers and manage assistants that
    # have no owner (``admins = ["alice"]`` in secrets.toml, or GROUNDED_ADMINS=alice,bob).
    admins: tuple[str, ...] = ()
    # Requests made on a user's behalf (an assistant's own model server, a site to import) may reach
    # private, loopback and link-local addresses only if the owner allows it (rag/netguard.py).
    allow_private_urls: bool = False
    # Model server addresses anyone who manages an assistant may choose (admins may choose any).
    allowed_server_urls: tuple[str, ...] = ()
    # False when the compatible server address came from an assistant, not from whoever runs the
    # machine: then no install key goes with it and its address is guarded.
    compatible_trusted: bool = True
    session_hours: float = 12.0  # a browser stays signed in across reloads this long (GROUNDED_SESSION_HOURS)
    # ... unless unused this long: a session idle longer ends (GROUNDED_SESSION_IDLE_MINUTES; 0: no idle limit)
    session_idle_minutes: float = 120.0
    # Model keys saved from the browser are encrypted with a key derived from this secret (rag/vault.py):
    # GROUNDED_SECRET_KEY if set, else a secret generated on first use in ``key_file``, outside the data folder.
    secret_key: str | None = field(default=None, repr=False)
    key_file: Path = Path("~/.config/grounded/secret.key")
    # A team's shared catalog (docs/team.md): GROUNDED_DATABASE_URL=postgresql://user:password@host/db; None: the
    # SQLite file in the data folder. Its password is never shown (repr=False).
    database_url: str | None = field(default=None, repr=False)
    # The folder every app and indexer process of a team mounts, at the same path (GROUNDED_ORIGINALS_DIR): kept
    # originals in its files/, uploads waiting for an indexer in its queue/. None: both in the data folder.
    originals_dir: Path | None = None
    # Who indexes (GROUNDED_INDEXER): "app" (the app process, one per data folder, as always) or "service"
    # (separate `grounded indexer` processes; app processes only queue, and open no index folder lock to write).
    indexer: str = "app"

    def __post_init__(self) -> None:
        # Absolute from the start: the parse worker runs from the project folder, so a relative data
        # folder (the default "data" included) named another place there and every document failed.
        object.__setattr__(self, "data_dir", Path(self.data_dir).expanduser().absolute())

    @property
    def signin_required(self) -> bool:
        return bool(self.users) or self.oidc

    @property
    def files_dir(self) -> Path:
        return self.shared_dir / "files"

    @property
    def shared_dir(self) -> Path:
        """Where kept originals and queued uploads live: the team's shared folder, else the data folder."""
        return self.originals_dir or self.data_dir

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite3"

    @property
    def catalog_location(self) -> str | Path:
        """What :class:`rag.catalog.Catalog` opens: the team's database URL, else the SQLite file."""
        return self.database_url or self.catalog_path

    @property
    def indexes_here(self) -> bool:
        """Whether app processes index the queue themselves (False with GROUNDED_INDEXER=service)."""
        return self.indexer != "service"

    def with_(self, **changes) -> "Settings":
        """A copy with some fields changed (None values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @classmethod
    def load(cls, data_dir: str | Path | None = None, secrets_path: Path = SECRETS_FILE) -> "Settings":
        """Settings from the environment and secrets.toml; ``data_dir`` wins if given."""
        env = {**_secrets(secrets_path), **os.environ}

        def get(name: str) -> str | None:
            value = env.get(name)
            return str(value) if value not in (None, "") else None

        openai_key = get("OPENAI_API_KEY")
        tables = _read_toml(secrets_path)

        def names(key: str, variable: str) -> tuple[str, ...]:
            listed = tables.get(key)
            if isinstance(listed, list):
                return tuple(str(v).strip() for v in listed if str(v).strip())
            return tuple(v.strip() for v in (get(variable) or "").split(",") if v.strip())

        users = {str(k): str(v) for k, v in (tables.get("users") or {}).items()}
        return cls(
            data_dir=Path(data_dir or get("GROUNDED_DATA_DIR") or "data"),
            qdrant_url=get("QDRANT_URL"),
            qdrant_api_key=get("QDRANT_API_KEY"),
            openai_api_key=openai_key,
            embedding=get("GROUNDED_EMBEDDING") or "minilm",
            answer_model=get("GROUNDED_MODEL"),
            openai_model=get("OPENAI_MODEL") or cls.openai_model,
            compatible_url=get("GROUNDED_COMPATIBLE_URL") or get("OPENAI_BASE_URL"),
            compatible_model=get("GROUNDED_COMPATIBLE_MODEL"),
            compatible_api_key=get("GROUNDED_COMPATIBLE_API_KEY"),
            users=users,
            oidc=isinstance(tables.get("auth"), dict),
            admins=names("admins", "GROUNDED_ADMINS"),
            allow_private_urls=_flag(get("GROUNDED_ALLOW_PRIVATE_URLS")),
            allowed_server_urls=names("allowed_server_urls", "GROUNDED_ALLOWED_SERVER_URLS"),
            session_hours=_hours(get("GROUNDED_SESSION_HOURS")),
            session_idle_minutes=_hours(get("GROUNDED_SESSION_IDLE_MINUTES"), "GROUNDED_SESSION_IDLE_MINUTES",
                                        cls.session_idle_minutes, "minutes"),
            secret_key=get("GROUNDED_SECRET_KEY"),
            key_file=Path(get("GROUNDED_KEY_FILE") or default_key_file(env)).expanduser(),
            approximate_from=_count(get("GROUNDED_APPROXIMATE_FROM"), "GROUNDED_APPROXIMATE_FROM", cls.approximate_from),
            limits=_limits(get),
            database_url=get("GROUNDED_DATABASE_URL"),
            originals_dir=Path(get("GROUNDED_ORIGINALS_DIR")).expanduser().absolute() if get("GROUNDED_ORIGINALS_DIR") else None,
            indexer=_indexer(get("GROUNDED_INDEXER")),
        )
