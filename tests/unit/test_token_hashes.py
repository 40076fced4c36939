"""Tokens and keys are stored as their SHA-256 hex digest, whichever SHA-256
implementation computes it: rows written by any earlier passgate (or by a
replica on another Python) must still be found."""

from __future__ import annotations

import hashlib
import secrets

from passgate.identity.tokens import API_KEY_PREFIX, SESSION_PREFIX, new_token, token_hash


def test_a_token_hash_is_the_sha256_hex_digest_of_its_utf8_bytes() -> None:
    texts = [
        "",
        "pgs_",
        new_token(SESSION_PREFIX),
        new_token(API_KEY_PREFIX),
        "é" * 100,  # several blocks, beyond one
        "x" * 55,  # the last length that pads into one block
        "x" * 56,  # the first that needs two
        "\ud800 lone surrogate",  # a header grpcio read as Latin-1 cannot hold one; a field can
        *(secrets.token_urlsafe(n) for n in range(1, 200, 7)),
    ]
    for text in texts:
        expected = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        assert token_hash(text) == expected, text
