"""The database engines every server-level suite runs on, and the database a
test's servers share on each: a SQLite file in the test's folder, or a fresh
database of the session's PostgreSQL cluster (with the side files PostgreSQL
cannot hold, shared by every server on it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from passgate.postgres_cluster import PostgresCluster
from passgate.testing import ServerProcess

ENGINES = ("sqlite", "postgresql")


@dataclass(frozen=True)
class EngineDatabase:
    engine: str
    url: str
    # PASSGATE_* variables every server and CLI call on this database needs
    env: dict[str, str] = field(default_factory=dict)

    def settings(self) -> dict[str, object]:
        """Settings overrides for `in_process_server` on this database."""
        values: dict[str, object] = {"database": self.url}
        if "PASSGATE_SECRET_FILE" in self.env:
            values["secret_file"] = Path(self.env["PASSGATE_SECRET_FILE"])
        if "PASSGATE_LIMITS_STORE" in self.env:
            values["limits_store"] = self.env["PASSGATE_LIMITS_STORE"]
        return values

    def server_kw(self) -> dict[str, object]:
        """Keyword arguments for `ServerProcess` on this database."""
        return {"database_url": self.url, "env": dict(self.env)}


def engine_database(request: pytest.FixtureRequest, engine: str, folder: Path) -> EngineDatabase:
    """An empty database on `engine`; the PostgreSQL cluster starts only if asked for."""
    if engine == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        return EngineDatabase(engine, f"sqlite:///{folder / 'passgate.db'}")
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    database = cluster.create_database()
    return EngineDatabase(engine, database.url, database.server_env())


def server_on(
    request: pytest.FixtureRequest, engine: str, folder: Path, **env: str
) -> ServerProcess:
    """A server (not started) over an empty database on `engine`, with `env` added
    to the PASSGATE_* variables that database needs (e.g. a higher bcrypt cost)."""
    database = engine_database(request, engine, folder)
    return ServerProcess(folder, database_url=database.url, env={**database.env, **env})
