"""The API-key gate and tenancy, against the shared server: missing, unknown and
revoked keys, scopes, where the key may stand in the metadata, unknown methods,
and keys of one tenant never reaching another tenant's users."""

from __future__ import annotations

import json
import secrets
import uuid

import grpc
import pytest
from rpc_support import (
    NEW_PASSWORD,
    PASSWORD,
    Client,
    Refusal,
    decode,
    links_to,
    raw_method,
    wait_links_to,
)
from server_support import UserFactory, key_id

from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.testing import ServerProcess

UNAUTHENTICATED = grpc.StatusCode.UNAUTHENTICATED

EVERY_RPC = [
    ("SignIn", pb.SignInRequest(email="someone@example.com", password=PASSWORD)),
    (
        "ChangePassword",
        pb.ChangePasswordRequest(
            old_password=PASSWORD, new_password=PASSWORD + "x", confirm_password=PASSWORD + "x"
        ),
    ),
    ("RequestReset", pb.RequestResetRequest(email="someone@example.com")),
    ("SubmitReset", pb.SubmitResetRequest(user_id="u", token="pgr_x", new_password=PASSWORD)),
    ("SignOut", pb.SignOutRequest()),
    ("VerifySession", pb.VerifySessionRequest(session_token="pgs_x")),
]

BAD_KEYS = {
    "missing": None,
    "empty": "",
    "malformed": "not-a-key",
    # Shaped like a real key (prefix and length), but never issued.
    "unknown": "pgk_" + secrets.token_urlsafe(32),
}


@pytest.mark.parametrize("key", list(BAD_KEYS), ids=list(BAD_KEYS))
@pytest.mark.parametrize(("method", "request_"), EVERY_RPC, ids=[m for m, _ in EVERY_RPC])
def test_every_rpc_refuses_a_missing_or_unknown_key(
    shared_channel: grpc.Channel, method: str, request_: object, key: str
) -> None:
    value = BAD_KEYS[key]
    metadata = [] if value is None else [("x-api-key", value)]
    refusal = Client(shared_channel, "").refuse(
        method, request_, metadata=[*metadata, ("authorization", "Bearer pgs_x")]
    )
    assert refusal.code == UNAUTHENTICATED
    assert refusal.error_info.reason == "API_KEY_INVALID"
    assert refusal.violations == []


def test_a_revoked_key_is_refused_at_once(
    server: ServerProcess, shared_channel: grpc.Channel, make_user: UserFactory
) -> None:
    user = make_user()
    name = f"revoke-me-{uuid.uuid4().hex[:8]}"
    caller = Client(shared_channel, server.create_api_key(name))
    assert caller.sign_in(user.email, PASSWORD).user_id == user.user_id

    revoked_id = key_id(server, name)
    server.cli("apikey", "revoke", revoked_id)

    refusal = caller.refuse("SignIn", pb.SignInRequest(email=user.email, password=PASSWORD))
    assert (refusal.code, refusal.reason) == (UNAUTHENTICATED, "API_KEY_INVALID")
    listed = [
        json.loads(line) for line in server.cli("apikey", "list", "--json").stdout.splitlines()
    ]
    assert [k["revoked"] for k in listed if k["id"] == revoked_id] == [True]
    # Other keys are untouched.
    assert Client(shared_channel, server.api_key).sign_in(user.email, PASSWORD).session_token


def test_a_key_scoped_to_verify_session_may_not_sign_in(
    server: ServerProcess, shared_channel: grpc.Channel, make_user: UserFactory
) -> None:
    user = make_user()
    scoped = Client(
        shared_channel, server.create_api_key("verify-only", "--scopes", "VerifySession")
    )
    refusal = scoped.refuse("SignIn", pb.SignInRequest(email=user.email, password=PASSWORD))
    assert refusal.code == grpc.StatusCode.PERMISSION_DENIED
    assert refusal.error_info.reason == "API_KEY_SCOPE"

    # The RPC it is scoped to answers as usual.
    token = Client(shared_channel, server.api_key).sign_in(user.email, PASSWORD).session_token
    verified = scoped.call("VerifySession", pb.VerifySessionRequest(session_token=token))
    assert verified.user_id == user.user_id


def test_the_key_is_found_anywhere_in_the_metadata(
    server: ServerProcess, shared_channel: grpc.Channel, make_user: UserFactory
) -> None:
    user = make_user()
    metadata = [
        ("x-request-id", "r-1"),
        ("x-tenant-hint", "whatever"),
        ("x-api-key", "pgk_" + secrets.token_urlsafe(32)),  # a bogus key first
        ("x-trace", "abc"),
        ("x-api-key", server.api_key),
    ]
    answer = Client(shared_channel, "").call(
        "SignIn", pb.SignInRequest(email=user.email, password=PASSWORD), metadata=metadata
    )
    assert answer.user_id == user.user_id


