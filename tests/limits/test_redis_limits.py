"""The Redis limits store under what a shared store meets: many processes
charging one budget at once, and a Redis that goes away and comes back."""

from __future__ import annotations

import asyncio
import logging
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest
import redis
import trustme
from grpc_health.v1 import health_pb2, health_pb2_grpc
from rpc import Refusal, metadata, pb, refused, stub

from passgate.auth.v1 import auth_service_pb2_grpc
from passgate.clock import SystemClock
from passgate.dependency_health import PROBE_SECONDS
from passgate.limits.leases import LEASE_SECONDS
from passgate.limits.policy import Budget, Denial, ThrottlePolicy
from passgate.limits.store import AwaitedLimitStore, LimitStoreUnavailable
from passgate.limits.stores import open_limits_store
from passgate.rates import Rate
from passgate.redis_server import RedisServer, Tls
from passgate.testing import ServerProcess, in_process_server

# Charges one budget (named, and its rate, on the command line) from many
# threads, once every process is ready (connected and told "go" on stdin), so
# that the processes contend; prints the calls passed.
_CHARGER = """
import sys
from concurrent.futures import ThreadPoolExecutor
from passgate.clock import SystemClock
from passgate.limits.policy import Budget
from passgate.limits.stores import open_limits_store
from passgate.rates import Rate
url, key, rate, threads, tries = sys.argv[1:3] + [sys.argv[3], int(sys.argv[4]), int(sys.argv[5])]
store = open_limits_store(url)
budget = [Budget(key, Rate.parse(rate))]
assert store.charge([Budget("key:warm-up", Rate(10**6, 1.0))], SystemClock()) is None
print("ready", flush=True)
sys.stdin.readline()
def charge(_):
    return sum(store.charge(budget, SystemClock()) is None for _ in range(tries))
with ThreadPoolExecutor(threads) as pool:
    print(sum(pool.map(charge, range(threads))))
"""


