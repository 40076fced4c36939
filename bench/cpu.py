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

from bench import dataset
from bench.load import Generator, find_ghz, run
from bench.reference_servers import ECHO_CALL
from bench.run import WRONG_KEY, Bench, Plan, Target
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
    users = 1000
    db = dataset.users_database(out / "users.db", users, 4).path
    generator = Generator(out / "load", find_ghz())
    helper = Bench(Plan.smoke(), out, generator)
    key = helper.api_key(db)
    figures: dict[str, list[tuple[float, float, float]]] = {call: [] for call in CALLS}
    for _ in range(args.rounds):
        for call in CALLS:
            if call == "echo":
                server = echo_server("echo", out, passgate_shape())
            else:
                server = passgate_server("passgate", out, db, bcrypt_cost=4)
            with server.start():
                if call == "echo":
                    session = {"session_token": "pgs_" + "a" * 43}
                    target = Target(ECHO_CALL, session, {"x-api-key": key}, server)
                else:
                    target = helper.verify_target(server, key, users)
                    if call == "refused":
                        target.metadata = {"x-api-key": WRONG_KEY}
                helper.warm(target)
                load = helper.load(
                    call, target, concurrency=args.concurrency, duration=args.seconds
                )
                cpu, loop = server.cpu_seconds(), server.main_thread_cpu_seconds()
                result = run(generator, load, server)
                calls = result.rps * args.seconds
                figures[call].append(
                    (
                        result.rps,
                        (server.cpu_seconds() - cpu) / calls * 1e6,
                        (server.main_thread_cpu_seconds() - loop) / calls * 1e6,
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
