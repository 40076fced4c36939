"""Mailers: where a rendered e-mail goes once the outbox worker hands it over.

Every mailer has one method, `send`, and one failure, `MailDeliveryError`,
whose `permanent` flag tells the worker whether trying the same message again
later can help. `FileMailer` (the default) drops `.eml` files into a folder,
`SmtpMailer` talks to a relay, `MemoryMailer` keeps messages for tests.
"""

from __future__ import annotations

import contextlib
import email.message
import email.utils
import os
import secrets
import smtplib
import ssl
import threading
import time
from collections import deque
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol, get_args

from passgate.clock import Clock, SystemClock
from passgate.config import MailSettings, Settings
from passgate.private_files import PRIVATE_FOLDER_MODE
from passgate.setting_values import BadValue, mail_sender

__all__ = [
    "DEFAULT_SMTP_PORTS",
    "FileMailer",
    "MailDeliveryError",
    "Mailer",
    "MemoryMailer",
    "SmtpMailer",
    "SmtpSecurity",
    "SmtpSettings",
    "mail_destination",
    "mailer_for",
    "mailer_from_options",
]

SmtpSecurity = Literal["none", "starttls", "tls"]

#: The usual port for each kind of transport security (RFC 8314 for 465).
DEFAULT_SMTP_PORTS: dict[SmtpSecurity, int] = {"none": 25, "starttls": 587, "tls": 465}

_SERVER_TEXT_LIMIT = 200


class MailDeliveryError(Exception):
    """A message was not delivered.

    `permanent` is True when the same message with the same settings would
    fail again (a 5xx refusal, rejected credentials, an untrusted
    certificate): the worker should give up on it. It is False for what may
    pass later (connection errors, timeouts, 4xx answers): the worker retries.
    The text never holds a password.
    """

    def __init__(self, message: str, *, permanent: bool, smtp_code: int | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.smtp_code = smtp_code

    def __repr__(self) -> str:
        return (
            f"MailDeliveryError({str(self)!r}, permanent={self.permanent}, "
            f"smtp_code={self.smtp_code})"
        )


class Mailer(Protocol):
    """Delivers one finished message; raises `MailDeliveryError` when it cannot."""

    def send(self, message: email.message.EmailMessage) -> None: ...


# --------------------------------------------------------------------------- file


FILE_STAMP = "%Y%m%dT%H%M%S.%fZ"
"""How a mail file's name begins: the time it was written, to the microsecond."""


class FileMailer:
    """Writes each message as one `.eml` file: the default, needs no mail server.

    Files appear whole or not at all (temp file, fsync, rename), so a reader
    polling the folder never sees half a message. The folder is 0700 and each
    file 0600 because a reset mail holds a live token.
    """

    def __init__(self, directory: Path, *, clock: Clock | None = None) -> None:
        self.directory = Path(directory)
        self._clock = clock or SystemClock()
        self._ensure_directory()

    def _ensure_directory(self) -> None:
        self.directory.mkdir(mode=PRIVATE_FOLDER_MODE, parents=True, exist_ok=True)

    def _final_name(self) -> str:
        stamp = datetime.fromtimestamp(self._clock.now(), UTC).strftime(FILE_STAMP)
        return f"{stamp}-{secrets.token_hex(8)}.eml"

    def send(self, message: email.message.EmailMessage) -> None:
        data = _serialize(message)
        # Dot-prefixed and without the .eml suffix: readers that glob *.eml skip it.
        temp = self.directory / f".{secrets.token_hex(8)}.eml.tmp"
        try:
            self._ensure_directory()
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            fd = os.open(temp, flags, 0o600)
            try:
                if hasattr(os, "fchmod"):
                    os.fchmod(fd, 0o600)  # whatever the umask
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temp, self.directory / self._final_name())
            _fsync_directory(self.directory)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise MailDeliveryError(
                f"cannot write mail to {self.directory}: {exc.strerror or exc}", permanent=False
            ) from exc


def _serialize(message: email.message.EmailMessage) -> bytes:
    """The message's bytes; a message that has none will never be deliverable."""
    try:
        return message.as_bytes()
    except (ValueError, LookupError, UnicodeError) as exc:
        raise MailDeliveryError(
            f"message cannot be serialized: {type(exc).__name__}", permanent=True
        ) from exc


