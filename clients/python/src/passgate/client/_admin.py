"""AdminClient: AdminService's user and session calls as typed Python methods.

The other AdminService calls (API keys, tenants, events) are reached through
the generated stub in `passgate.admin.v1`; `from_rpc_error` turns what it
raises into the same exceptions.
"""

from __future__ import annotations

import grpc

from passgate.admin.v1 import admin_service_pb2 as pb
from passgate.admin.v1.admin_service_pb2_grpc import AdminServiceStub
from passgate.client._connection import Connection
from passgate.client._models import User, UserSession, _utc
from passgate.client._retry import RetryPolicy


class AdminClient(Connection):
    """A connection to passgate's AdminService that calls it with one API key.

    The key needs the `admin` scope; without it every call raises
    `ApiKeyScope`. An admin key acts in its own tenant, a key of the
    `default` tenant in any. Channel, timeout and retry work as AuthClient's.
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
        self._stub = AdminServiceStub(self._channel)

    def create_user(
        self,
        *,
        email: str,
        password: str,
        username: str | None = None,
        tenant_id: str | None = None,
    ) -> User:
        """Create a user with a first password, checked against the password policy.

        `tenant_id` defaults to the key's own tenant. A password that breaks
        the policy raises `PasswordPolicyViolation` with every broken rule; an
        e-mail address or username already taken raises `InvalidArgument`.
        """
        request = pb.CreateUserRequest(email=email, password=password)
        if username is not None:
            request.username = username
        if tenant_id is not None:
            request.tenant_id = tenant_id
        user = self._call(self._stub.CreateUser, request).user
        return User(
            user_id=user.user_id,
            tenant_id=user.tenant_id,
            email=user.email,
            username=user.username,
            disabled=user.disabled,
            created_at=_utc(user.created_at),
        )

    def list_user_sessions(self, user_id: str) -> list[UserSession]:
        """The user's live sessions, newest first; an unknown user raises `UserNotFound`."""
        request = pb.ListUserSessionsRequest(user_id=user_id)
        return [
            UserSession(
                session_id=session.session_id,
                user_id=session.user_id,
                created_at=_utc(session.created_at),
                last_used_at=_utc(session.last_used_at),
                expires_at=_utc(session.expires_at),
                peer=session.peer,
            )
            for session in self._call(self._stub.ListUserSessions, request).sessions
        ]

    def revoke_user_session(self, user_id: str, session_id: str) -> None:
        """End one session of the user at once; one that is not theirs raises `SessionNotFound`."""
        request = pb.RevokeUserSessionRequest(user_id=user_id, session_id=session_id)
        self._call(self._stub.RevokeUserSession, request)

    def revoke_all_user_sessions(self, user_id: str) -> int:
        """End every session of the user at once; how many were live."""
        request = pb.RevokeAllUserSessionsRequest(user_id=user_id)
        return self._call(self._stub.RevokeAllUserSessions, request).revoked_count
