"""`passgate serve --workers N`: N processes on one port, one budget."""

from __future__ import annotations

import json
from pathlib import Path

import grpc
from engines import EngineDatabase
from rpc import metadata, pb, refused, stub

from passgate.testing import ServerProcess


def test_workers_share_the_port_and_the_budget_and_stop_cleanly(
    tmp_path: Path, database: EngineDatabase
):
    srv = ServerProcess(
        tmp_path,
        extra_args=("--workers", "2"),
        database_url=database.url,
        env={**database.env, "PASSGATE_KEY_RATE": "40/1h"},
    )
    with srv:
        key = srv.create_api_key("workers")
        request = pb.VerifySessionRequest(session_token="pgs_" + "x" * 43)
        passed = 0
        for _ in range(60):  # a new connection each time, so the kernel spreads them
            with stub(srv.target) as api:
                if refused(api.VerifySession, request, metadata=metadata(key)).code != (
                    grpc.StatusCode.RESOURCE_EXHAUSTED
                ):
                    passed += 1
        assert passed == 40
        assert srv.stop() == 0
    served_by = {
        line["pid"]
        for line in map(json.loads, srv.log_text().splitlines())
        if line.get("method") == "/passgate.auth.v1.AuthService/VerifySession"
    }
    assert len(served_by) == 2
