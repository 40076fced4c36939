"""passgate.client's one mapping from refused calls to exceptions, and its retries.

The statuses are real `google.rpc.Status` messages sent over a real gRPC
channel: a scripted AuthService on a loopback port answers each call with
whatever the test queued, so every shape the server may send (and a few it
should not) reaches `from_rpc_error` exactly as it would in production. The
last tests provoke the same refusals from a live passgate server.
"""

from __future__ import annotations

import queue
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass, field

import grpc
import pytest
from google.protobuf import duration_pb2
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from passgate import client as pgc
from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.auth.v1 import auth_service_pb2_grpc
from passgate.auth.v1.error_reason_pb2 import ErrorReason
from passgate.client import _errors
from passgate.testing import ServerProcess

Code = grpc.StatusCode

# What error_reason.proto documents for each ErrorInfo reason: the status code
# it comes with and the class a caller catches. Written out here, apart from
# the client's own table, so that a change to either is a visible decision.
INFO_REASONS: dict[str, tuple[grpc.StatusCode, type[pgc.PassgateError]]] = {
    "API_KEY_INVALID": (Code.UNAUTHENTICATED, pgc.ApiKeyInvalid),
    "API_KEY_SCOPE": (Code.PERMISSION_DENIED, pgc.ApiKeyScope),
    "INVALID_CREDENTIALS": (Code.UNAUTHENTICATED, pgc.InvalidCredentials),
    "SESSION_INVALID": (Code.UNAUTHENTICATED, pgc.SessionInvalid),
    "INVALID_REQUEST": (Code.INVALID_ARGUMENT, pgc.InvalidArgument),
    "RESET_TOKEN_INVALID": (Code.INVALID_ARGUMENT, pgc.ResetTokenInvalid),
    "RATE_LIMITED": (Code.RESOURCE_EXHAUSTED, pgc.RateLimited),
    "INTERNAL_ERROR": (Code.INTERNAL, pgc.InternalError),
    "SERVICE_UNAVAILABLE": (Code.UNAVAILABLE, pgc.Unavailable),
    "METHOD_NOT_FOUND": (Code.UNIMPLEMENTED, pgc.MethodNotFound),
    "CLIENT_CERTIFICATE_MISMATCH": (Code.UNAUTHENTICATED, pgc.ClientCertificateMismatch),
    "USER_NOT_FOUND": (Code.NOT_FOUND, pgc.UserNotFound),
    "SESSION_NOT_FOUND": (Code.NOT_FOUND, pgc.SessionNotFound),
    "API_KEY_NOT_FOUND": (Code.NOT_FOUND, pgc.ApiKeyNotFound),
    "TENANT_NOT_FOUND": (Code.NOT_FOUND, pgc.TenantNotFound),
    "TENANT_EXISTS": (Code.ALREADY_EXISTS, pgc.TenantExists),
}

# Reasons that appear in BadRequest.FieldViolation, and the class a request
# with such a violation raises.
FIELD_REASONS: dict[str, type[pgc.InvalidArgument]] = {
    "FIELD_REQUIRED": pgc.InvalidArgument,
    "FIELD_TOO_LONG": pgc.InvalidArgument,
    "FIELD_MALFORMED": pgc.InvalidArgument,
    "EMAIL_MALFORMED": pgc.InvalidArgument,
    "IDENTIFIER_TAKEN": pgc.InvalidArgument,
    "REQUEST_TOO_LARGE": pgc.InvalidArgument,
    "RESET_TOKEN_INVALID": pgc.ResetTokenInvalid,
    "PASSWORD_TOO_SHORT": pgc.PasswordPolicyViolation,
    "PASSWORD_TOO_LONG": pgc.PasswordPolicyViolation,
    "PASSWORD_TOO_SIMILAR": pgc.PasswordPolicyViolation,
    "PASSWORD_TOO_COMMON": pgc.PasswordPolicyViolation,
    "PASSWORD_ENTIRELY_NUMERIC": pgc.PasswordPolicyViolation,
    "PASSWORD_MISSING_CHARACTER_CLASS": pgc.PasswordPolicyViolation,
    "PASSWORD_MISMATCH": pgc.PasswordPolicyViolation,
    "PASSWORD_UNCHANGED": pgc.PasswordPolicyViolation,
    "PASSWORD_HASH_UNSUPPORTED": pgc.InvalidArgument,
    "CURSOR_INVALID": pgc.InvalidArgument,
}

