"""Replicas on one machine, to try them and to test them: a throwaway
PostgreSQL 15, a throwaway Redis, and N passgate replicas over them, each on
a loopback address of its own (127.0.0.1, 127.0.0.2, …) with its own folder,
sharing the database, the limits store (budgets and throttles) and the
sealing key as replicas on separate hosts would.

    scripts/cluster [--replicas 3] [--workdir DIR]

It prints the client target (for gRPC's round_robin policy), an API key, the
environment for `passgate` commands, and a grpcurl line; SIGINT or SIGTERM
stops every process it started (by PID) and removes the database cluster.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from passgate.postgres_cluster import PostgresCluster
from passgate.redis_server import RedisServer
from passgate.testing import end_process, free_port, wait_for_health

READY = "cluster ready"


def _passgate() -> list[str]:
    return [sys.executable, "-m", "passgate.cli"]


class Replica:
    """`passgate serve` on `host`, logging to its folder."""

    def __init__(self, folder: Path, host: str, env: dict[str, str]) -> None:
        self.folder = folder
        self.host = host
        self.port = free_port(host)
        self.target = f"{host}:{self.port}"
        self.log = folder / "server.log"
        folder.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    *_passgate(),
                    "serve",
                    "--listen",
                    self.target,
                    "--mail-dir",
                    str(folder / "mail"),
                ],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=folder,
            )

    def wait_serving(self) -> None:
        wait_for_health(
            self.target, self.process, 60.0, lambda: self.log.read_text(errors="replace"), "replica"
        )

    def stop(self) -> None:
        end_process(self.process)


@dataclass(frozen=True)
class Cluster:
    """What `start_cluster` started: the replicas, the shared stores, an API
    key, and the environment `passgate` commands need to reach them."""

    replicas: list[Replica]
    database_url: str
    limits_url: str
    env: dict[str, str]
    api_key: str


def start_cluster(
    running: ExitStack, count: int, workdir: Path, settings: Mapping[str, str] | None = None
) -> Cluster:
    """Starts PostgreSQL (durable), Redis and `count` replicas serving over them;
    `running` stops each when it closes. `settings` (PASSGATE_* variables) go
    to every replica and command, as a deployment's shared configuration would."""
    database = PostgresCluster(durable=True).start()
    running.callback(database.stop)
    limits = RedisServer().start()
    running.callback(limits.remove)
    db = database.create_database()
    env = {
        **os.environ,
        **db.server_env(),
        "PASSGATE_SECRET_FILE": str(workdir / "passgate.secret"),
        "PASSGATE_LIMITS_STORE": limits.url(),
        **(settings or {}),
    }
    subprocess.run([*_passgate(), "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    replicas: list[Replica] = []
    for i in range(count):
        replica = Replica(workdir / f"replica{i + 1}", f"127.0.0.{i + 1}", env)
        running.callback(replica.stop)
        replicas.append(replica)
    for replica in replicas:
        replica.wait_serving()
    key = (
        subprocess.run(
            [*_passgate(), "apikey", "create", "--name", "cluster"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    return Cluster(replicas, db.url, limits.url(), env, key)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/cluster", description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=3, help="how many (default 3)")
    parser.add_argument("--workdir", type=Path, help="where the replicas' folders go")
    args = parser.parse_args(argv)
    if not 1 <= args.replicas <= 254:
        parser.error("--replicas must be between 1 and 254")
    workdir: Path = args.workdir or Path(tempfile.mkdtemp(prefix="passgate-cluster-"))
    workdir.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with ExitStack() as running:
        cluster = start_cluster(running, args.replicas, workdir)
        _describe(cluster, workdir)
        stop.wait()
        print("stopping the replicas and PostgreSQL", flush=True)
    return 0


def _describe(cluster: Cluster, workdir: Path) -> None:
    replicas, env, key = cluster.replicas, cluster.env, cluster.api_key
    targets = ",".join(r.target for r in replicas)
    lines = [
        f"PostgreSQL: {cluster.database_url}",
        f"Redis (budgets and throttles): {cluster.limits_url}",
        *(f"replica {i + 1}: {r.target} (log: {r.log})" for i, r in enumerate(replicas)),
        f"target: ipv4:{targets}",
        '  with the service config {"loadBalancingConfig": [{"round_robin": {}}]}',
        f"api key: {key}",
        "passgate commands (users, keys) need:",
        *(f"  export {name}={env[name]}" for name in ("PASSGATE_DATABASE", "PASSGATE_SECRET_FILE")),
        f"grpcurl: grpcurl -plaintext -H 'x-api-key: {key}' {replicas[0].target} list",
        f"folders: {workdir}",
        f"{READY}; Ctrl-C stops everything",
    ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
