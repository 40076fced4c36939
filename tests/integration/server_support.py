"""passgate servers for the integration suite: child processes of the real
command, and the in-process server for what only it can show (a clock the
test moves, a memory mailer, a failure provoked from inside)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from rpc_support import PASSWORD, Client, unique_email

from passgate.clock import ManualClock
from passgate.config import Settings
from passgate.identity.passwords import PasswordHasher
from passgate.mail.mailers import MemoryMailer
from passgate.testing import InProcessServer, ServerProcess, in_process_server

# The override template the shared server offers as `email_template: "welcome"`.
WELCOME_MARKER = "Welcome aboard: choose your first password"
WELCOME_SUBJECT = "Welcome to passgate"


@dataclass(frozen=True)
class User:
    email: str
    password: str
    user_id: str
    username: str | None = None


class UserFactory:
    """Makes users with the CLI, each with an e-mail no other test uses."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server

    def __call__(
        self,
        password: str = PASSWORD,
        *,
        username: str | None = None,
        search_key: tuple[str, str] | None = None,
        tenant: str = "default",
        email: str | None = None,
    ) -> User:
        address = email or unique_email()
        user_id = self.server.create_user(
            address, password, username=username, search_key=search_key, tenant=tenant
        )
        return User(address, password, user_id, username)

    def many(self, count: int, password: str = PASSWORD) -> list[User]:
        with ThreadPoolExecutor(max_workers=4) as pool:
            return list(pool.map(lambda _: self(password), range(count)))


def key_id(server: ServerProcess, name: str) -> str:
    """The id `apikey list` shows for the key called `name`."""
    for line in server.cli("apikey", "list", "--json").stdout.splitlines():
        entry = json.loads(line)
        if entry["name"] == name:
            return str(entry["id"])
    raise AssertionError(f"no key named {name}")


def server_process(workdir: Path, *args: str, **kw: Any) -> ServerProcess:
    """A `passgate serve` child process (not started) with the suite's limits."""
    return ServerProcess(workdir, extra_args=args, **kw)


def wait_for_lines(server: ServerProcess, says: str, count: int) -> list[dict[str, object]]:
    """The log's lines that say `says`, once there are `count` of them."""
    deadline = time.monotonic() + 30
    while True:
        lines = [json.loads(line) for line in server.log_text().splitlines() if says in line]
        if len(lines) >= count or time.monotonic() > deadline:
            assert len(lines) >= count, server.log_text()[-3000:]
            return lines
        time.sleep(0.05)


@contextmanager
def running(workdir: Path, *args: str, **kw: Any) -> Iterator[tuple[ServerProcess, Client]]:
    """A server of the test's own, and a client for it."""
    with (
        server_process(workdir, *args, **kw) as process,
        grpc.insecure_channel(process.target) as channel,
    ):
        yield process, Client(channel, process.api_key)


# --- the in-process server ----------------------------------------------------


@dataclass
class InProcess:
    app: Any  # passgate.app.Passgate
    client: Client
    clock: ManualClock
    mailer: MemoryMailer
    database: Path
    settings: Settings
    server: InProcessServer

    def create_user(self, password: str = PASSWORD, email: str | None = None) -> User:
        address = email or unique_email()
        return User(address, password, self.server.create_user(address, password))


@contextmanager
def in_process(
    tmp: Path,
    mailer: MemoryMailer | None = None,
    hasher: PasswordHasher | None = None,
    **settings: Any,
) -> Iterator[InProcess]:
    """passgate built in this process on port 0, over a SQLite file in `tmp`, with
    a clock the test moves."""
    with (
        in_process_server(tmp, mailer=mailer, hasher=hasher, **settings) as local,
        grpc.insecure_channel(local.target) as channel,
    ):
        yield InProcess(
            local.app,
            Client(channel, local.api_key),
            local.clock,
            local.mailer,
            tmp / "passgate.db",
            local.app.settings,
            local,
        )