STRONG = "Correct-Horse-9-battery"
OTHER_STRONG = "Another#Strong-Pass-42"


# --- a scripted AuthService ------------------------------------------------


@dataclass
class Received:
    method: str
    request: Message
    metadata: dict[str, str]


@dataclass
class Delay:
    """Answer only after this many seconds."""

    seconds: float


@dataclass
class Scripted(auth_service_pb2_grpc.AuthServiceServicer):
    """Answers each call with the next queued outcome: a response, a grpc.Status, or a Delay."""

    outcomes: queue.SimpleQueue[object] = field(default_factory=queue.SimpleQueue)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def queue(self, *outcomes: object) -> None:
        for outcome in outcomes:
            self.outcomes.put(outcome)

    def _answer(self, method: str, request: Message, context: grpc.ServicerContext) -> Message:
        with self.lock:
            self.received.append(
                Received(method, request, {k: v for k, v in context.invocation_metadata()})
            )
        outcome = self.outcomes.get_nowait()
        if isinstance(outcome, Delay):
            # Take the answer before sleeping, so a call that outlives its
            # test cannot take the next test's outcome.
            delay, outcome = outcome, self.outcomes.get_nowait()
            time.sleep(delay.seconds)
        if isinstance(outcome, grpc.Status):
            context.abort_with_status(outcome)
        assert isinstance(outcome, Message)
        return outcome

    def SignIn(self, request, context):  # noqa: N802 (gRPC method names)
        return self._answer("SignIn", request, context)

    def ChangePassword(self, request, context):  # noqa: N802
        return self._answer("ChangePassword", request, context)

    def RequestReset(self, request, context):  # noqa: N802
        return self._answer("RequestReset", request, context)

    def SubmitReset(self, request, context):  # noqa: N802
        return self._answer("SubmitReset", request, context)

    def SignOut(self, request, context):  # noqa: N802
        return self._answer("SignOut", request, context)

    def VerifySession(self, request, context):  # noqa: N802
        return self._answer("VerifySession", request, context)


@pytest.fixture(scope="module")
def scripted_server() -> Iterator[tuple[Scripted, str]]:
    servicer = Scripted()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    auth_service_pb2_grpc.add_AuthServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield servicer, f"127.0.0.1:{port}"
    server.stop(grace=None)


@pytest.fixture
def scripted(scripted_server: tuple[Scripted, str]) -> Scripted:
    servicer, _ = scripted_server
    servicer.received.clear()
    while not servicer.outcomes.empty():
        servicer.outcomes.get_nowait()
    return servicer


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_client(scripted_server: tuple[Scripted, str], sleeps: list[float]) -> Iterator[object]:
    _, target = scripted_server
    clients: list[pgc.AuthClient] = []

    def make(retry: pgc.RetryPolicy | None = None, timeout: float = 5.0) -> pgc.AuthClient:
        client = pgc.AuthClient(target, "pgk_test_key", retry=retry, timeout=timeout)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def refusal(
    code: grpc.StatusCode,
    message: str,
    *details: Message,
    trailers: tuple[tuple[str, str], ...] = (),
) -> grpc.Status:
    """A real google.rpc.Status with packed details, ready for abort_with_status."""
    status = status_pb2.Status(code=code.value[0], message=message)
    for detail in details:
        status.details.add().Pack(detail)
    answer = rpc_status.to_status(status)
    return answer._replace(trailing_metadata=(*answer.trailing_metadata, *trailers))


def info(reason: str, **metadata: str) -> error_details_pb2.ErrorInfo:
    return error_details_pb2.ErrorInfo(reason=reason, domain="passgate.dev", metadata=metadata)


def bad_request(*violations: tuple[str, str, str]) -> error_details_pb2.BadRequest:
    return error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=f, description=d, reason=r)
            for f, d, r in violations
        ]
    )


def retry_info(seconds: float) -> error_details_pb2.RetryInfo:
    delay = duration_pb2.Duration()
    delay.FromNanoseconds(int(seconds * 1e9))
    return error_details_pb2.RetryInfo(retry_delay=delay)


def sign_in_response() -> pb.SignInResponse:
    response = pb.SignInResponse(session_token="pgs_abc", user_id="usr_1")
    response.expires_at.FromSeconds(2_000_000_000)
    return response


