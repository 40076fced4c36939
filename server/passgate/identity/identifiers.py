"""The ways a caller can name a user: e-mail, username, or a search key."""

from __future__ import annotations

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