@pytest.mark.parametrize(
    "method", ["/passgate.auth.v1.AuthService/DeleteEverything", "/some.other.v1.Service/Call"]
)
def test_an_unknown_method_needs_a_valid_key_before_it_is_unimplemented(
    server: ServerProcess, shared_channel: grpc.Channel, method: str
) -> None:
    call = raw_method(shared_channel, method)
    with pytest.raises(grpc.RpcError) as refused:
        call(b"", metadata=[("x-api-key", "pgk_" + secrets.token_urlsafe(32))], timeout=10)
    assert decode(refused.value).code == UNAUTHENTICATED
    assert decode(refused.value).reason == "API_KEY_INVALID"

    with pytest.raises(grpc.RpcError) as unimplemented:
        call(b"", metadata=[("x-api-key", server.api_key)], timeout=10)
    assert decode(unimplemented.value).code == grpc.StatusCode.UNIMPLEMENTED


def tenant_client(server: ServerProcess, channel: grpc.Channel) -> tuple[str, Client]:
    """A fresh tenant, and a client with a key of that tenant."""
    tenant = f"acme-{uuid.uuid4().hex[:8]}"
    server.cli("tenant", "create", tenant)
    return tenant, Client(channel, server.create_api_key("acme", "--tenant", tenant))


def test_a_tenant_key_reaches_only_that_tenant_s_users(
    server: ServerProcess, shared_channel: grpc.Channel, client: Client, make_user: UserFactory
) -> None:
    tenant, acme = tenant_client(server, shared_channel)
    acme_user = make_user(tenant=tenant)
    default_user = make_user()

    acme_session = acme.sign_in(acme_user.email, PASSWORD)
    assert acme_session.user_id == acme_user.user_id
    assert client.sign_in(default_user.email, PASSWORD).user_id == default_user.user_id

    for caller, stranger in ((client, acme_user), (acme, default_user)):
        refusal = caller.refuse("SignIn", pb.SignInRequest(email=stranger.email, password=PASSWORD))
        assert (refusal.code, refusal.reason) == (UNAUTHENTICATED, "INVALID_CREDENTIALS")

    # A session is only good with a key of the tenant that issued it.
    foreign = client.verify(acme_session.session_token)
    assert isinstance(foreign, Refusal)
    assert (foreign.code, foreign.reason) == (UNAUTHENTICATED, "SESSION_INVALID")
    assert acme.is_live(acme_session.session_token)

    # Resets too: another tenant's key neither mails the user nor takes its token.
    acme.request_reset(default_user.email)
    client.request_reset(default_user.email)
    link = wait_links_to(server.mail_dir, default_user.email)[-1]
    assert len(links_to(server.mail_dir, default_user.email)) == 1
    stolen = acme.submit_reset(link, NEW_PASSWORD)
    assert isinstance(stolen, Refusal)
    assert stolen.field_reasons == [("token", "RESET_TOKEN_INVALID")]
    assert client.submit_reset(link, NEW_PASSWORD) == pb.SubmitResetResponse()


def test_the_same_email_is_two_users_in_two_tenants(
    server: ServerProcess, shared_channel: grpc.Channel, client: Client, make_user: UserFactory
) -> None:
    tenant, acme = tenant_client(server, shared_channel)
    mine = make_user(PASSWORD)
    theirs = make_user("Another#Strong-Pass-42", tenant=tenant, email=mine.email)

    assert client.sign_in(mine.email, PASSWORD).user_id == mine.user_id
    assert acme.sign_in(mine.email, "Another#Strong-Pass-42").user_id == theirs.user_id
    assert mine.user_id != theirs.user_id


def test_a_key_over_its_budget_is_resource_exhausted_with_retry_info(
    server: ServerProcess, shared_channel: grpc.Channel
) -> None:
    budgeted = Client(shared_channel, server.create_api_key("budgeted", "--rate", "2/1m"))
    request = pb.VerifySessionRequest(session_token="pgs_" + "A" * 43)
    for _ in range(2):
        assert budgeted.refuse("VerifySession", request).reason == "SESSION_INVALID"

    refusal = budgeted.refuse("VerifySession", request)
    assert refusal.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert refusal.error_info.reason == "RATE_LIMITED"
    assert refusal.retry_delay is not None and refusal.retry_delay > 0
    assert refusal.quota_subjects
    retry_after = refusal.trailer("retry-after")
    assert isinstance(retry_after, str) and int(retry_after) >= 1
    # Another key's budget is its own.
    assert Client(shared_channel, server.api_key).refuse("VerifySession", request).reason == (
        "SESSION_INVALID"
    )
