"""SignIn with passgate's bcrypt kernel beside SignIn without it, in turns, for
telling what the kernel and the pool's lanes buy.

    python -m bench.kernel_signin [--rounds 2] [--concurrency 1 8] [--seconds 10] [--cost 12]

"Without" is the same server started with the kernel's import blocked, as on
an install that could not compile it: passgate then uses libxcrypt (the
server's "serving" line names the implementation, and this tool checks it).
Servers are started afresh for every round and take turns, so that whatever
else the machine does falls on both alike; prints each run and the ratio of
each pair.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.load import LoadResult, run
from bench.run import SMALL_USERS, Bench
from bench.servers import REPO, Server, passgate_server

_WITHOUT_KERNEL = (
    "import sys; sys.modules['passgate.identity._bcrypt_kernel'] = None; "
    "from passgate.cli import main; sys.exit(main())"
)
VARIANTS = {"kernel": "passgate-kernel", "library": "libxcrypt"}


def _server(variant: str, out: Path, db: Path, cost: int) -> Server:
    server = passgate_server(variant, out, db, bcrypt_cost=cost)
    if variant == "library":  # `python -m passgate.cli ...` → `python -c <blocked> ...`
        argv = [sys.executable, "-c", _WITHOUT_KERNEL, *list(server.argv)[3:]]
        server = Server(variant, argv, out, server.port)
    return server


def _serving_bcrypt(server: Server) -> str:
    for line in server.log_path.read_text().splitlines():
        if '"serving"' in line:
            return str(json.loads(line).get("bcrypt"))
    return "?"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.kernel_signin", description=__doc__)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--cost", type=int, default=12)
    p.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "kernel-signin")
    args = p.parse_args(argv)
    out: Path = args.out.resolve()
    (out / "load").mkdir(parents=True, exist_ok=True)
    helper, db, key = Bench.over_small_database(out, cost=args.cost)
    results: dict[tuple[int, str, int], LoadResult] = {}
    for round_ in range(1, args.rounds + 1):
        for variant, expected in VARIANTS.items():
            server = _server(variant, out, db, args.cost)
            with server.start():
                target = helper.signin_target(server, key, SMALL_USERS)
                for c in args.concurrency:
                    load = helper.load(
                        f"{variant}-c{c}-r{round_}",
                        target,
                        concurrency=c,
                        duration=args.seconds,
                        warmup=0 if c == 1 else c,
                    )
                    r = results[round_, variant, c] = run(helper.generator, load, server)
                    print(
                        f"round {round_} {variant:7} {c:3} in flight: {r.rps:6.2f}/s  "
                        f"p50 {r.p50_ms:7.1f} ms  p99 {r.p99_ms:7.1f} ms  "
                        f"({r.count} calls, {r.errors} errors)",
                        flush=True,
                    )
            serving = _serving_bcrypt(server)
            if serving != expected:
                print(f"  the {variant} server used {serving}, not {expected}", file=sys.stderr)
                return 1
    print(f"cost {args.cost}, {args.seconds:g} s per run; kernel ÷ library, same round:")
    for c in args.concurrency:
        for round_ in range(1, args.rounds + 1):
            k, lib = results[round_, "kernel", c], results[round_, "library", c]
            print(
                f"  {c:3} in flight, round {round_}: throughput {k.rps / lib.rps:.2f}, "
                f"p50 {k.p50_ms / lib.p50_ms:.2f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
