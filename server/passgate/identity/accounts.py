"""The account flows behind the RPCs: sign in, change and reset a password,
sign out, verify a session. Pure domain logic over the store: no protobuf."""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import peewee

from passgate.abandoned_calls import commit_only_if_caller_waits
from passgate.auth.v1.error_reason_pb2 import ErrorReason
from passgate.clock import Clock
from passgate.errors import (
    InvalidCredentials,
    InvalidRequest,
    RateLimited,
    ResetTokenInvalid,
    SessionInvalid,
    Violation,
    reason_name,
)
from passgate.identity import events as event_types
from passgate.identity import fields
from passgate.identity.events import Events
from passgate.identity.hashing import HashPool
from passgate.identity.identifiers import (
    Identifier,
    IdentifierKind,
    account_reset_subject,
    reset_subject,
)
from passgate.identity.policy import PasswordPolicy
from passgate.identity.records import LiveSession, UserRecord
from passgate.identity.sessions import IssuedSession, Sessions
from passgate.identity.stores import (
    Locks,
    ResetRequestLog,
    ResetTokenStore,
    TenantStore,
    UserStore,
)
from passgate.identity.tokens import RESET_PREFIX, new_token, token_hash, well_formed
from passgate.identity.users import Users
from passgate.interceptors.call import current_call
from passgate.limits.throttle import (
    SignInThrottle,
    WrongTokenCounter,
    account_key,
    sign_in_key,
)
from passgate.mail.outbox import Outbox, QueuedReset, ResetRequested
from passgate.store.locking import SqlLocks
from passgate.store.reset_requests import SqlResetRequests
from passgate.store.reset_tokens import SqlResetTokens
from passgate.store.tenants import SqlTenants
from passgate.store.users import SqlUsers

log = logging.getLogger("passgate.accounts")
MAX_LOGGED_URL = 256  # of a reset_url a caller sent, in the log line that refuses it


@dataclass(frozen=True)
class SignedIn:
    user_id: str
    session: IssuedSession


@dataclass(frozen=True)
class AccountStores:
    """The tables the account flows write beside sessions and the outbox."""

    users: UserStore
    reset_tokens: ResetTokenStore
    reset_requests: ResetRequestLog
    tenants: TenantStore
    locks: Locks

    @classmethod
    def over(cls, database: peewee.Database) -> AccountStores:
        return cls(
            SqlUsers(database),
            SqlResetTokens(database),
            SqlResetRequests(database),
            SqlTenants(database),
            SqlLocks(database),
        )


