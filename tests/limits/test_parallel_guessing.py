"""Guesses sent at once, as an attacker sends them: over many connections and
both worker processes, at a bcrypt cost high enough that they overlap. However
many arrive together, the throttle admits exactly as many as it would one by
one: the free failures plus the one that starts the first delay, then one per
delay."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import grpc
import pytest
from rpc import metadata, pb

from passgate.auth.v1 import auth_service_pb2_grpc
from passgate.testing import ServerProcess, decode

PW = "Correct-Horse-9-battery"
NEW = "Another#Strong-Pass-42"
FREE = 5
CHECKED_BEFORE_FIRST_DELAY = FREE + 1  # the free failures, and the one that starts the delay
EXHAUSTED = grpc.StatusCode.RESOURCE_EXHAUSTED
# Slow enough (a few ms per hash) that parallel guesses are all in flight together.
COST = "9"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    srv = ServerProcess(
        tmp_path,
        extra_args=("--workers", "2", "--signin-free-failures", str(FREE)),
        env={"PASSGATE_BCRYPT_COST": COST},
    )
    with srv:
        yield srv


@contextmanager
def connections(target: str, n: int) -> Iterator[list[auth_service_pb2_grpc.AuthServiceStub]]:
    """`n` stubs, each on a TCP connection of its own (so the kernel spreads
    them over the worker processes)."""
    channels = [
        grpc.insecure_channel(target, options=[("grpc.use_local_subchannel_pool", 1)])
        for _ in range(n)
    ]
    try:
        for channel in channels:
            grpc.channel_ready_future(channel).result(timeout=10)
        yield [auth_service_pb2_grpc.AuthServiceStub(c) for c in channels]
    finally:
        for channel in channels:
            channel.close()


def burst(
    calls: list[Callable[[], Any]], delays: list[float] | None = None
) -> list[grpc.StatusCode]:
    """Runs every call at once, one thread each; the last one starts a moment
    after the others. Returns each call's status code, in order, and adds the
    RetryInfo delay of each refusal to `delays`."""
    codes: list[grpc.StatusCode] = [grpc.StatusCode.UNKNOWN] * len(calls)
    gate = threading.Barrier(len(calls))

    def run(i: int) -> None:
        gate.wait()
        if i == len(calls) - 1:
            time.sleep(0.005)
        try:
            calls[i]()
            codes[i] = grpc.StatusCode.OK
        except grpc.RpcError as error:
            codes[i] = error.code()
            if delays is not None and codes[i] == EXHAUSTED:
                delays.append(decode(error).retry_delay or 0.0)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return codes


def sign_in_calls(
    apis: list[auth_service_pb2_grpc.AuthServiceStub],
    key: str,
    email: str,
    passwords: list[str],
) -> list[Callable[[], Any]]:
    return [
        partial(
            apis[i % len(apis)].SignIn,
            pb.SignInRequest(email=email, password=pw),
            metadata=metadata(key),
            timeout=30,
        )
        for i, pw in enumerate(passwords)
    ]


def checked(codes: list[grpc.StatusCode]) -> int:
    """Attempts whose password was checked: every answer but the throttle's."""
    return sum(1 for code in codes if code != EXHAUSTED)


def test_parallel_guesses_at_one_account_get_the_sequential_allowance(server: ServerProcess):
    server.create_user("alice@example.com", PW)
    guesses = [f"Wrong-Horse-{i}-battery" for i in range(29)] + [PW]
    with connections(server.target, 6) as apis:
        codes = burst(sign_in_calls(apis, server.api_key, "alice@example.com", guesses))
        assert checked(codes) == CHECKED_BEFORE_FIRST_DELAY, Counter(codes)
        assert codes[-1] == EXHAUSTED  # the right password, beyond the slots, waits too

        # The moment the delay ends, one more attempt is checked, and the next,
        # longer delay applies to the rest of a burst.
        wait = _retry_after(apis[0], server.api_key, "alice@example.com")
        assert 0 < wait <= 1.0
        time.sleep(wait + 0.05)
        delays: list[float] = []
        codes = burst(sign_in_calls(apis, server.api_key, "alice@example.com", guesses), delays)
        assert checked(codes) == 1, Counter(codes)
        # those refused after it were told of the 2 s delay its failure started
        assert 1.0 < max(delays) <= 2.0


def test_parallel_guesses_at_an_unknown_identifier_are_throttled_alike(server: ServerProcess):
    guesses = [f"Wrong-Horse-{i}-battery" for i in range(30)]
    with connections(server.target, 6) as apis:
        codes = burst(sign_in_calls(apis, server.api_key, "nobody@example.com", guesses))
    assert checked(codes) == CHECKED_BEFORE_FIRST_DELAY, Counter(codes)


def test_parallel_wrong_old_passwords_in_change_password_are_throttled(server: ServerProcess):
    server.create_user("bob@example.com", PW)
    with connections(server.target, 6) as apis:
        session = (
            apis[0]
            .SignIn(
                pb.SignInRequest(email="bob@example.com", password=PW),
                metadata=metadata(server.api_key),
            )
            .session_token
        )
        calls = [
            lambda api=apis[i % 6], i=i: api.ChangePassword(
                pb.ChangePasswordRequest(
                    old_password=f"Wrong-Horse-{i}-battery", new_password=NEW, confirm_password=NEW
                ),
                metadata=metadata(server.api_key, session),
                timeout=30,
            )
            for i in range(29)
        ]
        calls.append(
            lambda: apis[5].ChangePassword(
                pb.ChangePasswordRequest(old_password=PW, new_password=NEW, confirm_password=NEW),
                metadata=metadata(server.api_key, session),
                timeout=30,
            )
        )
        codes = burst(calls)
    assert checked(codes) == CHECKED_BEFORE_FIRST_DELAY, Counter(codes)
    assert codes[-1] == EXHAUSTED


def test_parallel_sign_ins_with_the_right_password_are_not_slowed(server: ServerProcess):
    """A user who is not attacked never meets the throttle, however many of
    their sign-ins run at once (each success wipes what it counted)."""
    server.create_user("carol@example.com", PW)
    with connections(server.target, 6) as apis:
        for _ in range(3):
            codes = burst(sign_in_calls(apis, server.api_key, "carol@example.com", [PW] * 20))
            assert codes == [grpc.StatusCode.OK] * 20


def _retry_after(api: auth_service_pb2_grpc.AuthServiceStub, key: str, email: str) -> float:
    try:
        api.SignIn(pb.SignInRequest(email=email, password=PW), metadata=metadata(key))
    except grpc.RpcError as error:
        refusal = decode(error)
        assert refusal.code == EXHAUSTED
        return refusal.retry_delay or 0.0
    raise AssertionError("the throttle let a sign-in through")
