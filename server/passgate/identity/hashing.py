"""bcrypt work on a bounded pool of its own.

bcrypt releases the GIL, so one thread per core saturates the CPU; more
threads only queue. Offload threads wait on this pool, which keeps the
number of concurrent hashes at the core count whatever the load.
"""

from __future__ import annotations

import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from passgate.identity.passwords import PasswordHasher


def _lower_priority() -> None:
    """bcrypt threads yield the CPU to cheap calls (nice 19): under a sign-in flood,
    VerifySession and health checks keep their latency while bcrypt keeps the
    cores busy whenever nothing else needs them."""
    # not Linux, or not allowed: run at normal priority
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


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