# --- the mapping table -------------------------------------------------------


def test_every_error_reason_maps_to_a_class() -> None:
    documented = set(INFO_REASONS) | set(FIELD_REASONS) | {"ERROR_REASON_UNSPECIFIED"}
    assert set(ErrorReason.keys()) == documented, "a new ErrorReason needs a documented class"
    assert set(_errors._CLASS_BY_REASON) == set(ErrorReason.values())
    for reason, cls in _errors._CLASS_BY_REASON.items():
        assert issubclass(cls, pgc.PassgateError), ErrorReason.Name(reason)
        assert cls.__name__ in pgc.__all__, f"{cls.__name__} is not public"
    for reason, (_, cls) in INFO_REASONS.items():
        assert _errors._CLASS_BY_REASON[ErrorReason.Value(reason)] is cls


def test_every_exception_class_is_reachable() -> None:
    """Each public exception class is the answer to some status: none is dead weight."""
    public = {
        obj
        for obj in vars(pgc).values()
        if isinstance(obj, type) and issubclass(obj, pgc.PassgateError)
    }
    reachable = (
        set(_errors._CLASS_BY_REASON.values())
        | set(_errors._CLASS_BY_CODE.values())
        | {pgc.PassgateError}
    )
    assert public == reachable


@pytest.mark.parametrize("reason", sorted(INFO_REASONS))
def test_error_info_reason_selects_the_class(reason: str, scripted: Scripted, make_client) -> None:
    code, cls = INFO_REASONS[reason]
    details: list[Message] = [info(reason, error_id="err_42")]
    if issubclass(cls, pgc.InvalidArgument):
        details.append(bad_request(("token", "The token is invalid.", reason)))
    if cls is pgc.RateLimited:
        details.append(retry_info(0.25))
    scripted.queue(refusal(code, f"refused: {reason}", *details))

    with pytest.raises(pgc.PassgateError) as caught:
        make_client().sign_in(email="ada@example.com", password=STRONG)

    error = caught.value
    assert type(error) is cls
    assert (error.code, error.reason, error.message) == (code, reason, f"refused: {reason}")
    assert error.error_id == "err_42"
    assert error.metadata == {"error_id": "err_42"}
    assert error.status is not None and error.status.code == code.value[0]
    assert isinstance(error.__cause__, grpc.RpcError)
    assert reason in str(error) and "err_42" in str(error)


@pytest.mark.parametrize("reason", sorted(FIELD_REASONS))
def test_field_violation_reason_selects_the_class(
    reason: str, scripted: Scripted, make_client
) -> None:
    scripted.queue(
        refusal(
            Code.INVALID_ARGUMENT,
            "invalid request",
            info("INVALID_REQUEST"),
            bad_request(("new_password", "Explained.", reason)),
        )
    )
    with pytest.raises(pgc.InvalidArgument) as caught:
        make_client().submit_reset(user_id="usr_1", token="pgr_x", new_password="x")
    assert type(caught.value) is FIELD_REASONS[reason]
    assert caught.value.violations == (pgc.FieldViolation("new_password", "Explained.", reason),)


def test_every_violation_is_kept_and_the_most_specific_class_wins(
    scripted: Scripted, make_client
) -> None:
    broken = (
        ("new_password", "This password is too common.", "PASSWORD_TOO_COMMON"),
        ("new_password", "Add an upper-case letter.", "PASSWORD_MISSING_CHARACTER_CLASS"),
        ("confirm_password", "The two passwords differ.", "PASSWORD_MISMATCH"),
        ("old_password", "This field is required.", "FIELD_REQUIRED"),
    )
    scripted.queue(
        refusal(Code.INVALID_ARGUMENT, "invalid", info("INVALID_REQUEST"), bad_request(*broken))
    )
    with pytest.raises(pgc.PasswordPolicyViolation) as caught:
        make_client().change_password(
            "pgs_s", old_password="", new_password="password", confirm_password="p"
        )
    assert [(v.field, v.description, v.reason) for v in caught.value.violations] == list(broken)
    assert caught.value.reason == "INVALID_REQUEST"

    scripted.queue(
        refusal(
            Code.INVALID_ARGUMENT,
            "invalid",
            info("INVALID_REQUEST"),
            bad_request(broken[0], ("token", "Invalid token.", "RESET_TOKEN_INVALID")),
        )
    )
    with pytest.raises(pgc.ResetTokenInvalid) as token_caught:
        make_client().submit_reset(user_id="usr_1", token="pgr_x", new_password="password")
    assert len(token_caught.value.violations) == 2


