"""Test helpers shipped with passgate: a real server process on a free
loopback port over a throwaway SQLite file, and readers for its mail folder."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import grpc
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from passgate.app import Passgate, build
from passgate.clock import ManualClock
from passgate.config import Settings
from passgate.identity.bcrypt_backends import Bcrypt, fastest_bcrypt
from passgate.identity.passwords import TESTING_COST, PasswordHasher
from passgate.identity.users import Users
from passgate.logs import JsonFormatter
from passgate.mail.mail_folder import ResetLink, reset_links
from passgate.mail.mailers import MemoryMailer
from passgate.rates import Rate

_STATUS_DETAILS_KEY = "grpc-status-details-bin"


LISTENING = "0A"  # a socket's state in /proc/net/tcp


@dataclass(frozen=True)
class TcpSocket:
    local_port: int
    state: str  # /proc/net/tcp's, in hex: LISTENING, …
    inode: str


def tcp_sockets() -> Iterator[TcpSocket]:
    """Every TCP socket on this machine, read from Linux's /proc (none elsewhere):
    which servers listen on a port, which process holds a connection."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            yield TcpSocket(int(fields[1].rsplit(":", 1)[1], 16), fields[3], fields[9])


def end_process(
    process: subprocess.Popen[bytes] | None,
    signum: signal.Signals = signal.SIGTERM,
    timeout: float = 30.0,
) -> None:
    """Sends `signum` unless the process has exited, waits for it at most
    `timeout` seconds, then kills it: every server a test or tool started ends."""
    if process is None:
        return
    if process.poll() is None:
        process.send_signal(signum)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def wait_for_health(
    target: str,
    process: subprocess.Popen[bytes] | None,
    timeout: float,
    log_text: Callable[[], str],
    name: str,
    *,
    credentials: grpc.ChannelCredentials | None = None,
) -> None:
    """Waits until the server at `target` reports SERVING (asked over TLS with
    `credentials`); fails early if `process` exits."""
    deadline = time.monotonic() + timeout
    with (
        grpc.secure_channel(target, credentials)
        if credentials is not None
        else grpc.insecure_channel(target)
    ) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"{name} exited early:\n{log_text()[-3000:]}")
            try:
                reply = stub.Check(health_pb2.HealthCheckRequest(), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            time.sleep(0.05)
    raise TimeoutError(f"{name} did not serve within {timeout}s:\n{log_text()[-3000:]}")


class ServerProcess:
    """`passgate serve` as a child process; a context manager that stops it with SIGTERM."""

    def __init__(
        self,
        workdir: Path,
        *,
        extra_args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        database_url: str | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
        file_mailer: bool = True,
        credentials: grpc.ChannelCredentials | None = None,
    ) -> None:
        """`file_mailer=False` leaves the mail flags to `extra_args` (e.g. --smtp-host).
        `host` is any loopback address (all of 127/8 answers on Linux): replicas
        on one machine each take their own, as they would their own machine."""
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.host = host
        self.credentials = credentials  # a TLS server's, for the health checks
        self.port = port or free_port(host)
        self.target = f"{host}:{self.port}"
        self.database_url = database_url or f"sqlite:///{self.workdir / 'passgate.db'}"
        self.mail_dir = self.workdir / "mail"
        self.file_mailer = file_mailer
        self.log_path = self.workdir / "server.log"
        self.env = {
            **os.environ,
            "PASSGATE_DATABASE": self.database_url,
            "PASSGATE_BCRYPT_COST": str(TESTING_COST),
            "PASSGATE_KEY_RATE": "100000/1s",
            "PASSGATE_IP_RATE": "100000/1s",
            "PASSGATE_RESET_IP_RATE": "100000/1s",
            **self._side_files(),
            **(env or {}),
        }
        self.extra_args = extra_args
        self.process: subprocess.Popen[bytes] | None = None
        self.api_key = ""

    def _side_files(self) -> dict[str, str]:
        """Off SQLite the sealing key and the limits store must be named: in
        the work folder, unless the caller shares them between servers."""
        if self.database_url.startswith("sqlite:"):
            return {}
        return {
            "PASSGATE_SECRET_FILE": str(self.workdir / "passgate.secret"),
            "PASSGATE_LIMITS_STORE": f"sqlite:///{self.workdir / 'passgate.limits'}",
        }

    # --- lifecycle -----------------------------------------------------------

    def start(self, timeout: float = 30.0) -> ServerProcess:
        mail = ["--mail-dir", str(self.mail_dir)] if self.file_mailer else []
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [*self.passgate, "serve", "--listen", self.target, *mail, *self.extra_args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
            )
        try:
            self.wait_serving(timeout)
        except BaseException:  # a server that never answered is not left running
            end_process(self.process, timeout=5)
            raise
        if not self.api_key:
            self.api_key = self.create_api_key("tests")
        return self

    def wait_serving(self, timeout: float = 30.0) -> None:
        wait_for_health(
            self.target,
            self.process,
            timeout,
            self.log_text,
            "passgate",
            credentials=self.credentials,
        )

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, then the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def kill(self) -> None:
        """SIGKILL: no chance to clean up."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                self.stop()
            except subprocess.TimeoutExpired:
                self.kill()

    # --- the CLI -------------------------------------------------------------

    @property
    def passgate(self) -> list[str]:
        return [sys.executable, "-m", "passgate.cli"]

    def cli(
        self, *args: str, stdin: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [*self.passgate, *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=self.workdir,
            check=False,
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"passgate {' '.join(args)} failed: {result.stderr}")
        return result

    def create_api_key(self, name: str, *options: str) -> str:
        return (
            self.cli("apikey", "create", "--name", name, *options).stdout.strip().splitlines()[-1]
        )

    def create_user(
        self,
        email: str,
        password: str,
        username: str | None = None,
        search_key: tuple[str, str] | None = None,
        tenant: str = "default",
    ) -> str:
        args = ["user", "create", "--email", email, "--password-stdin", "--tenant", tenant]
        if username is not None:
            args += ["--username", username]
        if search_key is not None:
            args += ["--search-key", f"{search_key[0]}={search_key[1]}"]
        return self.cli(*args, stdin=password + "\n").stdout.strip().splitlines()[-1]

    # --- what it wrote -------------------------------------------------------

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def reset_links(self) -> list[ResetLink]:
        return reset_links(self.mail_dir) if self.mail_dir.exists() else []

    def wait_reset_links(self, n: int, timeout: float = 15.0) -> list[ResetLink]:
        """Waits until the mail folder holds at least `n` reset links."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            links = self.reset_links()
            if len(links) >= n:
                return links
            time.sleep(0.05)
        raise TimeoutError(f"expected {n} reset links, found {len(self.reset_links())}")


# --- bcrypt work ---------------------------------------------------------------


@dataclass
class RecordingBcrypt:
    """A bcrypt implementation that records every call and passes it on to a
    real one (by default the one passgate would use): what tests count when
    they check how much bcrypt work a path spends."""

    inner: Bcrypt = field(default_factory=fastest_bcrypt)
    checkpw_hashes: list[bytes] = field(default_factory=list)
    hashpw_settings: list[bytes] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"recording {self.inner.name}"

    def hashpw(self, secret: bytes, setting: bytes) -> bytes:
        self.hashpw_settings.append(setting)
        return self.inner.hashpw(secret, setting)

    def checkpw(self, secret: bytes, hashed: bytes) -> bool:
        self.checkpw_hashes.append(hashed)
        return self.inner.checkpw(secret, hashed)

    def costs(self) -> list[int]:
        """The cost of each hash checked so far."""
        return [int(hashed.split(b"$")[2]) for hashed in self.checkpw_hashes]


# --- in-process servers ------------------------------------------------------


@dataclass
class InProcessServer:
    """A passgate server in this process, on a loopback port, with a clock and
    a mailer the test controls."""

    app: Passgate
    clock: ManualClock
    mailer: MemoryMailer
    api_key: str
    loop: asyncio.AbstractEventLoop  # the server's, running on a thread of its own

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.app.port}"

    def create_user(
        self,
        email: str,
        password: str,
        username: str | None = None,
        search_keys: dict[str, str] | None = None,
        tenant: str = "default",
    ) -> str:
        hashed = self.app.hashes.hasher.hash(password)
        return Users(self.app.database, self.clock).create(
            tenant, email, hashed, username, search_keys
        )


