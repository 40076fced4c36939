"""The ways a caller can name a user: e-mail, username, or a search key."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import Enum

from passgate.identity import fields


class IdentifierKind(Enum):
    EMAIL = "email"
    USERNAME = "username"
    SEARCH_KEY = "search_key"


@dataclass(frozen=True)
class Identifier:
    kind: IdentifierKind
    value: str
    schema_name: str = ""

    @property
    def lookup_key(self) -> str:
        """The normalised text the user is looked up by (and throttled by)."""
        if self.kind is IdentifierKind.EMAIL:
            return fields.email_key(self.value)
        if self.kind is IdentifierKind.USERNAME:
            return fields.username_key(self.value)
        return self.value

    @property
    def throttle_key(self) -> str:
        """Text that names this identifier across kinds, for throttles on unknown users."""
        return f"{self.kind.value}:{self.schema_name}:{self.lookup_key}"


def reset_subject(tenant_id: str, user_id: str | None, identifier: Identifier) -> str:
    """Whom a reset request is counted against: the account, or the typed text."""
    if user_id is not None:
        return account_reset_subject(tenant_id, user_id)
    return _subject_digest(tenant_id, f"name:{identifier.throttle_key}")


def account_reset_subject(tenant_id: str, user_id: str) -> str:
    """The reset-mail budget of one account, whatever identifier named it."""
    return _subject_digest(tenant_id, f"user:{user_id}")


def _subject_digest(tenant_id: str, who: str) -> str:
    return hashlib.sha256(f"{tenant_id}:{who}".encode("utf-8", "surrogatepass")).hexdigest()
