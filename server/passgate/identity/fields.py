"""Shape rules for request fields, checked before any database or bcrypt work.

Each check returns the violations it finds, so a request's every broken rule
is reported at once.
"""

from __future__ import annotations

import re
import unicodedata

from passgate.auth.v1.error_reason_pb2 import ErrorReason
from passgate.errors import Violation, reason_name

MAX_EMAIL = 254
MAX_USERNAME = 64
MAX_SEARCH_VALUE = 256
MAX_RESET_URL = 2048
MAX_ID = 64
MAX_TOKEN = 256

# a domain of two or more labels, none empty: `a@example..com` could never be mailed
_EMAIL = re.compile(r"^[^\s@]{1,64}@[^\s@.]+(?:\.[^\s@.]+)+$")
_SCHEMA_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
TEMPLATE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text)


def possible_id(value: str) -> bool:
    """Whether `value` could be an id passgate issued (a user's, in a reset
    link): ids are short and printable, and PostgreSQL refuses text holding
    a NUL, so anything else is answered without asking the database."""
    return len(value) <= MAX_ID and not has_control_characters(value)


def malformed(field: str, description: str) -> Violation:
    return Violation(field, reason_name(ErrorReason.FIELD_MALFORMED), description)


def required(field: str, value: str) -> list[Violation]:
    if value:
        return []
    return [Violation(field, reason_name(ErrorReason.FIELD_REQUIRED), "This field is required.")]


def bounded_text(field: str, value: str, limit: int) -> list[Violation]:
    """Present, at most `limit` characters, no control characters."""
    if not value:
        return required(field, value)
    if len(value) > limit:
        return [
            Violation(
                field,
                reason_name(ErrorReason.FIELD_TOO_LONG),
                f"Ensure this field has no more than {limit} characters.",
            )
        ]
    if has_control_characters(value):
        return [
            Violation(
                field,
                reason_name(ErrorReason.FIELD_MALFORMED),
                "This field may not contain control characters.",
            )
        ]
    return []


def name(field: str, value: str, limit: int) -> list[Violation]:
    """A name people read in lists (an API key's, a tenant's): as `bounded_text`,
    and not blanks alone, which would list as nothing at all."""
    return bounded_text(field, value if value.strip() else "", limit)


def email(field: str, value: str) -> list[Violation]:
    problems = bounded_text(field, value, MAX_EMAIL)
    if problems:
        return problems
    if not _EMAIL.match(value):
        return [
            Violation(
                field, reason_name(ErrorReason.EMAIL_MALFORMED), "Enter a valid email address."
            )
        ]
    return []


def username(field: str, value: str) -> list[Violation]:
    return bounded_text(field, value, MAX_USERNAME)


def new_username(field: str, value: str) -> list[Violation]:
    """A username a user is given: besides `username`'s rules, nothing a reader
    cannot see. `alice ` would never match the `alice` she types, and `admin`
    with a zero-width space, a no-break space or a right-to-left mark shows as
    someone else's name. Only new usernames are held to this, so that any
    made before still sign in."""
    if problems := username(field, value):
        return problems
    if value != value.strip() or any(_unseen(ch) for ch in value):
        return [
            malformed(
                field, "Usernames may not begin or end with a space or hold invisible characters."
            )
        ]
    return []


def _unseen(ch: str) -> bool:
    """A format character (zero-width, direction marks) or a space other than ' '."""
    return unicodedata.category(ch) == "Cf" or (ch.isspace() and ch != " ")


def schema_name(field: str, value: str) -> list[Violation]:
    if not value:
        return required(field, value)
    if not _SCHEMA_NAME.match(value):
        return [
            Violation(
                field,
                reason_name(ErrorReason.FIELD_MALFORMED),
                "Use 1 to 64 letters, digits, '_', '-' or '.'.",
            )
        ]
    return []


def email_key(value: str) -> str:
    """E-mail addresses are looked up without regard to case."""
    return unicodedata.normalize("NFKC", value).casefold()


def username_key(value: str) -> str:
    return unicodedata.normalize("NFKC", value).casefold()
