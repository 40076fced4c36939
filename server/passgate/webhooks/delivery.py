"""Delivering recorded events to the configured webhook endpoints.

Each event that wants a webhook gets one `webhook_deliveries` row per
endpoint, inserted in the transaction that records the event, so a
committed event is delivered even if the process dies the next instant. A
worker thread in every server process claims one due row at a time with a
lease (the mail outbox's claim: a row no two workers, in any process, hold
at once), POSTs it, and marks it delivered, or due again after a back-off
that doubles each time, or failed after `attempts` tries. The lease outlasts
the HTTP timeout, so a live worker always finishes before it runs out and
needs no renewal; a killed worker's row is taken again once it does. Only a
worker killed after the endpoint answered and before the row was marked can
make an endpoint see one delivery twice: receivers drop repeats by the
`webhook-id` header, which stays the same across attempts.
"""

from __future__ import annotations

import logging
import threading

from passgate import url_secrets
from passgate.background import BackgroundThread
from passgate.clock import Clock
from passgate.identity.event_records import ClaimedDelivery
from passgate.identity.events import AFTER_RING
from passgate.store.events import SqlWebhookDeliveries
from passgate.webhooks.sender import TIMEOUT_SECONDS, Sender
from passgate.webhooks.signing import signature

log = logging.getLogger("passgate.webhooks")

LEASE_SECONDS = TIMEOUT_SECONDS + 10.0
LONGEST_DELAY = 3600.0
MIN_WAIT = 0.01  # between two looks at a backlog no delivery of which is due yet


def webhook_id(event_id: int) -> str:
    """The `webhook-id` of an event's deliveries: the same for every attempt."""
    return f"evt_{event_id}"


class WebhookWorker(BackgroundThread):
    """Sends due deliveries on its own thread; `wake()` after an event is
    recorded skips the poll wait."""

    def __init__(
        self,
        deliveries: SqlWebhookDeliveries,
        clock: Clock,
        key: bytes,
        send: Sender,
        *,
        attempts: int,
        first_delay: float,
        poll_interval: float = 1.0,
    ) -> None:
        super().__init__("passgate-webhooks")
        self._deliveries = deliveries
        self._clock = clock
        self._key = key
        self._send = send
        self._attempts = attempts
        self._first_delay = first_delay
        self._poll_interval = poll_interval
        self._wake = threading.Event()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._wake.set()  # out of its wait
        super().stop(timeout)

    def run_once(self) -> bool:
        """Attempts the delivery due first, if any; whether there was one."""
        now = self._clock.now()
        claimed = self._deliveries.claim(now, now + LEASE_SECONDS)
        if claimed is None:
            return False
        ok, result = self._attempt(claimed)
        now = self._clock.now()
        if ok:
            self._deliveries.delivered(claimed.id, now, result)
        elif claimed.attempts + 1 >= self._attempts:
            log.warning(
                "webhook delivery failed for good",
                extra={"fields": self._fields(claimed, result)},
            )
            self._deliveries.give_up(claimed.id, now, result)
        else:
            delay = min(LONGEST_DELAY, self._first_delay * 2.0**claimed.attempts)
            log.info("webhook delivery failed", extra={"fields": self._fields(claimed, result)})
            self._deliveries.retry_at(claimed.id, now + delay, result)
        return True

    def _attempt(self, claimed: ClaimedDelivery) -> tuple[bool, str]:
        body = claimed.event.body()
        identity = webhook_id(claimed.event.id)
        timestamp = int(self._clock.now())
        headers = {
            "content-type": "application/json",
            "user-agent": "passgate-webhooks",
            "webhook-id": identity,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature(self._key, identity, timestamp, body),
        }
        return self._send(claimed.endpoint, headers, body)

    @staticmethod
    def _fields(claimed: ClaimedDelivery, result: str) -> dict[str, object]:
        return {
            "event": "webhook_failed",
            "event_id": claimed.event.id,
            "endpoint": url_secrets.masked(claimed.endpoint),
            "attempt": claimed.attempts + 1,
            "result": result,
        }

    def _run(self) -> None:
        quick_looks = 0  # left after a wake (see EventBell)
        while not self._stop.is_set():
            try:
                # a read first: an idle worker takes no write lock to find nothing
                wait = self._until_due()
                if wait == 0.0:
                    wait = 0.0 if self.run_once() else MIN_WAIT
            except Exception as error:
                self._failed(log, "webhook delivery", error)
                wait = self._poll_interval
            else:
                self._worked(log, "webhook delivery")
            if wait > 0 and quick_looks > 0:
                quick_looks -= 1
                wait = min(wait, AFTER_RING[0])
            if wait > 0 and self._wake.wait(wait):
                self._wake.clear()
                quick_looks = AFTER_RING[1]
        self._deliveries.close()

    def _until_due(self) -> float:
        """Seconds to wait before the next delivery is due (0: one is due now), at
        most the poll interval (deliveries other processes queue are found by polling)."""
        due = self._deliveries.next_due()
        if due is None:
            return self._poll_interval
        return max(0.0, min(self._poll_interval, due - self._clock.now()))
