"""What a budget check costs per call: the shared SQLite limits store charging
a key budget and an address budget together (one IMMEDIATE transaction, no
fsync), from 1 and from 2 processes at once, beside an empty loop; with
`--redis`, the same charges in a throwaway Redis (one Lua script per call,
over a loopback connection), the store replicas on several machines share.

    .venv/bin/python -m bench.limits_cost [--calls 20000] [--redis]
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from passgate.clock import SystemClock
from passgate.limits.policy import Budget
from passgate.limits.stores import open_limits_store
from passgate.rates import Rate

# below 100 calls per period every call goes to the shared store (exact), as with
# the default budgets; larger ones are leased from a SQLite store, a hundredth at a time
CALL_BY_CALL = Rate(99, 0.01)
CASES = {"call by call (99/10ms)": CALL_BY_CALL, "leased (1000000/1s)": Rate(1_000_000, 1.0)}


def charge_microseconds(url: str, calls: int, index: int = 0, rate: Rate = CALL_BY_CALL) -> float:
    """µs per charge of a key budget and an address budget together, in the store at `url`."""
    store = open_limits_store(url)
    clock = SystemClock()
    budgets = [Budget(f"key:k{index}", rate), Budget("ip:127.0.0.1", rate)]
    store.charge(budgets, clock)  # connected (Redis), its script loaded
    started = time.perf_counter()
    for _ in range(calls):
        store.charge(budgets, clock)
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed / calls * 1e6


def sqlite_store_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'limits.db'}"


def _print_cases(label: str, url: str, calls: int, cases: dict[str, Rate]) -> None:
    for name, rate in cases.items():
        one = charge_microseconds(url, calls, 0, rate)
        with multiprocessing.get_context("spawn").Pool(2) as pool:
            two = pool.starmap(charge_microseconds, [(url, calls, i, rate) for i in (1, 2)])
        print(f"{label} charge, {name}, 1 process:   {one:7.2f} µs/call")
        print(f"{label} charge, {name}, 2 processes: {max(two):7.2f} µs/call (each, at once)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument(
        "--redis", action="store_true", help="also a throwaway Redis (redis-server on PATH)"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    for _ in range(args.calls):
        time.time()
    empty = (time.perf_counter() - started) / args.calls * 1e6
    print(f"empty loop:                                         {empty:7.2f} µs/call")
    with tempfile.TemporaryDirectory() as tmp:
        _print_cases("SQLite", sqlite_store_url(Path(tmp)), args.calls, CASES)
    if args.redis:
        from passgate.redis_server import RedisServer

        with ExitStack() as stack:
            redis = RedisServer().start()
            stack.callback(redis.remove)
            # Redis charges every budget call by call, large ones too (no leases)
            _print_cases("Redis ", redis.url(), args.calls, {"call by call": CALL_BY_CALL})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
