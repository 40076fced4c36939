"""Call budgets per API key and per client address, with a controllable clock."""

from __future__ import annotations

import json
from pathlib import Path

import grpc
import pytest
from rpc import metadata, pb, refused, stub

from passgate.rates import Rate
from passgate.testing import capture_logs, in_process_server

VERIFY = pb.VerifySessionRequest(session_token="pgs_" + "x" * 43)


def _spend(call, md, count: int) -> list[grpc.StatusCode]:
    codes = []
    for _ in range(count):
        try:
            call(VERIFY, metadata=md)
        except grpc.RpcError as error:
            codes.append(error.code())
    return codes


def test_key_budget_lets_the_seed_figure_through_then_says_how_long_to_wait(tmp_path: Path):
    with in_process_server(tmp_path, key_rate=Rate(25, 5.0)) as srv, stub(srv.target) as api:
        md = metadata(srv.api_key)
        codes = _spend(api.VerifySession, md, 25)
        assert codes == [grpc.StatusCode.UNAUTHENTICATED] * 25  # passed the budget, bad session
        error = refused(api.VerifySession, VERIFY, metadata=md)
        assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert error.reason == "RATE_LIMITED"
        assert error.retry_delay == pytest.approx(0.2)
        assert error.quota_subjects[0].startswith("key:key_")
        assert error.trailer("retry-after") == "1"
        srv.clock.advance(0.19)
        assert (
            refused(api.VerifySession, VERIFY, metadata=md).code
            == grpc.StatusCode.RESOURCE_EXHAUSTED
        )
        srv.clock.advance(0.01)  # RetryInfo was honest: now one call passes
        assert (
            refused(api.VerifySession, VERIFY, metadata=md).code == grpc.StatusCode.UNAUTHENTICATED
        )


def test_no_window_edge_lets_twice_the_budget_through(tmp_path: Path):
    with in_process_server(tmp_path, key_rate=Rate(25, 5.0)) as srv, stub(srv.target) as api:
        md = metadata(srv.api_key)
        srv.clock.advance(4.99)  # late in what a fixed window would call its first window
        assert grpc.StatusCode.RESOURCE_EXHAUSTED not in _spend(api.VerifySession, md, 25)
        srv.clock.advance(0.02)  # "a new window" for a fixed-window limiter
        assert _spend(api.VerifySession, md, 5) == [grpc.StatusCode.RESOURCE_EXHAUSTED] * 5
        srv.clock.advance(1.0)  # smooth refill: 5 calls per second, no more
        codes = _spend(api.VerifySession, md, 10)
        assert codes.count(grpc.StatusCode.RESOURCE_EXHAUSTED) == 5


def test_a_key_created_with_its_own_rate_uses_it(tmp_path: Path):
    with in_process_server(tmp_path, key_rate=Rate(25, 5.0)) as srv, stub(srv.target) as api:
        _, slow_key = srv.app.api_keys.create("slow", rate=Rate(2, 60.0))
        codes = _spend(api.VerifySession, metadata(slow_key), 3)
        assert codes[-1] == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert codes[:2] == [grpc.StatusCode.UNAUTHENTICATED] * 2
        # other keys keep their own budget
        assert refused(api.VerifySession, VERIFY, metadata=metadata(srv.api_key)).code == (
            grpc.StatusCode.UNAUTHENTICATED
        )


def test_client_address_budget_counts_every_key_from_one_address(tmp_path: Path):
    with in_process_server(tmp_path, ip_rate=Rate(3, 60.0)) as srv, stub(srv.target) as api:
        _, other_key = srv.app.api_keys.create("other")
        _spend(api.VerifySession, metadata(srv.api_key), 2)
        _spend(api.VerifySession, metadata(other_key), 1)
        error = refused(api.VerifySession, VERIFY, metadata=metadata(other_key))
        assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert error.quota_subjects == ["ip"]


