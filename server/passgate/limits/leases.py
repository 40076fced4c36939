"""Large budgets charged to the shared state in leases, around any LimitStore.

A process takes up to a hundredth of a budget (at most 1000 calls) from the
shared state at once and spends it locally for at most LEASE_SECONDS: one
shared write per lease rather than per call. Leased calls are charged before
they are spent, so a budget never lets more calls through than its rate.

A lease that lapses unspent is lost for its period, so leases grow only with
use: a key's first lease is one call, the next twice the last when that was
spent before it lapsed, and back to what was used when it lapsed unspent. A
caller whose calls come further apart than LEASE_SECONDS is charged one call
at a time (exact, nothing lost); a busy one reaches a hundredth of its budget
within a few leases. Budgets under 200 calls a period (the default 25/5s and
100/1s among them) lease one call at a time: they stay exact.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence

from passgate.clock import Clock
from passgate.limits.policy import Admission, Budget, Denial, ThrottlePolicy, ThrottleState
from passgate.limits.store import LimitStore, LimitStoreUnavailable, NetworkLimitStore
from passgate.rates import Rate

LEASE_SECONDS = 0.1


def lease_size(rate: Rate) -> int:
    return max(1, min(1000, rate.count // 100))


class _Leases:
    """Calls this process has already charged to the shared state and not yet spent,
    and how large each key's next lease is."""

    _PRUNE_AT = 10_000

    def __init__(self) -> None:
        self._left: dict[str, list[float]] = {}  # key → [calls left, until, calls granted]
        self._next: dict[str, int] = {}  # key → the size of its next lease

    def missing(self, budgets: Sequence[Budget], now: float) -> list[Budget]:
        """The budgets without a live lease holding a call."""
        return [b for b in budgets if not self._holds(b.key, now)]

    def _holds(self, key: str, now: float) -> bool:
        left = self._left.get(key)
        return left is not None and left[0] > 0 and left[1] > now

    def sizes(self, budgets: Sequence[Budget], now: float) -> list[int]:
        """The lease to ask for each budget: grown with use (see the module's doc)."""
        sizes = []
        for budget in budgets:
            size = self._next.get(budget.key, 1)
            last = self._left.get(budget.key)
            if last is not None:
                left, until, granted = last
                if left <= 0 and until > now:  # spent before it lapsed: twice as large
                    size = int(granted) * 2
                elif left > 0:  # lapsed unspent: what was used
                    size = int(granted - left)
            size = max(1, min(size, lease_size(budget.rate)))
            self._next[budget.key] = size
            sizes.append(size)
        return sizes

    def grant(self, key: str, calls: int, now: float) -> None:
        """Adds `calls` to the key's lease. A lease still live keeps its end:
        no call is ever spent later than LEASE_SECONDS after it was charged."""
        if len(self._left) >= self._PRUNE_AT:
            self._left = {k: v for k, v in self._left.items() if v[1] > now}
            self._next = {k: v for k, v in self._next.items() if k in self._left}
        left = self._left.get(key)
        if left is not None and left[0] > 0 and left[1] > now:
            left[0] += calls
            left[2] += calls
        else:
            self._left[key] = [calls, now + LEASE_SECONDS, calls]

    def spend(self, budgets: Sequence[Budget], now: float) -> bool:
        """Spends a call of each budget's lease if every one holds a live call;
        else spends nothing. What nearly every call does, hence its own pass."""
        left = self._left
        held: list[list[float]] = []
        for budget in budgets:
            lease = left.get(budget.key)
            if lease is None or lease[0] <= 0 or lease[1] <= now:
                return False
            held.append(lease)
        for lease in held:
            lease[0] -= 1
        return True


