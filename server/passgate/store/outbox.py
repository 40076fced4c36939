"""The outbox table: every statement that reads or writes it."""

from __future__ import annotations

import peewee

from passgate.mail.stores import Claimed
from passgate.store import raw
from passgate.store.locking import for_update_skip_locked

_ADD = (
    "INSERT INTO outbox (tenant_id, kind, payload, created_at, attempts, next_attempt_at, "
    "user_id) VALUES (?, ?, ?, ?, 0, ?, ?)"
)
_ERASE_FOR_USER = "DELETE FROM outbox WHERE user_id = ?"


def _claim(hold: str) -> str:
    """One statement picks the message and leases it: two workers must never
    both read one message as unclaimed. SQLite runs the statement under its
    write lock. On PostgreSQL `hold` locks the picked row and skips rows other
    claims hold: without it a second worker's SELECT, reading from before the
    first claim committed, would pick the same row, and its UPDATE, which
    rechecks only `id = …`, would lease it again; skipping rather than waiting
    lets it take the next message instead."""
    return (  # `hold` is one of the clauses in store/locking.py, never a caller's text
        "UPDATE outbox SET claimed_until = ?, attempts = attempts + 1 WHERE id = ("  # noqa: S608
        "SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL "
        "AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) "
        f"ORDER BY id LIMIT 1{hold}) "
        "RETURNING id, kind, tenant_id, attempts - 1, payload"
    )


_RENEW = (
    "UPDATE outbox SET claimed_until = ? WHERE id = ? AND sent_at IS NULL AND failed_at IS NULL "
    "AND claimed_until IS NOT NULL"
)
_MARK_SENT = (
    "UPDATE outbox SET sent_at = ?, payload = NULL, claimed_until = NULL "
    "WHERE id = ? AND sent_at IS NULL AND failed_at IS NULL"
)
_GIVE_UP = (
    "UPDATE outbox SET failed_at = ?, payload = NULL, claimed_until = NULL, "
    "last_error = ? WHERE id = ?"
)
_RETRY_AT = (
    "UPDATE outbox SET next_attempt_at = ?, claimed_until = NULL, last_error = ? WHERE id = ?"
)
_BACKLOG = (
    "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
)


class SqlOutbox:
    def __init__(self, database: peewee.Database) -> None:
        self._db = database
        self._claim = _claim(for_update_skip_locked(database))

    def add(
        self, tenant_id: str, kind: str, sealed: bytes, now: float, user_id: str | None = None
    ) -> None:
        raw.execute(self._db, _ADD, (tenant_id, kind, sealed, now, now, user_id))

    def erase_for_user(self, user_id: str) -> int:
        return int(raw.execute(self._db, _ERASE_FOR_USER, (user_id,)).rowcount)

    def claim(self, now: float, until: float) -> Claimed | None:
        rows = raw.execute(self._db, self._claim, (until, now, now)).fetchall()
        if not rows:
            return None
        ((message_id, kind, tenant_id, attempts, sealed),) = rows
        return Claimed(int(message_id), str(kind), str(tenant_id), int(attempts), bytes(sealed))

    def renew(self, message_id: int, until: float) -> None:
        raw.execute(self._db, _RENEW, (until, message_id))

    def mark_sent(self, message_id: int, now: float) -> bool:
        return int(raw.execute(self._db, _MARK_SENT, (now, message_id)).rowcount) == 1

    def give_up(self, message_id: int, now: float, error: str) -> None:
        raw.execute(self._db, _GIVE_UP, (now, error, message_id))

    def retry_at(self, message_id: int, at: float, error: str) -> None:
        raw.execute(self._db, _RETRY_AT, (at, error, message_id))

    def pending(self) -> int:
        return self.backlog()[0]

    def backlog(self) -> tuple[int, float]:
        """Undelivered messages, and when the oldest was queued (0 when none)."""
        count, oldest = raw.execute(self._db, _BACKLOG).fetchone()
        return int(count), float(oldest or 0.0)
