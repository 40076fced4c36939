"""The benchmark, start to end: `python -m bench [--quick] [--postgresql | --cluster] [--out DIR]`.

One run measures the floors (raw bcrypt, a bare grpcio echo server) and
passgate on the same machine and writes results.json, results.md and plot.png
to the output folder (bench/out by default). Every figure that is judged is a
ratio of two figures of this run, beside its goal from issue 7: absolute
figures drift on shared machines, ratios of figures taken side by side less.
`--postgresql` runs bench/postgresql.py's measurements instead, over PostgreSQL;
`--cluster` bench/cluster.py's, through three replicas.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import dataset, floor, overhead, report
from bench.load import Generator, Load, LoadResult, find_ghz, run
from bench.servers import (
    HUGE_RATE,
    REPO,
    Server,
    database_url,
    echo_server,
    machine_cpu_seconds,
    passgate_cli,
    passgate_server,
    passgate_shape,
    serve_has_flag,
)

SERVICE = "passgate.auth.v1.AuthService"
SIGN_IN = f"{SERVICE}.SignIn"
VERIFY = f"{SERVICE}.VerifySession"
SESSIONS = 8  # valid sessions VerifySession cycles through
WRONG_KEY = "pgk_" + "A" * 43  # well formed, so the gate looks it up; unknown
SMALL_USERS = 1000  # the database the one-off tools (bench.cpu, bench.profile) run over


def machine_busy_seconds() -> float:
    """CPU time every process of the machine has used since boot (the hypervisor's
    share, steal, is counted per load run instead)."""
    idle = ("idle", "iowait", "steal")
    return sum(v for kind, v in machine_cpu_seconds().items() if kind not in idle)


def own_cpu_seconds() -> float:
    """CPU time of this process and of every child it has waited for (servers, generators)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@dataclass(frozen=True)
class Plan:
    """How much of everything a run does; `--quick` shrinks every count."""

    quick: bool
    cost: int
    small_users: int
    large_users: int
    cheap_levels: tuple[int, ...]  # calls in flight for VerifySession and the echo
    refused_levels: tuple[int, ...]  # ... for refused calls and the large database
    signin_levels: tuple[int, ...]
    cheap_seconds: float | None  # per run; None: cheap_calls calls instead
    cheap_calls: int
    signin_seconds: float  # of steady state per run, after the queue filled
    signin_min_calls: int
    floor_seconds: float
    floor_samples: int
    p80_seconds: float
    contention_seconds: float
    memory_calls: tuple[int, int]
    rounds: int  # turns of the runs that are compared with each other
    # turns of the cheap calls beside the echo: their ratios are the median of
    # the rounds' paired ratios, which wants more rounds than a best-of
    cheap_rounds: int
    overhead_rounds: int  # turns of plain, metrics and traced VerifySession (bench.overhead)
    limits_calls: int  # budget checks timed per limits store (bench.limits_cost)

    @classmethod
    def full(cls) -> Plan:
        return cls(
            quick=False,
            cost=12,
            small_users=1_000,
            large_users=1_000_000,
            cheap_levels=(1, 2, 8, 64),
            refused_levels=(8, 64),
            signin_levels=(1, 2, 8, 64),
            cheap_seconds=4.0,
            cheap_calls=0,
            signin_seconds=8.0,
            signin_min_calls=20,
            floor_seconds=6.0,
            floor_samples=8,
            p80_seconds=30.0,
            contention_seconds=10.0,
            memory_calls=(10_000, 200_000),
            rounds=2,
            cheap_rounds=5,
            overhead_rounds=6,
            limits_calls=20_000,
        )

    @classmethod
    def smoke(cls) -> Plan:
        return cls(
            quick=True,
            cost=4,
            small_users=1_000,
            large_users=1_000,
            cheap_levels=(1, 8),
            refused_levels=(8,),
            signin_levels=(1, 2, 8, 64),
            cheap_seconds=None,
            cheap_calls=200,
            signin_seconds=0.2,
            signin_min_calls=20,
            floor_seconds=0.3,
            floor_samples=20,
            p80_seconds=1.0,
            contention_seconds=1.0,
            memory_calls=(500, 2_000),
            rounds=1,
            cheap_rounds=1,
            overhead_rounds=2,
            limits_calls=500,
        )


