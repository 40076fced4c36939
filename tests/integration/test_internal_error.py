"""Anything unexpected is INTERNAL with an opaque error id that the log also
holds, and never the exception's text: provoked for real by dropping a table
under a running server."""

from __future__ import annotations

import json
from pathlib import Path

import grpc
from rpc_support import NEW_PASSWORD, PASSWORD
from server_support import in_process

from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.testing import capture_logs

# What the failure looks like from inside; none of it may reach a caller.
EXCEPTION_WORDS = ("no such table", "sessions", "OperationalError", "Traceback", "sqlite", "peewee")


def test_an_unexpected_failure_is_internal_with_an_error_id_that_is_logged(tmp_path: Path) -> None:
    with in_process(tmp_path) as local, capture_logs() as logs:
        user = local.create_user()
        local.app.database.execute_sql("DROP TABLE sessions")

        first = local.client.refuse("SignIn", pb.SignInRequest(email=user.email, password=PASSWORD))
        second = local.client.refuse(
            "SignIn", pb.SignInRequest(email=user.email, password=PASSWORD)
        )

        for refusal in (first, second):
            assert refusal.code == grpc.StatusCode.INTERNAL
            info = refusal.error_info
            assert info.reason == "INTERNAL_ERROR"
            assert set(info.metadata) == {"error_id"}
            assert info.metadata["error_id"]
            assert refusal.violations == []
            caller_sees = refusal.text().lower()
            for word in EXCEPTION_WORDS:
                assert word.lower() not in caller_sees, word
        ids = [r.error_info.metadata["error_id"] for r in (first, second)]
        assert ids[0] != ids[1]

        entries = [json.loads(line) for line in logs.lines]
        for error_id in ids:
            logged = [e for e in entries if e.get("error_id") == error_id]
            assert logged, f"error id {error_id} is not in the log"
            # The operator's copy has what the caller's lacks.
            assert any("no such table" in e.get("exception", "") for e in logged)

        # The rest of the server still answers.
        wrong = local.client.refuse(
            "SignIn", pb.SignInRequest(email=user.email, password=NEW_PASSWORD)
        )
        assert wrong.reason == "INVALID_CREDENTIALS"
