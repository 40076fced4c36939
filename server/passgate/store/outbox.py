"""The outbox table: every statement that reads or writes it."""

from __future__ import annotations

import peewee

from passgate.mail.stores import Claimed
from passgate.store import raw

_ADD = (
    "INSERT INTO outbox (tenant_id, kind, payload, created_at, attempts, next_attempt_at) "
    "VALUES (?, ?, ?, ?, 0, ?)"
)

_DUE = (
    "SELECT id, kind, tenant_id, attempts, payload FROM outbox WHERE sent_at IS NULL "
    "AND failed_at IS NULL AND next_attempt_at <= ? "
    "AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY id LIMIT 1"
)
_LEASE = "UPDATE outbox SET claimed_until = ?, attempts = attempts + 1 WHERE id = ?"
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
_COUNT_PENDING = "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"


class SqlOutbox:
    def __init__(self, database: peewee.Database) -> None:
        self._db = database

    def add(self, tenant_id: str, kind: str, sealed: bytes, now: float) -> None:
        raw.execute(self._db, _ADD, (tenant_id, kind, sealed, now, now))

    def claim(self, now: float, until: float) -> Claimed | None:
        # The select and the update must not interleave with another claim: IMMEDIATE.
        with self._db.atomic():
            row = raw.execute(self._db, _DUE, (now, now)).fetchone()
            if row is None:
                return None
            raw.execute(self._db, _LEASE, (until, row[0]))
        message_id, kind, tenant_id, attempts, sealed = row
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
        (count,) = raw.execute(self._db, _COUNT_PENDING).fetchone()
        return int(count)
