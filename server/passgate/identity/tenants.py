"""Tenants (the seeds' "portals"): creation, listing, and the reset URLs
each one lets RequestReset callers ask for. The command line and AdminService
both come here, so a tenant id or a reset URL is checked by one rule."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import peewee

from passgate.auth.v1.error_reason_pb2 import ErrorReason
from passgate.clock import Clock
from passgate.errors import InvalidRequest, TenantExists, TenantNotFound, Violation, reason_name
from passgate.identity import events as event_types
from passgate.identity import fields
from passgate.identity.events import Events
from passgate.identity.records import TenantRecord
from passgate.identity.stores import AlreadyExists, Locks, TenantStore
from passgate.setting_values import BadValue, web_url
from passgate.store.locking import SqlLocks
from passgate.store.tenants import SqlTenants

TENANT_ID_RULE = "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
MAX_NAME = 128


def tenant_id_problem(text: str) -> str | None:
    """Why `text` cannot be a tenant id; None when it can."""
    if (
        0 < len(text) <= 64
        and text[0].isascii()
        and text[0].isalnum()
        and all(c.isascii() and (c.isalnum() or c in "._-") for c in text)
    ):
        return None
    return f"expected {TENANT_ID_RULE}"


def reset_url_problem(text: str) -> str | None:
    """Why `text` cannot be on a reset-URL allow-list; None when it can."""
    try:
        web_url(text)
    except BadValue as error:
        return str(error)
    return None


class ResetUrlNotAllowed(InvalidRequest):
    """A URL to remove from an allow-list that is not on it."""

    def __init__(self, urls: Sequence[str], allowed: tuple[str, ...]) -> None:
        self.urls = urls
        self.allowed = allowed
        super().__init__(
            [
                Violation(
                    "reset_url",
                    reason_name(ErrorReason.FIELD_MALFORMED),
                    f"{url!r} is not on the tenant's allow-list.",
                )
                for url in urls
            ]
        )


class Tenants:
    def __init__(
        self,
        database: peewee.Database,
        clock: Clock,
        store: TenantStore | None = None,
        locks: Locks | None = None,
        events: Events | None = None,
    ) -> None:
        """`events`: where each change is recorded; the server passes its own
        (which delivers webhooks), the command line gets one of its own."""
        self._db = database
        self._events = events if events is not None else Events(database, clock)
        self._store = store if store is not None else SqlTenants(database)
        self._locks = locks if locks is not None else SqlLocks(database)
        self._clock = clock

    def create(self, tenant_id: str, name: str) -> TenantRecord:
        """Adds a tenant; TenantExists if the id is taken."""
        problems: list[Violation] = []
        why = tenant_id_problem(tenant_id)
        if why is not None:
            problems.append(Violation("tenant_id", reason_name(ErrorReason.FIELD_MALFORMED), why))
        if name:  # optional: the id names the tenant otherwise
            problems += fields.name("name", name, MAX_NAME)
        if problems:
            raise InvalidRequest(problems)
        now = self._clock.now()
        try:
            with self._db.atomic():
                self._store.insert(tenant_id, name or tenant_id, now)
                self._events.record(event_types.TENANT_CREATED, tenant_id)
        except AlreadyExists:
            raise TenantExists(tenant_id) from None
        return TenantRecord(tenant_id, name or tenant_id, (), now)

    def get(self, tenant_id: str) -> TenantRecord | None:
        return self._store.get(tenant_id)

    def list(self) -> list[TenantRecord]:
        return self._store.all()

    def allow_reset_urls(self, tenant_id: str, urls: Sequence[str]) -> TenantRecord:
        """Adds `urls` (each an http or https URL with a host) to the allow-list."""
        problems = [
            Violation("reset_url", reason_name(ErrorReason.FIELD_MALFORMED), why)
            for why in (reset_url_problem(url) for url in urls)
            if why is not None
        ]
        if problems:
            raise InvalidRequest(problems)
        allowed_type = event_types.TENANT_RESET_URL_ALLOWED
        return self._change_reset_urls(
            tenant_id, lambda allowed: allowed | set(urls), allowed_type, urls
        )

    def disallow_reset_urls(self, tenant_id: str, urls: Sequence[str]) -> TenantRecord:
        """Removes `urls` from the allow-list; ResetUrlNotAllowed if one is not on it."""

        def without(allowed: set[str]) -> set[str]:
            unknown = sorted(set(urls) - allowed)
            if unknown:
                raise ResetUrlNotAllowed(unknown, tuple(sorted(allowed)))
            return allowed - set(urls)

        return self._change_reset_urls(
            tenant_id, without, event_types.TENANT_RESET_URL_DISALLOWED, urls
        )

    def _change_reset_urls(
        self,
        tenant_id: str,
        change: Callable[[set[str]], set[str]],
        event_type: str,
        urls: Sequence[str],
    ) -> TenantRecord:
        """Read, change, write: two changes of one allow-list must not interleave,
        or one would write back a list without the other's URL; the tenant's row
        is locked first (on SQLite the IMMEDIATE transaction holds the write lock)."""
        with self._db.atomic():
            self._locks.lock_tenant(tenant_id)
            tenant = self._store.get(tenant_id)
            if tenant is None:
                raise TenantNotFound(tenant_id)
            allowed = tuple(sorted(change(set(tenant.reset_urls))))
            self._store.set_reset_urls(tenant_id, allowed)
            self._events.record(event_type, tenant_id, None, {"urls": sorted(set(urls))})
        return TenantRecord(tenant.id, tenant.name, allowed, tenant.created_at)
