"""The bcrypt threads stand aside for everything else on the machine."""

from __future__ import annotations

import platform
import sys
import threading
from pathlib import Path

import pytest

from passgate.identity.hashing import LONG_SLICE_NS, HashPool
from passgate.identity.passwords import TESTING_COST, PasswordHasher


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
        seen = pool._executor.submit(lambda: _scheduling(threading.get_native_id())).result()
        mine = _scheduling(threading.get_native_id())
    finally:
        pool.shutdown()
    assert seen["prio"] == 139
    assert mine["prio"] == 120  # the caller's thread is left alone
    if _kernel() >= (6, 12):  # custom slices for ordinary threads came with Linux 6.12
        assert seen["se.slice"] == LONG_SLICE_NS
        assert mine["se.slice"] < LONG_SLICE_NS
