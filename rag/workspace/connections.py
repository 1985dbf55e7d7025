"""Connecting a writing model from the browser: status, test, save and remove, for whoever runs the install.

Only a person who runs the install (an admin named in secrets.toml, or the
single user when sign-in is off) may connect OpenAI or an OpenAI-compatible
server, test it or remove it; everyone else gets "access denied" from these
functions, whatever a page shows. The install's connection is trusted like
secrets.toml (an Ollama on localhost is the usual case), so its address may
be a private one. A saved key is encrypted at rest (rag/vault.py) and only
ever sent to the address it was saved with: testing or saving another
address without typing a key sends no key.

"Test connection" lists the server's models and sends one short request,
timing the answer, so a typo in the address, a refused key or a missing
model is found before anyone writes with it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .. import vault
from ..errors import AccessDenied, GroundedError
from ..netguard import check_url
from ..present import mask_secret
from .access import User

SOURCES = {"outside": "environment or secrets.toml", "saved": "saved here", "none": "not connected"}
TRY_PROMPT = "Reply with the single word OK."


@dataclass(frozen=True)
class ConnectionStatus:
    provider: str
    source: str  # outside | saved | none
    url: str | None
    model: str | None
    masked_key: str  # "sk-…WXYZ" or "not set": never the key
    note: str = ""  # e.g. the saved key can't be read any more


@dataclass
class ConnectionTest:
    ok: bool
    seconds: float = 0.0
    models: list[str] = field(default_factory=list)  # what the server offers
    model: str = ""  # the model that answered
    reply: str = ""
    problem: str = ""  # plain words, when it failed


def _require_owner(user: User | None) -> None:
    if user is not None and not user.runs_the_install:
        raise AccessDenied("Only whoever runs Grounded (an admin) can connect a writing model.")


def connection_status(store) -> list[ConnectionStatus]:
    """Each provider: where its connection comes from, its address and model, its key masked."""
    base = store.base_settings
    saved = vault.load(store.catalog, base)
    out = []
    for provider in vault.PROVIDERS:
        if vault.configured_outside(base, provider):
            if provider == "openai":
                out.append(ConnectionStatus(provider, "outside", None, base.openai_model, mask_secret(base.openai_api_key)))
            else:
                out.append(ConnectionStatus(provider, "outside", base.compatible_url, base.compatible_model,
                                            mask_secret(base.compatible_api_key)))
        elif provider in saved:
            s = saved[provider]
            note = ("The saved key can't be read: the secret that protected it has changed or is gone. Enter the key again."
                    if s.key_unreadable else "")
            out.append(ConnectionStatus(provider, "saved", s.url, s.model, mask_secret(s.key), note))
        else:
            out.append(ConnectionStatus(provider, "none", None, None, mask_secret(None)))
    return out


def _checked(provider: str, url: str | None) -> str | None:
    if provider not in vault.PROVIDERS:
        raise GroundedError(f"Unknown model provider {provider!r}; choose one of: {', '.join(vault.PROVIDERS)}.")
    if provider == "openai":
        return None
    if not (url or "").strip():
        raise GroundedError("Enter the server's address, e.g. http://localhost:11434/v1 for Ollama.")
    return check_url(url, allow_private=True)  # the install's own server, like secrets.toml: any http(s) address


def _key_for(store, provider: str, url: str | None, key: str | None) -> str | None:
    """The key to use: the one typed, else the saved one if the address is the one it was saved with."""
    if key:
        return key
    saved = vault.load(store.catalog, store.base_settings).get(provider)
    if saved and saved.key and (saved.url or "") == (url or ""):
        return saved.key
    return None


def save_connection(store, user: User | None, provider: str, url: str | None = None, model: str | None = None,
                    key: str | None = None) -> None:
    """Save the install's connection to ``provider`` (empty ``key``: keep the saved one for the same address)."""
    _require_owner(user)
    url = _checked(provider, url)
    if vault.configured_outside(store.base_settings, provider):
        raise GroundedError("This connection is set in the environment or .streamlit/secrets.toml, which wins over "
                            "what is saved here. Change it there, or remove it there first.")
    if provider == "openai" and not _key_for(store, provider, None, key):
        raise GroundedError("Enter your OpenAI API key.")
    vault.save(store.catalog, store.base_settings, provider, url, (model or "").strip() or None, (key or "").strip() or None,
               by=user.name if user else "command line")
    store.reload_connections()


def forget_connection(store, user: User | None, provider: str) -> None:
    """Remove a saved connection (answers go back to what the environment and secrets.toml say)."""
    _require_owner(user)
    vault.forget(store.catalog, provider)
    store.reload_connections()


def _problem(err: Exception) -> str:
    """What went wrong with a test, in words that say what to check."""
    status = getattr(err, "status_code", None)
    name = type(err).__name__
    if status == 401 or "Authentication" in name:
        return "The server refused the API key. Check the key and try again."
    if status == 404 or "NotFound" in name:
        return "The server answered, but not at this address or not with this model name. Check both."
    if "Timeout" in name:
        return "The server took too long to answer. Check the address, or try again when it is less busy."
    if "Connection" in name:
        return "The server could not be reached. Check the address (and that the server is running)."
    if isinstance(err, GroundedError):
        return str(err)
    return f"The server reported an error ({status or name})."


def try_connection(store, user: User | None, provider: str, url: str | None = None, model: str | None = None,
                    key: str | None = None, timeout: float = 60.0) -> ConnectionTest:
    """List the server's models, send one short request, and time the answer."""
    from openai import OpenAI  # the client under langchain-openai; imported only when a test runs

    _require_owner(user)
    try:
        url = _checked(provider, url)
    except GroundedError as err:
        return ConnectionTest(False, problem=str(err))
    key = _key_for(store, provider, url, key)
    if provider == "openai" and not key:
        return ConnectionTest(False, problem="Enter your OpenAI API key.")
    client = OpenAI(api_key=key or "not-needed", base_url=url, timeout=timeout, max_retries=0)
    started = time.monotonic()
    try:
        models = sorted(m.id for m in client.models.list())
        chosen = (model or "").strip() or (models[0] if models else "")
        if not chosen:
            return ConnectionTest(False, time.monotonic() - started, problem="The server lists no models. Name one.")
        asked = time.monotonic()
        reply = client.chat.completions.create(model=chosen, max_tokens=8, temperature=0,
                                               messages=[{"role": "user", "content": TRY_PROMPT}])
        seconds = time.monotonic() - asked
    except Exception as err:  # noqa: BLE001 - every failure becomes advice on what to check
        return ConnectionTest(False, time.monotonic() - started, problem=_problem(err))
    finally:
        client.close()
    text = (reply.choices[0].message.content or "").strip() if reply.choices else ""
    return ConnectionTest(True, round(seconds, 2), models, chosen, text)
