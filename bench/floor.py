"""The physical floor of SignIn: raw bcrypt, measured on this machine in this run.

SignIn cannot answer faster than one bcrypt verification at the configured
cost, nor sign in more users per second than every core verifying back to
back. Each implementation on the machine is measured (pyca/bcrypt, libxcrypt's
`crypt_rn`, passgate's interleaved kernel, which verifies `lanes` hashes per
call back to back); the run judges SignIn against the fastest of those that
give pyca's answers. The input is what passgate feeds bcrypt (a 44-byte
pre-hash), checked against a hash at the bench's cost.

    python -m bench.floor --cost 12 --cores 1 2   a few implementations side by side
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

import bcrypt

from passgate.identity.bcrypt_backends import (
    Bcrypt,
    InterleavedBcrypt,
    LibxcryptBcrypt,
    PycaBcrypt,
    agrees_with_reference,
)

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
    lanes: int = 1  # verifications per call in the throughput figure
    agrees: bool = True  # gives pyca's answers (agrees_with_reference); else not a floor

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def implementations() -> dict[str, Callable[[], Bcrypt]]:
    """Every bcrypt implementation this machine has, by name."""
    found: dict[str, Callable[[], Bcrypt]] = {"pyca/bcrypt": PycaBcrypt}
    try:
        LibxcryptBcrypt()
    except (OSError, AttributeError):
        pass
    else:
        found["libxcrypt"] = LibxcryptBcrypt
    try:
        from passgate.identity.bcrypt_kernel import KernelBcrypt
    except ImportError:
        pass
    else:
        found[KernelBcrypt.name] = KernelBcrypt
    return found


def _lanes(implementation: Bcrypt, most: int | None = None) -> int:
    """Verifications per call: as many as the implementation computes at once, at most `most`."""
    lanes = implementation.lanes if isinstance(implementation, InterleavedBcrypt) else 1
    return lanes if most is None else max(1, min(lanes, most))


def lanes_filled(in_flight: int, cores: int) -> int:
    """Lanes per core that `in_flight` calls can fill on `cores` cores (rounded up: a
    floor it gives is never below what that many calls could reach)."""
    return max(1, -(-in_flight // cores))


def lanes_of(name: str) -> int:
    """How many verifications implementation `name` computes at once."""
    return _lanes(implementations()[name]())


def _verify_n(name: str, hashed: bytes, n: int, most: int | None = None) -> int:
    """`n` calls back to back, each verifying as many hashes as the implementation
    computes at once (at most `most`); the number of verifications."""
    implementation = implementations()[name]()
    lanes = _lanes(implementation, most)
    for _ in range(n):
        if isinstance(implementation, InterleavedBcrypt) and lanes > 1:
            answers = implementation.checkpw_many([(_SECRET, hashed)] * lanes)
        else:
            answers = [implementation.checkpw(_SECRET, hashed)]
        if not all(answers):
            raise AssertionError(f"{name} rejected a right password")
    return n * lanes


def measure(
    cost: int,
    name: str,
    *,
    single_samples: int,
    seconds: float,
    cores: int | None = None,
    lanes: int | None = None,
) -> Floor:
    """The floor of implementation `name`: one verification alone, and every core busy
    verifying at most `lanes` hashes per call (all it can at once by default)."""
    cores = cores or os.cpu_count() or 1
    implementation = implementations()[name]()
    lanes = _lanes(implementation, lanes)
    agrees = agrees_with_reference(implementation)
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
    per_core = max(2, round(seconds / single / lanes))
    with ProcessPoolExecutor(max_workers=cores) as pool:
        each = [name] * cores, [hashed] * cores
        list(pool.map(_verify_n, *each, [1] * cores, [lanes] * cores))  # warm
        started = time.perf_counter()
        counts = list(pool.map(_verify_n, *each, [per_core] * cores, [lanes] * cores))
        elapsed = time.perf_counter() - started
    total = sum(counts)
    version = {
        "pyca/bcrypt": f"bcrypt {bcrypt.__version__} checkpw",
        "libxcrypt": "crypt_rn",
    }.get(name, f"{lanes} interleaved per call")
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
        lanes=lanes,
        agrees=agrees,
    )


def main() -> None:
    """Each implementation at each core count, in turns, and its ratio to libxcrypt's
    figure of the same round: a quick look, not the bench's floor."""
    parser = argparse.ArgumentParser(prog="python -m bench.floor")
    parser.add_argument("--cost", type=int, default=12)
    parser.add_argument("--cores", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=float, default=3.0, help="per throughput figure")
    parser.add_argument("--samples", type=int, default=5, help="single verifications timed")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    names = list(implementations())
    for round_ in range(1, args.rounds + 1):
        for cores in args.cores:
            found = {
                name: measure(
                    args.cost, name, single_samples=args.samples, seconds=args.seconds, cores=cores
                )
                for name in names
            }
            base = found.get("libxcrypt")
            for name, f in found.items():
                ratio = (
                    f"{f.throughput_per_second / base.throughput_per_second:.2f}x libxcrypt, "
                    f"single {f.single_seconds / base.single_seconds:.2f}x"
                    if base
                    else ""
                )
                print(
                    f"round {round_} cost {args.cost} {cores} core(s) {name:16} "
                    f"one {f.single_seconds * 1000:7.1f} ms  {f.throughput_per_second:8.2f}/s "
                    f"({f.lanes} per call, agrees={f.agrees})  {ratio}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
