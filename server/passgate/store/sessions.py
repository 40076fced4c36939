"""The sessions table: every statement that reads or writes it."""

from __future__ import annotations

import peewee

from passgate.identity.records import LiveSession
from passgate.store import raw

_INSERT = (
    "INSERT INTO sessions (token_hash, user_id, tenant_id, created_at, expires_at) "
    "VALUES (?, ?, ?, ?, ?)"
)
_LIVE = (
    "SELECT id, user_id, expires_at FROM sessions "
    "WHERE token_hash = ? AND tenant_id = ? AND revoked_at IS NULL AND expires_at > ?"
)
_IS_LIVE = "SELECT 1 FROM sessions WHERE id = ? AND revoked_at IS NULL AND expires_at > ?"
_REVOKE = "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"
_REVOKE_ALL = "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL"
_DELETE_ALL = "DELETE FROM sessions WHERE user_id = ?"


class SqlSessions:
    def __init__(self, database: peewee.Database) -> None:
        self._db = database

    def insert(
        self, token_hash: str, user_id: str, tenant_id: str, now: float, expires_at: float
    ) -> None:
        raw.execute(self._db, _INSERT, (token_hash, user_id, tenant_id, now, expires_at))

    def live(self, token_hash: str, tenant_id: str, now: float) -> LiveSession | None:
        row = raw.execute(self._db, _LIVE, (token_hash, tenant_id, now)).fetchone()
        return None if row is None else LiveSession(int(row[0]), str(row[1]), float(row[2]))

    def is_live(self, session_id: int, now: float) -> bool:
        return raw.execute(self._db, _IS_LIVE, (session_id, now)).fetchone() is not None

    def revoke(self, session_id: int, now: float) -> bool:
        return bool(raw.execute(self._db, _REVOKE, (now, session_id)).rowcount == 1)

    def revoke_all(self, user_id: str, now: float) -> int:
        return int(raw.execute(self._db, _REVOKE_ALL, (now, user_id)).rowcount)

    def delete_all(self, user_id: str) -> int:
        """Erases every session of the user, live or not (the revocation signal fires)."""
        return int(raw.execute(self._db, _DELETE_ALL, (user_id,)).rowcount)
