"""Every file passgate writes is readable by its own user alone (0600), whatever
the umask: the databases hold password hashes and e-mail addresses, the limits
store which accounts are being guessed at, the mail folder live reset links."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from rpc_support import PASSWORD, unique_email, wait_links_to
from server_support import running

from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.testing import ServerProcess

# What a shell started with the usual login defaults passes on.
USUAL_UMASK = 0o022
SERVER_LOG = "server.log"  # the test harness's file, not passgate's


@contextmanager
def umask(mask: int) -> Iterator[None]:
    """Child processes started inside the block inherit `mask`."""
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def modes(folder: Path, *, skip: tuple[str, ...] = ()) -> dict[str, int]:
    """Every file under `folder` (by path relative to it) and its permission bits."""
    return {
        str(path.relative_to(folder)): stat.S_IMODE(path.stat().st_mode)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name not in skip
    }


def cli(workdir: Path, *args: str, stdin: str | None = None) -> None:
    """A CLI command on its own database URL, under the usual umask."""
    with umask(USUAL_UMASK):
        ServerProcess(workdir).cli(*args, stdin=stdin)


def test_every_file_the_server_writes_is_private_under_the_usual_umask(tmp_path: Path) -> None:
    workdir = tmp_path / "server"
    with umask(USUAL_UMASK), running(workdir) as (server, client):
        email = unique_email()
        server.create_user(email, PASSWORD)
        client.sign_in(email, PASSWORD)  # a session, and call budgets charged
        wrong = pb.SignInRequest(email=email, password=PASSWORD + "x")
        client.refuse("SignIn", wrong)  # a throttle row in the limits store
        client.request_reset(email)
        wait_links_to(server.mail_dir, email)

        found = modes(workdir, skip=(SERVER_LOG,))
        mail_folder = stat.S_IMODE(server.mail_dir.stat().st_mode)

    expected = {
        "passgate.db",
        "passgate.db-wal",
        "passgate.db-shm",
        "passgate.db.limits",
        "passgate.db.limits-wal",
        "passgate.db.limits-shm",
        "passgate.db.secret",
    }
    assert expected <= set(found), found
    assert any(name.startswith("mail/") for name in found), found
    assert {name: oct(mode) for name, mode in found.items() if mode != 0o600} == {}
    assert oct(mail_folder) == oct(0o700)  # only passgate's user may list the reset mails


@pytest.mark.parametrize(
    ("command", "stdin"),
    [
        (("migrate",), None),
        (("apikey", "create", "--name", "fresh"), None),
        (("user", "create", "--email", "fresh@example.com", "--password-stdin"), PASSWORD + "\n"),
    ],
    ids=["migrate", "apikey-create", "user-create"],
)
def test_a_cli_command_on_a_fresh_path_creates_private_files(
    tmp_path: Path, command: tuple[str, ...], stdin: str | None
) -> None:
    folder = tmp_path / "fresh" / "nested"
    url = f"sqlite:///{folder / 'new.db'}"
    if command != ("migrate",):  # only migrate (and serve) create a database
        with umask(USUAL_UMASK):
            cli(tmp_path, "migrate", "--database", url)
    with umask(USUAL_UMASK):
        cli(tmp_path, *command, "--database", url, stdin=stdin)

    found = modes(folder)
    assert "new.db" in found, found
    assert {name: oct(mode) for name, mode in found.items() if mode != 0o600} == {}


def test_an_existing_readable_database_is_tightened_with_one_line_saying_so(
    tmp_path: Path,
) -> None:
    database = tmp_path / "old.db"
    url = f"sqlite:///{database}"
    cli(tmp_path, "migrate", "--database", url)
    database.chmod(0o644)  # as an older passgate left it

    with umask(USUAL_UMASK):
        result = ServerProcess(tmp_path).cli("migrate", "--database", url)

    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1] == f"passgate: database {database}"  # every command names its database
    lines = lines[:-1]
    assert len(lines) == 1, result.stderr
    assert str(database) in lines[0] and "0600" in lines[0], lines[0]
    assert "Traceback" not in result.stderr


def test_a_private_database_is_left_alone_silently(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'quiet.db'}"
    cli(tmp_path, "migrate", "--database", url)

    with umask(USUAL_UMASK):
        result = ServerProcess(tmp_path).cli("migrate", "--database", url)

    assert result.stderr == f"passgate: database {tmp_path / 'quiet.db'}\n"


def test_a_server_over_a_database_it_tightened_serves_as_before(tmp_path: Path) -> None:
    workdir = tmp_path / "server"
    cli(workdir, "migrate")
    (workdir / "passgate.db").chmod(0o644)
    with umask(USUAL_UMASK), running(workdir) as (server, client):
        email = unique_email()
        server.create_user(email, PASSWORD)
        assert client.sign_in(email, PASSWORD).session_token
        assert stat.S_IMODE((workdir / "passgate.db").stat().st_mode) == 0o600
        assert "0600" in server.log_text()
