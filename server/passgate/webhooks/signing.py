"""Standard Webhooks signatures (https://www.standardwebhooks.com): the secret
is `whsec_` followed by the base64 of the key bytes; each request is signed
with HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}`."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix, not a secret)
MIN_KEY_BYTES = 24  # Standard Webhooks asks for 24 to 64 bytes
MAX_KEY_BYTES = 64


def secret_key(secret: str) -> bytes:
    """The key bytes of a `whsec_…` secret; ValueError saying what is expected."""
    expected = (
        f"expected {SECRET_PREFIX} followed by the base64 of {MIN_KEY_BYTES} to "
        f"{MAX_KEY_BYTES} random bytes, e.g. "
        f"{SECRET_PREFIX}$(head -c 32 /dev/urandom | base64)"
    )
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(expected)
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(expected) from None
    if not MIN_KEY_BYTES <= len(key) <= MAX_KEY_BYTES:
        raise ValueError(expected)
    return key


def signature(key: bytes, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header's value: `v1,<base64 of the HMAC>`."""
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()
