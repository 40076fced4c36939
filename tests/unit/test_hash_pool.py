"""The bcrypt threads stand aside for everything else on the machine, and
keep an interleaved kernel's lanes full: a queued verification starts as soon
as a lane is free, even while the others compute, and a lone one runs alone."""

from __future__ import annotations

import platform
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import bcrypt
import pytest
from prometheus_client import CollectorRegistry

from passgate.identity.bcrypt_kernel import LANES, KernelBcrypt, RollingLanes
from passgate.identity.hashing import LONG_SLICE_NS, HashPool
from passgate.identity.passwords import TESTING_COST, PasswordHasher
from passgate.metrics import Metrics


class RecordingLanes(RollingLanes[object]):
    """A thread's lanes, noting each hash started and how many lanes were busy then,
    and each run that returned with nothing finished (it was woken)."""

    def __init__(self, kernel: RecordingKernel) -> None:
        super().__init__()
        self._recorder = kernel

    def start(self, secret: bytes, hashed: bytes, tag: object) -> None:
        self._recorder.starts.append((hashed, LANES - self.free))
        super().start(secret, hashed, tag)

    def run(self) -> list[tuple[object, bool]]:
        finished = super().run()
        if not finished:
            self._recorder.interruptions += 1
        return finished


class RecordingKernel(KernelBcrypt):
    """passgate's kernel, noting every hash its lanes start and every interrupted run."""

    def __init__(self) -> None:
        self.starts: list[tuple[bytes, int]] = []
        self.interruptions = 0

    def rolling(self) -> RollingLanes[Any]:
        return RecordingLanes(self)

    def busiest(self) -> int:
        """The most lanes ever busy together, counting the one starting."""
        return max(busy + 1 for _, busy in self.starts)


def _scheduling(tid: int) -> dict[str, int]:
    """The kernel's view of a thread: its priority (120 + nice) and, on kernels
    with custom slices, the slice it runs for."""
    fields = {}
    for line in Path(f"/proc/self/task/{tid}/sched").read_text().splitlines():
        name, _, value = line.partition(":")
        if name.strip() in ("prio", "se.slice"):
            fields[name.strip()] = int(float(value))
    return fields


def _kernel() -> tuple[int, int]:
    major, minor = platform.release().split(".")[:2]
    return int(major), int("".join(c for c in minor if c.isdigit()) or 0)


@pytest.mark.skipif(sys.platform != "linux", reason="thread scheduling is set on Linux only")
def test_bcrypt_threads_run_at_nice_19_with_the_longest_slice():
    pool = HashPool(PasswordHasher(TESTING_COST), workers=2)
    try:
        # the pool's own thread, whichever runs the call
        seen = pool.call(lambda: _scheduling(threading.get_native_id()))
        mine = _scheduling(threading.get_native_id())
    finally:
        pool.shutdown()
    assert seen["prio"] == 139
    assert mine["prio"] == 120  # the caller's thread is left alone
    if _kernel() >= (6, 12):  # custom slices for ordinary threads came with Linux 6.12
        assert seen["se.slice"] == LONG_SLICE_NS
        assert mine["se.slice"] < LONG_SLICE_NS


def _queued_behind_a_busy_thread(pool: HashPool, calls: list, workers: int = 1) -> list:
    """Runs `calls` (pool methods with their arguments) at once while the pool's threads
    are held busy, so that all of them are queued when the threads come free."""
    release = threading.Event()
    busy = threading.Semaphore(0)

    def hold() -> None:
        busy.release()
        release.wait()

    with ThreadPoolExecutor(len(calls) + workers) as callers:
        blockers = [callers.submit(pool.call, hold) for _ in range(workers)]
        for _ in range(workers):
            busy.acquire()
        futures = [callers.submit(method, *args) for method, *args in calls]
        while len(pool._jobs) < len(calls):
            time.sleep(0.001)
        release.set()
        for blocker in blockers:
            blocker.result()
        return [future.result() for future in futures]


