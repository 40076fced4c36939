"""haproxy in front of three replicas, configured with the very block
docs/deploy.md shows (only its addresses swapped for local ones), so the
page cannot drift from what works: calls go through it over HTTP/2 to every
replica, and a replica that is stopped says NOT_SERVING, which haproxy's
gRPC health check notices and takes it out before it stops answering."""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import grpc
from rpc import metadata, pb, verify_load, verify_sessions_answered

from passgate.auth.v1 import auth_service_pb2_grpc
from passgate.identity.passwords import TESTING_COST
from passgate.local_cluster import Replica, start_cluster
from passgate.testing import end_process, free_port

DEPLOY_PAGE = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"
PW = "Correct-Horse-9-battery"
EMAIL = "hal@example.com"
# More than haproxy needs to see NOT_SERVING (inter 1s, fall 2) on a busy machine.
SHUTDOWN_DELAY = 5.0


def documented_config() -> str:
    found = re.search(r"```haproxy\n(.*?)```", DEPLOY_PAGE.read_text(), re.DOTALL)
    assert found, "docs/deploy.md has no ```haproxy block"
    return found.group(1)


def local_config(listen: str, replicas: list[Replica]) -> str:
    """The documented configuration with its addresses swapped for these."""
    config, binds = re.subn(r"\bbind :50051\b", f"bind {listen}", documented_config())
    targets = iter(replica.target for replica in replicas)
    config, servers = re.subn(
        r"^(\s*server replica\d+ )\S+", lambda m: m.group(1) + next(targets), config, flags=re.M
    )
    assert (binds, servers) == (1, len(replicas)), (binds, servers)
    return config


@contextmanager
def haproxy(config: str, folder: Path, listen: str) -> Iterator[Path]:
    """haproxy in the foreground with `config`; yields its log (stderr), where it
    says when a server goes down and why."""
    binary = shutil.which("haproxy")
    assert binary, "haproxy is not installed: run scripts/install-servers as root"
    folder.mkdir(parents=True, exist_ok=True)
    path, log = folder / "haproxy.cfg", folder / "haproxy.log"
    path.write_text(config)
    subprocess.run([binary, "-c", "-q", "-f", str(path)], check=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "-db", "-f", str(path)], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        host, port = listen.rsplit(":", 1)
        deadline = time.monotonic() + 10
        while True:
            assert process.poll() is None, log.read_text()
            try:
                socket.create_connection((host, int(port)), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "haproxy did not listen"
                time.sleep(0.05)
        yield log
    finally:
        end_process(process)


def served(replica: Replica) -> int:
    """VerifySession calls the replica answered, from its log."""
    return verify_sessions_answered(replica.log.read_text(errors="replace"))


def wait_for(condition: Callable[[], bool], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_haproxy_as_documented_takes_a_stopping_replica_out_and_calls_keep_succeeding(
    tmp_path: Path,
):
    settings = {
        "PASSGATE_SHUTDOWN_DELAY": str(SHUTDOWN_DELAY),
        "PASSGATE_BCRYPT_COST": str(TESTING_COST),
        "PASSGATE_KEY_RATE": "100000/1s",
        "PASSGATE_IP_RATE": "100000/1s",
        "PASSGATE_TRUSTED_PROXIES": "127.0.0.0/8",
    }
    listen = f"127.0.0.1:{free_port()}"
    with ExitStack() as running:
        cluster = start_cluster(running, 3, tmp_path, settings)
        log = running.enter_context(
            haproxy(local_config(listen, cluster.replicas), tmp_path / "haproxy", listen)
        )
        subprocess.run(
            [
                sys.executable,
                "-m",
                "passgate.cli",
                "user",
                "create",
                "--email",
                EMAIL,
                "--password-stdin",
            ],
            input=PW + "\n",
            env=cluster.env,
            check=True,
            capture_output=True,
            text=True,
        )
        key = metadata(cluster.api_key)
        channel = running.enter_context(grpc.insecure_channel(listen))
        api = auth_service_pb2_grpc.AuthServiceStub(channel)
        session = api.SignIn(pb.SignInRequest(email=EMAIL, password=PW), metadata=key)
        with verify_load(api, cluster.api_key, session.session_token) as codes:
            wait_for(lambda: all(served(r) for r in cluster.replicas), "a replica got no calls", 15)
            leaving = cluster.replicas[1]
            leaving.process.send_signal(signal.SIGTERM)
            wait_for(
                lambda: "replica2 is DOWN" in log.read_text(),
                "haproxy did not take the stopping replica out",
                SHUTDOWN_DELAY,
            )
            assert leaving.process.wait(30) == 0
            staying = [served(r) for r in cluster.replicas]
            time.sleep(1.0)  # calls after it exited
        after = [served(r) for r in cluster.replicas]

    assert set(codes) == {grpc.StatusCode.OK}, codes
    (down,) = [line for line in log.read_text().splitlines() if "replica2 is DOWN" in line]
    assert "not SERVING" in down, down  # the health answer took it out, not a refused connection
    assert after[0] > staying[0] and after[2] > staying[2]
