"""Versioned schema migrations, applied in order and recorded in `schema_version`.

A migration is a function of the database; once released it never changes.
New columns or tables come as a new, higher-numbered migration.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import peewee

from passgate.store import models

Migration = Callable[[peewee.Database], None]


def _initial_schema(database: peewee.Database) -> None:
    database.create_tables(
        [
            models.Tenant,
            models.ApiKey,
            models.User,
            models.SearchKey,
            models.Session,
            models.ResetToken,
            models.OutboxMessage,
        ]
    )
    now = time.time()
    models.Tenant.create(id="default", name="default", created_at=now)


def _reset_requests(database: peewee.Database) -> None:
    database.create_tables([models.ResetRequest])


MIGRATIONS: tuple[tuple[int, Migration], ...] = ((1, _initial_schema), (2, _reset_requests))
LATEST_VERSION = MIGRATIONS[-1][0]


def applied_version(database: peewee.Database) -> int:
    if not database.table_exists(models.SchemaVersion._meta.table_name):
        return 0
    latest = models.SchemaVersion.select(peewee.fn.MAX(models.SchemaVersion.version)).scalar()
    return int(latest or 0)


def migrate(database: peewee.Database) -> list[int]:
    """Applies every pending migration, each in its own transaction; returns their versions."""
    database.create_tables([models.SchemaVersion])
    done: list[int] = []
    for version, step in MIGRATIONS:
        with database.atomic():
            if applied_version(database) >= version:
                continue
            step(database)
            models.SchemaVersion.create(version=version, applied_at=time.time())
            done.append(version)
    return done
