"""Who may see what: users, passwords and access to assistants.

Sign-in is off for a one-person local install: everyone is the local user
and sees everything. It is on when ``.streamlit/secrets.toml`` lists users
(``[users]`` with hashed passwords, made by ``grounded hash-password``) or
configures Streamlit's OIDC login (an ``[auth]`` section, used by ``st.login``).

With sign-in on, an assistant belongs to the user who created it and is
visible to its owner, to the users named in its ``shared_with`` list, or to
everyone when that list holds ``"*"``. Assistants without an owner (made
before sign-in was turned on, or by the command line without ``--owner``)
stay visible to everyone, but only admins (``admins`` in secrets.toml) may
change them. Every function a page calls
to reach an assistant, its documents, chats, downloads or exports checks
this (with these functions, on the server), so a crafted request (a changed session value, a
guessed id) gets "not found", never the data; documents of different
assistants live in different Qdrant collections, so a query can only ever
search the one assistant it was allowed into.

The command line is for whoever runs the machine (it reads the data folder
directly) and is not restricted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from ..errors import AccessDenied, NotFound

ITERATIONS = 600_000  # PBKDF2-SHA256, OWASP's 2023 recommendation
EVERYONE = "*"


@dataclass(frozen=True)
class User:
    """The person using the app; ``name`` is empty for the local user when sign-in is off.

    ``admin``: one of the people who run the install (``admins`` in secrets.toml). Admins
    connect model servers and manage the assistants nobody owns (those the command line made).
    """

    name: str = ""
    admin: bool = False

    @property
    def is_local(self) -> bool:
        return not self.name

    @property
    def runs_the_install(self) -> bool:
        """An admin, or the only user of an install without sign-in."""
        return self.is_local or self.admin


def signed_in(name: str, settings) -> User:
    """The user ``name`` with their role from the settings."""
    return User(name, admin=name in settings.admins)


LOCAL_USER = User()


def hash_password(password: str, *, iterations: int = ITERATIONS) -> str:
    """A salted PBKDF2 hash, as stored in secrets.toml: ``pbkdf2_sha256$iterations$salt$hash``."""
    if not password:
        raise ValueError("A password can't be empty.")
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    b64 = lambda b: base64.b64encode(b).decode().rstrip("=")  # noqa: E731
    return f"pbkdf2_sha256${iterations}${b64(salt)}${b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches the stored hash (constant-time compare; plain text is never accepted)."""
    try:
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        pad = lambda s: base64.b64decode(s + "=" * (-len(s) % 4))  # noqa: E731
        actual = hashlib.pbkdf2_hmac("sha256", password.encode(), pad(salt), int(iterations))
        return hmac.compare_digest(actual, pad(digest))
    except (ValueError, TypeError):
        return False


_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    """A real hash at full cost, checked for unknown names so they take as long as known ones."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH


def authenticate(settings, name: str, password: str) -> User | None:
    """The user for a correct name and password, else None.

    An unknown name costs the same as a wrong password for a known one (a
    full-cost hash is checked either way), so timing doesn't tell which
    names exist.
    """
    name = name.strip()
    stored = settings.users.get(name)
    ok = verify_password(password, stored if stored else _dummy_hash())
    return signed_in(name, settings) if ok and stored else None


def can_use(assistant, user: User | None) -> bool:
    """May ``user`` see and use ``assistant``? ``None`` is the trusted command line."""
    if user is None or user.is_local or not assistant.owner:
        return True
    return user.name == assistant.owner or user.name in assistant.shared_with or EVERYONE in assistant.shared_with


def can_manage(assistant, user: User | None) -> bool:
    """May ``user`` change, share or delete ``assistant``? Its owner; an admin when it has no owner."""
    if user is None or user.is_local:
        return True
    return user.name == assistant.owner if assistant.owner else user.admin


def require(assistant, user: User | None, manage: bool = False):
    """``assistant`` if ``user`` may use (or ``manage``) it; a hidden one looks exactly like a missing one."""
    if not can_use(assistant, user):
        raise NotFound("That assistant doesn't exist or isn't shared with you.")
    if manage and not can_manage(assistant, user):
        who = f"the owner of this assistant ({assistant.owner})" if assistant.owner else "whoever runs Grounded (an admin)"
        raise AccessDenied(f"Only {who} can change, share or delete it.")
    return assistant
