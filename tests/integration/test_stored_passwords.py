"""How passwords are kept and judged, on servers configured for it: hashes below
the configured cost upgraded at the next sign-in, plain bcrypt hashes imported
from elsewhere accepted, and the NIST preset one flag away."""

from __future__ import annotations

import re
from collections.abc import Iterator

import bcrypt
import pytest
from rpc_support import (
    NEW_PASSWORD,
    PASSWORD,
    Client,
    Refusal,
    execute,
    password_hash,
    query,
    sqlite_file,
    unique_email,
)
from server_support import UserFactory, running

from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.testing import ServerProcess

_COST = re.compile(r"\$2[aby]\$(\d\d)\$")
PASSPHRASE = "purple otters juggle quietly at dawn"


def bcrypt_cost(stored: str) -> int:
    match = _COST.search(stored)
    assert match is not None, stored
    return int(match.group(1))


@pytest.fixture(scope="module")
def cost5(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, Client]]:
    with running(tmp_path_factory.mktemp("cost5"), "--bcrypt-cost", "5") as pair:
        yield pair


@pytest.fixture(scope="module")
def nist(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, Client]]:
    with running(tmp_path_factory.mktemp("nist"), "--password-policy", "nist") as pair:
        yield pair


def test_a_hash_below_the_configured_cost_is_upgraded_at_the_next_sign_in(
    cost5: tuple[ServerProcess, Client],
) -> None:
    server, client = cost5
    database = sqlite_file(server.database_url)
    address = unique_email()
    user_id = server.cli(
        "user", "create", "--email", address, "--password-stdin", "--bcrypt-cost", "4",
        stdin=PASSWORD + "\n",
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    assert bcrypt_cost(password_hash(database, user_id)) == 4

    # A failed sign-in proves nothing about the password: no upgrade.
    client.refuse("SignIn", pb.SignInRequest(email=address, password=NEW_PASSWORD))
    assert bcrypt_cost(password_hash(database, user_id)) == 4

    assert client.sign_in(address, PASSWORD).user_id == user_id
    upgraded = password_hash(database, user_id)
    assert bcrypt_cost(upgraded) == 5

    assert client.sign_in(address, PASSWORD).user_id == user_id
    assert password_hash(database, user_id) == upgraded


@pytest.mark.parametrize("variant", ["$2b$", "$2a$"])
def test_an_imported_plain_bcrypt_hash_signs_in(
    cost5: tuple[ServerProcess, Client], variant: str
) -> None:
    server, client = cost5
    database = sqlite_file(server.database_url)
    user = UserFactory(server)("Placeholder-Pass-1!")
    imported = bcrypt.hashpw(NEW_PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    imported = variant + imported.removeprefix("$2b$")
    execute(database, "UPDATE users SET password_hash = ? WHERE id = ?", (imported, user.user_id))

    wrong = client.refuse("SignIn", pb.SignInRequest(email=user.email, password=PASSWORD))
    assert wrong.reason == "INVALID_CREDENTIALS"
    assert client.sign_in(user.email, NEW_PASSWORD).user_id == user.user_id
    # Re-hashed with the server's scheme and cost at that sign-in; it still verifies.
    rehashed = password_hash(database, user.user_id)
    assert rehashed != imported
    assert bcrypt_cost(rehashed) == 5
    assert client.sign_in(user.email, NEW_PASSWORD).user_id == user.user_id


def test_user_create_imports_a_bcrypt_hash_from_stdin(cost5: tuple[ServerProcess, Client]) -> None:
    server, client = cost5
    imported = bcrypt.hashpw(NEW_PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    email = f"imported-{bcrypt_cost(imported)}-{id(imported)}@example.com"
    created = server.cli(
        "user", "create", "--email", email, "--password-hash-stdin", stdin=imported + "\n"
    )
    user_id = created.stdout.strip().splitlines()[-1]
    assert password_hash(sqlite_file(server.database_url), user_id) == imported
    assert client.sign_in(email, NEW_PASSWORD).user_id == user_id
    refused = server.cli(
        "user", "create", "--email", "x" + email, "--password-hash-stdin",
        stdin="not-a-hash\n", check=False,
    )  # fmt: skip
    assert refused.returncode != 0
    assert "not a bcrypt hash" in refused.stderr


def test_the_nist_preset_accepts_a_passphrase_the_seed_policy_refuses(
    nist: tuple[ServerProcess, Client], client: Client, make_user: UserFactory
) -> None:
    seed_user = make_user()
    seed_session = client.sign_in(seed_user.email, PASSWORD).session_token
    refused = client.change_password(seed_session, PASSWORD, PASSPHRASE)
    assert isinstance(refused, Refusal)
    assert refused.field_reasons == [("new_password", "PASSWORD_MISSING_CHARACTER_CLASS")]

    nist_server, nist_client = nist
    user = UserFactory(nist_server)()
    session = nist_client.sign_in(user.email, PASSWORD).session_token
    changed = nist_client.change_password(session, PASSWORD, PASSPHRASE)
    assert isinstance(changed, pb.ChangePasswordResponse), changed
    assert nist_client.sign_in(user.email, PASSPHRASE).user_id == user.user_id


@pytest.mark.parametrize(
    ("new", "reasons"),
    [
        ("password123", ["PASSWORD_TOO_COMMON"]),
        ("q7x!Lm", ["PASSWORD_TOO_SHORT"]),
    ],
)
def test_the_nist_preset_still_refuses_short_and_common_passwords(
    nist: tuple[ServerProcess, Client], new: str, reasons: list[str]
) -> None:
    server, client = nist
    user = UserFactory(server)()
    session = client.sign_in(user.email, PASSWORD).session_token
    refused = client.change_password(session, PASSWORD, new)
    assert isinstance(refused, Refusal)
    assert [reason for _, reason in refused.field_reasons] == reasons


def test_sqlite_runs_in_wal_mode(cost5: tuple[ServerProcess, Client]) -> None:
    database = sqlite_file(cost5[0].database_url)
    assert query(database, "PRAGMA journal_mode") == [("wal",)]
    assert database.with_name(database.name + "-wal").exists()
