"""A call whose caller's deadline passes before its change commits changes
nothing: no session from a SignIn nobody receives, no password changed under
a caller told DEADLINE_EXCEEDED, no reset token spent. Each call below spends
a cost-12 bcrypt computation (about a quarter of a second here) before it
would write, against a deadline of a few tens of milliseconds."""

from __future__ import annotations

import contextlib
import queue
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from admin_support import AdminClient, admin_key
from engines import ENGINES, server_on
from event_support import newest_event_id, watching
from rpc_support import PASSWORD, Client, unique_email, wait_links_to

from passgate.admin.v1 import admin_service_pb2 as admin_pb
from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.testing import ServerProcess

SLOW_COST = "12"
NEW_PASSWORD = "Another-Horse-7-staple"
# checked before the first delay at the defaults: the 5 free failures and the one whose
# failure starts the delay (README, Security notes)
CHECKED_BEFORE_DELAY = 6


@pytest.fixture(scope="module", params=ENGINES)
def slow_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, Client]]:
    """A server hashing at cost 12, on each engine: the rollback is each engine's."""
    workdir = tmp_path_factory.mktemp(f"slow-{request.param}")
    with (
        server_on(request, request.param, workdir, PASSGATE_BCRYPT_COST=SLOW_COST) as server,
        grpc.insecure_channel(server.target) as channel,
    ):
        yield server, Client(channel, server.api_key)


def sessions_of(server: ServerProcess, user_id: str) -> int:
    """How many live sessions an administrator sees for the user."""
    with grpc.insecure_channel(server.target) as channel:
        admin = AdminClient(channel, admin_key(server))
        listed = admin.call("ListUserSessions", admin_pb.ListUserSessionsRequest(user_id=user_id))
        return len(listed.sessions)


def times_out(client: Client, method: str, request: object, **kw: object) -> None:
    refusal = client.refuse(method, request, timeout=0.05, **kw)  # type: ignore[arg-type]
    assert refusal.code == grpc.StatusCode.DEADLINE_EXCEEDED, refusal


def time_out_together(server: ServerProcess, request: object, calls: int) -> None:
    """`calls` SignIns sent at once over four connections, each abandoned at 50 ms."""
    channels = [grpc.insecure_channel(server.target) for _ in range(4)]
    try:
        clients = [Client(channel, server.api_key) for channel in channels]
        with ThreadPoolExecutor(max_workers=calls) as pool:
            list(pool.map(lambda i: times_out(clients[i % 4], "SignIn", request), range(calls)))
    finally:
        for channel in channels:
            channel.close()


def test_a_sign_in_whose_deadline_passed_leaves_no_session(slow_server):
    server, client = slow_server
    email = unique_email()
    user_id = server.create_user(email, PASSWORD)
    for _ in range(3):
        times_out(client, "SignIn", pb.SignInRequest(email=email, password=PASSWORD))
    assert sessions_of(server, user_id) == 0
    # the password was right: the abandoned attempts count as no failure
    assert client.sign_in(email, PASSWORD).session_token
    assert sessions_of(server, user_id) == 1


def test_a_password_change_whose_deadline_passed_changes_nothing(slow_server):
    server, client = slow_server
    email = unique_email()
    server.create_user(email, PASSWORD)
    session = client.sign_in(email, PASSWORD).session_token
    request = pb.ChangePasswordRequest(
        old_password=PASSWORD, new_password=NEW_PASSWORD, confirm_password=NEW_PASSWORD
    )
    times_out(client, "ChangePassword", request, session=session)
    assert client.is_live(session)  # not revoked by a change that did not happen
    assert client.sign_in(email, PASSWORD).session_token  # the old password still works
    changed = client.change_password(session, PASSWORD, NEW_PASSWORD)  # the retry succeeds
    assert changed.session_token and not client.is_live(session)


