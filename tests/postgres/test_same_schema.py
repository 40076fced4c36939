"""The migrations make one schema on every engine: the same tables, columns
(types compared by kind), nullability, and indexes with their uniqueness."""

from __future__ import annotations

import re
from pathlib import Path

import peewee

from passgate.postgres_cluster import PostgresDatabase
from passgate.store.db import close_database, open_database
from passgate.store.migrations import LATEST_VERSION, applied_version, migrate

# What each engine calls a kind of column.
KINDS = {
    "varchar": "text",
    "character varying": "text",
    "text": "text",
    "real": "float",
    "double precision": "float",
    "integer": "integer",
    "bigint": "integer",
    "boolean": "integer",  # SQLite keeps booleans as integers
    "blob": "bytes",
    "bytea": "bytes",
}


def kind(data_type: str) -> str:
    return KINDS[re.sub(r"\(.*\)$", "", data_type.strip().lower())]


def schema(database: peewee.Database) -> dict[str, object]:
    described: dict[str, object] = {}
    for table in database.get_tables():
        if table.startswith("sqlite_"):
            continue  # SQLite's own bookkeeping (sqlite_sequence, for AUTOINCREMENT)
        columns = database.get_columns(table)
        primary = tuple(c.name for c in columns if c.primary_key)
        described[table] = {
            # SQLite reports an INTEGER PRIMARY KEY as nullable; it never holds NULL
            "columns": sorted(
                (c.name, kind(c.data_type), c.null and not c.primary_key) for c in columns
            ),
            "primary key": primary,
            "indexes": sorted(
                (tuple(i.columns), i.unique)
                for i in database.get_indexes(table)
                if tuple(i.columns) != primary
            ),
        }
    return described


def migrated_schema(url: str) -> dict[str, object]:
    database = open_database(url)
    try:
        migrate(database)
        assert applied_version(database) == LATEST_VERSION
        return schema(database)
    finally:
        close_database(database)


def test_the_migrations_make_one_schema_on_sqlite_and_postgresql(
    tmp_path: Path, postgres_database: PostgresDatabase
):
    on_sqlite = migrated_schema(f"sqlite:///{tmp_path / 'passgate.db'}")
    on_postgresql = migrated_schema(postgres_database.url)
    assert set(on_sqlite) == set(on_postgresql)
    for table in on_sqlite:
        assert on_sqlite[table] == on_postgresql[table], table
    assert len(on_sqlite) >= 10
