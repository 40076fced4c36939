"""What a Redis `--limits-store` URL needs, checked without importing the
store (settings are parsed before anything heavy is loaded): its scheme, and
redis-py, the `passgate[redis]` extra."""

from __future__ import annotations

import importlib
from urllib.parse import urlsplit

REDIS_SCHEMES = ("redis", "rediss")
INSTALL = "pip install 'passgate[redis]'"


class ClientMissing(ValueError):
    """redis-py is not installed: the message says how to install it."""


def uses_redis(url: str) -> bool:
    return urlsplit(url).scheme in REDIS_SCHEMES


def require_redis_client() -> None:
    """Raises ClientMissing, one line for the operator, if redis-py cannot be imported."""
    try:
        importlib.import_module("redis")
    except ImportError:
        raise ClientMissing(f"the Redis client (redis-py) is not installed: {INSTALL}") from None
