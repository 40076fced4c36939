"""Sessions: opaque bearer tokens, stored as hashes, that expire and can be revoked.

Sessions read as live are kept in a `LiveCache` (VerifySession is the call
backends make on every request of theirs); any revocation anywhere empties it,
and expiry is checked on every call.

Each session also has a public id (`ses_…`, drawn at random: neither the
token, nor its hash, nor a count), the address its sign-in came from, and
when it was last used, for users and admins to tell their sessions apart."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import peewee

from passgate.clock import Clock
from passgate.errors import SessionInvalid
from passgate.identity.records import LiveSession, SessionSummary
from passgate.identity.stores import SessionStore
from passgate.identity.tokens import (
    SESSION_ID_PREFIX,
    SESSION_PREFIX,
    new_public_id,
    new_token,
    public_id_well_formed,
    token_hash,
    well_formed,
)
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
        self._db = database
        self._store = store if store is not None else SqlSessions(database)
        self._clock = clock
        self._ttl = ttl
        self._live: LiveCache[tuple[str, str], LiveSession] = LiveCache(watch, self.LIVE_LIMIT)
        # Sessions used since their use was last written (`write_use`), and what
        # adding to it and swapping it for an empty one take turns on.
        self._used: set[int] = set()
        self._used_lock = threading.Lock()

    def issue(self, tenant_id: str, user_id: str, peer: str) -> IssuedSession:
        """Opens a session for a sign-in from `peer` (the client's address);
        joins the caller's transaction if there is one."""
        token = new_token(SESSION_PREFIX)
        now = self._clock.now()
        expires_at = now + self._ttl
        public_id = new_public_id(SESSION_ID_PREFIX)
        self._store.insert(
            token_hash(token), user_id, tenant_id, now, expires_at, public_id=public_id, peer=peer
        )
        return IssuedSession(token, expires_at)

    def verify(self, tenant_id: str, token: str) -> LiveSession:
        """The live session behind `token`, or SessionInvalid (its shape is
        checked only before the database is asked about it).

        Every call that presents a session comes through here, and each counts
        as a use of it. Recording one costs a set insertion, in memory, and
        nothing else: `write_use`, on a background thread, writes the uses."""
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
        with self._used_lock:
            self._used.add(session.id)
        return session

    def write_use(self) -> int:
        """Writes that the sessions used since the last write were used now:
        one transaction of batched UPDATEs; returns how many sessions it named.
        Called every `--session-use-flush` seconds, so a session's last use is
        written at most once per period, and is exact to within one.

        The set is swapped for an empty one under the lock `verify` adds under: one
        reference assignment whatever its size, so the event loop and the offload
        threads, adding to the new one, never wait for a copy or a sort. The old set is
        then this thread's alone. Nothing is sorted: the UPDATE skips rows another
        transaction holds (`SqlSessions.mark_used`), so two processes writing uses
        never wait on each other in a circle. A write that fails puts the uses back."""
        with self._used_lock:
            taken, self._used = self._used, set()
        if not taken:
            return 0
        try:
            with self._db.atomic():
                self._store.mark_used(taken, self._clock.now())
        except BaseException:
            with self._used_lock:
                self._used |= taken
            raise
        return len(taken)

    def still_live(self, session_id: int) -> bool:
        return self._store.is_live(session_id, self._clock.now())

    def live_of_user(self, user_id: str) -> list[SessionSummary]:
        """The user's live sessions, newest first."""
        return self._store.live_of_user(user_id, self._clock.now())

    def revoke(self, session_id: int) -> bool:
        return self._store.revoke(session_id, self._clock.now())

    def public_id(self, session_id: int) -> str:
        """The `ses_…` id ListSessions shows; empty for a session opened without one."""
        return self._store.public_id(session_id)

    def revoke_listed(self, user_id: str, public_id: str) -> bool:
        """Ends the user's live session named `public_id`; False if there is none, as
        for an id passgate never draws (malformed ids answer as unknown ones)."""
        if not public_id_well_formed(public_id, SESSION_ID_PREFIX):
            return False
        return self._store.revoke_listed(user_id, public_id, self._clock.now())

    def revoke_all(self, user_id: str) -> int:
        return self._store.revoke_all(user_id, self._clock.now())

    def revoke_live(self, user_id: str, kept_id: int | None = None) -> int:
        """Ends the user's live sessions, but for `kept_id`; returns how many ended."""
        return self._store.revoke_live(user_id, self._clock.now(), kept_id)
