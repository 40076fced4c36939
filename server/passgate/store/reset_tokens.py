"""The reset_tokens table: every statement that reads or writes it."""

from __future__ import annotations

import peewee

from passgate.store import raw

_INSERT = (
    "INSERT INTO reset_tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)"
)
_IS_LIVE = (
    "SELECT 1 FROM reset_tokens "
    "WHERE token_hash = ? AND user_id = ? AND ended_at IS NULL AND expires_at > ?"
)
# Portable as it stands: on PostgreSQL a second UPDATE of the row waits for the
# first to commit, then finds ended_at set and updates nothing.
_CONSUME = (
    "UPDATE reset_tokens SET ended_at = ? "
    "WHERE token_hash = ? AND user_id = ? AND ended_at IS NULL AND expires_at > ?"
)
_END_ALL = "UPDATE reset_tokens SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL"
_DELETE_ALL = "DELETE FROM reset_tokens WHERE user_id = ?"


class SqlResetTokens:
    def __init__(self, database: peewee.Database) -> None:
        self._db = database

    def insert(self, token_hash: str, user_id: str, now: float, expires_at: float) -> None:
        raw.execute(self._db, _INSERT, (token_hash, user_id, now, expires_at))

    def is_live(self, token_hash: str, user_id: str, now: float) -> bool:
        return raw.execute(self._db, _IS_LIVE, (token_hash, user_id, now)).fetchone() is not None

    def consume(self, token_hash: str, user_id: str, now: float) -> bool:
        return bool(raw.execute(self._db, _CONSUME, (now, token_hash, user_id, now)).rowcount == 1)

    def end_all(self, user_id: str, now: float) -> int:
        return int(raw.execute(self._db, _END_ALL, (now, user_id)).rowcount)

    def delete_all(self, user_id: str) -> int:
        return int(raw.execute(self._db, _DELETE_ALL, (user_id,)).rowcount)
