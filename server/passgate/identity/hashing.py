"""bcrypt work on a bounded pool of its own.

bcrypt releases the GIL, so one thread per core saturates the CPU; more
threads only queue. Offload threads wait on this pool, which keeps the
number of concurrent hashes at the core count whatever the load.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import struct
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from passgate.identity.passwords import PasswordHasher

# The longest time slice Linux grants (its EEVDF scheduler clamps to 0.1-100 ms).
LONG_SLICE_NS = 100_000_000
_SCHED_SETATTR = {"x86_64": 314, "aarch64": 274}  # the system call's number


def _lower_priority() -> None:
    """bcrypt threads yield the CPU to cheap calls: under a sign-in flood,
    VerifySession and health checks keep their latency while bcrypt keeps the
    cores busy whenever nothing else needs them."""
    tid = threading.get_native_id()
    # not Linux, or not allowed: run at normal priority
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, tid, 19)
    _long_slice(tid)


def _long_slice(tid: int) -> None:
    """Asks for the longest slice, keeping nice 19 (Linux 6.12 and later honour it).

    Nice alone is not enough: a task that wakes (the event loop, grpcio's I/O
    threads, a caller on the same host) preempts a running task at once only
    when its slice is the shorter one. With equal slices it waits until the
    runner's slice ends, at a scheduler tick: beside a sign-in flood that put
    4-8 ms on cheap calls' p99."""
    number = _SCHED_SETATTR.get(platform.machine())
    if sys.platform != "linux" or number is None:
        return
    # struct sched_attr: size, policy (SCHED_OTHER), flags, nice, priority, runtime (the
    # slice), deadline, period. A kernel without custom slices ignores the runtime.
    attr = struct.pack("=IIQiIQQQ", 48, 0, 0, 19, 0, LONG_SLICE_NS, 0, 0)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).syscall(number, tid, attr, 0)  # refused: as before


class HashPool:
    def __init__(self, hasher: PasswordHasher, workers: int = 0) -> None:
        self.hasher = hasher
        self._executor = ThreadPoolExecutor(
            max_workers=workers or os.cpu_count() or 1,
            thread_name_prefix="passgate-bcrypt",
            initializer=_lower_priority,
        )

    def verify(self, password: str, stored: str) -> bool:
        return self._executor.submit(self.hasher.verify, password, stored).result()

    def hash(self, password: str) -> str:
        return self._executor.submit(self.hasher.hash, password).result()

    def burn(self, password: str) -> None:
        """The work of one verification, for a caller that has no hash to check."""
        self._executor.submit(self.hasher.burn, password).result()

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
