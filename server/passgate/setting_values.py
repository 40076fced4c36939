"""Parsers for setting values written as text (a flag, a variable, a config file).

Each parser turns text into a value or raises `BadValue` saying what would be
valid, so that the caller can name the setting and where the text came from.
None of them touches the disk or the network: checks that do live in
`passgate.serving_checks`.
"""

from __future__ import annotations

import email.utils
import ipaddress
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from passgate.limits.redis_url import ClientMissing, require_redis_client, uses_redis
from passgate.rates import TEN_YEARS, Rate, RateOutOfRange
from passgate.store.postgresql import DriverMissing, require_driver

Parser = Callable[[str], Any]


class BadValue(ValueError):
    """A value that cannot be used; the text says what would be valid."""


def _number(text: str, kind: type[int] | type[float]) -> int | float:
    try:
        value = kind(text.strip())
    except ValueError:
        raise BadValue("not a number") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise BadValue("not a finite number")
    return value


C_INT_MOST = 2**31 - 1
"""The largest number grpcio takes for a channel argument (a C int)."""

GRPC_SECONDS_MOST = C_INT_MOST // 1000
"""The longest duration grpcio takes for a channel argument, which it counts in
milliseconds in a C int: 2147483 s, about 24 days."""


@dataclass(frozen=True)
class Integer:
    """A whole number within `low`..`high`."""

    low: int
    high: int | None = None
    why_high: str = ""  # why `high` is the most, for the refusal

    def __call__(self, text: str) -> int:
        try:
            value = int(_number(text, int))
        except BadValue:
            raise BadValue(f"expected {self.describe()}") from None
        if value < self.low or (self.high is not None and value > self.high):
            raise BadValue(f"expected {self.describe()}")
        return value

    def describe(self) -> str:
        if self.high is None:
            return f"a whole number >= {self.low}"
        why = f" ({self.why_high})" if self.why_high else ""
        return f"a whole number from {self.low} to {self.high}{why}"


@dataclass(frozen=True)
class Seconds:
    """A duration in seconds: above 0, or from 0 when `zero_allowed`; at most `most`."""

    zero_allowed: bool = False
    most: int = TEN_YEARS

    def __call__(self, text: str) -> float:
        try:
            value = float(_number(text, float))
        except BadValue:
            raise BadValue(f"expected {self.describe()}") from None
        if value < 0 or (value == 0 and not self.zero_allowed) or value > self.most:
            raise BadValue(f"expected {self.describe()}")
        return value

    def describe(self) -> str:
        low = "seconds >= 0" if self.zero_allowed else "seconds > 0"
        days = self.most / 86400
        about = f"{days / 365:g} years" if days >= 365 else f"about {days:.0f} days"
        return f"{low}, at most {self.most} ({about})"


@dataclass(frozen=True)
class Choice:
    """One of a few words, compared without regard to case."""

    choices: Sequence[str]

    def __call__(self, text: str) -> str:
        word = text.strip().lower()
        if word not in self.choices:
            raise BadValue(f"expected one of {', '.join(self.choices)}")
        return word


def switch(text: str) -> bool:
    """on / off (also true / false, yes / no, 1 / 0, as TOML and shells write them)."""
    word = text.strip().lower()
    if word in ("on", "true", "yes", "1"):
        return True
    if word in ("off", "false", "no", "0"):
        return False
    raise BadValue("expected on or off")


def text(value: str) -> str:
    return value


def mail_sender(value: str) -> str:
    """A From header: an address, with a display name or without, on one line (a
    line break would start another header: every mail would then fail to send)."""
    if any(c in value for c in "\r\n"):
        raise BadValue("a line break has no place in a From header")
    _, address = email.utils.parseaddr(value)
    if "@" not in address:
        raise BadValue("expected an e-mail address, e.g. passgate <no-reply@example.com>")
    return value


def optional_text(value: str) -> str | None:
    return value or None


def path(value: str) -> Path:
    if not value.strip():
        raise BadValue("expected a path")
    return Path(value).expanduser()


def rate(value: str) -> Rate:
    try:
        return Rate.parse(value)
    except RateOutOfRange as error:
        raise BadValue(str(error)) from None
    except ValueError:
        raise BadValue(
            "expected N/<duration> with a unit of ms, s, m, h or d, e.g. 25/5s or 600/1m"
        ) from None


def listen_address(value: str) -> str:
    """HOST:PORT (`[::1]:50051` for IPv6), port 0 (any free one) to 65535."""
    host, sep, port = value.strip().rpartition(":")
    if not sep or not host:
        raise BadValue("expected HOST:PORT, e.g. 127.0.0.1:50051 or [::1]:50051")
    if not port.isdigit() or int(port) > 65535:
        raise BadValue(f"expected HOST:PORT with a port from 0 to 65535, not {port!r}")
    bracketed = host.startswith("[") and host.endswith("]")
    bare = host[1:-1] if bracketed else host
    try:
        ip = ipaddress.ip_address(bare)
    except ValueError:
        if bare[0].isdigit() and bare.replace(".", "").isdigit():
            raise BadValue(f"{bare!r} is not an IP address") from None
        if not all(c.isalnum() or c in "-." for c in bare):
            raise BadValue(f"{bare!r} is not a host name") from None
    else:
        if ip.version == 6 and not bracketed:  # `::1:50051` reads as an address alone
            raise BadValue(f"an IPv6 address goes in brackets: [{bare}]:{port}")
    return value.strip()


