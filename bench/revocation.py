"""How soon a revocation reaches another server process: the time from the
revoking call's answer to the first refusal of the revoked session by a
second process that had it cached, with that second process under load.

    python -m bench.revocation --postgresql         # a throwaway PostgreSQL it starts
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
from bench.servers import REPO, passgate_cli, passgate_server
from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.auth.v1 import auth_service_pb2_grpc as rpc
from passgate.postgres_cluster import PostgresCluster

PASSWORD = "Correct-Horse-9-battery"


def _side_files(out: Path, database: str) -> dict[str, str]:
    """Off SQLite both servers and the CLI must be told of the sealing key and
    the limits store; they share the ones in `out`."""
    if database.startswith("sqlite:"):
        return {}
    return {
        "PASSGATE_SECRET_FILE": str(out / "passgate.secret"),
        "PASSGATE_LIMITS_STORE": f"sqlite:///{out / 'passgate.limits'}",
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(database: str, out: Path, trials: int, load_concurrency: int) -> dict[str, object]:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    env = _side_files(out, database)
    cli = ("--database", database)
    passgate_cli("migrate", *cli, env=env)
    key = passgate_cli("apikey", "create", "--name", "revocation", *cli, env=env)
    key = key.strip().splitlines()[-1]
    for email in ("trial@example.com", "load@example.com"):
        passgate_cli(
            "user",
            "create",
            "--email",
            email,
            "--password-stdin",
            *cli,
            stdin=PASSWORD + "\n",
            env=env,
        )
    auth = [("x-api-key", key)]
    delays: list[float] = []
    stale = 0
    with ExitStack() as stack:
        a, b = (
            stack.enter_context(
                passgate_server(name, out, database, bcrypt_cost=4, env=env).start()
            )
            for name in ("server-a", "server-b")
        )
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
    where = p.add_mutually_exclusive_group()
    where.add_argument("--database", help="a PostgreSQL URL; default: a SQLite file in --out")
    where.add_argument(
        "--postgresql",
        action="store_true",
        help="start a throwaway PostgreSQL 15 (durable: fsync and synchronous_commit on)",
    )
    p.add_argument("--trials", type=int, default=300)
    p.add_argument("--load", type=int, default=8, help="VerifySession calls in flight on B")
    p.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "revocation")
    args = p.parse_args(argv)
    out: Path = args.out.resolve()
    with ExitStack() as stack:
        if args.postgresql:
            cluster = PostgresCluster(durable=True).start()
            stack.callback(cluster.stop)
            database = cluster.create_database().url
        else:
            database = args.database or f"sqlite:///{out / 'revocation.db'}"
        figures = measure(database, out, args.trials, args.load)
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
