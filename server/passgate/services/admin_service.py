"""The AdminService servicer: protobuf in, domain calls, protobuf out.

Only keys with the `admin` scope reach it (see interceptors/api_key.py). Each
method is one call of `identity.administration.Administration`, which applies
the tenant rule over the same domain code the command line (cli.py) runs, so
the two cannot drift. Every method may wait for the disk or bcrypt, so each
runs on the offload threads. Methods not yet served answer UNIMPLEMENTED (the
generated base class).
"""

from __future__ import annotations

from collections.abc import Callable

from passgate.admin.v1 import admin_service_pb2 as pb
from passgate.admin.v1 import admin_service_pb2_grpc as pb_grpc
from passgate.auth.v1.error_reason_pb2 import ErrorReason
from passgate.errors import InvalidRequest, Violation, reason_name
from passgate.identity.administration import (
    Administration,
    NewKeyRequest,
    NewUserRequest,
    UserState,
    UserView,
)
from passgate.identity.records import ApiKeyRecord, TenantRecord
from passgate.identity.user_sessions import UserSessions
from passgate.interceptors.call import current_call
from passgate.interceptors.handlers import Context
from passgate.offload import Offload
from passgate.services.admin_events import AdminEvents
from passgate.services.admin_sessions import AdminSessions
from passgate.services.auth_service import reset_options, sign_in_identifier, timestamp

_STATES = {
    pb.USER_STATE_UNSPECIFIED: UserState.ANY,
    pb.USER_STATE_ENABLED: UserState.ENABLED,
    pb.USER_STATE_DISABLED: UserState.DISABLED,
}


def user_message(view: UserView) -> pb.User:
    user = view.summary
    return pb.User(
        user_id=user.id,
        tenant_id=user.tenant_id,
        email=user.email,
        username=user.username or "",
        search_keys=[
            pb.SearchKey(schema_name=name, value=value) for name, value in view.search_keys.items()
        ],
        disabled=user.disabled,
        created_at=timestamp(user.created_at),
        password_changed_at=timestamp(user.password_changed_at),
    )


def api_key_message(key: ApiKeyRecord) -> pb.ApiKey:
    message = pb.ApiKey(
        key_id=key.id,
        tenant_id=key.tenant_id,
        name=key.name,
        scopes=sorted(key.scopes or ()),
        rate="" if key.rate is None else str(key.rate),
        created_at=timestamp(key.created_at),
        client_cert_subject=key.client_cert_subject or "",
    )
    if key.revoked_at is not None:
        message.revoked_at.CopyFrom(timestamp(key.revoked_at))
    return message


def tenant_message(tenant: TenantRecord) -> pb.Tenant:
    return pb.Tenant(
        tenant_id=tenant.id,
        name=tenant.name,
        reset_urls=list(tenant.reset_urls),
        created_at=timestamp(tenant.created_at),
    )


def _search_keys(keys: list[pb.SearchKey]) -> dict[str, str]:
    found: dict[str, str] = {}
    for key in keys:
        if key.schema_name in found:
            raise InvalidRequest(
                [
                    Violation(
                        "search_keys",
                        reason_name(ErrorReason.FIELD_MALFORMED),
                        f"Give the search key {key.schema_name!r} once.",
                    )
                ]
            )
        found[key.schema_name] = key.value
    return found


