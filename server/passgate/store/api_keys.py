"""The api_keys table: every statement that reads or writes it, and how its
rows become records."""

from __future__ import annotations

import json
from functools import lru_cache

import peewee

from passgate.identity.records import ApiKeyRecord
from passgate.rates import Rate
from passgate.store import raw

_COLUMNS = (
    "SELECT id, tenant_id, name, scopes, rate, created_at, revoked_at, client_cert_subject "
    "FROM api_keys "
)
_ALL = _COLUMNS + "ORDER BY created_at"
_IN_TENANT = _COLUMNS + "WHERE tenant_id = ? ORDER BY created_at"
_GET = _COLUMNS + "WHERE id = ?"
# A key rotated away stays live until the end of its overlap: revoked_at in the future.
_LIVE = _COLUMNS + "WHERE key_hash = ? AND (revoked_at IS NULL OR revoked_at > ?)"
_INSERT = (
    "INSERT INTO api_keys "
    "(id, tenant_id, name, key_hash, scopes, rate, created_at, client_cert_subject) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_REVOKE = (
    "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND (revoked_at IS NULL OR revoked_at > ?)"
)
# Only a key without an end gets one: of two rotations of one key, one updates the row.
_END_AT = "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"


@lru_cache(maxsize=1024)
def _parse_scopes(text: str | None) -> frozenset[str] | None:
    return None if text is None else frozenset(json.loads(text))


@lru_cache(maxsize=1024)
def _parse_rate(text: str | None) -> Rate | None:
    return None if text is None else Rate.parse(text, stored=True)


@lru_cache(maxsize=1024)  # rows are plain values: a live key's row maps to one record
def _record(row: tuple[object, ...]) -> ApiKeyRecord:
    key_id, tenant_id, name, scopes, rate, created_at, revoked_at, client_cert_subject = row
    return ApiKeyRecord(
        id=str(key_id),
        tenant_id=str(tenant_id),
        name=str(name),
        scopes=_parse_scopes(None if scopes is None else str(scopes)),
        rate=_parse_rate(None if rate is None else str(rate)),
        created_at=float(str(created_at)),
        revoked_at=None if revoked_at is None else float(str(revoked_at)),
        client_cert_subject=None if client_cert_subject is None else str(client_cert_subject),
    )


class SqlApiKeys:
    def __init__(self, database: peewee.Database) -> None:
        self._db = database

    def insert(self, record: ApiKeyRecord, key_hash: str) -> None:
        scopes = None if record.scopes is None else json.dumps(sorted(record.scopes))
        rate = None if record.rate is None else str(record.rate)
        raw.execute(
            self._db,
            _INSERT,
            (
                record.id,
                record.tenant_id,
                record.name,
                key_hash,
                scopes,
                rate,
                record.created_at,
                record.client_cert_subject,
            ),
        )

    def all(self) -> list[ApiKeyRecord]:
        return [_record(row) for row in raw.execute(self._db, _ALL).fetchall()]

    def in_tenant(self, tenant_id: str) -> list[ApiKeyRecord]:
        return [_record(row) for row in raw.execute(self._db, _IN_TENANT, (tenant_id,)).fetchall()]

    def get(self, key_id: str) -> ApiKeyRecord | None:
        row = raw.execute(self._db, _GET, (key_id,)).fetchone()
        return None if row is None else _record(row)

    def live(self, key_hash: str, now: float) -> ApiKeyRecord | None:
        row = raw.execute(self._db, _LIVE, (key_hash, now)).fetchone()
        return None if row is None else _record(row)

    def revoke(self, key_id: str, now: float) -> bool:
        return bool(raw.execute(self._db, _REVOKE, (now, key_id, now)).rowcount == 1)

    def end_at(self, key_id: str, at: float) -> bool:
        return bool(raw.execute(self._db, _END_AT, (at, key_id)).rowcount == 1)
