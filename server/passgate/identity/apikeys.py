"""API keys: prefixed secrets, stored hashed, owned by a tenant, optionally
limited to some RPCs and given their own budget. Revocation takes effect at
the next call in every process: live keys are kept in a `LiveCache`, which
forgets them all as soon as any key or session is updated or deleted anywhere.

Misses are remembered (a bounded set): a digest that matched no live key never will,
since secrets are drawn by passgate (256 random bits) when a key is made and
revocation is final. A caller retrying a dead key costs no read."""

from __future__ import annotations

import peewee

from passgate.clock import Clock
from passgate.identity.records import ApiKeyRecord
from passgate.identity.stores import ApiKeyStore
from passgate.identity.tokens import (
    API_KEY_PREFIX,
    new_public_id,
    new_token,
    token_hash,
    well_formed,
)
from passgate.rates import Rate
from passgate.store.api_keys import SqlApiKeys
from passgate.store.revocations import LiveCache, RevocationWatch

KEY_ID_PREFIX = "key_"


class ApiKeys:
    REFUSED_LIMIT = 4096  # digests remembered as refused; forgotten all at once when full
    LIVE_LIMIT = 4096

    def __init__(
        self,
        database: peewee.Database,
        clock: Clock,
        watch: RevocationWatch | None = None,
        store: ApiKeyStore | None = None,
    ) -> None:
        self._store = store if store is not None else SqlApiKeys(database)
        self._clock = clock
        self._refused: set[str] = set()
        self._live: LiveCache[str, ApiKeyRecord] = LiveCache(watch, self.LIVE_LIMIT)

    def create(
        self,
        name: str,
        tenant_id: str = "default",
        scopes: list[str] | None = None,
        rate: Rate | None = None,
        client_cert_subject: str | None = None,
    ) -> tuple[ApiKeyRecord, str]:
        """Makes a key; returns its record and the secret, which is shown only now.
        With `client_cert_subject` (checked by `client_certificates.subject`) the
        key works only over mutual TLS with that client certificate."""
        secret = new_token(API_KEY_PREFIX)
        record = ApiKeyRecord(
            id=new_public_id(KEY_ID_PREFIX),
            tenant_id=tenant_id,
            name=name,
            scopes=None if scopes is None else frozenset(scopes),
            rate=rate,
            created_at=self._clock.now(),
            revoked_at=None,
            client_cert_subject=client_cert_subject,
        )
        self._store.insert(record, token_hash(secret))
        return record, secret

    def list(self) -> list[ApiKeyRecord]:
        return self._store.all()

    def revoke(self, key_id: str) -> bool:
        return self._store.revoke(key_id, self._clock.now())

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
        record = self._store.live(digest)
        if record is None:
            if len(self._refused) >= self.REFUSED_LIMIT:
                self._refused.clear()
            self._refused.add(digest)
            return None
        self._live.put(generation, digest, record)
        return record
