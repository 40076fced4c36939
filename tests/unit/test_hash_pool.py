"""The bcrypt threads stand aside for everything else on the machine, and
hand an interleaved kernel as many queued verifications as it takes at once,
a lone one alone."""

from __future__ import annotations

import platform
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import bcrypt
import pytest

from passgate.identity.bcrypt_kernel import LANES, KernelBcrypt
from passgate.identity.hashing import LONG_SLICE_NS, HashPool
from passgate.identity.passwords import TESTING_COST, PasswordHasher


class WidthRecordingKernel(KernelBcrypt):
    """passgate's kernel, noting how many checks each call computes together."""

    def __init__(self) -> None:
        self.widths: list[int] = []

    def checkpw(self, secret: bytes, hashed: bytes) -> bool:
        self.widths.append(1)
        return super().checkpw_many([(secret, hashed)])[0]

    def checkpw_many(self, pairs: Sequence[tuple[bytes, bytes]]) -> list[bool]:
        self.widths.append(len(pairs))
        return super().checkpw_many(pairs)


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


def test_queued_verifications_of_one_cost_share_a_batch_and_keep_their_answers():
    kernel = WidthRecordingKernel()
    hasher = PasswordHasher(TESTING_COST, backend=kernel)
    other_cost = PasswordHasher(TESTING_COST + 1, backend=kernel)
    pool = HashPool(hasher, workers=1)
    try:
        stored = {f"pw{i}": hasher.hash(f"pw{i}") for i in range(LANES + 2)}
        upgraded = other_cost.hash("dearer")
        legacy = bcrypt.hashpw(b"imported", bcrypt.gensalt(4, b"2a")).decode()
        hasher.burn("warm the dummy hash")
        kernel.widths.clear()
        calls = [
            (pool.verify, "pw0", stored["pw0"]),
            (pool.verify, "wrong", stored["pw1"]),
            (pool.verify, "imported", legacy),  # the reference decides, alone
            (pool.verify, "dearer", upgraded),  # another cost: a batch of its own
            (pool.burn, "nobody"),
            (pool.hash, "new"),  # not a check: alone
        ] + [(pool.verify, f"pw{i}", stored[f"pw{i}"]) for i in range(2, LANES + 2)]
        answers = _queued_behind_a_busy_thread(pool, calls)
    finally:
        pool.shutdown()
    widths = list(kernel.widths)
    assert answers[:5] == [True, False, True, True, None]
    assert hasher.verify("new", answers[5])
    assert answers[6:] == [True] * LANES
    # pw0, pw1, the burn and pw2..: LANES + 3 checks at one cost, taken LANES at a time;
    # the dearer one alone; the imported one and the new hash not through checkpw at all
    assert sorted(widths) == sorted([LANES, 3, 1])


def test_a_lone_verification_runs_alone():
    kernel = WidthRecordingKernel()
    hasher = PasswordHasher(TESTING_COST, backend=kernel)
    pool = HashPool(hasher, workers=2)
    try:
        stored = hasher.hash("alone")
        kernel.widths.clear()
        assert pool.verify("alone", stored)
        assert not pool.verify("not alone", stored)
    finally:
        pool.shutdown()
    assert kernel.widths == [1, 1]


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