class Accounts:
    def __init__(
        self,
        *,
        database: peewee.Database,
        clock: Clock,
        hashes: HashPool,
        policy: PasswordPolicy,
        sessions: Sessions,
        users: Users,
        outbox: Outbox,
        events: Events,
        reset_ttl: float,
        default_reset_url: str,
        throttle: SignInThrottle,
        wrong_tokens: WrongTokenCounter,
        resets_per_hour: int = 3,
        stores: AccountStores | None = None,
    ) -> None:
        self._db = database
        stores = stores if stores is not None else AccountStores.over(database)
        self._user_rows = stores.users
        self._reset_tokens = stores.reset_tokens
        self._reset_requests = stores.reset_requests
        self._tenants = stores.tenants
        self._locks = stores.locks
        self._clock = clock
        self._hashes = hashes
        self._policy = policy
        self._sessions = sessions
        self._users = users
        self._outbox = outbox
        self._events = events
        self._reset_ttl = reset_ttl
        self._default_reset_url = default_reset_url
        self._throttle = throttle
        self._wrong_tokens = wrong_tokens
        self._resets_per_hour = resets_per_hour

    # --- sign in -------------------------------------------------------------

    def sign_in(self, tenant_id: str, identifier: Identifier, password: str, peer: str) -> SignedIn:
        """Every failure, and every throttled attempt, costs one bcrypt verification
        and one event; failures answer alike whatever their cause. `peer`: the
        client's address."""
        user = self._users.find(tenant_id, identifier)
        user_id = None if user is None else user.id
        throttle_key = sign_in_key(tenant_id, user_id, identifier)
        facts: dict[str, object] = {"identifier": identifier.kind.value}
        try:
            attempt = self._throttle.attempt(throttle_key)
        except RateLimited as refused:
            self._hashes.burn(password)
            facts["retry_after"] = round(refused.retry_after, 3)
            self._events.record_alone(event_types.SIGN_IN_THROTTLED, tenant_id, user_id, facts)
            raise
        with attempt:
            if user is None or user.disabled:
                self._hashes.burn(password)
                facts["reason"] = "unknown_account" if user is None else "user_disabled"
                self._events.record_alone(event_types.SIGN_IN_FAILED, tenant_id, user_id, facts)
                raise InvalidCredentials()
            if not self._hashes.verify(password, user.password_hash):
                facts["reason"] = "wrong_password"
                self._events.record_alone(event_types.SIGN_IN_FAILED, tenant_id, user_id, facts)
                raise InvalidCredentials()
            session = self._issue_for_password(tenant_id, user, password, peer, facts)
            attempt.succeeded()
        self._upgrade_hash(user, password)
        return SignedIn(user.id, session)

    def _issue_for_password(
        self, tenant_id: str, user: UserRecord, password: str, peer: str, facts: dict[str, object]
    ) -> IssuedSession:
        """A session, only if the hash `password` was verified against is still
        the user's: a sign-in that raced a password change or reset must not
        outlive it. If the hash did change, the password is checked against the
        new one (a re-hash at a new cost keeps it valid)."""
        verified = user.password_hash
        for _ in range(3):
            with self._db.atomic():
                # The users row must not change between this read and the insert:
                # the row is held (a change in progress is waited for and then
                # read; a later one waits for this insert, then revokes it).
                current = self._user_rows.get_held(user.id)
                if current is None or current.disabled:
                    raise InvalidCredentials()
                if current.password_hash == verified:
                    session = self._sessions.issue(tenant_id, user.id, peer)
                    self._events.record(event_types.SIGN_IN_SUCCEEDED, tenant_id, user.id, facts)
                    commit_only_if_caller_waits()
                    return session
            if not self._hashes.verify(password, current.password_hash):
                raise InvalidCredentials()
            verified = current.password_hash
        raise InvalidCredentials()

    def _upgrade_hash(self, user: UserRecord, password: str) -> None:
        """Re-hashes at the configured cost after a successful check, if needed;
        only if no change replaced the hash meanwhile (a conditional update)."""
        if not self._hashes.hasher.needs_rehash(user.password_hash):
            return
        upgraded = self._hashes.hash(password)
        with self._db.atomic():
            self._user_rows.replace_hash(user.id, user.password_hash, upgraded)

    # --- sessions ------------------------------------------------------------

    def verify_session(self, tenant_id: str, token: str) -> LiveSession:
        return self._sessions.verify(tenant_id, token)

    def sign_out(self, tenant_id: str, token: str) -> None:
        session = self._sessions.verify(tenant_id, token)
        with self._db.atomic():
            if not self._sessions.revoke(session.id):
                raise SessionInvalid()
            facts = {"reason": "sign_out"}
            public_id = self._sessions.public_id(session.id)
            if public_id:
                facts["session_id"] = public_id
            self._events.record(event_types.SESSION_REVOKED, tenant_id, session.user_id, facts)

    # --- change password -----------------------------------------------------

    def change_password(
        self, tenant_id: str, token: str, old: str, new: str, confirm: str, *, peer: str
    ) -> IssuedSession:
        """The fresh session it issues names `peer`, the client's address, as a sign-in's does."""
        session = self._sessions.verify(tenant_id, token)
        user = self._users.get(session.user_id)
        if user is None or user.disabled:
            raise SessionInvalid()
        problems = fields.required("old_password", old)
        problems += self._new_password_problems(new, user)
        if not _same_password(new, confirm):
            problems.append(
                Violation(
                    "confirm_password",
                    reason_name(ErrorReason.PASSWORD_MISMATCH),
                    "The two password fields didn't match.",
                )
            )
        elif new and _same_password(new, old):
            problems.append(
                Violation(
                    "new_password",
                    reason_name(ErrorReason.PASSWORD_UNCHANGED),
                    "The new password must differ from the old one.",
                )
            )
        if problems:
            raise InvalidRequest(problems)
        with self._throttle.attempt(account_key(tenant_id, user.id)) as attempt:
            if self._hashes.verify(old, user.password_hash):
                attempt.succeeded()
            elif self._sessions.still_live(session.id):
                raise InvalidCredentials("Your old password was entered incorrectly.")
            else:
                # A concurrent change of this user won while the hash was read: it
                # revoked this session, and its new hash is what failed. The caller
                # typed the right password; no failure counts against the account.
                attempt.undecided()
        if not attempt.passed:
            raise SessionInvalid()
        return self._replace_password(tenant_id, session, user.password_hash, old, new, peer=peer)

    def _new_password_problems(self, new: str, user: UserRecord | None) -> list[Violation]:
        if not new:
            return fields.required("new_password", new)
        return self._policy.check(
            new,
            field="new_password",
            email=None if user is None else user.email,
            username=None if user is None else user.username,
        )

    def _replace_password(
        self,
        tenant_id: str,
        session: LiveSession,
        verified: str,
        old: str,
        new: str,
        *,
        peer: str,
    ) -> IssuedSession:
        """The new password and a fresh session, if `session` is still live and
        `old` still matches the user's hash: of concurrent changes (or a change
        and a reset) only the first to lock the user's row gets through; it
        revokes the session the others came with, and they find it revoked."""
        new_hash = self._hashes.hash(new)
        for _ in range(3):
            with self._db.atomic():
                # Two changes (or a change and a reset) of one user must not interleave:
                # the first to lock the row revokes the session the other came with.
                # On SQLite the IMMEDIATE transaction already holds the write lock.
                self._locks.lock_user(session.user_id)
                current = self._user_rows.get(session.user_id)
                if current is None or current.disabled or not self._sessions.still_live(session.id):
                    raise SessionInvalid()
                if current.password_hash == verified:
                    revoked = self._set_password(session.user_id, new_hash)
                    issued = self._sessions.issue(tenant_id, session.user_id, peer)
                    self._events.record(
                        event_types.PASSWORD_CHANGED,
                        tenant_id,
                        session.user_id,
                        {"sessions_revoked": revoked},
                    )
                    commit_only_if_caller_waits()
                    return issued
            # Re-hashed meanwhile without ending the session (a sign-in at a new cost):
            # `old` is checked again, outside the transaction, as bcrypt is slow.
            if not self._hashes.verify(old, current.password_hash):
                raise InvalidCredentials("Your old password was entered incorrectly.")
            verified = current.password_hash
        raise SessionInvalid()

    def _set_password(self, user_id: str, new_hash: str) -> int:
        """New hash, every session revoked, every reset token dead: one transaction's
        writes, made after the caller locked the user's row; the sessions revoked."""
        now = self._clock.now()
        self._user_rows.set_password(user_id, new_hash, now)
        revoked = self._sessions.revoke_all(user_id)
        self._reset_tokens.end_all(user_id, now)
        return revoked

    # --- reset ---------------------------------------------------------------

    def request_reset(
        self,
        tenant_id: str,
        identifier: Identifier,
        reset_url: str | None,
        template: str | None,
        *,
        prevent_webhook: bool = False,
    ) -> None:
        """Records the request, sealed, for the mail worker to resolve (`resolve_reset`).

        The same statements run whoever the request names, or whether it names
        anyone: one insert, committed before the caller hears back, so no
        request is lost to a crash after the answer. Its event is recorded when
        the worker resolves it, with the caller's key and address carried here.
        """
        call = current_call.get(None)
        request = ResetRequested(
            identifier_kind=identifier.kind.value,
            identifier=identifier.value,
            schema_name=identifier.schema_name,
            reset_url=reset_url,
            template=template,
            key_id=None if call is None or call.api_key is None else call.api_key.id,
            peer=None if call is None else call.forwarded_client or call.peer,
            prevent_webhook=prevent_webhook,
        )
        with self._db.atomic():
            self._outbox.add_reset_request(tenant_id, request)

    def resolve_reset(self, message_id: int, tenant_id: str, request: ResetRequested) -> None:
        """On the mail worker: gives the user the request names, if enabled and within
        the hourly e-mail budget, a new token (ending the older ones) and queues its
        e-mail.

        One transaction: marking the request resolved (a conditional update,
        which only one worker wins), counting the account's recent e-mails and
        replacing its token must not interleave with another request for the
        same account, so the subject's lock is taken before the count.
        """
        identifier = Identifier(
            IdentifierKind(request.identifier_kind), request.identifier, request.schema_name
        )
        base = self._reset_base(tenant_id, request.reset_url)
        with self._db.atomic():
            if not self._outbox.mark_sent(message_id):
                return  # another worker resolved it
            user = self._users.find(tenant_id, identifier)
            subject = reset_subject(tenant_id, None if user is None else user.id, identifier)
            # Two requests for one subject must not both count the same recent
            # e-mails and both queue one: the count, the insert and the token
            # replacement below run under the subject's lock (on SQLite the
            # IMMEDIATE transaction already holds the write lock).
            self._locks.lock_reset_subject(subject)
            now = self._clock.now()
            recent = self._reset_requests.queued_since(subject, now - 3600.0)
            queue = user is not None and not user.disabled and recent < self._resets_per_hour
            self._reset_requests.add(tenant_id, subject, now, queue)
            if user is not None and not user.disabled and not queue:
                # Operators can see why no mail came; the address never reaches the log.
                log.info(
                    "reset e-mail withheld: the account's hourly budget is spent",
                    extra={
                        "fields": {
                            "event": "reset_withheld",
                            "tenant": tenant_id,
                            "user_id": user.id,
                            "resets_per_hour": self._resets_per_hour,
                        }
                    },
                )
            if queue and user is not None:
                self._queue_reset_mail(user, base, request.template, now)
            self._record_reset_request(tenant_id, user, request, queued=queue)

    def send_reset_email(
        self, user_id: str, reset_url: str | None, template: str | None
    ) -> UserRecord | None:
        """An operator's reset e-mail to a user: queued at once, as a resolved
        RequestReset queues it, without the hourly budget; None if there is no
        such user. The account's reset-subject lock is taken as `resolve_reset`
        takes it, so the two never leave two live tokens."""
        with self._db.atomic():
            user = self._users.get(user_id)
            if user is None:
                return None
            self._locks.lock_reset_subject(account_reset_subject(user.tenant_id, user.id))
            base = self._reset_base(user.tenant_id, reset_url)
            self._queue_reset_mail(user, base, template, self._clock.now())
            self._events.record(event_types.USER_RESET_SENT, user.tenant_id, user.id)
        return user

    def _queue_reset_mail(
        self, user: UserRecord, base: str, template: str | None, now: float
    ) -> None:
        """A new token (ending the user's older ones) and its e-mail in the outbox;
        inside the caller's transaction."""
        self._reset_tokens.end_all(user.id, now)
        token = new_token(RESET_PREFIX)
        self._reset_tokens.insert(token_hash(token), user.id, now, now + self._reset_ttl)
        self._outbox.add_reset(
            user.tenant_id,
            user.id,
            QueuedReset(
                to_address=user.email,
                reset_link=reset_link(base, user.id, token),
                expires_minutes=max(1, round(self._reset_ttl / 60)),
                tenant_name=self._tenant_name(user.tenant_id),
                template=template,
            ),
        )

    def _record_reset_request(
        self, tenant_id: str, user: UserRecord | None, request: ResetRequested, *, queued: bool
    ) -> None:
        """The request's event, whether its e-mail went out and why not: for
        admins only; the caller's answer never said."""
        if queued:
            facts: dict[str, object] = {"mail": "sent"}
        elif user is None:
            facts = {"mail": "none", "reason": "unknown_account"}
        elif user.disabled:
            facts = {"mail": "none", "reason": "user_disabled"}
        else:
            facts = {"mail": "withheld", "reason": "resets_per_hour"}
        facts["identifier"] = request.identifier_kind
        self._events.record(
            event_types.RESET_REQUESTED,
            tenant_id,
            None if user is None else user.id,
            facts,
            webhook=not request.prevent_webhook,
            key_id=request.key_id,
            peer=request.peer,
        )

    def _reset_base(self, tenant_id: str, requested: str | None) -> str:
        """The request's reset_url only if the tenant allows it; else the configured
        default, with a log line saying so: a developer trying their own reset page
        learns why its address is not in the mail."""
        if requested:
            tenant = self._tenants.get(tenant_id)
            if tenant is not None and requested in tenant.reset_urls:
                return requested
            log.info(
                "reset_url not on the tenant's allow-list: the link uses the default",
                extra={
                    "fields": {
                        "event": "reset_url_not_allowed",
                        "tenant": tenant_id,
                        "reset_url": requested[:MAX_LOGGED_URL],
                        "default": self._default_reset_url,
                        "allow": f"passgate tenant allow-reset-url URL --tenant {tenant_id}",
                    }
                },
            )
        return self._default_reset_url

    def _tenant_name(self, tenant_id: str) -> str:
        tenant = self._tenants.get(tenant_id)
        return tenant_id if tenant is None else tenant.name

    def submit_reset(self, tenant_id: str, user_id: str, token: str, new: str) -> None:
        problems = fields.required("user_id", user_id) + fields.required("token", token)
        if not new:
            problems += fields.required("new_password", new)
        if problems:
            raise InvalidRequest(problems)
        try:
            user = self._live_token_user(tenant_id, user_id, token)
        except ResetTokenInvalid:
            self._count_wrong_token(tenant_id, user_id)
            raise
        problems = self._new_password_problems(new, user)
        if problems:
            raise InvalidRequest(problems)
        new_hash = self._hashes.hash(new)
        with self._db.atomic():
            # Locked first, as a password change does: the two must not interleave
            # (on SQLite the IMMEDIATE transaction already holds the write lock).
            self._locks.lock_user(user.id)
            # Consuming the token is the race's only winner: one row updated.
            if not self._reset_tokens.consume(token_hash(token), user.id, self._clock.now()):
                raise ResetTokenInvalid()
            revoked = self._set_password(user.id, new_hash)
            self._events.record(
                event_types.RESET_COMPLETED, tenant_id, user.id, {"sessions_revoked": revoked}
            )
            commit_only_if_caller_waits()
        self._throttle.clear(account_key(tenant_id, user.id))

    def _count_wrong_token(self, tenant_id: str, user_id: str) -> None:
        """After too many wrong tokens for one user key, that user's live tokens die."""
        if not fields.possible_id(user_id) or not self._wrong_tokens.wrong(tenant_id, user_id):
            return
        with self._db.atomic():
            self._reset_tokens.end_all(user_id, self._clock.now())

    def _live_token_user(self, tenant_id: str, user_id: str, token: str) -> UserRecord:
        if not well_formed(token, RESET_PREFIX) or not fields.possible_id(user_id):
            raise ResetTokenInvalid()
        live = self._reset_tokens.is_live(token_hash(token), user_id, self._clock.now())
        user = self._users.get(user_id) if live else None
        if user is None or user.tenant_id != tenant_id or user.disabled:
            raise ResetTokenInvalid()
        return user


def _same_password(a: str, b: str) -> bool:
    """Whether two inputs are one password: hashes are made of the NFKC form."""
    return unicodedata.normalize("NFKC", a) == unicodedata.normalize("NFKC", b)


def reset_link(base: str, user_id: str, token: str) -> str:
    """`<base>?user=<user_id>&token=<token>`, keeping any query the base already has."""
    scheme, netloc, path, query, fragment = urlsplit(base)
    params = [*parse_qsl(query, keep_blank_values=True), ("user", user_id), ("token", token)]
    return urlunsplit((scheme, netloc, path, urlencode(params), fragment))
