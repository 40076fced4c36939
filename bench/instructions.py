"""Instructions per cheap call beside the bare echo server, counted by
valgrind's callgrind: a figure that does not move with the machine's load,
for judging a change to the hot path on a shared or noisy machine.

    python -m bench.instructions [--calls 1000] [--concurrency 64] [echo verify refused metrics]

Each server runs under `valgrind --tool=callgrind` with counting off; after a
warm-up, counting is switched on (`callgrind_control`) for a quiet interval,
to measure what the idle server spends a second (its background tasks), and
then for `--calls` calls from ghz. Printed per call: every instruction of
every thread of the server while the calls ran, and the same less the idle
rate over the load's wall time (valgrind runs the server some fifty times
slower, so an idle cost that is nothing in a real run is not nothing here).
Needs valgrind (`apt-get install valgrind`) and ghz (scripts/toolchains).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bench.load import LoadResult, run
from bench.run import SMALL_USERS, Bench, Target
from bench.servers import (
    HUGE_RATE,
    REPO,
    Server,
    echo_server,
    free_port,
    passgate_server,
    passgate_shape,
)

CALLS = ("echo", "verify", "refused", "metrics")
"""`metrics` is VerifySession on a server serving Prometheus metrics (`--metrics-listen`)."""
IDLE_SECONDS = 5.0
_TOTALS = re.compile(r"^totals:\s+(\d+)", re.MULTILINE)  # a dump's "summary:" repeats it


def under_callgrind(server: Server, out: Path) -> Server:
    """`server` started under callgrind, counting nothing until told to."""
    argv = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out / server.name}.callgrind.%p",
        *server.argv,
    ]
    return replace(server, argv=argv)


class Counter:
    """Switches callgrind's counting on and off in a running server; reads what it counted."""

    def __init__(self, server: Server, out: Path) -> None:
        assert server.process is not None
        self._pid = str(server.process.pid)
        self._prefix = out / f"{server.name}.callgrind.{self._pid}"

    def _control(self, *args: str) -> None:
        subprocess.run(["callgrind_control", *args, self._pid], check=True, capture_output=True)

    def counted(self, work: Callable[[], object]) -> tuple[int, float]:
        """Instructions the server ran while `work()` ran, and the seconds it took."""
        self._control("--zero")
        self._control("--instr=on")
        started = time.monotonic()
        work()
        seconds = time.monotonic() - started
        before = set(self._prefix.parent.glob(f"{self._prefix.name}*"))
        self._control("--dump")
        self._control("--instr=off")
        dumped = set(self._prefix.parent.glob(f"{self._prefix.name}*")) - before
        total = sum(int(m) for path in dumped for m in _TOTALS.findall(path.read_text()))
        return total, seconds


def _count(  # noqa: PLR0917 (one measurement's parameters)
    call: str, helper: Bench, db: Path, key: str, out: Path, calls: int, concurrency: int
) -> str:
    """The figures of `calls` of one kind, from a server of its own."""
    if call == "echo":
        server = under_callgrind(echo_server("echo", out, passgate_shape()), out)
    else:
        limits = call == "refused"  # the deployed gate: default limits, bar the address's
        extra: tuple[str, ...] = ("--ip-rate", HUGE_RATE) if limits else ()
        if call == "metrics":
            extra = ("--metrics-listen", f"127.0.0.1:{free_port()}")
        plain = passgate_server(call, out, db, bcrypt_cost=4, limits=limits, extra=extra)
        server = under_callgrind(plain, out)
    results: list[LoadResult] = []
    with server.start(timeout=600):
        target: Target
        if call == "echo":
            target = helper.echo_target(server)
        else:
            target = helper.verify_target(server, key, SMALL_USERS)
            if call == "refused":
                target = helper.refused_target(target, server)
        helper.warm(target)
        counter = Counter(server, out)
        idle, idle_seconds = counter.counted(lambda: time.sleep(IDLE_SECONDS))
        load = helper.load(call, target, concurrency=concurrency, total=calls, max_seconds=3600)
        busy, seconds = counter.counted(lambda: results.append(run(helper.generator, load, server)))
    done = results[0].count
    codes = ", ".join(f"{n} {code}" for code, n in sorted(results[0].codes.items()))
    less_idle = busy - idle / idle_seconds * seconds
    return (
        f"{call:8s} {busy / done / 1000:7.1f}k   less idle {less_idle / done / 1000:7.1f}k"
        f"   ({codes} in {seconds:.0f} s; idle {idle / idle_seconds / 1e6:.2f}M/s)"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__)
    p.add_argument("calls_to_count", nargs="*", choices=CALLS, default=list(CALLS))
    p.add_argument("--calls", type=int, default=1000)
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "instructions")
    args = p.parse_args(argv)
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        p.error("needs valgrind: apt-get install valgrind")
    out: Path = args.out.resolve()
    (out / "load").mkdir(parents=True, exist_ok=True)
    helper, db, key = Bench.over_small_database(out, cost=4)
    print(f"{args.calls} calls at {args.concurrency} in flight, instructions per call:")
    for call in args.calls_to_count:
        print("  " + _count(call, helper, db, key, out, args.calls, args.concurrency), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
