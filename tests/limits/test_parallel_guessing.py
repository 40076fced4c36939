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
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import grpc
import pytest
from engines import EngineDatabase
from rpc import metadata, pb

from passgate.auth.v1 import auth_service_pb2_grpc
from passgate.testing import ServerProcess, decode

PW = "Correct-Horse-9-battery"
NEW = "Another#Strong-Pass-42"
FREE = 5
CHECKED_BEFORE_FIRST_DELAY = FREE + 1  # the free failures, and the one that starts the delay
# Long enough that a call sent the moment a refusal comes back still lands in
# the delay on a machine whose every core is busy (a refusal can take a second
# to reach a starved client).
FIRST_DELAY = 4.0
EXHAUSTED = grpc.StatusCode.RESOURCE_EXHAUSTED
# Slow enough (a few ms per hash) that parallel guesses are all in flight together.
COST = "9"


@pytest.fixture
def server(tmp_path: Path, database: EngineDatabase) -> Iterator[ServerProcess]:
    """Two worker processes, on each engine in turn (on PostgreSQL the accounts
    live in the database server; the throttle's state is the limits store's)."""
    srv = ServerProcess(
        tmp_path,
        database_url=database.url,
        extra_args=(
            "--workers",
            "2",
            "--signin-free-failures",
            str(FREE),
            "--signin-first-delay",
            str(FIRST_DELAY),
        ),
        env={**database.env, "PASSGATE_BCRYPT_COST": COST},
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


@dataclass
class Burst:
    """What a burst of calls got back: each call's status code, in order, and
    the moment each throttle refusal ends (when its RetryInfo says to come back)."""

    codes: list[grpc.StatusCode] = field(default_factory=list)
    refusals_end: list[float] = field(default_factory=list)
    delays: list[float] = field(default_factory=list)


def burst(calls: list[Callable[[], Any]], *, last_after_refusal: bool = True) -> Burst:
    """Runs the calls at once, one thread each. With `last_after_refusal`, the
    last one is sent once the first refusal came back: it then arrives after
    the throttle's slots were all taken, while the others are still being
    answered, however slowly the machine starts the threads."""
    result = Burst(codes=[grpc.StatusCode.UNKNOWN] * len(calls))
    gate = threading.Barrier(len(calls))
    refused = threading.Event()
    lock = threading.Lock()

    def run(i: int) -> None:
        gate.wait()
        if last_after_refusal and i == len(calls) - 1:
            refused.wait(30)
        try:
            calls[i]()
            result.codes[i] = grpc.StatusCode.OK
        except grpc.RpcError as error:
            result.codes[i] = error.code()
            if error.code() == EXHAUSTED:
                delay = decode(error).retry_delay or 0.0
                with lock:
                    result.delays.append(delay)
                    result.refusals_end.append(time.monotonic() + delay)
                refused.set()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return result


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
        first = burst(sign_in_calls(apis, server.api_key, "alice@example.com", guesses))
        assert checked(first.codes) == CHECKED_BEFORE_FIRST_DELAY, Counter(first.codes)
        assert first.codes[-1] == EXHAUSTED  # the right password, beyond the slots, waits too
        assert all(0 < delay <= FIRST_DELAY for delay in first.delays)

        # The moment the delay ends, one more attempt is checked, and the next,
        # longer delay applies to the rest of a burst.
        time.sleep(max(first.refusals_end) - time.monotonic() + 0.05)
        second = burst(sign_in_calls(apis, server.api_key, "alice@example.com", guesses))
        assert checked(second.codes) == 1, Counter(second.codes)
        # those refused after it were told of the doubled delay its failure started
        assert FIRST_DELAY < max(second.delays) <= 2 * FIRST_DELAY


def test_parallel_guesses_at_an_unknown_identifier_are_throttled_alike(server: ServerProcess):
    guesses = [f"Wrong-Horse-{i}-battery" for i in range(30)]
    with connections(server.target, 6) as apis:
        codes = burst(sign_in_calls(apis, server.api_key, "nobody@example.com", guesses)).codes
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
        codes = burst(calls).codes
    assert checked(codes) == CHECKED_BEFORE_FIRST_DELAY, Counter(codes)
    assert codes[-1] == EXHAUSTED  # the right old password, beyond the slots, waits too


def test_parallel_sign_ins_with_the_right_password_are_not_slowed(server: ServerProcess):
    """A user who is not attacked never meets the throttle, however many of
    their sign-ins run at once (each success wipes what it counted)."""
    server.create_user("carol@example.com", PW)
    with connections(server.target, 6) as apis:
        for _ in range(3):
            calls = sign_in_calls(apis, server.api_key, "carol@example.com", [PW] * 20)
            codes = burst(calls, last_after_refusal=False).codes
            assert codes == [grpc.StatusCode.OK] * 20
