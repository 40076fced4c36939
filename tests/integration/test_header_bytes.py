"""Header values that are not valid UTF-8, sent by a raw HTTP/2 client: the call
is refused cleanly and costs the log at most one short line, without the
header's content and without a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import grpc
import pytest
from raw_http2 import raw_unary_call
from rpc import pb

from passgate.testing import ServerProcess

SERVICE = "/passgate.auth.v1.AuthService"
MARKER = b"SECRETMARKER"
UNDECODABLE = b"\xff\xfe\xc3" + MARKER  # not UTF-8


def _new_log_lines(srv: ServerProcess, before: int) -> list[str]:
    time.sleep(0.3)  # the log leaves in batches every 20 ms
    return srv.log_text().splitlines()[before:]


@pytest.mark.parametrize(
    ("method", "header", "reason_code"),
    [
        ("VerifySession", "x-api-key", grpc.StatusCode.UNAUTHENTICATED),
        ("SignOut", "authorization", grpc.StatusCode.UNAUTHENTICATED),
    ],
)
def test_undecodable_header_bytes_are_refused_with_one_bounded_log_line(
    tmp_path: Path, method: str, header: str, reason_code: grpc.StatusCode
):
    with ServerProcess(tmp_path) as srv:
        headers = [(header.encode(), b"pgk_" + UNDECODABLE)]
        if header == "authorization":
            headers = [
                (b"x-api-key", srv.api_key.encode()),
                (b"authorization", b"Bearer pgs_" + UNDECODABLE),
            ]
        message = pb.VerifySessionRequest(session_token="pgs_" + "x" * 43).SerializeToString()
        if method == "SignOut":
            message = b""
        for _ in range(2):  # the second alike call too
            before = len(srv.log_text().splitlines())
            answer = raw_unary_call(srv.target, f"{SERVICE}/{method}", headers, message)
            assert not answer.reset
            assert answer.grpc_status == reason_code.value[0]
            lines = _new_log_lines(srv, before)
            text = "\n".join(lines)
            assert "Traceback" not in text
            assert "SECRETMARKER" not in text
            assert "\\xff" not in text and "ÿ" not in text
            calls = [line for line in lines if '"msg":"rpc"' in line]
            assert len(calls) == 1 and f'"code":"{reason_code.name}"' in calls[0]
            assert len(lines) - len(calls) <= 1, lines  # at most one line about the header
