"""`scripts/cluster`, run as docs/deploy.md tells a newcomer to: PostgreSQL and
three replicas on three loopback addresses, reachable through the target it
prints; Ctrl-C stops every process it started."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from rpc import metadata, pb

from passgate.auth.v1 import auth_service_pb2_grpc
from passgate.local_cluster import READY

REPO = Path(__file__).resolve().parents[2]
PW = "Correct-Horse-9-battery"
ROUND_ROBIN = '{"loadBalancingConfig": [{"round_robin": {}}]}'


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    """The running script and what it printed, by label."""
    process = subprocess.Popen(
        [str(REPO / "scripts" / "cluster"), "--workdir", str(tmp_path)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    printed: dict[str, str] = {}
    assert process.stdout is not None
    try:
        deadline = time.monotonic() + 120
        for line in process.stdout:
            assert time.monotonic() < deadline, printed
            label, _, value = line.strip().partition(": ")
            printed[label] = value
            if line.startswith(READY):
                break
        assert READY in "".join(printed), printed
        yield process, printed
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.wait(60)
        process.stdout.close()


def listening(target: str) -> bool:
    host, port = target.rsplit(":", 1)
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, int(port))) == 0


def test_the_cluster_serves_through_its_printed_target_and_stops_on_ctrl_c(
    cluster: tuple[subprocess.Popen[str], dict[str, str]],
):
    process, printed = cluster
    replicas = [printed[f"replica {i}"].split(" ")[0] for i in (1, 2, 3)]
    assert [r.rsplit(":", 1)[0] for r in replicas] == ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
    env = dict(os.environ)
    for line in printed:
        found = re.match(r"export (PASSGATE_\w+)=(.*)", line)
        if found:
            env[found[1]] = found[2]
    assert "PASSGATE_DATABASE" in env and "PASSGATE_SECRET_FILE" in env
    subprocess.run(
        [
            str(REPO / ".venv" / "bin" / "passgate"),
            "user",
            "create",
            "--email",
            "ivy@example.com",
            "--password-stdin",
        ],
        input=PW,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    key = printed["api key"]
    options = [("grpc.service_config", ROUND_ROBIN)]
    with grpc.insecure_channel(printed["target"], options=options) as channel:
        api = auth_service_pb2_grpc.AuthServiceStub(channel)
        sessions = [
            api.SignIn(
                pb.SignInRequest(email="ivy@example.com", password=PW),
                metadata=metadata(key),
                timeout=10,
            ).session_token
            for _ in range(6)
        ]
    assert len(set(sessions)) == 6
    # each replica answered its share
    logs = [Path(printed[f"replica {i}"].split("(log: ")[1].rstrip(")")) for i in (1, 2, 3)]
    assert all("AuthService/SignIn" in log.read_text() for log in logs)

    process.send_signal(signal.SIGINT)
    assert process.wait(60) == 0
    assert not any(listening(target) for target in replicas)
    database_port = re.search(r":(\d+)/", printed["PostgreSQL"])
    assert database_port is not None
    assert not listening(f"127.0.0.1:{database_port[1]}")
