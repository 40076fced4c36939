"""Password hashing: bcrypt behind a keyed pre-hash, with imported bcrypt hashes still accepted.

bcrypt reads at most 72 bytes and pyca/bcrypt 5 raises beyond that, so passgate never feeds it
the password itself: it feeds it base64(HMAC-SHA256(key, NFKC(password))), 44 ASCII bytes with
no NUL, whatever the password's length. Such hashes are stored as ``pg1$`` + the bcrypt string so
they can never be mistaken for plain bcrypt hashes imported from another system, which are
verified against the normalised password itself.
"""

from __future__ import annotations

import base64
import hmac
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Final

import bcrypt

from passgate.identity.bcrypt_backends import (
    Bcrypt,
    InterleavedBcrypt,
    PycaBcrypt,
    fastest_bcrypt,
)
from passgate.identity.imported_hashes import UnsupportedHash, foreign_hash, looks_foreign

__all__ = [
    "DEFAULT_COST",
    "IMPORTED_COST_MARGIN",
    "MAX_COST",
    "MAX_HASH_LENGTH",
    "MIN_COST",
    "SCHEME_PREFIX",
    "TESTING_COST",
    "BcryptCheck",
    "PasswordHasher",
]

MIN_COST: Final = 4
MAX_COST: Final = 31
DEFAULT_COST: Final = 12
TESTING_COST: Final = MIN_COST
"""Only for tests: bcrypt's cheapest cost, so suites that hash thousands of passwords stay fast."""

IMPORTED_COST_MARGIN: Final = 2
"""How far above the configured cost an imported bcrypt hash may be: each step doubles the work,
so one at +2 costs four sign-ins. Without a cap a cost of 31 (about 50 hours) lets one admin key
hold every hash-pool thread, and with them every tenant's sign-ins, with a few wrong passwords."""

MAX_HASH_LENGTH: Final = 128
"""The longest stored hash: the users.password_hash column's width."""

log = logging.getLogger("passgate.passwords")

SCHEME_PREFIX: Final = "pg1$"
"""Marks passgate's pre-hashed bcrypt strings; the version lets a future scheme sit beside it."""

_PREHASH_KEY: Final = b"passgate/password/v1"
"""The HMAC key of the pre-hash: a public domain-separation constant, deliberately not a secret.

A plain SHA-256 pre-hash would let anyone holding a leaked unsalted SHA-256 list test it
against our bcrypt hashes directly ("hash shucking"); keying the pre-hash with a constant unique
to passgate makes our bcrypt inputs match no other system's digests. A secret pepper is left out
on purpose: it would be one more secret to guard and rotate, and losing it would make every
stored hash unverifiable at once.
"""

_BCRYPT_LIMIT: Final = 72
_LEGACY_PREFIXES: Final = ("$2a$", "$2b$", "$2y$")
# Modular crypt format: $2<variant>$<two-digit cost>$<22-char salt><31-char digest>. The salt's
# last character carries 2 bits of 6, so bcrypt accepts only the four with the other 4 bits zero.
_BCRYPT_FORMAT: Final = re.compile(
    r"\$2[aby]\$([0-9]{2})\$[./A-Za-z0-9]{21}[.Oeu][./A-Za-z0-9]{31}"
)
_DUMMY_SECRET: Final = b"passgate/burn/v1"
_REFERENCE: Final = PycaBcrypt()
_PREHASH_LENGTH: Final = 44
_PRINTABLE_ASCII: Final = re.compile(r"[!-~]+")


@dataclass(frozen=True, slots=True)
class BcryptCheck:
    """The one bcrypt computation a verification (or a burn) spends, planned apart from
    running it, so that a pool can hand several to an interleaved implementation at once.

    `counts` is False for a burn: its answer is False whatever bcrypt says. `prehash` is
    what is burnt instead when the implementation refuses the hash before any work.
    `cheaper`: the hash costs less than the configured work, so a failure also spends a
    burn, and a wrong password takes no less time than an unknown user. `interleaved`:
    `implementation` is an `InterleavedBcrypt`, asked once per hasher, not per check
    (an isinstance against a runtime-checkable Protocol costs some 19 µs, and a pool
    asks `shares_lanes` at least twice a check)."""

    secret: bytes
    hashed: bytes
    implementation: Bcrypt
    prehash: bytes
    counts: bool = True
    cheaper: bool = False
    interleaved: bool = False

    @property
    def shares_lanes(self) -> bool:
        """Whether this check may run in an interleaved implementation's lanes beside
        others (of any cost): passgate's own `$2b$` hash of a pre-hash. Imported hashes,
        other variants and raw secrets run alone, as before."""
        return (
            self.interleaved
            and self.hashed.startswith(b"$2b$")
            and len(self.secret) == _PREHASH_LENGTH
        )


