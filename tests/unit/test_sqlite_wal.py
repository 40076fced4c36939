"""A process opening a SQLite file while another holds it locked still puts it
in WAL mode: SQLite's immediate "database is locked" (its answer when two
openers of a new file lock each other out) is asked again, not raised."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest

from passgate.sqlite_wal import enter_wal


def _rollback_file(path: Path) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        connection.execute("CREATE TABLE t (x)")
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)


def _journal_mode(path: Path) -> str:
    with closing(sqlite3.connect(path)) as connection:
        (mode,) = connection.execute("PRAGMA journal_mode").fetchone()
    return str(mode)


def test_a_file_locked_by_another_reader_enters_wal_once_the_reader_lets_go(
    tmp_path: Path,
) -> None:
    path = tmp_path / "new.db"
    _rollback_file(path)
    reader = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    reader.execute("BEGIN")
    reader.execute("SELECT * FROM t").fetchall()  # holds a shared lock
    # No busy handler: every locked answer is immediate, as in the deadlock.
    opener = sqlite3.connect(path, timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        opener.execute("PRAGMA journal_mode = wal")
    letting_go = threading.Timer(0.3, lambda: reader.execute("COMMIT"))
    letting_go.start()
    try:
        enter_wal(opener, wait_seconds=30.0)
    finally:
        letting_go.join()
        opener.close()
        reader.close()
    assert _journal_mode(path) == "wal"


def test_a_file_locked_past_the_wait_raises_locked_and_stays_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "held.db"
    _rollback_file(path)
    with closing(sqlite3.connect(path, isolation_level=None)) as reader:
        reader.execute("BEGIN")
        reader.execute("SELECT * FROM t").fetchall()
        with closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as opener:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                enter_wal(opener, wait_seconds=0.2)
        reader.execute("COMMIT")
    assert _journal_mode(path) == "delete"
