"""AdminService's session methods: a user's live sessions, ending one, ending
all. AdminService (services/admin_service.py) gets them by inheritance.

The gate lets only admin keys through; a user outside the tenants the key may
administer answers NOT_FOUND as a user that does not exist does."""

from __future__ import annotations

from typing import Any

from passgate.admin.v1 import admin_service_pb2 as pb
from passgate.admin.v1 import admin_service_pb2_grpc as pb_grpc
from passgate.identity import fields
from passgate.identity.records import SessionSummary
from passgate.identity.user_sessions import UserSessions
from passgate.interceptors.call import current_call
from passgate.interceptors.handlers import Context
from passgate.offload import Offload
from passgate.services.auth_service import reject_if, timestamp


class AdminSessions(pb_grpc.AdminServiceServicer):
    def __init__(self, *, user_sessions: UserSessions, offload: Offload, **others: Any) -> None:
        """Keyword arguments only: AdminService's other bases take theirs beside these."""
        super().__init__(**others)
        self._user_sessions = user_sessions
        self._sessions_offload = offload

    async def ListUserSessions(
        self, request: pb.ListUserSessionsRequest, context: Context
    ) -> pb.ListUserSessionsResponse:
        reject_if(fields.required("user_id", request.user_id))
        sessions = await self._sessions_offload.run(
            self._user_sessions.of_user, current_call.get().key, request.user_id
        )
        return pb.ListUserSessionsResponse(sessions=[_session(s) for s in sessions])

    async def RevokeUserSession(
        self, request: pb.RevokeUserSessionRequest, context: Context
    ) -> pb.RevokeUserSessionResponse:
        reject_if(
            fields.required("user_id", request.user_id)
            + fields.required("session_id", request.session_id)
        )
        await self._sessions_offload.run(
            self._user_sessions.revoke_of_user,
            current_call.get().key,
            request.user_id,
            request.session_id,
        )
        return pb.RevokeUserSessionResponse()

    async def RevokeAllUserSessions(
        self, request: pb.RevokeAllUserSessionsRequest, context: Context
    ) -> pb.RevokeAllUserSessionsResponse:
        reject_if(fields.required("user_id", request.user_id))
        revoked = await self._sessions_offload.run(
            self._user_sessions.revoke_all_of_user, current_call.get().key, request.user_id
        )
        return pb.RevokeAllUserSessionsResponse(revoked_count=revoked)


def _session(session: SessionSummary) -> pb.Session:
    return pb.Session(
        session_id=session.public_id,
        user_id=session.user_id,
        created_at=timestamp(session.created_at),
        last_used_at=timestamp(session.last_used_at),
        expires_at=timestamp(session.expires_at),
        peer=session.peer,
    )
