"""Signing in, sessions and changing a password, against the shared server: the
error table's credential, session and bad-input rows, and the password rules
that are not negotiable (length, NFKC, every broken rule at once)."""

from __future__ import annotations

import time
import uuid

import grpc
import pytest
from rpc_support import NEW_PASSWORD, PASSWORD, THIRD_PASSWORD, Client, Refusal, unique_email
from server_support import UserFactory

from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.testing import ServerProcess

UNAUTHENTICATED = grpc.StatusCode.UNAUTHENTICATED
INVALID_ARGUMENT = grpc.StatusCode.INVALID_ARGUMENT
FOUR_HOURS = 4 * 3600


# --- wrong identifier or password -----------------------------------------------


@pytest.mark.parametrize("kind", ["email", "username", "search_key"])
def test_a_wrong_identifier_and_a_wrong_password_answer_byte_for_byte_alike(
    client: Client, make_user: UserFactory, kind: str
) -> None:
    username = f"user_{uuid.uuid4().hex[:10]}"
    employee = f"E-{uuid.uuid4().hex[:10]}"
    user = make_user(username=username, search_key=("employee_id", employee))
    known = {
        "email": {"email": user.email},
        "username": {"username": username},
        "search_key": {"search_key": pb.SearchKey(schema_name="employee_id", value=employee)},
    }[kind]
    unknown = {
        "email": {"email": unique_email("nobody")},
        "username": {"username": f"nobody_{uuid.uuid4().hex[:10]}"},
        "search_key": {
            "search_key": pb.SearchKey(schema_name="employee_id", value=f"E-{uuid.uuid4().hex}")
        },
    }[kind]

    wrong_password = client.refuse("SignIn", pb.SignInRequest(password=NEW_PASSWORD, **known))
    wrong_identifier = client.refuse("SignIn", pb.SignInRequest(password=PASSWORD, **unknown))

    assert wrong_password.code == UNAUTHENTICATED
    assert wrong_password.error_info.reason == "INVALID_CREDENTIALS"
    assert wrong_password.code == wrong_identifier.code
    assert wrong_password.message == wrong_identifier.message
    assert wrong_password.status_details is not None
    assert wrong_password.status_details == wrong_identifier.status_details
    assert wrong_password.trailing == wrong_identifier.trailing
    # And the right password still works through the same identifier.
    assert client.call("SignIn", pb.SignInRequest(password=PASSWORD, **known)).user_id == (
        user.user_id
    )


def test_a_disabled_account_answers_like_a_wrong_password(
    server: ServerProcess, client: Client, make_user: UserFactory
) -> None:
    active, disabled = make_user.many(2)
    session = client.sign_in(disabled.email, PASSWORD).session_token
    server.cli("user", "disable", disabled.user_id)

    wrong_password = client.refuse(
        "SignIn", pb.SignInRequest(email=active.email, password=NEW_PASSWORD)
    )
    right_but_disabled = client.refuse(
        "SignIn", pb.SignInRequest(email=disabled.email, password=PASSWORD)
    )
    assert wrong_password.error_info.reason == "INVALID_CREDENTIALS"
    assert right_but_disabled.same_as(wrong_password)
    assert not client.is_live(session)


def test_sign_in_by_email_ignores_the_address_case(client: Client, make_user: UserFactory) -> None:
    user = make_user()
    assert client.sign_in(user.email.upper(), PASSWORD).user_id == user.user_id


# --- sessions -------------------------------------------------------------------


def test_a_session_lasts_four_hours_and_names_its_user(
    client: Client, make_user: UserFactory
) -> None:
    user = make_user()
    before = time.time()
    signed_in = client.sign_in(user.email, PASSWORD)
    assert signed_in.session_token.startswith("pgs_")
    assert signed_in.user_id == user.user_id
    assert not signed_in.user_id.isdigit()  # opaque text, nothing to count on
    expires = signed_in.expires_at.ToSeconds()
    assert before + FOUR_HOURS - 60 <= expires <= time.time() + FOUR_HOURS + 60

    verified = client.verify(signed_in.session_token)
    assert verified.user_id == user.user_id
    assert verified.expires_at == signed_in.expires_at


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer ", "Bearer pgs_not-a-session", "Basic dXNlcjpwYXNz", "pgs_no-scheme"],
    ids=["missing", "empty", "unknown", "basic", "no-scheme"],
)
def test_session_calls_without_a_live_session_are_session_invalid(
    client: Client, authorization: str | None
) -> None:
    metadata = client.metadata()
    if authorization is not None:
        metadata.append(("authorization", authorization))
    change = pb.ChangePasswordRequest(
        old_password=PASSWORD, new_password=NEW_PASSWORD, confirm_password=NEW_PASSWORD
    )
    for method, request in (("ChangePassword", change), ("SignOut", pb.SignOutRequest())):
        refusal = client.refuse(method, request, metadata=metadata)
        assert refusal.code == UNAUTHENTICATED
        assert refusal.error_info.reason == "SESSION_INVALID"
    verify = client.refuse("VerifySession", pb.VerifySessionRequest(session_token=""))
    assert (verify.code, verify.error_info.reason) == (UNAUTHENTICATED, "SESSION_INVALID")


