"""Security events: what happened, to whom, by which API key and from where.

Each flow records its event with `Events.record` inside the transaction that
makes the change, so a change never commits without its event nor an event
without its change; an event that changes nothing (a failed or throttled
sign-in) is written in a transaction of its own. Events carry ids, counts and
reasons, never a password, token, key or reset link. docs/events.md lists
every type and its `data`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from typing import Any

import peewee

from passgate.clock import Clock
from passgate.identity.event_records import DeliveryState, NewEvent, StoredEvent
from passgate.interceptors.call import current_call
from passgate.store.events import SqlEvents, SqlWebhookDeliveries

SIGN_IN_SUCCEEDED = "sign_in.succeeded"
SIGN_IN_FAILED = "sign_in.failed"
SIGN_IN_THROTTLED = "sign_in.throttled"
PASSWORD_CHANGED = "password.changed"  # noqa: S105 (an event type, not a password)
RESET_REQUESTED = "reset.requested"
RESET_COMPLETED = "reset.completed"
SESSION_REVOKED = "session.revoked"
USER_CREATED = "user.created"
USER_DISABLED = "user.disabled"
USER_ENABLED = "user.enabled"
USER_DELETED = "user.deleted"
USER_RESET_SENT = "user.reset_sent"
KEY_CREATED = "key.created"
KEY_REVOKED = "key.revoked"
KEY_ROTATED = "key.rotated"
TENANT_CREATED = "tenant.created"
TENANT_RESET_URL_ALLOWED = "tenant.reset_url_allowed"
TENANT_RESET_URL_DISALLOWED = "tenant.reset_url_disallowed"

TYPES = frozenset(
    {
        SIGN_IN_SUCCEEDED,
        SIGN_IN_FAILED,
        SIGN_IN_THROTTLED,
        PASSWORD_CHANGED,
        RESET_REQUESTED,
        RESET_COMPLETED,
        SESSION_REVOKED,
        USER_CREATED,
        USER_DISABLED,
        USER_ENABLED,
        USER_DELETED,
        USER_RESET_SENT,
        KEY_CREATED,
        KEY_REVOKED,
        KEY_ROTATED,
        TENANT_CREATED,
        TENANT_RESET_URL_ALLOWED,
        TENANT_RESET_URL_DISALLOWED,
    }
)


class EventBell:
    """Rung when an event is written, from any thread: wakes this process's
    watchers and webhook worker at once instead of at their next poll.

    It rings as the event is inserted, before its transaction commits (there
    is no hook after a commit): whoever wakes may look before the event can be
    seen, so after a ring they look again a few times in quick succession
    (`AFTER_RING`) before going back to their poll."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self._listeners: list[Callable[[], None]] = []

    def listen(self, listener: Callable[[], None]) -> None:
        """`listener` runs on the recording thread: it must only signal."""
        self._listeners.append(listener)

    def ring(self) -> None:
        with self._lock:
            waiting = list(self._waiting)
        for loop, event in waiting:
            loop.call_soon_threadsafe(event.set)
        for listener in self._listeners:
            listener()

    async def wait(self, timeout: float) -> bool:
        """Whether the bell rang within `timeout` seconds (returns when it does)."""
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiting.add(entry)
        try:
            await asyncio.wait_for(entry[1].wait(), timeout)
        except TimeoutError:
            return False
        else:
            return True
        finally:
            with self._lock:
                self._waiting.discard(entry)


# After a ring: looks again this often, this many times, for the event to commit.
AFTER_RING = (0.02, 5)


class Events:
    def __init__(
        self,
        database: peewee.Database,
        clock: Clock,
        endpoints: Sequence[str] = (),
        bell: EventBell | None = None,
    ) -> None:
        """`endpoints`: the webhook URLs each event is delivered to, unless the
        flow that records it says no webhook is wanted."""
        self._db = database
        self._clock = clock
        self._endpoints = tuple(endpoints)
        self._store = SqlEvents(database)
        self._deliveries = SqlWebhookDeliveries(database)
        self.bell = bell if bell is not None else EventBell()
        # Set when the server begins to stop: watchers end rather than hold it up.
        self.watches_ending = False

    def end_watches(self) -> None:
        """Ends every WatchEvents stream of this process at once (at shutdown)."""
        self.watches_ending = True
        self.bell.ring()

    def record(
        self,
        event_type: str,
        tenant_id: str,
        user_id: str | None = None,
        data: dict[str, Any] | None = None,
        *,
        webhook: bool = True,
        key_id: str | None = None,
        peer: str | None = None,
    ) -> int:
        """Writes an event in the caller's transaction, as its last statement
        (see SqlEvents.insert); returns its id. The calling API key and address
        come from the call in flight unless given (a worker resolving a queued
        request names the ones it was queued with)."""
        assert event_type in TYPES, event_type
        call = current_call.get(None)
        if call is not None:
            if key_id is None and call.api_key is not None:
                key_id = call.api_key.id
            if peer is None:
                peer = call.forwarded_client or call.peer
        event = NewEvent(
            event_type,
            self._clock.now(),
            tenant_id,
            user_id,
            key_id,
            peer,
            data or {},
            webhook,
        )
        event_id = self._store.insert(event, self._endpoints if webhook else ())
        self.bell.ring()
        return event_id

    def record_alone(
        self,
        event_type: str,
        tenant_id: str,
        user_id: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> int:
        """An event that records no change (a refused sign-in), in its own transaction."""
        with self._db.atomic():
            return self.record(event_type, tenant_id, user_id, data)

    def after(self, event_id: int, limit: int) -> list[StoredEvent]:
        """Up to `limit` events recorded after `event_id`, oldest first."""
        return self._store.after(event_id, limit)

    def newest_id(self) -> int:
        """The highest event id given out so far, pruned or not (0 before the first)."""
        return self._store.newest_id()

    def deliveries(
        self, state: str | None, tenant_id: str | None, limit: int
    ) -> list[DeliveryState]:
        """The newest webhook deliveries, of one state and one tenant's events if given."""
        return self._deliveries.recent(state, tenant_id, limit)
