"""The values the identity flows and their stores hand each other: plain,
immutable, free of SQL, so the store can build them and the domain can read
them without either importing the other's machinery."""

from __future__ import annotations

from dataclasses import dataclass

from passgate.rates import Rate

ADMIN_SCOPE = "admin"  # the scope that lets a key call AdminService
OPERATOR_TENANT = "default"  # its admin keys may act in every tenant


@dataclass(frozen=True)
class UserRecord:
    id: str
    tenant_id: str
    email: str
    username: str | None
    password_hash: str
    disabled: bool


@dataclass(frozen=True)
class UserSummary:
    """What an operator sees of a user: never the hash."""

    id: str
    tenant_id: str
    email: str
    username: str | None
    disabled: bool
    created_at: float
    password_changed_at: float


@dataclass(frozen=True)
class NewUser:
    """A user as it is first written: identifiers as given and as looked up."""

    id: str
    tenant_id: str
    email: str
    email_key: str
    username: str | None
    username_key: str | None
    password_hash: str
    created_at: float


@dataclass(frozen=True)
class LiveSession:
    id: int
    user_id: str
    expires_at: float


@dataclass(frozen=True)
class SessionSummary:
    """What a user or an admin sees of a live session: never its token or hash."""

    id: int  # the row's, never shown: tells the session a call came with
    public_id: str
    user_id: str
    created_at: float
    last_used_at: float
    expires_at: float
    peer: str


@dataclass(frozen=True)
class ApiKeyRecord:
    id: str
    tenant_id: str
    name: str
    scopes: frozenset[str] | None  # None: every RPC
    rate: Rate | None  # None: the server's default budget
    created_at: float
    revoked_at: float | None
    # The identity (subject, as grpcio reports it) of the client certificate the
    # key may be used with, over mutual TLS only; None: any transport.
    client_cert_subject: str | None = None

    def ended(self, now: float) -> bool:
        """Whether the key is refused at `now` (revoked, or rotated and past its overlap)."""
        return self.revoked_at is not None and self.revoked_at <= now

    def allows(self, method: str) -> bool:
        return self.scopes is None or method in self.scopes

    def is_admin(self) -> bool:
        """Whether the key may call AdminService: only when given `admin` by name."""
        return self.scopes is not None and ADMIN_SCOPE in self.scopes

    def may_administer(self, tenant_id: str) -> bool:
        """Whether an admin key may act in `tenant_id`: its own tenant, or any
        tenant for a key of the default tenant (the operator's)."""
        return self.tenant_id in {tenant_id, OPERATOR_TENANT}


@dataclass(frozen=True)
class TenantRecord:
    id: str
    name: str
    reset_urls: tuple[str, ...]
    created_at: float
