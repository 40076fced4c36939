"""The budget and throttle rules, apart from any store: what every store must
compute from the state it reads."""

from __future__ import annotations

from passgate.limits.arithmetic import MICROS, Gcra, ThrottleRecord, admit, current, settle
from passgate.limits.policy import IN_FLIGHT_LEASE, SLOTS_HELD, Admission, ThrottlePolicy
from passgate.rates import Rate

NOW = 1_800_000_000.0
NOW_US = round(NOW * MICROS)
POLICY = ThrottlePolicy(free=5, first=1.0, longest=900.0, forget_after=3600.0)


def test_a_25_per_5s_budget_passes_exactly_25_calls_at_once_then_says_when():
    gcra = Gcra.of(Rate(25, 5.0))
    assert gcra.interval_us == 200_000
    tat: int | None = None
    for _ in range(25):
        tat = gcra.charge(tat, NOW_US)
        assert tat is not None
    assert gcra.charge(tat, NOW_US) is None
    assert gcra.retry_after(tat, NOW_US) == 0.2  # one interval: the oldest call's share
    # after that wait one more passes, and only one
    later = NOW_US + 200_000
    again = gcra.charge(tat, later)
    assert again is not None
    assert gcra.charge(again, later) is None


def test_an_idle_budget_is_full_again_and_a_lease_charges_several_calls():
    gcra = Gcra.of(Rate(1000, 1.0))
    spent = gcra.charge(None, NOW_US, calls=1000)
    assert spent is not None
    assert gcra.charge(spent, NOW_US) is None
    assert gcra.charge(spent, NOW_US + MICROS, calls=1000) is not None
    assert gcra.charge(None, NOW_US, calls=1001) is None
    assert gcra.retry_after(None, NOW_US) == 0.0


def test_free_failures_cost_nothing_then_delays_double_up_to_the_longest():
    record: ThrottleRecord | None = None
    delays = []
    now = NOW
    for _ in range(16):
        admission, record = admit(record, now, POLICY)
        assert admission.admitted
        state, record = settle(record, now, POLICY, failed=True)
        delays.append(round(state.retry_after(now), 6))
        now = max(now, state.blocked_until)
    assert delays[:5] == [0.0] * 5
    assert delays[5:12] == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]
    assert delays[-1] == 900.0


def test_a_blocked_throttle_refuses_with_the_time_left_and_waiting_never_extends_it():
    record = ThrottleRecord(6, NOW + 2.0, NOW)
    admission, taken = admit(record, NOW + 0.5, POLICY)
    assert admission == Admission(False, 1.5)
    assert taken is None
    # a failure counted while blocked (a wrong reset token) changes nothing
    state, _ = settle(record, NOW + 0.5, POLICY, failed=True)
    assert (state.failures, state.blocked_until) == (6, NOW + 2.0)


def test_open_slots_count_attempts_in_flight_and_a_dead_process_lease_lapses():
    record: ThrottleRecord | None = ThrottleRecord(4, 0.0, NOW)
    admission, record = admit(record, NOW, POLICY)
    assert admission.admitted  # the 5th free failure
    assert record is not None
    admission2, record2 = admit(record, NOW, POLICY)
    assert admission2.admitted  # the one that would start the first delay
    assert admit(record2, NOW, POLICY) == (SLOTS_HELD, None)
    # their process died: after the lease the slots are free again
    assert admit(record2, NOW + IN_FLIGHT_LEASE + 0.001, POLICY)[0].admitted


def test_success_wipes_the_count_and_no_verdict_only_frees_the_slot():
    _, record = admit(ThrottleRecord(3, 0.0, NOW), NOW, POLICY)
    state, kept = settle(record, NOW, POLICY, failed=None)
    assert (state.failures, state.in_flight) == (3, 0)
    assert kept is not None and kept.failures == 3
    _, record = admit(kept, NOW, POLICY)
    state, gone = settle(record, NOW, POLICY, failed=False)
    assert (state.failures, state.in_flight) == (0, 0)
    assert gone is None  # back to nothing: the store deletes it


def test_a_quiet_forget_after_wipes_the_count_and_the_record_says_when():
    record = ThrottleRecord(5, 0.0, NOW)
    assert record.expires_at(POLICY) == NOW + 3600.0
    assert current(record, NOW + 3599.0, POLICY).failures == 5
    assert current(record, NOW + 3600.5, POLICY).failures == 0
    blocked = ThrottleRecord(20, NOW + 900.0, NOW - 3600.0)
    assert current(blocked, NOW, POLICY).failures == 20  # not while its delay runs
