"""Writes webhook_vectors.json beside it: the cases every client's webhook
verifier must decide alike, so that a receiver in any language accepts and
refuses exactly the deliveries passgate's Standard Webhooks signatures say.

Standard library only, and deterministic (fixed secrets, ids, timestamps and
bodies), so that the checked-in file can be compared with this script's
output. Run it after changing a case: `python tests/clients/make_webhook_vectors.py`
(`--stdout` prints the file instead of writing it).

The rules the cases pin down:

- the secret is `whsec_` followed by the key bytes in standard base64 with
  its padding; anything else is `malformed_secret`;
- `webhook-id`, `webhook-timestamp` and `webhook-signature` must be present
  and not empty, whatever the case of their names (`missing_header`);
- `webhook-timestamp` is unix seconds, 1 to 15 ASCII digits
  (`malformed_timestamp`), within `tolerance_seconds` of now in either
  direction, the bounds included (`stale_timestamp`, `future_timestamp`);
- `webhook-signature` holds space-separated `<version>,<base64>` entries;
  the delivery is accepted when any `v1` entry is the base64 of
  HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}"), and entries of
  other versions are ignored (`no_matching_signature`);
- the checks run in that order, so a case that breaks several rules names the
  first.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
from pathlib import Path
from typing import Any

VECTORS = Path(__file__).with_name("webhook_vectors.json")

TOLERANCE_SECONDS = 5 * 60
NOW = 1_765_000_000  # 2025-12-06T05:46:40Z: every case's clock unless it says otherwise

KEY = bytes(range(32))
OTHER_KEY = bytes(range(100, 132))
SECRET = "whsec_" + base64.b64encode(KEY).decode()
OTHER_SECRET = "whsec_" + base64.b64encode(OTHER_KEY).decode()

MESSAGE_ID = "msg_2zWQ1hG8nV5cK3rT9yLpXe"
BODY = '{"type":"example.event","data":{"id":"evt_0001","note":"caf\u00e9 \u2615"}}'

# The example of the Standard Webhooks specification, which its reference
# libraries test against: a verifier that accepts it reads the scheme as they do.
REFERENCE_KEY = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
REFERENCE_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
REFERENCE_TIME = "1614265330"
REFERENCE_BODY = '{"test": 2432232314}'
REFERENCE_SIGNATURE = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def sign(key: bytes, message_id: str, timestamp: str, body: str) -> str:
    """The base64 of HMAC-SHA256 over `{id}.{timestamp}.{body}`, as the sender computes it."""
    content = f"{message_id}.{timestamp}.".encode() + body.encode()
    return base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


def headers(message_id: str, timestamp: str | int, signature: str) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }


def case(
    name: str,
    why: str,
    *,
    error: str | None,
    secret: str = SECRET,
    header: dict[str, str] | None = None,
    body: str = BODY,
    now: int = NOW,
) -> dict[str, Any]:
    """One case: a verifier configured with `secret` and clock `now`, given
    `headers` and `body`, accepts (`error` null) or refuses for `error`."""
    if header is None:
        header = headers(MESSAGE_ID, now, "v1," + sign(KEY, MESSAGE_ID, str(now), body))
    return {
        "name": name,
        "why": why,
        "secret": secret,
        "now": now,
        "headers": header,
        "body": body,
        "error": error,
    }


def signed_at(timestamp: int, *, key: bytes = KEY, body: str = BODY) -> dict[str, str]:
    """Headers of a delivery signed correctly at `timestamp`."""
    stamp = str(timestamp)
    return headers(MESSAGE_ID, stamp, "v1," + sign(key, MESSAGE_ID, stamp, body))


def without(header: dict[str, str], name: str) -> dict[str, str]:
    return {k: v for k, v in header.items() if k != name}


def cases() -> list[dict[str, Any]]:
    good = sign(KEY, MESSAGE_ID, str(NOW), BODY)
    wrong = sign(OTHER_KEY, MESSAGE_ID, str(NOW), BODY)
    # one byte of the body changed: the last "}" became "]"
    changed = BODY[:-1] + "]"
    reference = sign(base64.b64decode(REFERENCE_KEY), REFERENCE_ID, REFERENCE_TIME, REFERENCE_BODY)
    if reference != REFERENCE_SIGNATURE:
        raise AssertionError("the Standard Webhooks reference example no longer reproduces")
    return [
        case(
            "standard_webhooks_reference_example",
            "the example of the Standard Webhooks specification and its reference libraries",
            error=None,
            secret="whsec_" + REFERENCE_KEY,
            header=headers(REFERENCE_ID, REFERENCE_TIME, "v1," + REFERENCE_SIGNATURE),
            body=REFERENCE_BODY,
            now=int(REFERENCE_TIME),
        ),
        case("valid", "one v1 signature, made with the secret, now", error=None),
        case(
            "valid_empty_body",
            "an empty body is signed like any other",
            error=None,
            header=signed_at(NOW, body=""),
            body="",
        ),
        case(
            "valid_header_names_in_any_case",
            "HTTP header names are case-insensitive",
            error=None,
            header={
                "Webhook-Id": MESSAGE_ID,
                "WEBHOOK-TIMESTAMP": str(NOW),
                "Webhook-Signature": "v1," + good,
            },
        ),
        case(
            "valid_one_of_several_signatures",
            "during a secret rotation the sender signs with each secret; one match is enough",
            error=None,
            header=headers(MESSAGE_ID, NOW, f"v1,{wrong} v1,{good}"),
        ),
        case(
            "valid_beside_other_versions",
            "entries of versions other than v1 are ignored, as is extra space between entries",
            error=None,
            header=headers(MESSAGE_ID, NOW, f"v1a,{good}  v2,{wrong} v1,{good}"),
        ),
        case(
            "valid_at_the_stale_bound",
            "exactly the tolerance old is still accepted",
            error=None,
            header=signed_at(NOW - TOLERANCE_SECONDS),
        ),
        case(
            "valid_at_the_future_bound",
            "exactly the tolerance ahead is still accepted (clocks drift both ways)",
            error=None,
            header=signed_at(NOW + TOLERANCE_SECONDS),
        ),
        case(
            "wrong_secret",
            "signed with another secret",
            error="no_matching_signature",
            header=headers(MESSAGE_ID, NOW, "v1," + wrong),
        ),
        case(
            "verified_with_another_secret",
            "signed correctly, but the receiver holds another endpoint's secret",
            error="no_matching_signature",
            secret=OTHER_SECRET,
        ),
        case(
            "body_changed_by_one_byte",
            "the body's last byte differs from the one signed",
            error="no_matching_signature",
            header=signed_at(NOW),
            body=changed,
        ),
        case(
            "id_changed",
            "the id is part of what is signed",
            error="no_matching_signature",
            header=headers("msg_2zWQ1hG8nV5cK3rT9yLpXf", NOW, "v1," + good),
        ),
        case(
            "timestamp_changed",
            "the timestamp is part of what is signed, even one second off",
            error="no_matching_signature",
            header=headers(MESSAGE_ID, NOW + 1, "v1," + good),
        ),
        case(
            "signature_truncated",
            "a prefix of the right signature is not the signature",
            error="no_matching_signature",
            header=headers(MESSAGE_ID, NOW, "v1," + good[:-4]),
        ),
        case(
            "v2_entry_only",
            "the right bytes under another version are ignored: nothing left to match",
            error="no_matching_signature",
            header=headers(MESSAGE_ID, NOW, "v2," + good),
        ),
        case(
            "entry_without_version",
            "a bare signature without its `v1,` is not a v1 entry",
            error="no_matching_signature",
            header=headers(MESSAGE_ID, NOW, good),
        ),
        case(
            "stale_timestamp",
            "signed correctly, one second more than the tolerance ago (a replay)",
            error="stale_timestamp",
            header=signed_at(NOW - TOLERANCE_SECONDS - 1),
        ),
        case(
            "future_timestamp",
            "signed correctly, one second more than the tolerance ahead",
            error="future_timestamp",
            header=signed_at(NOW + TOLERANCE_SECONDS + 1),
        ),
        case(
            "stale_timestamp_and_wrong_signature",
            "the timestamp is checked before the signature",
            error="stale_timestamp",
            header=headers(MESSAGE_ID, NOW - 3600, "v1," + wrong),
        ),
        case(
            "timestamp_not_a_number",
            "webhook-timestamp is unix seconds in digits",
            error="malformed_timestamp",
            header=headers(MESSAGE_ID, "2025-12-06T05:46:40Z", "v1," + good),
        ),
        case(
            "timestamp_negative",
            "a sign is not a digit",
            error="malformed_timestamp",
            header=headers(MESSAGE_ID, "-1", "v1," + good),
        ),
        case(
            "timestamp_too_long",
            "more than 15 digits is no unix time",
            error="malformed_timestamp",
            header=headers(MESSAGE_ID, "1" * 16, "v1," + good),
        ),
        case(
            "secret_without_prefix",
            "the key's base64 alone, without `whsec_`",
            error="malformed_secret",
            secret=SECRET.removeprefix("whsec_"),
        ),
        case(
            "secret_not_base64",
            "after `whsec_` comes base64",
            error="malformed_secret",
            secret="whsec_not base64!",
        ),
        case(
            "secret_without_padding",
            "standard base64 keeps its `=` padding",
            error="malformed_secret",
            secret=SECRET.rstrip("="),
        ),
        case(
            "secret_url_safe_alphabet",
            "standard base64, not the URL-safe alphabet",
            error="malformed_secret",
            secret="whsec_" + base64.urlsafe_b64encode(bytes([251, 255] * 16)).decode(),
        ),
        case(
            "secret_empty_key",
            "`whsec_` and nothing after it",
            error="malformed_secret",
            secret="whsec_",
        ),
        case(
            "missing_webhook_id",
            "no webhook-id header",
            error="missing_header",
            header=without(signed_at(NOW), "webhook-id"),
        ),
        case(
            "missing_webhook_timestamp",
            "no webhook-timestamp header",
            error="missing_header",
            header=without(signed_at(NOW), "webhook-timestamp"),
        ),
        case(
            "missing_webhook_signature",
            "no webhook-signature header",
            error="missing_header",
            header=without(signed_at(NOW), "webhook-signature"),
        ),
        case(
            "empty_webhook_signature",
            "a header present but empty is missing",
            error="missing_header",
            header=headers(MESSAGE_ID, NOW, ""),
        ),
        case(
            "no_headers_and_malformed_secret",
            "the secret is checked first",
            error="malformed_secret",
            secret="whsec_",
            header={},
        ),
    ]


def render() -> str:
    document = {
        "description": (
            "Standard Webhooks signature cases every passgate client's verifier must "
            "decide alike; written by make_webhook_vectors.py, do not edit"
        ),
        "tolerance_seconds": TOLERANCE_SECONDS,
        "errors": [
            "malformed_secret",
            "missing_header",
            "malformed_timestamp",
            "stale_timestamp",
            "future_timestamp",
            "no_matching_signature",
        ],
        "cases": cases(),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    if argv not in ([], ["--stdout"]):
        print(f"usage: {Path(__file__).name} [--stdout]", file=sys.stderr)
        return 2
    if argv:
        sys.stdout.buffer.write(render().encode())
    else:
        VECTORS.write_bytes(render().encode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
