"""The exceptions passgate.client raises, and the one function that chooses them.

Every refused call reaches Python as exactly one of these classes, chosen from
the `google.rpc.Status` that passgate sends (its `ErrorInfo.reason` first, its
gRPC status code when no passgate `ErrorInfo` is present), never from message
text::

    PassgateError                     every failed call: .code .reason .message .error_id
    ├── Unauthenticated               UNAUTHENTICATED
    │   ├── ApiKeyInvalid             API_KEY_INVALID: x-api-key missing, unknown, revoked
    │   ├── ClientCertificateMismatch CLIENT_CERTIFICATE_MISMATCH: key bound to another certificate
    │   ├── InvalidCredentials        INVALID_CREDENTIALS: wrong identifier or password
    │   └── SessionInvalid            SESSION_INVALID: session missing, expired, revoked
    ├── PermissionDenied              PERMISSION_DENIED
    │   └── ApiKeyScope               API_KEY_SCOPE: the key may not call this method
    ├── InvalidArgument               INVALID_ARGUMENT / INVALID_REQUEST: .violations
    │   ├── PasswordPolicyViolation   a PASSWORD_* rule was broken
    │   └── ResetTokenInvalid         RESET_TOKEN_INVALID: request a new reset e-mail
    ├── RateLimited                   RESOURCE_EXHAUSTED / RATE_LIMITED: .retry_after
    ├── Unavailable                   UNAVAILABLE / SERVICE_UNAVAILABLE: try again later
    ├── MethodNotFound                UNIMPLEMENTED / METHOD_NOT_FOUND: server too old for the call
    ├── DeadlineExceeded              the call's timeout passed before an answer came
    └── InternalError                 INTERNAL / INTERNAL_ERROR: .error_id is in the server log
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import ClassVar, Final

import grpc
from google.protobuf.message import DecodeError
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from passgate.auth.v1.error_reason_pb2 import ErrorReason

#: The `ErrorInfo.domain` of every error passgate itself raises.
ERROR_DOMAIN: Final = "passgate.dev"

# Rate-limit answers also carry the delay as a trailer, in whole seconds.
_RETRY_AFTER_TRAILER: Final = "retry-after"
# Used only when a RESOURCE_EXHAUSTED answer names no delay at all.
_DEFAULT_RETRY_AFTER: Final = 1.0


@dataclass(frozen=True, slots=True)
class FieldViolation:
    """One broken rule of one request field (a `google.rpc.BadRequest.FieldViolation`)."""

    field: str
    description: str
    reason: str


@dataclass(frozen=True, slots=True)
class QuotaViolation:
    """One exhausted budget (a `google.rpc.QuotaFailure.Violation`)."""

    subject: str
    description: str


class PassgateError(Exception):
    """A call to passgate failed; the base of every exception passgate.client raises.

    `code` is the gRPC status code, `reason` the `ErrorInfo.reason` (an
    `ErrorReason` value name, or "" when the answer carried none), `message`
    the human-readable text (it may change between versions; `reason` never
    does). `error_id` is set when the server logged the failure under an id,
    and `status` is the decoded `google.rpc.Status`, when there was one.
    """

    default_code: ClassVar[grpc.StatusCode] = grpc.StatusCode.UNKNOWN
    default_reason: ClassVar[str] = ""

    def __init__(
        self,
        message: str = "",
        *,
        code: grpc.StatusCode | None = None,
        reason: str | None = None,
        error_id: str | None = None,
        metadata: Mapping[str, str] | None = None,
        status: status_pb2.Status | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = self.default_code if code is None else code
        self.reason = self.default_reason if reason is None else reason
        self.error_id = error_id
        self.metadata: Mapping[str, str] = MappingProxyType(dict(metadata or {}))
        self.status = status

    def __str__(self) -> str:
        label = f"{self.code.name} {self.reason}" if self.reason else self.code.name
        text = f"{label}: {self.message}" if self.message else label
        return f"{text} (error id {self.error_id})" if self.error_id else text


class Unauthenticated(PassgateError):
    """The caller did not prove who it is: API key or user credentials."""

    default_code = grpc.StatusCode.UNAUTHENTICATED


class ApiKeyInvalid(Unauthenticated):
    """The `x-api-key` metadata entry is missing, unknown or revoked."""

    default_reason = "API_KEY_INVALID"


class ClientCertificateMismatch(Unauthenticated):
    """The API key is bound to a client certificate, and the call did not come
    over mutual TLS with that certificate."""

    default_reason = "CLIENT_CERTIFICATE_MISMATCH"


class InvalidCredentials(Unauthenticated):
    """Wrong identifier or password; the server never says which."""

    default_reason = "INVALID_CREDENTIALS"


class SessionInvalid(Unauthenticated):
    """The session token is missing, expired or revoked: sign in again."""

    default_reason = "SESSION_INVALID"


class PermissionDenied(PassgateError):
    """The caller is known but may not do this."""

    default_code = grpc.StatusCode.PERMISSION_DENIED


class ApiKeyScope(PermissionDenied):
    """The API key is valid but not allowed to call this method."""

    default_reason = "API_KEY_SCOPE"


class NotFound(PassgateError):
    """The user, session, API key or tenant named does not exist, or is out of
    the caller's reach (the same answer, so callers learn nothing of others)."""

    default_code = grpc.StatusCode.NOT_FOUND


