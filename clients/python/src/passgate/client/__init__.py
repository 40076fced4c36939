"""A typed Python client for passgate, the gRPC password-authentication service.

    from passgate.client import AuthClient

    with AuthClient("127.0.0.1:50051", api_key) as client:
        session = client.sign_in(email="ada@example.com", password=password)

`AdminClient` makes AdminService's user and session calls with a key that
has the admin scope. Everything public is listed in `__all__`; the
underscored modules are private. The generated messages and stubs live in
`passgate.auth.v1` and `passgate.admin.v1`.
"""

from passgate.client._admin import AdminClient
from passgate.client._client import AuthClient
from passgate.client._errors import (
    ERROR_DOMAIN,
    AlreadyExists,
    ApiKeyInvalid,
    ApiKeyNotFound,
    ApiKeyScope,
    ClientCertificateMismatch,
    DeadlineExceeded,
    FieldViolation,
    InternalError,
    InvalidArgument,
    InvalidCredentials,
    MethodNotFound,
    NotFound,
    PassgateError,
    PasswordPolicyViolation,
    PermissionDenied,
    QuotaViolation,
    RateLimited,
    ResetTokenInvalid,
    SessionInvalid,
    SessionNotFound,
    TenantExists,
    TenantNotFound,
    Unauthenticated,
    Unavailable,
    UserNotFound,
    from_rpc_error,
)
from passgate.client._models import (
    RenewedSession,
    ResetLink,
    Session,
    SessionInfo,
    User,
    UserSession,
)
from passgate.client._retry import RetryPolicy
from passgate.client._tls import tls_credentials
from passgate.client._webhooks import WebhookVerificationError, verify_webhook

__all__ = [
    "ERROR_DOMAIN",
    "AdminClient",
    "AlreadyExists",
    "ApiKeyInvalid",
    "ApiKeyNotFound",
    "ApiKeyScope",
    "AuthClient",
    "ClientCertificateMismatch",
    "DeadlineExceeded",
    "FieldViolation",
    "InternalError",
    "InvalidArgument",
    "InvalidCredentials",
    "MethodNotFound",
    "NotFound",
    "PassgateError",
    "PasswordPolicyViolation",
    "PermissionDenied",
    "QuotaViolation",
    "RateLimited",
    "RenewedSession",
    "ResetLink",
    "ResetTokenInvalid",
    "RetryPolicy",
    "Session",
    "SessionInfo",
    "SessionInvalid",
    "SessionNotFound",
    "TenantExists",
    "TenantNotFound",
    "Unauthenticated",
    "Unavailable",
    "User",
    "UserNotFound",
    "UserSession",
    "WebhookVerificationError",
    "from_rpc_error",
    "tls_credentials",
    "verify_webhook",
]

# Public objects say they come from here, not from the private module that
# defines them: reprs, tracebacks and documentation show the supported path.
for _name in __all__:
    _member = globals()[_name]
    if hasattr(_member, "__module__") and not isinstance(_member, str):
        _member.__module__ = __name__
del _name, _member
