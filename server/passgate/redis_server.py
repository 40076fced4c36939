"""A throwaway redis-server on a free loopback port: no persistence, its own
folder, stopped with SIGTERM. Tests of the Redis limits store run against a
real server, never a stand-in, and scripts/cluster shares one between its
replicas."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from passgate.testing import end_process, free_port

INSTALL_HINT = "apt-get install redis-server (scripts/test does so when run as root)"


@dataclass(frozen=True)
class Tls:
    """PEM files: the server's certificate and key, and the CA that signed it."""

    cert: Path
    key: Path
    ca: Path


class RedisServer:
    """`password` makes it ask for one (requirepass); `tls` makes it speak TLS
    only, on its port (clients then use rediss://)."""

    def __init__(self, *, password: str | None = None, tls: Tls | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(f"redis-server is not installed: {INSTALL_HINT}")
        self.binary = binary
        self.folder = Path(tempfile.mkdtemp(prefix="passgate-redis-"))
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.password = password
        self.tls = tls

    def url(self, db: int = 0) -> str:
        """The URL passgate is given: the password in it, and for TLS the CA
        to trust (redis-py passes query arguments on to its connections)."""
        credentials = "" if self.password is None else f":{self.password}@"
        if self.tls is None:
            return f"redis://{credentials}127.0.0.1:{self.port}/{db}"
        return f"rediss://{credentials}127.0.0.1:{self.port}/{db}?ssl_ca_certs={self.tls.ca}"

    def _options(self) -> list[str]:
        options = [] if self.password is None else ["--requirepass", self.password]
        if self.tls is None:
            return [*options, "--port", str(self.port)]
        return [
            *options,
            "--port",
            "0",
            "--tls-port",
            str(self.port),
            "--tls-cert-file",
            str(self.tls.cert),
            "--tls-key-file",
            str(self.tls.key),
            "--tls-ca-cert-file",
            str(self.tls.ca),
            "--tls-auth-clients",
            "no",
        ]

    def start(self, timeout: float = 10.0) -> RedisServer:
        with (self.folder / "redis.log").open("wb") as log:
            self.process = subprocess.Popen(
                [
                    self.binary,
                    "--bind",
                    "127.0.0.1",
                    *self._options(),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.folder),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"redis-server exited with {self.process.returncode}: "
                    + (self.folder / "redis.log").read_text()[-500:]
                )
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.005)
        raise TimeoutError(f"redis-server did not accept connections within {timeout}s")

    def stop(self) -> None:
        """SIGTERM, and waits for it to exit; the same port can then start again."""
        end_process(self.process)
        self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
