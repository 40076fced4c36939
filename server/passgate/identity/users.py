"""Users of a tenant: creation (with a password or an imported hash), look-up
by any identifier, listing for operators, disabling and erasure. The command
line and AdminService both call these, so the two apply the same rules."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import peewee

from passgate.auth.v1.error_reason_pb2 import ErrorReason
from passgate.clock import Clock
from passgate.errors import InvalidRequest, PasswordHashUnsupported, Violation, reason_name
from passgate.identity import events as event_types
from passgate.identity import fields
from passgate.identity.events import Events
from passgate.identity.identifiers import Identifier, IdentifierKind, account_reset_subject
from passgate.identity.imported_hashes import foreign_hash, looks_foreign
from passgate.identity.policy import PasswordPolicy
from passgate.identity.records import NewUser, UserRecord, UserSummary
from passgate.identity.stores import (
    AlreadyExists,
    Locks,
    ResetRequestLog,
    ResetTokenStore,
    SessionStore,
    UserStore,
)
from passgate.mail.stores import OutboxStore
from passgate.store.locking import SqlLocks
from passgate.store.outbox import SqlOutbox
from passgate.store.reset_requests import SqlResetRequests
from passgate.store.reset_tokens import SqlResetTokens
from passgate.store.sessions import SqlSessions
from passgate.store.users import SqlUsers


class Users:
    def __init__(
        self,
        database: peewee.Database,
        clock: Clock,
        store: UserStore | None = None,
        sessions: SessionStore | None = None,
        reset_tokens: ResetTokenStore | None = None,
        *,
        events: Events | None = None,
    ) -> None:
        """`events`: where each change is recorded; the server passes its own
        (which delivers webhooks), the command line gets one of its own."""
        self._db = database
        self._events = events if events is not None else Events(database, clock)
        self._clock = clock
        self._store = store if store is not None else SqlUsers(database)
        self._sessions = sessions if sessions is not None else SqlSessions(database)
        self._reset_tokens = reset_tokens if reset_tokens is not None else SqlResetTokens(database)
        self._reset_requests: ResetRequestLog = SqlResetRequests(database)
        self._outbox: OutboxStore = SqlOutbox(database)
        self._locks: Locks = SqlLocks(database)

    def find(self, tenant_id: str, identifier: Identifier) -> UserRecord | None:
        if identifier.kind is IdentifierKind.EMAIL:
            return self._store.by_email(tenant_id, identifier.lookup_key)
        if identifier.kind is IdentifierKind.USERNAME:
            return self._store.by_username(tenant_id, identifier.lookup_key)
        return self._store.by_search_key(tenant_id, identifier.schema_name, identifier.value)

    def get(self, user_id: str) -> UserRecord | None:
        return self._store.get(user_id)

    def matching(self, text: str, tenant_id: str | None = None) -> list[UserSummary]:
        """Users whose id, e-mail or username is `text` (in one tenant or in all)."""
        return self._store.matching(
            text, fields.email_key(text), fields.username_key(text), tenant_id
        )

    def with_search_key(
        self, schema_name: str, value: str, tenant_id: str | None = None
    ) -> list[UserSummary]:
        return self._store.with_search_key(schema_name, value, tenant_id)

    def page(self, tenant_id: str | None, after: str | None, limit: int) -> list[UserSummary]:
        """Up to `limit` users ordered by id, from after the id `after`."""
        return self._store.page(tenant_id, after, limit)

    def summary(self, user_id: str) -> UserSummary | None:
        return self._store.summary(user_id)

    def page_by_age(
        self, tenant_id: str, disabled: bool | None, after: tuple[float, str] | None, limit: int
    ) -> list[UserSummary]:
        """Up to `limit` users of a tenant, oldest first, after (created_at, id) `after`."""
        return self._store.page_by_age(tenant_id, disabled, after, limit)

    def search_keys_of(self, user_ids: list[str]) -> dict[str, dict[str, str]]:
        return self._store.search_keys_of(user_ids)

    def register(
        self,
        tenant_id: str,
        email: str,
        *,
        password: str | None = None,
        password_hash: str | None = None,
        username: str | None = None,
        search_keys: dict[str, str] | None = None,
        policy: PasswordPolicy,
        hash_password: Callable[[str], str],
        import_problem: Callable[[str], str | None],
    ) -> str:
        """A new user with a first password (checked by `policy`, then hashed by
        `hash_password`) or a hash imported from another system (refused with the
        reason `import_problem` gives: `PasswordHasher.import_problem`): exactly one.
        Every broken rule is reported at once; nothing is hashed
        before the request is known to be good."""
        if (password is None) == (password_hash is None):
            raise InvalidRequest(
                [
                    Violation(
                        "credential",
                        reason_name(ErrorReason.FIELD_REQUIRED),
                        "Give exactly one of password and password_hash.",
                    )
                ]
            )
        problems = self.problems(email, username, search_keys or {})
        if password_hash is not None:
            why = import_problem(password_hash)
            if why is not None:
                unsupported = PasswordHashUnsupported(why)
                if not problems:  # the hash alone: its own reason in the ErrorInfo too
                    raise unsupported
                problems += unsupported.violations
        else:
            assert password is not None
            problems += fields.required("password", password) or policy.check(
                password, field="password", email=email, username=username
            )
        if problems:
            raise InvalidRequest(problems)
        hashed = hash_password(password) if password is not None else password_hash
        assert hashed is not None
        with self._db.atomic():
            user_id = self.create(tenant_id, email, hashed, username, search_keys)
            facts = {} if password_hash is None else {"hash": _hash_kind(password_hash)}
            self._events.record(event_types.USER_CREATED, tenant_id, user_id, facts)
        return user_id

    @staticmethod
    def problems(email: str, username: str | None, search_keys: dict[str, str]) -> list[Violation]:
        """The broken rules of a new user's identifiers."""
        problems = fields.email("email", email)
        if username is not None:
            problems += fields.new_username("username", username)
        for name, value in search_keys.items():
            problems += fields.schema_name("search_key.schema_name", name)
            problems += fields.bounded_text("search_key.value", value, fields.MAX_SEARCH_VALUE)
        return problems

    def create(
        self,
        tenant_id: str,
        email: str,
        password_hash: str,
        username: str | None = None,
        search_keys: dict[str, str] | None = None,
    ) -> str:
        """Adds a user; refuses identifiers already taken in the tenant."""
        problems = self.problems(email, username, search_keys or {})
        if problems:
            raise InvalidRequest(problems)
        user = NewUser(
            id=str(uuid.uuid4()),
            tenant_id=tenant_id,
            email=email,
            email_key=fields.email_key(email),
            username=username,
            username_key=None if username is None else fields.username_key(username),
            password_hash=password_hash,
            created_at=self._clock.now(),
        )
        try:
            self._store.insert(user, search_keys or {})
        except AlreadyExists:
            raise InvalidRequest(
                [
                    Violation(
                        "identifier",
                        reason_name(ErrorReason.IDENTIFIER_TAKEN),
                        "A user with this identifier exists.",
                    )
                ]
            ) from None
        return user.id

    def set_disabled(self, user_id: str, disabled: bool) -> bool:
        """Disables (ending every session and reset token) or re-enables a user;
        False if there is no such user. A user already in that state is left as
        is, with no event: the log records changes, not requests."""
        with self._db.atomic():
            # The row is taken first, as every change of the user's sessions does,
            # so the state read here is the one the update replaces.
            self._locks.lock_user(user_id)
            user = self._store.get(user_id)
            if user is None:
                return False
            if user.disabled == disabled:
                return True
            self._store.set_disabled(user_id, disabled)
            if disabled:
                now = self._clock.now()
                revoked = self._sessions.revoke_all(user_id, now)
                self._reset_tokens.end_all(user_id, now)
                facts = {"sessions_revoked": revoked}
                self._events.record(event_types.USER_DISABLED, user.tenant_id, user_id, facts)
            else:
                self._events.record(event_types.USER_ENABLED, user.tenant_id, user_id)
        return True

    def delete(self, user_id: str) -> UserRecord | None:
        """Erases the user and everything passgate holds of them: sessions, reset
        tokens, the reset requests counted against the account, the mail about
        them still in the outbox (and the record of mail sent), search keys, the
        row. None if there is no such user.

        One transaction, the user's row locked first as every change of their
        sessions and tokens does: a sign-in or a reset racing the erasure either
        committed before (and its rows are erased here) or waits and then finds
        no user. Deleting sessions fires the revocation signal, so every process
        refuses them at once."""
        with self._db.atomic():
            self._locks.lock_user(user_id)
            user = self._store.get(user_id)
            if user is None:
                return None
            self._sessions.delete_all(user_id)
            self._reset_tokens.delete_all(user_id)
            self._reset_requests.forget(account_reset_subject(user.tenant_id, user_id))
            self._outbox.erase_for_user(user_id)
            self._store.delete(user_id)
            self._events.record(event_types.USER_DELETED, user.tenant_id, user_id)
        return user


def _hash_kind(stored: str) -> str:
    """What a user.created event says of an imported hash: its kind, never the hash."""
    return foreign_hash(stored).kind if looks_foreign(stored) else "bcrypt"
