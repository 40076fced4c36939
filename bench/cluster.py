"""The run through replicas: `python -m bench --cluster [--quick]`.

Three `passgate serve` replicas, each on a loopback address of its own
(127.0.0.1-3, one port), over a durable PostgreSQL 15 and one Redis as their
limits store, as passgate.local_cluster starts them; beside them one server
with `--workers 3` over the same users in a SQLite file, on the same cores.
The load generator balances over the replicas with gRPC's round_robin policy
(ghz resolves one name to the three addresses through bench.loopback_dns).
Judged, as ratios of figures taken in this run: VerifySession through the
replicas against the SQLite workers (both up side by side, in turns), SignIn
through the replicas against the bcrypt floor, and one budget check in Redis
against one in a SQLite limits store. The report goes to results-cluster.json
and .md, beside the other runs'.
"""

from __future__ import annotations

import dataclasses
import json
import socket
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench import dataset, limits_cost, report
from bench.loopback_dns import LoopbackDns
from bench.postgresql import SIGNIN_LEVELS, PostgresqlBench
from bench.run import SIGN_IN, VERIFY, Target
from bench.servers import Server, free_port
from passgate.redis_server import RedisServer

REPLICAS = 3
HOSTS = tuple(f"127.0.0.{i + 1}" for i in range(REPLICAS))
NAME = "replicas.passgate.bench"
CONNECTIONS_PER_PROCESS = 4  # the kernel spreads connections over --workers, not calls


def shared_free_port(hosts: tuple[str, ...]) -> int:
    """A port free on every one of `hosts`, so one name can stand for all of them."""
    while True:
        port = free_port()
        try:
            with ExitStack() as held:
                for host in hosts:
                    held.enter_context(socket.socket()).bind((host, port))
        except OSError:
            continue
        return port


@dataclasses.dataclass
class Replicas:
    """The replicas as one server to the load generator: one target for all of them,
    their CPU time summed."""

    servers: list[Server]
    dns: LoopbackDns
    port: int
    name: str = "replicas"

    @property
    def target(self) -> str:
        return self.dns.target(self.port)

    @property
    def python_target(self) -> str:
        return "ipv4:" + ",".join(server.target for server in self.servers)

    def cpu_seconds(self) -> float:
        return sum(server.cpu_seconds() for server in self.servers)

    def main_thread_cpu_seconds(self) -> float:
        return sum(server.main_thread_cpu_seconds() for server in self.servers)


def calls_answered(log: Path) -> dict[str, int]:
    """Calls a server's log lines record, per method name."""
    counts: dict[str, int] = {}
    for line in log.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        method = str(json.loads(line).get("method", ""))
        if method.startswith("/passgate.auth.v1.AuthService/"):
            name = method.rsplit("/", 1)[1]
            counts[name] = counts.get(name, 0) + 1
    return counts


class ClusterBench(PostgresqlBench):
    """Three replicas over PostgreSQL and Redis against `--workers 3` over SQLite."""

    suffix = "-cluster"

    def measure(self) -> None:
        plan = self.plan
        self.floor()
        self.say("database")
        small = dataset.users_database(
            self.work / "users-small.db", plan.small_users, plan.cost, log=self.say
        )
        self.results["datasets"] = {"small": small.as_dict()}
        c = max(plan.cheap_levels)
        with ExitStack() as stack:
            cluster = self.start_cluster(stack)
            self.say("starting Redis, the replicas' limits store")
            redis = RedisServer().start()
            stack.callback(redis.remove)
            database = self.copy(cluster, "small", small)
            env = {**database.server_env(), "PASSGATE_LIMITS_STORE": redis.url()}
            key, lite_key = self.api_key(database.url), self.api_key(small.path)
            port = shared_free_port(HOSTS)
            replicas = Replicas(
                [
                    stack.enter_context(
                        self.start_passgate(
                            f"replica{i + 1}", database.url, env=env, host=host, port=port
                        )
                    )
                    for i, host in enumerate(HOSTS)
                ],
                stack.enter_context(LoopbackDns(NAME, HOSTS)),
                port,
            )
            lite = stack.enter_context(
                self.start_passgate("passgate-sqlite-workers", small.path, workers=REPLICAS)
            )
            tokens = self.sessions(replicas.servers[0], key, plan.small_users)
            through = Target(
                VERIFY,
                [{"session_token": t} for t in tokens],
                {"x-api-key": key},
                replicas,  # to the load generator, one server
                lb_strategy="round_robin",
            )
            workers = self.verify_target(lite, lite_key, plan.small_users)
            for target in (through, workers):
                self.warm(target)
            # as many TCP connections on each side: round_robin opens one per replica
            per_process = max(1, min(c, CONNECTIONS_PER_PROCESS * REPLICAS) // REPLICAS)
            connections = per_process * REPLICAS
            self.say(f"VerifySession through {REPLICAS} replicas and on {REPLICAS} workers")
            for round_ in range(plan.rounds):
                self.cheap(
                    f"cluster-verify-c{c}",
                    through,
                    c,
                    connections=per_process,
                    round_=round_,
                )
                self.cheap(
                    f"sqlite-workers-verify-c{c}",
                    workers,
                    c,
                    connections=connections,
                    round_=round_,
                )
            lite.stop()

            signin = dataclasses.replace(
                through, call=SIGN_IN, data=self.signin_data(plan.small_users)
            )
            self.signin_levels(signin, SIGNIN_LEVELS)
            self.say("one budget check in Redis and in a SQLite limits store")
            self.results["limits_cost"] = {
                "calls": plan.limits_calls,
                "redis_us": limits_cost.charge_microseconds(redis.url(), plan.limits_calls),
                "sqlite_us": limits_cost.charge_microseconds(
                    limits_cost.sqlite_store_url(self.work), plan.limits_calls
                ),
            }
            for server in replicas.servers:
                server.stop()
            self.results["cluster"] = {
                "replicas": [server.target for server in replicas.servers],
                "target": replicas.target,
                "workers": REPLICAS,
                "concurrency": c,
                "connections": connections,
                "calls_per_replica": {
                    server.name: calls_answered(server.log_path) for server in replicas.servers
                },
            }
        self.keep_floor()

    def ratios(self) -> list[dict[str, Any]]:
        return report.cluster_ratios(self.results)
