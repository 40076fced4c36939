"""What the identity flows need from the database, one small interface per
aggregate. The SQL behind them lives in `passgate.store`, each statement once;
the flows decide which calls share a transaction and what they lock.

Times are seconds since the epoch, passed in by the caller (whose clock tests control)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from passgate.identity.records import (
    ApiKeyRecord,
    LiveSession,
    NewUser,
    SessionSummary,
    TenantRecord,
    UserRecord,
    UserSummary,
)


class AlreadyExists(Exception):
    """An insert met a row with the same unique key (an identifier, a tenant id)."""


class Locks(Protocol):
    """Transactions that must not interleave take these first, inside the
    transaction; each is held until it ends."""

    def lock_user(self, user_id: str) -> None:
        """The user's row: its password, sessions and reset tokens change under it."""

    def lock_tenant(self, tenant_id: str) -> None:
        """The tenant's row: its reset-URL allow-list changes under it."""

    def lock_reset_subject(self, subject: str) -> None:
        """One reset-mail budget: its count and the request that follows it."""


class UserStore(Protocol):
    def by_email(self, tenant_id: str, email_key: str) -> UserRecord | None: ...
    def by_username(self, tenant_id: str, username_key: str) -> UserRecord | None: ...
    def by_search_key(self, tenant_id: str, schema_name: str, value: str) -> UserRecord | None: ...
    def get(self, user_id: str) -> UserRecord | None: ...

    def get_held(self, user_id: str) -> UserRecord | None:
        """The user, whose row no other transaction may change until this one ends."""

    def matching(
        self, user_id: str, email_key: str, username_key: str, tenant_id: str | None
    ) -> list[UserSummary]: ...
    def with_search_key(
        self, schema_name: str, value: str, tenant_id: str | None
    ) -> list[UserSummary]: ...
    def page(self, tenant_id: str | None, after: str | None, limit: int) -> list[UserSummary]: ...
    def summary(self, user_id: str) -> UserSummary | None: ...
    def page_by_age(
        self,
        tenant_id: str,
        disabled: bool | None,
        after: tuple[float, str] | None,
        limit: int,
    ) -> list[UserSummary]: ...
    def search_keys_of(self, user_ids: list[str]) -> dict[str, dict[str, str]]: ...

    def insert(self, user: NewUser, search_keys: dict[str, str]) -> None:
        """AlreadyExists if an identifier is taken in the tenant."""

    def set_password(self, user_id: str, password_hash: str, now: float) -> None: ...

    def replace_hash(self, user_id: str, old_hash: str, new_hash: str) -> bool:
        """The same password re-hashed; only if the hash is still `old_hash`."""

    def set_disabled(self, user_id: str, disabled: bool) -> bool: ...

    def delete(self, user_id: str) -> bool:
        """The user's row and search keys; their other rows must be gone first."""


class SessionStore(Protocol):
    def insert(
        self,
        token_hash: str,
        user_id: str,
        tenant_id: str,
        now: float,
        expires_at: float,
        *,
        public_id: str,
        peer: str,
    ) -> None: ...
    def live(self, token_hash: str, tenant_id: str, now: float) -> LiveSession | None: ...
    def is_live(self, session_id: int, now: float) -> bool: ...

    def live_of_user(self, user_id: str, now: float) -> list[SessionSummary]:
        """The user's live sessions, newest first."""

    def revoke(self, session_id: int, now: float) -> bool: ...
    def public_id(self, session_id: int) -> str:
        """The session's `ses_…` id; empty for one opened before sessions had one."""

    def revoke_listed(self, user_id: str, public_id: str, now: float) -> bool:
        """Ends the user's live session named `public_id`; False if there is none."""

    def revoke_all(self, user_id: str, now: float) -> int: ...
    def delete_all(self, user_id: str) -> int: ...

    def revoke_live(self, user_id: str, now: float, kept_id: int | None = None) -> int:
        """Ends the user's live sessions, but for `kept_id`; returns how many ended."""

    def mark_used(self, session_ids: Iterable[int], now: float) -> None:
        """Sets the last use of these sessions to `now`, never back in time."""


class ResetTokenStore(Protocol):
    def insert(self, token_hash: str, user_id: str, now: float, expires_at: float) -> None: ...
    def is_live(self, token_hash: str, user_id: str, now: float) -> bool: ...

    def consume(self, token_hash: str, user_id: str, now: float) -> bool:
        """Ends the live token; of many concurrent calls with one token, one gets True."""

    def end_all(self, user_id: str, now: float) -> int:
        """Ends every live token of the user."""

    def delete_all(self, user_id: str) -> int: ...


class ResetRequestLog(Protocol):
    def queued_since(self, subject: str, since: float) -> int:
        """How many requests against `subject` queued an e-mail after `since`."""

    def add(self, tenant_id: str, subject: str, now: float, queued: bool) -> None: ...
    def forget(self, subject: str) -> None: ...


class ApiKeyStore(Protocol):
    def insert(self, record: ApiKeyRecord, key_hash: str) -> None: ...
    def all(self) -> list[ApiKeyRecord]: ...
    def in_tenant(self, tenant_id: str) -> list[ApiKeyRecord]: ...
    def get(self, key_id: str) -> ApiKeyRecord | None: ...

    def live(self, key_hash: str, now: float) -> ApiKeyRecord | None:
        """The key, unless revoked at or before `now`."""

    def revoke(self, key_id: str, now: float) -> bool:
        """Ends a key that is live now (one rotated away included) at `now`."""

    def end_at(self, key_id: str, at: float) -> bool:
        """Gives a key without an end the end `at`; False if it had one already."""


class TenantStore(Protocol):
    def insert(self, tenant_id: str, name: str, now: float) -> None:
        """AlreadyExists if the id is taken."""

    def get(self, tenant_id: str) -> TenantRecord | None: ...
    def all(self) -> list[TenantRecord]: ...
    def set_reset_urls(self, tenant_id: str, urls: tuple[str, ...]) -> None: ...