class UserNotFound(NotFound):
    """No such user (in a tenant the admin key may act in)."""

    default_reason = "USER_NOT_FOUND"


class SessionNotFound(NotFound):
    """No such live session of the user."""

    default_reason = "SESSION_NOT_FOUND"


class ApiKeyNotFound(NotFound):
    """No such API key (in a tenant the admin key may act in)."""

    default_reason = "API_KEY_NOT_FOUND"


class TenantNotFound(NotFound):
    """No such tenant, or one the admin key may not act in."""

    default_reason = "TENANT_NOT_FOUND"


class AlreadyExists(PassgateError):
    """What the call would create exists already."""

    default_code = grpc.StatusCode.ALREADY_EXISTS


class TenantExists(AlreadyExists):
    """A tenant with that id exists already."""

    default_reason = "TENANT_EXISTS"


class InvalidArgument(PassgateError):
    """The request broke field rules; `violations` lists every one of them."""

    default_code = grpc.StatusCode.INVALID_ARGUMENT
    default_reason = "INVALID_REQUEST"

    def __init__(
        self,
        message: str = "",
        *,
        violations: Sequence[FieldViolation] = (),
        code: grpc.StatusCode | None = None,
        reason: str | None = None,
        error_id: str | None = None,
        metadata: Mapping[str, str] | None = None,
        status: status_pb2.Status | None = None,
    ) -> None:
        super().__init__(
            message, code=code, reason=reason, error_id=error_id, metadata=metadata, status=status
        )
        self.violations: tuple[FieldViolation, ...] = tuple(violations)

    def __str__(self) -> str:
        broken = "; ".join(f"{v.field}: {v.reason}" for v in self.violations)
        return f"{super().__str__()} [{broken}]" if broken else super().__str__()


class PasswordPolicyViolation(InvalidArgument):
    """A new password was refused: a policy rule, a reuse, or a confirmation mismatch.

    Raised when at least one violation has a `PASSWORD_*` reason; `violations`
    still holds every broken rule of the request.
    """


class ResetTokenInvalid(InvalidArgument):
    """The reset token is unknown, used, expired or for another user: ask for a new e-mail."""

    default_reason = "RESET_TOKEN_INVALID"


class RateLimited(PassgateError):
    """A rate limit or sign-in throttle applies; wait `retry_after` seconds, then retry.

    `retry_after` comes from the answer's `RetryInfo`, else its `retry-after`
    trailer, else it is one second. `quota_violations` says which budgets ran out.
    """

    default_code = grpc.StatusCode.RESOURCE_EXHAUSTED
    default_reason = "RATE_LIMITED"

    def __init__(
        self,
        message: str = "",
        *,
        retry_after: float = _DEFAULT_RETRY_AFTER,
        quota_violations: Sequence[QuotaViolation] = (),
        code: grpc.StatusCode | None = None,
        reason: str | None = None,
        error_id: str | None = None,
        metadata: Mapping[str, str] | None = None,
        status: status_pb2.Status | None = None,
    ) -> None:
        super().__init__(
            message, code=code, reason=reason, error_id=error_id, metadata=metadata, status=status
        )
        self.retry_after = max(0.0, retry_after)
        self.quota_violations: tuple[QuotaViolation, ...] = tuple(quota_violations)


class Unavailable(PassgateError):
    """The server could not be reached or is shutting down; retrying later may work."""

    default_code = grpc.StatusCode.UNAVAILABLE
    default_reason = "SERVICE_UNAVAILABLE"


class MethodNotFound(PassgateError):
    """The server does not offer this method: it is older than this client."""

    default_code = grpc.StatusCode.UNIMPLEMENTED
    default_reason = "METHOD_NOT_FOUND"


class DeadlineExceeded(PassgateError):
    """No answer came within the call's timeout; the call may or may not have taken effect."""

    default_code = grpc.StatusCode.DEADLINE_EXCEEDED


