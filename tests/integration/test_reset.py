"""The reset flow against the shared server: what RequestReset answers, the
tokens it mails, how they die, SubmitReset refusals that change nothing, races
on one token and one session, the reset_url allow-list and mail templates."""

from __future__ import annotations

import email
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import grpc
import pytest
from rpc_support import (
    NEW_PASSWORD,
    PASSWORD,
    THIRD_PASSWORD,
    Client,
    Refusal,
    links_to,
    mail_text,
    raw_method,
    unique_email,
    wait_links_to,
)
from server_support import WELCOME_MARKER, WELCOME_SUBJECT, UserFactory

from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.testing import ResetLink, ServerProcess

INVALID_ARGUMENT = grpc.StatusCode.INVALID_ARGUMENT
DEFAULT_RESET_URL = "http://localhost:8080/reset"


def assert_token_invalid(result: Any) -> None:
    assert isinstance(result, Refusal), result
    assert result.code == INVALID_ARGUMENT
    assert result.error_info.reason == "RESET_TOKEN_INVALID"
    assert result.field_reasons == [("token", "RESET_TOKEN_INVALID")]


def reset_link_for(client: Client, server: ServerProcess, address: str, **kw: Any) -> ResetLink:
    before = len(links_to(server.mail_dir, address))
    client.request_reset(address, **kw)
    return wait_links_to(server.mail_dir, address, before + 1)[-1]


