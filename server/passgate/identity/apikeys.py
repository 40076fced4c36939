"""API keys: prefixed secrets, stored hashed, owned by a tenant, optionally
limited to some RPCs and given their own budget. Revocation takes effect at
the next call in every process: live keys are kept in a `LiveCache`, which
forgets them all as soon as any key or session is updated or deleted anywhere.

Misses are remembered (a bounded set): a digest that matched no live key never will,
since secrets are drawn by passgate (256 random bits) when a key is made and
revocation is final. A caller retrying a dead key costs no read.

A rotated key ends later: its `revoked_at` is set to the end of the overlap.
Nothing is written at that moment, so no signal tells the caches; instead
every process compares a cached key's `revoked_at` with its clock at each use,
and the database read does the same, so the key dies everywhere on time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import peewee

from passgate.auth.v1 import auth_service_pb2
from passgate.clock import Clock
from passgate.errors import ApiKeyNotFound, InvalidRequest, Violation
from passgate.identity import client_certificates, fields
from passgate.identity import events as event_types
from passgate.identity.events import Events
from passgate.identity.records import ADMIN_SCOPE, ApiKeyRecord
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
MAX_NAME = 128
MAX_OVERLAP = 30 * 86400.0  # the longest a rotated key may keep working beside its successor
# What a key's scopes may name: AuthService's RPCs, and `admin` for AdminService.
RPC_NAMES: tuple[str, ...] = tuple(
    auth_service_pb2.DESCRIPTOR.services_by_name["AuthService"].methods_by_name
)
SCOPE_NAMES: tuple[str, ...] = (*RPC_NAMES, ADMIN_SCOPE)


@dataclass(frozen=True)
class KeyTerms:
    """What a new key is made with, once `key_terms` has checked it."""

    name: str
    scopes: list[str] | None  # None: every AuthService RPC
    rate: Rate | None  # None: the server's --key-rate
    client_cert_subject: str | None  # None: any caller


def key_terms(
    name: str,
    scopes: Sequence[str] | None = None,
    rate: str | None = None,
    client_cert_subject: str | None = None,
) -> KeyTerms:
    """Checks a new key's terms as both `passgate apikey create` and
    AdminService's CreateApiKey take them, so the two give the same answers;
    raises InvalidRequest naming every broken rule at once. None means not
    given. Every scope must name an AuthService RPC or `admin`: an empty one
    names nothing, and a key whose scopes name nothing could call nothing,
    which no one asks for on purpose (`--scopes ,` is a slip)."""
    problems = fields.name("name", name, MAX_NAME)
    if scopes is not None:
        problems += _scope_problems(scopes)
    parsed_rate = None
    if rate is not None:
        try:
            parsed_rate = Rate.parse(rate)
        except ValueError as error:
            problems.append(fields.malformed("rate", str(error)))
    subject = None
    if client_cert_subject is not None:
        try:
            subject = client_certificates.subject(client_cert_subject)
        except ValueError as error:
            problems.append(fields.malformed("client_cert_subject", str(error)))
    if problems:
        raise InvalidRequest(problems)
    return KeyTerms(name, None if scopes is None else list(scopes), parsed_rate, subject)


def _scope_problems(scopes: Sequence[str]) -> list[Violation]:
    valid = f"valid: {', '.join(SCOPE_NAMES)}"
    if not scopes:
        return [fields.malformed("scopes", f"Name at least one scope ({valid}), or none at all.")]
    unknown = sorted(set(scopes) - set(SCOPE_NAMES))
    if not unknown:
        return []
    named = ", ".join(repr(scope) for scope in unknown)
    return [fields.malformed("scopes", f"Unknown scope {named}; {valid}.")]


def overlap_problem(seconds: float) -> str | None:
    """Why `seconds` is no rotation overlap; None when it is one."""
    if 0 <= seconds <= MAX_OVERLAP:
        return None
    return "The overlap must be between 0 and 30 days."


@dataclass(frozen=True)
class Rotated:
    """A rotation's outcome: the successor, its secret (shown only now), and the
    old key as it now is, ending at the end of the overlap."""

    successor: ApiKeyRecord
    secret: str
    previous: ApiKeyRecord


class ApiKeys:
    REFUSED_LIMIT = 4096  # digests remembered as refused; forgotten all at once when full
    LIVE_LIMIT = 4096

    def __init__(
        self,
        database: peewee.Database,
        clock: Clock,
        watch: RevocationWatch | None = None,
        store: ApiKeyStore | None = None,
        events: Events | None = None,
    ) -> None:
        """`events`: where each change is recorded; the server passes its own
        (which delivers webhooks), the command line gets one of its own."""
        self._db = database
        self._events = events if events is not None else Events(database, clock)
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
        Input from outside is checked by `key_terms` first. With
        `client_cert_subject` the key works only over mutual TLS with that
        client certificate."""
        with self._db.atomic():
            record, secret = self._issue(name, tenant_id, scopes, rate, client_cert_subject)
            # scopes null: a key for every AuthService call
            shown = None if record.scopes is None else sorted(record.scopes)
            facts = {"created_key_id": record.id, "scopes": shown}
            self._events.record(event_types.KEY_CREATED, tenant_id, None, facts)
        return record, secret

    def _issue(
        self,
        name: str,
        tenant_id: str,
        scopes: list[str] | None,
        rate: Rate | None,
        client_cert_subject: str | None,
    ) -> tuple[ApiKeyRecord, str]:
        """A new key's row, inside the caller's transaction."""
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

    def list(self, tenant_id: str | None = None) -> list[ApiKeyRecord]:
        """Every key, or a tenant's, oldest first, ended ones included."""
        return self._store.all() if tenant_id is None else self._store.in_tenant(tenant_id)

    def any_usable(self) -> bool:
        """Whether some key is accepted now: a server without one refuses every call."""
        now = self._clock.now()
        return any(not key.ended(now) for key in self._store.all())

    def get(self, key_id: str) -> ApiKeyRecord | None:
        return self._store.get(key_id)

    def revoke(self, key_id: str) -> bool:
        """Ends a live key now (one rotated away included); False if none is live."""
        with self._db.atomic():
            key = self._store.get(key_id)
            if key is None or not self._store.revoke(key_id, self._clock.now()):
                return False
            facts = {"revoked_key_id": key_id}
            self._events.record(event_types.KEY_REVOKED, key.tenant_id, None, facts)
        return True

    def rotate(self, key_id: str, overlap: float) -> Rotated:
        """A successor with the key's tenant, name, scopes, budget and certificate
        binding; the old key works `overlap` seconds more, then is refused.

        One transaction: the old key's end is set only if it had none, so of two
        concurrent rotations one wins (on PostgreSQL the other's update waits for
        the row, then finds the end set) and the other is refused before it makes
        a successor; a successor exists exactly if the old key got its end."""
        now = self._clock.now()
        with self._db.atomic():
            old = self._store.get(key_id)
            # The conditional update holds the old key's row until the end of the transaction.
            if old is None or not self._store.end_at(key_id, now + overlap):
                raise ApiKeyNotFound(key_id)
            successor, secret = self._issue(
                old.name,
                old.tenant_id,
                None if old.scopes is None else sorted(old.scopes),
                old.rate,
                old.client_cert_subject,
            )
            facts = {"old_key_id": key_id, "new_key_id": successor.id, "overlap_seconds": overlap}
            self._events.record(event_types.KEY_ROTATED, old.tenant_id, None, facts)
        return Rotated(successor, secret, replace(old, revoked_at=now + overlap))

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
            if live.revoked_at is not None and live.revoked_at <= self._clock.now():
                self._refuse(digest)  # its overlap ended: dead for good
                return None
            return live
        if not well_formed(secret, API_KEY_PREFIX):
            return None
        record = self._store.live(digest, self._clock.now())
        if record is None:
            self._refuse(digest)
            return None
        self._live.put(generation, digest, record)
        return record

    def _refuse(self, digest: str) -> None:
        if len(self._refused) >= self.REFUSED_LIMIT:
            self._refused.clear()
        self._refused.add(digest)
