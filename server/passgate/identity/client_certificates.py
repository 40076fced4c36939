"""Which client certificate an API key is bound to: the certificate's subject
as the server sees it over mutual TLS (grpcio's `x509_subject`, RFC 4514 text
such as `O=Example,CN=billing.internal`), the string each call's log line
shows as `client_cert`. A subject that could never match (empty, stray
blanks, not RFC 4514) is refused when the key is made rather than discovered
at the first refused call.

The order of a subject's parts is not part of the binding. RFC 4514 writes
them last first, `openssl x509 -subject` and `openssl req -subj` first
first: a certificate made with `-subj "/CN=billing.internal/O=Example"` is
shown by openssl as `CN = billing.internal, O = Example` and by grpcio as
`O=Example,CN=billing.internal`. Both are taken for it: subjects are compared
as the sorted list of their parts (each attribute type and value, escapes
decoded), so every attribute must be there with its exact value, none may be
missing or added, and only their order may differ."""

from __future__ import annotations

from functools import lru_cache

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


def matches(bound_to: str, presented: str | None) -> bool:
    """Whether the subject a call's certificate `presented` (None: no
    certificate) is the one a key is `bound_to`, in either order."""
    if presented is None:
        return False
    return bound_to == presented or _canonical(bound_to) == _canonical(presented)


@lru_cache(maxsize=1024)
def _canonical(text: str) -> str:
    """`text`'s parts, each as RFC 4514 writes it, sorted: the same for every
    order of the same parts. Cached: the few subjects of a deployment's keys
    and certificates repeat on every bound call. Text that does not parse
    (grpcio names some attributes that cryptography does not, such as
    emailAddress) stands for itself, compared exactly."""
    try:
        name = x509.Name.from_rfc4514_string(text)
    except ValueError:
        return text
    parts = sorted(
        "+".join(sorted(attribute.rfc4514_string() for attribute in rdn)) for rdn in name.rdns
    )
    return ",".join(parts)
