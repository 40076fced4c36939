"""Every setting of a passgate process, each declared once: its name, type,
default, help and how its text is parsed and checked.

The flags (`--session-ttl`), the environment variables (`PASSGATE_SESSION_TTL`),
the config file's keys (`session-ttl`), `passgate config` and the README's
configuration table are all derived from the fields of `Settings` below.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from passgate import setting_values as v
from passgate.rates import Rate

ENV_PREFIX = "PASSGATE_"

_CORES = os.cpu_count() or 1
_PER_CORE_MOST = 4
_PER_CORE_WHY = (
    f"at most {_PER_CORE_MOST} per core, {_CORES} here: more only compete for the cores and memory"
)


@dataclass(frozen=True)
class Declaration:
    """What a setting is, for people and for the parser."""

    help: str
    parse: v.Parser
    # Shown instead of the default where the default is computed (e.g. "one per core").
    default_text: str | None = None
    # Masked wherever settings are shown.
    secret: bool = False


def setting(
    default: Any,
    help: str,
    parse: v.Parser,
    *,
    default_text: str | None = None,
    secret: bool = False,
) -> Any:
    """A `Settings` field carrying its declaration."""
    declared = Declaration(help, parse, default_text, secret)
    if isinstance(default, Rate):
        return field(default_factory=lambda: default, metadata={"setting": declared})
    return field(default=default, metadata={"setting": declared})


def _policy_names(text: str) -> str:
    return v.Choice(("seed", "nist"))(text)


@dataclass(frozen=True)
class MailSettings:
    """Where reset e-mails go: a folder of `.eml` files (the default) or SMTP."""

    directory: Path | None
    smtp_host: str | None
    smtp_port: int | None  # None: 25, 587 or 465 by security
    smtp_security: str | None  # none | starttls (the default) | tls
    smtp_username: str | None
    smtp_password: str | None
    smtp_timeout: float
    smtp_ca_file: Path | None
    sender: str
    template_dir: Path | None


@dataclass(frozen=True)
class Settings:
    """The effective settings of a process; the defaults here are the only ones."""

    listen: str = setting("127.0.0.1:50051", "address to serve on, HOST:PORT", v.listen_address)
    tls_cert: Path | None = setting(
        None,
        "serve TLS: the server's certificate chain (PEM), re-read when the file changes "
        "and on SIGHUP",
        v.path,
        default_text="none: plain text",
    )
    tls_key: Path | None = setting(
        None, "serve TLS: the certificate's private key (PEM)", v.path, default_text="none"
    )
    tls_client_ca: Path | None = setting(
        None,
        "mutual TLS: CA certificates (PEM) a client's certificate must chain to; "
        "clients without one are refused",
        v.path,
        default_text="none",
    )
    metrics_listen: str | None = setting(
        None,
        "serve Prometheus metrics over HTTP on HOST:PORT (e.g. 127.0.0.1:9464)",
        v.listen_address,
        default_text="off",
    )
    insecure: bool = setting(
        False,
        "serve plain text on an address other than loopback (behind a proxy that terminates TLS)",
        v.switch,
    )
    database: str = setting(
        "sqlite:///passgate.db",
        "the accounts database: sqlite:///FILE (relative to the working directory), "
        "sqlite:////ABSOLUTE/FILE or postgresql://USER[:PASS]@HOST:PORT/DB",
        v.database_url,
    )
    database_pool: int = setting(
        10,
        "PostgreSQL: connections each process may hold (plus one that listens for "
        "revocations); keep processes x (pool + 1) under the server's max_connections",
        v.Integer(1),
    )
    workers: int = setting(
        1,
        f"processes serving the port (SO_REUSEPORT), at most {_PER_CORE_MOST} per core; "
        "budgets and throttles stay global",
        v.Integer(1, _PER_CORE_MOST * _CORES, _PER_CORE_WHY),
    )
    reset_url: str = setting(
        "http://localhost:8080/reset", "base of the link in reset e-mails", v.web_url
    )
    mail_dir: Path | None = setting(
        Path("mail"),
        "file mailer: one .eml per message (folder 0700, files 0600)",
        v.path,
    )
    smtp_host: str | None = setting(
        None, "send e-mail through this SMTP relay instead of --mail-dir", v.optional_text
    )
    smtp_port: int | None = setting(
        None, "relay port", v.Integer(1, 65535), default_text="25 / 587 / 465 by security"
    )
    smtp_security: str | None = setting(
        None,
        "none, starttls or tls; certificates are verified, no fallback to clear text",
        v.Choice(("none", "starttls", "tls")),
        default_text="starttls",
    )
    smtp_username: str | None = setting(
        None, "SMTP login name; refused with security none", v.optional_text
    )
    smtp_password: str | None = setting(
        None,
        "SMTP password (prefer the environment variable); never logged",
        v.optional_text,
        secret=True,
    )
    smtp_timeout: float = setting(10.0, "seconds an SMTP conversation may take", v.Seconds())
    smtp_ca_file: Path | None = setting(
        None, "CA bundle for the relay's certificate", v.path, default_text="system store"
    )
    mail_from: str = setting(
        "passgate <no-reply@localhost>", "sender of reset e-mails", v.mail_sender
    )
    template_dir: Path | None = setting(
        None, "folder of e-mail templates that override the built-ins", v.path
    )
    secret_file: Path | None = setting(
        None,
        "key that seals queued e-mails; share it between replicas",
        v.path,
        default_text="<database file>.secret; required off SQLite",
    )
    bcrypt_cost: int = setting(
        12, "bcrypt cost of new hashes; lower ones are upgraded at sign-in", v.Integer(4, 31)
    )
    password_policy: str = setting(
        "seed", "seed (the five classic rules) or nist (SP 800-63B)", _policy_names
    )
    session_ttl: float = setting(4 * 3600.0, "session lifetime, seconds", v.Seconds())
    session_use_flush: float = setting(
        60.0,
        "seconds between writes of when sessions were last used (ListSessions shows it "
        "to within this); each write is one batched UPDATE off the event loop",
        v.Seconds(),
    )
    reset_ttl: float = setting(3600.0, "reset token lifetime, seconds", v.Seconds())
    threads: int = setting(
        128,
        "threads for calls that wait for bcrypt or the disk (cheap calls run on the event loop)",
        v.Integer(1),
    )
    hash_workers: int = setting(
        0,
        f"bcrypt threads, at most {_PER_CORE_MOST} per core; 0: one per core",
        v.Integer(0, _PER_CORE_MOST * _CORES, _PER_CORE_WHY),
        default_text="0 (one per core)",
    )
    reflection: bool = setting(
        True, "serve gRPC server reflection (v1 and v1alpha): on or off", v.switch
    )
    shutdown_grace: float = setting(
        10.0, "seconds calls in flight get to finish on SIGTERM", v.Seconds(zero_allowed=True)
    )
    shutdown_delay: float = setting(
        0.0,
        "seconds after SIGTERM during which health says NOT_SERVING while new calls are "
        "still answered (time for load balancers to stop sending them)",
        v.Seconds(zero_allowed=True),
    )
    log_level: str = setting(
        "info",
        "JSON log lines on stderr: debug, info, warning or error",
        v.Choice(("debug", "info", "warning", "error")),
    )
    limits_store: str | None = setting(
        None,
        "where budgets and throttles live, shared by every process: sqlite:///FILE, "
        "or redis://HOST:PORT/DB for replicas on several machines",
        v.limits_store_url,
        default_text="<database file>.limits; required off SQLite",
    )
    limits_store_outage: str = setting(
        "refuse",
        "while a Redis limits store cannot be reached: refuse (calls answer UNAVAILABLE, "
        "health NOT_SERVING) or local (each replica enforces every budget and throttle "
        "alone, in its limits file, until Redis answers)",
        v.Choice(("refuse", "local")),
    )
    key_rate: Rate = setting(Rate(25, 5.0), "default budget per API key, N/<duration>", v.rate)
    ip_rate: Rate = setting(Rate(100, 1.0), "budget per client address, N/<duration>", v.rate)
    reset_ip_rate: Rate = setting(
        Rate(30, 60.0), "RequestReset budget per client address, N/<duration>", v.rate
    )
    trusted_proxies: str = setting(
        "",
        "comma-separated proxy networks whose x-forwarded-for is believed",
        v.networks,
        default_text="none",
    )
    signin_free_failures: int = setting(
        5, "failed sign-ins per account before delays start", v.Integer(0)
    )
    signin_first_delay: float = setting(
        1.0, "first sign-in delay, seconds; each further failure doubles it", v.Seconds()
    )
    signin_max_delay: float = setting(900.0, "longest sign-in delay, seconds", v.Seconds())
    resets_per_hour: int = setting(3, "reset e-mails per account per hour", v.Integer(1))
    wrong_reset_tokens: int = setting(
        5, "wrong tokens per user key before its reset tokens die", v.Integer(1)
    )
    max_concurrent_rpcs: int = setting(
        128, "calls in flight before new ones are refused", v.Integer(1)
    )
    max_message_bytes: int = setting(
        64 * 1024, "largest request message accepted, bytes", v.Integer(1, v.C_INT_MOST)
    )
    max_metadata_bytes: int = setting(
        16 * 1024, "largest request metadata accepted, bytes", v.Integer(1, v.C_INT_MOST)
    )
    request_timeout: float = setting(
        5.0, "seconds a call may take to deliver its request message", v.Seconds()
    )
    # Well above max_concurrent_rpcs: grpc counts a stream until the server has finished
    # with it, after its caller has the answer and may have sent the next call; a bound
    # near the calls a caller keeps in flight refuses some of them on a busy server.
    max_streams_per_connection: int = setting(
        1000, "concurrent calls on one connection", v.Integer(1, v.C_INT_MOST)
    )
    # Transport: clients may ping at most every `keepalive_min_ping` seconds
    # without data; the server pings idle clients every `keepalive_time`.
    keepalive_time: float = setting(
        60.0,
        "seconds between the server's pings to idle clients",
        v.Seconds(most=v.GRPC_SECONDS_MOST),
    )
    keepalive_timeout: float = setting(
        20.0,
        "seconds to wait for a ping's answer before dropping the peer",
        v.Seconds(most=v.GRPC_SECONDS_MOST),
    )
    keepalive_min_ping: float = setting(
        10.0,
        "shortest ping interval allowed from clients, seconds",
        v.Seconds(most=v.GRPC_SECONDS_MOST),
    )
    max_connection_idle: float = setting(
        600.0, "seconds before an idle connection is closed", v.Seconds(most=v.GRPC_SECONDS_MOST)
    )

    event_retention: float = setting(
        30 * 86400.0,
        "seconds security events, and their webhook deliveries, are kept",
        v.Seconds(),
        default_text="2592000 (30 days)",
    )
    webhook_urls: tuple[str, ...] = setting(
        (),
        "comma-separated http(s) URLs every security event is POSTed to, signed "
        "(Standard Webhooks); needs --webhook-secret",
        v.web_urls,
        default_text="none",
    )
    webhook_secret: str | None = setting(
        None,
        "webhook signing secret, whsec_<base64 of 24 to 64 random bytes> (prefer the "
        "environment variable); never logged",
        v.webhook_secret,
        secret=True,
    )
    webhook_attempts: int = setting(
        10, "attempts at delivering one event to one endpoint before it is failed", v.Integer(1)
    )
    webhook_retry_delay: float = setting(
        5.0,
        "seconds before a failed webhook delivery's first retry; each further one doubles it "
        "(at most an hour)",
        v.Seconds(),
    )

    @property
    def mail(self) -> MailSettings:
        """The mail settings as one value, for the mailer."""
        return MailSettings(
            directory=self.mail_dir,
            smtp_host=self.smtp_host,
            smtp_port=self.smtp_port,
            smtp_security=self.smtp_security,
            smtp_username=self.smtp_username,
            smtp_password=self.smtp_password,
            smtp_timeout=self.smtp_timeout,
            smtp_ca_file=self.smtp_ca_file,
            sender=self.mail_from,
            template_dir=self.template_dir,
        )


@dataclass(frozen=True)
class Declared:
    """One declared setting, with the names derived from its field."""

    name: str  # the Settings field, e.g. session_ttl
    default: Any
    declaration: Declaration

    @property
    def flag(self) -> str:
        return "--" + self.key

    @property
    def key(self) -> str:
        """The config file's key: the flag without its dashes."""
        return self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()

    @property
    def metavar(self) -> str:
        """What the flag takes, for --help."""
        parse = self.declaration.parse
        if isinstance(parse, v.Seconds):
            return "SECONDS"
        if isinstance(parse, v.Integer):
            return "N"
        if isinstance(parse, v.Choice):
            return "|".join(parse.choices)
        named = {
            v.rate: "N/DURATION",
            v.path: "PATH",
            v.switch: "on|off",
            v.listen_address: "HOST:PORT",
            v.database_url: "URL",
            v.limits_store_url: "URL",
            v.web_url: "URL",
            v.networks: "NETWORKS",
            v.web_urls: "URL,…",
            v.webhook_secret: "whsec_…",
            _policy_names: "seed|nist",
        }
        return named.get(parse, "TEXT")

    @property
    def default_text(self) -> str:
        if self.declaration.default_text is not None:
            return self.declaration.default_text
        return show(self.default)


def declared() -> Iterator[Declared]:
    """Every setting, in the order `Settings` declares them."""
    defaults = Settings()
    for f in dataclasses.fields(Settings):
        yield Declared(f.name, getattr(defaults, f.name), f.metadata["setting"])


def by_name() -> dict[str, Declared]:
    return {d.name: d for d in declared()}


def show(value: Any) -> str:
    """A setting's value as an operator writes it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        return ",".join(value) or "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def markdown_table() -> str:
    """The README's configuration table, derived from the declarations."""
    lines = [
        "| flag / file key | environment | default | what |",
        "|---|---|---|---|",
    ]
    for d in declared():
        lines.append(
            f"| `{d.flag}` | `{d.env}` | `{d.default_text}` | "
            f"{d.declaration.help.replace('<', chr(92) + '<')} |"
        )
    return "\n".join(lines) + "\n"
