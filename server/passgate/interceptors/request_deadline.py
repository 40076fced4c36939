"""The bound on how long a call may take to deliver its request message.

grpcio's asyncio server waits for a unary call's message without a deadline:
a peer that sends headers and never a message would hold the call for as long
as it likes. passgate serves its methods as stream-unary handlers, which
grpcio starts as soon as the headers arrive, and reads the one message under
this bound.

Every call waiting for its message is queued, in arrival order, with its
deadline; a sweep a few times a second cancels the calls still waiting past
theirs. One timer for all calls, rather than `asyncio.timeout` around each
read: that sets and cancels a heap entry per call, about 4 µs on the event
loop, where queueing costs about half a microsecond. The deadline is exact to
within one sweep (a twentieth of the bound, at most 0.25 s).

Touched only on the event loop, so the queue needs no lock.
"""

from __future__ import annotations

import asyncio
from asyncio import current_task
from collections import deque
from time import monotonic  # the clock of asyncio's loops (`loop.time()`), without the call


class Waiting:
    """One call waiting for its message; `task` is None once it arrived (or the call ended)."""

    __slots__ = ("deadline", "expired", "task")

    def __init__(self, deadline: float, task: asyncio.Task[object] | None) -> None:
        self.deadline = deadline
        self.task = task
        self.expired = False

    def arrived(self) -> None:
        self.task = None


class RequestDeadlines:
    def __init__(self, timeout: float) -> None:
        if timeout <= 0:
            raise ValueError(f"request timeout must be positive, not {timeout}")
        self.timeout = timeout
        self._tick = min(0.25, timeout / 20)
        self._waiting: deque[Waiting] = deque()
        self._sweep: asyncio.TimerHandle | None = None

    def start(self) -> Waiting:
        """Starts the bound for the running call; mark the result `arrived()` once
        the message is in, whatever happens."""
        waiting = Waiting(monotonic() + self.timeout, current_task())
        queue = self._waiting
        while queue and queue[0].task is None:  # messages that arrived, ahead of this one
            queue.popleft()
        queue.append(waiting)
        if self._sweep is None:
            self._sweep = asyncio.get_running_loop().call_later(self._tick, self._sweep_due)
        return waiting

    def _sweep_due(self) -> None:
        """Cancels the calls still waiting past their deadline; deadlines are queued
        in order, so the sweep stops at the first call not yet due."""
        now = monotonic()
        queue = self._waiting
        while queue and (queue[0].task is None or queue[0].deadline <= now):
            waiting = queue.popleft()
            if waiting.task is not None:
                waiting.expired = True
                waiting.task.cancel()
                waiting.task = None
        self._sweep = (
            asyncio.get_running_loop().call_later(self._tick, self._sweep_due) if queue else None
        )
