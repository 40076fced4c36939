"""What a budget check costs per call: the shared SQLite limits store charging
a key budget and an address budget together (one IMMEDIATE transaction, no
fsync), from 1 and from 2 processes at once, beside an empty loop.

    .venv/bin/python -m bench.limits_cost [--calls 20000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
from pathlib import Path

from passgate.clock import SystemClock
from passgate.limits.policy import Budget
from passgate.limits.store import SqliteLimitStore
from passgate.rates import Rate


def _charge(path: str, calls: int, index: int, rate: Rate) -> float:
    store = SqliteLimitStore(Path(path))
    clock = SystemClock()
    budgets = [Budget(f"key:k{index}", rate), Budget("ip:127.0.0.1", rate)]
    started = time.perf_counter()
    for _ in range(calls):
        store.charge(budgets, clock)
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed / calls * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    args = parser.parse_args()
    started = time.perf_counter()
    for _ in range(args.calls):
        time.time()
    empty = (time.perf_counter() - started) / args.calls * 1e6
    cases = {
        # below 100 calls per period every call goes to the shared file (exact)
        "call by call (99/10ms)": Rate(99, 0.01),
        # large budgets are leased, a hundredth at a time
        "leased (1000000/1s)": Rate(1_000_000, 1.0),
    }
    print(f"empty loop:                                  {empty:7.2f} µs/call")
    for name, rate in cases.items():
        with tempfile.TemporaryDirectory() as tmp:
            path = str(Path(tmp) / "limits.db")
            one = _charge(path, args.calls, 0, rate)
            with multiprocessing.get_context("spawn").Pool(2) as pool:
                two = pool.starmap(_charge, [(path, args.calls, i, rate) for i in range(2)])
        print(f"charge, {name}, 1 process:   {one:7.2f} µs/call")
        print(f"charge, {name}, 2 processes: {max(two):7.2f} µs/call (each, at once)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
