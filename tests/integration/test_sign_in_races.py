"""A sign-in with the old password, racing a password change or a reset: it
may finish before the change (and then its session is revoked with the
others) or after it (and then it is refused), but no session issued for the
old password outlives the change. Each trial starts the sign-in at another
moment of the change's bcrypt work, so some land in every window."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import grpc
import pytest
from engines import ENGINES, server_on
from rpc import metadata, pb, stub

from passgate.testing import ServerProcess

PW = "Correct-Horse-9-battery"
NEW = "Another#Strong-Pass-42"
TRIALS = 10


@pytest.fixture(scope="module", params=ENGINES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    workdir = tmp_path_factory.mktemp(f"races-{request.param}")
    # A cost at which one hash takes tens of milliseconds, so the windows are wide.
    with server_on(request, request.param, workdir, PASSGATE_BCRYPT_COST="10") as srv:
        yield srv


def run_together(
    change: Callable[[], Any], sign_in: Callable[[], Any], delay: float
) -> tuple[Any, Any]:
    """Runs `change` and, `delay` seconds later, `sign_in`; each one's result or RpcError."""
    results: list[Any] = [None, None]

    def run(i: int, call: Callable[[], Any], wait: float) -> None:
        time.sleep(wait)
        try:
            results[i] = call()
        except grpc.RpcError as error:
            results[i] = error

    threads = [
        threading.Thread(target=run, args=(0, change, 0.0)),
        threading.Thread(target=run, args=(1, sign_in, delay)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results[0], results[1]


@pytest.fixture(scope="module")
def hash_seconds(server: ServerProcess) -> float:
    """How long one sign-in takes on this machine (one bcrypt verification)."""
    server.create_user("timer@example.com", PW)
    with stub(server.target) as api:
        started = time.perf_counter()
        api.SignIn(
            pb.SignInRequest(email="timer@example.com", password=PW),
            metadata=metadata(server.api_key),
        )
        return time.perf_counter() - started


def race_a_sign_in(api: Any, key: str, email: str, change: Callable[[], Any], delay: float) -> None:
    """Runs `change` and, `delay` seconds later, a sign-in with the old password:
    the change succeeds; the sign-in is refused, or its session is dead."""
    changed, signed_in = run_together(
        change,
        partial(api.SignIn, pb.SignInRequest(email=email, password=PW), metadata=metadata(key)),
        delay=delay,
    )
    assert not isinstance(changed, grpc.RpcError), changed
    if isinstance(signed_in, grpc.RpcError):
        assert signed_in.code() == grpc.StatusCode.UNAUTHENTICATED
        return
    try:
        api.VerifySession(
            pb.VerifySessionRequest(session_token=signed_in.session_token), metadata=metadata(key)
        )
    except grpc.RpcError as error:
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED
        return
    raise AssertionError("a session issued for the old password outlived the change")


def test_no_session_for_the_old_password_outlives_change_password(
    server: ServerProcess, hash_seconds: float
):
    with stub(server.target) as api:
        key = server.api_key
        for trial in range(TRIALS):
            email = f"change{trial}@example.com"
            server.create_user(email, PW)
            session = api.SignIn(
                pb.SignInRequest(email=email, password=PW), metadata=metadata(key)
            ).session_token
            change = pb.ChangePasswordRequest(
                old_password=PW, new_password=NEW, confirm_password=NEW
            )
            race_a_sign_in(
                api,
                key,
                email,
                partial(api.ChangePassword, change, metadata=metadata(key, session)),
                # ChangePassword verifies the old password, then hashes the new one
                delay=hash_seconds * 2.5 * trial / TRIALS,
            )


def test_no_session_for_the_old_password_outlives_a_reset(
    server: ServerProcess, hash_seconds: float
):
    with stub(server.target) as api:
        key = server.api_key
        for trial in range(TRIALS):
            email = f"reset{trial}@example.com"
            user_id = server.create_user(email, PW)
            api.RequestReset(pb.RequestResetRequest(email=email), metadata=metadata(key))
            links = server.wait_reset_links(trial + 1)
            link = next(link for link in links if link.user_id == user_id)
            submit = pb.SubmitResetRequest(user_id=user_id, token=link.token, new_password=NEW)
            race_a_sign_in(
                api,
                key,
                email,
                partial(api.SubmitReset, submit, metadata=metadata(key)),
                # SubmitReset hashes the new password, then commits
                delay=hash_seconds * 1.5 * trial / TRIALS,
            )
