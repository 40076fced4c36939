"""Every setting of a passgate process, with the default chosen for each."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from passgate.rates import Rate

DEFAULT_LISTEN = "127.0.0.1:50051"
DEFAULT_DATABASE = "sqlite:///passgate.db"
DEFAULT_RESET_URL = "http://localhost:8080/reset"


@dataclass(frozen=True)
class MailSettings:
    """Where reset e-mails go: a folder of `.eml` files (the default) or SMTP."""

    directory: Path | None = Path("mail")
    smtp_host: str | None = None
    smtp_port: int | None = None  # None: 25, 587 or 465 by security
    smtp_security: str | None = None  # none | starttls (the default) | tls
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout: float = 10.0
    smtp_ca_file: Path | None = None
    sender: str = "passgate <no-reply@localhost>"
    template_dir: Path | None = None


@dataclass(frozen=True)
class Settings:
    listen: str = DEFAULT_LISTEN
    database: str = DEFAULT_DATABASE
    # Where the key that seals queued e-mails lives; None: beside the SQLite file.
    secret_file: Path | None = None
    bcrypt_cost: int = 12
    password_policy: str = "seed"
    session_ttl: float = 4 * 3600.0
    reset_ttl: float = 3600.0
    reset_url: str = DEFAULT_RESET_URL
    mail: MailSettings = field(default_factory=MailSettings)
    reflection: bool = True
    # Processes serving the same port (SO_REUSEPORT); budgets and throttles
    # stay global through the shared limits store.
    workers: int = 1
    # Threads for calls that wait for bcrypt or the disk (as many as calls
    # admitted); cheap calls run on the event loop, bcrypt in its own pool of
    # `hash_workers` threads.
    threads: int = 128
    hash_workers: int = 0  # 0: one per CPU core
    max_concurrent_rpcs: int = 128
    # Seconds a call may take to deliver its request message once its headers
    # arrived; a stalled or trickling request is ended, never left to wait.
    request_timeout: float = 5.0
    # HTTP/2 streams (calls) one connection may hold open at once.
    max_streams_per_connection: int = 100
    max_message_bytes: int = 64 * 1024
    max_metadata_bytes: int = 16 * 1024
    shutdown_grace: float = 10.0
    # Seconds between SIGTERM and refusing new calls: health says NOT_SERVING meanwhile.
    shutdown_delay: float = 0.0
    # Abuse protection; state shared by every process through `limits_store`.
    limits_store: str | None = None  # None: a SQLite file beside the database
    key_rate: Rate = field(default_factory=lambda: Rate(25, 5.0))
    ip_rate: Rate = field(default_factory=lambda: Rate(100, 1.0))
    reset_ip_rate: Rate = field(default_factory=lambda: Rate(30, 60.0))
    trusted_proxies: str = ""
    signin_free_failures: int = 5
    signin_first_delay: float = 1.0
    signin_max_delay: float = 900.0
    resets_per_hour: int = 3
    wrong_reset_tokens: int = 5
    # Transport: clients may ping at most every `keepalive_min_ping` seconds
    # without data; the server pings idle clients every `keepalive_time`.
    keepalive_time: float = 60.0
    keepalive_timeout: float = 20.0
    keepalive_min_ping: float = 10.0
    max_connection_idle: float = 600.0
    log_level: str = "INFO"
