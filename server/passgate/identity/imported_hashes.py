"""Password hashes imported from other systems, other than bcrypt: argon2id,
scrypt and PBKDF2-SHA256 in the encodings their usual libraries write.

passgate verifies them only until the user's next successful sign-in, which
replaces them with its own bcrypt hash (`PasswordHasher.needs_rehash`). Their
parameters come from outside, so they are bounded when the hash is imported:
a hash that would take gigabytes or minutes to verify is refused then, never
discovered by a sign-in that stalls the server.

Like an imported bcrypt hash, each is checked against the NFKC-normalised
password (`passwords._normalise`), which is the password itself for ASCII.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Final

from argon2.exceptions import VerificationError, VerifyMismatchError
from argon2.low_level import Type, verify_secret

__all__ = ["ForeignHash", "UnsupportedHash", "foreign_hash", "looks_foreign"]

# Bounds on what one verification may cost, whatever the hash says: at most a few
# times bcrypt at cost 12, and at most 64 MiB, on one pool thread (argon2 alone may run
# its lanes on threads of its own: 4 at most, as RFC 9106 and argon2-cffi choose).
MAX_MEMORY_BYTES: Final = 64 * 1024 * 1024
MAX_ARGON2_MEMORY_KIB: Final = MAX_MEMORY_BYTES // 1024
MAX_ARGON2_WORK_KIB: Final = 3 * MAX_ARGON2_MEMORY_KIB  # m * t: RFC 9106's t=3 at 64 MiB
MAX_ARGON2_PARALLELISM: Final = 4
MAX_SCRYPT_WORK: Final = 2**19  # N * r * p: passlib's ln=16, r=8, p=1
MAX_SCRYPT_PARALLELISM: Final = 16
MAX_PBKDF2_ITERATIONS: Final = 1_200_000  # Django 6.0's
MIN_DIGEST_BYTES: Final = 16
MAX_DIGEST_BYTES: Final = 128
MAX_SALT_BYTES: Final = 1024

# Every number is ASCII digits, never more than a bound's worth of them (Python's
# `\d` takes any script's digits, and `int()` refuses runs past 4300 digits).
_NUMBER = r"([0-9]{1,10})"
_B64 = r"[A-Za-z0-9+/]"
# passlib writes scrypt's salt and digest in standard base64 and PBKDF2's in its
# adapted base64 (`.` for `+`), both unpadded; either alphabet is read for both.
_AB64 = r"[A-Za-z0-9./+]"
_ARGON2ID = re.compile(
    rf"\$argon2id\$v={_NUMBER}\$m={_NUMBER},t={_NUMBER},p={_NUMBER}\$({_B64}+)\$({_B64}+)"
)
_PASSLIB_SCRYPT = re.compile(
    rf"\$scrypt\$ln={_NUMBER},r={_NUMBER},p={_NUMBER}\$({_AB64}*)\$({_AB64}+)"
)
_PASSLIB_PBKDF2 = re.compile(rf"\$pbkdf2-sha256\${_NUMBER}\$({_AB64}*)\$({_AB64}+)")
# Django's salt is text: any printable ASCII but `$` (its own salts are letters and digits).
_DJANGO_PBKDF2 = re.compile(rf"pbkdf2_sha256\${_NUMBER}\$([!-#%-~]+)\$([A-Za-z0-9+/]+={{0,2}})")
_PREFIXES: Final = ("$argon2id$", "$scrypt$", "$pbkdf2-sha256$", "pbkdf2_sha256$")


class UnsupportedHash(ValueError):
    """A hash passgate cannot take over; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class ForeignHash:
    """One imported hash, parsed and bounded: what `verify` computes."""

    kind: str  # argon2id, scrypt, pbkdf2-sha256
    encoded: str
    salt: bytes
    digest: bytes
    cost: int  # argon2 time cost, scrypt N, PBKDF2 iterations
    memory: int = 0  # argon2 KiB, scrypt r
    parallelism: int = 1

    def verify(self, secret: bytes) -> bool:
        """Whether `secret` (the normalised password) is the password hashed."""
        if self.kind == "argon2id":
            try:
                return verify_secret(self.encoded.encode("ascii"), secret, Type.ID)
            except (VerifyMismatchError, VerificationError):
                return False
        if self.kind == "scrypt":
            computed = hashlib.scrypt(
                secret,
                salt=self.salt,
                n=self.cost,
                r=self.memory,
                p=self.parallelism,
                maxmem=2 * 128 * self.cost * self.memory + 1024 * 1024,
                dklen=len(self.digest),
            )
        else:
            computed = hashlib.pbkdf2_hmac(
                "sha256", secret, self.salt, self.cost, dklen=len(self.digest)
            )
        return hmac.compare_digest(computed, self.digest)


def looks_foreign(stored: str) -> bool:
    """Whether `stored` claims one of the imported kinds (well-formed or not)."""
    return stored.startswith(_PREFIXES)


