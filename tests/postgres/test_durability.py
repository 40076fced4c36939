"""An acknowledged change survives a crash on PostgreSQL too: passgate's
connections commit durably even where the server's default says not to."""

from __future__ import annotations

from passgate.postgres_cluster import PostgresDatabase
from passgate.store.db import open_database


def test_connections_commit_durably_where_the_server_default_is_off(
    postgres_database: PostgresDatabase,
):
    # the test cluster runs with synchronous_commit=off, as a careless server might
    database = open_database(postgres_database.url)
    try:
        (setting,) = database.execute_sql("SHOW synchronous_commit").fetchone()
    finally:
        database.close_all()
    assert setting == "on"
