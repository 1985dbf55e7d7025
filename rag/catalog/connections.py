"""Saved model connections (table ``model_connections``): rag/vault.py's statements. Keys arrive and leave
encrypted; the vault alone encrypts and decrypts them."""

from __future__ import annotations

from dataclasses import dataclass

from . import Tables


@dataclass(frozen=True)
class StoredConnection:
    """One saved connection as the catalog holds it: its key still encrypted."""

    provider: str
    url: str | None
    model: str | None
    key_encrypted: str | None
    updated: float
    updated_by: str


class ConnectionTables(Tables):
    """Model connections (keys encrypted by rag/vault.py)."""

    def all(self) -> list[StoredConnection]:
        """Every saved connection, keys encrypted."""
        rows = self._query("SELECT provider, url, model, key_encrypted, updated, updated_by FROM model_connections")
        return [StoredConnection(**dict(r)) for r in rows]

    def get(self, provider: str) -> StoredConnection | None:
        """The saved connection of ``provider`` (None: none saved)."""
        rows = self._query("SELECT provider, url, model, key_encrypted, updated, updated_by FROM model_connections "
                           "WHERE provider = ?", (provider,))
        return StoredConnection(**dict(rows[0])) if rows else None

    def any(self) -> bool:
        """Whether any connection is saved (read on every settings load: one cheap look)."""
        return bool(self._query("SELECT 1 FROM model_connections LIMIT 1"))

    def save(self, connection: StoredConnection) -> None:
        """Record (or replace) a provider's connection."""
        c = connection
        self._execute(
            "INSERT INTO model_connections(provider, url, model, key_encrypted, updated, updated_by) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(provider) DO UPDATE SET url = excluded.url, model = excluded.model, "
            "key_encrypted = excluded.key_encrypted, updated = excluded.updated, updated_by = excluded.updated_by",
            (c.provider, c.url, c.model, c.key_encrypted, c.updated, c.updated_by),
        )

    def forget(self, provider: str) -> None:
        """Drop a provider's saved connection."""
        self._execute("DELETE FROM model_connections WHERE provider = ?", (provider,))
