"""The users table and its search keys: every statement that reads or writes them."""

from __future__ import annotations

import peewee

from passgate.identity.records import NewUser, UserRecord, UserSummary
from passgate.identity.stores import AlreadyExists
from passgate.store import raw
from passgate.store.locking import for_share

_RECORD = "SELECT u.id, u.tenant_id, u.email, u.username, u.password_hash, u.disabled FROM users u "
_BY_EMAIL = _RECORD + "WHERE u.tenant_id = ? AND u.email_key = ?"
_BY_USERNAME = _RECORD + "WHERE u.tenant_id = ? AND u.username_key = ?"
_BY_SEARCH_KEY = _RECORD + (
    "JOIN search_keys s ON s.user_id = u.id "
    "WHERE s.tenant_id = ? AND s.schema_name = ? AND s.value = ?"
)
_BY_ID = _RECORD + "WHERE u.id = ?"

_SUMMARY = (
    "SELECT id, tenant_id, email, username, disabled, created_at, password_changed_at FROM users "
)
_SUMMARY_BY_ID = _SUMMARY + "WHERE id = ?"
_MATCHING = _SUMMARY + "WHERE (id = ? OR email_key = ? OR username_key = ?)"
_WITH_SEARCH_KEY = _SUMMARY + (  # noqa: S608  (constants only)
    "WHERE id IN (SELECT user_id FROM search_keys WHERE schema_name = ? AND value = ?)"
)
# Oldest first, ties broken by id: a page ends at a (created_at, id) the next starts after.
_BY_AGE = " ORDER BY created_at, id LIMIT ?"
_AFTER_AGE = "(created_at > ? OR (created_at = ? AND id > ?))"
_SEARCH_KEYS_OF = "SELECT user_id, schema_name, value FROM search_keys WHERE user_id IN "
_DELETE_SEARCH_KEYS = "DELETE FROM search_keys WHERE user_id = ?"
_DELETE = "DELETE FROM users WHERE id = ?"
_IN_TENANT = " AND tenant_id = ?"
_LISTED = " ORDER BY tenant_id, id"

_INSERT = (
    "INSERT INTO users (id, tenant_id, email, email_key, username, username_key, "
    "password_hash, disabled, created_at, password_changed_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_SEARCH_KEY = (
    "INSERT INTO search_keys (user_id, tenant_id, schema_name, value) VALUES (?, ?, ?, ?)"
)
_SET_HASH = "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?"
_REPLACE_HASH = "UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?"
_SET_DISABLED = "UPDATE users SET disabled = ? WHERE id = ?"


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


def _summary(row: tuple[object, ...]) -> UserSummary:
    uid, tenant_id, email, username, disabled, created_at, password_changed_at = row
    return UserSummary(
        str(uid),
        str(tenant_id),
        str(email),
        None if username is None else str(username),
        bool(disabled),
        float(str(created_at)),
        float(str(password_changed_at)),
    )