def test_rate_limit_details_are_decoded(scripted: Scripted, make_client) -> None:
    quota = error_details_pb2.QuotaFailure(
        violations=[
            error_details_pb2.QuotaFailure.Violation(
                subject="api_key:key_1", description="25 calls per 5s"
            )
        ]
    )
    scripted.queue(
        refusal(
            Code.RESOURCE_EXHAUSTED,
            "too many requests",
            info("RATE_LIMITED"),
            retry_info(2.5),
            quota,
            trailers=(("retry-after", "3"),),
        ),
        refusal(
            Code.RESOURCE_EXHAUSTED,
            "slow down",
            info("RATE_LIMITED"),
            trailers=(("retry-after", "7"),),
        ),
        refusal(Code.RESOURCE_EXHAUSTED, "slow down", info("RATE_LIMITED")),
    )
    client = make_client()
    with pytest.raises(pgc.RateLimited) as caught:
        client.verify_session("pgs_s")
    assert caught.value.retry_after == 2.5  # RetryInfo is precise; the trailer is rounded up
    assert caught.value.quota_violations == (
        pgc.QuotaViolation(subject="api_key:key_1", description="25 calls per 5s"),
    )
    with pytest.raises(pgc.RateLimited) as trailer_only:
        client.verify_session("pgs_s")
    assert trailer_only.value.retry_after == 7.0
    with pytest.raises(pgc.RateLimited) as neither:
        client.verify_session("pgs_s")
    assert neither.value.retry_after == 1.0


@pytest.mark.parametrize(
    ("code", "details", "expected"),
    [
        (Code.UNAUTHENTICATED, (), pgc.Unauthenticated),
        (Code.PERMISSION_DENIED, (), pgc.PermissionDenied),
        (Code.INVALID_ARGUMENT, (), pgc.InvalidArgument),
        (Code.INTERNAL, (), pgc.InternalError),
        (Code.UNAVAILABLE, (), pgc.Unavailable),
        (Code.UNIMPLEMENTED, (), pgc.MethodNotFound),
        (Code.NOT_FOUND, (), pgc.NotFound),
        (Code.ALREADY_EXISTS, (), pgc.AlreadyExists),
        (Code.DATA_LOSS, (), pgc.PassgateError),
        # gRPC's own RESOURCE_EXHAUSTED (say, a message too large) names no
        # delay: it is not a rate limit and must not be retried as one.
        (Code.RESOURCE_EXHAUSTED, (), pgc.PassgateError),
        # A reason from another domain (a proxy) is not passgate's.
        (
            Code.UNAUTHENTICATED,
            (error_details_pb2.ErrorInfo(reason="API_KEY_INVALID", domain="googleapis.com"),),
            pgc.Unauthenticated,
        ),
        # A reason this client does not know yet (a newer server).
        (Code.PERMISSION_DENIED, (info("TENANT_SUSPENDED"),), pgc.PermissionDenied),
        (Code.INTERNAL, (info("ERROR_REASON_UNSPECIFIED"),), pgc.InternalError),
    ],
)
def test_answers_without_a_known_reason_fall_back_to_the_status_code(
    code: grpc.StatusCode,
    details: tuple[Message, ...],
    expected: type[pgc.PassgateError],
    scripted: Scripted,
    make_client,
) -> None:
    if details:
        scripted.queue(refusal(code, "no", *details))
    else:
        scripted.queue(_PlainStatus(code, "no", ()))
    with pytest.raises(pgc.PassgateError) as caught:
        make_client().sign_out("pgs_s")
    assert type(caught.value) is expected
    assert caught.value.code == code
    assert caught.value.error_id is None
    if details and details[0].domain == "passgate.dev":  # type: ignore[attr-defined]
        assert caught.value.reason == details[0].reason  # type: ignore[attr-defined]
    else:
        assert caught.value.reason == ""


class _PlainStatus(grpc.Status):
    """A status with no rich details at all, as gRPC itself or a proxy sends."""

    def __init__(
        self, code: grpc.StatusCode, details: str, trailing_metadata: tuple[tuple[str, str], ...]
    ) -> None:
        self.code = code
        self.details = details
        self.trailing_metadata = trailing_metadata