def _fsync_directory(directory: Path) -> None:
    """Makes the rename itself durable (POSIX only; a no-op where unsupported)."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- SMTP


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the SMTP relay; checked once, at construction.

    `sender` is the From address (a display name is allowed); its bare address
    is also the envelope sender. Credentials are refused over an unencrypted
    connection, since they would cross the network in clear text.
    """

    host: str
    port: int
    security: SmtpSecurity
    username: str | None
    password: str | None = field(repr=False)
    timeout: float
    sender: str
    ca_file: Path | None = None

    def __post_init__(self) -> None:
        if not self.host or any(c.isspace() for c in self.host):
            raise ValueError("SMTP host must be a non-empty host name or address")
        if not 0 < self.port < 65536:
            raise ValueError(f"SMTP port must be within 1-65535, not {self.port}")
        if self.security not in get_args(SmtpSecurity):
            raise ValueError(
                f"SMTP security must be one of none, starttls, tls; not {self.security!r}"
            )
        if (self.username is None) != (self.password is None):
            raise ValueError("SMTP username and password go together: give both or neither")
        if self.username is not None and self.security == "none":
            raise ValueError(
                "SMTP credentials need an encrypted connection: use security starttls or tls"
            )
        if not self.timeout > 0:
            raise ValueError("SMTP timeout must be a positive number of seconds")
        try:
            mail_sender(self.sender)
        except BadValue as error:
            raise ValueError(f"mail sender {self.sender!r}: {error}") from None
        if self.ca_file is not None and self.security == "none":
            raise ValueError("an SMTP CA file only makes sense with security starttls or tls")

    @property
    def envelope_sender(self) -> str:
        """The bare address of `sender`, for MAIL FROM."""
        address = email.utils.parseaddr(self.sender)[1]
        return address if "@" in address else ""


class SmtpMailer:
    """Sends through an SMTP relay, with STARTTLS or implicit TLS and optional AUTH.

    One connection per message: the outbox worker sends rarely and in small
    numbers, so a pooled connection would add idle-timeout and reconnect
    handling for no measurable gain. Every call is independent, hence
    thread-safe. Certificates are verified against the system store, or
    against `ca_file` when given.
    """

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._tls: ssl.SSLContext | None = None
        if settings.security != "none":
            cafile = None if settings.ca_file is None else str(settings.ca_file)
            # Loaded now, so a bad CA file stops the server at start-up.
            self._tls = ssl.create_default_context(cafile=cafile)

    def __repr__(self) -> str:
        s = self.settings
        return f"SmtpMailer({s.security}://{s.host}:{s.port})"

    def send(self, message: email.message.EmailMessage) -> None:
        try:
            self._send(message)
        except MailDeliveryError:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            # `from None`: nothing of the AUTH exchange travels further.
            raise MailDeliveryError(
                f"{self._where()}: authentication refused ({exc.smtp_code})",
                permanent=_is_permanent(exc.smtp_code),
                smtp_code=exc.smtp_code,
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise _delivery_error(exc, self._where()) from exc
        except (ValueError, LookupError, UnicodeError) as exc:
            # Raised while flattening the message: sending it again cannot help.
            raise MailDeliveryError(
                f"{self._where()}: message cannot be sent: {type(exc).__name__}", permanent=True
            ) from exc

    def _where(self) -> str:
        return f"SMTP {self.settings.host}:{self.settings.port}"

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "tls":
            return smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._tls)
        return smtplib.SMTP(s.host, s.port, timeout=s.timeout)

    def _send(self, message: email.message.EmailMessage) -> None:
        s = self.settings
        smtp = self._connect()
        try:
            smtp.ehlo()
            if s.security == "starttls":
                if not smtp.has_extn("starttls"):
                    # Never fall back to clear text: that is what a downgrade attack wants.
                    raise MailDeliveryError(
                        f"{self._where()}: server does not offer STARTTLS", permanent=True
                    )
                smtp.starttls(context=self._tls)
                smtp.ehlo()
            if s.username is not None and s.password is not None:
                smtp.login(s.username, s.password)
            refused = smtp.send_message(message, from_addr=s.envelope_sender)
            if refused:
                raise _delivery_error(smtplib.SMTPRecipientsRefused(refused), self._where())
        finally:
            _quit_quietly(smtp)


