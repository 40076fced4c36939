"""Blocking work (bcrypt waits, fsync'd writes) on threads, off the event loop.

Cheap calls run on the event loop itself: one thread, so no hand-off between
threads per call. Anything that may wait for the disk or for bcrypt runs
here instead, so it never holds up the loop.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import ParamSpec, TypeVar

from passgate.abandoned_calls import watch_caller

THREAD_PREFIX = "passgate-work"
P = ParamSpec("P")
T = TypeVar("T")


class Offload:
    def __init__(self, threads: int, after_each: Callable[[], None] | None = None) -> None:
        """`after_each` runs on the worker thread after every call, even a failed
        one: it hands the thread's database connection back to the pool, so
        that many threads share a few connections."""
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=THREAD_PREFIX)
        self._after_each = after_each

    async def run(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`function(*args, **kwargs)` on a worker thread, in the caller's context
        (so the call record the interceptors set up is seen there too). If the
        awaiting call is cancelled (its caller gone), the thread runs on, and the
        change it was to commit is rolled back (`abandoned_calls`)."""
        context = contextvars.copy_context()
        gone = threading.Event()
        context.run(watch_caller, gone)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                self._executor,
                partial(context.run, self._call, partial(function, *args, **kwargs)),
            )
        except asyncio.CancelledError:
            gone.set()
            raise

    def _call(self, call: Callable[[], T]) -> T:
        try:
            return call()
        finally:
            if self._after_each is not None:
                self._after_each()

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
