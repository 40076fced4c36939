"""bcrypt work on a bounded pool of its own.

bcrypt releases the GIL, so one thread per core saturates the CPU; more
threads only queue. Offload threads wait on this pool, which keeps the
number of concurrent hashes at the core count whatever the load.

Where the bcrypt implementation interleaves (passgate's kernel computes up to
four hashes in about 1.3 times one's time), each pool thread keeps that many
verifications in flight in its lanes: a queued one starts as soon as a lane
frees (the thread is woken mid-computation for it) and is answered as soon as
its own rounds are done. Under load each core verifies about three times as
many passwords per second; at low load a lone verification runs alone, and no
call ever waits for a batch to fill or to finish.
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
    from passgate.identity.bcrypt_kernel import RollingLanes
    from passgate.metrics import Metrics
from passgate.identity.passwords import BcryptCheck, PasswordHasher, runs_alone

_T = TypeVar("_T")

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
    planning (`plan`, `plan_burn`) and running (in its lanes). A subclass that changes them
    (one that counts calls, say) gets every call through them, one at a time."""
    kind = type(hasher)
    return kind.verify is PasswordHasher.verify and kind.burn is PasswordHasher.burn


@dataclass(eq=False)
class _Job:
    """A planned check (which may share a thread's lanes) or any other call (which runs
    alone)."""

    check: BcryptCheck | None = None
    call: Callable[[], Any] | None = None
    future: Future[Any] = field(default_factory=Future)
    queued_at: float = field(default_factory=time.monotonic)

    @property
    def shares_lanes(self) -> bool:
        return self.check is not None and self.check.shares_lanes


class HashPool:
    """bcrypt on `workers` threads (one per core by default) at low priority; on an
    interleaving implementation, each thread keeps up to `lanes` checks in flight."""

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
        interleaving = (
            backend
            if isinstance(backend, InterleavedBcrypt) and _plans_its_own_work(hasher)
            else None
        )
        self.lanes = interleaving.lanes if interleaving is not None else 1
        self._jobs: deque[_Job] = deque()
        self._ready = threading.Condition()
        self._closed = False
        self._idle = 0  # rolling threads waiting for work, their lanes empty
        count = workers or os.cpu_count() or 1
        # each thread's lanes, woken when work is queued that a free lane could start
        self._lanes: list[RollingLanes[_Job]] = (
            [] if interleaving is None else [interleaving.rolling() for _ in range(count)]
        )
        self._threads = [
            threading.Thread(
                target=self._roll if self._lanes else self._work,
                args=(self._lanes[i],) if self._lanes else (),
                name=f"passgate-bcrypt-{i}",
                daemon=True,
            )
            for i in range(count)
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
            self._ready.notify()  # an idle thread, if there is one
            # A core of its own runs a hash faster than a lane beside others: a
            # busy thread with room is woken to start it only when none is idle.
            if not self._idle and job.shares_lanes:
                for lanes in self._lanes:
                    if 0 < lanes.free < self.lanes:
                        lanes.wake()
        if self._before_wait is not None:
            self._before_wait()
        return job.future

    def _work(self) -> None:
        """A thread of an implementation that does not interleave: one job at a time."""
        _lower_priority()
        while True:
            with self._ready:
                while not self._jobs and not self._closed:
                    self._ready.wait()
                if not self._jobs:
                    return
                job = self._jobs.popleft()
            self._alone(job)

    def _roll(self, lanes: RollingLanes[_Job]) -> None:
        """A thread of an interleaving implementation. It starts queued checks in its
        free lanes, oldest first, and computes until one finishes or more work is
        queued. A job that must run alone (a new hash, an imported hash) waits at the
        head of the queue, holding back the checks behind it, until some thread's
        lanes are empty: queued work is taken in order."""
        _lower_priority()
        metrics = self._metrics
        while True:
            taken = self._next_work(lanes)
            if taken is None:
                return  # closed, and nothing left to finish
            if isinstance(taken, _Job):
                self._alone(taken)
                continue
            was_idle = lanes.free == self.lanes
            for job in taken:
                if job.future.set_running_or_notify_cancel():
                    self._start(lanes, job, queued=True)
            if lanes.free == self.lanes:
                continue  # every check taken was cancelled or answered at once
            if was_idle and metrics is not None:
                metrics.bcrypt_busy.inc()
            try:
                self._finish(lanes, lanes.run())
            except BaseException as error:  # handed to the callers, who re-raise it
                for job in lanes.clear():
                    job.future.set_exception(error)
            if lanes.free == self.lanes and metrics is not None:
                metrics.bcrypt_busy.dec()

    def _next_work(self, lanes: RollingLanes[_Job]) -> _Job | list[_Job] | None:
        """What a rolling thread does next, waiting while its lanes are empty and nothing
        is queued: a job to run alone (only with its lanes empty), the checks to start
        in its free lanes (perhaps none: it goes on computing), or None when the pool
        is closed and the thread has nothing left to finish."""
        with self._ready:
            idle = lanes.free == self.lanes
            while idle and not self._jobs and not self._closed:
                self._idle += 1
                try:
                    self._ready.wait()
                finally:
                    self._idle -= 1
            if idle and not self._jobs:
                return None
            joining: list[_Job] = []
            while self._jobs and len(joining) < lanes.free and self._jobs[0].shares_lanes:
                joining.append(self._jobs.popleft())
            if idle and not joining and self._jobs:
                return self._jobs.popleft()
            return joining

    def _start(self, lanes: RollingLanes[_Job], job: _Job, queued: bool = False) -> None:
        """Starts `job`'s check in a free lane, or answers it at once: a hash the kernel
        refuses is checked alone, as any other would be; any other failure is the
        caller's, and the thread serves on."""
        check = job.check
        assert check is not None
        metrics = self._metrics
        if metrics is not None and queued:
            metrics.bcrypt_wait.observe(time.monotonic() - job.queued_at)
        try:
            lanes.start(check.secret, check.hashed, job)
        except ValueError:
            self._answer(job, lambda: self.hasher.run(check))
        except BaseException as error:  # handed to the caller: the thread goes on
            job.future.set_exception(error)

    def _finish(self, lanes: RollingLanes[_Job], finished: list[tuple[_Job, bool]]) -> None:
        """Answers the jobs whose checks finished; a check that still owes a burn (a
        cheaper hash that did not match) starts it in the lane it freed."""
        for job, matched in finished:
            check = job.check
            assert check is not None
            owed = self.hasher.owed_burn(check, matched)
            if owed is None:
                job.future.set_result(matched and check.counts)
            else:
                job.check = owed
                self._start(lanes, job)

    def _alone(self, job: _Job) -> None:
        if not job.future.set_running_or_notify_cancel():
            return
        metrics = self._metrics
        if metrics is not None:
            metrics.bcrypt_wait.observe(time.monotonic() - job.queued_at)
            metrics.bcrypt_busy.inc()
        try:
            if job.call is not None:
                self._answer(job, job.call)
            else:
                check = job.check
                assert check is not None
                self._answer(job, lambda: self.hasher.run(check))
        finally:
            if metrics is not None:
                metrics.bcrypt_busy.dec()

    @staticmethod
    def _answer(job: _Job, compute: Callable[[], Any]) -> None:
        try:
            answer = compute()
        except BaseException as error:  # handed to the caller, who re-raises it
            job.future.set_exception(error)
            return
        job.future.set_result(answer)
