"""passgate's schema on a real SQLite file, for tests below the server."""

from __future__ import annotations

from pathlib import Path

import peewee

from passgate.store.db import open_database
from passgate.store.migrations import migrate


def migrated_sqlite(path: Path) -> peewee.Database:
    """The file at `path`, opened and migrated to the latest schema; the caller closes it."""
    database = open_database(f"sqlite:///{path}")
    migrate(database)
    return database
