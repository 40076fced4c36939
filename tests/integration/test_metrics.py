"""Prometheus metrics, scraped over HTTP from a real server while it is
called: counters move by exactly the calls made, with one process and with
two workers, and no label carries an e-mail address, a key or an address."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest
from prometheus_client.parser import text_string_to_metric_families
from rpc import metadata, pb, stub

from passgate.testing import ServerProcess, free_port

PW = "Correct-Horse-9-battery"
SERVICE = "passgate.auth.v1.AuthService"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(listen: str) -> tuple[str, Samples]:
    """The text served, and every sample by name and labels."""
    with urllib.request.urlopen(f"http://{listen}/metrics", timeout=10) as response:
        text = response.read().decode()
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return text, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def metrics_server(tmp_path: Path) -> Iterator[tuple[ServerProcess, str]]:
    listen = f"127.0.0.1:{free_port()}"
    args = ("--metrics-listen", listen, "--signin-free-failures", "12")
    with ServerProcess(tmp_path, extra_args=args) as server:
        yield server, listen


def wrong_sign_ins(server: ServerProcess, email: str, count: int) -> list[grpc.StatusCode]:
    codes = []
    with stub(server.target) as api:
        for _ in range(count):
            try:
                api.SignIn(
                    pb.SignInRequest(email=email, password="Wrong-Horse-9-battery"),
                    metadata=metadata(server.api_key),
                )
            except grpc.RpcError as error:
                codes.append(error.code())
    return codes


def test_counters_move_by_exactly_the_calls_made(metrics_server: tuple[ServerProcess, str]):
    server, listen = metrics_server
    server.create_user("kim@example.com", PW)
    server.create_user("lee@example.com", PW)
    _, before = scrape(listen)

    assert wrong_sign_ins(server, "kim@example.com", 10) == [grpc.StatusCode.UNAUTHENTICATED] * 10
    # 12 free failures, the 13th starts a delay, then 2 refused by the throttle
    codes = wrong_sign_ins(server, "lee@example.com", 15)
    assert (
        codes == [grpc.StatusCode.UNAUTHENTICATED] * 13 + [grpc.StatusCode.RESOURCE_EXHAUSTED] * 2
    )
    with stub(server.target) as api:
        for _ in range(3):
            with pytest.raises(grpc.RpcError):
                api.VerifySession(
                    pb.VerifySessionRequest(session_token="pgs_nope"),
                    metadata=metadata("pgk_not-a-key"),
                )
    text, after = scrape(listen)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    calls = "passgate_rpc_calls_total"
    assert moved(calls, service=SERVICE, method="SignIn", code="UNAUTHENTICATED") == 23
    assert moved(calls, service=SERVICE, method="SignIn", code="RESOURCE_EXHAUSTED") == 2
    assert moved(calls, service=SERVICE, method="VerifySession", code="UNAUTHENTICATED") == 3
    timed = "passgate_rpc_duration_seconds_count"
    assert moved(timed, service=SERVICE, method="SignIn") == 25
    assert moved("passgate_limit_refusals_total", limit="sign-in attempts") == 2
    # one bcrypt job per SignIn: a throttled one costs a verification too
    assert moved("passgate_bcrypt_wait_seconds_count") == 25
    assert value(after, "passgate_outbox_pending") == 0
    assert value(after, "passgate_build_info", version=_installed_version()) == 1
    # nothing that identifies a user, a key or a caller
    for secret in ("@example.com", server.api_key, "pgk_", "key_", "127.0.0.1"):
        assert secret not in text


def _installed_version() -> str:
    from importlib.metadata import version

    return version("passgate")


def test_two_workers_serve_the_sum_of_their_counts(tmp_path: Path):
    """Callers on 8 connections at once, spread by the kernel over both workers:
    the supervisor's sum is every call, none counted twice or lost."""
    listen = f"127.0.0.1:{free_port()}"
    args = ("--workers", "2", "--metrics-listen", listen)
    with ServerProcess(tmp_path, extra_args=args) as server:
        _, before = scrape(listen)

        def caller(_: int) -> list[grpc.StatusCode]:
            codes = []
            with stub(server.target) as api:  # a connection of its own
                for _ in range(10):
                    try:
                        api.VerifySession(
                            pb.VerifySessionRequest(session_token="pgs_nope"),
                            metadata=metadata(server.api_key),
                        )
                    except grpc.RpcError as error:
                        codes.append(error.code())
            return codes

        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = [code for got in pool.map(caller, range(8)) for code in got]
        _, after = scrape(listen)
    assert codes == [grpc.StatusCode.UNAUTHENTICATED] * 80
    labels = {"service": SERVICE, "method": "VerifySession", "code": "UNAUTHENTICATED"}
    name = "passgate_rpc_calls_total"
    assert value(after, name, **labels) - value(before, name, **labels) == 80
