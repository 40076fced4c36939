"""What only a server built in this process can show, still over a loopback
channel and a real SQLite file: time that the test moves (session and reset
token lifetimes), the bcrypt work an unknown user costs, and mail that leaves
through the outbox after the RPC has answered."""

from __future__ import annotations

import email.message
import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path
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
    query,
    unique_email,
)
from server_support import InProcess, in_process

from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.identity.passwords import PasswordHasher
from passgate.mail.mailers import MemoryMailer
from passgate.mail.outbox import KIND_RESET, KIND_RESET_REQUEST
from passgate.mail.templates import find_reset_link
from passgate.testing import RecordingBcrypt, ResetLink

SESSION_TTL = 4 * 3600.0
RESET_TTL = 3600.0


class GatedMailer(MemoryMailer):
    """A memory mailer whose `send` waits while the test holds the gate shut."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.gate.set()

    def send(self, message: email.message.EmailMessage) -> None:
        self.gate.wait(30)
        super().send(message)


class CountingHasher(PasswordHasher):
    """The app's hasher, counting each verification and each unknown-user burn,
    and recording every bcrypt computation it makes."""

    def __init__(self, cost: int) -> None:
        self.bcrypt = RecordingBcrypt()
        super().__init__(cost, backend=self.bcrypt)
        self.calls: list[str] = []

    def clear(self) -> None:
        self.calls.clear()
        self.bcrypt.checkpw_hashes.clear()

    def verify(self, password: str, stored: str) -> bool:
        self.calls.append("verify")
        return super().verify(password, stored)

    def burn(self, password: str) -> None:
        self.calls.append("burn")
        super().burn(password)


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcess]:
    with in_process(
        tmp_path_factory.mktemp("in-process"), mailer=GatedMailer(), hasher=CountingHasher(4)
    ) as running:
        yield running


def mails_to(local: InProcess, address: str) -> list[email.message.EmailMessage]:
    return [m for m in local.mailer.messages if m["To"] == address]


def wait_mail_link(local: InProcess, address: str, count: int = 1) -> ResetLink:
    deadline = time.monotonic() + 15
    while len(mails_to(local, address)) < count:
        assert time.monotonic() < deadline, f"no reset mail for {address}"
        time.sleep(0.02)
    link = find_reset_link(mails_to(local, address)[count - 1])
    assert link is not None
    params = parse_qs(urlsplit(link).query)
    return ResetLink(params["user"][0], params["token"][0], link, Path())


def request_link(local: InProcess, address: str) -> ResetLink:
    count = len(mails_to(local, address))
    local.client.request_reset(address)
    return wait_mail_link(local, address, count + 1)


# --- lifetimes ---------------------------------------------------------------------


def test_a_session_expires_after_its_lifetime(local: InProcess) -> None:
    user = local.create_user()
    session = local.client.sign_in(user.email, PASSWORD).session_token
    other = local.client.sign_in(user.email, PASSWORD).session_token

    local.clock.advance(SESSION_TTL - 5)
    assert local.client.is_live(session)

    local.clock.advance(10)
    assert not local.client.is_live(session)
    for result in (
        local.client.change_password(session, PASSWORD, NEW_PASSWORD),
        local.client.outcome("SignOut", pb.SignOutRequest(), session=other),
    ):
        assert isinstance(result, Refusal)
        assert (result.code, result.error_info.reason) == (
            grpc.StatusCode.UNAUTHENTICATED,
            "SESSION_INVALID",
        )
    # A new sign-in still works: expiry is not a lock.
    assert local.client.is_live(local.client.sign_in(user.email, PASSWORD).session_token)


def test_a_reset_token_expires_after_its_lifetime(local: InProcess) -> None:
    user = local.create_user()
    link = request_link(local, user.email)

    local.clock.advance(RESET_TTL - 5)
    # Still live: refused for the password only, which leaves the token alone.
    weak = local.client.submit_reset(link, "short")
    assert isinstance(weak, Refusal)
    assert {field for field, _ in weak.field_reasons} == {"new_password"}

    local.clock.advance(10)
    expired = local.client.submit_reset(link, NEW_PASSWORD)
    assert isinstance(expired, Refusal)
    assert expired.field_reasons == [("token", "RESET_TOKEN_INVALID")]
    assert local.client.sign_in(user.email, PASSWORD).user_id == user.user_id


def test_unknown_used_expired_and_foreign_tokens_are_one_identical_refusal(
    local: InProcess,
) -> None:
    expiring, used, victim, other = (local.create_user() for _ in range(4))
    expired_link = request_link(local, expiring.email)
    local.clock.advance(RESET_TTL + 1)

    used_link = request_link(local, used.email)
    assert local.client.submit_reset(used_link, NEW_PASSWORD) == pb.SubmitResetResponse()
    victim_link = request_link(local, victim.email)
    other_link = request_link(local, other.email)

    cases = {
        "unknown": ResetLink(victim.user_id, "pgr_" + secrets.token_urlsafe(32), "", Path()),
        "malformed": ResetLink(victim.user_id, "not-a-token", "", Path()),
        "used": used_link,
        "expired": expired_link,
        # Another user's live token, sent with this user's id.
        "foreign": ResetLink(victim.user_id, other_link.token, "", Path()),
    }
    refusals = {
        name: local.client.submit_reset(link, THIRD_PASSWORD) for name, link in cases.items()
    }

    first = refusals["unknown"]
    assert isinstance(first, Refusal)
    assert first.code == grpc.StatusCode.INVALID_ARGUMENT
    assert first.error_info.reason == "RESET_TOKEN_INVALID"
    assert first.field_reasons == [("token", "RESET_TOKEN_INVALID")]
    for name, refusal in refusals.items():
        assert isinstance(refusal, Refusal), name
        assert refusal.same_as(first), name
    # The tokens that were live still are.
    assert local.client.submit_reset(victim_link, THIRD_PASSWORD) == pb.SubmitResetResponse()
    assert local.client.submit_reset(other_link, THIRD_PASSWORD) == pb.SubmitResetResponse()


# --- bcrypt work for unknown users ---------------------------------------------------


@pytest.fixture
def counted(local: InProcess) -> CountingHasher:
    """The app's counting hasher, its records cleared."""
    hasher = local.app.hashes.hasher
    assert isinstance(hasher, CountingHasher)
    hasher.clear()
    return hasher


