"""Seeing and ending sessions by their public ids: a signed-in user their own.

Each ending is one method and one transaction, which first holds the user's
row (`Locks.lock_user`, as a password change, a reset and a disabling do):
none of those may interleave with it. The user's session the call came with
is checked again under that lock, so a session another call has just ended
(a password change) ends nothing more. The ending itself is the UPDATE of
`revoked_at` SignOut makes, so every process refuses the session at its next
call (the revocation signal, `store/revocations.py`)."""

from __future__ import annotations

import peewee

from passgate.errors import SessionInvalid, SessionNotFound
from passgate.identity.records import LiveSession, SessionSummary
from passgate.identity.sessions import Sessions
from passgate.identity.stores import Locks


class UserSessions:
    def __init__(self, database: peewee.Database, sessions: Sessions, locks: Locks) -> None:
        self._db = database
        self._sessions = sessions
        self._locks = locks

    # --- the signed-in user ----------------------------------------------------

    def own(self, tenant_id: str, token: str) -> tuple[int, list[SessionSummary]]:
        """The id of the session behind `token`, and its user's live sessions, newest first."""
        caller = self._sessions.verify(tenant_id, token)
        return caller.id, self._sessions.live_of_user(caller.user_id)

    def revoke_own(self, tenant_id: str, token: str, public_id: str) -> None:
        """Ends one of the caller's own live sessions; another user's answers as
        an unknown one does (SessionNotFound)."""
        caller = self._sessions.verify(tenant_id, token)
        with self._db.atomic():
            self._hold(caller)
            if not self._sessions.revoke_listed(caller.user_id, public_id):
                raise SessionNotFound(public_id)

    def sign_out_everywhere(self, tenant_id: str, token: str, keep_current: bool) -> int:
        """Ends every live session of the caller's user, or every one but the
        caller's; returns how many ended."""
        caller = self._sessions.verify(tenant_id, token)
        with self._db.atomic():
            self._hold(caller)
            if keep_current:
                return self._sessions.revoke_all_but(caller.user_id, caller.id)
            return self._sessions.revoke_all(caller.user_id)

    def _hold(self, caller: LiveSession) -> None:
        """The user's row, held until the transaction ends; the caller's session
        must still be live under it."""
        self._locks.lock_user(caller.user_id)
        if not self._sessions.still_live(caller.id):
            raise SessionInvalid()
