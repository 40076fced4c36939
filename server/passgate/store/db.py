"""Opening the database named by a URL, with the settings passgate relies on."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import urlparse

import peewee
from playhouse import db_url
from playhouse.pool import MaxConnectionsExceeded, PooledDatabase

from passgate.private_files import private_sqlite_file
from passgate.sqlite_wal import BUSY_TIMEOUT_SECONDS, enter_wal
from passgate.store.models import database_proxy
from passgate.store.postgresql import open_postgresql

# Connections one process may hold on a database server (the CLI needs one).
DEFAULT_POOL = 10

# WAL (`_WalSqliteDatabase`) lets readers run beside the one writer.
# synchronous=FULL fsyncs the WAL at every commit, so an acknowledged password
# change survives a crash or a power cut, not only `kill -9`. The busy timeout
# (`BUSY_TIMEOUT_SECONDS`) makes writers queue instead of failing; IMMEDIATE
# transactions take the write lock up front, so a read-then-write transaction
# never fails on lock upgrade.
SQLITE_PRAGMAS = (
    ("synchronous", "full"),
    ("foreign_keys", "1"),
    ("cache_size", "-16000"),
)


class _WalSqliteDatabase(peewee.SqliteDatabase):
    """Each new connection puts the file in WAL mode before its first use,
    asking again while processes opening a new file together lock each other out."""

    def _connect(self) -> sqlite3.Connection:
        connection: sqlite3.Connection = super()._connect()  # type: ignore[misc]
        try:
            enter_wal(connection)
        except BaseException:
            connection.close()
            raise
        return connection


def sqlite_path(url: str) -> Path | None:
    """The file behind a `sqlite:///…` URL; None for other databases."""
    parsed = urlparse(url)
    if parsed.scheme != "sqlite":
        return None
    return Path(db_url.parse(url)["database"])


def open_database(url: str, pool_size: int = DEFAULT_POOL) -> peewee.Database:
    """Connects the models to the database at `url` (sqlite:///… or postgresql://…);
    a database server is reached through at most `pool_size` pooled connections."""
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        path = sqlite_path(url)
        assert path is not None
        private_sqlite_file(path)
        database: peewee.Database = _WalSqliteDatabase(
            str(path),
            pragmas=SQLITE_PRAGMAS,
            timeout=BUSY_TIMEOUT_SECONDS,
            lock_type="IMMEDIATE",
            check_same_thread=False,
        )
    elif scheme in ("postgres", "postgresql"):
        database = open_postgresql(url, pool_size)
    else:
        raise ValueError(
            f"unsupported database URL scheme {scheme!r}: use sqlite:/// or postgresql://"
        )
    database_proxy.initialize(database)
    return database


def release_connection(database: peewee.Database) -> None:
    """Gives the calling thread's connection back: to the pool on a database
    server; a SQLite connection (a file handle) stays open for the thread.
    Called after every call, and before a call waits (for bcrypt, for a
    throttle slot): a call must not hold one of the pool's few connections
    while it waits, or callers waiting for a slot could hold every
    connection that the slots' holders need to finish. Inside a transaction
    the connection stays (nothing in passgate waits there)."""
    if isinstance(database, PooledDatabase) and not database.in_transaction():
        database.close()


def close_database(database: peewee.Database) -> None:
    """Closes every connection of `database`, pooled ones included."""
    if isinstance(database, PooledDatabase):
        database.close_all()
    else:
        database.close()


# What SQLite says when the disk, not passgate, is at fault: the call changed
# nothing and may succeed later (a full disk, an I/O error, a writer holding
# the lock past the busy timeout, a file that cannot be opened now).
_UNAVAILABLE_CAUSES = (
    "database or disk is full",
    "disk i/o error",
    "database is locked",
    "unable to open database file",
)


def database_unavailable(error: BaseException) -> bool:
    """Whether `error`, or the error it arose from, says the database cannot
    be used right now (retryable). SQLite rolls a transaction back itself when
    the disk is full, so the rollback that follows fails too and hides the cause.
    On PostgreSQL: the server cannot be reached, or no pooled connection freed up."""
    seen: BaseException | None = error
    for _ in range(4):
        if seen is None:
            return False
        if isinstance(seen, MaxConnectionsExceeded) or _lost_server(seen):
            return True
        if isinstance(seen, peewee.OperationalError | sqlite3.OperationalError):
            text = str(seen).lower()
            if any(cause in text for cause in _UNAVAILABLE_CAUSES):
                return True
        seen = seen.__cause__ or seen.__context__
    return False


def outage_cause(error: BaseException) -> str | None:
    """What to log, once, when `error` says the database cannot be used now
    (`database_unavailable`): the first line of the underlying error. None
    for any other error."""
    if not database_unavailable(error):
        return None
    return str(error.__context__ or error).splitlines()[0]


def _lost_server(error: BaseException) -> bool:
    """psycopg's OperationalError for a connection that failed or broke, not
    for the SQL: no SQLSTATE (the client lost the socket), a connection
    exception (class 08), a server shutting down or starting (57P01-57P03) or
    out of resources (class 53, e.g. too many connections)."""
    if not any(
        kind.__module__.startswith("psycopg") and kind.__name__ == "OperationalError"
        for kind in type(error).__mro__
    ):
        return False
    state = getattr(error, "sqlstate", None)
    return state is None or state.startswith(_LOST_SERVER_STATES)


_LOST_SERVER_STATES = ("08", "57P01", "57P02", "57P03", "53")
