"""The test PostgreSQL cluster itself: it answers, and hands out empty databases."""

from __future__ import annotations

from postgres_cluster import PostgresCluster


def test_each_database_is_new_and_empty(postgres_cluster: PostgresCluster):
    first = postgres_cluster.create_database()
    second = postgres_cluster.create_database()
    assert first.name != second.name
    (version,) = postgres_cluster.sql("SHOW server_version_num")[0]
    assert version.startswith("15")
    tables = postgres_cluster.sql(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", first.name
    )
    assert tables == [["0"]]
