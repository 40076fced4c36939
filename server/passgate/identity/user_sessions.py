"""Seeing and ending sessions by their public ids: a signed-in user their own,
an admin those of any user in a tenant its key may administer.

Each ending is one method and one transaction, which first holds the user's
row (`Locks.lock_user`, as a password change, a reset and a disabling do):
none of those may interleave with it. The user's session the call came with
is checked again under that lock, so a session another call has just ended
(a password change) ends nothing more. The ending itself is the UPDATE of
`revoked_at` SignOut makes, so every process refuses the session at its next
call (the revocation signal, `store/revocations.py`)."""

from __future__ import annotations

import peewee

from passgate.errors import SessionInvalid, SessionNotFound, UserNotFound
from passgate.identity import events as event_types
from passgate.identity import fields
from passgate.identity.events import Events
from passgate.identity.records import ApiKeyRecord, LiveSession, SessionSummary, UserRecord
from passgate.identity.sessions import Sessions
from passgate.identity.stores import Locks, UserStore


class UserSessions:
    def __init__(
        self,
        database: peewee.Database,
        sessions: Sessions,
        users: UserStore,
        locks: Locks,
        events: Events,
    ) -> None:
        """`events`: each ending is recorded as session.revoked in its transaction."""
        self._db = database
        self._events = events
        self._sessions = sessions
        self._users = users
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
            self._ended(tenant_id, caller.user_id, {"by": "user", "session_id": public_id})

    def sign_out_everywhere(self, tenant_id: str, token: str, keep_current: bool) -> int:
        """Ends every live session of the caller's user, or every one but the
        caller's; returns how many ended."""
        caller = self._sessions.verify(tenant_id, token)
        with self._db.atomic():
            self._hold(caller)
            ended = self._sessions.revoke_live(caller.user_id, caller.id if keep_current else None)
            self._ended(tenant_id, caller.user_id, {"by": "user", "sessions_revoked": ended})
            return ended

    def _hold(self, caller: LiveSession) -> None:
        """The user's row, held until the transaction ends; the caller's session
        must still be live under it."""
        self._locks.lock_user(caller.user_id)
        if not self._sessions.still_live(caller.id):
            raise SessionInvalid()

    # --- an admin ----------------------------------------------------------------

    def of_user(self, admin: ApiKeyRecord, user_id: str) -> list[SessionSummary]:
        """The user's live sessions, newest first."""
        self._administered(admin, user_id)
        return self._sessions.live_of_user(user_id)

    def revoke_of_user(self, admin: ApiKeyRecord, user_id: str, public_id: str) -> None:
        with self._db.atomic():
            user = self._administered(admin, user_id, hold=True)
            if not self._sessions.revoke_listed(user_id, public_id):
                raise SessionNotFound(public_id)
            self._ended(user.tenant_id, user_id, {"by": "admin", "session_id": public_id})

    def revoke_all_of_user(self, admin: ApiKeyRecord, user_id: str) -> int:
        with self._db.atomic():
            user = self._administered(admin, user_id, hold=True)
            ended = self._sessions.revoke_live(user_id)
            self._ended(user.tenant_id, user_id, {"by": "admin", "sessions_revoked": ended})
            return ended

    def _ended(self, tenant_id: str, user_id: str, facts: dict[str, object]) -> None:
        """The ending's event, in its transaction; none when nothing ended."""
        if facts.get("sessions_revoked", 1):
            self._events.record(event_types.SESSION_REVOKED, tenant_id, user_id, facts)

    def _administered(self, admin: ApiKeyRecord, user_id: str, *, hold: bool = False) -> UserRecord:
        """UserNotFound unless the user exists in a tenant `admin` may
        administer: the same answer for both. With `hold`, the user's row is then
        held until the transaction ends.

        The tenant is checked before the row is locked: an admin of another tenant
        must not wait on this user's locks (a password change in progress), or its
        answer would take longer than for an unknown id. A user erased between the
        read and the lock is found missing when read again under it."""
        if not fields.possible_id(user_id):
            raise UserNotFound(user_id)
        user = self._users.get(user_id)
        if user is None or not admin.may_administer(user.tenant_id):
            raise UserNotFound(user_id)
        if hold:
            self._locks.lock_user(user_id)
            user = self._users.get(user_id)
            if user is None:
                raise UserNotFound(user_id)
        return user
