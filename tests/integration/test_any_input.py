"""Property: whatever a caller puts in any field of any RPC (NUL, control
characters, emoji, very long text, any oneof branch, fields left out), the
shared server answers with a status a client can act on, never INTERNAL or
UNKNOWN, and every refusal carries exactly one ErrorInfo."""

from __future__ import annotations

import secrets
from typing import Any

import grpc
import pytest
from admin_support import AdminClient, admin_key
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rpc_support import PASSWORD, Client, Refusal
from server_support import User, UserFactory

from passgate.admin.v1 import admin_service_pb2 as admin_pb
from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.testing import ServerProcess

UNACCEPTABLE = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN}
EXAMPLES = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Any Unicode a protobuf string can carry (no lone surrogates), control characters included.
_anything = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_special = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\r\n",
        "\t\x7f\x1b[0m",
        "\u202eevil",
        "\ufeff",
        "\N{CLOSED LOCK WITH KEY}" * 19,
        "Zz9!\N{CLOSED LOCK WITH KEY}" * 40,
        "'; DROP TABLE users; --",
        "%s%n%x",
        "someone@example.com",
        "UPPER@EXAMPLE.COM",
        "pgs_" + "A" * 43,
        "pgr_" + "A" * 43,
        "pgk_" + "A" * 43,
        "ses_\x00",
        "ses_0123456789abcde\x00",
        "ses_" + "f" * 5000,
        "$argon2id$v=19$m=\u0668\u0661\u0669\u0662,t=3,p=1$c2FsdHNhbHRzYWx0$" + "A" * 43,
        "pbkdf2_sha256$1000$sa\x00lt$" + "A" * 43 + "=",
        "pgr_" + secrets.token_urlsafe(32),
        PASSWORD,
    ]
)
# Long text up to 16 KiB per field: three such fields stay below the message limit.
_long = st.builds(
    lambda unit, times: unit * times,
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=4),
    st.integers(min_value=64, max_value=1000),
)
text = st.one_of(_anything, _special, _long)
maybe_text = st.none() | text
# What gRPC lets a client put in a header value: printable ASCII.
header_value = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80)
authorization = st.none() | header_value | header_value.map(lambda v: f"Bearer {v}")


