"""Fixtures shared by every suite: real passgate servers on loopback ports,
and one throwaway PostgreSQL cluster and Redis server, each started only if a
test asks for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from engines import ENGINES, EngineDatabase, engine_database

from passgate.postgres_cluster import PostgresCluster, PostgresDatabase
from passgate.redis_server import RedisServer
from passgate.testing import ServerProcess


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """PostgreSQL 15 on a free loopback port, for the whole session."""
    cluster = PostgresCluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_database(postgres_cluster: PostgresCluster) -> PostgresDatabase:
    """An empty database of the test's own."""
    return postgres_cluster.create_database()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """redis-server on a free loopback port, for the whole session; tests that
    share it keep to keys of their own or flush its database first."""
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database(request: pytest.FixtureRequest, engine: str, tmp_path: Path) -> EngineDatabase:
    """An empty database of the test's own, on each engine in turn."""
    return engine_database(request, engine, tmp_path / "database")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One `passgate serve` process for the whole run; tests make their own users."""
    with ServerProcess(tmp_path_factory.mktemp("server")) as running:
        yield running


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server of the test's own, over an empty database."""
    with ServerProcess(tmp_path / "server") as running:
        yield running


@pytest.fixture
def channel(server: ServerProcess) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(server.target) as open_channel:
        yield open_channel
