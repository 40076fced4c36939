"""WatchEvents and ListWebhookDeliveries: the security events an admin key
may see, streamed as they are recorded, and where their webhooks stand.

AdminService inherits these methods; app.py hands them their parts with
`serve_events`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable

from passgate.admin.v1 import admin_service_pb2 as pb
from passgate.auth.v1.error_reason_pb2 import ErrorReason
from passgate.errors import (
    ApiKeyScope,
    CursorInvalid,
    InvalidRequest,
    ServiceUnavailable,
    Violation,
    reason_name,
)
from passgate.identity import events as event_types
from passgate.identity.event_records import StoredEvent
from passgate.identity.events import AFTER_RING, Events
from passgate.identity.records import OPERATOR_TENANT, ApiKeyRecord
from passgate.interceptors.call import current_call
from passgate.interceptors.handlers import Context
from passgate.offload import Offload
from passgate.services.auth_service import timestamp

BATCH = 200  # events read at once while catching up
# How often a watcher looks for events other processes recorded; this
# process's own wake it at once.
POLL_SECONDS = 0.25
WATCH_ENDED = (
    "this server is shutting down: watch again, here or on another replica, "
    "with after_event_id set to the last event_id received"
)
DELIVERY_STATES = ("pending", "delivered", "failed")
DEFAULT_PAGE = 100
MAX_PAGE = 1000


class AdminEvents:
    _events: Events
    _events_offload: Offload

    def serve_events(self, events: Events, offload: Offload) -> None:
        """The parts these methods use: the events, and the threads their reads run on."""
        self._events = events
        self._events_offload = offload

    async def WatchEvents(
        self, request: pb.WatchEventsRequest, context: Context
    ) -> AsyncIterator[pb.WatchEventsResponse]:
        key = current_call.get().key
        tenant = _tenant_watched(key, request.tenant_id)
        types = _types(request.types)
        cursor = await self._start(request.after_event_id)
        quick_looks = 0  # left after a ring (see EventBell)
        while True:
            if self._events.watches_ending:
                raise ServiceUnavailable(WATCH_ENDED)
            batch = await self._events_offload.run(self._events.after, cursor, BATCH)
            for event in batch:
                cursor = event.id
                if (tenant is None or event.tenant_id == tenant) and (
                    not types or event.type in types
                ):
                    yield pb.WatchEventsResponse(event=_event_message(event))
            if len(batch) == BATCH:
                continue
            if quick_looks > 0 and not batch:
                quick_looks -= 1
                await asyncio.sleep(AFTER_RING[0])
            elif await self._events.bell.wait(POLL_SECONDS):
                quick_looks = AFTER_RING[1]

    async def _start(self, after_event_id: str) -> int:
        """Where a watch starts: after the id given, which must be one passgate
        could have given out (it may since have been pruned)."""
        if not after_event_id:
            return 0
        newest = await self._events_offload.run(self._events.newest_id)
        if not after_event_id.isascii() or not after_event_id.isdigit():
            cursor = -1
        else:
            cursor = int(after_event_id)
        if not 0 < cursor <= newest:
            raise CursorInvalid(
                "after_event_id",
                "Not an event id passgate gave out: give the event_id of the last event "
                "seen, or leave it empty to start with the oldest event kept.",
            )
        return cursor

    async def ListWebhookDeliveries(
        self, request: pb.ListWebhookDeliveriesRequest, context: Context
    ) -> pb.ListWebhookDeliveriesResponse:
        key = current_call.get().key
        problems = []
        if request.state and request.state not in DELIVERY_STATES:
            problems.append(
                Violation(
                    "state",
                    reason_name(ErrorReason.FIELD_MALFORMED),
                    f"Give one of {', '.join(DELIVERY_STATES)}, or leave it empty for every state.",
                )
            )
        if not 0 <= request.page_size <= MAX_PAGE:
            problems.append(
                Violation(
                    "page_size",
                    reason_name(ErrorReason.FIELD_MALFORMED),
                    f"Give 1 to {MAX_PAGE}, or 0 for {DEFAULT_PAGE}.",
                )
            )
        if problems:
            raise InvalidRequest(problems)
        deliveries = await self._events_offload.run(
            self._events.deliveries,
            request.state or None,
            None if key.tenant_id == OPERATOR_TENANT else key.tenant_id,
            request.page_size or DEFAULT_PAGE,
        )
        return pb.ListWebhookDeliveriesResponse(
            deliveries=[
                pb.WebhookDelivery(
                    event_id=str(d.event_id),
                    endpoint=d.endpoint,
                    state=d.state,
                    attempts=d.attempts,
                    last_result=d.last_result or "",
                    next_attempt_at=None
                    if d.next_attempt_at is None
                    else timestamp(d.next_attempt_at),
                )
                for d in deliveries
            ]
        )


def _tenant_watched(key: ApiKeyRecord, tenant_id: str) -> str | None:
    """The one tenant to watch; None: every tenant (a key of the default tenant
    that names none)."""
    if not tenant_id:
        return None if key.tenant_id == OPERATOR_TENANT else key.tenant_id
    if not key.may_administer(tenant_id):
        raise ApiKeyScope("this API key may not see another tenant's events")
    return tenant_id


def _types(types: Iterable[str]) -> frozenset[str]:
    wanted = frozenset(types)
    unknown = sorted(wanted - event_types.TYPES)
    if unknown:
        raise InvalidRequest(
            [
                Violation(
                    "types",
                    reason_name(ErrorReason.FIELD_MALFORMED),
                    f"Unknown event type {name!r}: docs/events.md lists them.",
                )
                for name in unknown[:10]
            ]
        )
    return wanted


def _event_message(event: StoredEvent) -> pb.Event:
    return pb.Event(
        event_id=str(event.id),
        type=event.type,
        occurred_at=timestamp(event.occurred_at),
        tenant_id=event.tenant_id,
        user_id=event.user_id or "",
        key_id=event.key_id or "",
        peer=event.peer or "",
        data_json=event.data_json,
    )