def test_sign_in_for_an_unknown_user_costs_one_bcrypt_check_like_a_wrong_password(
    local: InProcess, counted: CountingHasher
) -> None:
    hasher = counted
    user = local.create_user()
    # The first unknown user makes the hasher's stand-in hash; count from the next one.
    local.client.refuse("SignIn", pb.SignInRequest(email=unique_email(), password=PASSWORD))

    spent = {}
    attempts = {
        "wrong_password": pb.SignInRequest(email=user.email, password=NEW_PASSWORD),
        "unknown_email": pb.SignInRequest(email=unique_email("nobody"), password=PASSWORD),
        "unknown_username": pb.SignInRequest(username="nobody_at_all", password=PASSWORD),
        "unknown_search_key": pb.SignInRequest(
            search_key=pb.SearchKey(schema_name="employee_id", value="E-0"), password=PASSWORD
        ),
        "long_password_unknown": pb.SignInRequest(email=unique_email(), password="p" * 1000),
    }
    for name, request in attempts.items():
        hasher.clear()
        refusal = local.client.refuse("SignIn", request)
        assert refusal.reason == "INVALID_CREDENTIALS", name
        spent[name] = (len(hasher.calls), hasher.bcrypt.costs())

    cost = local.settings.bcrypt_cost
    assert spent == {name: (1, [cost]) for name in attempts}


def test_a_wrong_key_or_bad_input_costs_no_bcrypt_work(
    local: InProcess, counted: CountingHasher
) -> None:
    hasher = counted
    user = local.create_user()
    hasher.clear()
    no_key = Client(local.client.channel, "pgk_" + secrets.token_urlsafe(32))
    for method, request in (
        ("SignIn", pb.SignInRequest(email=user.email, password=PASSWORD)),
        (
            "SubmitReset",
            pb.SubmitResetRequest(user_id=user.user_id, token="pgr_x", new_password=PASSWORD),
        ),
    ):
        assert no_key.refuse(method, request).reason == "API_KEY_INVALID"
    malformed = local.client.refuse(
        "SignIn", pb.SignInRequest(email="no at sign", password=PASSWORD)
    )
    assert malformed.field_reasons == [("email", "EMAIL_MALFORMED")]
    assert (hasher.calls, hasher.bcrypt.costs()) == ([], [])


