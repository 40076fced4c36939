"""Driving load: ghz with JSON output, or bench/pyload.py where ghz is missing.

Every run is bounded in count and in time: a count (`-n`) with a maximum
duration (`-x`), or a duration (`-z`); the generator is killed if it
overruns its bound by a margin. The generator's own CPU time is taken from
the kernel's accounting of the child (wait4), so the report can say how much
of the machine the load itself used.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.servers import REPO, Server, bench_env, machine_cpu_seconds

GHZ_VERSION = "v0.93.0"
_RFC3339 = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|z|[+-]\d\d:\d\d)")


def find_ghz() -> str | None:
    """ghz from $PASSGATE_GHZ, PATH, or scripts/toolchains' cache."""
    explicit = os.environ.get("PASSGATE_GHZ")
    if explicit:
        return explicit
    found = shutil.which("ghz")
    if found:
        return found
    tools = Path(os.environ.get("PASSGATE_TOOLS", Path.home() / ".cache/passgate-tools"))
    cached = tools / "bin" / "ghz"
    return str(cached) if cached.is_file() and os.access(cached, os.X_OK) else None


@dataclass
class Load:
    """One load run: a method called with fixed metadata and one or more messages."""

    name: str
    call: str  # package.Service.Method
    data: Mapping[str, Any] | Sequence[Mapping[str, Any]]
    metadata: Mapping[str, str] = field(default_factory=dict)
    concurrency: int = 1
    total: int | None = None  # calls; or
    duration: float | None = None  # seconds
    rps: float | None = None  # a constant rate instead of as fast as possible
    connections: int = 1
    max_seconds: float = 120.0  # bound of a count-based run
    warmup: int = 0  # completions left out of the figures (the fill-up of a queue)
    protoset: Path | None = None
    lb_strategy: str | None = None  # gRPC's policy over the addresses the target names


@dataclass
class LoadResult:
    name: str
    call: str
    concurrency: int
    connections: int
    rps_target: float | None
    count: int  # calls in the figures (after warm-up)
    seconds: float  # the window the figures cover
    rps: float  # completions per second in that window
    codes: dict[str, int]
    errors: int  # calls that did not answer OK
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    generator: str
    generator_cpu_seconds: float
    generator_wall_seconds: float
    server_cpu_seconds: float | None = None
    server_loop_cpu_seconds: float | None = None  # its main thread's: the event loop's
    # CPU time the hypervisor took from this machine during the run (all cores):
    # the machine stood still for a while, whatever ran on it.
    steal_ms: float = 0.0
    end_reason: str = ""
    rounds: list[float] = field(default_factory=list)  # calls/s of each round run

    @property
    def generator_cpu_share(self) -> float:
        """The generator's CPU time over the run's wall time (1.0 = one core busy)."""
        return self.generator_cpu_seconds / max(self.generator_wall_seconds, 1e-9)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["generator_cpu_share"] = round(self.generator_cpu_share, 3)
        return out


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def _timestamp(text: str) -> float:
    """An RFC 3339 timestamp as ghz writes it (nanoseconds; `Z` or an offset) in epoch seconds."""
    match = _RFC3339.fullmatch(text)
    if match is None:
        raise ValueError(f"not a timestamp: {text!r}")
    whole, frac, zone = match.groups()
    seconds = datetime.fromisoformat(whole + ("+00:00" if zone in ("Z", "z") else zone))
    return seconds.timestamp() + (float("0" + frac) if frac else 0.0)


def summarise(load: Load, report: dict[str, Any], cpu: float, wall: float, gen: str) -> LoadResult:
    """Figures of one run from the generator's JSON (ghz's format: per-call details)."""
    calls = []
    for detail in report.get("details") or ():
        # ghz stamps each call when it ends (gRPC's stats.End)
        end = _timestamp(detail["timestamp"])
        calls.append((end, detail["latency"] / 1e9, detail.get("status") or "OK"))
    calls.sort()
    kept = calls[load.warmup :] if len(calls) > load.warmup + 1 else calls
    codes: dict[str, int] = {}
    for _, _, status in kept:
        codes[status] = codes.get(status, 0) + 1
    latencies = sorted(c[1] for c in kept)
    if load.warmup and len(kept) < len(calls):
        # completions per second after the queue filled: from the last warm-up completion on
        window = kept[-1][0] - calls[load.warmup - 1][0]
        rps = len(kept) / window if window > 0 else math.nan
    else:
        window = report.get("total", 0) / 1e9
        rps = float(report.get("rps") or (len(kept) / window if window else math.nan))
    ms = 1000.0
    return LoadResult(
        name=load.name,
        call=load.call,
        concurrency=load.concurrency,
        connections=load.connections,
        rps_target=load.rps,
        count=len(kept),
        seconds=round(window, 4),
        rps=rps,
        codes=codes,
        errors=sum(n for code, n in codes.items() if code != "OK"),
        p50_ms=percentile(latencies, 50) * ms,
        p90_ms=percentile(latencies, 90) * ms,
        p99_ms=percentile(latencies, 99) * ms,
        mean_ms=(sum(latencies) / len(latencies) * ms) if latencies else math.nan,
        max_ms=(latencies[-1] * ms) if latencies else math.nan,
        generator=gen,
        generator_cpu_seconds=round(cpu, 3),
        generator_wall_seconds=round(wall, 3),
        end_reason=str(report.get("endReason", "")),
    )


