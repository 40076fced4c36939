"""The sessions table: every statement that reads or writes it."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

import peewee

from passgate.identity.records import LiveSession, SessionSummary
from passgate.store import raw
from passgate.store.locking import for_update_skip_locked

_INSERT = (
    "INSERT INTO sessions (token_hash, public_id, user_id, tenant_id, peer, created_at, "
    "last_used_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_LIVE = (
    "SELECT id, user_id, expires_at FROM sessions "
    "WHERE token_hash = ? AND tenant_id = ? AND revoked_at IS NULL AND expires_at > ?"
)
_IS_LIVE = "SELECT 1 FROM sessions WHERE id = ? AND revoked_at IS NULL AND expires_at > ?"
# Sessions opened by a replica still on a release before migration 8 have no
# public id, peer or last use: they list with empty ones, as opened and not used since.
_LIVE_OF_USER = (
    "SELECT id, COALESCE(public_id, ''), user_id, created_at, "
    "COALESCE(last_used_at, created_at), "
    "expires_at, COALESCE(peer, '') FROM sessions "
    "WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? "
    "ORDER BY created_at DESC, id DESC"
)
_REVOKE = "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"
_PUBLIC_ID = "SELECT COALESCE(public_id, '') FROM sessions WHERE id = ?"
_REVOKE_ALL = "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL"
# Ending a user's live sessions, counted: expired ones (kept until pruned) are left as they are.
_REVOKE_LIVE = (
    "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?"
)
_REVOKE_LIVE_BUT = _REVOKE_LIVE + " AND id <> ?"
_REVOKE_LISTED = (
    "UPDATE sessions SET revoked_at = ? "
    "WHERE public_id = ? AND user_id = ? AND revoked_at IS NULL AND expires_at > ?"
)
# Sets last_used_at alone: the revocation triggers ignore it (migration 8), and
# so does PostgreSQL's count of this process's endings (store/postgresql.py).
# Rows another transaction holds are skipped, never waited for: that one is
# ending the session, or another process is writing its use at this moment; so
# this statement waits for no one and takes part in no deadlock.
_MARK_USED = (
    "UPDATE sessions SET last_used_at = ? WHERE id IN ("
    "SELECT id FROM sessions WHERE id IN ({ids}) AND "
    "(last_used_at IS NULL OR last_used_at < ?){skip_locked})"
)
MARK_USED_BATCH = 500  # ids per statement, well under every engine's parameter limit
_DELETE_ALL = "DELETE FROM sessions WHERE user_id = ?"


class SqlSessions:
    def __init__(self, database: peewee.Database) -> None:
        self._db = database
        self._skip_locked = for_update_skip_locked(database)

    def insert(
        self,
        token_hash: str,
        user_id: str,
        tenant_id: str,
        now: float,
        expires_at: float,
        *,
        public_id: str,
        peer: str,
    ) -> None:
        raw.execute(
            self._db,
            _INSERT,
            (token_hash, public_id, user_id, tenant_id, peer, now, now, expires_at),
        )

    def live(self, token_hash: str, tenant_id: str, now: float) -> LiveSession | None:
        row = raw.execute(self._db, _LIVE, (token_hash, tenant_id, now)).fetchone()
        return None if row is None else LiveSession(int(row[0]), str(row[1]), float(row[2]))

    def is_live(self, session_id: int, now: float) -> bool:
        return raw.execute(self._db, _IS_LIVE, (session_id, now)).fetchone() is not None

    def live_of_user(self, user_id: str, now: float) -> list[SessionSummary]:
        rows = raw.execute(self._db, _LIVE_OF_USER, (user_id, now)).fetchall()
        return [
            SessionSummary(
                id=int(row[0]),
                public_id=str(row[1]),
                user_id=str(row[2]),
                created_at=float(row[3]),
                last_used_at=float(row[4]),
                expires_at=float(row[5]),
                peer=str(row[6]),
            )
            for row in rows
        ]

    def revoke(self, session_id: int, now: float) -> bool:
        return bool(raw.execute(self._db, _REVOKE, (now, session_id)).rowcount == 1)

    def public_id(self, session_id: int) -> str:
        row = raw.execute(self._db, _PUBLIC_ID, (session_id,)).fetchone()
        return "" if row is None else str(row[0])

    def revoke_listed(self, user_id: str, public_id: str, now: float) -> bool:
        """Ends the user's live session named `public_id`; False if there is none."""
        params = (now, public_id, user_id, now)
        return bool(raw.execute(self._db, _REVOKE_LISTED, params).rowcount == 1)

    def revoke_all(self, user_id: str, now: float) -> int:
        return int(raw.execute(self._db, _REVOKE_ALL, (now, user_id)).rowcount)

    def revoke_live(self, user_id: str, now: float, kept_id: int | None = None) -> int:
        """Ends the user's live sessions, but for `kept_id`; returns how many ended."""
        if kept_id is None:
            return int(raw.execute(self._db, _REVOKE_LIVE, (now, user_id, now)).rowcount)
        params = (now, user_id, now, kept_id)
        return int(raw.execute(self._db, _REVOKE_LIVE_BUT, params).rowcount)

    def mark_used(self, session_ids: Iterable[int], now: float) -> None:
        """Sets the last use of these sessions to `now`, never back in time."""
        remaining = iter(session_ids)
        while batch := list(islice(remaining, MARK_USED_BATCH)):
            sql = _MARK_USED.format(ids=", ".join("?" * len(batch)), skip_locked=self._skip_locked)
            raw.execute(self._db, sql, (now, *batch, now))

    def delete_all(self, user_id: str) -> int:
        """Erases every session of the user, live or not (the revocation signal fires)."""
        return int(raw.execute(self._db, _DELETE_ALL, (user_id,)).rowcount)