class AdminService(AdminSessions, AdminEvents, pb_grpc.AdminServiceServicer):
    def __init__(
        self,
        administration: Administration,
        offload: Offload,
        on_mail_queued: Callable[[], None],
        *,
        user_sessions: UserSessions,
    ) -> None:
        super().__init__(user_sessions=user_sessions, offload=offload)
        self._admin = administration
        self._offload = offload
        self._on_mail_queued = on_mail_queued

    # --- users ---------------------------------------------------------------

    async def CreateUser(
        self, request: pb.CreateUserRequest, context: Context
    ) -> pb.CreateUserResponse:
        which = request.WhichOneof("credential")
        new = NewUserRequest(
            tenant_id=request.tenant_id,
            email=request.email,
            username=request.username or None,
            search_keys=_search_keys(list(request.search_keys)),
            password=request.password if which == "password" else None,
            password_hash=request.password_hash if which == "password_hash" else None,
        )
        view = await self._offload.run(self._admin.create_user, current_call.get().key, new)
        return pb.CreateUserResponse(user=user_message(view))

    async def GetUser(self, request: pb.GetUserRequest, context: Context) -> pb.GetUserResponse:
        view = await self._offload.run(
            self._admin.get_user, current_call.get().key, request.user_id
        )
        return pb.GetUserResponse(user=user_message(view))

    async def FindUser(self, request: pb.FindUserRequest, context: Context) -> pb.FindUserResponse:
        identifier, problems = sign_in_identifier(request)
        if problems:
            raise InvalidRequest(problems)
        assert identifier is not None
        view = await self._offload.run(
            self._admin.find_user, current_call.get().key, request.tenant_id, identifier
        )
        return pb.FindUserResponse(user=user_message(view))

    async def ListUsers(
        self, request: pb.ListUsersRequest, context: Context
    ) -> pb.ListUsersResponse:
        page = await self._offload.run(
            self._admin.list_users,
            current_call.get().key,
            request.tenant_id,
            _STATES.get(request.state, UserState.ANY),
            request.page_size,
            request.page_token,
        )
        return pb.ListUsersResponse(
            users=[user_message(view) for view in page.users],
            next_page_token=page.next_page_token,
        )

    async def DisableUser(
        self, request: pb.DisableUserRequest, context: Context
    ) -> pb.DisableUserResponse:
        view = await self._offload.run(
            self._admin.set_disabled, current_call.get().key, request.user_id, True
        )
        return pb.DisableUserResponse(user=user_message(view))

    async def EnableUser(
        self, request: pb.EnableUserRequest, context: Context
    ) -> pb.EnableUserResponse:
        view = await self._offload.run(
            self._admin.set_disabled, current_call.get().key, request.user_id, False
        )
        return pb.EnableUserResponse(user=user_message(view))

    async def SendResetEmail(
        self, request: pb.SendResetEmailRequest, context: Context
    ) -> pb.SendResetEmailResponse:
        reset_url, template, problems = reset_options(request)
        if problems:
            raise InvalidRequest(problems)
        await self._offload.run(
            self._admin.send_reset_email,
            current_call.get().key,
            request.user_id,
            reset_url,
            template,
        )
        self._on_mail_queued()
        return pb.SendResetEmailResponse()

    async def DeleteUser(
        self, request: pb.DeleteUserRequest, context: Context
    ) -> pb.DeleteUserResponse:
        await self._offload.run(self._admin.delete_user, current_call.get().key, request.user_id)
        return pb.DeleteUserResponse()

    # --- API keys ------------------------------------------------------------

    async def CreateApiKey(
        self, request: pb.CreateApiKeyRequest, context: Context
    ) -> pb.CreateApiKeyResponse:
        new = NewKeyRequest(
            tenant_id=request.tenant_id,
            name=request.name,
            scopes=list(request.scopes),
            rate=request.rate,
            client_cert_subject=request.client_cert_subject,
        )
        key, secret = await self._offload.run(
            self._admin.create_api_key, current_call.get().key, new
        )
        return pb.CreateApiKeyResponse(api_key=api_key_message(key), secret=secret)

    async def ListApiKeys(
        self, request: pb.ListApiKeysRequest, context: Context
    ) -> pb.ListApiKeysResponse:
        keys = await self._offload.run(
            self._admin.list_api_keys, current_call.get().key, request.tenant_id
        )
        return pb.ListApiKeysResponse(api_keys=[api_key_message(key) for key in keys])

    async def RevokeApiKey(
        self, request: pb.RevokeApiKeyRequest, context: Context
    ) -> pb.RevokeApiKeyResponse:
        await self._offload.run(self._admin.revoke_api_key, current_call.get().key, request.key_id)
        return pb.RevokeApiKeyResponse()

    async def RotateApiKey(
        self, request: pb.RotateApiKeyRequest, context: Context
    ) -> pb.RotateApiKeyResponse:
        overlap = request.overlap.seconds + request.overlap.nanos / 1e9
        rotated = await self._offload.run(
            self._admin.rotate_api_key, current_call.get().key, request.key_id, overlap
        )
        return pb.RotateApiKeyResponse(
            api_key=api_key_message(rotated.successor),
            secret=rotated.secret,
            previous=api_key_message(rotated.previous),
        )

    # --- tenants -------------------------------------------------------------

    async def CreateTenant(
        self, request: pb.CreateTenantRequest, context: Context
    ) -> pb.CreateTenantResponse:
        tenant = await self._offload.run(
            self._admin.create_tenant, current_call.get().key, request.tenant_id, request.name
        )
        return pb.CreateTenantResponse(tenant=tenant_message(tenant))

    async def ListTenants(
        self, request: pb.ListTenantsRequest, context: Context
    ) -> pb.ListTenantsResponse:
        tenants = await self._offload.run(self._admin.list_tenants, current_call.get().key)
        return pb.ListTenantsResponse(tenants=[tenant_message(t) for t in tenants])

    async def AllowResetUrl(
        self, request: pb.AllowResetUrlRequest, context: Context
    ) -> pb.AllowResetUrlResponse:
        tenant = await self._offload.run(
            self._admin.allow_reset_url,
            current_call.get().key,
            request.tenant_id,
            request.reset_url,
        )
        return pb.AllowResetUrlResponse(tenant=tenant_message(tenant))

    async def DisallowResetUrl(
        self, request: pb.DisallowResetUrlRequest, context: Context
    ) -> pb.DisallowResetUrlResponse:
        tenant = await self._offload.run(
            self._admin.disallow_reset_url,
            current_call.get().key,
            request.tenant_id,
            request.reset_url,
        )
        return pb.DisallowResetUrlResponse(tenant=tenant_message(tenant))