def _refuse_blank(url: str) -> None:
    """Refuses a URL with a blank or control character inside: two URLs separated by
    a space are not one (every request to it would fail)."""
    if any(c.isspace() or not c.isprintable() for c in url):
        raise BadValue(
            f"{url!r} holds a space or control character: encode it (%20), "
            "and separate URLs with commas"
        )


def _has_web_host(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def web_url(value: str) -> str:
    """An http or https URL with a host, e.g. a reset link's base."""
    url = value.strip()
    _refuse_blank(url)
    if not _has_web_host(url):
        raise BadValue(
            "expected an http:// or https:// URL with a host, e.g. https://example.com/reset"
        )
    return url


def web_urls(value: str) -> tuple[str, ...]:
    """Comma-separated http or https URLs (webhook endpoints); empty: none."""
    urls = tuple(part.strip() for part in value.split(",") if part.strip())
    for url in urls:
        _refuse_blank(url)
        if not _has_web_host(url):
            raise BadValue(
                f"{url!r} is not an http:// or https:// URL with a host: expected e.g. "
                "https://hooks.example.com/passgate,https://siem.example.com/in"
            )
    return urls


def webhook_secret(value: str) -> str | None:
    """A Standard Webhooks secret, `whsec_<base64 of the key bytes>`; empty: none."""
    from passgate.webhooks.signing import secret_key  # noqa: PLC0415 (a leaf module)

    if not value.strip():
        return None
    try:
        secret_key(value.strip())
    except ValueError as error:
        raise BadValue(str(error)) from None
    return value.strip()


def networks(value: str) -> str:
    """Comma-separated networks (`10.0.0.0/8,::1`); empty: none. A host with a prefix
    (`10.0.0.1/8`) is refused, not widened to its network: these addresses are trusted,
    and a typo must not trust a whole /8."""
    for part in (part.strip() for part in value.split(",")):
        if not part:
            continue
        try:
            ipaddress.ip_network(part)
        except ValueError:
            try:
                network = ipaddress.ip_network(part, strict=False)
            except ValueError:
                raise BadValue(
                    f"{part!r} is not a network: expected e.g. 10.0.0.0/8,192.168.1.5"
                ) from None
            host = part.partition("/")[0]
            raise BadValue(
                f"{part!r} has host bits set: write {network} for the whole network "
                f"or {host} for the one host"
            ) from None
    return value


def database_url(value: str) -> str:
    """sqlite:///FILE or postgresql://USER[:PASS]@HOST:PORT/DB, with its driver installed."""
    url = value.strip()
    parts = urlsplit(url)
    if not parts.scheme:
        raise BadValue(f"expected a URL: sqlite:///{url or 'passgate.db'} or postgresql://…")
    if parts.scheme == "sqlite":
        return _sqlite_url(url)
    if parts.scheme in ("postgres", "postgresql"):
        if not parts.hostname or not parts.path.strip("/"):
            raise BadValue("expected postgresql://USER[:PASS]@HOST:PORT/DB")
        try:
            require_driver()
        except DriverMissing as error:
            raise BadValue(str(error)) from None
        return url
    raise BadValue("expected sqlite:///FILE or postgresql://USER[:PASS]@HOST:PORT/DB")


def limits_store_url(value: str) -> str:
    """sqlite:///FILE, or redis://[:PASSWORD@]HOST:PORT/DB (rediss:// for TLS)
    with its client installed."""
    url = value.strip()
    parts = urlsplit(url)
    if uses_redis(url):
        if not parts.hostname or not parts.path.strip("/").isdigit():
            raise BadValue(f"expected {parts.scheme}://[:PASSWORD@]HOST:PORT/DB, DB a number")
        try:
            require_redis_client()
        except ClientMissing as error:
            raise BadValue(str(error)) from None
        return url
    if parts.scheme != "sqlite":
        example = Path(parts.path).name or "x.db"
        raise BadValue(
            f"expected sqlite:///FILE (e.g. sqlite:///{example}) or redis://HOST:PORT/DB"
        )
    return _sqlite_url(url)


def _sqlite_url(url: str) -> str:
    """sqlite:///FILE (relative) or sqlite:////FILE (absolute), nothing else."""
    parts = urlsplit(url)
    rest = url.partition(":")[2]
    if not rest.startswith("//"):
        # sqlite:/x.db parses as sqlite:///x.db, a file relative to the working directory
        bare = rest.lstrip("/")
        raise BadValue(
            f"write sqlite:///{bare} for a file in the working directory, or "
            f"sqlite:////{bare} for /{bare}"
        )
    if parts.query or parts.fragment:
        extra = url[len(f"{parts.scheme}://{parts.netloc}{parts.path}") :]
        raise BadValue(f"passgate takes no options in a sqlite URL: drop {extra!r}")
    if parts.netloc:
        # sqlite://x.db reads as host "x.db" and no file: an in-memory database
        raise BadValue(
            f"two slashes leave no file: write sqlite:///{parts.netloc}{parts.path} (three)"
        )
    name = parts.path[1:] if parts.path.startswith("/") else parts.path
    if not name or name == ":memory:":
        raise BadValue("expected sqlite:///FILE: an in-memory database would lose everything")
    return url
