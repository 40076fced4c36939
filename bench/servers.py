"""Servers under test as child processes: passgate itself and the echo reference.

Each is started with the bench's own Python, waited for through gRPC health
checking, measured through /proc (resident memory, CPU time, summed over the
process and its children so that multi-process serving counts whole), and
stopped with SIGTERM.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import TracebackType

from passgate.testing import LISTENING, tcp_sockets, wait_for_health

REPO = Path(__file__).resolve().parent.parent
HUGE_RATE = "1000000/1s"
_CLK_TCK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_env() -> dict[str, str]:
    """The environment children run in: the repository importable, no stray PASSGATE_*
    settings, nor OTEL_* ones that would turn tracing on where a run wants it off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PASSGATE_", "OTEL_"))}
    path = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(REPO) if not path else f"{REPO}{os.pathsep}{path}"
    return env


def database_url(database: Path | str) -> str:
    """passgate's URL of `database`: a SQLite file's path, or already a URL."""
    return f"sqlite:///{database}" if isinstance(database, Path) else database


def passgate_cli(
    *args: str,
    stdin: str | None = None,
    timeout: float = 120,
    env: Mapping[str, str] | None = None,
) -> str:
    """Runs a `passgate` verb with the bench's Python; returns its stdout. `env`
    adds PASSGATE_* settings (the side files a database off SQLite needs)."""
    result = subprocess.run(
        [sys.executable, "-m", "passgate.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**bench_env(), **(env or {})},
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"passgate {' '.join(args[:2])} failed:\n{result.stderr[-3000:]}")
    return result.stdout


@cache
def serve_help() -> str:
    return passgate_cli("serve", "--help")


def serve_has_flag(flag: str) -> bool:
    return flag in serve_help().split()


def _children(pid: int) -> list[int]:
    """Every live descendant of `pid`."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def machine_cpu_seconds() -> dict[str, float]:
    """The machine's CPU time since boot, per kind (/proc/stat's first line)."""
    kinds = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
    values = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    return {kind: int(v) / _CLK_TCK for kind, v in zip(kinds, values, strict=False)}


def _cpu_seconds(stat: str, with_children: bool = True) -> float:
    """CPU seconds from a /proc stat file: utime and stime (fields 14-15 of
    proc(5), 12-13 after the name), and the waited-for children's (16-17)."""
    try:
        fields = Path(stat).read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(v) for v in fields[11 : 15 if with_children else 13]) / _CLK_TCK


def _rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    except OSError:
        return 0


@dataclass
class Server:
    """A gRPC server process on a loopback port."""

    name: str
    argv: Sequence[str]
    workdir: Path
    port: int
    env: dict[str, str] = field(default_factory=bench_env)
    process: subprocess.Popen[bytes] | None = None
    host: str = "127.0.0.1"  # a loopback address: replicas each have their own

    @property
    def target(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def python_target(self) -> str:
        """The target as Python's gRPC (the fallback load generator) names it."""
        return self.target

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}.log"

    def listeners(self) -> int:
        """Sockets listening on the server's port (one per worker with SO_REUSEPORT)."""
        return sum(1 for s in tcp_sockets() if s.local_port == self.port and s.state == LISTENING)

    def start(self, timeout: float = 60, listeners: int = 1) -> Server:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                list(self.argv),
                env=self.env,
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_serving(timeout)
        deadline = time.monotonic() + timeout
        while self.listeners() < listeners:  # every worker up, not only the first
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"{self.name}: fewer than {listeners} listeners")
            time.sleep(0.05)
        return self

    def _wait_serving(self, timeout: float) -> None:
        try:
            wait_for_health(self.target, self.process, timeout, self.log_tail, self.name)
        except TimeoutError:
            self.stop()
            raise

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    @property
    def pids(self) -> list[int]:
        assert self.process is not None
        return [self.process.pid, *_children(self.process.pid)]

    def rss_bytes(self) -> int:
        """Resident memory of the server and every process it started."""
        return sum(_rss_bytes(pid) for pid in self.pids)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of the server and every process it started."""
        return sum(_cpu_seconds(f"/proc/{pid}/stat") for pid in self.pids)

    def main_thread_cpu_seconds(self) -> float:
        """CPU time of the server's main thread: where an asyncio server runs its event loop."""
        assert self.process is not None
        pid = self.process.pid
        return _cpu_seconds(f"/proc/{pid}/task/{pid}/stat", with_children=False)

    def wait_idle(self, cores: float = 0.15, window: float = 0.5, timeout: float = 60) -> float:
        """Waits until the server uses less than `cores` of CPU over `window` seconds
        (calls queued before still being served); returns the seconds waited."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            before = self.cpu_seconds()
            time.sleep(window)
            if (self.cpu_seconds() - before) / window < cores:
                break
        return time.monotonic() - started

    def stop(self, timeout: float = 30) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def __enter__(self) -> Server:
        return self if self.process is not None else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def passgate_server(
    name: str,
    workdir: Path,
    database: Path | str,
    *,
    bcrypt_cost: int,
    limits: bool = False,
    workers: int | None = None,
    extra: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    host: str = "127.0.0.1",
    port: int | None = None,
) -> Server:
    """`passgate serve` over `database` (a SQLite file or a URL); rate limits huge unless
    `limits` asks for the defaults. `env` adds PASSGATE_* settings, such as the side
    files a server off SQLite must be told of; `host` and `port` where it listens
    (a free port of 127.0.0.1 by default)."""
    port = port or free_port()
    argv = [
        sys.executable,
        "-m",
        "passgate.cli",
        "serve",
        "--listen",
        f"{host}:{port}",
        "--database",
        database_url(database),
        "--mail-dir",
        str(workdir / f"{name}-mail"),
        "--bcrypt-cost",
        str(bcrypt_cost),
    ]
    if not limits:
        argv += ["--key-rate", HUGE_RATE, "--ip-rate", HUGE_RATE]
    if workers is not None:
        argv += ["--workers", str(workers)]
    argv += list(extra)
    return Server(name, argv, workdir, port, env={**bench_env(), **(env or {})}, host=host)


def echo_server(name: str, workdir: Path, shape: dict[str, int]) -> Server:
    """The bare echo server, with passgate's bounds (`shape`)."""
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "bench.reference_servers",
        "echo",
        "--listen",
        f"127.0.0.1:{port}",
        "--max-message-bytes",
        str(shape["max_message_bytes"]),
        "--max-metadata-bytes",
        str(shape["max_metadata_bytes"]),
        "--max-concurrent-rpcs",
        str(shape["max_concurrent_rpcs"]),
    ]
    return Server(name, argv, workdir, port)


def passgate_shape() -> dict[str, int]:
    """The server model passgate serves with by default, for the echo server to copy."""
    from passgate.config import Settings

    settings = Settings()
    return {
        "max_message_bytes": settings.max_message_bytes,
        "max_metadata_bytes": settings.max_metadata_bytes,
        "max_concurrent_rpcs": settings.max_concurrent_rpcs,
    }
