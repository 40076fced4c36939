"""The bound on passgate's calls in flight (`--max-concurrent-rpcs`).

grpcio's own bound counts every call from the moment its headers arrive:
health checks and calls still waiting for their message included, so a peer
holding streams open without sending anything could fill it and leave health
checks refused. passgate counts only the calls of its own methods that passed
their checks (a valid API key, the budgets) and whose message arrived: the
calls doing work, for which the offload threads are sized. Health checking
and reflection are never counted, never refused.

Touched only on the event loop, so the count needs no lock.
"""

from __future__ import annotations

from passgate.errors import RateLimited

RETRY_AFTER = 1.0  # no honest figure exists for a slot to free; a second is a polite wait


class InFlightCap:
    def __init__(self, limit: int, exempt_prefixes: tuple[str, ...]) -> None:
        if limit <= 0:
            raise ValueError(f"calls in flight must be positive, not {limit}")
        self._limit = limit
        self._exempt = exempt_prefixes  # health checking, reflection
        self._count = 0

    def covers(self, full_method: str) -> bool:
        return not full_method.startswith(self._exempt)

    def admit(self) -> None:
        """Takes a slot for the running call; refuses when none is free.
        Give it back with `release()` once the call ends."""
        if self._count >= self._limit:
            raise RateLimited(
                RETRY_AFTER,
                subject="in-flight",
                description=f"{self._limit} calls in flight, the server's bound",
            )
        self._count += 1

    def release(self) -> None:
        self._count -= 1