class SqlUsers:
    def __init__(self, database: peewee.Database) -> None:
        self._db = database
        self._by_id_held = _BY_ID + for_share(database)

    def by_email(self, tenant_id: str, email_key: str) -> UserRecord | None:
        return _record(raw.execute(self._db, _BY_EMAIL, (tenant_id, email_key)).fetchone())

    def by_username(self, tenant_id: str, username_key: str) -> UserRecord | None:
        return _record(raw.execute(self._db, _BY_USERNAME, (tenant_id, username_key)).fetchone())

    def by_search_key(self, tenant_id: str, schema_name: str, value: str) -> UserRecord | None:
        params = (tenant_id, schema_name, value)
        return _record(raw.execute(self._db, _BY_SEARCH_KEY, params).fetchone())

    def get(self, user_id: str) -> UserRecord | None:
        return _record(raw.execute(self._db, _BY_ID, (user_id,)).fetchone())

    def get_held(self, user_id: str) -> UserRecord | None:
        """On PostgreSQL the row is read FOR SHARE: a password change that has not
        committed yet is waited for (and then read), one that comes later waits
        for this transaction. SQLite's IMMEDIATE transaction already excludes both."""
        return _record(raw.execute(self._db, self._by_id_held, (user_id,)).fetchone())

    def matching(
        self, user_id: str, email_key: str, username_key: str, tenant_id: str | None
    ) -> list[UserSummary]:
        return self._summaries(_MATCHING, (user_id, email_key, username_key), tenant_id)

    def with_search_key(
        self, schema_name: str, value: str, tenant_id: str | None
    ) -> list[UserSummary]:
        return self._summaries(_WITH_SEARCH_KEY, (schema_name, value), tenant_id)

    def _summaries(
        self, sql: str, params: tuple[str, ...], tenant_id: str | None
    ) -> list[UserSummary]:
        if tenant_id is not None:
            sql, params = sql + _IN_TENANT, (*params, tenant_id)
        rows = raw.execute(self._db, sql + _LISTED, params).fetchall()
        return [_summary(row) for row in rows]

    def page(self, tenant_id: str | None, after: str | None, limit: int) -> list[UserSummary]:
        """Up to `limit` users ordered by id, from after the id `after`."""
        clauses: list[str] = []
        params: list[object] = []
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

    def summary(self, user_id: str) -> UserSummary | None:
        row = raw.execute(self._db, _SUMMARY_BY_ID, (user_id,)).fetchone()
        return None if row is None else _summary(row)

    def page_by_age(
        self,
        tenant_id: str,
        disabled: bool | None,
        after: tuple[float, str] | None,
        limit: int,
    ) -> list[UserSummary]:
        """Up to `limit` users of a tenant, oldest first, from after `after`
        (the created_at and id of the last one seen)."""
        clauses = ["tenant_id = ?"]
        params: list[object] = [tenant_id]
        if disabled is not None:
            clauses.append("disabled = ?")
            params.append(disabled)
        if after is not None:
            clauses.append(_AFTER_AGE)
            params += [after[0], after[0], after[1]]
        sql = _SUMMARY + "WHERE " + " AND ".join(clauses) + _BY_AGE
        return [_summary(row) for row in raw.execute(self._db, sql, (*params, limit)).fetchall()]

    def search_keys_of(self, user_ids: list[str]) -> dict[str, dict[str, str]]:
        """Each user's search keys (schema name -> value), in one read."""
        found: dict[str, dict[str, str]] = {user_id: {} for user_id in user_ids}
        if not user_ids:
            return found
        marks = ", ".join("?" for _ in user_ids)
        sql = _SEARCH_KEYS_OF + f"({marks}) ORDER BY schema_name"
        for user_id, name, value in raw.execute(self._db, sql, tuple(user_ids)).fetchall():
            found[str(user_id)][str(name)] = str(value)
        return found

    def delete(self, user_id: str) -> bool:
        """The user's row and search keys (the caller removed the rest first)."""
        raw.execute(self._db, _DELETE_SEARCH_KEYS, (user_id,))
        return bool(raw.execute(self._db, _DELETE, (user_id,)).rowcount == 1)

    def insert(self, user: NewUser, search_keys: dict[str, str]) -> None:
        """The user and its search keys, in one transaction (the caller's, if any)."""
        try:
            with self._db.atomic():
                raw.execute(
                    self._db,
                    _INSERT,
                    (
                        user.id,
                        user.tenant_id,
                        user.email,
                        user.email_key,
                        user.username,
                        user.username_key,
                        user.password_hash,
                        False,
                        user.created_at,
                        user.created_at,
                    ),
                )
                for name, value in search_keys.items():
                    raw.execute(
                        self._db, _INSERT_SEARCH_KEY, (user.id, user.tenant_id, name, value)
                    )
        except peewee.IntegrityError:
            raise AlreadyExists(user.id) from None

    def set_password(self, user_id: str, password_hash: str, now: float) -> None:
        raw.execute(self._db, _SET_HASH, (password_hash, now, user_id))

    def replace_hash(self, user_id: str, old_hash: str, new_hash: str) -> bool:
        return bool(raw.execute(self._db, _REPLACE_HASH, (new_hash, user_id, old_hash)).rowcount)

    def set_disabled(self, user_id: str, disabled: bool) -> bool:
        return bool(raw.execute(self._db, _SET_DISABLED, (disabled, user_id)).rowcount == 1)