def test_a_status_trailer_that_contradicts_the_call_is_ignored(
    scripted: Scripted, make_client
) -> None:
    lying = status_pb2.Status(code=Code.INTERNAL.value[0], message="something else")
    lying.details.add().Pack(info("INTERNAL_ERROR", error_id="err_1"))
    scripted.queue(
        _PlainStatus(
            Code.UNAUTHENTICATED,
            "no",
            (("grpc-status-details-bin", lying.SerializeToString()),),  # type: ignore[arg-type]
        )
    )
    with pytest.raises(pgc.Unauthenticated) as caught:
        make_client().sign_out("pgs_s")
    assert type(caught.value) is pgc.Unauthenticated
    assert caught.value.status is None


def test_an_unreachable_server_is_unavailable() -> None:
    with socket.socket() as probe:  # bound and released: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (
        pgc.AuthClient(f"127.0.0.1:{port}", "pgk_k", timeout=2) as client,
        pytest.raises(pgc.Unavailable) as caught,
    ):
        client.verify_session("pgs_s")
    assert caught.value.code == Code.UNAVAILABLE


def test_a_slow_answer_is_deadline_exceeded(scripted: Scripted, make_client) -> None:
    scripted.queue(Delay(0.5), sign_in_response())
    with pytest.raises(pgc.DeadlineExceeded):
        make_client(timeout=0.1).sign_in(username="ada", password=STRONG)


def test_from_rpc_error_maps_errors_from_the_generated_stub(
    scripted: Scripted, scripted_server: tuple[Scripted, str]
) -> None:
    scripted.queue(refusal(Code.UNAUTHENTICATED, "no key", info("API_KEY_INVALID")))
    with grpc.insecure_channel(scripted_server[1]) as channel:
        stub = auth_service_pb2_grpc.AuthServiceStub(channel)
        with pytest.raises(grpc.RpcError) as caught:
            stub.VerifySession(pb.VerifySessionRequest(session_token="pgs_s"))
    error = pgc.from_rpc_error(caught.value)
    assert type(error) is pgc.ApiKeyInvalid
    assert error.message == "no key"


# --- what the client sends ---------------------------------------------------


def test_requests_carry_the_api_key_and_the_session(scripted: Scripted, make_client) -> None:
    renewed = pb.ChangePasswordResponse(session_token="pgs_new")
    renewed.expires_at.FromSeconds(2_000_000_000)
    verified = pb.VerifySessionResponse(user_id="usr_1")
    verified.expires_at.FromSeconds(2_000_000_000)
    scripted.queue(
        sign_in_response(),
        sign_in_response(),
        sign_in_response(),
        renewed,
        pb.RequestResetResponse(),
        pb.RequestResetResponse(),
        pb.SubmitResetResponse(),
        verified,
        pb.SignOutResponse(),
    )
    client = make_client()
    session = client.sign_in(email="ada@example.com", password=STRONG)
    client.sign_in(username="ada", password=STRONG)
    client.sign_in(search_key=("mx_PAN_Number", "ABCDE1234F"), password=STRONG)
    new = client.change_password(
        session.token, old_password=STRONG, new_password=OTHER_STRONG, confirm_password=OTHER_STRONG
    )
    client.request_reset(email="ada@example.com")
    client.request_reset(
        username="ada", reset_url="https://app.example.com/reset", email_template="welcome"
    )
    client.submit_reset(user_id="usr_1", token="pgr_t", new_password=OTHER_STRONG)
    info_ = client.verify_session(new.token)
    client.sign_out(new.token)

    assert session.token == "pgs_abc" and session.user_id == "usr_1"
    assert session.expires_at.timestamp() == 2_000_000_000 and session.expires_at.tzinfo
    assert "pgs_abc" not in repr(session), "a session token must stay out of logs"
    assert new.token == "pgs_new" and info_.user_id == "usr_1"

    calls = scripted.received
    assert [c.method for c in calls] == [
        "SignIn", "SignIn", "SignIn", "ChangePassword", "RequestReset", "RequestReset",
        "SubmitReset", "VerifySession", "SignOut",
    ]  # fmt: skip
    assert all(c.metadata["x-api-key"] == "pgk_test_key" for c in calls)
    with_session = {c.method: c.metadata.get("authorization") for c in calls}
    assert with_session["ChangePassword"] == "Bearer pgs_abc"
    assert with_session["SignOut"] == "Bearer pgs_new"
    assert with_session["VerifySession"] is None  # the token travels in the body
    assert with_session["SignIn"] is None
    assert [c.request.WhichOneof("identifier") for c in calls[:3]] == [
        "email", "username", "search_key",
    ]  # fmt: skip
    assert calls[2].request.search_key == pb.SearchKey(
        schema_name="mx_PAN_Number", value="ABCDE1234F"
    )
    first_reset, second_reset = calls[4].request, calls[5].request
    assert not first_reset.HasField("reset_url") and not first_reset.HasField("email_template")
    assert second_reset.reset_url == "https://app.example.com/reset"
    assert second_reset.email_template == "welcome"
    assert calls[7].request.session_token == "pgs_new"


