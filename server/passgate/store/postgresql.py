"""Opening a PostgreSQL database: psycopg 3, chosen explicitly, through a
connection pool sized by `--database-pool`.

peewee's URL helper would pick psycopg2 whenever it happens to be installed,
and open one connection per thread for good (128 offload threads per process
against PostgreSQL's default `max_connections` of 100); so the database is
built here from the URL's parts, as a pool that threads borrow from per call.
"""

from __future__ import annotations

import importlib
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import peewee

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


def open_postgresql(url: str, pool_size: int) -> peewee.Database:
    """A pooled psycopg 3 database: at most `pool_size` connections at once;
    a connection goes back to the pool when the thread holding it calls close()."""
    require_driver()
    from playhouse.postgres_ext import PooledPsycopg3Database  # noqa: PLC0415

    options = connect_options(url)
    dbname = options.pop("dbname")
    database: peewee.Database = PooledPsycopg3Database(
        dbname,
        max_connections=pool_size,
        timeout=POOL_WAIT,
        field_types=FIELD_TYPES,
        **options,
    )
    return database
