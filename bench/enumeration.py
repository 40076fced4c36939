"""Do known and unknown identifiers take the same time? SignIn with a wrong
password and RequestReset, each for an existing and a missing account,
in one shuffled sequence against one real server, each call once the mail
worker has nothing left to handle; prints the latency distributions side by
side and, for each case, the difference of the medians with a two-sided
Mann-Whitney p-value (a small p: the two differ beyond this run's noise),
then the same for the call that follows one of each kind (what the work a
call leaves behind tells the next caller); writes bench/out/enumeration.json.

    .venv/bin/python -m bench.enumeration [--calls 200] [--cost 10]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import grpc

from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.auth.v1 import auth_service_pb2_grpc
from passgate.testing import ServerProcess

PASSWORD = "Correct-Horse-9-battery"


def _timed(call: Any, request: Any, metadata: list[tuple[str, str]]) -> float:
    started = time.perf_counter()
    with contextlib.suppress(grpc.RpcError):  # both cases are refused alike: only time counts
        call(request, metadata=metadata)
    return (time.perf_counter() - started) * 1000


def _settle(database: Path, timeout: float = 10.0) -> None:
    """Waits until the server's outbox holds nothing to resolve or send."""
    deadline = time.monotonic() + timeout
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        while time.monotonic() < deadline:
            (pending,) = db.execute(
                "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
            ).fetchone()
            if pending == 0:
                return
            time.sleep(0.0005)
    raise TimeoutError(f"the outbox of {database} did not drain within {timeout} s")


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {
        "p50_ms": round(pick(0.50), 3),
        "p90_ms": round(pick(0.90), 3),
        "p99_ms": round(pick(0.99), 3),
        "mean_ms": round(statistics.fmean(ordered), 3),
        "stdev_ms": round(statistics.pstdev(ordered), 3),
    }


def mann_whitney_p(first: list[float], second: list[float]) -> float:
    """Two-sided p-value of the Mann-Whitney U test (normal approximation, ties
    corrected): how likely samples this far apart are if both came from one
    distribution."""
    ordered = sorted([(v, 0) for v in first] + [(v, 1) for v in second])
    n1, n2, n = len(first), len(second), len(ordered)
    rank_sum, ties, i = 0.0, 0.0, 0
    while i < n:
        j = i
        while j + 1 < n and ordered[j + 1][0] == ordered[i][0]:
            j += 1
        rank = (i + j) / 2 + 1  # the average rank of a run of equal values
        rank_sum += rank * sum(1 for k in range(i, j + 1) if ordered[k][1] == 0)
        ties += (j - i + 1) ** 3 - (j - i + 1)
        i = j + 1
    u = rank_sum - n1 * (n1 + 1) / 2
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))))
    if sigma == 0:
        return 1.0
    z = (abs(u - n1 * n2 / 2) - 0.5) / sigma
    return math.erfc(max(z, 0.0) / math.sqrt(2))


def _compare(prefix: str, known: list[float], unknown: list[float]) -> dict[str, float]:
    return {
        f"{prefix}median_difference_ms": round(
            statistics.median(known) - statistics.median(unknown), 3
        ),
        f"{prefix}mann_whitney_p": round(mann_whitney_p(known, unknown), 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="calls per case")
    parser.add_argument("--cost", type=int, default=10, help="bcrypt cost")
    parser.add_argument("--out", type=Path, default=Path("bench/out/enumeration.json"))
    args = parser.parse_args()
    env = {
        "PASSGATE_BCRYPT_COST": str(args.cost),
        "PASSGATE_SIGNIN_FREE_FAILURES": "1000000000",  # measure the work, not the throttle
        "PASSGATE_RESETS_PER_HOUR": "1000000000",
    }
    results: dict[str, dict[str, dict[str, float]]] = {}
    compared: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp, ServerProcess(Path(tmp), env=env) as server:
        server.create_user("known@example.com", PASSWORD, username="known")
        database = Path(tmp) / "passgate.db"
        md = [("x-api-key", server.api_key)]
        with grpc.insecure_channel(server.target) as channel:
            api = auth_service_pb2_grpc.AuthServiceStub(channel)
            cases = {
                "SignIn, wrong password": (
                    api.SignIn,
                    pb.SignInRequest(email="known@example.com", password="Wrong-Pass-1!"),
                    pb.SignInRequest(email="missing@example.com", password="Wrong-Pass-1!"),
                ),
                "RequestReset": (
                    api.RequestReset,
                    pb.RequestResetRequest(email="known@example.com"),
                    pb.RequestResetRequest(email="missing@example.com"),
                ),
            }
            for name, (call, known, unknown) in cases.items():
                requests = {"known": known, "unknown": unknown}
                for warm in requests.values():
                    _timed(call, warm, md)
                # Both kinds in one shuffled sequence: each call follows a call of
                # either kind about as often (pairs in a random order make a call
                # follow one of the other kind three times in four).
                order = ["known", "unknown"] * args.calls
                random.shuffle(order)
                samples: dict[str, list[float]] = {"known": [], "unknown": []}
                after: dict[str, list[float]] = {"known": [], "unknown": []}
                previous = None
                for kind in order:
                    # Each call starts once the mail worker has nothing left to do.
                    _settle(database)
                    took = _timed(call, requests[kind], md)
                    samples[kind].append(took)
                    if previous is not None:
                        after[previous].append(took)
                    previous = kind
                results[name] = {kind: _summary(values) for kind, values in samples.items()}
                compared[name] = {
                    **_compare("", samples["known"], samples["unknown"]),
                    # What the work a call leaves behind tells the next caller.
                    **_compare("after_", after["known"], after["unknown"]),
                }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "bcrypt_cost": args.cost,
        "calls": args.calls,
        **results,
        "known_vs_unknown": compared,
    }
    args.out.write_text(json.dumps(summary, indent=2))
    print("| case | identifier | p50 ms | p90 ms | p99 ms | mean ms | stdev ms |")
    print("|---|---|---|---|---|---|---|")
    for name, kinds in results.items():
        for kind, s in kinds.items():
            print(
                f"| {name} | {kind} | {s['p50_ms']} | {s['p90_ms']} | {s['p99_ms']} "
                f"| {s['mean_ms']} | {s['stdev_ms']} |"
            )
    print()
    for name, c in compared.items():
        print(
            f"{name}: known - unknown median {c['median_difference_ms']:+.3f} ms, "
            f"Mann-Whitney p = {c['mann_whitney_p']}; the next call, after a known - "
            f"after an unknown: {c['after_median_difference_ms']:+.3f} ms, "
            f"p = {c['after_mann_whitney_p']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
