"""The reset e-mail: templates an operator can override, rendered to a MIME message.

A template is `<name>.txt`, with optional `<name>.html` and `<name>.subject`
beside it, written with `string.Template` placeholders: `$reset_link`,
`$expires_minutes`, `$tenant_name`, `$to_address`. The override folder is
searched before the built-ins, and a template is taken whole from the first
folder that has its `.txt`, so overriding only the text never leaves the
stock HTML showing in HTML mail clients.

Rendering never fails on the template name (RequestReset's `email_template`
is caller input and the RPC answers the same for every input): a name that is
malformed, unknown, or whose files are unusable falls back to `reset`.
"""

from __future__ import annotations

import email.utils
import html
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from passgate.clock import Clock, SystemClock

__all__ = [
    "DEFAULT_SUBJECT",
    "DEFAULT_TEMPLATE",
    "PLACEHOLDERS",
    "ResetMail",
    "TemplateSet",
    "find_reset_link",
    "folder_problem",
]

log = logging.getLogger(__name__)

DEFAULT_TEMPLATE = "reset"
DEFAULT_SUBJECT = "Reset your password"
PLACEHOLDERS = frozenset({"reset_link", "expires_minutes", "tenant_name", "to_address"})

_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_MAX_LINE_OCTETS = 998  # RFC 5322 2.1.1: longer lines cannot travel as 7bit
_SUBJECT_LIMIT = 200
_LINK = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class ResetMail:
    """What the outbox worker knows about one reset e-mail.

    `reset_link` is complete: `<reset_url>?user=<user_id>&token=<token>`.
    """

    to_address: str
    reset_link: str
    expires_minutes: int
    tenant_name: str


@dataclass(frozen=True)
class _Template:
    name: str
    subject: Template
    text: Template
    html: Template | None