class InternalError(PassgateError):
    """The server failed unexpectedly; quote `error_id` to its operators."""

    default_code = grpc.StatusCode.INTERNAL
    default_reason = "INTERNAL_ERROR"


# Every `ErrorReason` value, whether it appears as `ErrorInfo.reason` or as a
# `FieldViolation.reason`, names the class it raises. Keys are enum members, so
# a reason that disappears from the API breaks the import, and
# tests/clients/test_python_errors.py fails when one is added but not mapped.
_CLASS_BY_REASON: Final[Mapping[int, type[PassgateError]]] = MappingProxyType(
    {
        ErrorReason.ERROR_REASON_UNSPECIFIED: PassgateError,
        ErrorReason.API_KEY_INVALID: ApiKeyInvalid,
        ErrorReason.API_KEY_SCOPE: ApiKeyScope,
        ErrorReason.INVALID_CREDENTIALS: InvalidCredentials,
        ErrorReason.SESSION_INVALID: SessionInvalid,
        ErrorReason.INVALID_REQUEST: InvalidArgument,
        ErrorReason.RESET_TOKEN_INVALID: ResetTokenInvalid,
        ErrorReason.RATE_LIMITED: RateLimited,
        ErrorReason.INTERNAL_ERROR: InternalError,
        ErrorReason.SERVICE_UNAVAILABLE: Unavailable,
        ErrorReason.METHOD_NOT_FOUND: MethodNotFound,
        ErrorReason.CLIENT_CERTIFICATE_MISMATCH: ClientCertificateMismatch,
        ErrorReason.FIELD_REQUIRED: InvalidArgument,
        ErrorReason.FIELD_TOO_LONG: InvalidArgument,
        ErrorReason.FIELD_MALFORMED: InvalidArgument,
        ErrorReason.EMAIL_MALFORMED: InvalidArgument,
        ErrorReason.IDENTIFIER_TAKEN: InvalidArgument,
        ErrorReason.PASSWORD_TOO_SHORT: PasswordPolicyViolation,
        ErrorReason.PASSWORD_TOO_LONG: PasswordPolicyViolation,
        ErrorReason.PASSWORD_TOO_SIMILAR: PasswordPolicyViolation,
        ErrorReason.PASSWORD_TOO_COMMON: PasswordPolicyViolation,
        ErrorReason.PASSWORD_ENTIRELY_NUMERIC: PasswordPolicyViolation,
        ErrorReason.PASSWORD_MISSING_CHARACTER_CLASS: PasswordPolicyViolation,
        ErrorReason.PASSWORD_MISMATCH: PasswordPolicyViolation,
        ErrorReason.PASSWORD_UNCHANGED: PasswordPolicyViolation,
        ErrorReason.REQUEST_TOO_LARGE: InvalidArgument,
        ErrorReason.USER_NOT_FOUND: UserNotFound,
        ErrorReason.SESSION_NOT_FOUND: SessionNotFound,
        ErrorReason.API_KEY_NOT_FOUND: ApiKeyNotFound,
        ErrorReason.TENANT_NOT_FOUND: TenantNotFound,
        ErrorReason.TENANT_EXISTS: TenantExists,
        ErrorReason.PASSWORD_HASH_UNSUPPORTED: InvalidArgument,
        ErrorReason.CURSOR_INVALID: InvalidArgument,
    }
)

# Answers without a passgate `ErrorInfo` (from gRPC itself, a proxy, or a
# server of another version) are classified by status code alone.
_CLASS_BY_CODE: Final[Mapping[grpc.StatusCode, type[PassgateError]]] = MappingProxyType(
    {
        grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
        grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
        grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
        grpc.StatusCode.NOT_FOUND: NotFound,
        grpc.StatusCode.ALREADY_EXISTS: AlreadyExists,
        grpc.StatusCode.RESOURCE_EXHAUSTED: RateLimited,
        grpc.StatusCode.UNAVAILABLE: Unavailable,
        grpc.StatusCode.UNIMPLEMENTED: MethodNotFound,
        grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceeded,
        grpc.StatusCode.INTERNAL: InternalError,
    }
)

# When violations of several kinds come back together, the most specific
# class among them wins.
_REFINEMENTS: Final = (ResetTokenInvalid, PasswordPolicyViolation)


def _class_for_reason(reason: str) -> type[PassgateError] | None:
    """The class a reason selects; None when it selects none and the status code decides."""
    try:
        cls = _CLASS_BY_REASON.get(ErrorReason.Value(reason))
    except ValueError:  # a reason this client version does not know
        return None
    return None if cls is PassgateError else cls


