"""How soon a revocation reaches another server process: the time from the
revoking call's answer to the first refusal of the revoked session by a
second process that had it cached, with that second process under load.

    python -m bench.revocation --postgresql         # a throwaway PostgreSQL it starts
    python -m bench.revocation --database postgresql://USER@HOST:PORT/DB
    python -m bench.revocation                      # a SQLite file, for comparison
    python -m bench.revocation --replicas 3         # replicas over PostgreSQL and Redis

Two `passgate serve` processes (A and B) share one database, sealing key and
limits store. Each trial signs a user in on A, has B verify the session twice
(the second answer comes from B's cache of live sessions), signs the session
out on A and, from the moment A answers, asks B again and again until B
refuses it. Meanwhile a load generator keeps B busy with VerifySession calls.
Printed: p50, p99 and max of that time, and how many of B's answers after
the revoking call's answer still accepted the session (the guarantee is
that none do on SQLite; on PostgreSQL a notice travels from the commit to B's
listener, and this measures how long).

With `--replicas N`, N replicas run as `scripts/cluster` starts them (a
durable PostgreSQL, one Redis, each replica on its own loopback address) and
the load runs on every one. Each trial signs in on one replica (in turn),
has every other replica verify the session twice, signs it out on the first
and, from its answer, asks the others at once, each until it refuses: one
figure per other replica and trial.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import grpc

from bench.load import Generator, Load, find_ghz
from bench.run import VERIFY
from bench.servers import HUGE_RATE, REPO, Server, passgate_cli, passgate_server
from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.auth.v1 import auth_service_pb2_grpc as rpc
from passgate.local_cluster import Replica, start_cluster
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


def _figures(delays: list[float]) -> dict[str, float]:
    ms = [d * 1000 for d in delays]
    return {
        "p50": round(statistics.median(ms), 3),
        "p99": round(_percentile(ms, 0.99), 3),
        "max": round(max(ms), 3),
    }


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
        generator, load = _verify_load(on_b, auth, key, load_concurrency, out)
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
    return {
        "database": database.split("://", 1)[0],
        "trials": trials,
        "load": {"concurrency": load_concurrency, "calls_per_second": round(loaded.rps, 1)},
        "first_refusal_ms": _figures(delays),
        "stale_answers": stale,
    }


def _as_server(replica: Replica) -> Server:
    """A replica as the load generator's target, measured through /proc like any server."""
    return Server(
        replica.folder.name,
        (),  # started already, by start_cluster
        replica.folder,
        replica.port,
        process=replica.process,
        host=replica.host,
    )


class _Watch(threading.Thread):
    """Asks one replica about a session from the moment `answered` is set until
    it refuses: the delay from the sign-out's answer, and the stale answers."""

    def __init__(
        self, api: rpc.AuthServiceStub, verify: pb.VerifySessionRequest, auth: list[tuple[str, str]]
    ) -> None:
        super().__init__()
        self.api, self.verify, self.auth = api, verify, auth
        self.answered = threading.Event()
        self.answered_at = 0.0
        self.delay = 0.0
        self.stale = 0

    def run(self) -> None:
        self.answered.wait()
        while True:
            try:
                self.api.VerifySession(self.verify, metadata=self.auth)
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.UNAUTHENTICATED:
                    raise
                self.delay = time.perf_counter() - self.answered_at
                return
            self.stale += 1


def measure_replicas(
    out: Path, count: int, trials: int, load_concurrency: int
) -> dict[str, object]:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    settings = {
        "PASSGATE_BCRYPT_COST": "4",
        "PASSGATE_KEY_RATE": HUGE_RATE,
        "PASSGATE_IP_RATE": HUGE_RATE,
    }
    delays: list[float] = []
    stale = 0
    load_before = os.getloadavg()
    with ExitStack() as stack:
        cluster = start_cluster(stack, count, out, settings)
        env = {k: v for k, v in cluster.env.items() if k.startswith("PASSGATE_")}
        for email in ("trial@example.com", "load@example.com"):
            passgate_cli(
                "user", "create", "--email", email, "--password-stdin",
                stdin=PASSWORD + "\n", env=env,
            )  # fmt: skip
        auth = [("x-api-key", cluster.api_key)]
        apis = [
            rpc.AuthServiceStub(stack.enter_context(grpc.insecure_channel(r.target)))
            for r in cluster.replicas
        ]
        generator, load = _verify_load(apis[0], auth, cluster.api_key, load_concurrency, out)
        running = [generator.start(load, _as_server(r)) for r in cluster.replicas]
        time.sleep(1.0)  # the load is under way
        for trial in range(trials):
            origin = trial % count
            token = (
                apis[origin]
                .SignIn(
                    pb.SignInRequest(email="trial@example.com", password=PASSWORD), metadata=auth
                )
                .session_token
            )
            verify = pb.VerifySessionRequest(session_token=token)
            others = [api for i, api in enumerate(apis) if i != origin]
            for api in others:
                for _ in range(2):  # the second answer comes from the replica's cache
                    api.VerifySession(verify, metadata=auth)
            watches = [_Watch(api, verify, auth) for api in others]
            for watch in watches:
                watch.start()
            apis[origin].SignOut(
                pb.SignOutRequest(), metadata=[*auth, ("authorization", f"Bearer {token}")]
            )
            answered = time.perf_counter()
            for watch in watches:
                watch.answered_at = answered
                watch.answered.set()
            for watch in watches:
                watch.join()
                delays.append(watch.delay)
                stale += watch.stale
        for each in running:
            each.process.send_signal(signal.SIGINT)
        loaded = [each.wait() for each in running]
    return {
        "database": "postgresql",
        "limits_store": "redis",
        "replicas": count,
        "trials": trials,
        "samples": len(delays),
        "load": {
            "concurrency_per_replica": load_concurrency,
            "calls_per_second": [round(result.rps, 1) for result in loaded],
            "errors": sum(result.errors for result in loaded),
        },
        "machine_load_average_1m": {
            "before": round(load_before[0], 2),
            "after": round(os.getloadavg()[0], 2),
        },
        "first_refusal_ms": _figures(delays),
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
    where.add_argument(
        "--replicas",
        type=int,
        help="N replicas over a throwaway PostgreSQL and Redis (scripts/cluster's), load on each",
    )
    p.add_argument("--trials", type=int, default=300)
    p.add_argument(
        "--load", type=int, default=8, help="VerifySession calls in flight on B (on each replica)"
    )
    p.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "revocation")
    args = p.parse_args(argv)
    out: Path = args.out.resolve()
    if args.replicas is not None:
        if args.replicas < 2:
            p.error("--replicas needs at least 2: one signs out, the others are asked")
        print(json.dumps(measure_replicas(out, args.replicas, args.trials, args.load), indent=2))
        return 0
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


def _verify_load(
    api: rpc.AuthServiceStub, auth: list[tuple[str, str]], key: str, concurrency: int, out: Path
) -> tuple[Generator, Load]:
    """VerifySession load of `concurrency` sessions signed in through `api`, for ghz
    to run (until stopped) while the trials go on."""
    sessions = [
        api.SignIn(pb.SignInRequest(email="load@example.com", password=PASSWORD), metadata=auth)
        for _ in range(concurrency)
    ]
    generator = Generator(out / "load", find_ghz())
    generator.workdir.mkdir(parents=True, exist_ok=True)
    load = Load(
        "verify-load",
        VERIFY,
        [{"session_token": s.session_token} for s in sessions],
        {"x-api-key": key},
        concurrency=concurrency,
        duration=3600,
    )
    return generator, load


if __name__ == "__main__":
    sys.exit(main())
