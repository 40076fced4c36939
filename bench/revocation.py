"""How soon a revocation reaches another server process: the time from the
revoking call's answer to the first refusal of the revoked session by a
second process that had it cached, with that second process under load.

    python -m bench.revocation --database postgresql://USER@HOST:PORT/DB
    python -m bench.revocation                      # a SQLite file, for comparison

Two `passgate serve` processes (A and B) share one database, sealing key and
limits store. Each trial signs a user in on A, has B verify the session twice
(the second answer comes from B's cache of live sessions), signs the session
out on A and, from the moment A answers, asks B again and again until B
refuses it. Meanwhile a load generator keeps B busy with VerifySession calls.
Printed: p50, p99 and max of that time, and how many of B's answers after
the revoking call's answer still accepted the session (the guarantee is
that none do on SQLite; on PostgreSQL a notice travels from the commit to B's
listener, and this measures how long).
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import grpc

from bench.load import Generator, Load, find_ghz
from bench.run import VERIFY
from bench.servers import REPO, Server, free_port, passgate_cli
from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.auth.v1 import auth_service_pb2_grpc as rpc

PASSWORD = "Correct-Horse-9-battery"


def _config(out: Path, database: str) -> Path:
    """The settings both servers and the CLI share (a TOML file, as operators write it)."""
    config = out / "passgate.toml"
    lines = [f'database = "{database}"', "bcrypt-cost = 4"]
    if not database.startswith("sqlite:"):
        lines += [
            f'secret-file = "{out / "passgate.secret"}"',
            f'limits-store = "sqlite:///{out / "passgate.limits"}"',
        ]
    config.write_text("\n".join(lines) + "\n")
    return config


def _server(name: str, out: Path, config: Path) -> Server:
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "passgate.cli",
        "serve",
        "--config",
        str(config),
        "--listen",
        f"127.0.0.1:{port}",
        "--mail-dir",
        str(out / f"{name}-mail"),
        "--key-rate",
        "1000000/1s",
        "--ip-rate",
        "1000000/1s",
    ]
    return Server(name, argv, out, port)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(database: str, out: Path, trials: int, load_concurrency: int) -> dict[str, object]:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    config = _config(out, database)
    passgate_cli("migrate", "--config", str(config))
    key = passgate_cli("apikey", "create", "--name", "revocation", "--config", str(config))
    key = key.strip().splitlines()[-1]
    for email in ("trial@example.com", "load@example.com"):
        passgate_cli(
            "user",
            "create",
            "--email",
            email,
            "--password-stdin",
            "--config",
            str(config),
            stdin=PASSWORD + "\n",
        )
    auth = [("x-api-key", key)]
    delays: list[float] = []
    stale = 0
    with ExitStack() as stack:
        a = stack.enter_context(_server("server-a", out, config).start())
        b = stack.enter_context(_server("server-b", out, config).start())
        on_a = rpc.AuthServiceStub(stack.enter_context(grpc.insecure_channel(a.target)))
        on_b = rpc.AuthServiceStub(stack.enter_context(grpc.insecure_channel(b.target)))
        sessions = [
            on_b.SignIn(
                pb.SignInRequest(email="load@example.com", password=PASSWORD), metadata=auth
            )
            for _ in range(load_concurrency)
        ]
        generator = Generator(out / "load", find_ghz())
        generator.workdir.mkdir(parents=True, exist_ok=True)
        load = Load(
            "verify-load",
            VERIFY,
            [{"session_token": s.session_token} for s in sessions],
            {"x-api-key": key},
            concurrency=load_concurrency,
            duration=3600,
        )
        running = generator.start(load, b)
        time.sleep(1.0)  # the load is under way
        for _ in range(trials):
            token = on_a.SignIn(
                pb.SignInRequest(email="trial@example.com", password=PASSWORD), metadata=auth
            ).session_token
            verify = pb.VerifySessionRequest(session_token=token)
            for _ in range(2):  # the second answer comes from B's cache
                on_b.VerifySession(verify, metadata=auth)
            on_a.SignOut(
                pb.SignOutRequest(), metadata=[*auth, ("authorization", f"Bearer {token}")]
            )
            answered = time.perf_counter()
            while True:
                try:
                    on_b.VerifySession(verify, metadata=auth)
                except grpc.RpcError as error:
                    if error.code() != grpc.StatusCode.UNAUTHENTICATED:
                        raise
                    delays.append(time.perf_counter() - answered)
                    break
                stale += 1
        running.process.send_signal(signal.SIGINT)
        loaded = running.wait()
    ms = [d * 1000 for d in delays]
    return {
        "database": database.split("://", 1)[0],
        "trials": trials,
        "load": {"concurrency": load_concurrency, "calls_per_second": round(loaded.rps, 1)},
        "first_refusal_ms": {
            "p50": round(statistics.median(ms), 3),
            "p99": round(_percentile(ms, 0.99), 3),
            "max": round(max(ms), 3),
        },
        "stale_answers": stale,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.revocation", description=__doc__)
    p.add_argument("--database", help="a PostgreSQL URL; default: a SQLite file in --out")
    p.add_argument("--trials", type=int, default=300)
    p.add_argument("--load", type=int, default=8, help="VerifySession calls in flight on B")
    p.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "revocation")
    args = p.parse_args(argv)
    out: Path = args.out.resolve()
    database = args.database or f"sqlite:///{out / 'revocation.db'}"
    figures = measure(database, out, args.trials, args.load)
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
