"""Where passgate's time goes under load: py-spy samples a real server while ghz
drives one call, then the heaviest functions are printed (self and inclusive).

    python -m bench.profile verify            # VerifySession, valid session
    python -m bench.profile signin --cost 12  # SignIn
    python -m bench.profile refused           # VerifySession with an unknown API key
    python -m bench.profile verify --serve-arg=--log-level=warning

`--gil` keeps only samples that hold the interpreter lock: on a server whose
Python code contends for it, that is where the CPU goes. The raw stacks stay
in the output folder (one `frame;frame;… count` line per stack) for a flame
graph. Needs py-spy (`pip install '.[bench]'`) and ghz (scripts/toolchains).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bench.run import SMALL_USERS, Bench
from bench.servers import REPO, passgate_server

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def py_spy_command() -> str:
    """py-spy on PATH, or beside this Python (the bench extra installs it there)."""
    return shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))


def _frame_name(frame: str) -> str:
    """`func (path/to/file.py:12)` → `func (file.py)`; native frames stay as they are."""
    match = _FRAME.match(frame)
    if not match:
        return frame
    path = match["file"]
    short = "/".join(Path(path).parts[-2:]) if "/" in path else path
    return f"{match['func']} ({short})"


def summarise(stacks: Path, top: int = 25) -> str:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in stacks.read_text().splitlines():
        body, _, count_text = line.rpartition(" ")
        if not body or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_frame_name(f) for f in body.split(";")[1:]]  # first: the thread
        if not frames:
            continue
        total += count
        own[frames[-1]] += count
        for name in set(frames):
            inclusive[name] += count
    if not total:
        return "no samples"
    lines = [f"{total} samples", "", "self (the frame on top of the stack):"]
    lines += [f"  {n / total:6.1%}  {name}" for name, n in own.most_common(top)]
    lines += ["", "inclusive (the frame anywhere on the stack):"]
    lines += [f"  {n / total:6.1%}  {name}" for name, n in inclusive.most_common(top)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench.profile",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("call", choices=("verify", "signin", "refused"))
    p.add_argument("--seconds", type=float, default=15)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--cost", type=int, default=12)
    p.add_argument("--rate", type=int, default=200, help="samples per second")
    p.add_argument("--gil", action="store_true", help="only samples holding the GIL")
    p.add_argument("--idle", action="store_true", help="include idle threads")
    p.add_argument("--native", action="store_true", help="native frames too")
    p.add_argument(
        "--serve-arg",
        action="append",
        default=[],
        help="extra `passgate serve` argument, e.g. --serve-arg=--log-level=warning",
    )
    p.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "profile")
    args = p.parse_args(argv)

    py_spy = py_spy_command()
    out: Path = args.out.resolve() / args.call
    if out.exists():
        shutil.rmtree(out)
    (out / "load").mkdir(parents=True)
    helper, db, key = Bench.over_small_database(out, args.cost)
    generator = helper.generator
    with passgate_server(
        "passgate", out, db, bcrypt_cost=args.cost, extra=args.serve_arg
    ).start() as server:
        if args.call == "signin":
            target = helper.signin_target(server, key, SMALL_USERS)
        else:
            target = helper.verify_target(server, key, SMALL_USERS)
            if args.call == "refused":
                target = helper.refused_target(target, server)
        helper.warm(target)
        load = helper.load(
            f"profile-{args.call}", target, concurrency=args.concurrency, duration=args.seconds + 4
        )
        running = generator.start(load, server)
        time.sleep(2)
        stacks = out / "stacks.txt"
        command = [
            py_spy,
            "record",
            "--pid",
            str(server.pids[0]),
            "--duration",
            str(int(args.seconds)),
            "--rate",
            str(args.rate),
            "--format",
            "raw",
            "--output",
            str(stacks),
            "--nonblocking",
            "--function",
        ]
        command += ["--gil"] * args.gil + ["--idle"] * args.idle + ["--native"] * args.native
        subprocess.run(command, check=True, capture_output=True, timeout=args.seconds + 120)
        result = running.wait()
    print(
        f"{args.call}: {result.rps:,.1f} calls/s, p50 {result.p50_ms:.2f} ms, "
        f"p99 {result.p99_ms:.2f} ms, codes {result.codes}, "
        f"load generator {result.generator_cpu_share:.2f} cores, "
        f"server {result.server_cpu_seconds or 0:.1f} CPU s"
    )
    print(summarise(stacks))
    print(f"\nraw stacks: {stacks}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
