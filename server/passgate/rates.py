"""Rates written `N/<duration>` (`25/5s`, `600/1m`, `10000/1h`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$")


TEN_YEARS = 10 * 365 * 86400
"""The longest duration of any setting but grpcio's, a rate's period included: far
beyond any sensible lifetime or delay, and short enough that a time computed from
it is a date clients can read and, in microseconds, fits the limits store's
64-bit integers."""
MOST_CALLS = 1_000_000_000


class RateOutOfRange(ValueError):
    """A rate written correctly whose count or duration passgate cannot keep."""


@dataclass(frozen=True)
class Rate:
    """`count` calls per `period` seconds, refilled smoothly."""

    count: int
    period: float

    @classmethod
    def parse(cls, text: str, *, stored: bool = False) -> Rate:
        """The rate `text` writes. A `stored` one (read back from the database) is
        taken at the bounds where it goes beyond them: an older passgate stored
        such rates, and 25 calls per 10 years means what 25 per 100 years did."""
        match = _RATE.match(text)
        if not match:
            raise ValueError(
                f"not a rate: {text!r} (expected N/<duration> with a unit of ms, s, m, h or d, "
                "e.g. 25/5s)"
            )
        count, amount, unit = int(match[1]), match[2], match[3]
        period = (float(amount) if amount else 1.0) * _UNITS[unit]
        if count <= 0 or period <= 0:
            raise ValueError(f"a rate needs a positive count and duration: {text!r}")
        if stored:
            return cls(min(count, MOST_CALLS), min(period, TEN_YEARS))
        if period > TEN_YEARS:
            raise RateOutOfRange(f"a rate's duration is at most 10 years ({TEN_YEARS // 86400}d)")
        if count > MOST_CALLS:
            raise RateOutOfRange(f"a rate's count is at most {MOST_CALLS}")
        return cls(count, period)

    def __str__(self) -> str:
        for unit in ("d", "h", "m", "s"):
            size = _UNITS[unit]
            if self.period >= size and (self.period / size).is_integer():
                return f"{self.count}/{int(self.period / size)}{unit}"
        return f"{self.count}/{self.period * 1000:g}ms"
