"""A throwaway PostgreSQL 15 cluster, for the tests and the benchmark: its own
data folder and loopback port, started without the system service, stopped at
the end.

One cluster serves a whole test session or bench run (initdb takes most of a
second); each test or group gets a database of its own (`CREATE DATABASE …
TEMPLATE template0` takes tens of milliseconds), so no test sees another's rows.
PostgreSQL refuses to run as root: as root its binaries run as the `postgres`
user the Debian package creates, in a folder that user owns.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from passgate.testing import end_process, free_port

PG_BIN = Path(os.environ.get("PASSGATE_PG_BIN", "/usr/lib/postgresql/15/bin"))
INSTALL_HINT = "apt-get install postgresql (scripts/test does so when run as root)"
# Durability is not what tests check: these make commits cost microseconds. A
# benchmark keeps durability on, since passgate answers only once a change is durable.
FAST_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def _as_postgres() -> list[str]:
    """The prefix that runs a PostgreSQL binary as its own user when we are root."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]


@dataclass(frozen=True)
class PostgresDatabase:
    """One empty database of the cluster, and the side files every server on
    it shares (the sealing key, the limits store stay files)."""

    url: str
    name: str
    secret_file: Path
    limits_store: Path

    def server_env(self) -> dict[str, str]:
        """What `passgate serve` (and the CLI) need to use this database."""
        return {
            "PASSGATE_DATABASE": self.url,
            "PASSGATE_SECRET_FILE": str(self.secret_file),
            "PASSGATE_LIMITS_STORE": f"sqlite:///{self.limits_store}",
        }


class PostgresCluster:
    """`initdb` + `postgres` on 127.0.0.1:<free port> in a temporary folder;
    `durable=False` (for tests) trades crash safety for speed (FAST_SETTINGS)."""

    def __init__(self, *, durable: bool = False) -> None:
        if not (PG_BIN / "postgres").exists():
            raise RuntimeError(f"PostgreSQL 15 is not installed ({PG_BIN}): {INSTALL_HINT}")
        self.root = Path(tempfile.mkdtemp(prefix="passgate-pg-"))
        self.data = self.root / "data"
        self.files = Path(tempfile.mkdtemp(prefix="passgate-pg-files-"))
        self.port = free_port()
        self.durable = durable
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = self.root / "postgres.log"

    def start(self, timeout: float = 30.0) -> PostgresCluster:
        """Makes the cluster (initdb) and starts its server."""
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        subprocess.run(
            [
                *_as_postgres(),
                str(PG_BIN / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                *(() if self.durable else ("--no-sync",)),
                "--no-instructions",
            ],
            check=True,
            capture_output=True,
        )
        self.resume(timeout)
        return self

    def resume(self, timeout: float = 30.0) -> None:
        """Starts the server on the cluster's data and port (again, after `pause`)."""
        fast = () if self.durable else FAST_SETTINGS
        settings = [arg for s in fast for arg in ("-c", s)]
        with open(os.devnull, "wb") as quiet:
            # setpriv execs postgres, so this PID is the postmaster's
            self.process = subprocess.Popen(
                [
                    *_as_postgres(),
                    str(PG_BIN / "postgres"),
                    "-D",
                    str(self.data),
                    "-p",
                    str(self.port),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    f"unix_socket_directories={self.data}",
                    "-c",
                    "max_connections=200",
                    *settings,
                ],
                stdout=quiet,
                stderr=quiet,
            )
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        """An open port may still answer "starting up": ask pg_isready."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited with {self.process.returncode}")
            ready = subprocess.run(
                [str(PG_BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
                check=False,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.02)
        raise TimeoutError(f"postgres did not accept connections within {timeout}s")

    def url(self, name: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def sql(self, statement: str, database: str = "postgres") -> list[list[str]]:
        """Runs one statement with psql, outside any transaction (as CREATE
        DATABASE needs); the rows as text, one list of fields per row."""
        result = subprocess.run(
            [
                str(PG_BIN / "psql"),
                "-X",
                "-q",
                "-At",
                "-F",
                "\t",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                self.url(database),
                "-c",
                statement,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return [line.split("\t") for line in result.stdout.splitlines()]

    def create_database(self) -> PostgresDatabase:
        name = "t_" + uuid.uuid4().hex[:16]
        self.sql(f"CREATE DATABASE {name} TEMPLATE template0")
        folder = self.files / name
        folder.mkdir()
        return PostgresDatabase(
            self.url(name), name, folder / "passgate.secret", folder / "passgate.limits"
        )

    def pause(self) -> None:
        """Stops the server with SIGINT, the fast shutdown (open sessions are
        ended, not waited for); the data stays for `resume`."""
        end_process(self.process, signal.SIGINT)

    def stop(self) -> None:
        """Stops the server and deletes the cluster."""
        self.pause()
        shutil.rmtree(self.root, ignore_errors=True)
        shutil.rmtree(self.files, ignore_errors=True)
