"""Users of a tenant: creation, look-up by any identifier, listing for
operators, and disabling."""

from __future__ import annotations

import uuid

import peewee

from passgate.auth.v1.error_reason_pb2 import ErrorReason
from passgate.clock import Clock
from passgate.errors import InvalidRequest, Violation, reason_name
from passgate.identity import fields
from passgate.identity.identifiers import Identifier, IdentifierKind
from passgate.identity.records import NewUser, UserRecord, UserSummary
from passgate.identity.stores import AlreadyExists, ResetTokenStore, SessionStore, UserStore
from passgate.store.reset_tokens import SqlResetTokens
from passgate.store.sessions import SqlSessions
from passgate.store.users import SqlUsers


class Users:
    def __init__(
        self,
        database: peewee.Database,
        clock: Clock,
        store: UserStore | None = None,
        sessions: SessionStore | None = None,
        reset_tokens: ResetTokenStore | None = None,
    ) -> None:
        self._db = database
        self._clock = clock
        self._store = store if store is not None else SqlUsers(database)
        self._sessions = sessions if sessions is not None else SqlSessions(database)
        self._reset_tokens = reset_tokens if reset_tokens is not None else SqlResetTokens(database)

    def find(self, tenant_id: str, identifier: Identifier) -> UserRecord | None:
        if identifier.kind is IdentifierKind.EMAIL:
            return self._store.by_email(tenant_id, identifier.lookup_key)
        if identifier.kind is IdentifierKind.USERNAME:
            return self._store.by_username(tenant_id, identifier.lookup_key)
        return self._store.by_search_key(tenant_id, identifier.schema_name, identifier.value)

    def get(self, user_id: str) -> UserRecord | None:
        return self._store.get(user_id)

    def matching(self, text: str, tenant_id: str | None = None) -> list[UserSummary]:
        """Users whose id, e-mail or username is `text` (in one tenant or in all)."""
        return self._store.matching(
            text, fields.email_key(text), fields.username_key(text), tenant_id
        )

    def with_search_key(
        self, schema_name: str, value: str, tenant_id: str | None = None
    ) -> list[UserSummary]:
        return self._store.with_search_key(schema_name, value, tenant_id)

    def page(self, tenant_id: str | None, after: str | None, limit: int) -> list[UserSummary]:
        """Up to `limit` users ordered by id, from after the id `after`."""
        return self._store.page(tenant_id, after, limit)

    def create(
        self,
        tenant_id: str,
        email: str,
        password_hash: str,
        username: str | None = None,
        search_keys: dict[str, str] | None = None,
    ) -> str:
        """Adds a user; refuses identifiers already taken in the tenant."""
        problems = fields.email("email", email)
        if username is not None:
            problems += fields.username("username", username)
        for name, value in (search_keys or {}).items():
            problems += fields.schema_name("search_key.schema_name", name)
            problems += fields.bounded_text("search_key.value", value, fields.MAX_SEARCH_VALUE)
        if problems:
            raise InvalidRequest(problems)
        user = NewUser(
            id=str(uuid.uuid4()),
            tenant_id=tenant_id,
            email=email,
            email_key=fields.email_key(email),
            username=username,
            username_key=None if username is None else fields.username_key(username),
            password_hash=password_hash,
            created_at=self._clock.now(),
        )
        try:
            self._store.insert(user, search_keys or {})
        except AlreadyExists:
            raise InvalidRequest(
                [
                    Violation(
                        "identifier",
                        reason_name(ErrorReason.IDENTIFIER_TAKEN),
                        "A user with this identifier exists.",
                    )
                ]
            ) from None
        return user.id

    def set_disabled(self, user_id: str, disabled: bool) -> bool:
        """Disables (ending every session and reset token) or re-enables a user."""
        with self._db.atomic():
            # The update takes the user's row first, as every change of its sessions does.
            changed = self._store.set_disabled(user_id, disabled)
            if disabled:
                now = self._clock.now()
                self._sessions.revoke_all(user_id, now)
                self._reset_tokens.end_all(user_id, now)
        return changed