@dataclass
class _Details:
    """What the rich status carried, decoded."""

    info: error_details_pb2.ErrorInfo | None = None
    violations: tuple[FieldViolation, ...] = ()
    quota_violations: tuple[QuotaViolation, ...] = ()
    retry_delay: float | None = None


def _decode_details(status: status_pb2.Status) -> _Details:
    details = _Details()
    violations: list[FieldViolation] = []
    quota: list[QuotaViolation] = []
    for any_detail in status.details:
        try:
            match any_detail.TypeName():
                case "google.rpc.ErrorInfo":
                    info = error_details_pb2.ErrorInfo()
                    any_detail.Unpack(info)
                    # The first passgate ErrorInfo is the one; a foreign one
                    # (from a proxy) is kept only while there is no other.
                    if details.info is None or (
                        details.info.domain != ERROR_DOMAIN and info.domain == ERROR_DOMAIN
                    ):
                        details.info = info
                case "google.rpc.BadRequest":
                    bad_request = error_details_pb2.BadRequest()
                    any_detail.Unpack(bad_request)
                    violations.extend(
                        FieldViolation(field=v.field, description=v.description, reason=v.reason)
                        for v in bad_request.field_violations
                    )
                case "google.rpc.QuotaFailure":
                    quota_failure = error_details_pb2.QuotaFailure()
                    any_detail.Unpack(quota_failure)
                    quota.extend(
                        QuotaViolation(subject=v.subject, description=v.description)
                        for v in quota_failure.violations
                    )
                case "google.rpc.RetryInfo":
                    retry_info = error_details_pb2.RetryInfo()
                    any_detail.Unpack(retry_info)
                    details.retry_delay = retry_info.retry_delay.ToTimedelta().total_seconds()
        except DecodeError:  # a damaged detail must not hide the error itself
            continue
    details.violations = tuple(violations)
    details.quota_violations = tuple(quota)
    return details


def _retry_after_trailer(trailers: Sequence[tuple[str, str | bytes]]) -> float | None:
    for key, value in trailers:
        if key != _RETRY_AFTER_TRAILER:
            continue
        text = value.decode("ascii", "replace") if isinstance(value, bytes) else value
        try:
            seconds = float(text)
        except ValueError:
            return None
        return seconds if math.isfinite(seconds) else None
    return None


def _as_call(error: object) -> grpc.Call | None:
    # Every RpcError a stub raises is also a grpc.Call that carries the
    # status; the type stubs cannot express the intersection.
    return error if isinstance(error, grpc.Call) else None


def _rich_status(call: grpc.Call) -> status_pb2.Status | None:
    try:
        status: status_pb2.Status | None = rpc_status.from_call(call)
    except (ValueError, DecodeError):  # code or message disagree with the trailer, or garbage
        return None
    return status


def from_rpc_error(error: grpc.RpcError) -> PassgateError:
    """The passgate.client exception for a failed gRPC call.

    This is the only place where answers become exceptions: `AuthClient` uses
    it for every call, and code that calls the generated stubs directly can
    use it too (`raise from_rpc_error(exc) from exc`).
    """
    call = _as_call(error)
    code = call.code() if call is not None else grpc.StatusCode.UNKNOWN
    message = (call.details() if call is not None else None) or ""
    trailers = tuple(call.trailing_metadata() or ()) if call is not None else ()
    status = _rich_status(call) if call is not None else None
    details = _decode_details(status) if status is not None else _Details()
    info = details.info
    if info is not None and info.domain != ERROR_DOMAIN:
        info = None  # a proxy's or another service's reason is not passgate's to classify
    retry_after = details.retry_delay
    if retry_after is None:
        retry_after = _retry_after_trailer(trailers)

    cls = _class_for_reason(info.reason) if info is not None else None
    if cls is None:
        cls = _CLASS_BY_CODE.get(code, PassgateError)
        if cls is RateLimited and retry_after is None:
            # gRPC's own RESOURCE_EXHAUSTED (a message over the size limit,
            # say) is no rate limit: waiting would not help.
            cls = PassgateError
    if issubclass(cls, InvalidArgument):
        found = {_class_for_reason(v.reason) for v in details.violations}
        cls = next((refined for refined in _REFINEMENTS if refined in found), cls)

    exc = cls(
        message,
        code=code,
        reason=info.reason if info is not None else "",
        error_id=(info.metadata.get("error_id") or None) if info is not None else None,
        metadata=info.metadata if info is not None else None,
        status=status,
    )
    if isinstance(exc, InvalidArgument):
        exc.violations = details.violations
    if isinstance(exc, RateLimited):
        exc.retry_after = max(0.0, _DEFAULT_RETRY_AFTER if retry_after is None else retry_after)
        exc.quota_violations = details.quota_violations
    return exc