def test_forwarded_addresses_count_only_behind_trusted_proxies(tmp_path: Path):
    with in_process_server(tmp_path, ip_rate=Rate(2, 60.0)) as srv, stub(srv.target) as api:
        # no trusted proxy: the header is ignored, every call is 127.0.0.1's
        forged = [metadata(srv.api_key, x_forwarded_for=f"203.0.113.{i}") for i in range(3)]
        codes = [_spend(api.VerifySession, md, 1) for md in forged]
        assert codes[-1] == [grpc.StatusCode.RESOURCE_EXHAUSTED]
    with (
        in_process_server(
            tmp_path / "proxied", ip_rate=Rate(2, 60.0), trusted_proxies="127.0.0.0/8"
        ) as srv,
        stub(srv.target) as api,
        capture_logs() as logs,
    ):
        alice = metadata(srv.api_key, x_forwarded_for="198.51.100.7, 203.0.113.1")
        bob = metadata(srv.api_key, x_forwarded_for="203.0.113.2")
        assert _spend(api.VerifySession, alice, 2) == [grpc.StatusCode.UNAUTHENTICATED] * 2
        assert _spend(api.VerifySession, bob, 2) == [grpc.StatusCode.UNAUTHENTICATED] * 2
        error = refused(api.VerifySession, VERIFY, metadata=alice)
        assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    # each call's log line names the client the trusted proxy saw, beside the proxy
    calls = [json.loads(line) for line in logs.lines if '"event":"rpc"' in line]
    assert [c["client"] for c in calls] == ["203.0.113.1"] * 2 + ["203.0.113.2"] * 2 + [
        "203.0.113.1"
    ]
    assert all(c["peer"].startswith("ipv4:127.0.0.1:") for c in calls)


def test_health_checks_are_not_charged(tmp_path: Path):
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with in_process_server(tmp_path, ip_rate=Rate(1, 60.0)) as srv:
        with grpc.insecure_channel(srv.target) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            for _ in range(5):
                reply = health.Check(health_pb2.HealthCheckRequest())
                assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_an_outside_client_is_told_when_to_come_back_and_then_passes(tmp_path: Path):
    import time

    from passgate.testing import ServerProcess

    with (
        ServerProcess(tmp_path, env={"PASSGATE_KEY_RATE": "25/5s"}) as srv,
        stub(srv.target) as api,
    ):
        md = metadata(srv.api_key)
        codes = []
        while grpc.StatusCode.RESOURCE_EXHAUSTED not in codes and len(codes) < 100:
            codes.append(refused(api.VerifySession, VERIFY, metadata=md).code)
        assert codes.index(grpc.StatusCode.RESOURCE_EXHAUSTED) >= 25
        told = refused(api.VerifySession, VERIFY, metadata=md)
        assert told.code == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert told.retry_delay is not None and 0 < told.retry_delay <= 0.2
        assert int(told.trailer("retry-after") or 0) >= 1
        time.sleep(told.retry_delay + 0.01)
        assert refused(api.VerifySession, VERIFY, metadata=md).reason == "SESSION_INVALID"


def test_wrong_keys_spend_the_address_budget_so_guessing_keys_is_not_free(tmp_path: Path):
    import concurrent.futures as cf

    from passgate.testing import ServerProcess

    budget, callers, per_caller = 20, 8, 15

    def guess(i: int) -> list[tuple[grpc.StatusCode, float | None, list[str]]]:
        seen = []
        with stub(srv.target) as api:  # a connection per caller
            for j in range(per_caller):
                md = metadata(f"pgk_{i:03d}{j:03d}" + "g" * 37)
                error = refused(api.VerifySession, VERIFY, metadata=md)
                seen.append((error.code, error.retry_delay, error.quota_subjects))
        return seen

    with ServerProcess(tmp_path, extra_args=("--ip-rate", f"{budget}/1m")) as srv:
        with cf.ThreadPoolExecutor(callers) as pool:
            answers = [a for seen in pool.map(guess, range(callers)) for a in seen]
        codes = [code for code, _, _ in answers]
        assert codes.count(grpc.StatusCode.UNAUTHENTICATED) <= budget
        limited = [a for a in answers if a[0] == grpc.StatusCode.RESOURCE_EXHAUSTED]
        assert len(limited) >= callers * per_caller - budget
        assert set(codes) == {grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.RESOURCE_EXHAUSTED}
        for _, delay, subjects in limited:
            assert delay is not None and 0 < delay <= 3.0  # one call's share of 20/1m
            assert subjects == ["ip"]
        # the valid key from that address waits too: the budget is the address's
        with stub(srv.target) as api:
            error = refused(api.VerifySession, VERIFY, metadata=metadata(srv.api_key))
            assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
