"""How passgate's connections to a SQLite file (the accounts database, the
limits store) wait for one another: the busy timeout, and the switch to
write-ahead logging, which every process opening one new file asks for at once
(servers of one deployment starting together).

Each asker holds a shared lock while it asks, and the switch needs every other
shared lock gone: SQLite sees two connections that each wait for the other,
and answers "database is locked" at once to all but one, without waiting its
busy timeout (waiting could not help). As SQLite's documentation says for such
a deadlock, the others let go and ask again; by then one has switched the file,
and asking a file already in WAL needs no write lock."""

from __future__ import annotations

import sqlite3
import time

BUSY_TIMEOUT_SECONDS = 10.0
"""How long a connection waits for another's write lock before "database is locked"
(sqlite3.connect's `timeout`, SQLite's busy timeout), and for the switch to WAL."""

_RETRY_SECONDS = 0.02


def enter_wal(connection: sqlite3.Connection, wait_seconds: float = BUSY_TIMEOUT_SECONDS) -> None:
    """Puts the file behind `connection` (no transaction open) in WAL mode,
    asking again for up to `wait_seconds` while SQLite answers that it is locked."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            connection.execute("PRAGMA journal_mode = wal")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
            time.sleep(_RETRY_SECONDS)
