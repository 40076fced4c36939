"""Opening passgate's accounts database, and refusing a database that is not
passgate's before anything is written to it.

A wrong --database is an easy slip: another program's SQLite file, or the
limits store beside passgate.db, which tab completion offers first. Opened the
ordinary way, such a file would be made 0600 and switched to WAL, and the
migrations would write passgate's tables into it; a command would then answer
from an empty database (no keys, no users) as if the operator's data were gone.
So the tables are looked at first: in a SQLite file through a read-only
connection that writes nothing (not even a -wal or -shm beside it), on a
database server in the current schema, before any migration runs.

passgate's database is the one holding `schema_versions`, which the first
migration commits before any other table, so a database another passgate
process is creating at this moment holds that table or none. Only `serve` and
`migrate` create passgate's schema, and only in a database holding no tables.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from pathlib import Path

import peewee

from passgate.limits.store import TABLES as LIMITS_TABLES
from passgate.setting_sources import OperatorError, shown_database
from passgate.sqlite_wal import BUSY_TIMEOUT_SECONDS
from passgate.store.db import close_database, open_database, sqlite_path
from passgate.store.models import SchemaVersion

SCHEMA_TABLE: str = SchemaVersion._meta.table_name
NAMED_TABLES = 5  # how many of a foreign database's tables a refusal names


def open_accounts_database(url: str, pool_size: int, *, create: bool) -> peewee.Database:
    """The accounts database at `url`, opened for `migrate` to bring up to date.

    Refuses (OperatorError, one line) a database that holds tables but not
    passgate's, whatever the command; and, unless `create`, one that holds no
    tables or, for SQLite, a file that does not exist."""
    shown = shown_database(url)
    file = sqlite_path(url)
    if file is not None:
        _check(shown, _sqlite_tables(file, shown), create)
        return open_database(url, pool_size)
    database = open_database(url, pool_size)
    try:
        _check(shown, database.get_tables(), create)
    except OperatorError:
        close_database(database)
        raise
    return database


def _check(shown: str, tables: Collection[str] | None, create: bool) -> None:
    """Refuses the database named `shown` holding `tables` (None: no such file)
    unless it is passgate's, or `create` and it holds nothing."""
    if tables is not None and SCHEMA_TABLE in tables:
        return
    if not tables:
        if create:
            return
        raise OperatorError(
            f"no passgate database at {shown}: run `passgate migrate` or pass --database"
        )
    raise OperatorError(f"{shown} is not a passgate database ({_holds(tables)}); check --database")


class NotSqlite(OperatorError):
    """The file is not a SQLite database at all."""


def limits_file_problem(file: Path) -> str | None:
    """Why the SQLite file `file` cannot be the limits store, or None: it is no
    SQLite database, or it holds tables other than the limits store's (another
    program's, or passgate's accounts), which passgate must not write into."""
    try:
        tables = _sqlite_tables(file, str(file))
    except NotSqlite:
        return "it is not a SQLite database"
    if tables and not set(tables) <= LIMITS_TABLES:
        return _holds(tables)
    return None


def _holds(tables: Collection[str]) -> str:
    if set(tables) >= LIMITS_TABLES:
        return "it is passgate's limits store"
    named = sorted(tables)[:NAMED_TABLES]
    more = len(tables) - len(named)
    return f"it holds tables {', '.join(named)}" + (f" and {more} more" if more else "")


def _sqlite_tables(file: Path, shown: str) -> list[str] | None:
    """The tables in the SQLite file (None when there is no file), read
    without writing a byte: with a -wal beside the file (a server may have it
    open) read-only, through the WAL; without one the file holds every
    committed table, and is read as immutable, which creates no -wal and -shm
    (a read-only connection to a file in WAL mode would leave both behind)."""
    if not file.exists():
        return None
    option = "mode=ro" if file.with_name(file.name + "-wal").exists() else "immutable=1"
    try:
        connection = sqlite3.connect(
            f"{file.resolve().as_uri()}?{option}", uri=True, timeout=BUSY_TIMEOUT_SECONDS
        )
        try:
            rows = connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
            ).fetchall()
        finally:
            connection.close()
    except sqlite3.Error as error:
        if getattr(error, "sqlite_errorname", "") == "SQLITE_NOTADB":
            raise NotSqlite(
                f"{shown} is not a passgate database (it is not a SQLite database); "
                "check --database"
            ) from None
        raise OperatorError(f"cannot read {shown}: {error}") from None
    return [str(name) for (name,) in rows]