def test_settings(workdir: Path, **overrides: Any) -> Settings:
    """Settings for a test server: port 0, a fresh SQLite file, cheap bcrypt,
    budgets out of the way unless the test sets them."""
    values: dict[str, Any] = {
        "listen": "127.0.0.1:0",
        "database": f"sqlite:///{Path(workdir) / 'passgate.db'}",
        "bcrypt_cost": TESTING_COST,
        "key_rate": Rate(1_000_000, 1.0),
        "ip_rate": Rate(1_000_000, 1.0),
        "reset_ip_rate": Rate(1_000_000, 1.0),
        "shutdown_grace": 1.0,
    }
    values.update(overrides)
    return Settings(**values)


@contextmanager
def in_process_server(
    workdir: Path,
    *,
    hasher: PasswordHasher | None = None,
    mailer: MemoryMailer | None = None,
    **overrides: Any,
) -> Iterator[InProcessServer]:
    """Only one at a time per process: the models bind to one database. The
    server runs on an event loop of its own thread; the test calls it as any
    client would."""
    clock = ManualClock(time.time())
    mailer = mailer or MemoryMailer()
    settings = test_settings(workdir, **overrides)

    async def started() -> Passgate:
        app = build(settings, clock=clock, mailer=mailer, hasher=hasher)
        await app.start()
        return app

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="passgate-loop", daemon=True)
    thread.start()
    try:
        app = asyncio.run_coroutine_threadsafe(started(), loop).result()
        try:
            _, key = app.api_keys.create("tests")
            yield InProcessServer(app, clock, mailer, key, loop)
        finally:
            asyncio.run_coroutine_threadsafe(app.stop(0), loop).result()
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


