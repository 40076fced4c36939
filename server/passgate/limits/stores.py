"""The limits store a `--limits-store` URL names: a SQLite file
(sqlite:///FILE) shared by the processes of one machine, or Redis
(redis://HOST:PORT/DB, rediss:// for TLS) shared by replicas on several.
Redis needs redis-py (the `passgate[redis]` extra), imported only when
Redis is named."""

from __future__ import annotations

from passgate.limits.redis_url import require_redis_client, uses_redis
from passgate.limits.store import LimitStore, SqliteLimitStore
from passgate.store.db import sqlite_path

FORMS = "sqlite:///FILE, redis://[:PASSWORD@]HOST:PORT/DB or rediss://…"


def open_limits_store(url: str) -> LimitStore:
    """The store at `url`; ValueError (one line) for a form it does not know."""
    if uses_redis(url):
        require_redis_client()
        from passgate.limits.redis_store import RedisLimitStore  # noqa: PLC0415 (the extra)

        return RedisLimitStore(url)
    path = sqlite_path(url)
    if path is None:
        raise ValueError(f"unsupported limits store {url!r}: expected {FORMS}")
    return SqliteLimitStore(path)
