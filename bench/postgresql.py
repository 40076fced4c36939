"""The run over PostgreSQL: `python -m bench --postgresql [--quick]`.

It starts a throwaway PostgreSQL 15 cluster of its own, durable (fsync and
synchronous commits on: passgate answers only once a change is durable), copies
the run's SQLite datasets into it (bench/pg_dataset.py) and judges, as ratios
of figures taken in this run: SignIn against the bcrypt floor, VerifySession
against the same server over SQLite (both up side by side, measured in turns),
and SignIn over the large database against the small one. The report goes to
results-postgresql.json and .md, beside the SQLite run's.
"""

from __future__ import annotations

import dataclasses
from contextlib import ExitStack
from typing import Any

from bench import pg_dataset, report
from bench.dataset import Dataset
from bench.run import Bench
from bench.servers import Server
from passgate.postgres_cluster import PostgresCluster, PostgresDatabase

# 1 in flight measures SignIn's latency, which the SQLite run judges already
SIGNIN_LEVELS = (2, 8, 64)


class PostgresqlBench(Bench):
    """Bench's measurements, over a PostgreSQL cluster started for the run."""

    suffix = "-postgresql"

    def measure(self) -> None:
        """Every measurement of the run over PostgreSQL, the cluster up only meanwhile."""
        plan = self.plan
        self.floor()
        small, large = self.datasets()
        with ExitStack() as stack:
            cluster = self.start_cluster(stack)
            pg_small = self.copy(cluster, "small", small)
            pg_large = self.copy(cluster, "large", large)
            lite_key, key, large_key = (
                self.api_key(db) for db in (small.path, pg_small.url, pg_large.url)
            )

            lite = stack.enter_context(self.start_passgate("passgate-sqlite", small.path))
            pg = stack.enter_context(self.start_postgresql("passgate-postgresql", pg_small))
            pg_big = stack.enter_context(
                self.start_postgresql("passgate-postgresql-large", pg_large)
            )
            targets = {
                "sqlite-verify": self.verify_target(lite, lite_key, plan.small_users),
                "verify": self.verify_target(pg, key, plan.small_users),
            }
            for target in targets.values():
                self.warm(target)
            self.cheap_in_turns(
                [
                    (f"{kind}-c{c}", target, c)
                    for c in plan.cheap_levels
                    for kind, target in targets.items()
                ]
            )
            lite.stop()

            signin = self.signin_target(pg, key, plan.small_users)
            self.signin_levels(signin, SIGNIN_LEVELS)
            self.large_vs_small_signin(
                signin, self.signin_target(pg_big, large_key, plan.large_users)
            )
        self.keep_floor()

    def start_cluster(self, stack: ExitStack) -> PostgresCluster:
        """A durable PostgreSQL cluster, stopped when `stack` closes; its version and
        durability settings go into the results."""
        self.say("starting a durable PostgreSQL cluster")
        cluster = PostgresCluster(durable=True).start()
        stack.callback(cluster.stop)
        self.results["postgresql"] = {
            "version": cluster.sql("SHOW server_version")[0][0],
            "settings": [
                f"{name}={cluster.sql(f'SHOW {name}')[0][0]}"
                for name in ("fsync", "synchronous_commit", "shared_buffers")
            ],
            "copies": {},
        }
        return cluster

    def copy(self, cluster: PostgresCluster, label: str, source: Dataset) -> PostgresDatabase:
        """A database of the cluster holding `source`'s users. Its sealing key is the
        SQLite dataset's `<file>.secret` (it seals only queued mail, which the copy has
        none of, but one dataset then has one key on both engines)."""
        self.say(f"copying the {label} database ({source.users:,} users) into PostgreSQL")
        database = dataclasses.replace(
            cluster.create_database(),
            secret_file=source.path.with_name(source.path.name + ".secret"),
            limits_store=self.work / f"postgresql-{label}.limits",
        )
        done = pg_dataset.copy_users(source.path, database.url)
        self.results["postgresql"]["copies"][label] = done.as_dict()
        self.say(f"  {done.users:,} users in {done.seconds:.1f} s")
        return database

    def start_postgresql(self, name: str, database: PostgresDatabase) -> Server:
        """passgate over `database`, told of the side files PostgreSQL cannot hold."""
        return self.start_passgate(name, database.url, env=database.server_env())

    def ratios(self) -> list[dict[str, Any]]:
        return report.postgresql_ratios(self.results)
