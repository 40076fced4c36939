"""Users of a tenant: creation, and look-up by any identifier."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import peewee

from passgate.auth.v1.error_reason_pb2 import ErrorReason
from passgate.clock import Clock
from passgate.errors import InvalidRequest, Violation, reason_name
from passgate.identity import fields
from passgate.identity.identifiers import Identifier, IdentifierKind
from passgate.store import raw
from passgate.store.models import SearchKey, User

_SELECT = "SELECT u.id, u.tenant_id, u.email, u.username, u.password_hash, u.disabled FROM users u "


@dataclass(frozen=True)
class UserRecord:
    id: str
    tenant_id: str
    email: str
    username: str | None
    password_hash: str
    disabled: bool


def _record(row: tuple[object, ...] | None) -> UserRecord | None:
    if row is None:
        return None
    uid, tenant_id, email, username, password_hash, disabled = row
    return UserRecord(
        str(uid),
        str(tenant_id),
        str(email),
        None if username is None else str(username),
        str(password_hash),
        bool(disabled),
    )


@dataclass(frozen=True)
class UserSummary:
    """What an operator sees of a user: never the hash."""

    id: str
    tenant_id: str
    email: str
    username: str | None
    disabled: bool
    created_at: float


_SUMMARY = "SELECT id, tenant_id, email, username, disabled, created_at FROM users "
_WITH_SEARCH_KEY = (
    "WHERE id IN (SELECT user_id FROM search_keys WHERE schema_name = ? AND value = ?)"
)


def _summary(row: tuple[object, ...]) -> UserSummary:
    uid, tenant_id, email, username, disabled, created_at = row
    return UserSummary(
        str(uid),
        str(tenant_id),
        str(email),
        None if username is None else str(username),
        bool(disabled),
        float(str(created_at)),
    )


class Users:
    def __init__(self, database: peewee.Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    def find(self, tenant_id: str, identifier: Identifier) -> UserRecord | None:
        if identifier.kind is IdentifierKind.EMAIL:
            sql = _SELECT + "WHERE u.tenant_id = ? AND u.email_key = ?"
            params: tuple[str, ...] = (tenant_id, identifier.lookup_key)
        elif identifier.kind is IdentifierKind.USERNAME:
            sql = _SELECT + "WHERE u.tenant_id = ? AND u.username_key = ?"
            params = (tenant_id, identifier.lookup_key)
        else:
            sql = _SELECT + (
                "JOIN search_keys s ON s.user_id = u.id "
                "WHERE s.tenant_id = ? AND s.schema_name = ? AND s.value = ?"
            )
            params = (tenant_id, identifier.schema_name, identifier.value)
        return _record(raw.execute(self._db, sql, params).fetchone())

    def get(self, user_id: str) -> UserRecord | None:
        return _record(raw.execute(self._db, _SELECT + "WHERE u.id = ?", (user_id,)).fetchone())

    def matching(self, text: str, tenant_id: str | None = None) -> list[UserSummary]:
        """Users whose id, e-mail or username is `text` (in one tenant or in all)."""
        sql = _SUMMARY + "WHERE (id = ? OR email_key = ? OR username_key = ?)"
        params: tuple[str, ...] = (text, fields.email_key(text), fields.username_key(text))
        if tenant_id is not None:
            sql, params = sql + " AND tenant_id = ?", (*params, tenant_id)
        rows = raw.execute(self._db, sql + " ORDER BY tenant_id, id", params).fetchall()
        return [_summary(row) for row in rows]

    def with_search_key(
        self, schema_name: str, value: str, tenant_id: str | None = None
    ) -> list[UserSummary]:
        sql = _SUMMARY + _WITH_SEARCH_KEY
        params: tuple[str, ...] = (schema_name, value)
        if tenant_id is not None:
            sql, params = sql + " AND tenant_id = ?", (*params, tenant_id)
        rows = raw.execute(self._db, sql + " ORDER BY tenant_id, id", params).fetchall()
        return [_summary(row) for row in rows]

    def page(self, tenant_id: str | None, after: str | None, limit: int) -> list[UserSummary]:
        """Up to `limit` users ordered by id, from after the id `after`."""
        clauses, params = [], []
        if tenant_id is not None:
            clauses.append("tenant_id = ?")
            params.append(tenant_id)
        if after is not None:
            clauses.append("id > ?")
            params.append(after)
        where = ("WHERE " + " AND ".join(clauses) + " ") if clauses else ""
        rows = raw.execute(
            self._db, _SUMMARY + where + "ORDER BY id LIMIT ?", (*params, limit)
        ).fetchall()
        return [_summary(row) for row in rows]

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
        now = self._clock.now()
        user_id = str(uuid.uuid4())
        try:
            with self._db.atomic():
                User.insert(
                    id=user_id,
                    tenant=tenant_id,
                    email=email,
                    email_key=fields.email_key(email),
                    username=username,
                    username_key=None if username is None else fields.username_key(username),
                    password_hash=password_hash,
                    created_at=now,
                    password_changed_at=now,
                ).execute()
                for name, value in (search_keys or {}).items():
                    SearchKey.insert(
                        user=user_id, tenant=tenant_id, schema_name=name, value=value
                    ).execute()
        except peewee.IntegrityError:
            raise InvalidRequest(
                [
                    Violation(
                        "identifier",
                        reason_name(ErrorReason.IDENTIFIER_TAKEN),
                        "A user with this identifier exists.",
                    )
                ]
            ) from None
        return user_id

    def set_disabled(self, user_id: str, disabled: bool) -> bool:
        """Disables (ending every session and reset token) or re-enables a user."""
        with self._db.atomic():
            changed = raw.execute(
                self._db, "UPDATE users SET disabled = ? WHERE id = ?", (disabled, user_id)
            ).rowcount
            if disabled:
                now = self._clock.now()
                raw.execute(
                    self._db,
                    "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                    (now, user_id),
                )
                raw.execute(
                    self._db,
                    "UPDATE reset_tokens SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL",
                    (now, user_id),
                )
        return bool(changed == 1)
