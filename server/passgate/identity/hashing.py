"""bcrypt work on a bounded pool of its own.

bcrypt releases the GIL, so one thread per core saturates the CPU; more
threads only queue. Offload threads wait on this pool, which keeps the
number of concurrent hashes at the core count whatever the load.

Where the bcrypt implementation interleaves (passgate's kernel computes up to
four hashes in about 1.3 times one's time), a pool thread takes as many queued
verifications of the same cost as it interleaves, and a lone one alone: under
load each core verifies about three times as many passwords per second, and
at low load no call waits for company.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from passgate import tracing
from passgate.identity.bcrypt_backends import InterleavedBcrypt

if TYPE_CHECKING:
    from passgate.metrics import Metrics
from passgate.identity.passwords import BcryptCheck, PasswordHasher, runs_alone

_T = TypeVar("_T")

GATHER_SHARE = 0.05
"""The longest a pool thread waits to fill a batch again, as a share of its last batch's
time (at cost 12, about 14 ms of a 270 ms batch of four)."""

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


def _plans_its_own_work(hasher: PasswordHasher) -> bool:
    """Whether `verify` and `burn` are PasswordHasher's own, which the pool may split into
    planning (`plan`, `plan_burn`) and running (`run_many`). A subclass that changes them
    (one that counts calls, say) gets every call through them, one at a time."""
    kind = type(hasher)
    return kind.verify is PasswordHasher.verify and kind.burn is PasswordHasher.burn


@dataclass(eq=False)
class _Job:
    """A planned check (which may share a batch) or any other call (which runs alone)."""

    check: BcryptCheck | None = None
    call: Callable[[], Any] | None = None
    future: Future[Any] = field(default_factory=Future)
    queued_at: float = field(default_factory=time.monotonic)

    @property
    def batch_cost(self) -> int | None:
        return None if self.check is None else self.check.interleavable_cost


class HashPool:
    """bcrypt on `workers` threads (one per core by default) at low priority, with queued
    checks of one cost handed together to an interleaving implementation."""

    def __init__(
        self,
        hasher: PasswordHasher,
        workers: int = 0,
        before_wait: Callable[[], None] | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        """`before_wait` runs on the calling thread before it waits for its
        hash: it hands back the thread's pooled database connection."""
        self.hasher = hasher
        self._before_wait = before_wait
        self._metrics = metrics
        backend = hasher.implementation
        self.lanes = (
            backend.lanes
            if isinstance(backend, InterleavedBcrypt) and _plans_its_own_work(hasher)
            else 1
        )
        self._jobs: deque[_Job] = deque()
        self._ready = threading.Condition()
        self._closed = False
        self._threads = [
            threading.Thread(target=self._work, name=f"passgate-bcrypt-{i}", daemon=True)
            for i in range(workers or os.cpu_count() or 1)
        ]
        for thread in self._threads:
            thread.start()

    def verify(self, password: str, stored: str) -> bool:
        with tracing.child("bcrypt verify"):
            return self._verify(password, stored)

    def _verify(self, password: str, stored: str) -> bool:
        # an imported argon2id, scrypt or PBKDF2 hash is verified here too, on a
        # pool thread, so its cost is bounded by the pool like bcrypt's
        if self.lanes == 1 or runs_alone(stored):
            return self.call(lambda: self.hasher.verify(password, stored))
        result: bool = self._submit(_Job(check=self.hasher.plan(password, stored))).result()
        return result

    def hash(self, password: str) -> str:
        with tracing.child("bcrypt hash"):
            return self.call(lambda: self.hasher.hash(password))

    def burn(self, password: str) -> None:
        """The work of one verification, for a caller that has no hash to check
        (traced as one too)."""
        with tracing.child("bcrypt verify"):
            self._burn(password)

    def _burn(self, password: str) -> None:
        if self.lanes == 1:
            self.call(lambda: self.hasher.burn(password))
        else:
            self._submit(_Job(check=self.hasher.plan_burn(password))).result()

    def call(self, function: Callable[[], _T]) -> _T:
        """Runs `function` on a pool thread, alone, and returns its result."""
        result: _T = self._submit(_Job(call=function)).result()
        return result

    def shutdown(self) -> None:
        """Cancels what has not started, lets what runs finish, and stops the threads."""
        with self._ready:
            self._closed = True
            while self._jobs:
                self._jobs.popleft().future.cancel()
            self._ready.notify_all()
        for thread in self._threads:
            thread.join()

    def _submit(self, job: _Job) -> Future[Any]:
        with self._ready:
            if self._closed:
                raise RuntimeError("the hash pool is shut down")
            self._jobs.append(job)
            self._ready.notify_all()  # a gathering thread may be the one that wants it
        if self._before_wait is not None:
            self._before_wait()
        return job.future

    def _work(self) -> None:
        _lower_priority()
        expected, window = 1, 0.0
        while True:
            with self._ready:
                while not self._jobs and not self._closed:
                    self._ready.wait()
                if not self._jobs:
                    return
                self._gather(expected, window)
                if not self._jobs:  # another thread took them meanwhile
                    continue
                batch = self._take()
            started = time.monotonic()
            self._run(batch)
            expected = len(batch) if batch[0].batch_cost is not None else 1
            window = (time.monotonic() - started) * GATHER_SHARE

    def _gather(self, expected: int, window: float) -> None:
        """Waits, at most `window` seconds, until `expected` checks of the first job's cost
        are queued. `expected` is the size of this thread's last batch: the callers it just
        answered are busy sending their next calls. Without this wait, a thread that finds
        one of them queued would run it alone while the others arrive, and under steady load
        the batches would shrink. A lone caller (a last batch of one) never waits."""
        deadline = time.monotonic() + window
        while expected > 1 and self._jobs and not self._closed:
            cost = self._jobs[0].batch_cost
            if cost is None:
                return
            queued = sum(1 for job in self._jobs if job.batch_cost == cost)
            remaining = deadline - time.monotonic()
            if queued >= min(expected, self.lanes) or remaining <= 0:
                return
            self._ready.wait(remaining)

    def _take(self) -> list[_Job]:
        """The oldest job, and up to `lanes - 1` more queued checks of its batch cost."""
        first = self._jobs.popleft()
        cost = first.batch_cost
        batch = [first]
        if cost is None or self.lanes == 1 or not self._jobs:
            return batch
        kept: deque[_Job] = deque()
        while self._jobs:
            job = self._jobs.popleft()
            if len(batch) < self.lanes and job.batch_cost == cost:
                batch.append(job)
            else:
                kept.append(job)
        self._jobs = kept
        return batch

    def _run(self, batch: list[_Job]) -> None:
        batch = [job for job in batch if job.future.set_running_or_notify_cancel()]
        if not batch:
            return
        metrics = self._metrics
        if metrics is not None:
            started = time.monotonic()
            for job in batch:
                metrics.bcrypt_wait.observe(started - job.queued_at)
            metrics.bcrypt_busy.inc()
        try:
            self._compute(batch)
        finally:
            if metrics is not None:
                metrics.bcrypt_busy.dec()

    def _compute(self, batch: list[_Job]) -> None:
        try:
            if len(batch) == 1 and batch[0].call is not None:
                answers: list[Any] = [batch[0].call()]
            else:
                answers = self.hasher.run_many([job.check for job in batch if job.check])
        except BaseException as error:  # handed to the callers, who re-raise it
            for job in batch:
                job.future.set_exception(error)
            return
        for job, answer in zip(batch, answers, strict=True):
            job.future.set_result(answer)
