"""Rates written `N/<duration>` (`25/5s`, `600/1m`, `10000/1h`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$")


# The limits store keeps times in microseconds in 64-bit integers: a budget
# refilled over a longer time would not fit (and no one means one).
LONGEST_PERIOD = 10 * 365 * 86400.0
MOST_CALLS = 1_000_000_000


class RateOutOfRange(ValueError):
    """A rate written correctly whose count or duration passgate cannot keep."""


@dataclass(frozen=True)
class Rate:
    """`count` calls per `period` seconds, refilled smoothly."""

    count: int
    period: float

    @classmethod
    def parse(cls, text: str) -> Rate:
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
        if period > LONGEST_PERIOD:
            raise RateOutOfRange("a rate's duration is at most 10 years (3650d)")
        if count > MOST_CALLS:
            raise RateOutOfRange("a rate's count is at most 1000000000")
        return cls(count, period)

    def __str__(self) -> str:
        for unit in ("d", "h", "m", "s"):
            size = _UNITS[unit]
            if self.period >= size and (self.period / size).is_integer():
                return f"{self.count}/{int(self.period / size)}{unit}"
        return f"{self.count}/{self.period * 1000:g}ms"
