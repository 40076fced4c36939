"""Test helpers shipped with passgate: a real server process on a free
loopback port over a throwaway SQLite file, and readers for its mail folder."""

from __future__ import annotations

import email
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import grpc
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from passgate.app import Passgate, build
from passgate.clock import ManualClock
from passgate.config import Settings
from passgate.identity.passwords import TESTING_COST, PasswordHasher
from passgate.identity.users import Users
from passgate.mail.mailers import MemoryMailer
from passgate.rates import Rate

_LINK = re.compile(r"https?://[^\s\"'<>]+")


@dataclass(frozen=True)
class ResetLink:
    user_id: str
    token: str
    link: str
    path: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def reset_links(mail_dir: Path) -> list[ResetLink]:
    """Every reset link in the folder's .eml files, oldest message first."""
    found: list[ResetLink] = []
    paths = sorted(mail_dir.glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name))
    for path in paths:
        message = email.message_from_bytes(path.read_bytes())
        for part in message.walk():
            if part.get_content_type() != "text/plain":
                continue
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            for link in _LINK.findall(payload.decode()):
                query = parse_qs(urlsplit(link).query)
                if "user" in query and "token" in query:
                    found.append(ResetLink(query["user"][0], query["token"][0], link, path))
    return found


class ServerProcess:
    """`passgate serve` as a child process; a context manager that stops it with SIGTERM."""

    def __init__(
        self,
        workdir: Path,
        *,
        extra_args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        database_url: str | None = None,
        port: int | None = None,
    ) -> None:
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.target = f"127.0.0.1:{self.port}"
        self.database_url = database_url or f"sqlite:///{self.workdir / 'passgate.db'}"
        self.mail_dir = self.workdir / "mail"
        self.log_path = self.workdir / "server.log"
        self.env = {
            **os.environ,
            "PASSGATE_DATABASE": self.database_url,
            "PASSGATE_BCRYPT_COST": str(TESTING_COST),
            "PASSGATE_KEY_RATE": "100000/1s",
            "PASSGATE_IP_RATE": "100000/1s",
            **(env or {}),
        }
        self.extra_args = extra_args
        self.process: subprocess.Popen[bytes] | None = None
        self.api_key = ""

    # --- lifecycle -----------------------------------------------------------

    def start(self, timeout: float = 30.0) -> ServerProcess:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    *self.passgate,
                    "serve",
                    "--listen",
                    self.target,
                    "--mail-dir",
                    str(self.mail_dir),
                    *self.extra_args,
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
            )
        self.wait_serving(timeout)
        if not self.api_key:
            self.api_key = self.create_api_key("tests")
        return self

    def wait_serving(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        with grpc.insecure_channel(self.target) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"passgate exited early:\n{self.log_text()[-3000:]}")
                try:
                    reply = stub.Check(health_pb2.HealthCheckRequest(), timeout=1)
                    if reply.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.RpcError:
                    pass
                time.sleep(0.05)
        raise TimeoutError(f"passgate did not serve within {timeout}s:\n{self.log_text()[-3000:]}")

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


# --- in-process servers ------------------------------------------------------


@dataclass
class InProcessServer:
    """A passgate server in this process, on a loopback port, with a clock and
    a mailer the test controls."""

    app: Passgate
    clock: ManualClock
    mailer: MemoryMailer
    api_key: str

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
    workdir: Path, *, hasher: PasswordHasher | None = None, **overrides: Any
) -> Iterator[InProcessServer]:
    clock = ManualClock(time.time())
    mailer = MemoryMailer()
    app = build(test_settings(workdir, **overrides), clock=clock, mailer=mailer, hasher=hasher)
    app.start()
    try:
        _, key = app.api_keys.create("tests")
        yield InProcessServer(app, clock, mailer, key)
    finally:
        app.stop(0)


# --- reading errors ----------------------------------------------------------


@dataclass(frozen=True)
class ErrorDetails:
    """A rejected call's status and decoded google.rpc details."""

    code: grpc.StatusCode
    message: str
    reasons: tuple[str, ...]
    violations: tuple[tuple[str, str], ...]  # (field, reason)
    retry_delay: float | None
    quota_subjects: tuple[str, ...]
    trailers: dict[str, str]
    error_id: str | None


def error_details(error: grpc.RpcError) -> ErrorDetails:
    call = cast(grpc.Call, error)  # what a unary call raises is also a grpc.Call
    status = rpc_status.from_call(call)
    reasons: list[str] = []
    violations: list[tuple[str, str]] = []
    retry: float | None = None
    subjects: list[str] = []
    error_id: str | None = None
    for detail in status.details if status is not None else ():
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reasons.append(info.reason)
            error_id = info.metadata.get("error_id")
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            violations += [(v.field, v.reason) for v in bad.field_violations]
        elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            info_retry = error_details_pb2.RetryInfo()
            detail.Unpack(info_retry)
            retry = info_retry.retry_delay.ToNanoseconds() / 1e9
        elif detail.Is(error_details_pb2.QuotaFailure.DESCRIPTOR):
            quota = error_details_pb2.QuotaFailure()
            detail.Unpack(quota)
            subjects += [v.subject for v in quota.violations]
    trailers = {
        str(item[0]): str(item[1])
        for item in cast(Any, call.trailing_metadata() or ())
        if not str(item[0]).endswith("-bin")
    }
    return ErrorDetails(
        code=call.code(),
        message=call.details() or "",
        reasons=tuple(reasons),
        violations=tuple(violations),
        retry_delay=retry,
        quota_subjects=tuple(subjects),
        trailers=trailers,
        error_id=error_id,
    )
