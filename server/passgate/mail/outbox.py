"""The durable mail outbox: RPCs add sealed messages inside their own
transaction; a delivery worker sends them later, retries with back-off, and
erases each message's content once it is sent or given up."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass

import peewee

from passgate.clock import Clock
from passgate.mail.mailers import MailDeliveryError
from passgate.sealing import InvalidToken, Sealer
from passgate.store import raw

log = logging.getLogger("passgate.mail")

KIND_RESET = "reset"
MAX_ATTEMPTS = 12
LEASE_SECONDS = 120.0


@dataclass(frozen=True)
class QueuedReset:
    """What the worker needs to write a reset e-mail."""

    to_address: str
    reset_link: str
    expires_minutes: int
    tenant_name: str
    template: str | None


class Outbox:
    def __init__(self, database: peewee.Database, clock: Clock, sealer: Sealer) -> None:
        self._db = database
        self._clock = clock
        self._sealer = sealer

    def add_reset(self, tenant_id: str, mail: QueuedReset) -> None:
        """Queues a reset e-mail; call inside the transaction that made its token."""
        now = self._clock.now()
        sealed = self._sealer.seal(json.dumps(asdict(mail)).encode())
        raw.execute(
            self._db,
            "INSERT INTO outbox (tenant_id, kind, payload, created_at, attempts, next_attempt_at) "
            "VALUES (?, ?, ?, ?, 0, ?)",
            (tenant_id, KIND_RESET, sealed, now, now),
        )

    def claim(self, limit: int = 10) -> list[tuple[int, int, bytes]]:
        """Leases due messages to this worker: (id, attempts so far, sealed payload)."""
        now = self._clock.now()
        with self._db.atomic():
            rows = raw.execute(
                self._db,
                "SELECT id, attempts, payload FROM outbox WHERE sent_at IS NULL "
                "AND failed_at IS NULL AND next_attempt_at <= ? "
                "AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY id LIMIT ?",
                (now, now, limit),
            ).fetchall()
            for row in rows:
                raw.execute(
                    self._db,
                    "UPDATE outbox SET claimed_until = ?, attempts = attempts + 1 WHERE id = ?",
                    (now + LEASE_SECONDS, row[0]),
                )
        return [(int(r[0]), int(r[1]), bytes(r[2])) for r in rows]

    def open(self, sealed: bytes) -> QueuedReset:
        return QueuedReset(**json.loads(self._sealer.unseal(sealed)))

    def mark_sent(self, message_id: int) -> None:
        raw.execute(
            self._db,
            "UPDATE outbox SET sent_at = ?, payload = NULL, claimed_until = NULL WHERE id = ?",
            (self._clock.now(), message_id),
        )

    def mark_failed(self, message_id: int, attempts: int, error: str, permanent: bool) -> None:
        now = self._clock.now()
        if permanent or attempts + 1 >= MAX_ATTEMPTS:
            raw.execute(
                self._db,
                "UPDATE outbox SET failed_at = ?, payload = NULL, claimed_until = NULL, "
                "last_error = ? WHERE id = ?",
                (now, error[:256], message_id),
            )
        else:
            delay = min(3600.0, 2.0 ** (attempts + 1))
            raw.execute(
                self._db,
                "UPDATE outbox SET next_attempt_at = ?, claimed_until = NULL, last_error = ? "
                "WHERE id = ?",
                (now + delay, error[:256], message_id),
            )

    def pending(self) -> int:
        row = raw.execute(
            self._db, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
        ).fetchone()
        return int(row[0])


DeliverFn = Callable[[QueuedReset], None]


class DeliveryWorker:
    """Sends queued mail on its own thread; `wake()` after queueing skips the poll wait."""

    def __init__(self, outbox: Outbox, deliver: DeliverFn, poll_interval: float = 1.0) -> None:
        self._outbox = outbox
        self._deliver = deliver
        self._poll_interval = poll_interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="passgate-mail", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def run_once(self) -> int:
        """Delivers what is due now; returns how many messages it tried."""
        batch = self._outbox.claim()
        for message_id, attempts, sealed in batch:
            try:
                mail = self._outbox.open(sealed)
            except (InvalidToken, ValueError, TypeError):
                log.error(
                    "outbox message %s cannot be opened with this server's secret key", message_id
                )
                self._outbox.mark_failed(message_id, attempts, "cannot be unsealed", permanent=True)
                continue
            try:
                self._deliver(mail)
            except MailDeliveryError as failure:
                log.warning(
                    "mail %s not delivered (attempt %d): %s", message_id, attempts + 1, failure
                )
                self._outbox.mark_failed(message_id, attempts, str(failure), failure.permanent)
            else:
                self._outbox.mark_sent(message_id)
        return len(batch)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                tried = self.run_once()
            except Exception:
                log.exception("mail delivery loop failed; retrying")
                tried = 0
            if tried == 0:
                self._wake.wait(self._poll_interval)
                self._wake.clear()