def _normalise(password: str) -> bytes:
    """NFKC then UTF-8; ``surrogatepass`` keeps lone surrogates distinct instead of raising."""
    return unicodedata.normalize("NFKC", password).encode("utf-8", "surrogatepass")


def _prehash(normalised: bytes) -> bytes:
    return base64.b64encode(hmac.digest(_PREHASH_KEY, normalised, "sha256"))


def _bcrypt_cost(hashed: str) -> int | None:
    """The cost of a well-formed bcrypt string, or None when it is not one bcrypt accepts."""
    match = _BCRYPT_FORMAT.fullmatch(hashed)
    if match is None:
        return None
    cost = int(match.group(1))
    return cost if MIN_COST <= cost <= MAX_COST else None


class PasswordHasher:
    """Hashes and verifies passwords at one bcrypt cost, checked once here rather than per call.

    ``verify`` and ``burn`` never raise and always spend one bcrypt computation, so neither a
    malformed stored hash nor an unknown user answers faster than a wrong password.
    """

    __slots__ = ("_bcrypt", "_cost", "_dummy_hash", "_dummy_lock", "_interleaved", "_warned")

    def __init__(self, cost: int = DEFAULT_COST, backend: Bcrypt | None = None) -> None:
        """`backend`: the bcrypt implementation for passgate's own hashes; by
        default the fastest one that agrees with pyca/bcrypt (bcrypt_backends)."""
        if isinstance(cost, bool) or not isinstance(cost, int):
            raise TypeError(f"bcrypt cost must be an int, not {type(cost).__name__}")
        if not MIN_COST <= cost <= MAX_COST:
            raise ValueError(f"bcrypt cost must be between {MIN_COST} and {MAX_COST}, not {cost}")
        self._cost = cost
        self._bcrypt = backend or fastest_bcrypt()
        self._interleaved = isinstance(self._bcrypt, InterleavedBcrypt)
        self._dummy_hash: bytes | None = None
        self._dummy_lock = threading.Lock()
        self._warned = False

    @property
    def cost(self) -> int:
        return self._cost

    @property
    def max_imported_cost(self) -> int:
        """The highest cost of an imported bcrypt hash this hasher verifies (or imports)."""
        return min(self._cost + IMPORTED_COST_MARGIN, MAX_COST)

    def __repr__(self) -> str:
        return f"PasswordHasher(cost={self._cost}, backend={self._bcrypt.name!r})"

    @property
    def backend(self) -> str:
        """The name of the bcrypt implementation in use."""
        return self._bcrypt.name

    @property
    def implementation(self) -> Bcrypt:
        """The bcrypt implementation for passgate's own hashes."""
        return self._bcrypt

    def hash(self, password: str) -> str:
        """A new ``pg1$`` hash of ``password``; any length and any character is accepted."""
        secret = _prehash(_normalise(password))
        hashed = self._bcrypt.hashpw(secret, bcrypt.gensalt(self._cost))
        return SCHEME_PREFIX + hashed.decode("ascii")

    def verify(self, password: str, stored: str) -> bool:
        """True when ``password`` matches ``stored``: a ``pg1$`` hash, a plain bcrypt one,
        or one of the other kinds passgate imports (`imported_hashes`)."""
        if looks_foreign(stored):
            return self._verify_foreign(password, stored)
        return self.run(self.plan(password, stored))

    def _verify_foreign(self, password: str, stored: str) -> bool:
        """An imported argon2id, scrypt or PBKDF2 hash; one that no longer parses
        (bounds are checked at import, and may have tightened since) costs a burn, like a
        malformed bcrypt hash. A wrong password costs a burn too, whatever the hash's own
        work: most imported hashes are cheaper than the configured bcrypt, and a refusal
        quicker than an unknown user's would tell which accounts exist."""
        try:
            imported = foreign_hash(stored)
        except UnsupportedHash as why:
            self._warn_once(f"an imported hash is no longer verified ({why})")
            self.burn(password)
            return False
        if imported.verify(_normalise(password)):
            return True
        self.burn(password)
        return False

    def plan(self, password: str, stored: str) -> BcryptCheck:
        """The bcrypt computation that verifies ``password`` against ``stored``, not yet run:
        the cheap part of ``verify`` (normalising, pre-hashing, reading the stored hash)."""
        normalised = _normalise(password)
        prehash = _prehash(normalised)
        if stored.startswith(SCHEME_PREFIX):
            hashed = stored[len(SCHEME_PREFIX) :]
            secret = prehash
            implementation = self._bcrypt
        elif stored.startswith(_LEGACY_PREFIXES) and _accepts_raw(normalised):
            hashed = stored
            secret = normalised
            implementation = _REFERENCE  # raw imported passwords: the reference decides
        else:
            return self._burn_check(prehash)
        cost = _bcrypt_cost(hashed)
        if cost is None:
            return self._burn_check(secret)
        if implementation is _REFERENCE and cost > self.max_imported_cost:
            self._warn_once(
                f"an imported bcrypt hash of cost {cost} is not verified: above the "
                f"configured cost + {IMPORTED_COST_MARGIN} ({self.max_imported_cost})"
            )
            return self._burn_check(prehash)
        return BcryptCheck(
            secret,
            hashed.encode("ascii"),
            implementation,
            prehash,
            cheaper=cost < self._cost,
            interleaved=implementation is self._bcrypt and self._interleaved,
        )

    def plan_burn(self, password: str) -> BcryptCheck:
        """The bcrypt computation of ``burn``, not yet run."""
        return self._burn_check(_prehash(_normalise(password)))

    def run(self, check: BcryptCheck) -> bool:
        """The answer of a planned check; never raises, always spends one computation."""
        try:
            matched = check.implementation.checkpw(check.secret, check.hashed)
        except ValueError:  # bcrypt refused the hash before doing any work
            self._burn_secret(check.prehash)
            return False
        if not matched and check.cheaper:
            self._burn_secret(check.prehash)
        return matched and check.counts

    def owed_burn(self, check: BcryptCheck, matched: bool) -> BcryptCheck | None:
        """The burn a finished check still owes, as `run` spends it: a cheaper hash that
        did not match costs the configured work too, so a wrong password takes no less
        time than an unknown user. None when nothing is owed."""
        return self._burn_check(check.prehash) if check.cheaper and not matched else None

    def needs_rehash(self, stored: str) -> bool:
        """True unless ``stored`` is a well-formed ``pg1$`` hash at or above the configured cost.

        Called after a successful verify, so imported and cheaper hashes are upgraded at the
        user's next sign-in, the only moment the plain password is at hand.
        """
        if not stored.startswith(SCHEME_PREFIX):
            return True
        cost = _bcrypt_cost(stored[len(SCHEME_PREFIX) :])
        return cost is None or cost < self._cost

    def import_problem(self, stored: str) -> str | None:
        """None when passgate can take `stored` over as a user's hash: printable ASCII that
        fits the column, and bcrypt at most `max_imported_cost` or one of the kinds in
        `imported_hashes` within its bounds; else why not, in one line. The command line
        and AdminService both import through here."""
        if len(stored) > MAX_HASH_LENGTH or not _PRINTABLE_ASCII.fullmatch(stored):
            return (
                f"not a hash passgate imports: expected 1-{MAX_HASH_LENGTH} "
                "printable ASCII characters"
            )
        if stored.startswith(_LEGACY_PREFIXES):
            cost = _bcrypt_cost(stored)
            if cost is None:
                return (
                    f"malformed bcrypt hash: expected $2b$ (or $2a$, $2y$), "
                    f"a cost of {MIN_COST}-{MAX_COST} and 53 characters"
                )
            if cost > self.max_imported_cost:
                return (
                    f"bcrypt cost {cost} is above what passgate imports: at most the "
                    f"configured cost + {IMPORTED_COST_MARGIN} ({self.max_imported_cost})"
                )
            return None
        try:
            foreign_hash(stored)
        except UnsupportedHash as error:
            return str(error)
        return None

    def burn(self, password: str) -> None:
        """Spend exactly one verify's bcrypt work at the configured cost, for an unknown user.

        Answering "no such user" without this work would tell an attacker which accounts exist.
        """
        self.run(self.plan_burn(password))

    def _warn_once(self, why: str) -> None:
        """Logs the first stored hash refused for its cost; the others alike stay quiet."""
        if self._warned:
            return
        self._warned = True
        log.warning(
            "%s: refused like a wrong password; the user's password must be reset",
            why,
            extra={"fields": {"event": "stored_hash_refused"}},
        )

    def _burn_check(self, secret: bytes) -> BcryptCheck:
        return BcryptCheck(
            secret, self._dummy(), self._bcrypt, secret, counts=False, interleaved=self._interleaved
        )

    def _burn_secret(self, secret: bytes) -> None:
        self._bcrypt.checkpw(secret, self._dummy())

    def _dummy(self) -> bytes:
        """A fixed hash at the configured cost, made on first use so idle hashers cost nothing."""
        dummy = self._dummy_hash
        if dummy is None:
            with self._dummy_lock:
                dummy = self._dummy_hash
                if dummy is None:
                    dummy = self._bcrypt.hashpw(_DUMMY_SECRET, bcrypt.gensalt(self._cost))
                    self._dummy_hash = dummy
        return dummy


def _accepts_raw(normalised: bytes) -> bool:
    """Whether plain bcrypt can take these bytes whole: no truncation, no C-string NUL."""
    return len(normalised) <= _BCRYPT_LIMIT and b"\x00" not in normalised


def runs_alone(stored: str) -> bool:
    """Whether verifying against `stored` is work of its own kind (an imported
    argon2id, scrypt or PBKDF2 hash) that no interleaved bcrypt batch can share."""
    return looks_foreign(stored)
