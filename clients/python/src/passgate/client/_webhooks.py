"""Verifying the webhooks passgate sends (the Standard Webhooks scheme).

passgate signs each request with HMAC-SHA256 over
`{webhook-id}.{webhook-timestamp}.{body}`, keyed with the bytes behind the
`whsec_` secret, and sends `webhook-signature: v1,<base64>`. A receiver
checks that signature before trusting the body, and refuses a timestamp far
from its own clock so that a captured request cannot be replayed later.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

_SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix, not a secret)
DEFAULT_TOLERANCE = 300.0  # seconds a timestamp may be off the receiver's clock


class WebhookVerificationError(ValueError):
    """The request is not a genuine, fresh passgate webhook: do not act on it."""


def verify_webhook(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> dict[str, Any]:
    """The event a webhook request carries, once its signature and timestamp check out.

    `secret` is the server's `--webhook-secret` (`whsec_…`); `headers` the
    request's headers (any case; a `dict`, or what your framework gives);
    `body` the request body exactly as received, before any JSON parsing.
    Several space-separated signatures are accepted (one matching is enough,
    as during a secret rotation). Raises `WebhookVerificationError` otherwise.
    """
    key = _key(secret)
    found = {name.lower(): value for name, value in headers.items()}
    try:
        webhook_id = found["webhook-id"]
        sent_at = found["webhook-timestamp"]
        signatures = found["webhook-signature"]
    except KeyError as missing:
        raise WebhookVerificationError(f"header {missing.args[0]} is missing") from None
    try:
        timestamp = int(sent_at)
    except ValueError:
        raise WebhookVerificationError("webhook-timestamp is not a number") from None
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise WebhookVerificationError(
            f"webhook-timestamp is {current - timestamp:.0f} s off this clock "
            f"(at most {tolerance:.0f} s allowed)"
        )
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            try:
                document = json.loads(body)
            except ValueError:
                raise WebhookVerificationError("the body is not JSON") from None
            if not isinstance(document, dict):
                raise WebhookVerificationError("the body is not a JSON object")
            return document
    raise WebhookVerificationError("no webhook-signature matches the secret and the body")


def _key(secret: str) -> bytes:
    if not secret.startswith(_SECRET_PREFIX):
        raise WebhookVerificationError("the secret must start with whsec_")
    try:
        return base64.b64decode(secret[len(_SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise WebhookVerificationError("the secret is not whsec_ followed by base64") from None
