"""CPU per call of the cheap calls beside the bare echo server, for telling
whether a change to the hot path helped.

    python -m bench.cpu [--rounds 3] [--concurrency 8] [--seconds 5]

Throughput on a machine shared with the load generator moves by ±8 % from
run to run; the CPU time the server's event-loop thread spends per call moves
far less, and it is where a cheap call's cost lies (the thread that holds the
interpreter lock). Servers are started afresh for every round and the calls
take turns, so drift touches them alike. Prints, per call, the median of
the rounds: calls/s, server CPU µs per call (every thread and child), and
event-loop thread CPU µs per call.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from bench.load import run
from bench.run import SMALL_USERS, Bench
from bench.servers import REPO, echo_server, passgate_server, passgate_shape

CALLS = ("echo", "verify", "refused")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.cpu", description=__doc__)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "cpu")
    args = p.parse_args(argv)
    out: Path = args.out.resolve()
    (out / "load").mkdir(parents=True, exist_ok=True)
    helper, db, key = Bench.over_small_database(out, cost=4)
    figures: dict[str, list[tuple[float, float, float]]] = {call: [] for call in CALLS}
    for _ in range(args.rounds):
        for call in CALLS:
            if call == "echo":
                server = echo_server("echo", out, passgate_shape()).start()
                target = helper.echo_target(server)
            else:
                server = passgate_server("passgate", out, db, bcrypt_cost=4).start()
                target = helper.verify_target(server, key, SMALL_USERS)
                if call == "refused":
                    target = helper.refused_target(target, server)
            with server:
                helper.warm(target)
                load = helper.load(
                    call, target, concurrency=args.concurrency, duration=args.seconds
                )
                result = run(helper.generator, load, server)
            assert result.server_cpu_seconds is not None
            assert result.server_loop_cpu_seconds is not None
            figures[call].append(
                (
                    result.rps,
                    result.server_cpu_seconds / result.count * 1e6,
                    result.server_loop_cpu_seconds / result.count * 1e6,
                )
            )
    print(f"{args.concurrency} in flight, {args.rounds} rounds of {args.seconds:g} s, medians:")
    for call, rows in figures.items():
        rps, cpu, loop = (statistics.median(row[i] for row in rows) for i in range(3))
        print(
            f"  {call:8s} {rps:7,.0f} calls/s   server {cpu:4.0f} µs CPU/call   "
            f"event loop {loop:4.0f} µs/call"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
