"""A --database naming a PostgreSQL database without passgate's schema: a
command other than `migrate` and `serve` creates nothing in an empty one, and
no command writes into one holding another program's tables; each is refused
with exit status 2 and one line. A schema of passgate's own (search_path) is
how passgate shares a database with other programs.

Each case runs the real `passgate` command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from passgate.postgres_cluster import PostgresCluster, PostgresDatabase

READERS_AND_WRITERS = [("apikey", "list"), ("tenant", "list"), ("apikey", "create", "--name", "k")]


def _passgate(
    cwd: Path, database: PostgresDatabase, *argv: str, url: str | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PASSGATE_")}
    env = {**clean, **database.server_env(), "PASSGATE_DATABASE": url or database.url}
    return subprocess.run(
        [sys.executable, "-m", "passgate.cli", *argv],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=30,  # a `serve` that is not refused serves on
        check=False,
    )


def _tables(cluster: PostgresCluster, database: PostgresDatabase, schema: str = "public") -> list:
    rows = cluster.sql(
        f"SELECT tablename FROM pg_tables WHERE schemaname = '{schema}' ORDER BY tablename",
        database.name,
    )
    return [name for (name,) in rows]


def _refused_in_one_line(result: subprocess.CompletedProcess[str], *pieces: str) -> None:
    """Exit status 2 and one line of passgate's; the throwaway cluster runs with
    synchronous_commit off, which each new connection warns about first."""
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if "synchronous_commit" not in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("passgate: "), lines[0]
    for piece in pieces:
        assert piece in lines[0], lines[0]


def test_commands_other_than_migrate_create_nothing_in_an_empty_database(
    tmp_path: Path, postgres_cluster: PostgresCluster, postgres_database: PostgresDatabase
) -> None:
    for command in READERS_AND_WRITERS:
        result = _passgate(tmp_path, postgres_database, *command)
        _refused_in_one_line(
            result,
            f"no passgate database at {postgres_database.url}",
            "run `passgate migrate` or pass --database",
        )
    assert _tables(postgres_cluster, postgres_database) == []

    assert _passgate(tmp_path, postgres_database, "migrate").returncode == 0
    listed = _passgate(tmp_path, postgres_database, "tenant", "list")
    assert listed.returncode == 0, listed.stderr
    assert "default" in listed.stdout


def test_no_command_writes_into_a_database_holding_another_programs_tables(
    tmp_path: Path, postgres_cluster: PostgresCluster, postgres_database: PostgresDatabase
) -> None:
    postgres_cluster.sql("CREATE TABLE users (x integer)", postgres_database.name)
    postgres_cluster.sql("INSERT INTO users VALUES (1)", postgres_database.name)

    for command in (*READERS_AND_WRITERS, ("migrate",), ("serve", "--listen", "127.0.0.1:0")):
        result = _passgate(tmp_path, postgres_database, *command)
        _refused_in_one_line(
            result,
            f"{postgres_database.url} is not a passgate database (it holds tables users)",
            "check --database",
        )

    assert _tables(postgres_cluster, postgres_database) == ["users"]
    assert postgres_cluster.sql("SELECT x FROM users", postgres_database.name) == [["1"]]


def test_passgate_shares_a_database_through_a_schema_of_its_own(
    tmp_path: Path, postgres_cluster: PostgresCluster, postgres_database: PostgresDatabase
) -> None:
    postgres_cluster.sql("CREATE TABLE users (x integer)", postgres_database.name)
    postgres_cluster.sql("CREATE SCHEMA passgate", postgres_database.name)
    own_schema = postgres_database.url + "?options=-csearch_path%3Dpassgate"

    migrated = _passgate(tmp_path, postgres_database, "migrate", url=own_schema)
    assert migrated.returncode == 0, migrated.stderr
    listed = _passgate(tmp_path, postgres_database, "tenant", "list", url=own_schema)
    assert listed.returncode == 0, listed.stderr
    assert "default" in listed.stdout

    assert _tables(postgres_cluster, postgres_database) == ["users"]
    assert "schema_versions" in _tables(postgres_cluster, postgres_database, "passgate")
