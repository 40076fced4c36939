"""`--limits-store-outage local`: while Redis cannot be reached, this replica
enforces every budget and throttle alone, in a local limits store (the SQLite
file its worker processes share), rather than answer UNAVAILABLE; once Redis
answers again it is used again, without a restart.

What it costs: with N replicas, up to N times each budget and N times the free
sign-in failures while Redis is down, counted from zero (nothing is copied
from Redis, and nothing back).

The first call to find Redis gone waits for it at most the client's timeouts
(passgate/limits/redis_store.py); from then on no call asks Redis until a
background probe, a PING every PROBE_SECONDS (as health probes it in
`refuse` mode), finds it answering again. The outage is logged once, by the
Redis store, and once more when it works again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from passgate.background import BackgroundThread
from passgate.clock import Clock
from passgate.dependency_health import PROBE_SECONDS
from passgate.limits.policy import Admission, Budget, Denial, ThrottlePolicy, ThrottleState
from passgate.limits.store import LimitStore, LimitStoreUnavailable, NetworkLimitStore
from passgate.outage import Outage

# How the Redis store's outage line ends in this mode.
KEPT_LOCALLY = ": this replica enforces budgets and throttles alone until it can"

T = TypeVar("T")


class _Probe(BackgroundThread):
    """PINGs the lost store until it answers, then calls `back` and ends."""

    def __init__(self, store: NetworkLimitStore, back: Callable[[], None], interval: float):
        super().__init__("passgate-limits-probe")
        self._store = store
        self._back = back
        self._interval = interval
        self._unexpected = Outage(
            logging.getLogger(__name__), "probing the limits store", "fails", "; probing on"
        )

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._store.ping()
            except LimitStoreUnavailable:
                continue
            except Exception as error:  # anything else: not back either; keep probing
                self._unexpected.failed(repr(error))
                continue
            self._back()
            return


class FallbackLimitStore:
    """`shared` (Redis) while it answers, `local` while it cannot be reached."""

    def __init__(
        self, shared: NetworkLimitStore, local: LimitStore, probe_seconds: float = PROBE_SECONDS
    ) -> None:
        self._shared = shared
        self._local = local
        self._probe_seconds = probe_seconds
        self._lost = threading.Event()
        self._lock = threading.Lock()
        self._probe: _Probe | None = None
        self._closed = False

    def _fall_back(self) -> None:
        """Redis was found gone: local from now on, and probe it in the background."""
        with self._lock:
            if self._lost.is_set() or self._closed:
                return
            self._lost.set()
            self._probe = _Probe(self._shared, self._lost.clear, self._probe_seconds)
            self._probe.start()

    def _either(self, operation: Callable[[LimitStore], T]) -> T:
        if not self._lost.is_set():
            try:
                return operation(self._shared)
            except LimitStoreUnavailable:
                self._fall_back()
        return operation(self._local)

    def charge(self, budgets: Sequence[Budget], clock: Clock) -> Denial | None:
        return self._either(lambda store: store.charge(budgets, clock))

    async def charge_async(self, budgets: Sequence[Budget], clock: Clock) -> Denial | None:
        """Redis's charge awaited; the local one, a file, charged at once."""
        if not self._lost.is_set():
            try:
                return await self._shared.charge_async(budgets, clock)
            except LimitStoreUnavailable:
                self._fall_back()
        return self._local.charge(budgets, clock)

    def charge_leases(
        self, budgets: Sequence[Budget], clock: Clock, sizes: Sequence[int]
    ) -> Denial | list[int]:
        return self._either(lambda store: store.charge_leases(budgets, clock, sizes))

    def admit(self, key: str, clock: Clock, policy: ThrottlePolicy) -> Admission:
        return self._either(lambda store: store.admit(key, clock, policy))

    def settle(
        self, key: str, clock: Clock, policy: ThrottlePolicy, failed: bool | None
    ) -> ThrottleState:
        return self._either(lambda store: store.settle(key, clock, policy, failed))

    def clear(self, key: str) -> None:
        self._either(lambda store: store.clear(key))

    def prune(self, clock: Clock) -> int:
        """The local file's expired rows (Redis's keys expire on their own)."""
        return self._local.prune(clock)

    async def aclose(self) -> None:
        await self._shared.aclose()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            probe = self._probe
        if probe is not None:
            probe.stop()
        self._shared.close()
        self._local.close()
