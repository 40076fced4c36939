"""The PostgreSQL cluster launcher itself: it answers, hands out empty databases,
and keeps durability on when asked to."""

from __future__ import annotations

from passgate.postgres_cluster import PostgresCluster


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


def test_only_a_durable_cluster_syncs_its_commits(postgres_cluster: PostgresCluster):
    """The tests' cluster skips fsync for speed; the bench's must not, since
    passgate answers only once a change is durable."""
    settings = "SELECT setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit')"
    assert postgres_cluster.sql(settings) == [["off"], ["off"]]
    durable = PostgresCluster(durable=True).start()
    try:
        assert durable.sql(settings) == [["on"], ["on"]]
    finally:
        durable.stop()
