"""Calls whose request message never arrives: they cannot hold the server's
capacity, they end after the request bound, and a call without a valid API
key is refused before its message is awaited.

The attacker opens many HTTP/2 streams on ONE connection (one grpcio channel
multiplexes its calls onto one connection), each sending its headers and
never a message."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from rpc import metadata, pb, refused, stub

from passgate.testing import ServerProcess, decode

PW = "Correct-Horse-9-battery"
VERIFY = "/passgate.auth.v1.AuthService/VerifySession"
STALLED = 128  # the default --max-concurrent-rpcs: enough to fill it on the old server
OWN_CONNECTION = [("grpc.use_local_subchannel_pool", 1)]


def _never_sends(release: threading.Event) -> Iterator[pb.VerifySessionRequest]:
    """A request stream that sends headers and then nothing until released."""
    release.wait()
    return
    yield  # a generator that yields nothing


def _stalled_calls(
    channel: grpc.Channel, md: list[tuple[str, str]], count: int, release: threading.Event
) -> list[grpc.Future]:
    call = channel.stream_unary(
        VERIFY,
        request_serializer=pb.VerifySessionRequest.SerializeToString,
        response_deserializer=pb.VerifySessionResponse.FromString,
    )
    return [call.future(_never_sends(release), metadata=md, timeout=120) for _ in range(count)]


def test_stalled_streams_on_one_connection_hold_no_capacity_and_end(tmp_path: Path):
    with ServerProcess(tmp_path) as srv:
        srv.create_user("steady@example.com", PW)
        attacker_key = srv.create_api_key("attacker")
        release = threading.Event()
        # a connection of its own (grpcio shares one between channels alike), as another host's
        with grpc.insecure_channel(srv.target, options=OWN_CONNECTION) as attacker:
            started = time.monotonic()
            stalled = _stalled_calls(attacker, metadata(attacker_key), STALLED, release)
            try:
                time.sleep(1.5)  # every stalled stream has reached the server
                held = [call for call in stalled if not call.done()]
                # the server holds them (on the old server they filled --max-concurrent-rpcs)
                assert len(held) >= STALLED // 2, [c.exception() for c in stalled if c.done()]
                # while they are held, health and a well-behaved caller are answered
                with grpc.insecure_channel(srv.target) as channel, stub(srv.target) as api:
                    health = health_pb2_grpc.HealthStub(channel)
                    md = metadata(srv.api_key)
                    for _ in range(10):
                        reply = health.Check(health_pb2.HealthCheckRequest(), timeout=10)
                        assert reply.status == health_pb2.HealthCheckResponse.SERVING
                        session = api.SignIn(
                            pb.SignInRequest(email="steady@example.com", password=PW),
                            metadata=md,
                            timeout=10,
                        )
                        verified = api.VerifySession(
                            pb.VerifySessionRequest(session_token=session.session_token),
                            metadata=md,
                            timeout=10,
                        )
                        assert verified.user_id == session.user_id
                # after the request bound (5 s by default) the server ends every stalled call
                refusals = [decode(call.exception(timeout=60)) for call in stalled]
                ended = [r for r in refusals if r.code == grpc.StatusCode.DEADLINE_EXCEEDED]
                assert ended
                assert {r.reason for r in ended} == {"INVALID_REQUEST"}
                assert {r.field_reasons[0] for r in ended} == {("request", "FIELD_REQUIRED")}
                # the rest never got in: streams beyond --max-streams-per-connection are
                # refused (RST_STREAM REFUSED_STREAM), unless the client queued them itself
                for other in refusals:
                    assert other in ended or "RST_STREAM" in other.message, other
                assert time.monotonic() - started < 60  # the server's bound, not the client's
            finally:
                release.set()
        # capacity is free again: the attacker's own key is answered normally
        with stub(srv.target) as api:
            error = refused(
                api.VerifySession,
                pb.VerifySessionRequest(session_token="pgs_" + "x" * 43),
                metadata=metadata(attacker_key),
                timeout=10,
            )
            assert error.reason == "SESSION_INVALID"
    # one log line per ended call (read once the server stopped: lines are written in batches)
    assert srv.log_text().count('"code":"DEADLINE_EXCEEDED"') == len(ended)


def test_a_stalled_call_without_a_valid_key_is_refused_before_its_message(tmp_path: Path):
    with ServerProcess(tmp_path) as srv:
        release = threading.Event()
        with grpc.insecure_channel(srv.target) as channel:
            try:
                for md in ([], metadata("pgk_" + "w" * 43)):
                    (call,) = _stalled_calls(channel, md, 1, release)
                    error = decode(call.exception(timeout=10))
                    assert error.code == grpc.StatusCode.UNAUTHENTICATED
                    assert error.reason == "API_KEY_INVALID"
            finally:
                release.set()
