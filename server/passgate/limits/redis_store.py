"""Budgets and throttles in Redis, shared by replicas on several machines.

Every operation is one round trip: a Lua script (passgate/limits/redis_scripts.py)
run with EVALSHA, atomic against every other client, and timed by Redis's own
clock, so replicas whose clocks differ charge one budget alike. Every key
expires when it stops mattering, so nothing grows and nothing needs pruning.

Redis that cannot be reached (down, a timeout, out of memory, a read-only
replica) answers LimitStoreUnavailable, logged once per cause; redis-py
reconnects on its own, so the store works again when Redis does.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast
from urllib.parse import urlsplit

import redis
import redis.asyncio
from redis import exceptions
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.retry import Retry

from passgate.clock import Clock
from passgate.limits import redis_scripts
from passgate.limits.arithmetic import MICROS, Gcra
from passgate.limits.policy import (
    ADMITTED,
    IN_FLIGHT_LEASE,
    SLOTS_HELD,
    Admission,
    Budget,
    Denial,
    ThrottlePolicy,
    ThrottleState,
)
from passgate.limits.store import (
    UNTIL_IT_CAN,
    LimitStoreUnavailable,
    denial_of,
    log,
    one_call_each,
)
from passgate.outage import Outage

PREFIX = "passgate:limits:"
BUDGET_PREFIX = PREFIX + "budget:"
THROTTLE_PREFIX = PREFIX + "throttle:"
# What health and the local-mode probe write: a Redis that answers PING but
# refuses writes (full memory, a replica, snapshots failing) is not usable.
PROBE_KEY = PREFIX + "probe"

# How long one call may wait for Redis before it answers UNAVAILABLE: a
# round trip takes well under a millisecond on a network that works.
SOCKET_TIMEOUT = 2.0
CONNECT_TIMEOUT = 2.0
# One retry, at once, on a lost connection: a pooled connection broken in a
# way redis-py does not notice before sending is replaced on the call that
# finds it, rather than failing that call. Each client takes its own kind of
# Retry (the asyncio one awaits).
RETRIES = 1

# What means Redis cannot be used now (rather than a bug of ours): a lost
# connection, a timeout, a full memory, a replica that may not write, a
# failover under way, a reply that is not Redis's protocol, an ACL that
# refuses us.
_UNAVAILABLE: tuple[type[Exception], ...] = (
    exceptions.ConnectionError,
    exceptions.TimeoutError,
    exceptions.OutOfMemoryError,
    exceptions.ReadOnlyError,
    exceptions.TryAgainError,
    exceptions.MasterDownError,
    exceptions.InvalidResponse,
    exceptions.NoPermissionError,
)
# Error replies redis-py has no class for that mean the same: a script of
# someone else's running too long, snapshots failing (a full disk), too few
# replicas for the primary to take writes.
_UNAVAILABLE_REPLIES = ("BUSY ", "MISCONF ", "NOREPLICAS ")


def _unavailable(error: Exception) -> bool:
    return isinstance(error, _UNAVAILABLE) or (
        isinstance(error, exceptions.ResponseError) and str(error).startswith(_UNAVAILABLE_REPLIES)
    )


def shown_address(url: str) -> str:
    """The store as logs name it: scheme, host, port and database, never a password."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path or '/0'}"


