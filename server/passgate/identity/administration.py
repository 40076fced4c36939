"""What an admin API key may do to users, API keys and tenants: one method per
operation, each one domain call over `Users`, `ApiKeys`, `Tenants` and
`Accounts` (the same code the command line runs), plus the tenant rule.

The tenant rule: a key acts in its own tenant, a key of the `default` tenant
in any (`ApiKeyRecord.may_administer`). A user, key or tenant out of the
caller's reach is answered exactly as one that does not exist (NOT_FOUND), so
a key learns nothing about other tenants. An empty tenant id means the
caller's own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum

from passgate.errors import (
    ApiKeyNotFound,
    ApiKeyScope,
    CursorInvalid,
    InvalidRequest,
    TenantNotFound,
    UserNotFound,
)
from passgate.identity import fields
from passgate.identity.accounts import Accounts
from passgate.identity.apikeys import ApiKeys, Rotated, key_terms, overlap_problem
from passgate.identity.hashing import HashPool
from passgate.identity.identifiers import Identifier
from passgate.identity.policy import PasswordPolicy
from passgate.identity.records import ApiKeyRecord, TenantRecord, UserRecord, UserSummary
from passgate.identity.tenants import Tenants
from passgate.identity.users import Users
from passgate.sealing import InvalidToken, Sealer

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


class UserState(Enum):
    """Which users a listing shows."""

    ANY = None
    ENABLED = False
    DISABLED = True


@dataclass(frozen=True)
class UserView:
    """What an admin sees of a user: never the hash."""

    summary: UserSummary
    search_keys: dict[str, str]


@dataclass(frozen=True)
class UserPage:
    users: list[UserView]
    next_page_token: str  # empty on the last page


@dataclass(frozen=True)
class NewUserRequest:
    tenant_id: str
    email: str
    username: str | None
    search_keys: dict[str, str]
    password: str | None
    password_hash: str | None


@dataclass(frozen=True)
class NewKeyRequest:
    tenant_id: str
    name: str
    scopes: list[str]
    rate: str
    client_cert_subject: str


class Administration:
    def __init__(
        self,
        *,
        users: Users,
        api_keys: ApiKeys,
        tenants: Tenants,
        accounts: Accounts,
        hashes: HashPool,
        policy: PasswordPolicy,
        sealer: Sealer,
    ) -> None:
        self._users = users
        self._api_keys = api_keys
        self._tenants = tenants
        self._accounts = accounts
        self._hashes = hashes
        self._policy = policy
        self._sealer = sealer

    # --- the tenant rule -----------------------------------------------------

    def _tenant(self, caller: ApiKeyRecord, tenant_id: str) -> TenantRecord:
        """The tenant named (empty: the caller's own), if it exists and is in reach."""
        wanted = tenant_id or caller.tenant_id
        tenant = self._tenants.get(wanted) if caller.may_administer(wanted) else None
        if tenant is None:
            raise TenantNotFound(wanted)
        return tenant

    def _user(self, caller: ApiKeyRecord, user_id: str) -> UserRecord:
        user = self._users.get(user_id) if fields.possible_id(user_id) else None
        if user is None or not caller.may_administer(user.tenant_id):
            raise UserNotFound(user_id)
        return user

    def _key(self, caller: ApiKeyRecord, key_id: str) -> ApiKeyRecord:
        key = self._api_keys.get(key_id) if fields.possible_id(key_id) else None
        if key is None or not caller.may_administer(key.tenant_id):
            raise ApiKeyNotFound(key_id)
        return key

    def _view(self, user_id: str) -> UserView:
        summary = self._users.summary(user_id)
        if summary is None:  # erased meanwhile
            raise UserNotFound(user_id)
        return UserView(summary, self._users.search_keys_of([user_id])[user_id])

    # --- users ---------------------------------------------------------------

    def create_user(self, caller: ApiKeyRecord, request: NewUserRequest) -> UserView:
        tenant = self._tenant(caller, request.tenant_id)
        user_id = self._users.register(
            tenant.id,
            request.email,
            password=request.password,
            password_hash=request.password_hash,
            username=request.username,
            search_keys=request.search_keys,
            policy=self._policy,
            hash_password=self._hashes.hash,
            import_problem=self._hashes.hasher.import_problem,
        )
        return self._view(user_id)

    def get_user(self, caller: ApiKeyRecord, user_id: str) -> UserView:
        return self._view(self._user(caller, user_id).id)

    def find_user(self, caller: ApiKeyRecord, tenant_id: str, identifier: Identifier) -> UserView:
        tenant = self._tenant(caller, tenant_id)
        user = self._users.find(tenant.id, identifier)
        if user is None:
            raise UserNotFound(identifier.value)
        return self._view(user.id)

    def list_users(
        self,
        caller: ApiKeyRecord,
        tenant_id: str,
        state: UserState,
        page_size: int,
        page_token: str,
    ) -> UserPage:
        """One page, oldest first. The page token is sealed with the server's key:
        one passgate did not give out, or one given for other filters, is refused."""
        if not 0 <= page_size <= MAX_PAGE_SIZE:
            raise InvalidRequest(
                [
                    fields.malformed(
                        "page_size", f"Ask for 1 to {MAX_PAGE_SIZE} users (0 means 100)."
                    )
                ]
            )
        tenant = self._tenant(caller, tenant_id)
        size = page_size or DEFAULT_PAGE_SIZE
        after = self._cursor(page_token, tenant.id, state) if page_token else None
        page = self._users.page_by_age(tenant.id, state.value, after, size + 1)
        shown = page[:size]
        keys = self._users.search_keys_of([u.id for u in shown])
        token = ""
        if len(page) > size:
            last = shown[-1]
            token = self._seal_cursor(tenant.id, state, last.created_at, last.id)
        return UserPage([UserView(u, keys[u.id]) for u in shown], token)

    def _seal_cursor(
        self, tenant_id: str, state: UserState, created_at: float, user_id: str
    ) -> str:
        content = {"t": tenant_id, "s": state.name, "c": created_at, "i": user_id}
        return self._sealer.seal(json.dumps(content).encode()).decode("ascii")

    def _cursor(self, token: str, tenant_id: str, state: UserState) -> tuple[float, str]:
        try:
            content = json.loads(self._sealer.unseal(token.encode("ascii")))
            cursor = (content["t"], content["s"], float(content["c"]), str(content["i"]))
        except (InvalidToken, ValueError, TypeError, KeyError) as error:
            raise CursorInvalid() from error
        if cursor[:2] != (tenant_id, state.name):
            raise CursorInvalid()
        return cursor[2], cursor[3]

    def set_disabled(self, caller: ApiKeyRecord, user_id: str, disabled: bool) -> UserView:
        """Disabling revokes every session and reset token of the user in the same
        transaction (`Users.set_disabled`, as `passgate user disable`)."""
        user = self._user(caller, user_id)
        if not self._users.set_disabled(user.id, disabled):
            raise UserNotFound(user_id)
        return self._view(user.id)

    def send_reset_email(
        self, caller: ApiKeyRecord, user_id: str, reset_url: str | None, template: str | None
    ) -> None:
        user = self._user(caller, user_id)
        if self._accounts.send_reset_email(user.id, reset_url, template) is None:
            raise UserNotFound(user_id)

    def delete_user(self, caller: ApiKeyRecord, user_id: str) -> None:
        user = self._user(caller, user_id)
        if self._users.delete(user.id) is None:
            raise UserNotFound(user_id)

    # --- API keys ------------------------------------------------------------

    def create_api_key(
        self, caller: ApiKeyRecord, request: NewKeyRequest
    ) -> tuple[ApiKeyRecord, str]:
        """The request's empty fields mean "not given", as protobuf cannot say
        otherwise; `key_terms` checks the rest as for `passgate apikey create`."""
        terms = key_terms(
            request.name,
            request.scopes or None,
            request.rate or None,
            request.client_cert_subject or None,
        )
        tenant = self._tenant(caller, request.tenant_id)
        return self._api_keys.create(
            terms.name, tenant.id, terms.scopes, terms.rate, terms.client_cert_subject
        )

    def list_api_keys(self, caller: ApiKeyRecord, tenant_id: str) -> list[ApiKeyRecord]:
        return self._api_keys.list(self._tenant(caller, tenant_id).id)

    def revoke_api_key(self, caller: ApiKeyRecord, key_id: str) -> None:
        key = self._key(caller, key_id)
        if not self._api_keys.revoke(key.id):
            raise ApiKeyNotFound(key_id)

    def rotate_api_key(self, caller: ApiKeyRecord, key_id: str, overlap: float) -> Rotated:
        why = overlap_problem(overlap)
        if why is not None:
            raise InvalidRequest([fields.malformed("overlap", why)])
        return self._api_keys.rotate(self._key(caller, key_id).id, overlap)

    # --- tenants -------------------------------------------------------------

    def create_tenant(self, caller: ApiKeyRecord, tenant_id: str, name: str) -> TenantRecord:
        """Only a key that may act in every tenant (the `default` tenant's) makes one."""
        if tenant_id and not caller.may_administer(tenant_id):
            raise ApiKeyScope("only an admin key of the default tenant may create tenants")
        return self._tenants.create(tenant_id, name)

    def list_tenants(self, caller: ApiKeyRecord) -> list[TenantRecord]:
        return [t for t in self._tenants.list() if caller.may_administer(t.id)]

    def allow_reset_url(self, caller: ApiKeyRecord, tenant_id: str, url: str) -> TenantRecord:
        return self._tenants.allow_reset_urls(self._tenant(caller, tenant_id).id, [url])

    def disallow_reset_url(self, caller: ApiKeyRecord, tenant_id: str, url: str) -> TenantRecord:
        return self._tenants.disallow_reset_urls(self._tenant(caller, tenant_id).id, [url])