class TemplateSet:
    """The templates available to the worker, each read and parsed once.

    The folders are read at construction, so a caller-chosen name is only ever
    looked up in that table (it never becomes a path) and unknown names cost
    nothing. Templates added or edited later need a restart.
    """

    def __init__(
        self,
        override_dir: Path | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        self._clock = clock or SystemClock()
        self._builtin = files(__package__ or "passgate.mail").joinpath("builtin_templates")
        builtin = _list_templates(self._builtin)
        if DEFAULT_TEMPLATE not in builtin:
            raise RuntimeError("the built-in reset template is missing from the package")
        self._sources = dict(builtin)
        if override_dir is not None:
            override = Path(override_dir)
            if not override.is_dir():
                raise ValueError(f"mail template folder {override} is not a directory")
            self._sources.update(_list_templates(override))
        # Everything is parsed now: a broken override is reported at start-up,
        # and rendering only reads this dict, so threads need no lock.
        self._templates = {name: self._load_with_fallback(name) for name in self._sources}

    @property
    def names(self) -> list[str]:
        """Every template name a request may pick."""
        return sorted(self._sources)

    def render(self, mail: ResetMail, *, template: str | None, sender: str) -> EmailMessage:
        """Builds the message: text and HTML alternatives (text alone if no HTML).

        Any `template` is accepted (see the module's note); a ValueError comes
        only from an address that cannot be a header (a line break in it).
        """
        chosen = self._template(template)
        values = _values_for(mail)
        subject = " ".join(chosen.subject.safe_substitute(values).split())[:_SUBJECT_LIMIT]
        text = chosen.text.safe_substitute(values)

        message = EmailMessage()
        message["Subject"] = subject or DEFAULT_SUBJECT
        message["From"] = sender
        message["To"] = mail.to_address
        message["Date"] = email.utils.format_datetime(
            datetime.fromtimestamp(self._clock.now(), UTC), usegmt=True
        )
        message["Message-ID"] = email.utils.make_msgid(domain=_domain_of(sender))
        # RFC 3834: keeps vacation responders from answering a machine.
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(text, subtype="plain", charset="utf-8", cte=_transfer_encoding(text))
        if chosen.html is not None:
            escaped = {key: html.escape(value, quote=True) for key, value in values.items()}
            body = chosen.html.safe_substitute(escaped)
            message.add_alternative(
                body, subtype="html", charset="utf-8", cte=_transfer_encoding(body)
            )
            for part in message.iter_parts():
                del part["MIME-Version"]  # belongs on the top level only
        return message

    def _template(self, name: str | None) -> _Template:
        if name is None or not _NAME.fullmatch(name) or name not in self._templates:
            name = DEFAULT_TEMPLATE
        return self._templates[name]

    def _load_with_fallback(self, name: str) -> _Template:
        loaded = _load(name, self._sources[name])
        if loaded is None and name != DEFAULT_TEMPLATE:
            loaded = _load(DEFAULT_TEMPLATE, self._sources[DEFAULT_TEMPLATE])
        if loaded is None:
            loaded = _load(DEFAULT_TEMPLATE, self._builtin)
        if loaded is None:
            raise RuntimeError("the built-in reset template cannot be read")
        return loaded


def _list_templates(folder: Traversable) -> dict[str, Traversable]:
    """Names that have a `.txt` in `folder`, mapped to that folder."""
    found: dict[str, Traversable] = {}
    for entry in folder.iterdir():
        stem, dot, suffix = entry.name.rpartition(".")
        if dot and suffix == "txt" and _NAME.fullmatch(stem) and entry.is_file():
            found[stem] = folder
    return found


def _load(name: str, folder: Traversable) -> _Template | None:
    """Reads one template; None (with a warning) when it is unusable."""
    try:
        text = Template(_read(folder, f"{name}.txt") or "")
        html_source = _read(folder, f"{name}.html")
        subject_source = _read(folder, f"{name}.subject")
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("mail template %r in %s cannot be read: %s", name, folder, exc)
        return None
    html_template = None if html_source is None else Template(html_source)
    if missing := _without_link({f"{name}.txt": text, f"{name}.html": html_template}):
        log.warning("mail template in %s: %s; not used", folder, missing)
        return None
    subject = (subject_source or "").strip().splitlines()
    return _Template(
        name=name,
        subject=Template(subject[0] if subject else DEFAULT_SUBJECT),
        text=text,
        html=html_template,
    )


def _without_link(parts: Mapping[str, Template | None]) -> str | None:
    """Which of a template's files (by file name) lacks the link, the one thing a
    reset mail must carry."""
    for filename, part in parts.items():
        if part is not None and "reset_link" not in part.get_identifiers():
            return f"{filename} lacks $reset_link"
    return None


def folder_problem(folder: Path) -> str | None:
    """Why the templates in `folder` (the operator's --template-dir) would not be
    sent as written, or None. Rendering never fails on them (a template without
    the link falls back to the default; an unknown placeholder or a stray `$` is
    left as written), so a typo would reach every reader of every reset mail:
    serve refuses them at start instead."""
    if not folder.is_dir():
        return f"{folder} is not a folder"
    parts = sorted(
        entry
        for entry in folder.iterdir()
        if entry.suffix in (".txt", ".html", ".subject") and entry.is_file()
    )
    return _layout_problem(parts) or next(filter(None, map(_content_problem, parts)), None)


def _layout_problem(parts: list[Path]) -> str | None:
    """A file that no template would be read from: a bad name, or no .txt beside it."""
    names = {entry.stem for entry in parts if entry.suffix == ".txt"}
    for entry in parts:
        if not _NAME.fullmatch(entry.stem):
            return f"{entry.name!r}: a template's name is up to 64 letters, digits, - and _"
        if entry.stem not in names:
            return (
                f"{entry.name} has no {entry.stem}.txt beside it: a template is its .txt, "
                "with an optional .html and .subject"
            )
    return None


def _content_problem(part: Path) -> str | None:
    """What in one template file would not be rendered as written."""
    try:
        source = part.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return f"{part.name} cannot be read: {error}"
    if (problem := _placeholder_problem(source)) is not None:
        return f"{part.name} {problem}"
    if part.suffix == ".subject":
        return None
    return _without_link({part.name: Template(source)})


def _placeholder_problem(source: str) -> str | None:
    """The first `$` in `source` that rendering would leave as written."""
    for match in Template.pattern.finditer(source):
        line = source.count("\n", 0, match.start()) + 1
        if match.group("invalid") is not None:
            return f"line {line}: a $ that starts no placeholder (write $$ for a dollar sign)"
        name = match.group("named") or match.group("braced")
        if name is not None and name not in PLACEHOLDERS:
            known = ", ".join(f"${known}" for known in sorted(PLACEHOLDERS))
            return f"line {line}: unknown placeholder ${name}; passgate fills {known}"
    return None


def _read(folder: Traversable, filename: str) -> str | None:
    entry = folder.joinpath(filename)
    if not entry.is_file():
        return None
    return entry.read_text(encoding="utf-8")


def _transfer_encoding(body: str) -> str:
    """7bit keeps the link byte for byte in the raw mail, which quoted-printable
    would break (`=` becomes `=3D`, long lines get soft breaks); base64 only when
    7bit cannot carry the body."""
    too_long = any(len(line) > _MAX_LINE_OCTETS for line in body.encode().splitlines())
    return "7bit" if body.isascii() and not too_long else "base64"


def _domain_of(sender: str) -> str:
    """The sender's domain for Message-ID: asking the OS for its FQDN can block on DNS."""
    domain = email.utils.parseaddr(sender)[1].rpartition("@")[2]
    if domain and domain.isascii() and re.fullmatch(r"[A-Za-z0-9.-]+", domain):
        return domain
    return "passgate.invalid"


def find_reset_link(message: Message) -> str | None:
    """The first link with `user=` and `token=` in a text part: for tests and tools."""
    for part in message.walk():
        if part.get_content_type() != "text/plain":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        text = payload.decode(part.get_content_charset() or "utf-8", "replace")
        for match in _LINK.finditer(text):
            if "user=" in match.group() and "token=" in match.group():
                return match.group()
    return None


def _values_for(mail: ResetMail) -> Mapping[str, str]:
    return {
        "reset_link": mail.reset_link,
        "expires_minutes": str(mail.expires_minutes),
        "tenant_name": mail.tenant_name,
        "to_address": mail.to_address,
    }
