"""API-key and session lookups over a real SQLite file: live ones are read
once and then answered from memory, refused keys are remembered, and any
ending committed by another connection is seen by the next lookup."""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import peewee
import pytest
from databases import migrated_sqlite

from passgate.clock import ManualClock
from passgate.errors import SessionInvalid
from passgate.identity.apikeys import ApiKeys
from passgate.identity.sessions import Sessions
from passgate.identity.users import Users
from passgate.store.revocations import LiveCache, RevocationWatch, WalIndexWatch, revocation_watch

TTL = 3600.0


class CountingReads:
    """Counts the statements sent through the database (the watch has a connection of its own)."""

    def __init__(self, database: peewee.Database) -> None:
        self.count = 0
        original = database.execute_sql

        def counted(sql: str, params: object = None) -> object:
            self.count += 1
            return original(sql, params)

        database.execute_sql = counted  # type: ignore[method-assign]


@dataclass
class Store:
    path: Path
    database: peewee.Database
    watch: RevocationWatch | None
    clock: ManualClock
    keys: ApiKeys
    sessions: Sessions
    user_id: str

    def elsewhere(self, sql: str, params: tuple[object, ...] = ()) -> None:
        """A change committed by another connection, as another process would make it."""
        with closing(sqlite3.connect(self.path)) as other, other:
            other.execute(sql, params)

    def new_session_elsewhere(self, token_hash: str) -> None:
        """A sign-in committed by another process: a commit that ends nothing."""
        self.elsewhere(
            "INSERT INTO sessions (token_hash, user_id, tenant_id, created_at, expires_at) "
            "VALUES (?, ?, 'default', 0, 9e18)",
            (token_hash, self.user_id),
        )


def _store(tmp_path: Path, watched: bool) -> Iterator[Store]:
    path = tmp_path / "live.db"
    database = migrated_sqlite(path)
    watch = revocation_watch(database) if watched else None
    clock = ManualClock()
    user_id = Users(database, clock).create("default", "someone@example.com", "x")
    yield Store(
        path,
        database,
        watch,
        clock,
        ApiKeys(database, clock, watch),
        Sessions(database, clock, TTL, watch),
        user_id,
    )
    if watch is not None:
        watch.close()
    database.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    yield from _store(tmp_path, watched=True)


@pytest.fixture
def unwatched(tmp_path: Path) -> Iterator[Store]:
    yield from _store(tmp_path, watched=False)


def kept_session(store: Store) -> str:
    """A session verified once, so the next verifications are answered from memory."""
    token = store.sessions.issue("default", store.user_id, "127.0.0.1").token
    store.sessions.verify("default", token)
    return token


def test_a_live_key_is_read_once_and_its_revocation_elsewhere_seen_at_once(store: Store) -> None:
    record, secret = store.keys.create("caller")
    reads = CountingReads(store.database)
    for _ in range(3):
        assert store.keys.live(secret).id == record.id
    assert reads.count == 1
    store.elsewhere("UPDATE api_keys SET revoked_at = 1 WHERE id = ?", (record.id,))
    assert store.keys.live(secret) is None


def test_a_refused_secret_is_refused_again_without_a_read(store: Store) -> None:
    unknown = "pgk_" + secrets.token_urlsafe(32)
    assert store.keys.live(unknown) is None
    reads = CountingReads(store.database)
    for _ in range(3):
        assert store.keys.live(unknown) is None
    assert reads.count == 0


def test_the_refused_set_stays_bounded_and_never_hides_a_live_key(store: Store) -> None:
    record, secret = store.keys.create("caller")
    for _ in range(ApiKeys.REFUSED_LIMIT + 10):
        assert store.keys.live("pgk_" + secrets.token_urlsafe(32)) is None
    assert len(store.keys._refused) <= ApiKeys.REFUSED_LIMIT
    assert store.keys.live(secret).id == record.id


def test_a_live_session_is_read_once_and_ends_everywhere_at_once(store: Store) -> None:
    token = store.sessions.issue("default", store.user_id, "127.0.0.1").token
    reads = CountingReads(store.database)
    for _ in range(3):
        assert store.sessions.verify("default", token).user_id == store.user_id
    assert reads.count == 1
    with pytest.raises(SessionInvalid):  # kept per tenant: another tenant's key finds nothing
        store.sessions.verify("other", token)
    store.elsewhere("UPDATE sessions SET revoked_at = 1 WHERE user_id = ?", (store.user_id,))
    with pytest.raises(SessionInvalid):
        store.sessions.verify("default", token)