def test_a_signed_out_session_is_invalid_everywhere_and_only_it(
    client: Client, make_user: UserFactory
) -> None:
    user = make_user()
    leaving = client.sign_in(user.email, PASSWORD).session_token
    staying = client.sign_in(user.email, PASSWORD).session_token

    assert client.call("SignOut", pb.SignOutRequest(), session=leaving) == pb.SignOutResponse()

    assert not client.is_live(leaving)
    again = client.refuse("SignOut", pb.SignOutRequest(), session=leaving)
    assert (again.code, again.error_info.reason) == (UNAUTHENTICATED, "SESSION_INVALID")
    change = client.change_password(leaving, PASSWORD, NEW_PASSWORD)
    assert isinstance(change, Refusal)
    assert (change.code, change.error_info.reason) == (UNAUTHENTICATED, "SESSION_INVALID")
    assert client.is_live(staying)


def test_change_password_issues_a_fresh_session_and_revokes_every_other(
    client: Client, make_user: UserFactory
) -> None:
    user = make_user()
    sessions = [client.sign_in(user.email, PASSWORD).session_token for _ in range(3)]

    changed = client.change_password(sessions[0], PASSWORD, NEW_PASSWORD)
    assert isinstance(changed, pb.ChangePasswordResponse), changed
    assert changed.session_token.startswith("pgs_")
    assert changed.session_token not in sessions

    assert [client.is_live(token) for token in sessions] == [False, False, False]
    assert client.verify(changed.session_token).user_id == user.user_id
    assert client.sign_in(user.email, NEW_PASSWORD).user_id == user.user_id
    old = client.refuse("SignIn", pb.SignInRequest(email=user.email, password=PASSWORD))
    assert old.reason == "INVALID_CREDENTIALS"


# --- a refused ChangePassword changes nothing -------------------------------------