class RedisLimitStore:
    """A LimitStore in Redis at `url` (redis://[:PASSWORD@]HOST:PORT/DB, or
    rediss:// for TLS).

    The `clock` arguments of the LimitStore methods are not used: budgets and
    throttles are timed by Redis's clock, the one every replica shares.
    Returned times (a ThrottleState's blocked_until) are on that clock too.

    The budget check runs on the server's event loop, so it has an awaitable
    form, `charge_async`, on an asyncio client; throttles are admitted and
    settled on worker threads, on a blocking one.
    """

    def __init__(
        self, url: str, consequence: str = UNTIL_IT_CAN, *, every_cause: bool = True
    ) -> None:
        """`consequence` ends the line that logs Redis lost: what calls meet
        meanwhile; without `every_cause` the line is written once per outage,
        not once per cause (the blocking and the asyncio client word one lost
        connection differently)."""
        timeouts: dict[str, Any] = {
            "socket_timeout": SOCKET_TIMEOUT,
            "socket_connect_timeout": CONNECT_TIMEOUT,
        }
        self._client = redis.Redis.from_url(url, retry=Retry(NoBackoff(), RETRIES), **timeouts)
        self._async_client = redis.asyncio.Redis.from_url(
            url, retry=AsyncRetry(NoBackoff(), RETRIES), **timeouts
        )
        self._charge = self._client.register_script(redis_scripts.CHARGE)
        self._charge_async = self._async_client.register_script(redis_scripts.CHARGE)
        self._admit = self._client.register_script(redis_scripts.ADMIT)
        self._settle = self._client.register_script(redis_scripts.SETTLE)
        self._outage = Outage(
            log,
            f"limits store {shown_address(url)}",
            "cannot be reached",
            consequence,
            every_cause=every_cause,
        )

    @contextmanager
    def _reaching(self) -> Iterator[None]:
        try:
            yield
        except Exception as error:
            if not _unavailable(error):
                raise
            self._outage.failed(str(error))
            raise LimitStoreUnavailable() from error
        self._outage.worked()

    def ping(self) -> None:
        """Raises LimitStoreUnavailable unless Redis takes a write now."""
        with self._reaching():
            self._client.set(PROBE_KEY, 1, px=1000)

    def charge(self, budgets: Sequence[Budget], clock: Clock) -> Denial | None:
        return denial_of(self.charge_leases(budgets, clock, one_call_each(budgets)))

    async def charge_async(self, budgets: Sequence[Budget], clock: Clock) -> Denial | None:
        """`charge` without blocking the event loop while Redis answers."""
        charged = await self.charge_leases_async(budgets, clock, one_call_each(budgets))
        return denial_of(charged)

    def charge_leases(
        self, budgets: Sequence[Budget], clock: Clock, sizes: Sequence[int]
    ) -> Denial | list[int]:
        keys, args = _charge_arguments(budgets, sizes)
        with self._reaching():
            answer = self._charge(keys=keys, args=args)
        return _charged(budgets, cast(list[int], answer))

    async def charge_leases_async(
        self, budgets: Sequence[Budget], clock: Clock, sizes: Sequence[int]
    ) -> Denial | list[int]:
        keys, args = _charge_arguments(budgets, sizes)
        with self._reaching():
            answer = await self._charge_async(keys=keys, args=args)
        return _charged(budgets, cast(list[int], answer))

    def admit(self, key: str, clock: Clock, policy: ThrottlePolicy) -> Admission:
        with self._reaching():
            answer = self._admit(
                keys=[THROTTLE_PREFIX + key], args=[*_policy_args(policy), IN_FLIGHT_LEASE]
            )
        if int(answer[0]):
            return ADMITTED
        wait = float(answer[1])
        return Admission(False, wait) if wait > 0 else SLOTS_HELD

    def settle(
        self, key: str, clock: Clock, policy: ThrottlePolicy, failed: bool | None
    ) -> ThrottleState:
        verdict = "" if failed is None else "1" if failed else "0"
        with self._reaching():
            failures, blocked_until, in_flight = self._settle(
                keys=[THROTTLE_PREFIX + key], args=[*_policy_args(policy), verdict]
            )
        return ThrottleState(int(failures), float(blocked_until), int(in_flight))

    def clear(self, key: str) -> None:
        with self._reaching():
            self._client.delete(THROTTLE_PREFIX + key)

    def prune(self, clock: Clock) -> int:
        """Nothing to do: every key expires on its own in Redis."""
        return 0

    async def aclose(self) -> None:
        """Closes the asyncio client's connections, on the loop that used them."""
        await self._async_client.aclose()

    def close(self) -> None:
        self._client.close()


def _charge_arguments(
    budgets: Sequence[Budget], sizes: Sequence[int]
) -> tuple[list[str], list[int]]:
    keys = [BUDGET_PREFIX + budget.key for budget in budgets]
    args: list[int] = []
    for budget, size in zip(budgets, sizes, strict=True):
        gcra = Gcra.of(budget.rate)
        args += (gcra.interval_us, gcra.period_us, size)
    return keys, args


def _charged(budgets: Sequence[Budget], answer: list[int]) -> Denial | list[int]:
    """CHARGE's answer: the calls charged to each budget, or the denial."""
    refused = int(answer[0])
    if not refused:
        return [int(calls) for calls in answer[1:]]
    return Denial(budgets[refused - 1], int(answer[1]) / MICROS)


def _policy_args(policy: ThrottlePolicy) -> list[float]:
    return [policy.free, policy.first, policy.longest, policy.forget_after]
