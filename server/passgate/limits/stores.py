"""The limits store a `--limits-store` URL names: a SQLite file
(sqlite:///FILE) shared by the processes of one machine, or Redis
(redis://HOST:PORT/DB, rediss:// for TLS) shared by replicas on several.
Redis needs redis-py (the `passgate[redis]` extra), imported only when
Redis is named.

Both are leased (passgate/limits/leases.py): a budget of 200 calls a period
or more is charged up to a hundredth at a time, as its use grows. `python -m bench.limits_cost`
measures what that saves on each.
"""

from __future__ import annotations

from pathlib import Path

from passgate.limits.fallback import KEPT_LOCALLY, FallbackLimitStore
from passgate.limits.leases import LeasedNetworkLimitStore, leased
from passgate.limits.redis_url import require_redis_client, uses_redis
from passgate.limits.store import UNTIL_IT_CAN, LimitStore, SqliteLimitStore
from passgate.store.db import sqlite_path

FORMS = "sqlite:///FILE, redis://[:PASSWORD@]HOST:PORT/DB or rediss://…"


def open_exact_limits_store(url: str, consequence: str = UNTIL_IT_CAN) -> LimitStore:
    """The store at `url`, every call charged to it; ValueError (one line)
    for a form it does not know. `consequence` ends the line that logs
    Redis lost."""
    if uses_redis(url):
        require_redis_client()
        from passgate.limits.redis_store import RedisLimitStore  # noqa: PLC0415 (the extra)

        return RedisLimitStore(url, consequence)
    path = sqlite_path(url)
    if path is None:
        raise ValueError(f"unsupported limits store {url!r}: expected {FORMS}")
    return SqliteLimitStore(path)


def open_limits_store(url: str, *, local: Path | None = None) -> LimitStore:
    """The store at `url`, its large budgets leased. `local`, for Redis: the
    file that keeps budgets and throttles while Redis cannot be reached
    (`--limits-store-outage local`); without it, calls answer UNAVAILABLE."""
    if local is None or not uses_redis(url):
        return leased(open_exact_limits_store(url))
    require_redis_client()
    from passgate.limits.redis_store import RedisLimitStore  # noqa: PLC0415 (the extra)

    shared = LeasedNetworkLimitStore(RedisLimitStore(url, KEPT_LOCALLY, every_cause=False))
    return FallbackLimitStore(shared, sqlite_limits_store(local))


def sqlite_limits_store(path: Path) -> LimitStore:
    """The SQLite file at `path`, its large budgets leased."""
    return leased(SqliteLimitStore(path))
