"""URLs as passgate shows them (`passgate config`, log lines): with the secrets
they may carry masked. A database, Redis or webhook URL can hold a password in
its user part (`postgresql://app:secret@db/p`, `redis://:secret@cache/0`) or
in its query (`?password=…` for libpq, `?token=…` for many webhook receivers);
none of it may reach a terminal's scrollback or a log collector."""

from __future__ import annotations

import re

MASK = "********"

_USER_PASSWORD = re.compile(r"(://[^:/@]*:)[^@/]*@")
# a query parameter whose name says it carries a secret, e.g. password, sslpassword,
# api_key, access_token, sig
_SECRET_PARAMETER = re.compile(
    r"([?&][^=&#]*(?:pass|pwd|secret|token|key|sig|auth)[^=&#]*=)[^&#]*", re.IGNORECASE
)


def masked(url: str) -> str:
    """`url` with the password in its user part and the values of its query
    parameters named like secrets replaced by ********."""
    return _SECRET_PARAMETER.sub(rf"\g<1>{MASK}", _USER_PASSWORD.sub(rf"\g<1>{MASK}@", url))
