"""Fixtures for the integration suite: one shared passgate server, a client for
it, and a maker of users no other test touches."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from engines import ENGINES, engine_database
from rpc_support import Client
from server_support import WELCOME_MARKER, WELCOME_SUBJECT, UserFactory, server_process

from passgate.testing import ServerProcess


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("templates")
    (folder / "welcome.txt").write_text(
        f"{WELCOME_MARKER}.\n\nOpen $reset_link within $expires_minutes minutes.\n"
    )
    (folder / "welcome.subject").write_text(WELCOME_SUBJECT + "\n")
    return folder


@pytest.fixture(scope="session", params=ENGINES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, template_dir: Path
) -> Iterator[ServerProcess]:
    """The suite's shared server, once on each engine; it also offers an
    override mail template."""
    workdir = tmp_path_factory.mktemp(f"shared-server-{request.param}")
    database = engine_database(request, request.param, workdir)
    with server_process(
        workdir, "--template-dir", str(template_dir), **database.server_kw()
    ) as running:
        yield running


@pytest.fixture(scope="session")
def shared_channel(server: ServerProcess) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(server.target) as channel:
        yield channel


@pytest.fixture(scope="session")
def client(server: ServerProcess, shared_channel: grpc.Channel) -> Client:
    return Client(shared_channel, server.api_key)


@pytest.fixture(scope="session")
def make_user(server: ServerProcess) -> UserFactory:
    return UserFactory(server)
