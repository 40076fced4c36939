"""A wrong password against a hash cheaper than the configured bcrypt work (an
imported PBKDF2 or bcrypt hash, or passgate's own from a lower cost) costs at
least the configured bcrypt work, as an unknown user does: no refusal tells
which accounts exist by coming back sooner. Counted, not timed: every bcrypt
computation of the server's hasher is recorded."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator

import bcrypt
import pytest
from rpc_support import PASSWORD, unique_email
from server_support import InProcess, in_process

from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.identity.passwords import PasswordHasher
from passgate.identity.users import Users
from passgate.testing import RecordingBcrypt

COST = 6
WRONG = PASSWORD + "x"


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcess]:
    hasher = PasswordHasher(COST, backend=RecordingBcrypt())
    with in_process(tmp_path_factory.mktemp("cheap"), hasher=hasher, bcrypt_cost=COST) as running:
        yield running


def recorded(local: InProcess) -> RecordingBcrypt:
    backend = local.app.hashes.hasher.implementation
    assert isinstance(backend, RecordingBcrypt)
    return backend


def with_hash(local: InProcess, stored: str) -> str:
    """A user whose stored hash is `stored`; their e-mail."""
    email = unique_email("cheap")
    Users(local.app.database, local.clock).create("default", email, stored)
    return email


def pbkdf2_one_iteration(password: str) -> str:
    salt = b"0123456789abcdef"
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 1)
    encode = base64.b64encode
    return f"$pbkdf2-sha256$1${encode(salt).decode().rstrip('=')}${encode(digest).decode()}"


def test_a_wrong_password_against_a_cheap_hash_costs_the_configured_bcrypt_work(
    local: InProcess,
) -> None:
    # The first unknown user makes the hasher's stand-in hash; count from the next one.
    local.client.refuse("SignIn", pb.SignInRequest(email=unique_email(), password=PASSWORD))
    users = {
        "configured cost": with_hash(local, local.app.hashes.hasher.hash(PASSWORD)),
        "own hash, lower cost": with_hash(local, PasswordHasher(4).hash(PASSWORD)),
        "imported bcrypt, lower cost": with_hash(
            local, bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
        ),
        "imported PBKDF2, one iteration": with_hash(local, pbkdf2_one_iteration(PASSWORD)),
        "unknown": unique_email("nobody"),
    }
    spent = {}
    for name, email in users.items():
        recorded(local).checkpw_hashes.clear()
        refusal = local.client.refuse("SignIn", pb.SignInRequest(email=email, password=WRONG))
        assert refusal.reason == "INVALID_CREDENTIALS", name
        spent[name] = recorded(local).costs()
    assert spent == {
        "configured cost": [COST],
        "own hash, lower cost": [4, COST],
        "imported bcrypt, lower cost": [COST],  # its own check runs on the reference bcrypt
        "imported PBKDF2, one iteration": [COST],
        "unknown": [COST],
    }