@dataclass
class Target:
    """One call against one server: what the load generator is pointed at."""

    call: str
    data: Any
    metadata: dict[str, str]
    server: Server
    lb_strategy: str | None = None  # gRPC's policy over the addresses the server's target names


class Bench:
    """The run over SQLite; subclasses measure other things with the same pieces."""

    suffix = ""  # of this run's files in the output folder, so runs of each kind coexist

    def __init__(self, plan: Plan, out: Path, generator: Generator) -> None:
        self.plan = plan
        self.out = out
        self.work = out / f"work{self.suffix}"
        self.generator = generator
        self.started = time.monotonic()
        self.busy_at_start = machine_busy_seconds()
        self.own_at_start = own_cpu_seconds()
        self.runs: dict[str, LoadResult] = {}
        self.results: dict[str, Any] = {}
        self.floors: list[floor.Floor] = []
        # per SignIn level: the floor it is judged against, measured after each round
        self.paired: dict[int, list[float]] = {}

    # --- output ------------------------------------------------------------------

    def say(self, text: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f}s] {text}", flush=True)

    def record(self, result: LoadResult, round_: int = 0) -> LoadResult:
        """Keeps `result`; of several rounds of one run, the one with the most calls/s
        (whatever else the machine did can only have slowed the others)."""
        kept = self.runs.get(result.name) if round_ else None
        result.rounds = [*(kept.rounds if kept else []), round(result.rps, 2)]
        if kept is None or result.rps > kept.rps:
            self.runs[result.name] = result
        else:
            kept.rounds = result.rounds
        codes = ", ".join(f"{k} {v}" for k, v in sorted(result.codes.items()))
        self.say(
            f"  {result.name}: {result.rps:,.1f}/s, p50 {result.p50_ms:,.2f} ms, "
            f"p99 {result.p99_ms:,.2f} ms, {result.count} calls ({codes}); "
            f"generator CPU {result.generator_cpu_share:.2f} cores"
        )
        return result

    # --- pieces --------------------------------------------------------------------

    def load(self, name: str, target: Target, **kw: Any) -> Load:
        return Load(
            name=name,
            call=target.call,
            data=target.data,
            metadata=target.metadata,
            lb_strategy=target.lb_strategy,
            **kw,
        )

    def cheap(
        self, name: str, target: Target, c: int, *, connections: int = 1, round_: int = 0
    ) -> LoadResult:
        """As many calls as `c` in flight allow, for cheap_seconds (or cheap_calls calls)."""
        plan = self.plan
        load = self.load(
            name,
            target,
            concurrency=c,
            connections=connections,
            duration=plan.cheap_seconds,
            total=None if plan.cheap_seconds else plan.cheap_calls,
            max_seconds=60,
        )
        return self.record(run(self.generator, load, target.server), round_)

    def warm(self, target: Target) -> None:
        """A few hundred calls first: connections, caches and code paths warm."""
        run(
            self.generator,
            self.load("warm-up", target, concurrency=8, total=300, max_seconds=60),
            target.server,
        )

    def signin(self, name: str, target: Target, c: int, *, round_: int = 0) -> LoadResult:
        """SignIn at `c` in flight: the queue fills (left out of the figures), then steady."""
        plan = self.plan
        rate = max(f.throughput_per_second for f in self.floors)
        warm = 0 if c == 1 else c
        total = warm + max(plan.signin_min_calls, 2 * c, math.ceil(rate * plan.signin_seconds))
        load = self.load(
            name, target, concurrency=c, total=total, warmup=warm, max_seconds=60 + 4 * total / rate
        )
        return self.record(run(self.generator, load, target.server), round_)

    def start_passgate(self, name: str, db: Path | str, **kw: Any) -> Server:
        self.say(f"starting {name}")
        server = passgate_server(name, self.work, db, bcrypt_cost=self.plan.cost, **kw)
        return server.start(listeners=kw.get("workers") or 1)

    def api_key(self, db: Path | str) -> str:
        out = passgate_cli("apikey", "create", "--name", "bench", "--database", database_url(db))
        return out.strip().splitlines()[-1]

    def sessions(self, server: Server, key: str, users: int) -> list[str]:
        """Signs in SESSIONS distinct users; returns their session tokens."""
        import grpc

        from passgate.auth.v1 import auth_service_pb2, auth_service_pb2_grpc

        picks = random.Random(7).sample(range(users), min(SESSIONS, users))
        with grpc.insecure_channel(server.target) as channel:
            stub = auth_service_pb2_grpc.AuthServiceStub(channel)

            def one(i: int) -> str:
                reply = stub.SignIn(
                    auth_service_pb2.SignInRequest(
                        email=dataset.email(i), password=dataset.PASSWORD
                    ),
                    metadata=[("x-api-key", key)],
                    timeout=60,
                )
                return str(reply.session_token)

            with ThreadPoolExecutor(len(picks)) as pool:
                return list(pool.map(one, picks))

    def verify_target(self, server: Server, key: str, users: int) -> Target:
        tokens = self.sessions(server, key, users)
        return Target(VERIFY, [{"session_token": t} for t in tokens], {"x-api-key": key}, server)

    @staticmethod
    def refused_target(verify: Target, server: Server) -> Target:
        """`verify`'s calls sent to `server` with a well-formed API key no server knows."""
        return Target(VERIFY, verify.data, {"x-api-key": WRONG_KEY}, server)

    @staticmethod
    def echo_target(server: Server, session_token: str = "pgs_" + "a" * 43) -> Target:
        """The echo, asked with a request of VerifySession's shape: the same
        message and the same metadata (an API key of the same length, which the
        echo never reads, as grpcio hands every server each call's metadata)."""
        from bench.reference_servers import ECHO_CALL

        return Target(ECHO_CALL, {"session_token": session_token}, {"x-api-key": WRONG_KEY}, server)

    @classmethod
    def over_small_database(cls, out: Path, cost: int) -> tuple[Bench, Path, str]:
        """A smoke-plan bench over SMALL_USERS users in `out`, for the one-off tools
        (bench.cpu, bench.profile); its database and an API key of it."""
        db = dataset.users_database(out / "users.db", SMALL_USERS, cost).path
        helper = cls(Plan.smoke(), out, Generator(out / "load", find_ghz()))
        return helper, db, helper.api_key(db)

    def signin_target(self, server: Server, key: str, users: int) -> Target:
        return Target(SIGN_IN, self.signin_data(users), {"x-api-key": key}, server)

    @staticmethod
    def signin_data(users: int) -> dict[str, str]:
        """A random one of `users` users per call (ghz's template), with the right password."""
        return {
            "email": f"user{{{{randomInt 0 {users}}}}}@bench.example",
            "password": dataset.PASSWORD,
        }

    def floor(self) -> None:
        """Measures every bcrypt implementation on the machine, one after the other; one
        that interleaves, at each number of lanes a SignIn level can fill (2 in flight on
        2 cores give each core one hash at a time, not four)."""
        cores = os.cpu_count() or 1
        for name in floor.implementations():
            most = floor.lanes_of(name)
            for each in sorted(
                {min(most, floor.lanes_filled(c, cores)) for c in self.plan.signin_levels}
            ):
                found = self._measured_floor(name, each)
                self.say(f"  one verification {found.single_seconds * 1000:.1f} ms")

    def _measured_floor(self, name: str, lanes: int) -> floor.Floor:
        """Implementation `name`'s floor at `lanes` hashes per call, measured now and kept."""
        plan = self.plan
        self.say(f"bcrypt floor at cost {plan.cost}: {name}, {lanes} lane(s)")
        found = floor.measure(
            plan.cost,
            name,
            single_samples=plan.floor_samples,
            seconds=plan.floor_seconds,
            lanes=lanes,
        )
        self.floors.append(found)
        self.say(f"  {found.throughput_per_second:.2f}/s on all cores")
        return found

    # --- the run ---------------------------------------------------------------------

    def machine(self) -> dict[str, Any]:
        model = ""
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        import bcrypt
        import grpc

        def git(*args: str) -> str:
            try:
                return subprocess.run(
                    ["git", *args],
                    cwd=REPO,
                    capture_output=True,
                    text=True,
                    timeout=10,
                    check=False,
                ).stdout.strip()
            except OSError:
                return ""

        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        return {
            "cores": os.cpu_count(),
            "cpu_model": model,
            "memory_gib": round(memory / 2**30, 1),
            "kernel": platform.release(),
            "python": platform.python_version(),
            "grpcio": grpc.__version__,
            "bcrypt": bcrypt.__version__,
            "load_average_at_start": os.getloadavg(),
            "passgate_commit": git("rev-parse", "--short", "HEAD"),
            "passgate_tree_changed": bool(git("status", "--porcelain", "--", "server")),
        }

    def execute(self) -> dict[str, Any]:
        """The whole run; its results, ratios included."""
        self.begin()
        self.measure()
        return self.finish()

    def begin(self) -> None:
        """A clean work folder, and what the run is: machine, plan, server model."""
        plan = self.plan
        if self.work.exists():
            shutil.rmtree(self.work)
        self.generator.workdir.mkdir(parents=True)
        r = self.results
        r["mode"] = "quick" if plan.quick else "full"
        r["started_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        r["machine"] = self.machine()
        r["generator"] = self.generator.name
        r["plan"] = asdict(plan)
        workers = serve_has_flag("--workers")
        r["server_model"] = {**passgate_shape(), "bcrypt_cost": plan.cost, "workers_flag": workers}

    def measure(self) -> None:
        """Every measurement of the run over SQLite."""
        r = self.results
        self.floor()
        small, large = self.datasets()
        self.side_by_side(small.path, large.path)
        self.keep_floor()
        overhead.measure(self, small.path)
        self.memory(small.path)
        if r["server_model"]["workers_flag"]:
            self.scaling(small.path)
        else:
            r["workers"] = {
                "available": False,
                "reason": "`passgate serve --help` lists no --workers flag",
            }

    def datasets(self) -> tuple[dataset.Dataset, dataset.Dataset]:
        """The small and the large users database, as SQLite files in the work folder."""
        plan = self.plan
        self.say("databases")
        small = dataset.users_database(
            self.work / "users-small.db", plan.small_users, plan.cost, log=self.say
        )
        large = dataset.users_database(
            self.work / "users-large.db", plan.large_users, plan.cost, log=self.say
        )
        self.results["datasets"] = {"small": small.as_dict(), "large": large.as_dict()}
        return small, large

    def keep_floor(self) -> None:
        """Records the bcrypt floors the SignIn ratios divide by: overall, the fastest
        implementation that gives pyca's answers, and per SignIn level, the fastest at
        as many lanes per core as that many calls in flight can fill (so the ratios are,
        if anything, strict), with its measurements taken beside each round."""
        agreeing = [f for f in self.floors if f.agrees]
        best = max(agreeing, key=lambda f: f.throughput_per_second)
        at_level = {}
        for c in self.plan.signin_levels:
            found = self._fastest_for(c)
            at_level[str(c)] = {
                "throughput_per_second": found.throughput_per_second,
                "implementation": found.implementation,
                "lanes": found.lanes,
                "paired": self.paired.get(c, []),
            }
        self.results["bcrypt"] = {
            **best.as_dict(),
            "single_seconds": min(
                f.single_seconds for f in self.floors if f.implementation == best.implementation
            ),
            "at_concurrency": at_level,
            "measurements": [f.as_dict() for f in self.floors],
        }

    def _fastest_for(self, in_flight: int) -> floor.Floor:
        """Of the floors measured so far that give pyca's answers, the fastest at as many
        lanes per core as `in_flight` calls can fill."""
        return max(
            (
                f
                for f in self.floors
                if f.agrees and f.lanes <= floor.lanes_filled(in_flight, f.cores)
            ),
            key=lambda f: f.throughput_per_second,
        )

    def ratios(self) -> list[dict[str, Any]]:
        return report.ratios(self.results)

    def finish(self) -> dict[str, Any]:
        """What the machine did meanwhile, every run, and the ratios."""
        r = self.results
        r["machine"]["load_average_at_end"] = os.getloadavg()
        r["runs"] = {name: res.as_dict() for name, res in self.runs.items()}
        wall = time.monotonic() - self.started
        r["duration_seconds"] = round(wall, 1)
        others = (machine_busy_seconds() - self.busy_at_start) - (
            own_cpu_seconds() - self.own_at_start
        )
        r["machine"]["other_processes_cpu_share"] = round(
            max(0.0, others) / (wall * (os.cpu_count() or 1)), 3
        )
        r["ratios"] = self.ratios()
        return r

    def side_by_side(self, small_db: Path, large_db: Path) -> None:
        """The echo server and three passgate servers up at once, measured in turns, so
        that whatever else the machine does falls on all of them alike."""
        plan = self.plan
        # a copy of the small database for the server with default limits
        limits_db = small_db.with_name("users-small-limits.db")
        shutil.copyfile(small_db, limits_db)
        key, large_key = self.api_key(small_db), self.api_key(large_db)
        self.say("starting the echo server and three passgate servers")
        with ExitStack() as servers:
            echo = servers.enter_context(echo_server("echo", self.work, passgate_shape()).start())
            pg = servers.enter_context(self.start_passgate("passgate", small_db))
            # the API-key gate as deployed: default rate limits, but for the address
            # budget, which refused keys spend too: the load generator, one address,
            # would spend it in a second and measure RESOURCE_EXHAUSTED from then on
            pg_limits = servers.enter_context(
                self.start_passgate(
                    "passgate-limits", limits_db, limits=True, extra=("--ip-rate", HUGE_RATE)
                )
            )
            pg_large = servers.enter_context(self.start_passgate("passgate-large", large_db))
            verify = self.verify_target(pg, key, plan.small_users)
            targets = {
                "echo": self.echo_target(echo, verify.data[0]["session_token"]),
                "verify": verify,
                "refused": self.refused_target(verify, pg_limits),
                "large-verify": self.verify_target(pg_large, large_key, plan.large_users),
            }
            for target in targets.values():
                self.warm(target)
            jobs = [
                (f"{kind}-c{c}", target, c)
                for c in plan.cheap_levels
                for kind, target in targets.items()
                if kind in ("echo", "verify") or c in plan.refused_levels
            ]
            self.cheap_in_turns(jobs)
            echo.stop()
            pg_limits.stop()

            signin = self.signin_target(pg, key, plan.small_users)
            self.signin_levels(signin, plan.signin_levels)
            self.signin_at_80_percent(signin)
            self.contention(verify, signin)
            self.large_vs_small_signin(
                signin, self.signin_target(pg_large, large_key, plan.large_users)
            )

    def cheap_in_turns(self, jobs: list[tuple[str, Target, int]]) -> None:
        """Each (name, target, calls in flight) in turn, for every round."""
        self.say(f"cheap calls: {len(jobs)} runs in turns, {self.plan.cheap_rounds} round(s)")
        for round_ in range(self.plan.cheap_rounds):
            for name, target, c in jobs:
                self.cheap(name, target, c, round_=round_)

    def signin_levels(self, signin: Target, levels: Sequence[int]) -> None:
        """SignIn at each number of calls in flight, for every round, each round followed
        by the floors its levels are judged against: the machine's speed moves within a
        run (by a sixth for the four-lane kernel from one minute to the next), so each
        round is divided by floors taken beside it, not by ones taken minutes away."""
        self.say(f"SignIn per concurrency, {self.plan.rounds} round(s)")
        chosen = {c: self._fastest_for(c) for c in levels}
        for round_ in range(self.plan.rounds):
            for c in levels:
                self.signin(f"signin-c{c}", signin, c, round_=round_)
            self.paired_floors(chosen)

    def paired_floors(self, chosen: dict[int, floor.Floor]) -> None:
        """Measures again, once each, the floor implementation and lanes chosen for each
        SignIn level, and appends each level's figure to `paired`."""
        again: dict[tuple[str, int], floor.Floor] = {}
        for c, chosen_floor in chosen.items():
            kind = (chosen_floor.implementation, chosen_floor.lanes)
            if kind not in again:
                again[kind] = self._measured_floor(*kind)
            self.paired.setdefault(c, []).append(again[kind].throughput_per_second)

    def large_vs_small_signin(self, small: Target, large: Target) -> None:
        """SignIn over the small and the large database, 8 in flight, in turns."""
        plan = self.plan
        self.say(f"SignIn over {plan.large_users:,} users and over {plan.small_users:,}")
        for round_ in range(plan.rounds):
            self.signin("small-signin-c8", small, 8, round_=round_)
            self.signin("large-signin-c8", large, 8, round_=round_)

    def signin_at_80_percent(self, signin: Target) -> None:
        plan = self.plan
        peak = max(self.runs[f"signin-c{c}"].rps for c in plan.signin_levels)
        target = 0.8 * peak
        self.say(f"SignIn at 80 % of its peak ({target:.1f}/s)")
        total = max(plan.signin_min_calls, math.ceil(target * plan.p80_seconds))
        load = self.load(
            "signin-p80",
            signin,
            concurrency=32,
            rps=target,
            total=total,
            max_seconds=60 + 3 * plan.p80_seconds,
        )
        self.record(run(self.generator, load, signin.server))

    def contention(self, verify: Target, signin: Target) -> None:
        """VerifySession at a steady, modest rate: alone, beside saturating SignIns, alone."""
        plan = self.plan
        peak = max(self.runs[f"verify-c{c}"].rps for c in plan.cheap_levels)
        rate = max(20.0, round(0.1 * peak))
        seconds = plan.contention_seconds
        self.say(f"VerifySession at {rate:.0f}/s alone, beside saturating SignIns, alone again")

        def probe(name: str) -> None:
            load = self.load(
                name,
                verify,
                concurrency=8,
                rps=rate,
                total=math.ceil(rate * seconds),
                max_seconds=60 + 3 * seconds,
            )
            self.record(run(self.generator, load, verify.server))

        probe("verify-idle-before")
        flood = self.load(
            "signin-flood", signin, concurrency=max(plan.signin_levels), duration=seconds + 3
        )
        flooding = self.generator.start(flood, signin.server)
        time.sleep(1.5)  # the SignIn queue fills
        probe("verify-busy")
        self.record(flooding.wait())
        # the SignIns still queued in the server when ghz stopped are served first
        waited = verify.server.wait_idle()
        self.say(f"  the server drained its SignIn queue in {waited:.1f} s")
        probe("verify-idle-after")

    def memory(self, db: Path) -> None:
        plan = self.plan
        first, last = plan.memory_calls
        self.say(f"resident memory after {first:,} and {last:,} calls")
        key = self.api_key(db)
        with self.start_passgate("passgate-memory", db) as pg:
            verify = self.verify_target(pg, key, plan.small_users)
            rss_start = pg.rss_bytes()
            done = len(verify.data)  # the sign-ins that made the sessions
            errors = 0
            rss_after: list[int] = []
            for name, calls in (("memory-first", first - done), ("memory-rest", last - first)):
                load = self.load(name, verify, concurrency=8, total=calls, max_seconds=900)
                errors += self.record(run(self.generator, load, pg)).errors
                time.sleep(1)
                rss_after.append(pg.rss_bytes())
            rss_first, rss_last = rss_after
        self.results["memory"] = {
            "calls": [first, last],
            "call": VERIFY,
            "rss_bytes_at_start": rss_start,
            "rss_bytes_after_first": rss_first,
            "rss_bytes_after_last": rss_last,
            "errors": errors,
        }
        self.say(
            f"  RSS {rss_start / 2**20:.1f} MiB at start, {rss_first / 2**20:.1f} MiB "
            f"after {first:,}, {rss_last / 2**20:.1f} MiB after {last:,}"
        )

    def scaling(self, db: Path) -> None:
        """VerifySession with 1 worker process and with one per core, in turns; the load
        comes over several connections, since the kernel spreads connections, not calls."""
        cores = os.cpu_count() or 1
        key = self.api_key(db)
        found: dict[str, Any] = {
            "available": True,
            "cores": cores,
            "connections": 4 * cores,
            "concurrency": 64,
        }
        with ExitStack() as servers:
            targets = {}
            for n in sorted({1, cores}):
                pg = servers.enter_context(
                    self.start_passgate(f"passgate-workers{n}", db, workers=n)
                )
                targets[n] = self.verify_target(pg, key, self.plan.small_users)
                self.warm(targets[n])
                found[f"workers_{n}"] = f"workers{n}-verify-c64"
            for round_ in range(self.plan.rounds):
                for n, target in targets.items():
                    self.cheap(
                        f"workers{n}-verify-c64", target, 64, connections=4 * cores, round_=round_
                    )
        self.results["workers"] = found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="the smoke run: seconds, bcrypt cost 4, tiny call counts",
    )
    kinds = parser.add_mutually_exclusive_group()
    kinds.add_argument(
        "--postgresql",
        action="store_true",
        help="the run over a throwaway PostgreSQL 15 cluster: results-postgresql.json, .md",
    )
    kinds.add_argument(
        "--cluster",
        action="store_true",
        help="three replicas over PostgreSQL and Redis against --workers 3 over SQLite: "
        "results-cluster.json, .md",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "bench" / "out",
        help="where results.json, results.md and plot.png go",
    )
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    plan = Plan.smoke() if args.quick else Plan.full()
    ghz = find_ghz()
    if ghz is None:
        print(
            "ghz not found (scripts/toolchains installs it): using the Python load generator",
            file=sys.stderr,
        )
    kind = Bench
    if args.postgresql:
        from bench.postgresql import PostgresqlBench

        kind = PostgresqlBench
    if args.cluster:
        from bench.cluster import ClusterBench

        kind = ClusterBench
    suffix = kind.suffix
    bench = kind(plan, out, Generator(out / f"work{suffix}" / "load", ghz))
    results = bench.execute()
    written = out / f"results{suffix}.json", out / f"results{suffix}.md", out / f"plot{suffix}.png"
    written[0].write_text(json.dumps(results, indent=2, default=str) + "\n")
    table = report.markdown(results)
    written[1].write_text(table)
    plotted = report.plot(results, written[2])
    print()
    print(table)
    print(
        f"wrote {written[0]}, {written[1]}"
        + (f", {written[2]}" if plotted else " (no plot: matplotlib is not installed)")
    )
    return 0
