"""The physical floor of SignIn: raw bcrypt, measured on this machine in this run.

SignIn cannot answer faster than one `bcrypt.checkpw` at the configured cost,
nor sign in more users per second than every core running `bcrypt.checkpw`
back to back. The input is what passgate feeds bcrypt (a 44-byte pre-hash),
checked against a hash at the bench's cost.
"""

from __future__ import annotations

import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

import bcrypt

_SECRET = b"bench/prehash/0123456789abcdef0123456789abc"  # 44 bytes, like passgate's


@dataclass
class Floor:
    cost: int
    cores: int
    single_seconds: float  # median of sequential verifications on an otherwise idle machine
    single_samples: int
    throughput_per_second: float  # every core verifying back to back
    throughput_calls: int
    throughput_seconds: float
    method: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _verify_n(hashed: bytes, n: int) -> int:
    for _ in range(n):
        bcrypt.checkpw(_SECRET, hashed)
    return n


def measure(cost: int, *, single_samples: int, seconds: float, cores: int | None = None) -> Floor:
    cores = cores or os.cpu_count() or 1
    hashed = bcrypt.hashpw(_SECRET, bcrypt.gensalt(cost))
    bcrypt.checkpw(_SECRET, hashed)  # warm
    singles = []
    for _ in range(single_samples):
        started = time.perf_counter()
        bcrypt.checkpw(_SECRET, hashed)
        singles.append(time.perf_counter() - started)
    single = statistics.median(singles)
    # One process per core, each verifying for a fixed count sized to `seconds`:
    # a fixed count (not a deadline) so that the slowest core bounds the figure.
    per_core = max(2, round(seconds / single))
    with ProcessPoolExecutor(max_workers=cores) as pool:
        list(pool.map(_verify_n, [hashed] * cores, [1] * cores))  # processes up, warm
        started = time.perf_counter()
        counts = list(pool.map(_verify_n, [hashed] * cores, [per_core] * cores))
        elapsed = time.perf_counter() - started
    total = sum(counts)
    return Floor(
        cost=cost,
        cores=cores,
        single_seconds=single,
        single_samples=single_samples,
        throughput_per_second=total / elapsed,
        throughput_calls=total,
        throughput_seconds=elapsed,
        method=f"bcrypt {bcrypt.__version__} checkpw, {cores} processes back to back",
    )