@pytest.mark.parametrize(
    "identifiers",
    [{}, {"email": "a@example.com", "username": "a"}, {"username": "a", "search_key": ("s", "v")}],
)
def test_sign_in_needs_exactly_one_identifier(identifiers: dict[str, object], make_client) -> None:
    with pytest.raises(TypeError, match="exactly one"):
        make_client().sign_in(password=STRONG, **identifiers)


def test_request_reset_needs_exactly_one_identifier(make_client) -> None:
    with pytest.raises(TypeError, match="exactly one"):
        make_client().request_reset()
    with pytest.raises(TypeError, match="exactly one"):
        make_client().request_reset(email="a@example.com", username="a")


def test_reset_link_parsing() -> None:
    link = pgc.ResetLink.parse("https://app.example.com/reset?user=usr_1&token=pgr_abc%2Bdef")
    assert (link.user_id, link.token) == ("usr_1", "pgr_abc+def")
    assert "pgr_abc" not in repr(link)
    assert pgc.ResetLink.parse("?user=u&token=t") == pgc.ResetLink("u", "t")
    bad_links = [
        "https://app.example.com/reset",
        "?user=u",
        "?user=u&user=v&token=t",
        "?user=&token=t",
    ]
    for bad in bad_links:
        with pytest.raises(ValueError, match="reset link"):
            pgc.ResetLink.parse(bad)


# --- retries -----------------------------------------------------------------


def policy(sleeps: list[float], **settings: float) -> pgc.RetryPolicy:
    return pgc.RetryPolicy(sleep=sleeps.append, jitter=0.0, **settings)  # type: ignore[arg-type]


def rate_limited(seconds: float) -> grpc.Status:
    return refusal(
        Code.RESOURCE_EXHAUSTED, "too many requests", info("RATE_LIMITED"), retry_info(seconds)
    )


def test_rate_limited_calls_wait_as_retry_info_says(
    scripted: Scripted, make_client, sleeps: list[float]
) -> None:
    scripted.queue(rate_limited(0.2), rate_limited(0.4), sign_in_response())
    session = make_client(policy(sleeps, max_attempts=3)).sign_in(
        email="ada@example.com", password=STRONG
    )
    assert session.user_id == "usr_1"
    assert sleeps == [0.2, 0.4]
    assert len(scripted.received) == 3


def test_retries_stop_after_max_attempts(
    scripted: Scripted, make_client, sleeps: list[float]
) -> None:
    scripted.queue(*(rate_limited(0.1) for _ in range(5)))
    with pytest.raises(pgc.RateLimited):
        make_client(policy(sleeps, max_attempts=3)).verify_session("pgs_s")
    assert sleeps == [0.1, 0.1]
    assert len(scripted.received) == 3


def test_retries_stop_before_the_total_wait_is_exceeded(
    scripted: Scripted, make_client, sleeps: list[float]
) -> None:
    scripted.queue(rate_limited(0.6), rate_limited(0.6), sign_in_response())
    with pytest.raises(pgc.RateLimited) as caught:
        make_client(policy(sleeps, max_attempts=5, max_total_wait=1.0)).sign_in(
            email="ada@example.com", password=STRONG
        )
    assert sleeps == [0.6]  # a second wait would pass 1.0 s: raise at once instead
    assert caught.value.retry_after == 0.6


def test_unavailable_backs_off_exponentially(
    scripted: Scripted, make_client, sleeps: list[float]
) -> None:
    down = refusal(Code.UNAVAILABLE, "shutting down", info("SERVICE_UNAVAILABLE"))
    scripted.queue(down, down, down, sign_in_response())
    make_client(policy(sleeps, max_attempts=4, backoff=0.01)).sign_in(
        email="ada@example.com", password=STRONG
    )
    assert sleeps == [0.01, 0.02, 0.04]


