"""API keys: prefixed secrets, stored hashed, owned by a tenant, optionally
limited to some RPCs and given their own budget. Revocation takes effect at
the next call in every process: live keys are kept in a `LiveCache`, which
forgets them all as soon as any key or session is updated or deleted anywhere.

Misses are remembered (a bounded set): a digest that matched no live key never will,
since secrets are drawn by passgate (256 random bits) when a key is made and
revocation is final. A caller retrying a dead key costs no read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import peewee

from passgate.clock import Clock
from passgate.identity.tokens import (
    API_KEY_PREFIX,
    new_public_id,
    new_token,
    token_hash,
    well_formed,
)
from passgate.rates import Rate
from passgate.store import raw
from passgate.store.models import ApiKey
from passgate.store.revocations import LiveCache, RevocationWatch

KEY_ID_PREFIX = "key_"


@dataclass(frozen=True)
class ApiKeyRecord:
    id: str
    tenant_id: str
    name: str
    scopes: frozenset[str] | None  # None: every RPC
    rate: Rate | None  # None: the server's default budget
    created_at: float
    revoked_at: float | None

    def allows(self, method: str) -> bool:
        return self.scopes is None or method in self.scopes


@lru_cache(maxsize=1024)
def _parse_scopes(text: str | None) -> frozenset[str] | None:
    return None if text is None else frozenset(json.loads(text))


@lru_cache(maxsize=1024)
def _parse_rate(text: str | None) -> Rate | None:
    return None if text is None else Rate.parse(text)


class ApiKeys:
    REFUSED_LIMIT = 4096  # digests remembered as refused; forgotten all at once when full
    LIVE_LIMIT = 4096

    def __init__(
        self, database: peewee.Database, clock: Clock, watch: RevocationWatch | None = None
    ) -> None:
        self._db = database
        self._clock = clock
        self._refused: set[str] = set()
        self._live: LiveCache[str, ApiKeyRecord] = LiveCache(watch, self.LIVE_LIMIT)

    def create(
        self,
        name: str,
        tenant_id: str = "default",
        scopes: list[str] | None = None,
        rate: Rate | None = None,
    ) -> tuple[ApiKeyRecord, str]:
        """Makes a key; returns its record and the secret, which is shown only now."""
        secret = new_token(API_KEY_PREFIX)
        record = ApiKeyRecord(
            id=new_public_id(KEY_ID_PREFIX),
            tenant_id=tenant_id,
            name=name,
            scopes=None if scopes is None else frozenset(scopes),
            rate=rate,
            created_at=self._clock.now(),
            revoked_at=None,
        )
        ApiKey.insert(
            id=record.id,
            tenant=tenant_id,
            name=name,
            key_hash=token_hash(secret),
            scopes=None if scopes is None else json.dumps(sorted(scopes)),
            rate=None if rate is None else str(rate),
            created_at=record.created_at,
        ).execute()
        return record, secret

    def list(self) -> list[ApiKeyRecord]:
        rows = raw.execute(
            self._db,
            "SELECT id, tenant_id, name, scopes, rate, created_at, revoked_at FROM api_keys "
            "ORDER BY created_at",
        ).fetchall()
        return [self._record(row) for row in rows]

    def revoke(self, key_id: str) -> bool:
        cursor = raw.execute(
            self._db,
            "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            (self._clock.now(), key_id),
        )
        return bool(cursor.rowcount == 1)

    def live(self, secret: str) -> ApiKeyRecord | None:
        """The live key behind `secret`; None when there is none.

        Keys seen before are found by digest alone; the shape of the secret is
        checked only before the database is asked about it."""
        digest = token_hash(secret)
        if digest in self._refused:
            return None
        generation = self._live.generation()
        live = self._live.get(digest)
        if live is not None:
            return live
        if not well_formed(secret, API_KEY_PREFIX):
            return None
        row = raw.execute(
            self._db,
            "SELECT id, tenant_id, name, scopes, rate, created_at, revoked_at FROM api_keys "
            "WHERE key_hash = ? AND revoked_at IS NULL",
            (digest,),
        ).fetchone()
        if row is None:
            if len(self._refused) >= self.REFUSED_LIMIT:
                self._refused.clear()
            self._refused.add(digest)
            return None
        record = self._record(row)
        self._live.put(generation, digest, record)
        return record

    @staticmethod
    @lru_cache(maxsize=1024)  # rows are plain values: a live key's row maps to one record
    def _record(row: tuple[object, ...]) -> ApiKeyRecord:
        key_id, tenant_id, name, scopes, rate, created_at, revoked_at = row
        return ApiKeyRecord(
            id=str(key_id),
            tenant_id=str(tenant_id),
            name=str(name),
            scopes=_parse_scopes(None if scopes is None else str(scopes)),
            rate=_parse_rate(None if rate is None else str(rate)),
            created_at=float(str(created_at)),
            revoked_at=None if revoked_at is None else float(str(revoked_at)),
        )
