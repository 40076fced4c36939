"""The AuthService servicer: protobuf in, domain calls, protobuf out. Nothing else.

VerifySession, the call backends make on every request, runs on the event
loop (a session read once is answered from memory); the others may wait for
bcrypt or the disk and run on the offload threads.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from google.protobuf.timestamp_pb2 import Timestamp

from passgate.admin.v1 import admin_service_pb2 as admin_pb
from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.auth.v1 import auth_service_pb2_grpc as pb_grpc
from passgate.auth.v1.error_reason_pb2 import ErrorReason
from passgate.errors import InvalidRequest, SessionInvalid, Violation, reason_name
from passgate.identity import fields
from passgate.identity.accounts import Accounts
from passgate.identity.identifiers import Identifier, IdentifierKind
from passgate.identity.records import SessionSummary
from passgate.identity.user_sessions import UserSessions
from passgate.interceptors.call import current_call
from passgate.interceptors.handlers import Context, metadata_values
from passgate.offload import Offload

AUTHORIZATION = "authorization"
_BEARER = "bearer "


def timestamp(seconds: float) -> Timestamp:
    whole = int(seconds)
    return Timestamp(seconds=whole, nanos=int((seconds - whole) * 1e9))


def session_from_metadata(context: Context) -> str:
    """The token of `authorization: Bearer <token>`, or SessionInvalid."""
    for value in metadata_values(context, AUTHORIZATION):
        if value[: len(_BEARER)].lower() == _BEARER:
            return value[len(_BEARER) :].strip()
    raise SessionInvalid()


def _identifier_required(choices: str) -> Violation:
    return Violation(
        "identifier", reason_name(ErrorReason.FIELD_REQUIRED), f"Give exactly one of {choices}."
    )


# VerifySession reads the token from its request, not from metadata like the others.
VERIFY_SESSION_INVALID = (
    "session_token unknown, expired or revoked (VerifySession takes it in the request body)"
)


def sign_in_identifier(
    request: pb.SignInRequest | admin_pb.FindUserRequest,
) -> tuple[Identifier | None, list[Violation]]:
    which = request.WhichOneof("identifier")
    if which == "email":
        return Identifier(IdentifierKind.EMAIL, request.email), fields.email("email", request.email)
    if which == "username":
        return Identifier(IdentifierKind.USERNAME, request.username), fields.username(
            "username", request.username
        )
    if which == "search_key":
        key = request.search_key
        problems = fields.schema_name("search_key.schema_name", key.schema_name)
        problems += fields.bounded_text("search_key.value", key.value, fields.MAX_SEARCH_VALUE)
        return Identifier(IdentifierKind.SEARCH_KEY, key.value, key.schema_name), problems
    return None, [_identifier_required("email, username or search_key")]


def reset_identifier(request: pb.RequestResetRequest) -> tuple[Identifier | None, list[Violation]]:
    which = request.WhichOneof("identifier")
    if which == "email":
        return Identifier(IdentifierKind.EMAIL, request.email), fields.email("email", request.email)
    if which == "username":
        return Identifier(IdentifierKind.USERNAME, request.username), fields.username(
            "username", request.username
        )
    return None, [_identifier_required("email or username")]


def reset_options(
    request: pb.RequestResetRequest | admin_pb.SendResetEmailRequest,
) -> tuple[str | None, str | None, list[Violation]]:
    """A reset e-mail's link base and template as asked for, and what is wrong
    with them: a too-long URL is refused; an unknown template name means the
    default one. Whether the URL is allowed is the tenant's to say, later."""
    reset_url = request.reset_url if request.HasField("reset_url") else None
    problems: list[Violation] = []
    if reset_url is not None and len(reset_url) > fields.MAX_RESET_URL:
        problems = fields.bounded_text("reset_url", reset_url, fields.MAX_RESET_URL)
    template = request.email_template if request.HasField("email_template") else None
    if template is not None and not fields.TEMPLATE_NAME.match(template):
        template = None
    return reset_url, template, problems


def reject_if(problems: list[Violation]) -> None:
    if problems:
        raise InvalidRequest(problems)