@pytest.mark.parametrize(
    "answer",
    [
        refusal(Code.UNAUTHENTICATED, "no", info("INVALID_CREDENTIALS")),
        refusal(Code.INVALID_ARGUMENT, "no", info("INVALID_REQUEST")),
        refusal(Code.INTERNAL, "no", info("INTERNAL_ERROR", error_id="e")),
        _PlainStatus(Code.RESOURCE_EXHAUSTED, "message too large", ()),
    ],
)
def test_other_errors_are_not_retried(
    answer: grpc.Status, scripted: Scripted, make_client, sleeps: list[float]
) -> None:
    scripted.queue(answer, sign_in_response())
    with pytest.raises(pgc.PassgateError):
        make_client(policy(sleeps, max_attempts=5)).sign_in(
            email="ada@example.com", password=STRONG
        )
    assert sleeps == []
    assert len(scripted.received) == 1


def test_without_a_policy_nothing_is_retried(scripted: Scripted, make_client) -> None:
    scripted.queue(rate_limited(0.1), sign_in_response())
    with pytest.raises(pgc.RateLimited):
        make_client().sign_in(email="ada@example.com", password=STRONG)
    assert len(scripted.received) == 1


def test_retry_policy_checks_its_settings() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        pgc.RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="negative"):
        pgc.RetryPolicy(max_total_wait=-1)
    with pytest.raises(ValueError, match="jitter"):
        pgc.RetryPolicy(jitter=2)


# --- refusals from a live server ---------------------------------------------


@pytest.fixture
def live_user(server: ServerProcess) -> tuple[str, str]:
    address = f"errors-{uuid.uuid4().hex[:12]}@example.com"
    return address, server.create_user(email=address, password=STRONG)


def test_a_live_server_refuses_with_the_documented_classes(
    server: ServerProcess, live_user: tuple[str, str]
) -> None:
    address, user_id = live_user
    with (
        pgc.AuthClient(server.target, "pgk_not-a-key") as stranger,
        pytest.raises(pgc.ApiKeyInvalid) as no_key,
    ):
        stranger.sign_in(email=address, password=STRONG)
    assert (no_key.value.code, no_key.value.reason) == (Code.UNAUTHENTICATED, "API_KEY_INVALID")

    narrow_key = server.create_api_key("verify-only", "--scopes", "VerifySession")
    with (
        pgc.AuthClient(server.target, narrow_key) as narrow,
        pytest.raises(pgc.ApiKeyScope) as scope,
    ):
        narrow.sign_in(email=address, password=STRONG)
    assert (scope.value.code, scope.value.reason) == (Code.PERMISSION_DENIED, "API_KEY_SCOPE")

    with pgc.AuthClient(server.target, server.api_key) as client:
        with pytest.raises(pgc.InvalidCredentials) as wrong:
            client.sign_in(email=address, password=OTHER_STRONG)
        assert wrong.value.code == Code.UNAUTHENTICATED
        with pytest.raises(pgc.SessionInvalid):
            client.verify_session("pgs_not-a-session")
        with pytest.raises(pgc.SessionInvalid):
            client.sign_out("pgs_not-a-session")

        with pytest.raises(pgc.InvalidArgument) as empty:
            client.sign_in(email=address, password="")
        assert type(empty.value) is pgc.InvalidArgument
        assert [(v.field, v.reason) for v in empty.value.violations] == [
            ("password", "FIELD_REQUIRED")
        ]

        session = client.sign_in(email=address, password=STRONG)
        with pytest.raises(pgc.PasswordPolicyViolation) as weak:
            client.change_password(
                session.token, old_password=STRONG, new_password="password",
                confirm_password="passw0rd",
            )  # fmt: skip
        error = weak.value
        assert (error.code, error.reason) == (Code.INVALID_ARGUMENT, "INVALID_REQUEST")
        broken = {(v.field, v.reason) for v in error.violations}
        assert {
            ("new_password", "PASSWORD_TOO_COMMON"),
            ("new_password", "PASSWORD_MISSING_CHARACTER_CLASS"),
            ("confirm_password", "PASSWORD_MISMATCH"),
        } <= broken
        assert all(v.description for v in error.violations)
        assert error.status is not None
        assert {d.TypeName() for d in error.status.details} == {
            "google.rpc.ErrorInfo", "google.rpc.BadRequest",
        }  # fmt: skip
        # A refused change keeps every session.
        assert client.verify_session(session.token).user_id == user_id

        with pytest.raises(pgc.ResetTokenInvalid) as token:
            client.submit_reset(user_id=user_id, token="pgr_not-a-token", new_password=OTHER_STRONG)
        assert token.value.reason == "RESET_TOKEN_INVALID"
        assert [(v.field, v.reason) for v in token.value.violations] == [
            ("token", "RESET_TOKEN_INVALID")
        ]


