"""Sessions: opaque bearer tokens, stored as hashes, that expire and can be revoked.

Sessions read as live are kept in a `LiveCache` (VerifySession is the call
backends make on every request of theirs); any revocation anywhere empties it,
and expiry is checked on every call."""

from __future__ import annotations

from dataclasses import dataclass

import peewee

from passgate.clock import Clock
from passgate.errors import SessionInvalid
from passgate.identity.records import LiveSession
from passgate.identity.stores import SessionStore
from passgate.identity.tokens import SESSION_PREFIX, new_token, token_hash, well_formed
from passgate.store.revocations import LiveCache, RevocationWatch
from passgate.store.sessions import SqlSessions


@dataclass(frozen=True)
class IssuedSession:
    token: str
    expires_at: float


class Sessions:
    LIVE_LIMIT = 65536  # ~450 bytes each: about 30 MB when full

    def __init__(
        self,
        database: peewee.Database,
        clock: Clock,
        ttl: float,
        watch: RevocationWatch | None = None,
        store: SessionStore | None = None,
    ) -> None:
        self._store = store if store is not None else SqlSessions(database)
        self._clock = clock
        self._ttl = ttl
        self._live: LiveCache[tuple[str, str], LiveSession] = LiveCache(watch, self.LIVE_LIMIT)

    def issue(self, tenant_id: str, user_id: str) -> IssuedSession:
        """Opens a session; joins the caller's transaction if there is one."""
        token = new_token(SESSION_PREFIX)
        now = self._clock.now()
        expires_at = now + self._ttl
        self._store.insert(token_hash(token), user_id, tenant_id, now, expires_at)
        return IssuedSession(token, expires_at)

    def verify(self, tenant_id: str, token: str) -> LiveSession:
        """The live session behind `token`, or SessionInvalid (its shape is
        checked only before the database is asked about it)."""
        key = (token_hash(token), tenant_id)
        now = self._clock.now()
        generation = self._live.generation()
        session = self._live.get(key)
        if session is None:
            if not well_formed(token, SESSION_PREFIX):
                raise SessionInvalid()
            session = self._store.live(*key, now)
            if session is None:
                raise SessionInvalid()
            self._live.put(generation, key, session)
        if session.expires_at <= now:
            raise SessionInvalid()
        return session

    def still_live(self, session_id: int) -> bool:
        return self._store.is_live(session_id, self._clock.now())

    def revoke(self, session_id: int) -> bool:
        return self._store.revoke(session_id, self._clock.now())

    def revoke_all(self, user_id: str) -> int:
        return self._store.revoke_all(user_id, self._clock.now())