# --- the failed sign-in throttle ---------------------------------------------------------


def test_a_throttled_sign_in_answers_alike_for_known_and_unknown_accounts(
    local: InProcess,
) -> None:
    user = local.create_user()
    nobody = unique_email("nobody")
    blocked = {}
    for address in (user.email, nobody):
        for _ in range(6):
            refusal = local.client.refuse(
                "SignIn", pb.SignInRequest(email=address, password=THIRD_PASSWORD)
            )
            assert refusal.reason == "INVALID_CREDENTIALS"
        blocked[address] = local.client.refuse(
            "SignIn", pb.SignInRequest(email=address, password=PASSWORD)
        )

    known = blocked[user.email]
    assert known.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert known.error_info.reason == "RATE_LIMITED"
    assert known.retry_delay is not None and known.retry_delay > 0
    assert known.quota_subjects
    assert known.trailer("retry-after") is not None
    assert known.same_as(blocked[nobody])
    # The delay expires on its own.
    local.clock.advance(known.retry_delay)
    assert local.client.sign_in(user.email, PASSWORD).user_id == user.user_id


# --- the outbox ------------------------------------------------------------------------


def outbox_rows(local: InProcess, kind: str) -> list[tuple[Any, ...]]:
    return query(
        local.database,
        "SELECT id, payload, sent_at FROM outbox WHERE kind = ? ORDER BY id",
        (kind,),
    )


def wait_outbox_rows(local: InProcess, kind: str, count: int) -> list[tuple[Any, ...]]:
    deadline = time.monotonic() + 15
    while len(rows := outbox_rows(local, kind)) < count:
        assert time.monotonic() < deadline, f"{len(rows)} of {count} {kind} rows in the outbox"
        time.sleep(0.02)
    return rows


def test_request_reset_answers_before_any_mail_is_sent(local: InProcess) -> None:
    mailer = local.mailer
    assert isinstance(mailer, GatedMailer)
    user = local.create_user()
    requests_before = len(outbox_rows(local, KIND_RESET_REQUEST))
    rows_before = len(outbox_rows(local, KIND_RESET))

    mailer.gate.clear()
    try:
        local.client.call("RequestReset", pb.RequestResetRequest(email=user.email), timeout=10)
        local.client.call(
            "RequestReset", pb.RequestResetRequest(email=unique_email("nobody")), timeout=10
        )
        # Each answer waited for its request to be recorded, and no longer.
        assert len(outbox_rows(local, KIND_RESET_REQUEST)[requests_before:]) == 2
        # Resolved while the mailer could not send: the one mail waits in the outbox.
        queued = wait_outbox_rows(local, KIND_RESET, rows_before + 1)[rows_before:]
        assert len(queued) == 1
        assert queued[0][1] is not None and queued[0][2] is None
        assert mails_to(local, user.email) == []
    finally:
        mailer.gate.set()

    link = wait_mail_link(local, user.email)
    assert link.user_id == user.user_id
    deadline = time.monotonic() + 15
    while outbox_rows(local, KIND_RESET)[rows_before][2] is None:
        assert time.monotonic() < deadline, "the outbox row was never marked sent"
        time.sleep(0.02)
    # The queued copy never held the token in clear, and is erased once sent.
    assert link.token.encode() not in bytes(queued[0][1])
    assert outbox_rows(local, KIND_RESET)[rows_before][1] is None
    # The requests were erased once resolved: the typed addresses are gone too.
    resolved = outbox_rows(local, KIND_RESET_REQUEST)[requests_before:]
    assert [(row[1], row[2] is not None) for row in resolved] == [(None, True)] * 2
    assert local.client.submit_reset(link, NEW_PASSWORD) == pb.SubmitResetResponse()
