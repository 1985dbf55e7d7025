"""Model connections saved from the browser, their keys encrypted at rest.

Whoever runs the install can connect OpenAI or an OpenAI-compatible server on
the Settings page (rag/workspace/connections.py checks who). What they save
is a row of the catalog's ``model_connections`` table; the key in it is
encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``)
under a key derived by HKDF-SHA256 from the install secret:

- ``GROUNDED_SECRET_KEY`` (environment or secrets.toml) when it is set;
- else a random secret made on first use and kept in ``GROUNDED_KEY_FILE``,
  by default ``$XDG_CONFIG_HOME/grounded/secret.key`` (``~/.config/...``),
  readable by its owner only.

The secret is kept outside the data folder on purpose: the data folder is
what gets copied, backed up, shared or attached to a support request, and
with the catalog alone the keys can't be read. (Lose the secret, and saved
keys must be entered again; the page says so.)

Environment variables and secrets.toml always win: a saved connection fills a
provider only when they leave it unset (:func:`apply_saved`). Decrypted keys
join the settings, so rag/redact.py masks them in every log line like any
other key, and they are shown only masked.
"""

from __future__ import annotations

import base64
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from . import redact
from .catalog.connections import StoredConnection
from .errors import GroundedError

PROVIDERS = ("openai", "compatible")
_SALT = b"grounded/model-connections/v1"


@dataclass(frozen=True)
class SavedConnection:
    provider: str  # openai | compatible
    url: str | None = None  # compatible only
    model: str | None = None
    key: str | None = None  # decrypted; None when none was saved or it can't be read
    key_unreadable: bool = False  # a key was saved but the install secret that encrypted it is gone or changed
    updated: float = 0.0
    updated_by: str = ""

    def __repr__(self) -> str:  # never the key
        return f"SavedConnection({self.provider!r}, url={self.url!r}, model={self.model!r}, key={'set' if self.key else 'not set'})"


def _install_secret(settings) -> str:
    """The secret the encryption key is derived from: the configured one, else the key file's (made if missing)."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.key_file).expanduser()
    try:
        secret = path.read_text().strip()
    except FileNotFoundError:
        secret = ""
    except OSError as err:
        raise GroundedError(f"The secret that protects saved keys ({path}) can't be read: {err.strerror}.") from None
    if not secret:
        secret = secrets.token_urlsafe(32)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # owner only, and never over another's file
            with os.fdopen(fd, "w") as fh:
                fh.write(secret + "\n")
        except FileExistsError:  # another process made it first: use theirs
            secret = path.read_text().strip()
        except OSError as err:
            raise GroundedError(
                f"Grounded can't keep the secret that protects saved keys at {path} ({err.strerror}). "
                "Set GROUNDED_SECRET_KEY in .streamlit/secrets.toml, or GROUNDED_KEY_FILE to a writable place."
            ) from None
    redact.add(secret)
    return secret


def _fernet(settings) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=b"fernet").derive(_install_secret(settings).encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def load(catalog, settings) -> dict[str, SavedConnection]:
    """The saved connections, keys decrypted (the install secret is read only when a key was saved)."""
    saved: dict[str, SavedConnection] = {}
    for r in catalog.connections.all():
        key, unreadable = None, False
        if r.key_encrypted:
            try:
                key = _fernet(settings).decrypt(r.key_encrypted.encode()).decode()
                redact.add(key)
            except InvalidToken:
                unreadable = True
        saved[r.provider] = SavedConnection(r.provider, r.url, r.model, key, unreadable, r.updated, r.updated_by)
    return saved


def save(catalog, settings, provider: str, url: str | None, model: str | None, key: str | None, by: str = "") -> None:
    """Store a connection; ``key=None`` keeps the saved key (only if the address is unchanged: a key goes only where it was set)."""
    if provider not in PROVIDERS:
        raise GroundedError(f"Unknown model provider {provider!r}; choose one of: {', '.join(PROVIDERS)}.")
    encrypted = None
    if key:
        redact.add(key)
        encrypted = _fernet(settings).encrypt(key.encode()).decode()
    elif key is None:
        current = catalog.connections.get(provider)
        if current is not None and (current.url or "") == (url or ""):
            encrypted = current.key_encrypted
    catalog.connections.save(StoredConnection(provider, url, model, encrypted, time.time(), by))


def forget(catalog, provider: str) -> None:
    catalog.connections.forget(provider)


def configured_outside(settings, provider: str) -> bool:
    """Whether the environment or secrets.toml set this provider (then they win over anything saved)."""
    return bool(settings.openai_api_key if provider == "openai" else settings.compatible_url)


def apply_saved(settings, catalog):
    """``settings`` (from the environment and secrets.toml) with the saved connections filling what they leave unset."""
    if not catalog.connections.any():
        return settings
    saved = load(catalog, settings)
    changes = {}
    openai = saved.get("openai")
    if openai and openai.key and not configured_outside(settings, "openai"):
        changes.update(openai_api_key=openai.key, openai_model=openai.model or settings.openai_model)
    compatible = saved.get("compatible")
    if compatible and compatible.url and not configured_outside(settings, "compatible"):
        # set by whoever runs the install, like secrets.toml: a trusted address, with its own key only
        changes.update(compatible_url=compatible.url, compatible_model=compatible.model, compatible_api_key=compatible.key,
                       compatible_trusted=True)
    return settings.with_(**changes) if changes else settings
