"""Live sessions and API keys kept in memory, dropped the moment any of them
may have ended, in this process or in any other sharing the database.

The cache listens to an invalidation signal: a number that grows whenever a
session or API key may have ended, anywhere. On SQLite it is the watch below;
on PostgreSQL, notifications sent by triggers (`revocation_notices.py`).

On SQLite, every UPDATE or DELETE of a session or an API key (and every DELETE of a user
or a tenant) bumps `revocations.generation` through triggers (migration 3), in
the same transaction as the change itself: a crash cannot leave a revocation
without its bump, and no code path can forget one.

Reading the generation on every call would cost a sqlite3 call, which lets go
of the interpreter lock; on a busy server, taking it back costs far more than
the query and puts milliseconds on the cheap calls' tail. So the watch reads
the header of the WAL index (`<db>-shm`, mapped into memory; format in
https://sqlite.org/walformat.html), which every commit of every connection
rewrites before the commit returns: while those bytes are the same, nothing
was committed, and the generation last read still holds. Where the header
cannot be trusted (no WAL, an unknown format) every call reads.

"""

from __future__ import annotations

import mmap
import os
import sqlite3
import sys
import threading
from collections.abc import Hashable
from pathlib import Path
from typing import Generic, Protocol, TypeVar

import peewee

from passgate.store.revocation_notices import NoticeListener

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


# The WAL-index header: two 48-byte copies; the first word is its version.
_WAL_INDEX_HEADER = 96
_WAL_INDEX_VERSION = 3007000


class InvalidationSignal(Protocol):
    """What a cache of live records listens to."""

    def generation(self) -> int | None:
        """A number that grows whenever a session or API key may have ended;
        None while that cannot be known (keep nothing then)."""

    def close(self) -> None: ...


# The name the identity services know the signal by.
RevocationWatch = InvalidationSignal


class WalIndexWatch:
    """The current revocation generation of one SQLite file, cheaply."""

    def __init__(self, path: str) -> None:
        self._connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        # (WAL-index header seen before the read, generation read): replaced as one value
        self._seen: tuple[bytes | None, int] = (None, self._read())
        # SQLite names the index after the file the path resolves to
        self._wal_index_file, self._wal_index = _map_wal_index(
            Path(os.path.realpath(path) + "-shm")
        )

    def generation(self) -> int:
        """A number that changes whenever a session or API key may have ended."""
        header = self._header()
        seen = self._seen
        if header is not None and header == seen[0]:
            return seen[1]
        generation = self._read()
        self._seen = (header, generation)
        return generation

    def _header(self) -> bytes | None:
        return None if self._wal_index is None else self._wal_index[:_WAL_INDEX_HEADER]

    def _read(self) -> int:
        with self._lock:
            row = self._connection.execute("SELECT generation FROM revocations").fetchone()
        return int(row[0])

    def close(self) -> None:
        with self._lock:
            if self._wal_index is not None:
                self._wal_index.close()
                self._wal_index = None
            self._connection.close()
            if self._wal_index_file is not None:
                os.close(self._wal_index_file)
                self._wal_index_file = None


def _map_wal_index(path: Path) -> tuple[int | None, mmap.mmap | None]:
    """The WAL index mapped read-only, when it is there in the format known
    here; and the descriptor it was opened with, to be closed only with the watch.

    The watch's open connection keeps the file at its size: SQLite shrinks or
    removes it only when the last connection closes. SQLite knows other
    processes use the index by the POSIX lock each holds on it, and closing any
    descriptor of a file drops every such lock the process holds on the file:
    so this one stays open, even when the mapping fails, or the next process
    to open the database would take itself for the only one and rebuild the
    index under this one's feet."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None, None
    try:
        mapped = mmap.mmap(fd, _WAL_INDEX_HEADER, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return fd, None
    version = int.from_bytes(mapped[:4], sys.byteorder)
    if version != _WAL_INDEX_VERSION or mapped[12] != 1:  # iVersion, isInit
        mapped.close()
        return fd, None
    return fd, mapped


def revocation_watch(database: peewee.Database) -> InvalidationSignal | None:
    """The invalidation signal of `database`: the WAL-index watch of a SQLite
    file, a listener for PostgreSQL's notifications; None (nothing is kept)
    for an in-memory database."""
    if isinstance(database, peewee.PostgresqlDatabase):
        return NoticeListener.start(database)
    if not isinstance(database, peewee.SqliteDatabase) or database.database == ":memory:":
        return None
    return WalIndexWatch(database.database)


class LiveCache(Generic[K, V]):
    """Records read as live, until the watch's generation moves; then all are
    forgotten at once. Bounded: when full, it starts over.

    A caller takes `generation()` before its read and stores under it: a
    record read before a revocation committed is refused once the cache has
    moved past that generation, and the next lookup after the commit moves
    it. Generations only grow (the triggers only add), so a thread that
    learnt an older one late never moves the cache back."""

    def __init__(self, watch: InvalidationSignal | None, limit: int) -> None:
        self._watch = watch
        self._limit = limit
        self._lock = threading.Lock()
        self._entries: dict[K, V] = {}
        self._generation = -1

    def generation(self) -> int | None:
        """The generation lookups now run under; None: no signal now, nothing is kept."""
        if self._watch is None:
            return None
        current = self._watch.generation()
        if current is None:  # the signal is down: what is kept may be stale
            with self._lock:
                self._entries.clear()
            return None
        if current > self._generation:
            self._move_to(current)
        return current

    def _move_to(self, generation: int) -> None:
        with self._lock:
            if generation > self._generation:
                self._entries.clear()
                self._generation = generation

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