class LeasedLimitStore:
    """`inner` with its budgets charged in leases; throttles pass straight through."""

    def __init__(self, inner: LimitStore) -> None:
        self._inner = inner
        self._leases = _Leases()
        # Threads of this process charge one at a time: they share the leases.
        self._lock = threading.Lock()

    def charge(self, budgets: Sequence[Budget], clock: Clock) -> Denial | None:
        with self._lock:
            while not self._leases.spend(budgets, self._now(clock)):
                missing = self._leases.missing(budgets, self._now(clock))
                sizes = self._leases.sizes(missing, self._now(clock))
                granted = self._inner.charge_leases(missing, clock, sizes)
                if isinstance(granted, Denial):
                    return granted
                self._grant(missing, granted, clock)
        return None

    def _now(self, clock: Clock) -> float:
        """Leases last on the clock the inner store times budgets by."""
        return clock.now()

    def _grant(self, budgets: Sequence[Budget], granted: list[int], clock: Clock) -> None:
        now = self._now(clock)
        for budget, calls in zip(budgets, granted, strict=True):
            self._leases.grant(budget.key, calls, now)

    def charge_leases(
        self, budgets: Sequence[Budget], clock: Clock, sizes: Sequence[int]
    ) -> Denial | list[int]:
        return self._inner.charge_leases(budgets, clock, sizes)

    def admit(self, key: str, clock: Clock, policy: ThrottlePolicy) -> Admission:
        return self._inner.admit(key, clock, policy)

    def settle(
        self, key: str, clock: Clock, policy: ThrottlePolicy, failed: bool | None
    ) -> ThrottleState:
        return self._inner.settle(key, clock, policy, failed)

    def clear(self, key: str) -> None:
        self._inner.clear(key)

    def prune(self, clock: Clock) -> int:
        return self._inner.prune(clock)

    def close(self) -> None:
        self._inner.close()


class LeasedNetworkLimitStore(LeasedLimitStore):
    """A network store (Redis) leased: a call that finds its leases live is
    answered without a round trip."""

    def __init__(self, inner: NetworkLimitStore) -> None:
        super().__init__(inner)
        self._network = inner
        # Leases being fetched, by budget key: a call that needs one waits for
        # the fetch under way rather than take a lease of its own, so calls
        # arriving together as a lease runs out charge one more, not one each.
        self._fetching: dict[str, asyncio.Future[bool]] = {}

    async def charge_async(self, budgets: Sequence[Budget], clock: Clock) -> Denial | None:
        """`charge` on the event loop, without a lock: the leases are read and
        spent between awaits."""
        while not self._leases.spend(budgets, self._now(clock)):
            missing = self._leases.missing(budgets, self._now(clock))
            under_way = [self._fetching[b.key] for b in missing if b.key in self._fetching]
            if under_way:
                for fetch in under_way:
                    if await fetch:  # it failed: so would this call's, after as long a wait
                        raise LimitStoreUnavailable()
                continue
            fetched = [b.key for b in missing if lease_size(b.rate) > 1]
            done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
            for key in fetched:
                self._fetching[key] = done
            failed = True
            try:
                sizes = self._leases.sizes(missing, self._now(clock))
                granted = await self._network.charge_leases_async(missing, clock, sizes)
                failed = False
            finally:
                for key in fetched:
                    del self._fetching[key]
                done.set_result(failed)  # what the calls waiting for this fetch learn
            if isinstance(granted, Denial):
                return granted
            self._grant(missing, granted, clock)
        return None

    def _now(self, clock: Clock) -> float:
        """Redis times budgets by its own clock, not the one passed in: leases
        last real time."""
        return time.monotonic()

    async def charge_leases_async(
        self, budgets: Sequence[Budget], clock: Clock, sizes: Sequence[int]
    ) -> Denial | list[int]:
        return await self._network.charge_leases_async(budgets, clock, sizes)

    async def aclose(self) -> None:
        await self._network.aclose()

    def ping(self) -> None:
        self._network.ping()


def leased(store: LimitStore) -> LimitStore:
    """`store` with its large budgets charged in leases."""
    if isinstance(store, NetworkLimitStore):
        return LeasedNetworkLimitStore(store)
    return LeasedLimitStore(store)
