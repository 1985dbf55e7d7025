"""Sign-in sessions kept on the server, and the throttle that slows password guessing.

A browser that signs in with a password gets a random token (32 bytes). Only its SHA-256 is
stored, in the catalog's ``signin_sessions`` table (``catalog.sessions``), with who it signs in,
when it was made, when it was last used and a mark of the password it was made with. A token is
good while:

- its row exists: signing out deletes it, so a copy of the cookie taken earlier no longer signs
  anyone in (the old signed tokens stayed valid until they expired, whatever the browser did);
- it is younger than ``session_hours`` (the absolute limit) and was used within
  ``session_idle_minutes`` (the idle limit);
- the user still exists with the same password (a changed password ends every session).

Every page run checks the token again, so sign-out, expiry or a removed user end an open tab
too, not only the next visit.

Guessing is slowed per *address and name* (five free tries, then waits that double), and per
address across names (one address spraying many names). Across addresses a name is never locked:
many failures for one name from everywhere only make each try for it take a little longer
(at most ``name_delay_max_s``), so someone guessing from elsewhere can't keep its owner out.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time

from .access import User, signed_in

SESSION_COOKIE = "grounded_session"
TOKEN_BYTES = 32
TOUCH_EVERY_S = 60.0  # last use is written at most once a minute per session (not on every page run)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _password_mark(settings, name: str) -> str:
    """Which password a session was made with: a digest of its stored hash (the hash itself is not copied)."""
    return hashlib.sha256(("grounded-session\0" + settings.users.get(name, "")).encode()).hexdigest()


def _absolute_s(settings) -> float:
    # 0 hours means "sign in on every visit" (no cookie): the tab's own session still ends after the default
    return (settings.session_hours or type(settings).session_hours) * 3600


def start_session(catalog, settings, user: User, now: float | None = None) -> str:
    """A new session for ``user``; returns the token (the only place it exists in clear)."""
    now = time.time() if now is None else now
    token = secrets.token_urlsafe(TOKEN_BYTES)
    catalog.sessions.start(_digest(token), user.name, _password_mark(settings, user.name), now,
                           now + _absolute_s(settings))
    return token


def session_user(catalog, settings, token: object, now: float | None = None) -> User | None:
    """The user a session token signs in, if the session exists, is in time and the password is unchanged."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    now = time.time() if now is None else now
    key = _digest(token)
    row = catalog.sessions.get(key)
    if row is None:
        return None
    idle_s = settings.session_idle_minutes * 60
    alive = (row.expires >= now and (not idle_s or now - row.last_seen <= idle_s)
             and row.user in settings.users and row.password_mark == _password_mark(settings, row.user))
    if not alive:
        catalog.sessions.end(key)
        return None
    if now - row.last_seen >= TOUCH_EVERY_S:
        catalog.sessions.touch(key, now)
    return signed_in(row.user, settings)


def end_session(catalog, token: str | None) -> None:
    """Sign out: the token stops working everywhere, including any copy of it."""
    if token:
        catalog.sessions.end(_digest(token))


def end_sessions_of(catalog, name: str) -> int:
    """End every session of one user (an admin removing someone, a "sign out everywhere")."""
    return catalog.sessions.end_all_of(name)