class Generator:
    """Runs Loads against a server with ghz, or with the Python fallback."""

    def __init__(self, workdir: Path, ghz: str | None) -> None:
        self.workdir = workdir
        self.ghz = ghz
        self.name = f"ghz {GHZ_VERSION}" if ghz else "bench.pyload (Python fallback)"
        self._runs = 0

    def start(self, load: Load, server: Server) -> Running:
        """Starts `load` against `server` in the background."""
        self._runs += 1
        stem = self.workdir / f"{self._runs:03d}-{load.name}"
        data_file = stem.with_suffix(".data.json")
        data_file.write_text(json.dumps(load.data))
        out = stem.with_suffix(".out.json")
        args = [
            "--insecure",
            "--call",
            load.call,
            "--data-file",
            str(data_file),
            "--metadata",
            json.dumps(dict(load.metadata)),
            "--concurrency",
            str(load.concurrency),
            "--connections",
            str(load.connections),
            "--timeout",
            f"{int(load.max_seconds)}s",
            "--format",
            "json",
            "--output",
            str(out),
        ]
        if load.duration is not None:
            args += ["--duration", f"{load.duration:g}s", "--duration-stop", "ignore"]
            bound = load.duration + 30
        else:
            # ghz 0.93 lets --max-duration override --total, so the bound on a count is
            # enforced here: SIGINT at max_seconds (ghz then reports what it has)
            assert load.total is not None, "a load needs a total or a duration"
            args += ["--total", str(load.total)]
            bound = load.max_seconds
        if load.rps is not None:
            args += ["--rps", str(max(1, round(load.rps)))]
        if load.protoset is not None:
            args += ["--protoset", str(load.protoset)]
        if load.lb_strategy is not None and not self.ghz:
            # ghz takes the policy from the target's name (bench.loopback_dns)
            args += ["--lb-strategy", load.lb_strategy]
        argv = (
            [self.ghz, *args, server.target]
            if self.ghz
            else [sys.executable, "-m", "bench.pyload", *args, server.python_target]
        )
        return Running(self, load, server, argv=argv, out=out, bound=bound)


class Running:
    """A load generator process; `wait()` returns its figures."""

    def __init__(
        self,
        generator: Generator,
        load: Load,
        server: Server,
        *,
        argv: list[str],
        out: Path,
        bound: float,
    ) -> None:
        self.generator = generator
        self.load = load
        self.server = server
        self.out = out
        self.bound = bound
        self.log = out.with_suffix(".log")
        self.server_cpu_before = server.cpu_seconds()
        self.server_loop_cpu_before = server.main_thread_cpu_seconds()
        self.steal_before = machine_cpu_seconds()["steal"]
        self.started = time.monotonic()
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                argv, stdout=log, stderr=subprocess.STDOUT, env=bench_env(), cwd=REPO
            )

    def wait(self) -> LoadResult:
        interrupt_at = self.started + self.bound
        kill_at = interrupt_at + 15
        interrupted = False
        while True:
            pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
            if pid:
                break
            now = time.monotonic()
            if now > kill_at:
                self.process.send_signal(signal.SIGKILL)
                pid, status, usage = os.wait4(self.process.pid, 0)
                break
            if now > interrupt_at and not interrupted:
                self.process.send_signal(signal.SIGINT)  # stop, and report what was done
                interrupted = True
            time.sleep(0.02)
        self.process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - self.started
        server_cpu = self.server.cpu_seconds() - self.server_cpu_before
        server_loop_cpu = self.server.main_thread_cpu_seconds() - self.server_loop_cpu_before
        steal = machine_cpu_seconds()["steal"] - self.steal_before
        if self.process.returncode != 0 or not self.out.exists():
            log = self.log.read_text(errors="replace")[-2000:]
            raise RuntimeError(
                f"load {self.load.name} failed (exit {self.process.returncode}):\n{log}"
            )
        report = json.loads(self.out.read_text())
        result = summarise(
            self.load, report, usage.ru_utime + usage.ru_stime, wall, self.generator.name
        )
        result.server_cpu_seconds = round(server_cpu, 3)
        result.server_loop_cpu_seconds = round(server_loop_cpu, 3)
        result.steal_ms = round(steal * 1000, 1)
        return result


def run(generator: Generator, load: Load, server: Server) -> LoadResult:
    return generator.start(load, server).wait()
