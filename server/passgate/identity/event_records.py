"""The values security events are made of, shared by the domain that records
them, the store that keeps them and the workers that deliver them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class NewEvent:
    """An event as a flow records it; `data` holds ids, counts and reasons only."""

    type: str
    occurred_at: float
    tenant_id: str
    user_id: str | None
    key_id: str | None
    peer: str | None
    data: dict[str, Any]
    webhook: bool


@dataclass(frozen=True)
class StoredEvent:
    """An event as kept: with the id it was given."""

    id: int
    type: str
    occurred_at: float
    tenant_id: str
    user_id: str | None
    key_id: str | None
    peer: str | None
    data_json: str

    def body(self) -> bytes:
        """The JSON a webhook endpoint receives (documented in docs/events.md)."""
        document = {
            "event_id": str(self.id),
            "type": self.type,
            "occurred_at": iso_time(self.occurred_at),
            "tenant_id": self.tenant_id,
            "user_id": self.user_id,
            "key_id": self.key_id,
            "peer": self.peer,
            "data": json.loads(self.data_json),
        }
        return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


@dataclass(frozen=True)
class DeliveryState:
    """One event's delivery to one endpoint, as admins see it."""

    event_id: int
    endpoint: str
    state: str  # pending | delivered | failed
    attempts: int
    last_result: str | None
    next_attempt_at: float | None  # while pending


@dataclass(frozen=True)
class ClaimedDelivery:
    """A delivery leased to one worker, with the event it carries."""

    id: int
    endpoint: str
    attempts: int  # before this one
    event: StoredEvent


def iso_time(seconds: float) -> str:
    """ISO 8601 in UTC, to the microsecond, as passgate writes times."""
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")
