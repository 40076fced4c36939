"""What the mail outbox needs from the database; the SQL behind it is
`passgate.store.outbox`. Times are seconds since the epoch, from the caller's clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Claimed:
    """A message leased to this worker."""

    id: int
    kind: str
    tenant_id: str
    attempts: int  # before this one
    sealed: bytes


class OutboxStore(Protocol):
    def add(
        self, tenant_id: str, kind: str, sealed: bytes, now: float, user_id: str | None = None
    ) -> None:
        """Queues a message, due now; `user_id`: the user it is about, if known."""

    def erase_for_user(self, user_id: str) -> int:
        """Deletes every message about the user, sent or not (an erased user's)."""

    def claim(self, now: float, until: float) -> Claimed | None:
        """Leases the oldest due, unclaimed message until `until`; no two callers,
        in any process, get the same message while its lease runs."""

    def renew(self, message_id: int, until: float) -> None:
        """Extends a lease, only while the message is still pending and claimed."""

    def mark_sent(self, message_id: int, now: float) -> bool:
        """Done, content erased; False if it already was done."""

    def give_up(self, message_id: int, now: float, error: str) -> None:
        """Failed for good, content erased."""

    def retry_at(self, message_id: int, at: float, error: str) -> None:
        """Lets go of the lease; the message is due again at `at`."""

    def pending(self) -> int: ...

    def backlog(self) -> tuple[int, float]:
        """Undelivered messages, and when the oldest was queued (0 when none)."""
        ...
