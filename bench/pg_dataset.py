"""The bench's users in PostgreSQL: a SQLite dataset (bench/dataset.py) copied
row for row into a PostgreSQL database that `passgate migrate` prepared, so both
engines serve the very same users, password hashes included.

The rows go in by one `COPY … FROM STDIN (FREEZE)` in the transaction that
emptied the table: PostgreSQL then writes them already frozen, so neither
autovacuum nor the first reads rewrite a million rows while the bench measures.
`ANALYZE` follows, so the planner knows the table's size from the first call.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.servers import passgate_cli

_TABLE = "users"


@dataclass(frozen=True)
class Copy:
    """What one copy did, for the report."""

    users: int
    seconds: float  # migration, copy and ANALYZE

    def as_dict(self) -> dict[str, Any]:
        return {"users": self.users, "seconds": round(self.seconds, 2)}


def _columns(source: sqlite3.Connection, target: Any) -> list[str]:
    """The users' columns both schemas have, in the SQLite order; a column only
    PostgreSQL requires would fail the copy loudly, which is what we want."""
    theirs = {
        name
        for (name,) in target.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s", (_TABLE,)
        )
    }
    return [row[1] for row in source.execute(f"PRAGMA table_info({_TABLE})") if row[1] in theirs]


def copy_users(source: Path, url: str) -> Copy:
    """Migrates the PostgreSQL database at `url` and fills its users from the SQLite
    file `source`."""
    import psycopg

    started = time.perf_counter()
    passgate_cli("migrate", "--database", url)
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as sqlite,
        psycopg.connect(url) as pg,
    ):
        columns = ", ".join(_columns(sqlite, pg))
        # TRUNCATE in this transaction is what lets COPY freeze the rows; the
        # tables that point at users are empty after a migration
        pg.execute(f"TRUNCATE {_TABLE} CASCADE")
        with pg.cursor().copy(f"COPY {_TABLE} ({columns}) FROM STDIN (FREEZE)") as copy:
            for row in sqlite.execute(f"SELECT {columns} FROM {_TABLE}"):
                copy.write_row(row)
        pg.commit()
        pg.execute(f"ANALYZE {_TABLE}")
        pg.commit()
        ((users,),) = pg.execute(f"SELECT count(*) FROM {_TABLE}").fetchall()
    return Copy(users=int(users), seconds=time.perf_counter() - started)