def charged_at_once(url: str, key: str, rate: str, tries: int) -> list[int]:
    """The calls that passed in each of 4 processes of 6 threads, each thread
    charging `key` `tries` times."""
    chargers = [
        subprocess.Popen(
            [sys.executable, "-c", _CHARGER, url, key, rate, "6", str(tries)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for charger in chargers:
        assert charger.stdout is not None
        assert charger.stdout.readline() == "ready\n", charger.communicate(timeout=60)[1]
    outputs = [charger.communicate("go\n", timeout=120) for charger in chargers]
    assert all(charger.returncode == 0 for charger in chargers), [err for _, err in outputs]
    return [int(out) for out, _ in outputs]


def test_many_threads_in_several_processes_get_exactly_the_budget(redis_server: RedisServer):
    passed = charged_at_once(redis_server.url(2), "key:shared", "100/1h", tries=40)
    # 960 attempts at once on a budget of 100 an hour: exactly 100 pass, whoever gets them
    assert sum(passed) == 100, passed


def test_a_leased_budget_never_lets_more_through_across_processes(redis_server: RedisServer):
    """2000 in 10 hours is leased 20 calls at a time: 3600 attempts at once
    from four processes never pass more than 2000. A lease a process lets
    lapse unspent (0.1 s without a charge) is lost, so a few may pass fewer."""
    passed = charged_at_once(redis_server.url(2), "key:shared-large", "2000/10h", tries=150)
    assert 2000 - 4 * 20 * 5 <= sum(passed) <= 2000, passed


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.remove()


def test_a_lost_redis_answers_unavailable_logged_once_and_recovers_by_itself(
    own_redis: RedisServer, caplog: pytest.LogCaptureFixture
):
    store = open_limits_store(own_redis.url())
    budget = [Budget("key:k", Rate(25, 5.0))]
    clock = SystemClock()
    policy = ThrottlePolicy()
    try:
        assert store.charge(budget, clock) is None
        own_redis.stop()
        with caplog.at_level(logging.WARNING, logger="passgate.limits"):
            for _ in range(3):
                with pytest.raises(LimitStoreUnavailable):
                    store.charge(budget, clock)
                with pytest.raises(LimitStoreUnavailable):
                    store.admit("signin:t:user:x", clock, policy)
            failing = [r for r in caplog.records if "cannot be reached" in r.getMessage()]
            assert len(failing) == 1, [r.getMessage() for r in failing]
            assert f"redis://127.0.0.1:{own_redis.port}/0" in failing[0].getMessage()

            own_redis.start()  # the same port, empty: a restarted Redis
            assert store.charge(budget, clock) is None
            assert store.admit("signin:t:user:x", clock, policy).admitted
            assert any("works again" in r.getMessage() for r in caplog.records)
    finally:
        store.close()


def test_a_redis_busy_with_someone_elses_script_is_unavailable_not_an_error(
    own_redis: RedisServer,
):
    """Redis answers BUSY (an error reply redis-py has no class for) while another
    client's script runs too long: that is Redis not usable now, retryable, like a
    lost connection; never an unexpected error (INTERNAL)."""
    store = open_limits_store(own_redis.url())
    budget = [Budget("key:k", Rate(25, 5.0))]
    clock = SystemClock()
    admin = redis.Redis.from_url(own_redis.url())
    admin.config_set("busy-reply-threshold", 100)  # ms a script runs before others get BUSY
    hog = redis.Redis.from_url(own_redis.url())
    try:
        assert store.charge(budget, clock) is None
        with ThreadPoolExecutor(1) as pool:
            running = pool.submit(hog.eval, "while true do end", 0)
            time.sleep(0.5)  # past the threshold: every other command is answered BUSY
            try:
                with pytest.raises(LimitStoreUnavailable):
                    store.charge(budget, clock)
            finally:
                while True:  # the script may not have started when first asked
                    try:
                        admin.script_kill()
                        break
                    except redis.ResponseError:
                        time.sleep(0.05)
            with pytest.raises(redis.ResponseError):
                running.result(timeout=10)  # killed
        assert store.charge(budget, clock) is None
    finally:
        store.close()
        admin.close()
        hog.close()


def test_calls_waiting_for_a_lease_fetch_that_failed_fail_with_it_not_one_after_another():
    """A Redis that accepts connections and never answers (a partition, a stalled
    peer): 50 calls at once need a lease of one large budget. The first call's
    fetch times out; the 49 waiting for it learn that at once, rather than each
    trying again after the other, one timeout at a time."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:  # takes connections, reads nothing, answers nothing
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept)
    thread.start()
    store = open_limits_store(f"redis://127.0.0.1:{listener.getsockname()[1]}/0")
    assert isinstance(store, AwaitedLimitStore)
    large = [Budget("key:large", Rate(1_000_000, 1.0))]

    async def burst() -> list[BaseException | Denial | None]:
        try:
            calls = [store.charge_async(large, SystemClock()) for _ in range(50)]
            return await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), 120)
        finally:
            await store.aclose()

    try:
        answers = asyncio.run(burst())
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        listener.close()
        store.close()
    assert all(isinstance(a, LimitStoreUnavailable) for a in answers), answers
    assert len(accepted) <= 2, f"{len(accepted)} connections: the waiters fetched again"


def test_local_mode_stays_local_while_redis_answers_ping_but_refuses_writes(
    own_redis: RedisServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    """A primary that lost its replicas (min-replicas-to-write) answers PING and
    refuses every write: the replica keeps its limits locally until Redis takes
    writes again, rather than going back to Redis each second and falling back
    at the next call."""
    store = open_limits_store(own_redis.url(), local=tmp_path / "local.limits")
    budget = [Budget("key:k", Rate(1000, 5.0))]
    clock = SystemClock()
    admin = redis.Redis.from_url(own_redis.url())
    try:
        assert store.charge(budget, clock) is None
        with caplog.at_level(logging.INFO, logger="passgate.limits"):
            admin.config_set("min-replicas-to-write", 1)
            deadline = time.monotonic() + 3 * PROBE_SECONDS
            while time.monotonic() < deadline:  # every call answered, from the local file
                assert store.charge(budget, clock) is None
                time.sleep(0.05)
            lines = [r.getMessage() for r in caplog.records]
            assert sum("cannot be reached" in line for line in lines) == 1, lines
            assert not any("works again" in line for line in lines), lines
            admin.config_set("min-replicas-to-write", 0)
            deadline = time.monotonic() + 3 * PROBE_SECONDS
            while not any("works again" in r.getMessage() for r in caplog.records):
                assert time.monotonic() < deadline, "Redis was not used again"
                assert store.charge(budget, clock) is None
                time.sleep(0.05)
    finally:
        store.close()
        admin.close()


VERIFY = pb.VerifySessionRequest(session_token="pgs_" + "x" * 43)


def test_a_server_on_redis_answers_others_while_redis_is_slow_and_keeps_its_budgets(
    tmp_path: Path, redis_server: RedisServer
):
    """Budgets are charged in Redis without holding up the event loop: while
    Redis answers nothing for a second, a health check still answers at once."""
    with redis.Redis.from_url(redis_server.url(3)) as client:
        client.flushdb()
        with (
            in_process_server(
                tmp_path,
                key_rate=Rate(25, 3600.0),  # refilled too slowly to matter here
                ip_rate=Rate(40, 3600.0),
                limits_store=redis_server.url(3),
            ) as srv,
            grpc.insecure_channel(srv.target) as channel,
        ):
            api = auth_service_pb2_grpc.AuthServiceStub(channel)
            health = health_pb2_grpc.HealthStub(channel)
            md = metadata(srv.api_key)
            assert refused(api.VerifySession, VERIFY, metadata=md).reason == "SESSION_INVALID"

            client.client_pause(1000, all=False)  # scripts wait; this client does not
            with ThreadPoolExecutor(1) as pool:
                paused = time.monotonic()
                held = pool.submit(refused, api.VerifySession, VERIFY, metadata=md)
                time.sleep(0.1)  # the call is waiting for Redis now
                asked = time.monotonic()
                reply = health.Check(health_pb2.HealthCheckRequest(), timeout=5)
                assert reply.status == health_pb2.HealthCheckResponse.SERVING
                assert time.monotonic() - asked < 0.5
                assert held.result(timeout=10).reason == "SESSION_INVALID"
                assert time.monotonic() - paused > 0.9  # it did wait for Redis

            # 2 calls so far: 23 more pass the key budget of 25, then it refuses, honestly
            for _ in range(23):
                assert refused(api.VerifySession, VERIFY, metadata=md).reason == "SESSION_INVALID"
            refusal = refused(api.VerifySession, VERIFY, metadata=md)
            assert refusal.code == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert refusal.quota_subjects[0].startswith("key:key_")
            assert refusal.retry_delay is not None and 140 < refusal.retry_delay <= 144  # 1/25 h

            # a wrong key is charged to the address (25 spent of 40): 15 more, then refused
            wrong = metadata("pgk_" + "x" * 43)
            reasons = [refused(api.VerifySession, VERIFY, metadata=wrong).reason for _ in range(16)]
            assert reasons == ["API_KEY_INVALID"] * 15 + ["RATE_LIMITED"]


def health_of(target: str) -> list[int]:
    """What health says for the server, for AuthService and for AdminService."""
    with grpc.insecure_channel(target) as channel:
        checks = health_pb2_grpc.HealthStub(channel)
        return [
            checks.Check(health_pb2.HealthCheckRequest(service=name), timeout=5).status
            for name in ("", "passgate.auth.v1.AuthService", "passgate.admin.v1.AdminService")
        ]


def health_becomes(target: str, status: int, timeout: float = 10.0) -> None:
    """Waits until health says `status` for the server and for each service."""
    deadline = time.monotonic() + timeout
    while (seen := health_of(target)) != [status] * 3:
        assert time.monotonic() < deadline, f"health stayed {seen}, not {status}"
        time.sleep(0.1)


def test_a_server_whose_redis_is_lost_answers_unavailable_then_serves_again(
    tmp_path: Path, own_redis: RedisServer
):
    """--limits-store-outage refuse, the default."""
    serving = health_pb2.HealthCheckResponse.SERVING
    with (
        in_process_server(
            tmp_path, limits_store=own_redis.url(), limits_store_outage="refuse"
        ) as srv,
        stub(srv.target) as api,
    ):
        md = metadata(srv.api_key)
        sign_in = pb.SignInRequest(email="nobody@example.com", password="Wrong-Horse-9-battery")
        assert refused(api.VerifySession, VERIFY, metadata=md).reason == "SESSION_INVALID"
        own_redis.stop()
        # the test's budgets are large, so leased: calls charged before pass for a moment more
        time.sleep(LEASE_SECONDS)
        for call, request in ((api.VerifySession, VERIFY), (api.SignIn, sign_in)):
            refusal = refused(call, request, metadata=md)
            assert refusal.code == grpc.StatusCode.UNAVAILABLE
            assert refusal.reason == "SERVICE_UNAVAILABLE"
            assert refusal.retry_delay is not None and refusal.retry_delay > 0
        # balancers are told, within about a second (Redis is pinged each second)
        health_becomes(srv.target, health_pb2.HealthCheckResponse.NOT_SERVING)
        own_redis.start()  # back, on the same port: the same server answers again
        health_becomes(srv.target, serving)
        assert refused(api.VerifySession, VERIFY, metadata=md).reason == "SESSION_INVALID"
        assert refused(api.SignIn, sign_in, metadata=md).reason == "INVALID_CREDENTIALS"


PASSWORD = "Correct-Horse-9-battery"
WRONG = "Wrong-Horse-9-battery"


def works_again(server: ServerProcess, timeout: float = 10.0) -> None:
    """Waits until the server logs that its Redis limits store works again."""
    deadline = time.monotonic() + timeout
    while "works again" not in server.log_text():
        assert time.monotonic() < deadline, server.log_text()[-2000:]
        time.sleep(0.1)


def test_replicas_whose_redis_is_lost_keep_limits_alone_then_share_them_again(
    tmp_path: Path, own_redis: RedisServer
):
    """--limits-store-outage local: while Redis is down each replica enforces
    budgets and throttles alone, health stays SERVING, and once Redis is back
    they share them again without a restart."""
    args = (
        *("--limits-store", own_redis.url(), "--limits-store-outage", "local"),
        *("--signin-free-failures", "4", "--signin-first-delay", "60"),
    )
    first = ServerProcess(tmp_path / "a", extra_args=args)
    # The same keys and accounts in both databases: made once, then the file copied.
    first.cli("migrate")
    budgeted = first.create_api_key("budgeted", "--rate", "5/1h")
    first.api_key = first.create_api_key("tests")
    first.create_user("ann@example.com", PASSWORD)
    first.create_user("bob@example.com", PASSWORD)
    (tmp_path / "b").mkdir()
    shutil.copy(tmp_path / "a" / "passgate.db", tmp_path / "b" / "passgate.db")
    second = ServerProcess(tmp_path / "b", extra_args=args)
    second.api_key = first.api_key
    md = metadata(first.api_key)

    def sign_in(api: auth_service_pb2_grpc.AuthServiceStub, email: str, password: str) -> Refusal:
        return refused(api.SignIn, pb.SignInRequest(email=email, password=password), metadata=md)

    with first, second, stub(first.target) as on_a, stub(second.target) as on_b:
        for api in (on_a, on_b):
            assert refused(api.VerifySession, VERIFY, metadata=md).reason == "SESSION_INVALID"
        own_redis.stop()
        stopped = time.monotonic()

        # eight wrong passwords at ann at once on one replica: the four free
        # failures and the one that starts the delay are checked, the rest refused
        with ThreadPoolExecutor(8) as pool:
            guesses = list(pool.map(lambda _: sign_in(on_a, "ann@example.com", WRONG), range(8)))
        assert (
            sorted(g.reason or "" for g in guesses)
            == ["INVALID_CREDENTIALS"] * 5 + ["RATE_LIMITED"] * 3
        )
        refusal = sign_in(on_a, "ann@example.com", PASSWORD)  # the sixth and later: refused
        assert refusal.code == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert refusal.retry_delay is not None and 55 < refusal.retry_delay <= 60
        # a key's budget of 5 an hour, eight calls at once: five pass
        with ThreadPoolExecutor(8) as pool:
            codes = list(
                pool.map(
                    lambda _: refused(on_a.VerifySession, VERIFY, metadata=metadata(budgeted)).code,
                    range(8),
                )
            )
        assert codes.count(grpc.StatusCode.UNAUTHENTICATED) == 5
        assert codes.count(grpc.StatusCode.RESOURCE_EXHAUSTED) == 3
        # the other replica answers too
        assert sign_in(on_b, "nobody@example.com", WRONG).reason == "INVALID_CREDENTIALS"
        # and neither tells balancers to leave it, after more than a probe's round
        time.sleep(max(0.0, stopped + 2 * PROBE_SECONDS - time.monotonic()))
        for server in (first, second):
            assert health_of(server.target) == [health_pb2.HealthCheckResponse.SERVING] * 3

        own_redis.start()  # back, empty, on the same port
        for server in (first, second):
            works_again(server)
        # bob's free failures spread over both replicas count once again
        for api in (on_a, on_b, on_a, on_b, on_a):
            assert sign_in(api, "bob@example.com", WRONG).reason == "INVALID_CREDENTIALS"
        for api in (on_a, on_b):
            refusal = sign_in(api, "bob@example.com", PASSWORD)
            assert refusal.code == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert refusal.retry_delay is not None and 55 < refusal.retry_delay <= 60
    for server in (first, second):
        log = server.log_text()
        assert log.count("cannot be reached") == 1, log
        assert "enforces budgets and throttles alone" in log
        assert "Traceback" not in log


def test_a_password_and_tls_are_taken_from_the_url(tmp_path: Path):
    ca = trustme.CA()
    tls = Tls(tmp_path / "redis.crt", tmp_path / "redis.key", tmp_path / "ca.crt")
    issued = ca.issue_cert("127.0.0.1")
    issued.cert_chain_pems[0].write_to_path(str(tls.cert))
    issued.private_key_pem.write_to_path(str(tls.key))
    ca.cert_pem.write_to_path(str(tls.ca))
    server = RedisServer(password="redis-secret", tls=tls).start()
    budget = [Budget("key:tls", Rate(25, 5.0))]
    try:
        assert server.url().startswith("rediss://:redis-secret@")
        store = open_limits_store(server.url())
        try:
            assert sum(store.charge(budget, SystemClock()) is None for _ in range(30)) == 25
        finally:
            store.close()
        wrong = open_limits_store(server.url().replace("redis-secret", "not-it"))
        try:
            with pytest.raises(LimitStoreUnavailable):
                wrong.charge(budget, SystemClock())
        finally:
            wrong.close()
    finally:
        server.remove()
