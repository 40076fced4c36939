"""Transport limits: message and metadata size, calls in flight, keepalive abuse,
and cheap calls staying answerable under a sign-in flood."""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import time
from collections import Counter
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from rpc import metadata, pb, refused, stub

from passgate.testing import ServerProcess, in_process_server

PW = "Correct-Horse-9-battery"


def test_oversized_message_and_metadata_are_refused_and_the_server_goes_on(tmp_path: Path):
    with in_process_server(tmp_path, max_message_bytes=4096, max_metadata_bytes=2048) as srv:
        with stub(srv.target) as api:
            md = metadata(srv.api_key)
            big = refused(
                api.SignIn,
                pb.SignInRequest(email="a@example.com", password="x" * 5000),
                metadata=md,
            )
            assert big.code == grpc.StatusCode.RESOURCE_EXHAUSTED
            padded = [*md, ("x-padding", "p" * 4000)]
            fat = refused(
                api.SignIn, pb.SignInRequest(email="a@example.com", password="x"), metadata=padded
            )
            assert fat.code in (grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.INTERNAL)
            ok = refused(
                api.SignIn, pb.SignInRequest(email="a@example.com", password="x"), metadata=md
            )
            assert ok.reason == "INVALID_CREDENTIALS"


def test_calls_beyond_the_concurrency_bound_are_refused(tmp_path: Path):
    # bcrypt cost 13 keeps each SignIn busy for about half a second
    with in_process_server(tmp_path, max_concurrent_rpcs=2, bcrypt_cost=13, hash_workers=2) as srv:
        srv.create_user("slow@example.com", PW)
        with stub(srv.target) as api, cf.ThreadPoolExecutor(6) as pool:
            request = pb.SignInRequest(email="slow@example.com", password=PW)
            calls = [
                pool.submit(api.SignIn, request, metadata=metadata(srv.api_key)) for _ in range(6)
            ]
            time.sleep(0.2)  # the bound is full of sign-ins: health checks are not counted in it
            with grpc.insecure_channel(srv.target) as channel:
                health = health_pb2_grpc.HealthStub(channel)
                reply = health.Check(health_pb2.HealthCheckRequest(), timeout=5)
                assert reply.status == health_pb2.HealthCheckResponse.SERVING
                assert not all(call.done() for call in calls)
            codes = []
            for call in calls:
                try:
                    call.result()
                    codes.append(grpc.StatusCode.OK)
                except grpc.RpcError as error:
                    codes.append(error.code())
        assert codes.count(grpc.StatusCode.OK) >= 2
        assert grpc.StatusCode.RESOURCE_EXHAUSTED in codes


def test_clients_that_ping_too_often_are_disconnected(tmp_path: Path):
    with in_process_server(tmp_path, keepalive_min_ping=5.0) as srv:
        options = [
            ("grpc.keepalive_time_ms", 100),
            ("grpc.keepalive_timeout_ms", 1000),
            ("grpc.keepalive_permit_without_calls", 1),
            ("grpc.http2.max_pings_without_data", 0),
        ]
        with grpc.insecure_channel(srv.target, options=options) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            health.Check(health_pb2.HealthCheckRequest(), timeout=5)
            states: list[grpc.ChannelConnectivity] = []
            channel.subscribe(states.append)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and grpc.ChannelConnectivity.IDLE not in states:
                time.sleep(0.05)
            # the server sent GOAWAY (too_many_pings): the connection went away
            assert grpc.ChannelConnectivity.IDLE in states or (
                grpc.ChannelConnectivity.TRANSIENT_FAILURE in states
            )


def test_a_sign_in_flood_does_not_starve_health_checks_or_session_checks(tmp_path: Path):
    with ServerProcess(tmp_path, extra_args=("--bcrypt-cost", "10")) as srv:
        srv.create_user("flood@example.com", PW)
        with stub(srv.target) as api, grpc.insecure_channel(srv.target) as channel:
            md = metadata(srv.api_key)
            session = api.SignIn(
                pb.SignInRequest(email="flood@example.com", password=PW), metadata=md
            )
            health = health_pb2_grpc.HealthStub(channel)
            with cf.ThreadPoolExecutor(32) as pool:
                flood = [
                    pool.submit(
                        api.SignIn,
                        pb.SignInRequest(email=f"f{i}@example.com", password="Wrong-Pass-1!"),
                        metadata=md,
                    )
                    for i in range(64)
                ]
                time.sleep(0.3)  # let the flood fill the bcrypt pool
                for _ in range(20):
                    assert health.Check(health_pb2.HealthCheckRequest(), timeout=10).status == (
                        health_pb2.HealthCheckResponse.SERVING
                    )
                    api.VerifySession(
                        pb.VerifySessionRequest(session_token=session.session_token),
                        metadata=md,
                        timeout=10,
                    )
                # the cheap calls were answered while sign-ins were still queued
                assert not all(call.done() for call in flood)
                cf.wait(flood)


def test_a_caller_with_as_many_calls_in_flight_as_the_server_admits_is_never_refused_a_stream(
    tmp_path: Path,
):
    """One connection carrying --max-concurrent-rpcs (128) calls at once, round after
    round: every call is answered. grpc counts a stream until the server has finished
    with it, which is after the caller has its answer and sends the next; a bound on
    streams per connection near the calls in flight refuses some of them (RST_STREAM
    REFUSED_STREAM, which grpcio's clients answer UNAVAILABLE) on a busy server."""
    in_flight, rounds = 128, 12
    with ServerProcess(tmp_path) as srv:
        srv.create_user("many@example.com", PW)
        with stub(srv.target) as api:
            session = api.SignIn(
                pb.SignInRequest(email="many@example.com", password=PW),
                metadata=metadata(srv.api_key),
            )

        async def rounds_on_one_connection() -> list[grpc.StatusCode]:
            codes: list[grpc.StatusCode] = []
            options = [("grpc.use_local_subchannel_pool", 1)]  # a connection of its own
            async with grpc.aio.insecure_channel(srv.target, options=options) as channel:
                verify = channel.unary_unary(
                    "/passgate.auth.v1.AuthService/VerifySession",
                    request_serializer=pb.VerifySessionRequest.SerializeToString,
                    response_deserializer=pb.VerifySessionResponse.FromString,
                )
                request = pb.VerifySessionRequest(session_token=session.session_token)

                async def one() -> grpc.StatusCode:
                    try:
                        await verify(request, metadata=metadata(srv.api_key), timeout=30)
                    except grpc.aio.AioRpcError as error:
                        return error.code()
                    return grpc.StatusCode.OK

                for _ in range(rounds):
                    codes += await asyncio.gather(*(one() for _ in range(in_flight)))
            return codes

        codes = asyncio.run(rounds_on_one_connection())
    refused_codes = Counter(code for code in codes if code is not grpc.StatusCode.OK)
    assert not refused_codes, f"{sum(refused_codes.values())} of {len(codes)}: {refused_codes}"
