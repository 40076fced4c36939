"""Live sessions and API keys kept in memory, dropped the moment any of them
may have ended, in this process or in any other sharing the SQLite file.

Every UPDATE or DELETE of a session or an API key (and every DELETE of a user
or a tenant) bumps `revocations.generation` through triggers (migration 3), in
the same transaction as the change itself: a crash cannot leave a revocation
without its bump, and no code path can forget one. Asking whether anything
changed costs one `PRAGMA data_version` on a connection of the watch's own,
which moves only when another connection commits; only then is the
generation read. The pragma is asked once per call (per asyncio task): each
sqlite3 call lets go of the interpreter lock, and on a busy event loop
taking it back costs far more than the query.

Other databases have no such pragma: there is no watch, and every call reads.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Hashable
from typing import Generic, TypeVar

import peewee

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class RevocationWatch:
    """The current revocation generation of one SQLite file, cheaply."""

    def __init__(self, path: str) -> None:
        self._connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        self._data_version = -1
        self._generation = -1
        self._asked_by: asyncio.Task[object] | None = None  # held, so never a reused id

    def generation(self) -> int:
        """A number that changes whenever a session or API key may have ended.

        Within one asyncio task, one call, the first answer stands: the call
        then sees the state of one instant, the moment it first asked."""
        task = _current_task()
        if task is not None and task is self._asked_by:
            return self._generation
        with self._lock:
            data_version = self._connection.execute("PRAGMA data_version").fetchone()[0]
            if data_version != self._data_version:
                self._data_version = data_version
                self._generation = self._connection.execute(
                    "SELECT generation FROM revocations"
                ).fetchone()[0]
            self._asked_by = task
            return self._generation

    def close(self) -> None:
        with self._lock:
            self._connection.close()


def _current_task() -> asyncio.Task[object] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no event loop runs in this thread
        return None


def revocation_watch(database: peewee.Database) -> RevocationWatch | None:
    """A watch over `database` when it is a SQLite file; None otherwise."""
    if not isinstance(database, peewee.SqliteDatabase) or database.database == ":memory:":
        return None
    return RevocationWatch(database.database)


class LiveCache(Generic[K, V]):
    """Records read as live, until the watch's generation moves; then all are
    forgotten at once. Bounded: when full, it starts over.

    A caller takes `generation()` before its read and stores under it, so a
    record read after a revocation's commit is never kept under the
    generation from before it."""

    def __init__(self, watch: RevocationWatch | None, limit: int) -> None:
        self._watch = watch
        self._limit = limit
        self._lock = threading.Lock()
        self._entries: dict[K, V] = {}
        self._generation = -1

    def generation(self) -> int | None:
        """The generation lookups now run under; None: no watch, nothing is kept."""
        if self._watch is None:
            return None
        current = self._watch.generation()
        if current != self._generation:
            with self._lock:
                self._entries.clear()
                self._generation = current
        return current

    def get(self, key: K) -> V | None:
        return self._entries.get(key)

    def put(self, generation: int | None, key: K, value: V) -> None:
        with self._lock:
            if generation is None or generation != self._generation:
                return
            if len(self._entries) >= self._limit:
                self._entries.clear()
            self._entries[key] = value

    def __len__(self) -> int:
        return len(self._entries)