def foreign_hash(stored: str) -> ForeignHash:
    """`stored` parsed; UnsupportedHash when it is none of the imported kinds,
    is malformed, or asks for more work than passgate spends on one sign-in."""
    if stored.startswith("$argon2id$"):
        return _argon2id(stored)
    if stored.startswith("$scrypt$"):
        return _scrypt(stored)
    if stored.startswith("$pbkdf2-sha256$"):
        return _passlib_pbkdf2(stored)
    if stored.startswith("pbkdf2_sha256$"):
        return _django_pbkdf2(stored)
    raise UnsupportedHash(
        "not a bcrypt hash ($2a$, $2b$, $2y$) nor another kind passgate imports: argon2id "
        "($argon2id$v=19$), scrypt ($scrypt$ as passlib writes it) or PBKDF2-SHA256 "
        "($pbkdf2-sha256$ or Django's pbkdf2_sha256$)"
    )


def _argon2id(stored: str) -> ForeignHash:
    match = _ARGON2ID.fullmatch(stored)
    if match is None:
        raise UnsupportedHash(
            "malformed argon2id hash: expected $argon2id$v=19$m=..,t=..,p=..$salt$hash"
        )
    version, memory, time_cost, parallelism = (int(match[i]) for i in range(1, 5))
    if version != 19:
        raise UnsupportedHash(f"argon2id version {version}: only v=19 is imported")
    _bounded("argon2id parallelism (p)", parallelism, 1, MAX_ARGON2_PARALLELISM)
    # argon2 itself needs 8 KiB per lane: a smaller m could never verify
    _bounded("argon2id memory (m, KiB)", memory, 8 * parallelism, MAX_ARGON2_MEMORY_KIB)
    _bounded("argon2id time cost (t)", time_cost, 1, MAX_ARGON2_WORK_KIB // memory)
    salt, digest = _b64(match[5], "argon2id"), _b64(match[6], "argon2id")
    _sizes("argon2id", salt, digest)
    return ForeignHash("argon2id", stored, salt, digest, time_cost, memory, parallelism)


def _scrypt(stored: str) -> ForeignHash:
    match = _PASSLIB_SCRYPT.fullmatch(stored)
    if match is None:
        raise UnsupportedHash("malformed scrypt hash: expected $scrypt$ln=..,r=..,p=..$salt$hash")
    log_n, block, parallelism = int(match[1]), int(match[2]), int(match[3])
    _bounded("scrypt ln", log_n, 1, 30)
    _bounded("scrypt block size (r)", block, 1, MAX_SCRYPT_WORK)
    _bounded("scrypt parallelism (p)", parallelism, 1, MAX_SCRYPT_PARALLELISM)
    n = 1 << log_n
    if 128 * n * block > MAX_MEMORY_BYTES or n * block * parallelism > MAX_SCRYPT_WORK:
        raise UnsupportedHash(
            f"scrypt ln={log_n}, r={block}, p={parallelism} is more work than passgate "
            f"imports: at most {MAX_MEMORY_BYTES >> 20} MiB (128 * 2^ln * r) and "
            f"2^ln * r * p of at most {MAX_SCRYPT_WORK}"
        )
    salt, digest = _ab64(match[4], "scrypt"), _ab64(match[5], "scrypt")
    _sizes("scrypt", salt, digest)
    return ForeignHash("scrypt", stored, salt, digest, n, block, parallelism)


def _passlib_pbkdf2(stored: str) -> ForeignHash:
    match = _PASSLIB_PBKDF2.fullmatch(stored)
    if match is None:
        raise UnsupportedHash("malformed PBKDF2 hash: expected $pbkdf2-sha256$rounds$salt$hash")
    rounds = _bounded("PBKDF2 rounds", int(match[1]), 1, MAX_PBKDF2_ITERATIONS)
    salt, digest = _ab64(match[2], "PBKDF2"), _ab64(match[3], "PBKDF2")
    _sizes("PBKDF2", salt, digest)
    return ForeignHash("pbkdf2-sha256", stored, salt, digest, rounds)


def _django_pbkdf2(stored: str) -> ForeignHash:
    match = _DJANGO_PBKDF2.fullmatch(stored)
    if match is None:
        raise UnsupportedHash(
            "malformed Django hash: expected pbkdf2_sha256$iterations$salt$base64-hash"
        )
    rounds = _bounded("PBKDF2 iterations", int(match[1]), 1, MAX_PBKDF2_ITERATIONS)
    salt = match[2].encode("utf-8")  # Django uses the salt as text
    digest = _b64(match[3], "PBKDF2")
    _sizes("PBKDF2", salt, digest)
    return ForeignHash("pbkdf2-sha256", stored, salt, digest, rounds)


def _bounded(what: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise UnsupportedHash(f"{what} {value} is outside what passgate imports ({low}-{high})")
    return value


def _sizes(kind: str, salt: bytes, digest: bytes) -> None:
    if len(salt) > MAX_SALT_BYTES:
        raise UnsupportedHash(f"{kind} salt longer than {MAX_SALT_BYTES} bytes")
    if not MIN_DIGEST_BYTES <= len(digest) <= MAX_DIGEST_BYTES:
        raise UnsupportedHash(
            f"{kind} hash of {len(digest)} bytes: expected {MIN_DIGEST_BYTES}-{MAX_DIGEST_BYTES}"
        )


def _b64(text: str, kind: str) -> bytes:
    """Standard base64, padded or not (argon2's PHC strings leave the padding out)."""
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except binascii.Error:
        raise UnsupportedHash(f"malformed {kind} hash: bad base64") from None


def _ab64(text: str, kind: str) -> bytes:
    """passlib's base64, standard or adapted (`.` for `+`), without padding."""
    return _b64(text.replace(".", "+"), kind)
