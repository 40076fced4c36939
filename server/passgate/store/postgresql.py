"""Opening a PostgreSQL database: psycopg 3, chosen explicitly, through a
connection pool sized by `--database-pool`.

peewee's URL helper would pick psycopg2 whenever it happens to be installed,
and open one connection per thread for good (128 offload threads per process
against PostgreSQL's default `max_connections` of 100); so the database is
built here from the URL's parts, as a pool that threads borrow from per call.
"""

from __future__ import annotations

import functools
import importlib
import logging
import re
import threading
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import peewee

log = logging.getLogger("passgate")

DRIVER = "psycopg"
INSTALL = "pip install 'passgate[postgresql]'"
# peewee's FloatField is `real` (4 bytes) on PostgreSQL: a time such as
# 1765000000.123456 would come back as 1765000000.0, and up to ±100 s off.
# Every float column holds seconds since the epoch, so every one is 8 bytes;
# this is set on the database, so it holds when the first migration runs.
FIELD_TYPES = {"FLOAT": "DOUBLE PRECISION"}
# Seconds a thread waits for a free pooled connection before the call fails
# as "database unavailable"; the pool is sized so that this is rare.
POOL_WAIT = 10.0


class DriverMissing(ValueError):
    """psycopg 3 is not installed: the message says how to install it."""


def require_driver() -> None:
    """Raises DriverMissing, one line for the operator, if psycopg 3 cannot be imported."""
    try:
        importlib.import_module(DRIVER)
    except ImportError:
        raise DriverMissing(
            f"the PostgreSQL driver (psycopg 3) is not installed: {INSTALL}"
        ) from None


def connect_options(url: str) -> dict[str, Any]:
    """psycopg's connection parameters from postgresql://USER[:PASS]@HOST[:PORT]/DB[?opts]
    (query options such as sslmode or connect_timeout pass through)."""
    parts = urlsplit(url)
    options: dict[str, Any] = {"dbname": unquote(parts.path.lstrip("/"))}
    if parts.hostname:
        options["host"] = parts.hostname
    if parts.port:
        options["port"] = parts.port
    if parts.username:
        options["user"] = unquote(parts.username)
    if parts.password:
        options["password"] = unquote(parts.password)
    options.update(parse_qsl(parts.query))
    return options


# Statements that may end a session or an API key (the tables whose triggers
# notify); not an UPDATE of sessions that sets last_used_at alone, which ends
# nothing and notifies no one (migration 8).
_REVOKING = re.compile(
    r"\s*(UPDATE|DELETE\s+FROM)\s+\"?(sessions|api_keys|users|tenants)\b"
    r"(?!\"?\s+SET\s+last_used_at\s*=\s*%s\s+WHERE\b)",
    re.I,
)


class RevokingChanges:
    """This process's changes that may end a session or key: how many are
    under way (begun, not yet committed or rolled back) and how many ended.
    While one is under way, caches keep nothing (its outcome is not known
    yet); once it ends, the count moves every cache past what it kept."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.under_way = 0
        self.ended = 0

    def begin(self) -> None:
        with self._lock:
            self.under_way += 1

    def end(self) -> None:
        with self._lock:
            self.ended += 1  # first: a cache never sees the change finished and not counted
            self.under_way -= 1


@functools.cache
def _warn_once_commits_made_durable() -> None:
    log.warning(
        "the PostgreSQL server's synchronous_commit is off; passgate's connections "
        "set it on, so that every change it acknowledges survives a crash"
    )


def _database_class() -> type[peewee.Database]:
    from playhouse.postgres_ext import PooledPsycopg3Database  # noqa: PLC0415

    class PostgresDatabase(PooledPsycopg3Database):  # type: ignore[misc]
        """Tells `revoking` when this process changes what may end a session or
        key, and when that change is committed or rolled back: the notice
        PostgreSQL sends on commit reaches this process's own listener a moment
        later, and a call in this process must not be answered from the cache
        while the change is on its way, nor in that moment after."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.revoking: RevokingChanges = RevokingChanges()
            self._pending = threading.local()

        def _initialize_connection(self, conn: Any) -> None:
            """Every commit passgate acknowledges is durable: where the server's
            default is `synchronous_commit = off` (a commit may vanish in a
            crash), this connection sets it on; stronger settings (remote_apply
            for a synchronous standby) stay as the operator chose."""
            super()._initialize_connection(conn)
            (setting,) = conn.execute("SHOW synchronous_commit").fetchone()
            if setting == "off":
                conn.execute("SET synchronous_commit = on")
                _warn_once_commits_made_durable()

        def cursor(self, named_cursor: Any = None) -> Any:
            """A connection the server dropped (a restart, a failover) is thrown
            away before a statement or a transaction starts, not kept by the
            thread: the next call takes a live one, so calls succeed again as
            soon as the server is back, without a restart."""
            conn = self._state.conn
            if conn is not None and conn.closed and not self.in_transaction():
                self._close(conn, close_conn=True)
                self._state.reset()
            return super().cursor(named_cursor)

        def execute_sql(self, sql: str, params: Any = None, **options: Any) -> Any:
            if not _REVOKING.match(sql):
                return super().execute_sql(sql, params, **options)
            if self.in_transaction():
                if not getattr(self._pending, "revoking", False):
                    self._pending.revoking = True
                    self.revoking.begin()
                return super().execute_sql(sql, params, **options)
            self.revoking.begin()  # a statement of its own, committed as it runs
            try:
                return super().execute_sql(sql, params, **options)
            finally:
                self.revoking.end()

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                self._settle()

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                self._settle()

        def _settle(self) -> None:
            if getattr(self._pending, "revoking", False):
                self._pending.revoking = False
                self.revoking.end()

    return PostgresDatabase


def open_postgresql(url: str, pool_size: int) -> peewee.Database:
    """A pooled psycopg 3 database: at most `pool_size` connections at once;
    a connection goes back to the pool when the thread holding it calls close()."""
    require_driver()
    options = connect_options(url)
    dbname = options.pop("dbname")
    database: peewee.Database = _database_class()(
        dbname,
        max_connections=pool_size,
        timeout=POOL_WAIT,
        field_types=FIELD_TYPES,
        **options,
    )
    return database
