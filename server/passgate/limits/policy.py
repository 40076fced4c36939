"""What budgets and throttles are and answer, whatever store keeps their state."""

from __future__ import annotations

from dataclasses import dataclass

from passgate.rates import Rate


@dataclass(frozen=True)
class Budget:
    """A named bucket charged one call at `rate` (GCRA: a smooth token bucket)."""

    key: str
    rate: Rate


@dataclass(frozen=True)
class Denial:
    budget: Budget
    retry_after: float  # seconds until this budget would let the call through


@dataclass(frozen=True)
class ThrottlePolicy:
    """`free` failures cost nothing; each further one doubles the delay from `first`
    up to `longest`; a quiet `forget_after` seconds wipes the count."""

    free: int = 5
    first: float = 1.0
    longest: float = 900.0
    forget_after: float = 3600.0

    def delay(self, failures: int) -> float:
        if failures <= self.free:
            return 0.0
        return float(min(self.longest, self.first * 2.0 ** min(failures - self.free - 1, 40)))

    def open_slots(self, failures: int) -> int:
        """How many attempts may be checked at once after `failures`: as many as,
        were every one to fail, would reach the next delay and no further. So
        attempts sent together are checked exactly as many as sent one by one:
        the free failures and the one that starts the first delay, then one
        after each delay."""
        return self.free + 1 - failures if failures <= self.free else 1


@dataclass(frozen=True)
class ThrottleState:
    failures: int
    blocked_until: float
    in_flight: int = 0  # attempts admitted and not yet settled

    def retry_after(self, now: float) -> float:
        wait = self.blocked_until - now
        return wait if wait > 1e-6 else 0.0  # below float rounding of epoch seconds: over


@dataclass(frozen=True)
class Admission:
    """The throttle's answer to one attempt: admitted, refused until a delay
    ends (`retry_after` > 0), or neither: every open slot is held by attempts
    still being checked, whose outcome decides (ask again shortly)."""

    admitted: bool
    retry_after: float = 0.0


ADMITTED = Admission(True)
SLOTS_HELD = Admission(False)

# An admitted attempt holds its slot until it settles, or for this long if its
# process dies first (longer than any bcrypt wait an admitted call can have).
IN_FLIGHT_LEASE = 60.0