class AuthService(pb_grpc.AuthServiceServicer):
    def __init__(
        self,
        accounts: Accounts,
        user_sessions: UserSessions,
        offload: Offload,
        on_mail_queued: Callable[[], None],
    ) -> None:
        self._accounts = accounts
        self._user_sessions = user_sessions
        self._offload = offload
        self._on_mail_queued = on_mail_queued

    async def SignIn(self, request: pb.SignInRequest, context: Context) -> pb.SignInResponse:
        identifier, problems = sign_in_identifier(request)
        problems += fields.required("password", request.password)
        reject_if(problems)
        assert identifier is not None
        call = current_call.get()
        signed_in = await self._offload.run(
            self._accounts.sign_in,
            call.tenant_id,
            identifier,
            request.password,
            call.client_address,
        )
        return pb.SignInResponse(
            session_token=signed_in.session.token,
            user_id=signed_in.user_id,
            expires_at=timestamp(signed_in.session.expires_at),
        )

    async def ChangePassword(
        self, request: pb.ChangePasswordRequest, context: Context
    ) -> pb.ChangePasswordResponse:
        call = current_call.get()
        session = await self._offload.run(
            self._accounts.change_password,
            call.tenant_id,
            session_from_metadata(context),
            request.old_password,
            request.new_password,
            request.confirm_password,
            peer=call.client_address,
        )
        return pb.ChangePasswordResponse(
            session_token=session.token, expires_at=timestamp(session.expires_at)
        )

    async def RequestReset(
        self, request: pb.RequestResetRequest, context: Context
    ) -> pb.RequestResetResponse:
        identifier, problems = reset_identifier(request)
        reset_url, template, option_problems = reset_options(request)
        reject_if(problems + option_problems)
        assert identifier is not None
        await self._offload.run(
            self._accounts.request_reset,
            current_call.get().tenant_id,
            identifier,
            reset_url,
            template,
            prevent_webhook=request.prevent_webhook,
        )
        self._on_mail_queued()
        return pb.RequestResetResponse()

    async def SubmitReset(
        self, request: pb.SubmitResetRequest, context: Context
    ) -> pb.SubmitResetResponse:
        await self._offload.run(
            self._accounts.submit_reset,
            current_call.get().tenant_id,
            request.user_id,
            request.token,
            request.new_password,
        )
        return pb.SubmitResetResponse()

    async def SignOut(self, request: pb.SignOutRequest, context: Context) -> pb.SignOutResponse:
        await self._offload.run(
            self._accounts.sign_out, current_call.get().tenant_id, session_from_metadata(context)
        )
        return pb.SignOutResponse()

    async def VerifySession(
        self, request: pb.VerifySessionRequest, context: Context
    ) -> pb.VerifySessionResponse:
        try:
            session = self._accounts.verify_session(
                current_call.get().tenant_id, request.session_token
            )
        except SessionInvalid:
            raise SessionInvalid(VERIFY_SESSION_INVALID) from None
        return _verify_response(session.user_id, session.expires_at)

    async def ListSessions(
        self, request: pb.ListSessionsRequest, context: Context
    ) -> pb.ListSessionsResponse:
        current, sessions = await self._offload.run(
            self._user_sessions.own, current_call.get().tenant_id, session_from_metadata(context)
        )
        return pb.ListSessionsResponse(sessions=[_session(s, current) for s in sessions])

    async def RevokeSession(
        self, request: pb.RevokeSessionRequest, context: Context
    ) -> pb.RevokeSessionResponse:
        reject_if(fields.required("session_id", request.session_id))
        await self._offload.run(
            self._user_sessions.revoke_own,
            current_call.get().tenant_id,
            session_from_metadata(context),
            request.session_id,
        )
        return pb.RevokeSessionResponse()

    async def SignOutEverywhere(
        self, request: pb.SignOutEverywhereRequest, context: Context
    ) -> pb.SignOutEverywhereResponse:
        revoked = await self._offload.run(
            self._user_sessions.sign_out_everywhere,
            current_call.get().tenant_id,
            session_from_metadata(context),
            request.keep_current,
        )
        return pb.SignOutEverywhereResponse(revoked_count=revoked)


def _session(session: SessionSummary, current: int) -> pb.Session:
    return pb.Session(
        session_id=session.public_id,
        created_at=timestamp(session.created_at),
        last_used_at=timestamp(session.last_used_at),
        expires_at=timestamp(session.expires_at),
        peer=session.peer,
        current=session.id == current,
    )


@lru_cache(maxsize=4096)
def _verify_response(user_id: str, expires_at: float) -> pb.VerifySessionResponse:
    """Made once per live session: grpcio only ever serializes the message."""
    return pb.VerifySessionResponse(user_id=user_id, expires_at=timestamp(expires_at))