def test_queued_verifications_fill_the_lanes_and_keep_their_answers():
    kernel = RecordingKernel()
    hasher = PasswordHasher(TESTING_COST + 1, backend=kernel)
    other_cost = PasswordHasher(TESTING_COST + 2, backend=kernel)
    cheaper = PasswordHasher(TESTING_COST, backend=kernel)
    pool = HashPool(hasher, workers=1)
    try:
        stored = {f"pw{i}": hasher.hash(f"pw{i}") for i in range(LANES + 2)}
        upgraded = other_cost.hash("dearer")
        old = cheaper.hash("old")
        legacy = bcrypt.hashpw(b"imported", bcrypt.gensalt(4, b"2a")).decode()
        hasher.burn("warm the dummy hash")
        kernel.starts.clear()
        calls = [
            (pool.verify, "pw0", stored["pw0"]),
            (pool.verify, "wrong", stored["pw1"]),
            (pool.verify, "imported", legacy),  # the reference decides, alone
            (pool.verify, "dearer", upgraded),  # another cost shares the lanes
            (pool.burn, "nobody"),
            (pool.hash, "new"),  # not a check: alone
            (pool.verify, "wrong", old),  # a cheaper hash: a failure costs a burn too
        ] + [(pool.verify, f"pw{i}", stored[f"pw{i}"]) for i in range(2, LANES + 2)]
        answers = _queued_behind_a_busy_thread(pool, calls)
    finally:
        pool.shutdown()
    assert answers[:5] == [True, False, True, True, None]
    assert hasher.verify("new", answers[5])
    assert answers[6:] == [False] + [True] * LANES
    started = [hashed.decode() for hashed, _ in kernel.starts]
    # every check but the imported one went through the lanes, and the cheaper
    # hash's failure was followed by a burn at the configured cost
    assert len(started) == LANES + 6
    after_the_cheaper_hash = started[started.index(old.removeprefix("pg1$")) + 1 :]
    assert hasher._dummy().decode() in after_the_cheaper_hash
    assert kernel.busiest() == LANES


def _short_check_beside_a_long_one(workers: int) -> tuple[list[int], bool, int]:
    """A cost-4 check sent once a cost-14 one (about a second on one lane) has
    started, on a pool of `workers` threads: how many lanes were busy as each
    started, whether the short one was answered while the long one ran, and how
    many times a thread's computation was interrupted."""
    kernel = RecordingKernel()
    slow = PasswordHasher(14, backend=kernel)
    quick = PasswordHasher(TESTING_COST, backend=kernel)
    pool = HashPool(quick, workers=workers)
    try:
        long_one, short_one = slow.hash("long"), quick.hash("short")
        with ThreadPoolExecutor(1) as caller:
            first = caller.submit(pool.verify, "long", long_one)
            while not kernel.starts:
                time.sleep(0.001)
            assert pool.verify("short", short_one)
            answered_first = not first.done()
            assert first.result()
    finally:
        pool.shutdown()
    return [busy for _, busy in kernel.starts], answered_first, kernel.interruptions


def test_a_check_queued_while_the_lanes_compute_starts_at_once_and_can_finish_first():
    busy_at_start, answered_first, interruptions = _short_check_beside_a_long_one(workers=1)
    assert interruptions >= 1  # the busy thread was woken for it
    assert busy_at_start == [0, 1]  # and it joined the lanes beside the long one
    assert answered_first


def test_a_check_goes_to_an_idle_thread_before_a_lane_beside_another_check():
    busy_at_start, answered_first, interruptions = _short_check_beside_a_long_one(workers=2)
    # the idle thread took it: the busy one computed on, never interrupted
    assert interruptions == 0
    assert busy_at_start == [0, 0]
    assert answered_first


