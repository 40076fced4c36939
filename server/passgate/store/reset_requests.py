"""The reset_requests table, the per-account e-mail budget's memory: every
statement that reads or writes it."""

from __future__ import annotations

import peewee

from passgate.store import raw

_QUEUED_SINCE = (
    "SELECT COUNT(*) FROM reset_requests WHERE subject = ? AND created_at > ? AND queued"
)
_FORGET = "DELETE FROM reset_requests WHERE subject = ?"
_ADD = "INSERT INTO reset_requests (tenant_id, subject, created_at, queued) VALUES (?, ?, ?, ?)"


class SqlResetRequests:
    def __init__(self, database: peewee.Database) -> None:
        self._db = database

    def queued_since(self, subject: str, since: float) -> int:
        (count,) = raw.execute(self._db, _QUEUED_SINCE, (subject, since)).fetchone()
        return int(count)

    def add(self, tenant_id: str, subject: str, now: float, queued: bool) -> None:
        raw.execute(self._db, _ADD, (tenant_id, subject, now, queued))

    def forget(self, subject: str) -> None:
        """Erases the requests counted against `subject` (an erased user's)."""
        raw.execute(self._db, _FORGET, (subject,))
