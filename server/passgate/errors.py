"""The domain's error tree: every refusal passgate gives, as one exception type each.

Services and interceptors raise these; `passgate.status` turns each into a
`google.rpc.Status` with its details. Reasons are value names of the
`passgate.auth.v1.ErrorReason` enum, so the catalogue lives in the API.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import grpc

from passgate.auth.v1.error_reason_pb2 import ErrorReason


def reason_name(value: ErrorReason.ValueType) -> str:
    """The wire string of an `ErrorReason` value (its enum value name)."""
    return ErrorReason.Name(value)


@dataclass(frozen=True)
class Violation:
    """One broken rule of one request field (a `BadRequest.FieldViolation`)."""

    field: str
    reason: str
    description: str


class PassgateError(Exception):
    """A refusal with a fixed status code and `ErrorInfo` reason."""

    code: grpc.StatusCode = grpc.StatusCode.INTERNAL
    reason: str = reason_name(ErrorReason.INTERNAL_ERROR)
    message: str = "internal error"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        if message is not None:
            self.message = message


class ApiKeyInvalid(PassgateError):
    code = grpc.StatusCode.UNAUTHENTICATED
    reason = reason_name(ErrorReason.API_KEY_INVALID)
    message = "API key missing, unknown or revoked: send a valid key as x-api-key"


class ApiKeyScope(PassgateError):
    code = grpc.StatusCode.PERMISSION_DENIED
    reason = reason_name(ErrorReason.API_KEY_SCOPE)
    message = "this API key may not call this method"


class ClientCertificateMismatch(PassgateError):
    """A key bound to a client certificate, used without that certificate. The
    message says what is missing, never the subject the key is bound to."""

    code = grpc.StatusCode.UNAUTHENTICATED
    reason = reason_name(ErrorReason.CLIENT_CERTIFICATE_MISMATCH)

    def __init__(self, *, presented: bool) -> None:
        super().__init__(
            "this API key is bound to another client certificate than the one presented: "
            "use the certificate it was made for, or a key made for this one"
            if presented
            else "this API key is bound to a client certificate and the call came without "
            "one: call over mutual TLS with the certificate it was made for"
        )


class InvalidCredentials(PassgateError):
    code = grpc.StatusCode.UNAUTHENTICATED
    reason = reason_name(ErrorReason.INVALID_CREDENTIALS)
    message = "invalid credentials"


class SessionInvalid(PassgateError):
    code = grpc.StatusCode.UNAUTHENTICATED
    reason = reason_name(ErrorReason.SESSION_INVALID)
    message = "session missing, expired or revoked: send authorization: Bearer <session_token>"


class InvalidRequest(PassgateError):
    """Bad input: carries every broken rule at once."""

    code = grpc.StatusCode.INVALID_ARGUMENT
    reason = reason_name(ErrorReason.INVALID_REQUEST)
    message = "invalid request"

    def __init__(self, violations: Sequence[Violation], message: str | None = None) -> None:
        if not violations:
            raise ValueError("InvalidRequest needs at least one violation")
        self.violations = tuple(violations)
        super().__init__(message or "; ".join(f"{v.field}: {v.description}" for v in violations))


class ResetTokenInvalid(InvalidRequest):
    """Unknown, used, expired and foreign tokens are one indistinguishable case."""

    reason = reason_name(ErrorReason.RESET_TOKEN_INVALID)

    def __init__(self) -> None:
        super().__init__(
            [
                Violation(
                    field="token",
                    reason=self.reason,
                    description="The token is invalid or has expired: request a new reset e-mail.",
                )
            ],
            message="reset token invalid",
        )


class CursorInvalid(InvalidRequest):
    """A page token or event id passgate did not give out (or a page token
    given for another listing)."""

    reason = reason_name(ErrorReason.CURSOR_INVALID)

    def __init__(
        self,
        field: str = "page_token",
        description: str = "Pass the next_page_token of the previous page, with the same filters.",
    ) -> None:
        super().__init__(
            [Violation(field=field, reason=self.reason, description=description)],
            message=f"{field}: {description}",
        )


class RequestNotReceived(InvalidRequest):
    """The call's request message did not arrive within the server's bound
    (`--request-timeout`): the call is ended rather than left to hold the server."""

    code = grpc.StatusCode.DEADLINE_EXCEEDED

    def __init__(self, timeout: float) -> None:
        super().__init__(
            [
                Violation(
                    field="request",
                    reason=reason_name(ErrorReason.FIELD_REQUIRED),
                    description=f"The request message did not arrive within {timeout:g} s.",
                )
            ],
            message="request message not received in time",
        )


class RateLimited(PassgateError):
    """A budget or throttle says wait; `retry_after` is the honest delay in seconds."""

    code = grpc.StatusCode.RESOURCE_EXHAUSTED
    reason = reason_name(ErrorReason.RATE_LIMITED)
    message = "too many requests"

    def __init__(self, retry_after: float, subject: str, description: str) -> None:
        self.retry_after = max(0.0, retry_after)
        self.subject = subject
        self.description = description
        super().__init__(f"too many requests: retry in {self.retry_after:.1f} s")

    @property
    def limit(self) -> str:
        """The kind of limit that refused (`key`, `ip`, `sign-in attempts`, …),
        without the key or address it was charged to."""
        return self.subject.partition(":")[0]


class MethodNotFound(PassgateError):
    code = grpc.StatusCode.UNIMPLEMENTED
    reason = reason_name(ErrorReason.METHOD_NOT_FOUND)
    message = "passgate has no such method"


class ServiceUnavailable(PassgateError):
    """Something passgate depends on cannot be used right now; the call changed
    nothing and may be retried after `retry_after` seconds."""

    code = grpc.StatusCode.UNAVAILABLE
    reason = reason_name(ErrorReason.SERVICE_UNAVAILABLE)
    message = "service unavailable, retry later"
    retry_after = 1.0


class NotFound(PassgateError):
    """A user, API key, tenant or session the caller named does not exist, or is
    out of the calling key's reach: the two answer alike, so a key learns nothing
    of other tenants. Carries a `google.rpc.ResourceInfo` naming what was asked for."""

    code = grpc.StatusCode.NOT_FOUND
    resource_type = ""
    message = ""  # a fixed one of the kind's, or else one naming what was asked for

    SHOWN_NAME = 128
    """The most of the asked-for name echoed back: a longer one (up to the message limit)
    would make the status itself too big for the trailers that carry it."""

    def __init__(self, name: str) -> None:
        if len(name) > self.SHOWN_NAME:
            name = name[: self.SHOWN_NAME] + "…"
        self.resource_name = name
        super().__init__(self.message or f"no {self.resource_type.replace('_', ' ')} {name!r}")


class UserNotFound(NotFound):
    reason = reason_name(ErrorReason.USER_NOT_FOUND)
    resource_type = "user"


class SessionNotFound(NotFound):
    reason = reason_name(ErrorReason.SESSION_NOT_FOUND)
    message = "no live session of this user has this id: list the sessions for their ids"
    resource_type = "session"


class ApiKeyNotFound(NotFound):
    reason = reason_name(ErrorReason.API_KEY_NOT_FOUND)
    resource_type = "api_key"


class TenantNotFound(NotFound):
    reason = reason_name(ErrorReason.TENANT_NOT_FOUND)
    resource_type = "tenant"


class TenantExists(PassgateError):
    code = grpc.StatusCode.ALREADY_EXISTS
    reason = reason_name(ErrorReason.TENANT_EXISTS)

    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        super().__init__(f"tenant {tenant_id!r} exists already")


class PasswordHashUnsupported(InvalidRequest):
    """An imported hash passgate cannot take over: unknown, malformed, or too costly."""

    reason = reason_name(ErrorReason.PASSWORD_HASH_UNSUPPORTED)

    def __init__(self, why: str, field: str = "password_hash") -> None:
        super().__init__([Violation(field, self.reason, why)], message=why)
