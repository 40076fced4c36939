"""`passgate serve --config FILE`: the file's settings reach the server, and a
variable or a flag for the same setting wins over it, as `passgate config`
reports."""

from __future__ import annotations

import time
from pathlib import Path

import grpc
from rpc_support import PASSWORD, Client, unique_email

from passgate.testing import ServerProcess


def _session_lifetime(server: ServerProcess) -> float:
    address = unique_email("config")
    server.create_user(address, PASSWORD)
    with grpc.insecure_channel(server.target) as channel:
        reply = Client(channel, server.api_key).sign_in(address, PASSWORD)
    return reply.expires_at.seconds - time.time()


def _source_of_session_ttl(server: ServerProcess, *args: str) -> str:
    shown = server.cli("config", *args).stdout
    (line,) = [row for row in shown.splitlines() if row.startswith("session-ttl ")]
    return " ".join(line.split()[1:])


def test_flag_beats_environment_beats_file_at_serve_time(tmp_path: Path):
    config = tmp_path / "passgate.toml"
    config.write_text("# sessions for the demo\nsession-ttl = 600\n")
    cases = [
        ({}, (), 600, "600 (passgate.toml line 2)"),
        ({"PASSGATE_SESSION_TTL": "300"}, (), 300, "300 (environment)"),
        ({"PASSGATE_SESSION_TTL": "300"}, ("--session-ttl", "120"), 120, "120 (flag)"),
    ]
    for n, (env, flags, lifetime, shown) in enumerate(cases):
        args = ("--config", "passgate.toml", *flags)
        with ServerProcess(tmp_path, extra_args=args, env=env) as server:
            assert abs(_session_lifetime(server) - lifetime) < 5, (n, env, flags)
            assert _source_of_session_ttl(server, *args) == shown