def _exhaust(client: pgc.AuthClient, attempts: int = 50) -> pgc.RateLimited:
    """Call until the key's budget runs out; the calls themselves are refused sessions."""
    for _ in range(attempts):
        try:
            client.verify_session("pgs_not-a-session")
        except pgc.SessionInvalid:
            continue
        except pgc.RateLimited as limited:
            return limited
    pytest.fail(f"no rate limit after {attempts} calls")


def test_a_live_rate_limit_carries_retry_info_and_is_waited_out(server: ServerProcess) -> None:
    key = server.create_api_key("tight", "--rate", "2/1s")
    with pgc.AuthClient(server.target, key) as client:
        limited = _exhaust(client)
    assert (limited.code, limited.reason) == (Code.RESOURCE_EXHAUSTED, "RATE_LIMITED")
    assert 0 < limited.retry_after <= 1.0
    assert limited.quota_violations and all(q.description for q in limited.quota_violations)
    assert limited.status is not None
    assert {"google.rpc.RetryInfo", "google.rpc.QuotaFailure"} <= {
        d.TypeName() for d in limited.status.details
    }

    with grpc.insecure_channel(server.target) as channel:
        stub = auth_service_pb2_grpc.AuthServiceStub(channel)
        request = pb.VerifySessionRequest(session_token="pgs_not-a-session")
        with pytest.raises(grpc.RpcError) as raw:
            for _ in range(20):
                try:
                    stub.VerifySession(request, metadata=(("x-api-key", key),), timeout=5)
                except grpc.RpcError as refused:
                    if refused.code() == Code.RESOURCE_EXHAUSTED:
                        raise
    trailers = dict(raw.value.trailing_metadata())
    assert int(trailers["retry-after"]) >= 1

    waits: list[float] = []
    retry = pgc.RetryPolicy(max_attempts=5, max_total_wait=10, sleep=lambda s: (
        waits.append(s), time.sleep(s)))  # fmt: skip
    with pgc.AuthClient(server.target, key, retry=retry) as patient:
        started = time.monotonic()
        for _ in range(6):
            with pytest.raises(pgc.SessionInvalid):
                patient.verify_session("pgs_not-a-session")
    assert waits, "the budget of 2 calls per second must have made the client wait"
    assert all(0 < w <= 1.0 for w in waits)
    assert time.monotonic() - started < 10


def _throttled(client: pgc.AuthClient, address: str) -> pgc.RateLimited:
    for _ in range(3):
        try:
            client.sign_in(email=address, password=OTHER_STRONG)
        except pgc.InvalidCredentials:
            continue
        except pgc.RateLimited as throttled:
            return throttled
    pytest.fail("failed sign-ins were never throttled")


def test_the_sign_in_throttle_is_rate_limited_and_waited_out(
    server: ServerProcess, live_user: tuple[str, str]
) -> None:
    address, user_id = live_user
    with pgc.AuthClient(server.target, server.api_key) as client:
        for _ in range(5):  # the free failures
            with pytest.raises(pgc.InvalidCredentials):
                client.sign_in(email=address, password=OTHER_STRONG)
        throttled = _throttled(client, address)
    assert throttled.reason == "RATE_LIMITED"
    assert 0 < throttled.retry_after <= 2.0

    waits: list[float] = []
    retry = pgc.RetryPolicy(max_attempts=3, max_total_wait=10, sleep=lambda s: (
        waits.append(s), time.sleep(s)))  # fmt: skip
    with pgc.AuthClient(server.target, server.api_key, retry=retry) as patient:
        assert patient.sign_in(email=address, password=STRONG).user_id == user_id
    assert waits and all(0 < w <= 2.0 for w in waits)