# --- logs --------------------------------------------------------------------


class LogCapture(logging.Handler):
    """passgate's JSON log lines, formatted as the server writes them, kept in memory."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@contextmanager
def capture_logs() -> Iterator[LogCapture]:
    """Collects what an in-process server logs while the block runs."""
    logger = logging.getLogger("passgate")
    handler = LogCapture()
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


# --- reading errors ----------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """A refused call, decoded: the status, and every detail of the rich error model."""

    code: grpc.StatusCode
    message: str
    trailing: tuple[tuple[str, str | bytes], ...]
    details: tuple[Any, ...]  # google.protobuf.Any, in the order the server sent them

    @property
    def error_infos(self) -> list[error_details_pb2.ErrorInfo]:
        return _unpacked(self.details, error_details_pb2.ErrorInfo)

    @property
    def reason(self) -> str | None:
        """The one ErrorInfo's reason; None when the status carries no ErrorInfo."""
        infos = self.error_infos
        assert len(infos) <= 1, f"more than one ErrorInfo: {infos}"
        return infos[0].reason if infos else None

    @property
    def error_info(self) -> error_details_pb2.ErrorInfo:
        infos = self.error_infos
        assert len(infos) == 1, f"expected exactly one ErrorInfo, got {infos}"
        return infos[0]

    @property
    def violations(self) -> list[error_details_pb2.BadRequest.FieldViolation]:
        return [
            v
            for bad in _unpacked(self.details, error_details_pb2.BadRequest)
            for v in bad.field_violations
        ]

    @property
    def field_reasons(self) -> list[tuple[str, str]]:
        return [(v.field, v.reason) for v in self.violations]

    @property
    def resource_infos(self) -> list[error_details_pb2.ResourceInfo]:
        return _unpacked(self.details, error_details_pb2.ResourceInfo)

    @property
    def retry_delay(self) -> float | None:
        infos = _unpacked(self.details, error_details_pb2.RetryInfo)
        return infos[0].retry_delay.ToNanoseconds() / 1e9 if infos else None

    @property
    def quota_subjects(self) -> list[str]:
        return [
            v.subject
            for q in _unpacked(self.details, error_details_pb2.QuotaFailure)
            for v in q.violations
        ]

    def trailer(self, key: str) -> str | bytes | None:
        for name, value in self.trailing:
            if name == key:
                return value
        return None

    @property
    def status_details(self) -> bytes | None:
        """The serialized `google.rpc.Status` trailer, for byte-for-byte comparisons."""
        value = self.trailer(_STATUS_DETAILS_KEY)
        assert value is None or isinstance(value, bytes)
        return value

    def text(self) -> str:
        """Everything a caller can read of this refusal, as one string, for leak checks."""
        parts = [self.message]
        parts += [str(v) for _, v in self.trailing]
        parts += [str(_unpack_any(d)) for d in self.details]
        return "\n".join(parts)

    def same_as(self, other: Refusal) -> bool:
        """Byte for byte: the code, the message and every trailer, details included."""
        return (self.code, self.message, self.trailing) == (
            other.code,
            other.message,
            other.trailing,
        )


def _unpack_any(packed: Any) -> Any:
    for cls in (
        error_details_pb2.ErrorInfo,
        error_details_pb2.BadRequest,
        error_details_pb2.RetryInfo,
        error_details_pb2.QuotaFailure,
        error_details_pb2.ResourceInfo,
    ):
        if packed.Is(cls.DESCRIPTOR):
            message = cls()
            packed.Unpack(message)
            return message
    return packed


def _unpacked(details: Sequence[Any], cls: type[Any]) -> list[Any]:
    found = []
    for packed in details:
        if packed.Is(cls.DESCRIPTOR):
            message = cls()
            packed.Unpack(message)
            found.append(message)
    return found


def decode(error: grpc.RpcError) -> Refusal:
    call: Any = error
    status = rpc_status.from_call(call)
    return Refusal(
        code=call.code(),
        message=call.details() or "",
        trailing=tuple(call.trailing_metadata() or ()),
        details=tuple(status.details) if status is not None else (),
    )