def fields(**strategies: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments with every field possibly left out."""
    return st.fixed_dictionaries({name: s for name, s in strategies.items()}).map(
        lambda values: {name: value for name, value in values.items() if value is not None}
    )


@pytest.fixture(scope="module")
def known(make_user: UserFactory) -> User:
    return make_user(username="fuzz_known_user", search_key=("employee_id", "E-fuzz"))


def check(result: Any) -> None:
    if not isinstance(result, Refusal):
        return
    assert result.code not in UNACCEPTABLE, result
    assert len(result.error_infos) == 1, result
    if result.code == grpc.StatusCode.INVALID_ARGUMENT:
        assert result.violations, result
        assert all(v.field and v.reason and v.description for v in result.violations), result


def session_metadata(client: Client, value: str | None) -> list[tuple[str, str]]:
    entries = client.metadata()
    if value is not None:
        entries.append(("authorization", value))
    return entries


identifier = st.one_of(
    st.just({}),
    fields(email=text),
    fields(username=text),
    st.builds(
        lambda key: {"search_key": pb.SearchKey(**key)},
        fields(schema_name=text | st.just("employee_id"), value=text),
    ),
)


@EXAMPLES
@given(ident=identifier, rest=fields(password=maybe_text))
def test_sign_in_accepts_any_input(
    client: Client, ident: dict[str, Any], rest: dict[str, Any]
) -> None:
    check(client.outcome("SignIn", pb.SignInRequest(**ident, **rest)))


@EXAMPLES
@given(
    body=fields(old_password=maybe_text, new_password=maybe_text, confirm_password=maybe_text),
    header=authorization,
    live=st.booleans(),
)
def test_change_password_accepts_any_input(
    client: Client, known: User, body: dict[str, Any], header: str | None, live: bool
) -> None:
    if live:
        header = f"Bearer {client.sign_in(known.email, PASSWORD).session_token}"
        body.pop("old_password", None)  # never the right one: the known user keeps its password
    request = pb.ChangePasswordRequest(**body)
    check(client.outcome("ChangePassword", request, metadata=session_metadata(client, header)))


@EXAMPLES
@given(
    ident=st.one_of(st.just({}), fields(email=text), fields(username=text)),
    options=fields(reset_url=maybe_text, email_template=maybe_text),
)
def test_request_reset_accepts_any_input(
    client: Client, ident: dict[str, Any], options: dict[str, Any]
) -> None:
    check(client.outcome("RequestReset", pb.RequestResetRequest(**ident, **options)))


@EXAMPLES
@given(
    body=fields(user_id=maybe_text, token=maybe_text, new_password=maybe_text),
    real_user=st.booleans(),
)
def test_submit_reset_accepts_any_input(
    client: Client, known: User, body: dict[str, Any], real_user: bool
) -> None:
    if real_user:
        body["user_id"] = known.user_id
    check(client.outcome("SubmitReset", pb.SubmitResetRequest(**body)))


@EXAMPLES
@given(header=authorization)
def test_sign_out_accepts_any_input(client: Client, header: str | None) -> None:
    request = pb.SignOutRequest()
    check(client.outcome("SignOut", request, metadata=session_metadata(client, header)))


@EXAMPLES
@given(body=fields(session_token=maybe_text))
def test_verify_session_accepts_any_input(client: Client, body: dict[str, Any]) -> None:
    check(client.outcome("VerifySession", pb.VerifySessionRequest(**body)))


@pytest.fixture(scope="module")
def admin(server: ServerProcess, client: Client) -> AdminClient:
    return AdminClient(client.channel, admin_key(server))


# What the session-id and tenant-name checks must catch before the database does:
# PostgreSQL refuses a NUL in text, and a column holds so many characters.
MALFORMED = ["ses_\x00", "ses_0123456789abcde\x00", "\x00", "ses_" + "f" * 5000, "ses_ZZZZ"]


@pytest.mark.parametrize("session_id", MALFORMED)
def test_a_malformed_session_id_answers_as_an_unknown_one(
    client: Client, admin: AdminClient, known: User, session_id: str
) -> None:
    token = client.sign_in(known.email, PASSWORD).session_token
    own = client.refuse(
        "RevokeSession", pb.RevokeSessionRequest(session_id=session_id), session=token
    )
    request = admin_pb.RevokeUserSessionRequest(user_id=known.user_id, session_id=session_id)
    for refusal in (own, admin.refuse("RevokeUserSession", request)):
        assert (refusal.code, refusal.reason) == (grpc.StatusCode.NOT_FOUND, "SESSION_NOT_FOUND")
    assert client.is_live(token)


@pytest.mark.parametrize("name", ["a\x00b", "\x1b[0m", "n" * 129])
def test_a_tenant_name_breaking_the_field_rules_is_invalid_argument(
    admin: AdminClient, name: str
) -> None:
    request = admin_pb.CreateTenantRequest(tenant_id=f"t-{secrets.token_hex(5)}", name=name)
    refusal = admin.refuse("CreateTenant", request)
    assert (refusal.code, refusal.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_REQUEST")
    assert [field for field, _ in refusal.field_reasons] == ["name"]


@EXAMPLES
@given(body=fields(session_id=maybe_text), live=st.booleans(), header=authorization)
def test_session_listing_and_revoking_accept_any_input(
    client: Client, known: User, body: dict[str, Any], live: bool, header: str | None
) -> None:
    if live:
        header = f"Bearer {client.sign_in(known.email, PASSWORD).session_token}"
    metadata = session_metadata(client, header)
    check(client.outcome("ListSessions", pb.ListSessionsRequest(), metadata=metadata))
    request = pb.RevokeSessionRequest(**body)
    check(client.outcome("RevokeSession", request, metadata=metadata))


@EXAMPLES
@given(
    body=fields(user_id=maybe_text, session_id=maybe_text),
    real_user=st.booleans(),
)
def test_admin_session_calls_accept_any_input(
    admin: AdminClient, known: User, body: dict[str, Any], real_user: bool
) -> None:
    if real_user:
        body["user_id"] = known.user_id
    user_only = {k: v for k, v in body.items() if k == "user_id"}
    check(admin.outcome("ListUserSessions", admin_pb.ListUserSessionsRequest(**user_only)))
    check(admin.outcome("RevokeUserSession", admin_pb.RevokeUserSessionRequest(**body)))


@EXAMPLES
@given(
    tenant=fields(tenant_id=maybe_text, name=maybe_text),
    user=fields(email=maybe_text, password_hash=maybe_text),
)
def test_admin_creation_accepts_any_input(
    admin: AdminClient, tenant: dict[str, Any], user: dict[str, Any]
) -> None:
    check(admin.outcome("CreateTenant", admin_pb.CreateTenantRequest(**tenant)))
    check(admin.outcome("CreateUser", admin_pb.CreateUserRequest(**user)))