def test_a_failure_to_start_a_check_reaches_its_caller_and_the_thread_serves_on():
    class FailingOnce(KernelBcrypt):
        def rolling(self) -> RollingLanes[Any]:
            class Lanes(RollingLanes[Any]):
                failed = False

                def start(self, secret: bytes, hashed: bytes, tag: Any) -> None:
                    if not Lanes.failed:
                        Lanes.failed = True
                        raise MemoryError("no room for a lane")
                    super().start(secret, hashed, tag)

            return Lanes()

    hasher = PasswordHasher(TESTING_COST, backend=FailingOnce())
    pool = HashPool(hasher, workers=1)
    try:
        stored = hasher.hash("pw")
        with ThreadPoolExecutor(1) as caller:
            with pytest.raises(MemoryError):
                caller.submit(pool.verify, "pw", stored).result(timeout=30)
            assert caller.submit(pool.verify, "pw", stored).result(timeout=30)
    finally:
        pool.shutdown()


def test_many_parallel_callers_each_get_their_own_answer_and_the_pool_ends_idle():
    """32 callers at once on two threads' lanes: right and wrong passwords, two costs, a
    cheaper hash owing a burn, imported hashes and new hashes that run alone, all mixed."""
    registry = CollectorRegistry()
    metrics = Metrics(registry)
    hasher = PasswordHasher(TESTING_COST + 1)
    other_cost = PasswordHasher(TESTING_COST + 2)
    cheaper = PasswordHasher(TESTING_COST)
    pool = HashPool(hasher, workers=2, metrics=metrics)
    assert pool.lanes == LANES  # the kernel's lanes, not a library one hash at a time
    stored = {
        "own": hasher.hash("own"),
        "dearer": other_cost.hash("dearer"),
        "cheaper": cheaper.hash("cheaper"),
        "imported": bcrypt.hashpw(b"imported", bcrypt.gensalt(4, b"2a")).decode(),
    }

    def one(i: int) -> bool:
        name = list(stored)[i % len(stored)]
        if i % 7 == 0:
            return hasher.verify(f"new{i}", pool.hash(f"new{i}"))
        right = i % 3 != 0
        answer = pool.verify(name if right else f"not {name}", stored[name])
        return answer == right

    try:
        with ThreadPoolExecutor(32) as callers:
            answers = list(callers.map(one, range(200)))
    finally:
        pool.shutdown()
    assert answers == [True] * 200
    assert registry.get_sample_value("passgate_bcrypt_threads_busy") == 0
    assert registry.get_sample_value("passgate_bcrypt_wait_seconds_count") >= 200


def test_a_lone_verification_runs_alone():
    kernel = RecordingKernel()
    hasher = PasswordHasher(TESTING_COST, backend=kernel)
    pool = HashPool(hasher, workers=2)
    try:
        stored = hasher.hash("alone")
        kernel.starts.clear()
        assert pool.verify("alone", stored)
        assert not pool.verify("not alone", stored)
    finally:
        pool.shutdown()
    assert [busy for _, busy in kernel.starts] == [0, 0]


def test_a_pool_shut_down_takes_no_more_work():
    pool = HashPool(PasswordHasher(TESTING_COST), workers=1)
    pool.shutdown()
    with pytest.raises(RuntimeError):
        pool.verify("x", "pg1$nothing")


def test_a_hasher_that_changes_verify_gets_every_call_through_it():
    class Counting(PasswordHasher):
        def __init__(self) -> None:
            super().__init__(TESTING_COST, backend=KernelBcrypt())
            self.verified = 0

        def verify(self, password: str, stored: str) -> bool:
            self.verified += 1
            return super().verify(password, stored)

    hasher = Counting()
    pool = HashPool(hasher, workers=1)
    try:
        stored = hasher.hash("counted")
        assert pool.lanes == 1
        assert pool.verify("counted", stored)
    finally:
        pool.shutdown()
    assert hasher.verified == 1
    plain = HashPool(PasswordHasher(TESTING_COST, backend=KernelBcrypt()), workers=1)
    plain.shutdown()
    assert plain.lanes == LANES
