"""AuthClient: passgate's AuthService as typed Python methods that raise typed errors."""

from __future__ import annotations

from typing import overload

import grpc

from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.auth.v1.auth_service_pb2_grpc import AuthServiceStub
from passgate.client._connection import Connection
from passgate.client._models import RenewedSession, Session, SessionInfo, _utc
from passgate.client._retry import RetryPolicy


class AuthClient(Connection):
    """A connection to passgate's AuthService that calls it with one API key.

    Use it as a context manager, or call `close()` when done. One client may
    be shared by many threads. Without `channel_credentials` the channel is
    plaintext, which suits loopback and meshes that encrypt for you; pass
    `tls_credentials(...)` (or any `grpc.ssl_channel_credentials`) to speak
    TLS or mutual TLS. `timeout` bounds each
    attempt in seconds; `retry` makes calls refused with RESOURCE_EXHAUSTED
    or UNAVAILABLE try again by themselves (see `RetryPolicy`).

    Every method raises a `PassgateError` subclass when passgate refuses the
    call, and `TypeError` when its arguments cannot form a request at all.
    """

    def __init__(
        self,
        target: str,
        api_key: str,
        *,
        channel_credentials: grpc.ChannelCredentials | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        super().__init__(
            target,
            api_key,
            channel_credentials=channel_credentials,
            timeout=timeout,
            retry=retry,
        )
        self._stub = AuthServiceStub(self._channel)

    @overload
    def sign_in(self, *, email: str, password: str) -> Session: ...
    @overload
    def sign_in(self, *, username: str, password: str) -> Session: ...
    @overload
    def sign_in(self, *, search_key: tuple[str, str], password: str) -> Session: ...

    def sign_in(
        self,
        *,
        email: str | None = None,
        username: str | None = None,
        search_key: tuple[str, str] | None = None,
        password: str,
    ) -> Session:
        """Check a password and open a session for the user named by exactly one identifier.

        `search_key` is `(schema_name, value)`: any other unique field of the
        user. A wrong identifier or password raises `InvalidCredentials`,
        whichever of the two was wrong.
        """
        match email, username, search_key:
            case str(), None, None:
                request = pb.SignInRequest(email=email, password=password)
            case None, str(), None:
                request = pb.SignInRequest(username=username, password=password)
            case None, None, (str() as schema_name, str() as value):
                key = pb.SearchKey(schema_name=schema_name, value=value)
                request = pb.SignInRequest(search_key=key, password=password)
            case _:
                raise TypeError("give exactly one of email, username, search_key=(schema, value)")
        response = self._call(self._stub.SignIn, request)
        return Session(
            token=response.session_token,
            user_id=response.user_id,
            expires_at=_utc(response.expires_at),
        )

    def change_password(
        self,
        session_token: str,
        *,
        old_password: str,
        new_password: str,
        confirm_password: str,
    ) -> RenewedSession:
        """Replace the session user's password; returns the one session that stays valid.

        Every other session of the user, `session_token` included, is revoked.
        A wrong `old_password` raises `InvalidCredentials`; a new password that
        breaks the policy, or a `confirm_password` that differs, raises
        `PasswordPolicyViolation` with every broken rule.
        """
        request = pb.ChangePasswordRequest(
            old_password=old_password,
            new_password=new_password,
            confirm_password=confirm_password,
        )
        response = self._call(self._stub.ChangePassword, request, session_token=session_token)
        return RenewedSession(token=response.session_token, expires_at=_utc(response.expires_at))

    @overload
    def request_reset(
        self, *, email: str, reset_url: str | None = None, email_template: str | None = None
    ) -> None: ...
    @overload
    def request_reset(
        self, *, username: str, reset_url: str | None = None, email_template: str | None = None
    ) -> None: ...

    def request_reset(
        self,
        *,
        email: str | None = None,
        username: str | None = None,
        reset_url: str | None = None,
        email_template: str | None = None,
    ) -> None:
        """Have passgate e-mail the user a password-reset link.

        The answer is the same whether or not the user exists; the e-mail
        leaves shortly afterwards. `reset_url` is used only when it is on the
        tenant's allow-list.
        """
        match email, username:
            case str(), None:
                request = pb.RequestResetRequest(email=email)
            case None, str():
                request = pb.RequestResetRequest(username=username)
            case _:
                raise TypeError("give exactly one of email, username")
        if reset_url is not None:
            request.reset_url = reset_url
        if email_template is not None:
            request.email_template = email_template
        self._call(self._stub.RequestReset, request)

    def submit_reset(self, *, user_id: str, token: str, new_password: str) -> None:
        """Set a new password with the user id and token from a reset link.

        No session is issued and every session of the user is revoked: sign
        in with the new password. A bad token raises `ResetTokenInvalid`; a
        refused new password raises `PasswordPolicyViolation` and leaves the
        token usable.
        """
        request = pb.SubmitResetRequest(user_id=user_id, token=token, new_password=new_password)
        self._call(self._stub.SubmitReset, request)

    def sign_out(self, session_token: str) -> None:
        """Revoke the session."""
        self._call(self._stub.SignOut, pb.SignOutRequest(), session_token=session_token)

    def verify_session(self, session_token: str) -> SessionInfo:
        """Whose session `session_token` is; raises `SessionInvalid` when it is not valid."""
        request = pb.VerifySessionRequest(session_token=session_token)
        response = self._call(self._stub.VerifySession, request)
        return SessionInfo(user_id=response.user_id, expires_at=_utc(response.expires_at))
