"""What budgets and throttles compute, apart from where their state is kept:
every store (a SQLite file, Redis) applies these same rules to the state it
reads, so they answer alike. A store that computes inside its engine (SQL,
Lua) follows them step for step; the contract tests hold them to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from passgate.limits.policy import (
    ADMITTED,
    IN_FLIGHT_LEASE,
    SLOTS_HELD,
    Admission,
    ThrottlePolicy,
    ThrottleState,
)
from passgate.rates import Rate

MICROS = 1_000_000


@dataclass(frozen=True)
class Gcra:
    """A rate in whole microseconds: float epoch seconds would drift by
    rounding and refuse the 25th call of "25/5s"."""

    interval_us: int  # one call's share of the period
    period_us: int

    @classmethod
    def of(cls, rate: Rate) -> Gcra:
        period_us = round(rate.period * MICROS)
        return cls(max(1, round(period_us / rate.count)), period_us)

    def charge(self, tat_us: int | None, now_us: int, calls: int = 1) -> int | None:
        """The budget's new theoretical arrival time (tat) once `calls` are
        charged, or None when they do not fit: the tat moves on by one interval
        per call, and calls pass while it stays within one period of now. A
        budget without state (None) is a full one."""
        start = now_us if tat_us is None else max(tat_us, now_us)
        tat = start + self.interval_us * calls
        return tat if tat - now_us <= self.period_us else None

    def retry_after(self, tat_us: int | None, now_us: int) -> float:
        """Seconds until one more call would pass."""
        start = now_us if tat_us is None else max(tat_us, now_us)
        return max(start + self.interval_us - self.period_us - now_us, 0) / MICROS


@dataclass(frozen=True)
class ThrottleRecord:
    """A throttle's stored state: its count, block and the lease on its
    attempts in flight (ended by `in_flight_until` if their process dies)."""

    failures: int = 0
    blocked_until: float = 0.0
    last_failure: float = 0.0
    in_flight: int = 0
    in_flight_until: float = 0.0

    def expires_at(self, policy: ThrottlePolicy) -> float:
        """When the record stops mattering: past it, a missing record means the same."""
        forgotten_at = self.last_failure + policy.forget_after if self.failures else 0.0
        held_until = self.in_flight_until if self.in_flight else 0.0
        return max(self.blocked_until, forgotten_at, held_until)


NO_RECORD = ThrottleRecord()


def current(record: ThrottleRecord | None, now: float, policy: ThrottlePolicy) -> ThrottleState:
    """The throttle state a record stands for at `now`: a lapsed in-flight lease
    frees its slots, and a quiet `forget_after` wipes a count whose delay is over."""
    if record is None:
        return ThrottleState(0, 0.0)
    failures, blocked_until = record.failures, record.blocked_until
    in_flight = record.in_flight if record.in_flight_until > now else 0
    if record.last_failure < now - policy.forget_after and blocked_until <= now:
        failures, blocked_until = 0, 0.0
    return ThrottleState(failures, blocked_until, in_flight)


def admit(
    record: ThrottleRecord | None, now: float, policy: ThrottlePolicy
) -> tuple[Admission, ThrottleRecord | None]:
    """The answer to one attempt, and the record to store when it takes a slot
    (None: nothing changes)."""
    state = current(record, now, policy)
    wait = state.retry_after(now)
    if wait > 0:
        return Admission(False, wait), None
    if state.in_flight >= policy.open_slots(state.failures):
        return SLOTS_HELD, None
    last_failure = 0.0 if record is None else record.last_failure
    taken = ThrottleRecord(
        state.failures,
        state.blocked_until,
        last_failure,
        state.in_flight + 1,
        now + IN_FLIGHT_LEASE,
    )
    return ADMITTED, taken


def settle(
    record: ThrottleRecord | None, now: float, policy: ThrottlePolicy, failed: bool | None
) -> tuple[ThrottleState, ThrottleRecord | None]:
    """Ends an attempt (see LimitStore.settle): the state after it, and the
    record to store (None: the throttle is back to nothing and is deleted)."""
    state = current(record, now, policy)
    in_flight = max(0, state.in_flight - 1)
    last_failure = 0.0 if record is None else record.last_failure
    if failed is None:
        state = ThrottleState(state.failures, state.blocked_until, in_flight)
    elif not failed:
        state = ThrottleState(0, 0.0, in_flight)
    elif state.blocked_until <= now:
        failures = state.failures + 1
        delay = policy.delay(failures)
        state = ThrottleState(failures, now + delay if delay else 0.0, in_flight)
        last_failure = now
    else:
        state = ThrottleState(state.failures, state.blocked_until, in_flight)
    if state.failures == 0 and state.in_flight == 0:
        return state, None
    in_flight_until = 0.0 if record is None else record.in_flight_until
    return state, ThrottleRecord(
        state.failures, state.blocked_until, last_failure, state.in_flight, in_flight_until
    )