REFUSED_CHANGES = {
    # name: (old, new, confirm, session, code, expected (field, reason) pairs or ErrorInfo reason)
    "wrong_old_password": (
        THIRD_PASSWORD, NEW_PASSWORD, NEW_PASSWORD, True, UNAUTHENTICATED, "INVALID_CREDENTIALS"
    ),
    "weak_new_password": (
        PASSWORD, "password1", "password1", True, INVALID_ARGUMENT,
        [("new_password", "PASSWORD_TOO_COMMON"),
         ("new_password", "PASSWORD_MISSING_CHARACTER_CLASS")],
    ),
    "confirmation_differs": (
        PASSWORD, NEW_PASSWORD, THIRD_PASSWORD, True, INVALID_ARGUMENT,
        [("confirm_password", "PASSWORD_MISMATCH")],
    ),
    "new_equals_old": (
        PASSWORD, PASSWORD, PASSWORD, True, INVALID_ARGUMENT,
        [("new_password", "PASSWORD_UNCHANGED")],
    ),
    "old_password_missing": (
        "", NEW_PASSWORD, NEW_PASSWORD, True, INVALID_ARGUMENT,
        [("old_password", "FIELD_REQUIRED")],
    ),
    "session_not_live": (
        PASSWORD, NEW_PASSWORD, NEW_PASSWORD, False, UNAUTHENTICATED, "SESSION_INVALID"
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(REFUSED_CHANGES))
def test_a_refused_change_password_keeps_every_session_and_the_password(
    client: Client, make_user: UserFactory, case: str
) -> None:
    old, new, confirm, with_session, code, expected = REFUSED_CHANGES[case]
    user = make_user()
    sessions = [client.sign_in(user.email, PASSWORD).session_token for _ in range(2)]

    caller_session = sessions[0] if with_session else "pgs_" + "A" * 43
    refusal = client.change_password(caller_session, old, new, confirm)

    assert isinstance(refusal, Refusal), refusal
    assert refusal.code == code
    if isinstance(expected, str):
        assert refusal.error_info.reason == expected
        assert refusal.violations == []
    else:
        assert refusal.error_info.reason == "INVALID_REQUEST"
        assert refusal.field_reasons == expected
        assert all(v.description for v in refusal.violations)
    assert [client.is_live(token) for token in sessions] == [True, True]
    assert client.sign_in(user.email, PASSWORD).user_id == user.user_id


# --- bad input -----------------------------------------------------------------

BAD_INPUT = {
    "nothing": (
        "SignIn", pb.SignInRequest(),
        [("identifier", "FIELD_REQUIRED"), ("password", "FIELD_REQUIRED")],
    ),
    "malformed_email_no_password": (
        "SignIn", pb.SignInRequest(email="not an address"),
        [("email", "EMAIL_MALFORMED"), ("password", "FIELD_REQUIRED")],
    ),
    "email_too_long": (
        "SignIn", pb.SignInRequest(email="a" * 250 + "@example.com", password=PASSWORD),
        [("email", "FIELD_TOO_LONG")],
    ),
    "nul_in_username": (
        "SignIn", pb.SignInRequest(username="ali\x00ce", password=PASSWORD),
        [("username", "FIELD_MALFORMED")],
    ),
    "empty_search_key": (
        "SignIn", pb.SignInRequest(search_key=pb.SearchKey(), password=PASSWORD),
        [("search_key.schema_name", "FIELD_REQUIRED"), ("search_key.value", "FIELD_REQUIRED")],
    ),
    "reset_without_identifier": (
        "RequestReset", pb.RequestResetRequest(), [("identifier", "FIELD_REQUIRED")],
    ),
    "reset_malformed_email": (
        "RequestReset", pb.RequestResetRequest(email="@@"), [("email", "EMAIL_MALFORMED")],
    ),
    "submit_reset_empty": (
        "SubmitReset", pb.SubmitResetRequest(),
        [("user_id", "FIELD_REQUIRED"), ("token", "FIELD_REQUIRED"),
         ("new_password", "FIELD_REQUIRED")],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_one_field_violation_per_broken_rule(client: Client, case: str) -> None:
    method, request, expected = BAD_INPUT[case]
    refusal = client.refuse(method, request)
    assert refusal.code == INVALID_ARGUMENT
    assert refusal.error_info.reason == "INVALID_REQUEST"
    assert sorted(refusal.field_reasons) == sorted(expected)
    assert all(v.description.strip() for v in refusal.violations)


def test_every_broken_password_rule_is_reported_at_once(
    client: Client, make_user: UserFactory
) -> None:
    user = make_user(email=f"12345@{uuid.uuid4().hex[:10]}.example.com")
    session = client.sign_in(user.email, PASSWORD).session_token

    refusal = client.change_password(session, PASSWORD, "12345", "12346")

    assert isinstance(refusal, Refusal)
    assert refusal.code == INVALID_ARGUMENT
    assert sorted(refusal.field_reasons) == sorted(
        [
            ("new_password", "PASSWORD_TOO_SHORT"),
            ("new_password", "PASSWORD_TOO_SIMILAR"),
            ("new_password", "PASSWORD_TOO_COMMON"),
            ("new_password", "PASSWORD_ENTIRELY_NUMERIC"),
            ("new_password", "PASSWORD_MISSING_CHARACTER_CLASS"),
            ("confirm_password", "PASSWORD_MISMATCH"),
        ]
    )
    descriptions = [v.description for v in refusal.violations]
    assert all(descriptions) and len(set(descriptions)) == len(descriptions)
    assert client.is_live(session)


# --- length and Unicode ----------------------------------------------------------

LENGTHS = {
    "empty": "",
    "71_bytes": "a" * 71,
    "72_bytes": "a" * 72,
    "73_bytes": "a" * 73,
    "1000_bytes": "b" * 1000,
    "18_emoji_72_bytes": "\N{CLOSED LOCK WITH KEY}" * 18,
    "19_emoji_76_bytes": "\N{CLOSED LOCK WITH KEY}" * 19,
    "mixed_1000_bytes": ("Zz9!\N{CLOSED LOCK WITH KEY}" * 125),
    "40000_bytes": "c" * 40000,
}


@pytest.mark.parametrize("length", list(LENGTHS))
def test_sign_in_answers_normally_at_any_password_length(
    client: Client, make_user: UserFactory, length: str
) -> None:
    password = LENGTHS[length]
    user = make_user()
    for email in (user.email, unique_email("nobody")):
        refusal = client.refuse("SignIn", pb.SignInRequest(email=email, password=password))
        if password:
            assert (refusal.code, refusal.error_info.reason) == (
                UNAUTHENTICATED,
                "INVALID_CREDENTIALS",
            )
        else:
            assert refusal.field_reasons == [("password", "FIELD_REQUIRED")]


@pytest.mark.parametrize(
    "password",
    [
        "Long-Pass-9-" + "q" * 88,  # 100 bytes
        "Emoji-Pass-9-" + "\N{CLOSED LOCK WITH KEY}" * 20,  # 93 bytes
        "Thousand-Pass-9-" + "w" * 984,  # 1000 bytes
    ],
    ids=["100_bytes", "emoji_93_bytes", "1000_bytes"],
)
def test_long_passwords_are_never_truncated(
    client: Client, make_user: UserFactory, password: str
) -> None:
    user = make_user(password)
    encoded = password.encode()
    twin = password[:-1] + ("x" if password[-1] != "x" else "y")
    assert twin != password and twin.encode()[:72] == encoded[:72]
    prefix = encoded[:72].decode(errors="ignore")
    for other in (twin, prefix):
        refusal = client.refuse("SignIn", pb.SignInRequest(email=user.email, password=other))
        assert (refusal.code, refusal.reason) == (UNAUTHENTICATED, "INVALID_CREDENTIALS")
    assert client.sign_in(user.email, password).user_id == user.user_id


def test_a_new_password_above_the_documented_maximum_is_a_clear_rule(
    client: Client, make_user: UserFactory
) -> None:
    user = make_user()
    session = client.sign_in(user.email, PASSWORD).session_token
    refusal = client.change_password(session, PASSWORD, "Aa1!" + "z" * 2000)
    assert isinstance(refusal, Refusal)
    assert refusal.code == INVALID_ARGUMENT
    assert refusal.field_reasons == [("new_password", "PASSWORD_TOO_LONG")]
    assert client.is_live(session)


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        (PASSWORD, "\uff23\uff4f\uff52\uff52\uff45\uff43\uff54-Horse-9-battery"),  # fullwidth
        ("\uff33\uff45\uff43\uff52\uff45\uff54-Phrase-77-ok", "Secret-Phrase-77-ok"),
        ("Caf\u00e9-Strong-9-pass", "Cafe\u0301-Strong-9-pass"),  # composed vs combining
        ("\u212bngstr\u00f6m-Unit-9-x", "\u00c5ngstro\u0308m-Unit-9-x"),  # sign vs letter
    ],
    ids=["fullwidth_typed", "fullwidth_stored", "combining_accent", "angstrom_sign"],
)
def test_passwords_are_compared_after_nfkc(
    client: Client, make_user: UserFactory, stored: str, typed: str
) -> None:
    user = make_user(stored)
    assert typed != stored
    assert client.sign_in(user.email, typed).user_id == user.user_id
    assert client.sign_in(user.email, stored).user_id == user.user_id


def test_a_new_password_equal_to_the_old_after_nfkc_is_unchanged(
    client: Client, make_user: UserFactory
) -> None:
    user = make_user()
    session = client.sign_in(user.email, PASSWORD).session_token
    same_after_nfkc = "\uff23\uff4f\uff52\uff52\uff45\uff43\uff54-Horse-9-battery"

    refusal = client.change_password(session, PASSWORD, same_after_nfkc)

    assert isinstance(refusal, Refusal), "the old password was accepted as a new one"
    assert refusal.field_reasons == [("new_password", "PASSWORD_UNCHANGED")]
    assert client.is_live(session)


# --- hints that point the right way --------------------------------------------


def test_hints_name_only_what_the_method_takes(client: Client) -> None:
    verify = client.refuse("VerifySession", pb.VerifySessionRequest(session_token="pgs_wrong"))
    assert verify.code == UNAUTHENTICATED
    assert "Bearer" not in verify.message and "session_token" in verify.message
    sign_out = client.refuse("SignOut", pb.SignOutRequest())
    assert "authorization: Bearer" in sign_out.message
    reset = client.refuse("RequestReset", pb.RequestResetRequest())
    (violation,) = reset.violations
    assert "search_key" not in violation.description
    assert "email" in violation.description and "username" in violation.description
    sign_in = client.refuse("SignIn", pb.SignInRequest(password=PASSWORD))
    assert "search_key" in sign_in.violations[0].description
