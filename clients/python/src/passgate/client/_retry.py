"""When AuthClient calls again by itself, and how long it waits before it does."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from passgate.client._errors import PassgateError, RateLimited, Unavailable


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retry calls refused with RESOURCE_EXHAUSTED or UNAVAILABLE, within bounds.

    A rate-limited call is tried again after exactly the delay the server's
    `RetryInfo` names; an unavailable server is given `backoff` seconds,
    doubling up to `max_backoff`, with `jitter` (a fraction) spread so that
    many clients do not return at once. No call is made more than
    `max_attempts` times, and the waits of one call add up to at most
    `max_total_wait` seconds: when the next wait would pass that, the error
    is raised at once. Every other error is raised without retrying.

    UNAVAILABLE usually means the call never reached passgate, but not
    always: a ChangePassword retried after a connection broke mid-call may
    find its session already revoked (`SessionInvalid`).
    """

    max_attempts: int = 3
    max_total_wait: float = 30.0
    backoff: float = 0.25
    max_backoff: float = 5.0
    jitter: float = 0.2
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if min(self.max_total_wait, self.backoff, self.max_backoff) < 0:
            raise ValueError("waits cannot be negative")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter is a fraction between 0 and 1")

    def delay(self, error: PassgateError, attempt: int, waited: float) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None to give up and raise `error`.

        `attempt` counts the attempts made so far (1 after the first), and
        `waited` the seconds already spent waiting for this call.
        """
        if attempt >= self.max_attempts:
            return None
        if isinstance(error, RateLimited):
            delay = error.retry_after
        elif isinstance(error, Unavailable):
            delay = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
            # Jitter spreads clients out; it guards no secret.
            delay *= 1 + random.uniform(-self.jitter, self.jitter)  # noqa: S311
        else:
            return None
        return delay if waited + delay <= self.max_total_wait else None
