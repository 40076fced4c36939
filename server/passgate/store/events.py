"""The events and webhook_deliveries tables: every statement that reads or writes them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import peewee

from passgate.identity.event_records import ClaimedDelivery, DeliveryState, NewEvent, StoredEvent
from passgate.store import raw
from passgate.store.locking import SqlLocks, for_update_skip_locked, last_event_id_given_out

_COLUMNS = "id, type, occurred_at, tenant_id, user_id, key_id, peer, data"
_INSERT = (
    "INSERT INTO events (type, occurred_at, tenant_id, user_id, key_id, peer, data, webhook) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
)
_AFTER = f"SELECT {_COLUMNS} FROM events WHERE id > ? ORDER BY id LIMIT ?"  # noqa: S608
_ADD_DELIVERY = (
    "INSERT INTO webhook_deliveries (event_id, endpoint, created_at, attempts, next_attempt_at) "
    "VALUES (?, ?, ?, 0, ?)"
)


def _claim(hold: str) -> str:
    """One statement picks a due delivery and leases it, as the mail outbox's
    claim does (store/outbox.py says why `hold` is needed on PostgreSQL)."""
    return (  # `hold` is one of the clauses in store/locking.py, never a caller's text
        "UPDATE webhook_deliveries SET claimed_until = ?, attempts = attempts + 1 "  # noqa: S608
        "WHERE id = (SELECT id FROM webhook_deliveries "
        "WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? "
        "AND (claimed_until IS NULL OR claimed_until < ?) "
        f"ORDER BY next_attempt_at, id LIMIT 1{hold}) "
        "RETURNING id, event_id, endpoint, attempts - 1"
    )


_EVENT = f"SELECT {_COLUMNS} FROM events WHERE id = ?"  # noqa: S608
_DELIVERED = (
    "UPDATE webhook_deliveries SET delivered_at = ?, claimed_until = NULL, last_result = ? "
    "WHERE id = ? AND delivered_at IS NULL AND failed_at IS NULL"
)
_GIVE_UP = (
    "UPDATE webhook_deliveries SET failed_at = ?, claimed_until = NULL, last_result = ? "
    "WHERE id = ? AND delivered_at IS NULL AND failed_at IS NULL"
)
_RETRY_AT = (
    "UPDATE webhook_deliveries SET next_attempt_at = ?, claimed_until = NULL, last_result = ? "
    "WHERE id = ? AND delivered_at IS NULL AND failed_at IS NULL"
)
# a row another worker holds is due again when its lease runs out
_NEXT_DUE = (
    "SELECT MIN(CASE WHEN claimed_until > next_attempt_at THEN claimed_until "
    "ELSE next_attempt_at END) FROM webhook_deliveries "
    "WHERE delivered_at IS NULL AND failed_at IS NULL"
)
_STATE = (
    "CASE WHEN delivered_at IS NOT NULL THEN 'delivered' "
    "WHEN failed_at IS NOT NULL THEN 'failed' ELSE 'pending' END"
)
_LIST = (
    f"SELECT d.event_id, d.endpoint, {_STATE}, d.attempts, d.last_result, "  # noqa: S608
    "d.next_attempt_at FROM webhook_deliveries d JOIN events e ON e.id = d.event_id "
    "WHERE {where} ORDER BY d.id DESC LIMIT ?"
)


def _event(row: Sequence[Any]) -> StoredEvent:
    event_id, kind, occurred_at, tenant_id, user_id, key_id, peer, data = row
    return StoredEvent(
        int(event_id), str(kind), float(occurred_at), str(tenant_id), user_id, key_id, peer, data
    )


class SqlEvents:
    def __init__(self, database: peewee.Database) -> None:
        self._db = database
        self._locks = SqlLocks(database)
        self._newest = last_event_id_given_out(database)

    def insert(self, event: NewEvent, endpoints: Sequence[str]) -> int:
        """The event and one pending delivery per endpoint; joins the caller's
        transaction, whose last step this should be (it takes the event-order lock)."""
        self._locks.lock_event_order()
        row = raw.execute(
            self._db,
            _INSERT,
            (
                event.type,
                event.occurred_at,
                event.tenant_id,
                event.user_id,
                event.key_id,
                event.peer,
                json.dumps(event.data, separators=(",", ":"), sort_keys=True),
                event.webhook,
            ),
        ).fetchone()
        event_id = int(row[0])
        for endpoint in endpoints:
            raw.execute(
                self._db, _ADD_DELIVERY, (event_id, endpoint, event.occurred_at, event.occurred_at)
            )
        return event_id

    def after(self, event_id: int, limit: int) -> list[StoredEvent]:
        """Up to `limit` events with ids above `event_id`, oldest first."""
        return [_event(row) for row in raw.execute(self._db, _AFTER, (event_id, limit)).fetchall()]

    def newest_id(self) -> int:
        """The highest id given out so far, pruned or not (0 before the first event)."""
        (newest,) = raw.execute(self._db, self._newest).fetchone()
        return int(newest or 0)


class SqlWebhookDeliveries:
    def __init__(self, database: peewee.Database) -> None:
        self._db = database
        self._claim = _claim(for_update_skip_locked(database))

    def claim(self, now: float, until: float) -> ClaimedDelivery | None:
        """Leases the delivery due first until `until`; no two callers, in any
        process, get the same one while its lease runs."""
        with self._db.atomic():
            claimed = raw.execute(self._db, self._claim, (until, now, now)).fetchone()
            if claimed is None:
                return None
            delivery_id, event_id, endpoint, attempts = claimed
            row = raw.execute(self._db, _EVENT, (event_id,)).fetchone()
        return ClaimedDelivery(int(delivery_id), str(endpoint), int(attempts), _event(row))

    def delivered(self, delivery_id: int, now: float, result: str) -> None:
        raw.execute(self._db, _DELIVERED, (now, result, delivery_id))

    def give_up(self, delivery_id: int, now: float, result: str) -> None:
        raw.execute(self._db, _GIVE_UP, (now, result, delivery_id))

    def retry_at(self, delivery_id: int, at: float, result: str) -> None:
        raw.execute(self._db, _RETRY_AT, (at, result, delivery_id))

    def next_due(self) -> float | None:
        """When the earliest pending delivery is due; None when none is pending."""
        (due,) = raw.execute(self._db, _NEXT_DUE).fetchone()
        return None if due is None else float(due)

    def close(self) -> None:
        """Closes the calling thread's connection."""
        self._db.close()

    def recent(self, state: str | None, tenant_id: str | None, limit: int) -> list[DeliveryState]:
        """The newest deliveries, in `state` and of `tenant_id`'s events if given."""
        conditions, params = ["1 = 1"], list[object]()
        if state is not None:
            conditions.append(f"{_STATE} = ?")
            params.append(state)
        if tenant_id is not None:
            conditions.append("e.tenant_id = ?")
            params.append(tenant_id)
        sql = _LIST.format(where=" AND ".join(conditions))
        rows = raw.execute(self._db, sql, [*params, limit]).fetchall()
        return [
            DeliveryState(
                int(event_id),
                str(endpoint),
                str(state_name),
                int(attempts),
                last_result,
                float(due) if state_name == "pending" else None,
            )
            for event_id, endpoint, state_name, attempts, last_result, due in rows
        ]
