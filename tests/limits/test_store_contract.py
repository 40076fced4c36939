"""Every limits store gives the same answers: a SQLite file and Redis, each
real, each exact (every call charged to it) and leased (large budgets charged
a hundredth at a time), on the real clock (Redis times budgets by its own, so
no store gets a fake one here). Small periods and delays keep the waits short."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from passgate.clock import SystemClock
from passgate.limits.leases import LEASE_SECONDS, lease_size, leased
from passgate.limits.policy import IN_FLIGHT_LEASE, SLOTS_HELD, Budget, Denial, ThrottlePolicy
from passgate.limits.store import AwaitedLimitStore, LimitStore
from passgate.limits.stores import open_exact_limits_store, open_limits_store
from passgate.rates import Rate
from passgate.redis_server import RedisServer

CLOCK = SystemClock()
STORES = ("sqlite", "sqlite-leased", "redis", "redis-leased")


def _opened(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LimitStore]:
    kind, _, form = str(request.param).partition("-")
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'limits.db'}"
    else:
        server: RedisServer = request.getfixturevalue("redis_server")
        url = server.url()
        with redis.Redis.from_url(url) as client:
            client.flushdb()
    exact = open_exact_limits_store(url)
    opened = leased(exact) if form == "leased" else exact
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LimitStore]:
    yield from _opened(request, tmp_path)


@pytest.fixture(params=[kind for kind in STORES if kind.startswith("redis")])
def awaited_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LimitStore]:
    """The stores the server awaits (across the network); a file is charged at once."""
    yield from _opened(request, tmp_path)


def passes(store: LimitStore, budgets: list[Budget], times: int) -> int:
    return sum(store.charge(budgets, CLOCK) is None for _ in range(times))


def test_a_25_per_5s_budget_lets_exactly_25_through_then_says_honestly_when(store: LimitStore):
    budget = Budget("key:k1", Rate(25, 5.0))
    assert passes(store, [budget], 25) == 25
    denial = store.charge([budget], CLOCK)
    assert denial is not None and denial.budget == budget
    # one call's share (0.2 s), less the moments the 26 calls took
    assert 0.1 < denial.retry_after <= 0.2
    assert passes(store, [budget], 5) == 0
    time.sleep(denial.retry_after + 0.01)
    assert passes(store, [budget], 2) == 1  # one call's share came back, and one only


def test_several_budgets_are_charged_all_or_nothing(store: LimitStore):
    roomy = Budget("key:roomy", Rate(3, 60.0))
    tight = Budget("ip:tight", Rate(1, 60.0))
    assert store.charge([roomy, tight], CLOCK) is None
    denial = store.charge([roomy, tight], CLOCK)
    assert denial is not None and denial.budget == tight
    assert 59.0 < denial.retry_after <= 60.0
    # the refused call charged neither: the roomy budget still has its two calls
    assert passes(store, [roomy], 3) == 2


# 2000 calls in 10 hours: leased 20 at a time, never refilled during a test.
LARGE = Rate(2000, 36000.0)


def test_a_large_budget_lets_exactly_its_calls_through_leased_or_not(store: LimitStore):
    assert lease_size(LARGE) == 20
    large = Budget("key:large", LARGE)
    small = Budget("ip:small", Rate(30, 36000.0))
    started = time.monotonic()
    # the small budget refuses the 31st call: the large one is charged no more
    assert passes(store, [large, small], 40) == 30
    assert passes(store, [large], 2100) == 2000 - 30
    denial = store.charge([large], CLOCK)
    elapsed = time.monotonic() - started  # the budget refilled meanwhile, by real time
    assert denial is not None and denial.budget == large
    # one call's share of 10 hours, less what refilled while the test charged
    assert 18.0 - elapsed - 0.05 < denial.retry_after <= 18.0


def test_calls_awaited_at_once_spend_a_large_budget_as_if_one_by_one(awaited_store: LimitStore):
    """What the server does over Redis: 50 calls arrive at once and await
    their charge. Leased, they share one lease as it runs out rather than each
    take one, so once what they left unspent lapses, no more than one lease
    (20 calls) of the rest is lost."""
    store = awaited_store
    assert isinstance(store, AwaitedLimitStore)
    awaited = store
    large = [Budget("key:large", LARGE)]

    async def burst() -> list[Denial | None]:
        try:
            return list(
                await asyncio.gather(*(awaited.charge_async(large, CLOCK) for _ in range(50)))
            )
        finally:
            await awaited.aclose()

    assert asyncio.run(burst()) == [None] * 50
    time.sleep(LEASE_SECONDS + 0.05)
    assert 2000 - 50 - lease_size(LARGE) <= passes(store, large, 2100) <= 2000 - 50


FAST = ThrottlePolicy(free=5, first=0.1, longest=0.4, forget_after=3600.0)


def fail(store: LimitStore, key: str, policy: ThrottlePolicy = FAST) -> float:
    """One admitted attempt that fails; the delay it starts (0 when free)."""
    admission = store.admit(key, CLOCK, policy)
    assert admission.admitted, admission
    state = store.settle(key, CLOCK, policy, failed=True)
    return max(0.0, state.blocked_until - time.time())


def test_free_failures_cost_nothing_then_delays_double_up_to_the_longest(store: LimitStore):
    assert [fail(store, "signin:t:user:a") for _ in range(5)] == [0.0] * 5
    delays = []
    for _ in range(4):
        delays.append(fail(store, "signin:t:user:a"))
        refusal = store.admit("signin:t:user:a", CLOCK, FAST)
        assert not refusal.admitted
        assert 0 < refusal.retry_after <= delays[-1] + 0.01
        # a failure counted while blocked (a wrong reset token) does not extend it
        blocked = store.settle("signin:t:user:a", CLOCK, FAST, failed=True)
        assert blocked.failures == 6 + len(delays) - 1
        time.sleep(refusal.retry_after + 0.01)
    assert delays == pytest.approx([0.1, 0.2, 0.4, 0.4], abs=0.03)


def test_open_slots_count_the_attempts_still_in_flight(store: LimitStore):
    key = "signin:t:user:b"
    # no failures yet: the five free ones and the one that starts the first delay
    assert [store.admit(key, CLOCK, FAST).admitted for _ in range(7)] == [True] * 6 + [False]
    assert store.admit(key, CLOCK, FAST) == SLOTS_HELD
    for _ in range(6):
        store.settle(key, CLOCK, FAST, failed=None)
    for _ in range(4):
        fail(store, key)
    # four failures: two slots (the fifth free failure and the first delayed one)
    assert [store.admit(key, CLOCK, FAST).admitted for _ in range(3)] == [True, True, False]


def test_a_success_wipes_the_count_and_no_verdict_only_frees_the_slot(store: LimitStore):
    key = "signin:t:user:c"
    for _ in range(3):
        fail(store, key)
    assert store.admit(key, CLOCK, FAST).admitted
    undecided = store.settle(key, CLOCK, FAST, failed=None)
    assert (undecided.failures, undecided.in_flight) == (3, 0)
    assert store.admit(key, CLOCK, FAST).admitted  # the slot came back
    wiped = store.settle(key, CLOCK, FAST, failed=False)
    assert (wiped.failures, wiped.blocked_until, wiped.in_flight) == (0, 0.0, 0)
    assert [fail(store, key) for _ in range(6)][-1] > 0  # five free again, then a delay


def test_a_quiet_forget_after_wipes_the_count(store: LimitStore):
    forgetful = ThrottlePolicy(free=1, first=0.05, longest=0.05, forget_after=0.3)
    key = "reset-token:t:u"
    assert fail(store, key, forgetful) == 0.0
    assert fail(store, key, forgetful) > 0
    time.sleep(0.35)
    state = store.settle(key, CLOCK, forgetful, failed=None)
    assert state.failures == 0
    assert fail(store, key, forgetful) == 0.0  # free again


def test_clear_forgets_a_throttle(store: LimitStore):
    key = "signin:t:user:d"
    for _ in range(6):
        fail(store, key)
    assert not store.admit(key, CLOCK, FAST).admitted
    store.clear(key)
    assert store.admit(key, CLOCK, FAST).admitted


def test_every_redis_key_expires_when_it_stops_mattering(redis_server: RedisServer):
    store = open_limits_store(redis_server.url(1))
    with redis.Redis.from_url(redis_server.url(1)) as client:
        client.flushdb()
        try:
            store.charge([Budget("key:e", Rate(25, 5.0)), Budget("ip:e", Rate(100, 1.0))], CLOCK)
            budget_ttls = sorted(client.pttl(k) for k in client.keys("passgate:limits:budget:*"))
            # each budget is full again once one call's share has passed
            assert len(budget_ttls) == 2
            assert 0 < budget_ttls[0] <= 10 and 150 < budget_ttls[1] <= 200

            policy = ThrottlePolicy(forget_after=3600.0)
            store.admit("signin:t:user:e", CLOCK, policy)
            throttle = "passgate:limits:throttle:signin:t:user:e"
            # an attempt in flight holds its slot for the lease (whole milliseconds, rounded up)
            lease_ms = IN_FLIGHT_LEASE * 1000
            assert lease_ms - 1000 < client.pttl(throttle) <= lease_ms + 1
            store.settle("signin:t:user:e", CLOCK, policy, failed=True)
            # a failure is remembered for forget_after
            assert 3599_000 < client.pttl(throttle) <= 3600_001
            store.settle("signin:t:user:e", CLOCK, policy, failed=False)
            assert not client.exists(throttle)  # a success leaves nothing behind
            # nothing lives for ever (-1: no expiry; -2: expired since listed)
            assert all(client.pttl(k) != -1 for k in client.keys("*"))
            assert store.prune(CLOCK) == 0  # nothing is left to prune
        finally:
            store.close()


def test_a_caller_slower_than_a_lease_spends_one_call_a_call_of_a_large_budget(
    store: LimitStore,
):
    """A batch job whose calls come further apart than a lease lasts: each of its
    calls costs the budget one call, not a lease it leaves to lapse."""
    daily = Budget("key:daily", Rate(1000, 86400.0))  # leases up to 10 calls
    for _ in range(12):
        assert store.charge([daily], CLOCK) is None
        time.sleep(LEASE_SECONDS + 0.02)
    assert passes(store, [daily], 1100) == 1000 - 12