def test_deleting_the_user_elsewhere_ends_the_kept_session(store: Store) -> None:
    token = kept_session(store)
    with closing(sqlite3.connect(store.path)) as other, other:
        other.execute("PRAGMA foreign_keys = ON")  # per connection; the cascade needs it
        other.execute("DELETE FROM users WHERE id = ?", (store.user_id,))
    with pytest.raises(SessionInvalid):
        store.sessions.verify("default", token)


def test_a_kept_session_still_expires_on_time(store: Store) -> None:
    token = kept_session(store)
    reads = CountingReads(store.database)
    store.clock.advance(TTL - 1)
    store.sessions.verify("default", token)
    store.clock.advance(1)
    with pytest.raises(SessionInvalid):
        store.sessions.verify("default", token)
    assert reads.count == 0


def test_new_sessions_elsewhere_leave_the_kept_ones_alone(store: Store) -> None:
    token = kept_session(store)
    reads = CountingReads(store.database)
    store.new_session_elsewhere("h")
    store.sessions.verify("default", token)
    assert reads.count == 0


def test_without_a_watch_every_lookup_reads(unwatched: Store) -> None:
    record, secret = unwatched.keys.create("caller")
    token = unwatched.sessions.issue("default", unwatched.user_id, "127.0.0.1").token
    reads = CountingReads(unwatched.database)
    for _ in range(2):
        assert unwatched.keys.live(secret).id == record.id
        assert unwatched.sessions.verify("default", token).user_id == unwatched.user_id
    assert reads.count == 4


def test_the_cache_stays_bounded(store: Store) -> None:
    cache: LiveCache[int, int] = LiveCache(store.watch, limit=10)
    generation = cache.generation()
    for n in range(25):
        cache.put(generation, n, n)
        assert len(cache) <= 10
    assert cache.get(24) == 24


def test_the_watch_reads_the_database_only_after_a_commit(store: Store) -> None:
    watch = store.watch
    assert watch is not None
    first = watch.generation()
    statements: list[str] = []
    watch._connection.set_trace_callback(statements.append)
    for _ in range(3):
        assert watch.generation() == first
    assert statements == []  # nothing committed: the WAL-index header said so

    store.new_session_elsewhere("h")  # a commit that ends nothing: one read, same generation
    assert watch.generation() == first
    assert watch.generation() == first
    assert len(statements) == 1

    store.elsewhere("UPDATE sessions SET revoked_at = 1 WHERE token_hash = 'h'")
    assert watch.generation() == first + 1


def test_without_a_wal_index_the_watch_reads_every_time(tmp_path: Path) -> None:
    path = tmp_path / "rollback.db"
    migrated_sqlite(path).close()
    with closing(sqlite3.connect(path)) as other:
        other.execute("PRAGMA journal_mode = delete")
    watch = WalIndexWatch(str(path))
    statements: list[str] = []
    watch._connection.set_trace_callback(statements.append)
    try:
        assert watch.generation() == watch.generation()
        assert len(statements) == 2
        with closing(sqlite3.connect(path)) as other, other:
            other.execute("UPDATE revocations SET generation = generation + 5")
        assert watch.generation() == 5
    finally:
        watch.close()


def test_a_late_older_generation_never_moves_the_cache_back(store: Store) -> None:
    cache: LiveCache[str, str] = LiveCache(store.watch, limit=10)
    old = cache.generation()
    assert old is not None
    store.elsewhere("UPDATE revocations SET generation = generation + 1")
    new = cache.generation()
    assert new == old + 1
    cache._move_to(old)  # what a thread that learnt `old` before the commit does, late
    cache.put(old, "stale", "read before the revocation")
    assert cache.get("stale") is None
    cache.put(new, "fresh", "read after it")
    assert cache.get("fresh") == "read after it"


def test_a_database_opened_through_a_symlink_is_watched_in_memory(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "passgate.db"
    link = tmp_path / "link.db"
    migrated_sqlite(real).close()
    os.symlink(real, link)
    watch = WalIndexWatch(str(link))
    try:
        first = watch.generation()
        statements: list[str] = []
        watch._connection.set_trace_callback(statements.append)
        assert watch.generation() == first
        assert statements == []  # the header of real/passgate.db-shm, where SQLite keeps it
        with closing(sqlite3.connect(real)) as other, other:
            other.execute("UPDATE revocations SET generation = generation + 1")
        assert watch.generation() == first + 1
    finally:
        watch.close()