def race(count: int, call: Callable[[int], Any]) -> list[Any]:
    """Runs `call(i)` on `count` threads released at the same moment."""
    start = threading.Barrier(count)

    def run(i: int) -> Any:
        start.wait()
        return call(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


# --- RequestReset -----------------------------------------------------------------


def test_request_reset_answers_byte_for_byte_alike_for_every_input(
    server: ServerProcess, client: Client, shared_channel: grpc.Channel, make_user: UserFactory
) -> None:
    username = f"user_{uuid.uuid4().hex[:10]}"
    user = make_user(username=username)
    nobody = unique_email("nobody")
    requests = {
        "known_email": pb.RequestResetRequest(email=user.email),
        "unknown_email": pb.RequestResetRequest(email=nobody),
        "known_username": pb.RequestResetRequest(username=username),
        "unknown_username": pb.RequestResetRequest(username=f"nobody_{uuid.uuid4().hex[:10]}"),
        "known_with_options": pb.RequestResetRequest(
            email=user.email.upper(), reset_url="https://elsewhere.example/r", email_template="x"
        ),
    }
    call = raw_method(shared_channel, "RequestReset")
    answers = {}
    for name, request in requests.items():
        body, done = call.with_call(
            request.SerializeToString(), metadata=client.metadata(), timeout=30
        )
        answers[name] = (body, tuple(done.initial_metadata()), tuple(done.trailing_metadata()))

    assert answers["known_email"][0] == b""
    assert len(set(answers.values())) == 1, answers
    # The known user got three mails; the unknown address none.
    assert len(wait_links_to(server.mail_dir, user.email, 3)) == 3
    assert links_to(server.mail_dir, nobody) == []


def test_reset_links_carry_a_prefixed_token_of_at_least_128_bits(
    server: ServerProcess, client: Client, make_user: UserFactory
) -> None:
    first, second = make_user.many(2)
    links = [reset_link_for(client, server, user.email) for user in (first, second)]

    for user, link in zip((first, second), links, strict=True):
        assert link.link.startswith(DEFAULT_RESET_URL + "?")
        query = parse_qs(urlsplit(link.link).query)
        assert query == {"user": [user.user_id], "token": [link.token]}
        assert link.token.startswith("pgr_")
        body = link.token.removeprefix("pgr_")
        assert set(body) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        assert len(body) * 6 >= 128
    assert links[0].token != links[1].token


@pytest.mark.parametrize("user_id", ["\x00", "user\x00id", "\x07", "\u0085"])
def test_a_user_id_no_user_can_have_is_an_invalid_token_every_time(
    client: Client, user_id: str
) -> None:
    """Past the wrong-token limit too, when the user's tokens would be ended:
    PostgreSQL refuses text holding a NUL, so such an id must never reach it."""
    for token in ("pgr_" + "A" * 43, " ") * 4:
        assert_token_invalid(
            client.outcome(
                "SubmitReset",
                pb.SubmitResetRequest(user_id=user_id, token=token, new_password=NEW_PASSWORD),
            )
        )


def test_a_second_request_kills_the_first_token(
    server: ServerProcess, client: Client, make_user: UserFactory
) -> None:
    user = make_user()
    first = reset_link_for(client, server, user.email)
    second = reset_link_for(client, server, user.email)

    assert_token_invalid(client.submit_reset(first, NEW_PASSWORD))
    assert client.submit_reset(second, NEW_PASSWORD) == pb.SubmitResetResponse()
    assert client.sign_in(user.email, NEW_PASSWORD).user_id == user.user_id


def test_a_password_change_kills_the_reset_token(
    server: ServerProcess, client: Client, make_user: UserFactory
) -> None:
    user = make_user()
    link = reset_link_for(client, server, user.email)
    session = client.sign_in(user.email, PASSWORD).session_token
    assert isinstance(
        client.change_password(session, PASSWORD, NEW_PASSWORD), pb.ChangePasswordResponse
    )

    assert_token_invalid(client.submit_reset(link, THIRD_PASSWORD))
    assert client.sign_in(user.email, NEW_PASSWORD).user_id == user.user_id


# --- SubmitReset ----------------------------------------------------------------


def test_a_submit_reset_refused_for_its_password_leaves_the_token_live(
    server: ServerProcess, client: Client, make_user: UserFactory
) -> None:
    user = make_user()
    sessions = [client.sign_in(user.email, PASSWORD).session_token for _ in range(2)]
    link = reset_link_for(client, server, user.email)

    weak = client.submit_reset(link, "abc")
    assert isinstance(weak, Refusal)
    assert weak.code == INVALID_ARGUMENT
    assert {field for field, _ in weak.field_reasons} == {"new_password"}
    assert ("new_password", "PASSWORD_TOO_SHORT") in weak.field_reasons
    # Nothing changed: the sessions live, the old password works.
    assert [client.is_live(token) for token in sessions] == [True, True]
    assert client.sign_in(user.email, PASSWORD).user_id == user.user_id

    # The same token still works, issues no session, and ends every session.
    assert client.submit_reset(link, NEW_PASSWORD) == pb.SubmitResetResponse()
    assert [client.is_live(token) for token in sessions] == [False, False]
    assert client.sign_in(user.email, NEW_PASSWORD).user_id == user.user_id
    old = client.refuse("SignIn", pb.SignInRequest(email=user.email, password=PASSWORD))
    assert old.reason == "INVALID_CREDENTIALS"
    # Used once, dead.
    assert_token_invalid(client.submit_reset(link, THIRD_PASSWORD))


def test_sixteen_concurrent_submit_resets_with_one_token_have_one_winner(
    server: ServerProcess, client: Client, make_user: UserFactory
) -> None:
    user = make_user()
    link = reset_link_for(client, server, user.email)
    passwords = [f"Racer-{i:02d}-Pass!word" for i in range(16)]

    results = race(16, lambda i: client.submit_reset(link, passwords[i]))

    winners = [i for i, r in enumerate(results) if isinstance(r, pb.SubmitResetResponse)]
    assert len(winners) == 1, results
    losers = [r for r in results if isinstance(r, Refusal)]
    assert len(losers) == 15
    for refusal in losers:
        assert_token_invalid(refusal)
    assert client.sign_in(user.email, passwords[winners[0]]).user_id == user.user_id
    loser_password = passwords[(winners[0] + 1) % 16]
    refusal = client.refuse("SignIn", pb.SignInRequest(email=user.email, password=loser_password))
    assert refusal.reason == "INVALID_CREDENTIALS"


def test_sixteen_concurrent_password_changes_with_one_session(
    client: Client, make_user: UserFactory
) -> None:
    user = make_user()
    session = client.sign_in(user.email, PASSWORD).session_token

    results = race(16, lambda _: client.change_password(session, PASSWORD, NEW_PASSWORD))

    fresh = [r for r in results if isinstance(r, pb.ChangePasswordResponse)]
    refused = [r for r in results if isinstance(r, Refusal)]
    assert len(fresh) == 1, results
    assert len(refused) == 15
    outcomes = Counter((r.code, r.error_info.reason) for r in refused)
    allowed = {
        (grpc.StatusCode.UNAUTHENTICATED, "SESSION_INVALID"),
        (grpc.StatusCode.UNAUTHENTICATED, "INVALID_CREDENTIALS"),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED"),
    }
    assert set(outcomes) <= allowed, outcomes
    assert not client.is_live(session)
    assert client.verify(fresh[0].session_token).user_id == user.user_id
    assert client.sign_in(user.email, NEW_PASSWORD).user_id == user.user_id


# --- the link and the mail ----------------------------------------------------------


def test_reset_url_is_honoured_only_from_the_tenant_allow_list(
    server: ServerProcess, shared_channel: grpc.Channel, make_user: UserFactory
) -> None:
    tenant = f"shop-{uuid.uuid4().hex[:8]}"
    allowed = f"https://shop-{uuid.uuid4().hex[:6]}.example.com/account/reset"
    server.cli("tenant", "create", tenant)
    server.cli("tenant", "allow-reset-url", allowed, "--tenant", tenant)
    caller = Client(shared_channel, server.create_api_key("shop", "--tenant", tenant))
    user = make_user(tenant=tenant)
    forged_host = [
        ("x-forwarded-host", "evil.example.net"),
        ("x-original-host", "evil.example.net"),
    ]

    # A channel whose :authority names another host, and forwarded-host headers: none count.
    with grpc.insecure_channel(
        server.target, options=[("grpc.default_authority", "evil.example.net")]
    ) as forged:
        Client(forged, caller.api_key).call(
            "RequestReset",
            pb.RequestResetRequest(email=user.email, reset_url="https://evil.example.net/steal"),
            metadata=[*caller.metadata(), *forged_host],
        )
    ignored = wait_links_to(server.mail_dir, user.email, 1)[-1]
    assert ignored.link.startswith(DEFAULT_RESET_URL + "?user=")
    # the operator can see why: one line naming the tenant, the address and the fix
    said = [
        line
        for line in server.log_text().splitlines()
        if '"event":"reset_url_not_allowed"' in line and f'"tenant":"{tenant}"' in line
    ]
    assert len(said) == 1 and "https://evil.example.net/steal" in said[0], said
    assert "passgate tenant allow-reset-url" in said[0]

    caller.call(
        "RequestReset",
        pb.RequestResetRequest(email=user.email, reset_url=allowed),
        metadata=[*caller.metadata(), *forged_host],
    )
    used = wait_links_to(server.mail_dir, user.email, 2)[-1]
    assert used.link.startswith(allowed + "?user=")
    assert used.user_id == user.user_id
    assert caller.submit_reset(used, NEW_PASSWORD) == pb.SubmitResetResponse()


@pytest.mark.parametrize(
    ("template", "subject", "marker_expected"),
    [
        ("welcome", WELCOME_SUBJECT, True),
        (None, "Reset your password", False),
        ("no-such-template", "Reset your password", False),
    ],
    ids=["override", "default", "unknown_name_falls_back"],
)
def test_email_template_picks_an_override_template(
    server: ServerProcess,
    client: Client,
    make_user: UserFactory,
    *,
    template: str | None,
    subject: str,
    marker_expected: bool,
) -> None:
    user = make_user()
    options = {} if template is None else {"email_template": template}
    link = reset_link_for(client, server, user.email, **options)

    message = email.message_from_bytes(link.path.read_bytes())
    assert message["Subject"] == subject
    assert (WELCOME_MARKER in mail_text(link)) is marker_expected
    assert client.submit_reset(link, NEW_PASSWORD) == pb.SubmitResetResponse()
