"""Bearer secrets: random, prefixed so secret scanners find leaks, stored only
as SHA-256 hashes (they carry 256 random bits, so a fast hash is enough)."""

from __future__ import annotations

import hashlib
import re
import secrets

SESSION_PREFIX = "pgs_"
RESET_PREFIX = "pgr_"
API_KEY_PREFIX = "pgk_"
SESSION_ID_PREFIX = "ses_"  # a session's public id, for listing and revoking it
# CPython's own SHA-256 (`_sha2` from 3.12, `_sha256` before) where it has one:
# every call hashes a token or two of one block, where OpenSSL's set-up costs
# more than the hashing (0.36 µs a token against 0.83 µs through hashlib's
# OpenSSL constructor and hexdigest); the digest is the same.
try:
    from _sha2 import sha256 as _sha256  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # Python 3.11
    try:
        from _sha256 import sha256 as _sha256  # type: ignore[import-not-found,no-redef,unused-ignore]
    except ImportError:  # a Python built without it
        _sha256 = hashlib.sha256  # type: ignore[assignment,unused-ignore]
_RANDOM_BYTES = 32
# A token is its prefix and 43 URL-safe base64 characters; anything else is
# refused before any database work.
_BODY = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(_RANDOM_BYTES)


def token_hash(token: str) -> str:
    digest: bytes = _sha256(token.encode("utf-8", "surrogatepass")).digest()
    return digest.hex()


def well_formed(token: str, prefix: str) -> bool:
    """Whether `token` could be one passgate issued with `prefix`."""
    return token.startswith(prefix) and _BODY.match(token[len(prefix) :]) is not None


_PUBLIC_ID_BYTES = 8
_PUBLIC_BODY = re.compile(rf"[0-9a-f]{{{2 * _PUBLIC_ID_BYTES}}}")


def new_public_id(prefix: str) -> str:
    """A short, non-secret id for listing and revoking things."""
    return prefix + secrets.token_hex(_PUBLIC_ID_BYTES)


def public_id_well_formed(public_id: str, prefix: str) -> bool:
    """Whether `public_id` could be one `new_public_id` drew with `prefix`: anything else
    (too long, a NUL PostgreSQL refuses in text) is answered without the database."""
    return public_id.startswith(prefix) and (
        _PUBLIC_BODY.fullmatch(public_id[len(prefix) :]) is not None
    )
