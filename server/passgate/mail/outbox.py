"""The durable mail outbox: RPCs add sealed messages inside their own
transaction; a delivery worker sends them later, retries with back-off, and
erases each message's content once it is sent or given up.

Besides e-mails it holds reset requests as RequestReset recorded them, before
anyone looked the user up: the worker resolves each into a reset e-mail, or
into nothing, so the RPC does the same work whoever it names.

A worker claims one message at a time for a short lease and renews the lease
while the send is in flight, however slow the relay: a live worker never lets
its claim run out, so no other process or worker sends the message again,
and the claim of a worker that died mid-send runs out within `LEASE_SECONDS`,
after which any worker sends it. Only a worker stalled for longer than
`LEASE_SECONDS - RENEW_SECONDS` without renewing (the process stopped, the
database's write lock held that long) could see its message sent twice.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import peewee

from passgate.background import BackgroundThread
from passgate.clock import Clock
from passgate.mail.mailers import MailDeliveryError
from passgate.mail.stores import Claimed, OutboxStore
from passgate.sealing import InvalidToken, Sealer
from passgate.store.outbox import SqlOutbox

log = logging.getLogger("passgate.mail")

KIND_RESET = "reset"
KIND_RESET_REQUEST = "reset-request"
MAX_ATTEMPTS = 12
# A claim runs out this long after it was made or last renewed; the worker in
# flight renews it every RENEW_SECONDS.
LEASE_SECONDS = 5.0
RENEW_SECONDS = 1.0


@dataclass(frozen=True)
class QueuedReset:
    """What the worker needs to write a reset e-mail."""

    to_address: str
    reset_link: str
    expires_minutes: int
    tenant_name: str
    template: str | None


@dataclass(frozen=True)
class ResetRequested:
    """A RequestReset as the caller made it: whom it names, how, and its options."""

    identifier_kind: str
    identifier: str
    schema_name: str
    reset_url: str | None
    template: str | None
    # For the request's event, recorded when it is resolved (absent from
    # requests queued before events existed).
    key_id: str | None = None
    peer: str | None = None
    prevent_webhook: bool = False


Queued = QueuedReset | ResetRequested
_KINDS: dict[str, type[Queued]] = {KIND_RESET: QueuedReset, KIND_RESET_REQUEST: ResetRequested}


class Outbox:
    def __init__(
        self,
        database: peewee.Database,
        clock: Clock,
        sealer: Sealer,
        store: OutboxStore | None = None,
    ) -> None:
        self._db = database
        self._clock = clock
        self._sealer = sealer
        self._store = store if store is not None else SqlOutbox(database)

    def add_reset(self, tenant_id: str, user_id: str, mail: QueuedReset) -> None:
        """Queues a reset e-mail to the user; call inside the transaction that made
        its token. The row names the user, so erasing them erases it."""
        self._add(tenant_id, KIND_RESET, mail, user_id)

    def add_reset_request(self, tenant_id: str, request: ResetRequested) -> None:
        """Records a RequestReset for the worker to resolve (see `DeliveryWorker`)."""
        self._add(tenant_id, KIND_RESET_REQUEST, request)

    def _add(self, tenant_id: str, kind: str, queued: Queued, user_id: str | None = None) -> None:
        sealed = self._sealer.seal(json.dumps(asdict(queued)).encode())
        self._store.add(tenant_id, kind, sealed, self._clock.now(), user_id)

    def claim(self) -> Claimed | None:
        """Leases the oldest due message to this worker for `LEASE_SECONDS`.

        One at a time: a message waiting in a batch behind a slow send would
        see its lease run out and be sent by another worker, then by this one."""
        now = self._clock.now()
        return self._store.claim(now, now + LEASE_SECONDS)

    def renew(self, message_id: int) -> None:
        """Extends the claim of a message still being sent by `LEASE_SECONDS` from now."""
        self._store.renew(message_id, self._clock.now() + LEASE_SECONDS)

    def open(self, claimed: Claimed) -> Queued:
        """The message's content; InvalidToken, ValueError or TypeError if it cannot be read."""
        kind = _KINDS.get(claimed.kind)
        if kind is None:
            raise ValueError(f"unknown outbox message kind {claimed.kind!r}")
        return kind(**json.loads(self._sealer.unseal(claimed.sealed)))

    def mark_sent(self, message_id: int) -> bool:
        """Marks a message done and erases its content; False if it already was done."""
        return self._store.mark_sent(message_id, self._clock.now())

    def mark_failed(self, message_id: int, attempts: int, error: str, permanent: bool) -> None:
        now = self._clock.now()
        if permanent or attempts + 1 >= MAX_ATTEMPTS:
            self._store.give_up(message_id, now, error[:256])
        else:
            delay = min(3600.0, 2.0 ** (attempts + 1))
            self._store.retry_at(message_id, now + delay, error[:256])

    def close(self) -> None:
        """Closes the calling thread's connection."""
        self._db.close()

    def pending(self) -> int:
        return self._store.pending()


