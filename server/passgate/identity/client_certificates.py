"""Which client certificate an API key is bound to: the certificate's subject
as the server sees it over mutual TLS (grpcio's `x509_subject`, RFC 4514 text
such as `CN=billing.internal,O=Example`), the same string each call's log
line shows as `client_cert`. It is compared as written, so a subject that
could never match (empty, stray blanks, not RFC 4514) is refused when the key
is made rather than discovered at the first refused call."""

from __future__ import annotations

from cryptography import x509

MAX_SUBJECT_LENGTH = 1024


def subject(text: str) -> str:
    """`text` if it is a subject a client certificate can have; else ValueError
    saying what is wrong (one line, for the operator)."""
    example = "expected the certificate's subject as RFC 4514 text, e.g. CN=billing.internal"
    if not text or text != text.strip() or not text.isprintable():
        raise ValueError(f"{example} (no surrounding blanks or control characters)")
    if len(text) > MAX_SUBJECT_LENGTH:
        raise ValueError(f"{example}, at most {MAX_SUBJECT_LENGTH} characters")
    try:
        parsed = x509.Name.from_rfc4514_string(text)
    except ValueError:
        raise ValueError(example) from None
    if not parsed.rdns:
        raise ValueError(example)
    return text
