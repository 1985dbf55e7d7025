"""Sign-in sessions (``catalog.sessions``; the ``signin_sessions`` table of m018_signin_sessions).

A session is stored by its token's digest only; what a session is worth (expiry, idle time, the
password it was made with) is decided in :mod:`rag.workspace.sessions`, which calls these.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import Tables


@dataclass
class SessionRow:
    """One stored session: whom it signs in, a mark of the password it was made with, when it was last used and
    when it ends at the latest."""

    user: str
    password_mark: str
    last_seen: float
    expires: float


class SessionTables(Tables):
    """``signin_sessions``: one row per signed-in browser, keyed by the SHA-256 of its token."""

    def start(self, token_hash: str, user: str, password_mark: str, now: float, expires: float) -> None:
        """Save a new session, deleting the expired ones first (old ones go as new ones come)."""
        with self.catalog.transaction():
            self._execute("DELETE FROM signin_sessions WHERE expires < ?", (now,))
            self._execute(
                'INSERT INTO signin_sessions(token_hash, "user", password_mark, created, last_seen, expires) '
                "VALUES (?, ?, ?, ?, ?, ?)",
                (token_hash, user, password_mark, now, now, expires),
            )

    def get(self, token_hash: str) -> SessionRow | None:
        """The session of a token's digest (None: there is none, e.g. signed out)."""
        rows = self._query('SELECT "user", password_mark, last_seen, expires FROM signin_sessions WHERE token_hash = ?',
                           (token_hash,))
        if not rows:
            return None
        r = rows[0]
        return SessionRow(r["user"], r["password_mark"], r["last_seen"], r["expires"])

    def touch(self, token_hash: str, now: float) -> None:
        """Note that a session was just used (its idle time starts again)."""
        self._execute("UPDATE signin_sessions SET last_seen = ? WHERE token_hash = ?", (now, token_hash))

    def end(self, token_hash: str) -> None:
        """Delete one session: its token stops working everywhere, including any copy of it."""
        self._execute("DELETE FROM signin_sessions WHERE token_hash = ?", (token_hash,))

    def end_all_of(self, user: str) -> int:
        """Delete every session of one user; returns how many there were."""
        before = self._query('SELECT COUNT(*) AS n FROM signin_sessions WHERE "user" = ?', (user,))[0]["n"]
        self._execute('DELETE FROM signin_sessions WHERE "user" = ?', (user,))
        return int(before)
