"""Tenants (the seeds' "portals"): creation, listing, and the reset URLs
each one lets RequestReset callers ask for."""

from __future__ import annotations

import json
from dataclasses import dataclass

import peewee

from passgate.clock import Clock
from passgate.store import raw


@dataclass(frozen=True)
class TenantRecord:
    id: str
    name: str
    reset_urls: tuple[str, ...]
    created_at: float


class TenantExists(Exception):
    pass


class Tenants:
    def __init__(self, database: peewee.Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    def create(self, tenant_id: str, name: str) -> None:
        try:
            raw.execute(
                self._db,
                "INSERT INTO tenants (id, name, reset_url_allowlist, created_at) "
                "VALUES (?, ?, '[]', ?)",
                (tenant_id, name, self._clock.now()),
            )
        except peewee.IntegrityError:
            raise TenantExists(tenant_id) from None

    def get(self, tenant_id: str) -> TenantRecord | None:
        row = raw.execute(
            self._db,
            "SELECT id, name, reset_url_allowlist, created_at FROM tenants WHERE id = ?",
            (tenant_id,),
        ).fetchone()
        return None if row is None else _record(row)

    def list(self) -> list[TenantRecord]:
        rows = raw.execute(
            self._db, "SELECT id, name, reset_url_allowlist, created_at FROM tenants ORDER BY id"
        ).fetchall()
        return [_record(row) for row in rows]

    def set_reset_urls(self, tenant_id: str, urls: tuple[str, ...]) -> None:
        raw.execute(
            self._db,
            "UPDATE tenants SET reset_url_allowlist = ? WHERE id = ?",
            (json.dumps(sorted(set(urls))), tenant_id),
        )


def _record(row: tuple[object, ...]) -> TenantRecord:
    tenant_id, name, allowlist, created_at = row
    return TenantRecord(
        str(tenant_id),
        str(name),
        tuple(json.loads(str(allowlist or "[]"))),
        float(str(created_at)),
    )
