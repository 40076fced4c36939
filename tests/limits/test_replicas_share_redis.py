"""Two passgate servers, each with a database file of its own, sharing one
Redis limits store: what replicas on several machines do. A key's budget and
an account's throttle hold across both, whichever one a call reaches."""

from __future__ import annotations

import shutil
from pathlib import Path

import grpc
import redis
from rpc import metadata, pb, refused, stub

from passgate.redis_server import RedisServer
from passgate.testing import ServerProcess

PASSWORD = "Correct-Horse-9-battery"
WRONG = "Wrong-Horse-9-battery"


def test_two_servers_on_one_redis_share_budgets_and_throttles(
    tmp_path: Path, redis_server: RedisServer
):
    with redis.Redis.from_url(redis_server.url(4)) as client:
        client.flushdb()
    shared = (
        "--limits-store",
        redis_server.url(4),
        "--signin-free-failures",
        "4",
        "--signin-first-delay",
        "60",
    )
    first = ServerProcess(tmp_path / "a", extra_args=shared)
    # The same key and account in both databases: made once, then the file copied.
    first.cli("migrate")
    budgeted = first.create_api_key("budgeted", "--rate", "25/1h")
    first.api_key = first.create_api_key("tests")
    first.create_user("ann@example.com", PASSWORD)
    (tmp_path / "b").mkdir()
    shutil.copy(tmp_path / "a" / "passgate.db", tmp_path / "b" / "passgate.db")
    second = ServerProcess(tmp_path / "b", extra_args=shared)
    second.api_key = first.api_key

    with first, second, stub(first.target) as on_a, stub(second.target) as on_b:
        # the key's budget of 25: calls alternate between the servers
        request = pb.VerifySessionRequest(session_token="pgs_" + "x" * 43)
        codes = [
            refused(api.VerifySession, request, metadata=metadata(budgeted)).code
            for _ in range(20)
            for api in (on_a, on_b)
        ]
        assert codes.count(grpc.StatusCode.UNAUTHENTICATED) == 25  # passed the budget
        assert codes[25:] == [grpc.StatusCode.RESOURCE_EXHAUSTED] * 15

        # four free failures, then the fifth starts the delay: spread over both
        sign_in = pb.SignInRequest(email="ann@example.com", password=WRONG)
        for api in (on_a, on_b, on_a, on_b, on_a):
            assert refused(api.SignIn, sign_in, metadata=metadata(first.api_key)).code == (
                grpc.StatusCode.UNAUTHENTICATED
            )
        right = pb.SignInRequest(email="ann@example.com", password=PASSWORD)
        for api in (on_a, on_b):
            refusal = refused(api.SignIn, right, metadata=metadata(first.api_key))
            assert refusal.code == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert refusal.retry_delay is not None and 55 < refusal.retry_delay <= 60
    for server in (first, second):
        assert "Traceback" not in server.log_text()
