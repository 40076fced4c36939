"""The physical floor of SignIn: raw bcrypt, measured on this machine in this run.

SignIn cannot answer faster than one bcrypt verification at the configured
cost, nor sign in more users per second than every core verifying back to
back. Each implementation on the machine is measured (pyca/bcrypt, libxcrypt's
`crypt_rn`); the run judges SignIn against the fastest. The input is what
passgate feeds bcrypt (a 44-byte pre-hash), checked against a hash at the
bench's cost.
"""

from __future__ import annotations

import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

import bcrypt

from passgate.identity.bcrypt_backends import Bcrypt, LibxcryptBcrypt, PycaBcrypt

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
    implementation: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def implementations() -> dict[str, type[Bcrypt]]:
    """Every bcrypt implementation this machine has, by name."""
    found: dict[str, type[Bcrypt]] = {"pyca/bcrypt": PycaBcrypt}
    try:
        LibxcryptBcrypt()
    except (OSError, AttributeError):
        pass
    else:
        found["libxcrypt"] = LibxcryptBcrypt
    return found


def _verify_n(name: str, hashed: bytes, n: int) -> int:
    implementation = implementations()[name]()
    for _ in range(n):
        implementation.checkpw(_SECRET, hashed)
    return n


def measure(
    cost: int, name: str, *, single_samples: int, seconds: float, cores: int | None = None
) -> Floor:
    """The floor of implementation `name`: one verification alone, and every core busy."""
    cores = cores or os.cpu_count() or 1
    implementation = implementations()[name]()
    hashed = bcrypt.hashpw(_SECRET, bcrypt.gensalt(cost))
    implementation.checkpw(_SECRET, hashed)  # warm
    singles = []
    for _ in range(single_samples):
        started = time.perf_counter()
        implementation.checkpw(_SECRET, hashed)
        singles.append(time.perf_counter() - started)
    single = statistics.median(singles)
    # One process per core, each verifying for a fixed count sized to `seconds`:
    # a fixed count (not a deadline) so that the slowest core bounds the figure.
    per_core = max(2, round(seconds / single))
    with ProcessPoolExecutor(max_workers=cores) as pool:
        list(pool.map(_verify_n, [name] * cores, [hashed] * cores, [1] * cores))  # warm
        started = time.perf_counter()
        counts = list(pool.map(_verify_n, [name] * cores, [hashed] * cores, [per_core] * cores))
        elapsed = time.perf_counter() - started
    total = sum(counts)
    version = f"bcrypt {bcrypt.__version__} checkpw" if name == "pyca/bcrypt" else "crypt_rn"
    return Floor(
        cost=cost,
        cores=cores,
        single_seconds=single,
        single_samples=single_samples,
        throughput_per_second=total / elapsed,
        throughput_calls=total,
        throughput_seconds=elapsed,
        method=f"{name} ({version}), {cores} processes back to back",
        implementation=name,
    )
