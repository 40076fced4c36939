"""What a budget check costs per call: a key budget and an address budget
charged together, on the shared SQLite limits store (one IMMEDIATE
transaction, no fsync) and on Redis (one Lua script, a loopback round trip),
each exact (every call charged to the store) and leased (a hundredth of a
large budget at a time, passgate/limits/leases.py), from 1 and from 2
processes at once, beside an empty loop.

    .venv/bin/python -m bench.limits_cost [--calls 20000]

Redis is a throwaway redis-server (passgate.redis_server) on a free port.
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from passgate.clock import SystemClock
from passgate.limits.leases import leased
from passgate.limits.policy import Budget
from passgate.limits.store import LimitStore
from passgate.limits.stores import open_exact_limits_store
from passgate.rates import Rate
from passgate.redis_server import RedisServer

# A budget large enough to be leased (1000000/1s leases 1000 calls at once)
# and never spent here, so every call passes.
LARGE = Rate(1_000_000, 1.0)


def _exact(url: str) -> LimitStore:
    return open_exact_limits_store(url)


def _leased(url: str) -> LimitStore:
    return leased(open_exact_limits_store(url))


def charge_microseconds(url: str, calls: int) -> float:
    """µs per exact charge (every call to the store) of a key and an address budget
    in the store at `url`: what one budget check costs the calls that cannot lease."""
    return _charge(url, calls, 0, _exact)


def sqlite_store_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'limits.db'}"


def _charge(url: str, calls: int, index: int, form: Callable[[str], LimitStore]) -> float:
    store = form(url)
    clock = SystemClock()
    budgets = [Budget(f"key:k{index}", LARGE), Budget("ip:127.0.0.1", LARGE)]
    started = time.perf_counter()
    for _ in range(calls):
        store.charge(budgets, clock)
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed / calls * 1e6


def _measure(name: str, url: str, calls: int, form: Callable[[str], LimitStore]) -> None:
    one = _charge(url, calls, 0, form)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        two = pool.starmap(_charge, [(url, calls, i, form) for i in range(2)])
    print(f"charge, {name:<14} 1 process:   {one:7.2f} µs/call")
    print(f"charge, {name:<14} 2 processes: {max(two):7.2f} µs/call (each, at once)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    args = parser.parse_args()
    started = time.perf_counter()
    for _ in range(args.calls):
        time.time()
    empty = (time.perf_counter() - started) / args.calls * 1e6
    print(f"empty loop:                                {empty:7.2f} µs/call")
    forms = {"exact": _exact, "leased": _leased}
    for form_name, form in forms.items():
        with tempfile.TemporaryDirectory() as tmp:
            url = sqlite_store_url(Path(tmp))
            _measure(f"SQLite {form_name},", url, args.calls, form)
    redis = RedisServer().start()
    try:
        for db, (form_name, form) in enumerate(forms.items()):
            _measure(f"Redis {form_name},", redis.url(db), args.calls, form)
    finally:
        redis.remove()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
