"""Reading back the reset links the file mailer wrote: for operators trying
passgate out (`passgate mail last`) and for tests."""

from __future__ import annotations

import email
import email.utils
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from passgate.mail.mailers import FILE_STAMP
from passgate.mail.templates import find_reset_link


@dataclass(frozen=True)
class ResetLink:
    user_id: str
    token: str
    link: str
    path: Path
    to: str = ""


def reset_links(mail_dir: Path) -> list[ResetLink]:
    """Every reset link in the folder's .eml files, oldest message first."""
    found: list[ResetLink] = []
    if not mail_dir.is_dir():
        return found
    paths = sorted(mail_dir.glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name))
    for path in paths:
        message = email.message_from_bytes(path.read_bytes())
        link = find_reset_link(message)
        if link is None:
            continue
        query = parse_qs(urlsplit(link).query)
        if "user" in query and "token" in query:
            to = ", ".join(
                address for _, address in email.utils.getaddresses(message.get_all("To", []))
            )
            found.append(ResetLink(query["user"][0], query["token"][0], link, path, to))
    return found


def newest_reset_link(
    mail_dir: Path, to: str | None = None, since: float | None = None
) -> ResetLink | None:
    """The newest link, to `to` when given (compared without regard to case),
    written at or after `since` (seconds since the epoch) when given."""
    for link in reversed(reset_links(mail_dir)):
        if since is not None and written_at(link.path) < since:
            break
        if to is None or to.casefold() in (a.strip().casefold() for a in link.to.split(",")):
            return link
    return None


def written_at(path: Path) -> float:
    """When the file mailer wrote `path`: the exact time its name carries
    (`20261206T152423.123456Z-….eml`), else its modification time, which the
    kernel keeps only to a scheduler tick (a file written 1 ms after `since`
    can look older than it)."""
    stamp, _, _ = path.name.partition("-")
    try:
        return datetime.strptime(stamp, FILE_STAMP).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return path.stat().st_mtime
