"""Times are seconds since the epoch in float columns: on every engine they
come back exactly as written (a 4-byte `real` would move them by up to ±100 s)."""

from __future__ import annotations

from engines import EngineDatabase
from playhouse.postgres_ext import Psycopg3Database

from passgate.postgres_cluster import PostgresDatabase
from passgate.store import models, raw
from passgate.store.db import close_database, open_database
from passgate.store.migrations import MIGRATIONS, migrate
from passgate.store.postgresql import connect_options

WRITTEN = 1765000000.123456


def test_a_session_expiry_round_trips_exactly(database: EngineDatabase):
    db = open_database(database.url)
    try:
        migrate(db)
        user = models.User.create(
            id="u1",
            tenant="default",
            email="a@example.com",
            email_key="a@example.com",
            password_hash="x",
            created_at=WRITTEN,
            password_changed_at=WRITTEN,
        )
        models.Session.create(
            token_hash="h" * 64,
            user=user,
            tenant="default",
            created_at=WRITTEN,
            expires_at=WRITTEN + 4 * 3600,
        )
        read = models.Session.get(models.Session.token_hash == "h" * 64)
        assert read.expires_at == WRITTEN + 4 * 3600
        assert read.created_at == WRITTEN
        # compared inside the database too, as expiry checks are
        live = models.Session.select().where(models.Session.expires_at > WRITTEN + 4 * 3600 - 1e-5)
        assert live.count() == 1
    finally:
        close_database(db)


def test_a_database_made_with_real_columns_is_widened(postgres_database: PostgresDatabase):
    """As peewee made them before: FloatField as `real`, migrations 1-4."""
    options = connect_options(postgres_database.url)
    old = Psycopg3Database(options.pop("dbname"), **options)
    models.database_proxy.initialize(old)
    old.create_tables([models.SchemaVersion])
    for version, step in MIGRATIONS[:4]:
        step(old)
        models.SchemaVersion.create(version=version, applied_at=WRITTEN)
    old.close()

    db = open_database(postgres_database.url)
    try:
        assert migrate(db) == [version for version, _ in MIGRATIONS[4:]]
        kinds = raw.execute(
            db,
            "SELECT DISTINCT data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name LIKE ?",
            ("%_at",),
        ).fetchall()
        assert kinds == [("double precision",)]
    finally:
        close_database(db)