def test_a_reset_whose_deadline_passed_leaves_the_token_usable(slow_server):
    server, client = slow_server
    email = unique_email()
    server.create_user(email, PASSWORD)
    session = client.sign_in(email, PASSWORD).session_token
    client.request_reset(email)
    (link,) = wait_links_to(server.mail_dir, email)
    request = pb.SubmitResetRequest(
        user_id=link.user_id, token=link.token, new_password=NEW_PASSWORD
    )
    times_out(client, "SubmitReset", request)
    assert client.is_live(session)
    assert client.sign_in(email, PASSWORD).session_token
    client.call("SubmitReset", request)  # the same token, again: it was not spent
    assert not client.is_live(session)
    assert client.sign_in(email, NEW_PASSWORD).session_token


def test_guesses_abandoned_by_their_deadline_still_count_against_the_account(slow_server):
    """An attacker who never waits for answers gets no free guesses: a wrong
    password is counted whether or not its caller is still there. Each guess is
    abandoned at 50 ms, while its hash is computed; one whose deadline passed
    before the server took it up checked no password (no sign_in.failed event
    follows it) and is sent again."""
    server, client = slow_server
    email = unique_email()
    user_id = server.create_user(email, PASSWORD)
    wrong = pb.SignInRequest(email=email, password=PASSWORD + "x")

    def failed(event: admin_pb.Event) -> bool:
        return event.type == "sign_in.failed" and event.user_id == user_id

    checked = 0
    with (
        grpc.insecure_channel(server.target) as channel,
        watching(channel, admin_key(server), after_event_id=newest_event_id(server)) as events,
    ):
        for _ in range(3 * CHECKED_BEFORE_DELAY):
            times_out(client, "SignIn", wrong)
            with contextlib.suppress(queue.Empty):  # not taken up: nothing was checked
                events.until(failed, timeout=10)
                checked += 1
            if checked == CHECKED_BEFORE_DELAY:
                break
    assert checked == CHECKED_BEFORE_DELAY
    refusal = client.refuse("SignIn", wrong)
    assert (refusal.code, refusal.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED")


def test_sign_ins_abandoned_together_on_many_connections_leave_no_session(slow_server):
    """Sixteen callers on four connections, each giving up after 50 ms while the
    hashes queue behind one another: none of their sessions survives."""
    server, _ = slow_server
    email = unique_email()
    user_id = server.create_user(email, PASSWORD)
    time_out_together(server, pb.SignInRequest(email=email, password=PASSWORD), 16)
    assert sessions_of(server, user_id) == 0


def test_guesses_abandoned_together_on_many_connections_get_no_more_than_waited_ones(
    slow_server,
):
    """Eighteen wrong guesses at one account on four connections at once, each
    abandoned at 50 ms: however many the server took up, no more than the free
    failures and the one that starts the delay are checked, and then the account
    is throttled for a caller who waits."""
    server, client = slow_server
    email = unique_email()
    user_id = server.create_user(email, PASSWORD)
    wrong = pb.SignInRequest(email=email, password=PASSWORD + "x")
    with (
        grpc.insecure_channel(server.target) as channel,
        watching(channel, admin_key(server), after_event_id=newest_event_id(server)) as events,
    ):
        time_out_together(server, wrong, 18)
        # a caller who waits: checked while fewer were, refused once the delay began
        waited = 0
        while (
            refusal := client.refuse("SignIn", wrong, timeout=120)
        ).code != grpc.StatusCode.RESOURCE_EXHAUSTED:
            assert refusal.reason == "INVALID_CREDENTIALS", refusal
            waited += 1
            assert waited <= CHECKED_BEFORE_DELAY
        assert refusal.reason == "RATE_LIMITED"
        checked = 0
        with contextlib.suppress(queue.Empty):  # every check is recorded before its answer
            while True:
                event = events.next(timeout=3)
                checked += event.type == "sign_in.failed" and event.user_id == user_id
    assert checked == CHECKED_BEFORE_DELAY
    assert waited < CHECKED_BEFORE_DELAY  # the abandoned guesses were checked and counted
