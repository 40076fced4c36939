"""What AuthClient's calls return: small frozen values, detached from protobuf."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from google.protobuf.timestamp_pb2 import Timestamp


def _utc(timestamp: Timestamp) -> datetime:
    return timestamp.ToDatetime(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Session:
    """A session opened by sign-in; send `token` to act as the user.

    The token is a secret, so it stays out of `repr()` and therefore out of logs.
    """

    token: str = field(repr=False)
    user_id: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class RenewedSession:
    """The fresh session a password change hands out; every older one is revoked."""

    token: str = field(repr=False)
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """Whose session a token is, and until when it is valid."""

    user_id: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class ResetLink:
    """The two values a reset e-mail's link carries: `<reset_url>?user=<user_id>&token=<token>`."""

    user_id: str
    token: str = field(repr=False)

    @classmethod
    def parse(cls, url: str) -> ResetLink:
        """Read the user id and token out of a reset link (the part after `?` is enough)."""
        query = parse_qs(urlsplit(url).query or url.lstrip("?"), keep_blank_values=True)
        users, tokens = query.get("user", []), query.get("token", [])
        if len(users) != 1 or len(tokens) != 1 or not users[0] or not tokens[0]:
            raise ValueError("not a passgate reset link: it needs one user and one token parameter")
        return cls(user_id=users[0], token=tokens[0])


@dataclass(frozen=True, slots=True)
class User:
    """A user as AdminClient sees it: never a password or its hash."""

    user_id: str
    tenant_id: str
    email: str
    username: str  # "" when the user has none
    disabled: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class UserSession:
    """One live session of a user, as an admin sees it: its id, never its token.

    `last_used_at` is kept to within a minute; `peer` is the address the
    sign-in came from, as the server saw it.
    """

    session_id: str
    user_id: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    peer: str