def _quit_quietly(smtp: smtplib.SMTP) -> None:
    """Ends the session; a failure here cannot undo a message already accepted."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _is_permanent(code: int | None) -> bool:
    return code is not None and 500 <= code < 600


def _server_text(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    text = " ".join(text.split())
    return text[:_SERVER_TEXT_LIMIT]


def _delivery_error(exc: BaseException, where: str) -> MailDeliveryError:
    """The one mapping from smtplib / socket failures to `MailDeliveryError`."""
    code: int | None = None
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = list(exc.recipients.values())
        codes = [c for c, _ in answers]
        code = codes[0] if codes else None
        detail = "recipient refused: " + "; ".join(f"{c} {_server_text(t)}" for c, t in answers)
        # No code at all means the message named no recipient: a defect of its own.
        permanent = all(_is_permanent(c) for c in codes)
    elif isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        detail = f"{code} {_server_text(exc.smtp_error)}"
        permanent = _is_permanent(code)
    elif isinstance(exc, smtplib.SMTPServerDisconnected):
        detail, permanent = f"connection lost: {exc}", False
    elif isinstance(exc, smtplib.SMTPException):
        # Not supported (AUTH, an extension), no usable AUTH mechanism: settings problems.
        detail, permanent = str(exc), True
    elif isinstance(exc, ssl.SSLCertVerificationError):
        detail, permanent = f"server certificate not trusted: {exc.verify_message}", True
    elif isinstance(exc, TimeoutError):
        detail, permanent = "timed out", False
    elif isinstance(exc, OSError):
        detail, permanent = str(exc.strerror or exc), False
    else:
        detail, permanent = type(exc).__name__, False
    return MailDeliveryError(f"{where}: {detail}", permanent=permanent, smtp_code=code)


# --------------------------------------------------------------------------- memory


class MemoryMailer:
    """A test helper: keeps every message in memory instead of sending it.

    Thread-safe, so the outbox worker may run in its own thread while a test
    waits for mail with `wait_for`. `fail_next` makes the next sends fail, to
    exercise the worker's retry and give-up paths.
    """

    def __init__(self) -> None:
        self._messages: list[email.message.EmailMessage] = []
        self._failures: deque[MailDeliveryError] = deque()
        self._changed = threading.Condition()

    def send(self, message: email.message.EmailMessage) -> None:
        with self._changed:
            if self._failures:
                raise self._failures.popleft()
            self._messages.append(message)
            self._changed.notify_all()

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        """A copy of what was sent so far, oldest first."""
        with self._changed:
            return list(self._messages)

    def clear(self) -> None:
        with self._changed:
            self._messages.clear()
            self._failures.clear()

    def fail_next(self, *errors: MailDeliveryError) -> None:
        """Queues errors that the next calls to `send` raise, one per call."""
        with self._changed:
            self._failures.extend(errors)

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[email.message.EmailMessage]:
        """Blocks until at least `count` messages were sent; raises TimeoutError."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self._messages)} of {count} messages sent")
                self._changed.wait(left)
            return list(self._messages)


# --------------------------------------------------------------------------- wiring


def mail_destination(mail: MailSettings) -> SmtpSettings | Path:
    """Where the `serve` command's mail settings send mail: an SMTP relay or a
    folder, or a ValueError naming the flag. Creates and connects to nothing,
    so the settings are checked before anything starts.

    `--smtp-host` selects SMTP (port defaulting by security: 25, 587, 465;
    security defaulting to starttls); otherwise mail goes to `--mail-dir`.
    Giving both, or an SMTP option without a host, is an error rather than a
    silent choice: mail that quietly goes nowhere is hard to notice.
    """
    smtp_given = {
        "--smtp-port": mail.smtp_port,
        "--smtp-security": mail.smtp_security,
        "--smtp-username": mail.smtp_username,
        "--smtp-password": mail.smtp_password,
        "--smtp-ca-file": mail.smtp_ca_file,
    }
    if mail.smtp_host is None:
        stray = [flag for flag, value in smtp_given.items() if value is not None]
        if stray:
            verb = "needs" if len(stray) == 1 else "need"
            raise ValueError(f"{', '.join(stray)} {verb} --smtp-host")
        if mail.directory is None:
            raise ValueError("give --mail-dir or --smtp-host")
        return mail.directory
    if mail.directory is not None:
        raise ValueError("--mail-dir and --smtp-host exclude each other: choose one")
    security = _parse_security(mail.smtp_security or "starttls")
    return SmtpSettings(
        host=mail.smtp_host,
        port=mail.smtp_port if mail.smtp_port is not None else DEFAULT_SMTP_PORTS[security],
        security=security,
        username=mail.smtp_username,
        password=mail.smtp_password,
        timeout=mail.smtp_timeout,
        sender=mail.sender,
        ca_file=mail.smtp_ca_file,
    )


def mailer_for(destination: SmtpSettings | Path) -> Mailer:
    """The mailer that delivers to `destination` (a folder is created here)."""
    if isinstance(destination, Path):
        return FileMailer(destination)
    return SmtpMailer(destination)


def mailer_from_options(**options: Any) -> Mailer:
    """The mailer for the mail settings given by name (`MailSettings`' fields),
    the others unset: for tools and tests that have no `Settings`."""
    unset = dict.fromkeys(field.name for field in fields(MailSettings))
    chosen = {**unset, "smtp_timeout": Settings.smtp_timeout, **options}
    return mailer_for(mail_destination(MailSettings(**chosen)))


def _parse_security(value: str) -> SmtpSecurity:
    if value == "none":
        return "none"
    if value == "starttls":
        return "starttls"
    if value == "tls":
        return "tls"
    raise ValueError(f"--smtp-security must be none, starttls or tls; not {value!r}")
