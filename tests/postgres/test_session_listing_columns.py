"""Migration 8 gives sessions a public id, a peer and a last use, on every
engine: sessions made before it get a distinct random `ses_` id and stay live;
writing a last use signals no revocation, ending a session still does."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import peewee
from engines import EngineDatabase

from passgate.clock import SystemClock
from passgate.identity.sessions import Sessions
from passgate.identity.tokens import SESSION_PREFIX, new_token, token_hash
from passgate.store import models, raw
from passgate.store.db import close_database, open_database
from passgate.store.migrations import LATEST_VERSION, MIGRATIONS, applied_version, migrate

USER = "00000000-0000-4000-8000-000000000001"


def test_sessions_made_before_the_migration_get_public_ids_and_stay_live(
    database: EngineDatabase,
) -> None:
    db = open_database(database.url)
    try:
        db.create_tables([models.SchemaVersion])
        for version, step in MIGRATIONS[:7]:  # a database as the release before made it
            with db.atomic():
                step(db)
                models.SchemaVersion.create(version=version, applied_at=time.time())
        now = time.time()
        raw.execute(
            db,
            "INSERT INTO users (id, tenant_id, email, email_key, password_hash, disabled, "
            "created_at, password_changed_at) VALUES (?, 'default', ?, ?, 'x', ?, ?, ?)",
            (USER, "old@example.com", "old@example.com", False, now, now),
        )
        tokens = [new_token(SESSION_PREFIX) for _ in range(3)]
        for offset, token in enumerate(tokens):
            raw.execute(
                db,
                "INSERT INTO sessions (token_hash, user_id, tenant_id, created_at, expires_at) "
                "VALUES (?, ?, 'default', ?, ?)",
                (token_hash(token), USER, now - 10 + offset, now + 3600),
            )

        assert migrate(db) == [version for version, _ in MIGRATIONS[7:]]  # 8 and any later
        assert applied_version(db) == LATEST_VERSION

        sessions = Sessions(db, SystemClock(), 3600.0)
        listed = sessions.live_of_user(USER)
        ids = [s.public_id for s in listed]
        assert len(set(ids)) == 3
        assert all(i.startswith("ses_") and len(i) == 20 for i in ids)
        assert not {token_hash(t) for t in tokens} & {i[4:] for i in ids}
        assert [s.created_at for s in listed] == [now - 8, now - 9, now - 10]  # newest first
        assert all(s.last_used_at == s.created_at and s.peer == "" for s in listed)
        for token in tokens:
            assert sessions.verify("default", token).user_id == USER

        with revocation_signals(db, database) as signals:
            assert sessions.write_use() == 3  # the three verified above
            assert signals() == 0
            assert all(s.last_used_at >= now for s in sessions.live_of_user(USER))
            assert sessions.revoke_listed(USER, ids[0])
            assert signals() >= 1
        assert [s.public_id for s in sessions.live_of_user(USER)] == ids[1:]
    finally:
        close_database(db)


@contextmanager
def revocation_signals(
    db: peewee.Database, database: EngineDatabase
) -> Iterator[Callable[[], int]]:
    """Counts revocation signals from now on: SQLite's generation, PostgreSQL's notices."""
    if database.engine == "sqlite":
        start = generation(db)
        yield lambda: generation(db) - start
        return
    import psycopg

    with psycopg.connect(database.url, autocommit=True) as listener:
        listener.execute("LISTEN passgate_revocations")
        yield lambda: sum(1 for _ in listener.notifies(timeout=0.5))


def generation(db: peewee.Database) -> int:
    return int(raw.execute(db, "SELECT generation FROM revocations").fetchone()[0])
