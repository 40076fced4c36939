"""CPU per call of the cheap calls beside the bare echo server, for telling
whether a change to the hot path helped.

    python -m bench.cpu [--rounds 3] [--concurrency 8] [--seconds 5]
    python -m bench.cpu signin --cost 12 --threads --seconds 20   SignIn, thread by thread

Throughput on a machine shared with the load generator moves by ±8 % from
run to run; the CPU time the server's event-loop thread spends per call moves
far less, and it is where a cheap call's cost lies (the thread that holds the
interpreter lock). Servers are started afresh for every round and the calls
take turns, so drift touches them alike. Prints, per call, the median of
the rounds: calls/s, server CPU µs per call (every thread and child), and
event-loop thread CPU µs per call. `--threads` adds each kind of thread's
CPU per call (from /proc's schedstat, named by `py-spy dump`): for SignIn,
what its bcrypt threads spend beside the rest (offload threads, the event
loop, grpcio's own threads).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
from pathlib import Path

from bench.load import run
from bench.profile import py_spy_command
from bench.run import SMALL_USERS, Bench, Target
from bench.servers import REPO, Server, echo_server, passgate_server, passgate_shape

CALLS = ("echo", "verify", "refused", "signin")
_NUMBERED = re.compile(r"[-_]\d+$")  # passgate-work_3, passgate-bcrypt-0: one kind each
_PY_SPY_THREAD = re.compile(r'^Thread (\d+) \(\w+\): "([^"]+)"', re.MULTILINE)


def _thread_seconds(pid: int) -> dict[str, float]:
    """CPU seconds of each of `pid`'s threads (by thread id), to the nanosecond."""
    found = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            found[tid] = int(Path(f"/proc/{pid}/task/{tid}/schedstat").read_text().split()[0]) / 1e9
        except OSError:
            continue  # ended meanwhile
    return found


def _thread_kinds(pid: int) -> dict[str, str]:
    """Each thread's kind: its Python name (from `py-spy dump`, as Python 3.11 names no
    thread to the kernel) or its kernel name, numbered ones taken together."""
    kinds = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            kinds[tid] = Path(f"/proc/{pid}/task/{tid}/comm").read_text().strip()
        except OSError:
            continue
    dump = subprocess.run(
        [py_spy_command(), "dump", "--pid", str(pid)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    kinds.update(dict(_PY_SPY_THREAD.findall(dump)))
    return {tid: _NUMBERED.sub("", name) for tid, name in kinds.items()}


def _serve(  # noqa: PLR0917 (one server's parameters)
    call: str, helper: Bench, out: Path, db: Path, key: str, cost: int
) -> tuple[Server, Target]:
    """A fresh server for `call`, started, and the target its load aims at."""
    if call == "echo":
        server = echo_server("echo", out, passgate_shape()).start()
        return server, helper.echo_target(server)
    server = passgate_server("passgate", out, db, bcrypt_cost=cost).start()
    if call == "signin":
        return server, helper.signin_target(server, key, SMALL_USERS)
    target = helper.verify_target(server, key, SMALL_USERS)
    if call == "refused":
        target = helper.refused_target(target, server)
    return server, target


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.cpu", description=__doc__)
    p.add_argument("calls", nargs="*", choices=CALLS, default=["echo", "verify", "refused"])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--cost", type=int, default=4, help="bcrypt cost (what SignIn pays)")
    p.add_argument("--threads", action="store_true", help="each kind of thread's CPU too")
    p.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "cpu")
    args = p.parse_args(argv)
    if args.threads and not Path(py_spy_command()).is_file():
        p.error("--threads names threads with py-spy: pip install '.[bench]'")
    out: Path = args.out.resolve()
    (out / "load").mkdir(parents=True, exist_ok=True)
    helper, db, key = Bench.over_small_database(out, cost=args.cost)
    figures: dict[str, list[tuple[float, float, float]]] = {call: [] for call in args.calls}
    by_thread: dict[str, dict[str, list[float]]] = {call: {} for call in args.calls}
    for _ in range(args.rounds):
        for call in args.calls:
            server, target = _serve(call, helper, out, db, key, args.cost)
            with server:
                helper.warm(target)
                assert server.process is not None
                pid = server.process.pid
                before = _thread_seconds(pid)
                load = helper.load(
                    call, target, concurrency=args.concurrency, duration=args.seconds
                )
                result = run(helper.generator, load, server)
                if args.threads:
                    spent: dict[str, float] = {}
                    for tid, kind in _thread_kinds(pid).items():
                        used = _thread_seconds(pid).get(tid, 0.0) - before.get(tid, 0.0)
                        spent[kind] = spent.get(kind, 0.0) + used
                    for kind, seconds in spent.items():
                        by_thread[call].setdefault(kind, []).append(seconds / result.count * 1e6)
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
            f"  {call:8s} {rps:7,.1f} calls/s   server {cpu:6.0f} µs CPU/call   "
            f"event loop {loop:4.0f} µs/call"
        )
        kinds = sorted(by_thread[call].items(), key=lambda kind: -statistics.median(kind[1]))
        for kind, per_call in kinds:
            print(f"    {kind:28s} {statistics.median(per_call):8.0f} µs CPU/call")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
