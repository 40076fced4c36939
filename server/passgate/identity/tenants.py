"""Tenants (the seeds' "portals"): creation, listing, and the reset URLs
each one lets RequestReset callers ask for."""

from __future__ import annotations

import peewee

from passgate.clock import Clock
from passgate.identity.records import TenantRecord
from passgate.identity.stores import AlreadyExists, TenantStore
from passgate.store.tenants import SqlTenants


class TenantExists(Exception):
    pass


class Tenants:
    def __init__(
        self, database: peewee.Database, clock: Clock, store: TenantStore | None = None
    ) -> None:
        self._store = store if store is not None else SqlTenants(database)
        self._clock = clock

    def create(self, tenant_id: str, name: str) -> None:
        try:
            self._store.insert(tenant_id, name, self._clock.now())
        except AlreadyExists:
            raise TenantExists(tenant_id) from None

    def get(self, tenant_id: str) -> TenantRecord | None:
        return self._store.get(tenant_id)

    def list(self) -> list[TenantRecord]:
        return self._store.all()

    def set_reset_urls(self, tenant_id: str, urls: tuple[str, ...]) -> None:
        self._store.set_reset_urls(tenant_id, urls)
