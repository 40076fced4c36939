"""Versioned schema migrations, applied in order and recorded in `schema_version`.

A migration is a function of the database; once released it never changes.
New columns or tables come as a new, higher-numbered migration.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import peewee

from passgate.identity.tokens import SESSION_ID_PREFIX, new_public_id
from passgate.store import models, raw
from passgate.store.locking import SqlLocks

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


# Every change that may end a live session or API key signals it, in the same
# transaction as the change, on each engine in its own way:
# - SQLite: a bump of `revocations.generation`, seen through the WAL index
#   (passgate/store/revocations.py);
# - PostgreSQL: a notice on the `passgate_revocations` channel, delivered to
#   every listening process at commit (passgate/store/revocation_notices.py).
_BUMP = "BEGIN UPDATE revocations SET generation = generation + 1; END"
_REVOKING_TRIGGERS = (
    f"CREATE TRIGGER sessions_update_revokes AFTER UPDATE ON sessions {_BUMP}",
    f"CREATE TRIGGER sessions_delete_revokes AFTER DELETE ON sessions {_BUMP}",
    f"CREATE TRIGGER api_keys_update_revokes AFTER UPDATE ON api_keys {_BUMP}",
    f"CREATE TRIGGER api_keys_delete_revokes AFTER DELETE ON api_keys {_BUMP}",
    f"CREATE TRIGGER users_delete_revokes AFTER DELETE ON users {_BUMP}",
    f"CREATE TRIGGER tenants_delete_revokes AFTER DELETE ON tenants {_BUMP}",
)


def _revocations(database: peewee.Database) -> None:
    """A generation that caches of live sessions and API keys compare with."""
    raw.execute(
        database, "CREATE TABLE revocations (id INTEGER PRIMARY KEY, generation BIGINT NOT NULL)"
    )
    raw.execute(database, "INSERT INTO revocations (id, generation) VALUES (1, 0)")
    if not isinstance(database, peewee.SqliteDatabase):
        return  # PostgreSQL signals by notices instead (migration 6)
    for trigger in _REVOKING_TRIGGERS:
        raw.execute(database, trigger)


_NOTIFY_FUNCTION = (
    "CREATE FUNCTION passgate_revocation_notice() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN PERFORM pg_notify('passgate_revocations', TG_TABLE_NAME); RETURN NULL; END $$"
)
_NOTIFYING_TRIGGERS = tuple(
    f"CREATE TRIGGER {table}_{event.lower()}_revokes AFTER {event} ON {table} "
    "FOR EACH STATEMENT EXECUTE FUNCTION passgate_revocation_notice()"
    for table, events in (
        ("sessions", ("UPDATE", "DELETE")),
        ("api_keys", ("UPDATE", "DELETE")),
        ("users", ("UPDATE", "DELETE")),
        ("tenants", ("DELETE",)),
    )
    for event in events
)


def _revocation_notices(database: peewee.Database) -> None:
    """PostgreSQL's signal for caches of live records (SQLite's came with migration 3)."""
    if not isinstance(database, peewee.PostgresqlDatabase):
        return
    raw.execute(database, _NOTIFY_FUNCTION)
    for trigger in _NOTIFYING_TRIGGERS:
        raw.execute(database, trigger)


def _pruning_indexes(database: peewee.Database) -> None:
    """What housekeeping deletes by, found without reading whole tables."""
    raw.execute(database, "CREATE INDEX sessions_expires_at ON sessions (expires_at)")
    raw.execute(database, "CREATE INDEX reset_requests_created_at ON reset_requests (created_at)")


def _exact_times(database: peewee.Database) -> None:
    """PostgreSQL databases made before the engine set DOUBLE PRECISION for
    float columns hold times as 4-byte `real`: widen them (new ones already are)."""
    if not isinstance(database, peewee.PostgresqlDatabase):
        return
    narrow = raw.execute(
        database,
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND data_type = 'real'",
    ).fetchall()
    for table, column in narrow:
        raw.execute(
            database, f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE DOUBLE PRECISION'
        )


def _client_certificate_binding(database: peewee.Database) -> None:
    """The client certificate an API key may be used with (NULL: any caller);
    `models.ApiKey` stays as migration 1 made the table."""
    raw.execute(database, "ALTER TABLE api_keys ADD COLUMN client_cert_subject TEXT")


# What a session's liveness depends on: an UPDATE of any of these may end one.
# `last_used_at`, written about once a minute per session in use, is not among
# them, so writing it empties no cache (nor do `public_id` and `peer`).
_SESSION_LIVENESS = "token_hash, user_id, tenant_id, expires_at, revoked_at"
_SESSION_ENDING_TRIGGER = {
    "sqlite": (
        f"CREATE TRIGGER sessions_update_revokes AFTER UPDATE OF {_SESSION_LIVENESS} "
        f"ON sessions {_BUMP}"
    ),
    "postgresql": (
        f"CREATE TRIGGER sessions_update_revokes AFTER UPDATE OF {_SESSION_LIVENESS} "
        "ON sessions FOR EACH STATEMENT EXECUTE FUNCTION passgate_revocation_notice()"
    ),
}


def _session_listing(database: peewee.Database) -> None:
    """What users and admins see of a session: a public id (given to every
    existing session here), the address the sign-in came from, and when it was
    last used. The revocation signal stops firing on updates of the last use."""
    raw.execute(database, "ALTER TABLE sessions ADD COLUMN public_id VARCHAR(32)")
    raw.execute(database, "ALTER TABLE sessions ADD COLUMN peer TEXT")
    raw.execute(database, "ALTER TABLE sessions ADD COLUMN last_used_at DOUBLE PRECISION")
    # one statement per session: drawn here as for new ones (never from the id or token)
    for (session_id,) in raw.execute(database, "SELECT id FROM sessions").fetchall():
        raw.execute(
            database,
            "UPDATE sessions SET public_id = ? WHERE id = ?",
            (new_public_id(SESSION_ID_PREFIX), session_id),
        )
    raw.execute(database, "CREATE UNIQUE INDEX sessions_public_id ON sessions (public_id)")
    postgresql = isinstance(database, peewee.PostgresqlDatabase)
    raw.execute(
        database,
        "DROP TRIGGER sessions_update_revokes" + (" ON sessions" if postgresql else ""),
    )
    raw.execute(database, _SESSION_ENDING_TRIGGER["postgresql" if postgresql else "sqlite"])


def _outbox_user(database: peewee.Database) -> None:
    """The user an outbox message is about (NULL: none known, e.g. a reset
    request not yet resolved), so erasing a user erases their mail too."""
    raw.execute(database, "ALTER TABLE outbox ADD COLUMN user_id VARCHAR(36)")
    raw.execute(database, "CREATE INDEX outbox_user_id ON outbox (user_id)")


def _events(database: peewee.Database) -> None:
    """Security events, and their deliveries to webhook endpoints (an outbox of
    one row per event and endpoint). SQLite's AUTOINCREMENT never hands out an
    id again, even once pruning removed the newest rows: a watcher's last id
    stays a valid place to resume from."""
    identity = (
        "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
        if isinstance(database, peewee.PostgresqlDatabase)
        else "INTEGER PRIMARY KEY AUTOINCREMENT"
    )
    raw.execute(
        database,
        f"CREATE TABLE events (id {identity}, type TEXT NOT NULL, "
        "occurred_at DOUBLE PRECISION NOT NULL, tenant_id TEXT NOT NULL, user_id TEXT, "
        "key_id TEXT, peer TEXT, data TEXT NOT NULL, webhook BOOLEAN NOT NULL)",
    )
    raw.execute(database, "CREATE INDEX events_occurred_at ON events (occurred_at)")
    raw.execute(
        database,
        f"CREATE TABLE webhook_deliveries (id {identity}, "
        "event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE, "
        "endpoint TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL, "
        "attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at DOUBLE PRECISION NOT NULL, "
        "claimed_until DOUBLE PRECISION, delivered_at DOUBLE PRECISION, "
        "failed_at DOUBLE PRECISION, last_result TEXT)",
    )
    raw.execute(
        database,
        "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) "
        "WHERE delivered_at IS NULL AND failed_at IS NULL",
    )
    raw.execute(database, "CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id)")
    raw.execute(
        database, "CREATE INDEX webhook_deliveries_created_at ON webhook_deliveries (created_at)"
    )


MIGRATIONS: tuple[tuple[int, Migration], ...] = (
    (1, _initial_schema),
    (2, _reset_requests),
    (3, _revocations),
    (4, _pruning_indexes),
    (5, _exact_times),
    (6, _revocation_notices),
    (7, _client_certificate_binding),
    (8, _session_listing),
    (9, _events),
    (10, _outbox_user),
)
LATEST_VERSION = MIGRATIONS[-1][0]


def applied_version(database: peewee.Database) -> int:
    if not database.table_exists(models.SchemaVersion._meta.table_name):
        return 0
    latest = models.SchemaVersion.select(peewee.fn.MAX(models.SchemaVersion.version)).scalar()
    return int(latest or 0)


def newer_schema(database: peewee.Database) -> str | None:
    """What to tell an operator whose database holds migrations this release does
    not know, or None. A newer release applied them (a rollback, or a replica not
    upgraded yet); this one still serves, since migrations only add, but ignores
    what they added."""
    known = [version for version, _ in MIGRATIONS]
    versions = models.SchemaVersion.version
    query = models.SchemaVersion.select(versions).where(versions.not_in(known)).order_by(versions)
    unknown = [str(row.version) for row in query]
    if not unknown:
        return None
    return (
        f"the database holds schema version {', '.join(unknown)}, applied by a newer passgate "
        "than this one: what that release added is ignored here; run it on every replica"
    )


def _applied(database: peewee.Database, version: int) -> bool:
    query = models.SchemaVersion.select().where(models.SchemaVersion.version == version)
    return bool(query.exists())


def migrate(database: peewee.Database) -> list[int]:
    """Applies every pending migration, each in its own transaction; returns their versions.

    Each version is looked up by itself, not compared with the highest applied:
    numbers are handed out ahead of time, so a database may hold 10 before 8 exists.

    Processes migrating one database at once take turns: each transaction first takes
    the migration lock (`SqlLocks.lock_migrations`), so a version's check and its apply
    never interleave with another process's, and the later one finds it applied."""
    locks = SqlLocks(database)
    with database.atomic():
        locks.lock_migrations()
        database.create_tables([models.SchemaVersion])
    done: list[int] = []
    for version, step in MIGRATIONS:
        with database.atomic():
            locks.lock_migrations()
            if _applied(database, version):
                continue
            step(database)
            models.SchemaVersion.create(version=version, applied_at=time.time())
            done.append(version)
    return done