DeliverFn = Callable[[QueuedReset], None]
# Resolves a recorded reset request (message id, tenant id, request): in one
# transaction, marks the request sent (`Outbox.mark_sent`, the only winner of a
# race) and queues the e-mail it calls for, if any.
ResolveFn = Callable[[int, str, ResetRequested], None]


class LeaseKeeper(BackgroundThread):
    """Renews the claim of the message a worker is sending, on a thread of its
    own, so a slow send never outlives its lease."""

    def __init__(self, outbox: Outbox) -> None:
        super().__init__("passgate-mail-lease")
        self._outbox = outbox
        self._sending: int | None = None
        # Held while renewing and while the worker lets go of a message, so no
        # renewal lands after the message was marked sent or put back.
        self._lock = threading.Lock()

    @contextmanager
    def kept(self, message_id: int) -> Iterator[None]:
        """Renews `message_id`'s claim while the block runs."""
        with self._lock:
            self._sending = message_id
        try:
            yield
        finally:
            with self._lock:
                self._sending = None

    def _run(self) -> None:
        while not self._stop.wait(RENEW_SECONDS):
            with self._lock:
                if self._sending is None:
                    continue
                try:
                    self._outbox.renew(self._sending)
                except Exception as error:
                    self._failed(log, "renewing mail claims", error)
                else:
                    self._worked(log, "renewing mail claims")
        self._outbox.close()


class DeliveryWorker(BackgroundThread):
    """Sends queued mail and resolves reset requests on its own thread; `wake()`
    after queueing skips the poll wait."""

    def __init__(
        self,
        outbox: Outbox,
        deliver: DeliverFn,
        resolve: ResolveFn,
        poll_interval: float = 1.0,
    ) -> None:
        super().__init__("passgate-mail")
        self._outbox = outbox
        self._deliver = deliver
        self._resolve = resolve
        self._poll_interval = poll_interval
        self._lease = LeaseKeeper(outbox)
        self._wake = threading.Event()

    def start(self) -> None:
        self._lease.start()
        super().start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._wake.set()  # out of its poll wait
        super().stop(timeout)
        self._lease.stop(timeout)

    def run_once(self) -> int:
        """Handles the oldest message due now, if any; returns how many it tried (0 or 1)."""
        claimed = self._outbox.claim()
        if claimed is None:
            return 0
        try:
            mail = self._outbox.open(claimed)
        except (InvalidToken, ValueError, TypeError):
            log.error(
                "outbox message %s cannot be opened with this server's secret key", claimed.id
            )
            self._outbox.mark_failed(
                claimed.id, claimed.attempts, "cannot be unsealed", permanent=True
            )
            return 1
        if isinstance(mail, ResetRequested):
            self._resolve_request(claimed, mail)
            return 1
        try:
            with self._lease.kept(claimed.id):
                self._deliver(mail)
        except MailDeliveryError as failure:
            log.warning(
                "mail %s not delivered (attempt %d): %s", claimed.id, claimed.attempts + 1, failure
            )
            self._outbox.mark_failed(claimed.id, claimed.attempts, str(failure), failure.permanent)
        else:
            self._outbox.mark_sent(claimed.id)
        return 1

    def _resolve_request(self, claimed: Claimed, request: ResetRequested) -> None:
        """An unexpected failure backs off and retries like a failed send."""
        try:
            self._resolve(claimed.id, claimed.tenant_id, request)
        except Exception as failure:
            log.exception(
                "reset request %s not resolved (attempt %d)", claimed.id, claimed.attempts + 1
            )
            self._outbox.mark_failed(
                claimed.id, claimed.attempts, type(failure).__name__, permanent=False
            )

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                tried = self.run_once()
            except Exception as error:
                self._failed(log, "mail delivery", error)
                tried = 0
            else:
                self._worked(log, "mail delivery")
            if tried == 0:
                self._wake.wait(self._poll_interval)
                self._wake.clear()
