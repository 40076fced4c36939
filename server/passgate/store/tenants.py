"""The tenants table: every statement that reads or writes it."""

from __future__ import annotations

import json

import peewee

from passgate.identity.records import TenantRecord
from passgate.identity.stores import AlreadyExists
from passgate.store import raw

_COLUMNS = "SELECT id, name, reset_url_allowlist, created_at FROM tenants "
_GET = _COLUMNS + "WHERE id = ?"
_ALL = _COLUMNS + "ORDER BY created_at, id"  # oldest first, as ListTenants promises
_INSERT = "INSERT INTO tenants (id, name, reset_url_allowlist, created_at) VALUES (?, ?, '[]', ?)"
_SET_RESET_URLS = "UPDATE tenants SET reset_url_allowlist = ? WHERE id = ?"


def _record(row: tuple[object, ...]) -> TenantRecord:
    tenant_id, name, allowlist, created_at = row
    return TenantRecord(
        str(tenant_id),
        str(name),
        tuple(json.loads(str(allowlist or "[]"))),
        float(str(created_at)),
    )


class SqlTenants:
    def __init__(self, database: peewee.Database) -> None:
        self._db = database

    def insert(self, tenant_id: str, name: str, now: float) -> None:
        try:
            raw.execute(self._db, _INSERT, (tenant_id, name, now))
        except peewee.IntegrityError:
            raise AlreadyExists(tenant_id) from None

    def get(self, tenant_id: str) -> TenantRecord | None:
        row = raw.execute(self._db, _GET, (tenant_id,)).fetchone()
        return None if row is None else _record(row)

    def all(self) -> list[TenantRecord]:
        return [_record(row) for row in raw.execute(self._db, _ALL).fetchall()]

    def set_reset_urls(self, tenant_id: str, urls: tuple[str, ...]) -> None:
        raw.execute(self._db, _SET_RESET_URLS, (json.dumps(sorted(set(urls))), tenant_id))