class SignInThrottle:
    """Slows password guessing without letting anyone lock a user out.

    - per address and name: ``free_attempts`` failures, then each further try must wait, twice as long
      each time, up to ``max_wait_s``;
    - per address, whatever the name: the same after ``free_per_address`` failures (one address trying
      many names);
    - per name, from every address together: never a refusal, only a delay before the password is
      checked, growing with the failures in the last hour up to ``name_delay_max_s``.

    Kept in memory per app process: a restart forgets it, which is fine for a throttle (the
    password hashes' cost still bounds guessing).
    """

    def __init__(self, free_attempts: int = 5, first_wait_s: float = 2.0, max_wait_s: float = 900.0,
                 free_per_address: int = 30, name_free: int = 10, name_delay_max_s: float = 3.0,
                 forget_after_s: float = 3600.0, clock=time.monotonic):
        self.free_attempts = free_attempts
        self.first_wait_s = first_wait_s
        self.max_wait_s = max_wait_s
        self.free_per_address = free_per_address
        self.name_free = name_free
        self.name_delay_max_s = name_delay_max_s
        self.forget_after_s = forget_after_s
        self._clock = clock
        self._failures: dict[tuple, tuple[int, float]] = {}  # key -> (failures, time of the last one)
        self._lock = threading.Lock()

    @staticmethod
    def _name(name: str) -> str:
        return name.strip().lower()

    def _count(self, key: tuple, now: float) -> tuple[int, float]:
        failures, last = self._failures.get(key, (0, 0.0))
        return (0, 0.0) if now - last > self.forget_after_s else (failures, last)

    def _wait(self, key: tuple, free: int, now: float) -> float:
        failures, last = self._count(key, now)
        if failures < free:
            return 0.0
        wait = min(self.max_wait_s, self.first_wait_s * 2 ** (failures - free))
        return max(0.0, last + wait - now)

    def wait_seconds(self, name: str, address: str) -> float:
        """How long before this address may try this name again (0: now). Other addresses are not affected."""
        now = self._clock()
        with self._lock:
            return max(self._wait(("pair", address, self._name(name)), self.free_attempts, now),
                       self._wait(("address", address), self.free_per_address, now))

    def delay_seconds(self, name: str) -> float:
        """How long to hold a try for this name before checking it: a slow-down, never a refusal."""
        now = self._clock()
        with self._lock:
            failures, _ = self._count(("name", self._name(name)), now)
        if failures < self.name_free:
            return 0.0
        return min(self.name_delay_max_s, 0.25 * (failures - self.name_free + 1))

    def failed(self, name: str, address: str) -> None:
        now = self._clock()
        with self._lock:
            for key in (("pair", address, self._name(name)), ("address", address), ("name", self._name(name))):
                failures, _ = self._count(key, now)
                self._failures[key] = (failures + 1, now)
            if len(self._failures) > 100_000:  # a flood of made-up names and addresses doesn't grow without end
                self._failures = {k: v for k, v in self._failures.items() if now - v[1] <= self.forget_after_s}

    def succeeded(self, name: str, address: str) -> None:
        with self._lock:
            self._failures.pop(("pair", address, self._name(name)), None)
            self._failures.pop(("address", address), None)


class CookieHandover:
    """Hands a session token to the browser as an HttpOnly cookie, without a page script ever seeing it.

    A Streamlit page can only set cookies from a script in the browser, and such a cookie can't
    be HttpOnly. So when the app runs behind ``serve.py`` (its one extra route, POST
    ``HANDOVER_PATH``), the page instead offers a single-use code, valid for ``ttl_s`` seconds, and
    the page's script posts it to that route, which answers with the token in a ``Set-Cookie:
    HttpOnly; SameSite=Strict`` header (``Secure`` over https). The code is worthless once used or
    expired; the token never reaches a page script. Kept in memory: the route and the pages run in
    one process.
    """

    def __init__(self, ttl_s: float = 60.0, clock=time.monotonic):
        self.ttl_s = ttl_s
        self.served = False  # set by serve.py when the route exists
        self._clock = clock
        self._codes: dict[str, tuple[str, int, float]] = {}  # code's digest -> (token, max_age, expires)
        self._lock = threading.Lock()

    def offer(self, token: str, max_age_s: int) -> str:
        code = secrets.token_urlsafe(24)
        now = self._clock()
        with self._lock:
            self._codes = {k: v for k, v in self._codes.items() if v[2] > now}
            self._codes[_digest(code)] = (token, int(max_age_s), now + self.ttl_s)
        return code

    def take(self, code: str) -> tuple[str, int] | None:
        """The token and cookie lifetime for a code, once; None for an unknown, used or expired code."""
        if not isinstance(code, str) or not code or len(code) > 200:
            return None
        with self._lock:
            found = self._codes.pop(_digest(code), None)
        if found is None or found[2] < self._clock():
            return None
        return found[0], found[1]


HANDOVER_PATH = "/_grounded/session"
SIGN_OUT_PATH = "/_grounded/sign-out"
HANDOVER = CookieHandover()
