"""Users imported with a hash made by another system (argon2id, scrypt,
PBKDF2-SHA256 as passlib and Django write them, and bcrypt): each signs in with
the right password, is refused a wrong one exactly as any user is, and is
stored as passgate's own bcrypt hash from that first sign-in on. The hashes are
made here by independent means: argon2-cffi's PasswordHasher and hashlib,
encoded as passlib and Django encode them."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable

import argon2
import bcrypt
import grpc
import pytest
from admin_support import AdminClient, admin_key
from rpc_support import PASSWORD, Client, execute, password_hash, stored_in, unique_email

from passgate.admin.v1 import admin_service_pb2 as admin_pb
from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.testing import ServerProcess

WRONG = PASSWORD + "x"


def _ab64(raw: bytes) -> str:
    """passlib's adapted base64: `.` for `+`, no padding."""
    return base64.b64encode(raw).decode().rstrip("=").replace("+", ".")


def argon2id_hash(password: str) -> str:
    return argon2.PasswordHasher(time_cost=2, memory_cost=8192, parallelism=2).hash(password)


def _b64(raw: bytes) -> str:
    """Standard base64 without padding, as passlib writes scrypt's salt and digest."""
    return base64.b64encode(raw).decode().rstrip("=")


def scrypt_hash(password: str) -> str:
    salt = bytes.fromhex("fbefbe") + os.urandom(13)  # its base64 holds `+`
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**12, r=8, p=1, dklen=32)
    return f"$scrypt$ln=12,r=8,p=1${_b64(salt)}${_b64(digest)}"


def passlib_pbkdf2_hash(password: str) -> str:
    salt = bytes.fromhex("fbefbe") + os.urandom(13)  # its adapted base64 holds `.`
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 29000)
    return f"$pbkdf2-sha256$29000${_ab64(salt)}${_ab64(digest)}"


def django_pbkdf2_hash(password: str) -> str:
    salt = base64.b32encode(os.urandom(10)).decode().lower()  # text, as Django's salts are
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 100000)
    return f"pbkdf2_sha256$100000${salt}${base64.b64encode(digest).decode()}"


def bcrypt_hash(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()


KINDS: dict[str, Callable[[str], str]] = {
    "argon2id": argon2id_hash,
    "scrypt": scrypt_hash,
    "pbkdf2-sha256 (passlib)": passlib_pbkdf2_hash,
    "pbkdf2_sha256 (Django)": django_pbkdf2_hash,
    "bcrypt": bcrypt_hash,
}


@pytest.fixture(scope="module")
def admin(server: ServerProcess, shared_channel: grpc.Channel) -> AdminClient:
    return AdminClient(shared_channel, admin_key(server))


def import_user(admin: AdminClient, stored: str) -> tuple[str, str]:
    email = unique_email("imported")
    request = admin_pb.CreateUserRequest(email=email, password_hash=stored)
    return email, admin.call("CreateUser", request).user.user_id


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_imported_user_signs_in_and_is_stored_as_bcrypt_afterwards(
    server: ServerProcess, client: Client, admin: AdminClient, kind: str
) -> None:
    stored = KINDS[kind](PASSWORD)
    email, user_id = import_user(admin, stored)
    database = stored_in(server.database_url)

    refusal = client.refuse("SignIn", pb.SignInRequest(email=email, password=WRONG))
    assert (refusal.code, refusal.reason) == (
        grpc.StatusCode.UNAUTHENTICATED,
        "INVALID_CREDENTIALS",
    )
    assert password_hash(database, user_id) == stored  # a failed sign-in changes nothing

    assert client.sign_in(email, PASSWORD).user_id == user_id
    upgraded = password_hash(database, user_id)
    assert upgraded.startswith("pg1$$2b$"), upgraded  # passgate's own bcrypt
    assert client.sign_in(email, PASSWORD).user_id == user_id  # and the new hash verifies
    assert client.refuse("SignIn", pb.SignInRequest(email=email, password=WRONG)).reason == (
        "INVALID_CREDENTIALS"
    )


def test_a_wrong_password_for_an_imported_user_answers_as_for_any_user_and_counts(
    client: Client, admin: AdminClient
) -> None:
    email, _ = import_user(admin, scrypt_hash(PASSWORD))
    ordinary = unique_email()
    admin.create_user(ordinary, PASSWORD)
    imported_refusal = client.refuse("SignIn", pb.SignInRequest(email=email, password=WRONG))
    ordinary_refusal = client.refuse("SignIn", pb.SignInRequest(email=ordinary, password=WRONG))
    assert imported_refusal.same_as(ordinary_refusal)
    # the sign-in throttle counts them: after the free failures, the account waits
    outcomes = [
        client.refuse("SignIn", pb.SignInRequest(email=email, password=WRONG)).code
        for _ in range(6)
    ]
    assert grpc.StatusCode.RESOURCE_EXHAUSTED in outcomes, outcomes


ABSURD = {
    "argon2id memory": "$argon2id$v=19$m=4194304,t=3,p=4$c2FsdHNhbHRzYWx0$" + "A" * 43,
    "argon2id version": "$argon2id$v=16$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$" + "A" * 43,
    "scrypt memory": "$scrypt$ln=24,r=8,p=1$c2FsdHNhbHRzYWx0$" + "A" * 43,
    "pbkdf2 rounds": "$pbkdf2-sha256$1000000000$c2FsdHNhbHRzYWx0$" + "A" * 43,
    "django iterations": "pbkdf2_sha256$999999999$salt$" + "A" * 43 + "=",
    "argon2i": "$argon2i$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$" + "A" * 43,
    "md5": "5f4dcc3b5aa765d61d8327deb882cf99",
    "bcrypt cost 99": "$2b$99$" + "a" * 53,
    "truncated scrypt": "$scrypt$ln=12,r=8",
    # past the configured cost (4 here) + 2: a few sign-ins would hold every hash thread
    "bcrypt cost 31": bcrypt_hash(PASSWORD).replace("$04$", "$31$", 1),
    "bcrypt cost 7": bcrypt_hash(PASSWORD).replace("$04$", "$07$", 1),
    # more work or memory than a few bcrypt verifications at cost 12
    "scrypt parallelism": "$scrypt$ln=16,r=8,p=16$c2FsdHNhbHRzYWx0$" + "A" * 43,
    "scrypt work": "$scrypt$ln=17,r=16,p=1$c2FsdHNhbHRzYWx0$" + "A" * 43,
    "argon2id 256 MiB": "$argon2id$v=19$m=262144,t=1,p=1$c2FsdHNhbHRzYWx0$" + "A" * 43,
    "argon2id memory x time": "$argon2id$v=19$m=65536,t=16,p=1$c2FsdHNhbHRzYWx0$" + "A" * 43,
    "argon2id parallelism": "$argon2id$v=19$m=65536,t=1,p=16$c2FsdHNhbHRzYWx0$" + "A" * 43,
    "argon2id memory below 8 KiB a lane": "$argon2id$v=19$m=8,t=1,p=4$c2FsdHNhbHRzYWx0$" + "A" * 43,
    "pbkdf2 two million": "$pbkdf2-sha256$2000000$c2FsdHNhbHRzYWx0$" + "A" * 43,
    # malformed past what a parser may take, or what the column holds
    "pbkdf2 5000 digits": "$pbkdf2-sha256$" + "9" * 5000 + "$c2FsdA$" + "A" * 43,
    "argon2id arabic-indic digits": (
        "$argon2id$v=\u0661\u0669$m=\u0668\u0661\u0669\u0662,t=\u0663,p=\u0661"
        "$c2FsdHNhbHRzYWx0$" + "A" * 43
    ),
    "864 characters": "$pbkdf2-sha256$1000$" + "A" * 800 + "$" + "A" * 43,
    "django NUL in the salt": "pbkdf2_sha256$1000$sa\x00lt$" + "A" * 43 + "=",
    "django non-ASCII salt": "pbkdf2_sha256$1000$s\u00e4lt$" + "A" * 43 + "=",
}


@pytest.mark.parametrize("case", list(ABSURD))
def test_a_hash_passgate_cannot_or_will_not_verify_is_refused_at_import(
    admin: AdminClient, case: str
) -> None:
    email = unique_email("absurd")
    request = admin_pb.CreateUserRequest(email=email, password_hash=ABSURD[case])
    refusal = admin.refuse("CreateUser", request)
    assert (refusal.code, refusal.reason) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "PASSWORD_HASH_UNSUPPORTED",
    )
    assert refusal.field_reasons == [("password_hash", "PASSWORD_HASH_UNSUPPORTED")]
    found = admin.refuse("FindUser", admin_pb.FindUserRequest(email=email))
    assert found.code == grpc.StatusCode.NOT_FOUND  # nothing was created


def test_a_stored_bcrypt_hash_above_the_import_cap_is_never_verified_at_its_cost(
    server: ServerProcess, client: Client, admin: AdminClient
) -> None:
    # Written before the cap existed (or straight into the table): cost 9 is past the
    # configured 4 + 2, so even the right password is refused, as a wrong one is.
    email, user_id = import_user(admin, bcrypt_hash(PASSWORD))
    database = stored_in(server.database_url)
    costly = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(9)).decode()
    execute(database, "UPDATE users SET password_hash = ? WHERE id = ?", (costly, user_id))
    for password in (PASSWORD, WRONG):
        refusal = client.refuse("SignIn", pb.SignInRequest(email=email, password=password))
        assert (refusal.code, refusal.reason) == (
            grpc.StatusCode.UNAUTHENTICATED,
            "INVALID_CREDENTIALS",
        )
    assert password_hash(database, user_id) == costly
    # the operator hears of it once, however often it happens
    assert server.log_text().count('"stored_hash_refused"') == 1
    # at the cap itself it is verified
    allowed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(6)).decode()
    execute(database, "UPDATE users SET password_hash = ? WHERE id = ?", (allowed, user_id))
    assert client.sign_in(email, PASSWORD).user_id == user_id


def test_the_cli_imports_an_argon2id_hash_as_the_api_does(
    server: ServerProcess, client: Client
) -> None:
    email = unique_email("cli-imported")
    user_id = server.cli(
        "user", "create", "--email", email, "--password-hash-stdin",
        stdin=argon2id_hash(PASSWORD) + "\n",
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    assert client.sign_in(email, PASSWORD).user_id == user_id
    assert password_hash(stored_in(server.database_url), user_id).startswith("pg1$")
    refused = server.cli(
        "user", "create", "--email", unique_email(), "--password-hash-stdin",
        stdin="$scrypt$ln=24,r=8,p=1$c2FsdA$" + "A" * 43 + "\n", check=False,
    )  # fmt: skip
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr
    last = refused.stderr.strip().splitlines()[-1]  # (PostgreSQL may warn on a line before)
    assert last.startswith("passgate: the hash on stdin: scrypt"), refused.stderr
    costly = server.cli(
        "user", "create", "--email", unique_email(), "--password-hash-stdin",
        stdin=bcrypt_hash(PASSWORD).replace("$04$", "$31$", 1) + "\n", check=False,
    )  # fmt: skip
    assert costly.returncode == 2
    last = costly.stderr.strip().splitlines()[-1]
    assert last.startswith("passgate: the hash on stdin: bcrypt cost 31"), costly.stderr


def test_a_bad_hash_is_reported_with_every_other_broken_rule(admin: AdminClient) -> None:
    request = admin_pb.CreateUserRequest(email="not-an-address", password_hash="md5:abc")
    refusal = admin.refuse("CreateUser", request)
    assert (refusal.code, refusal.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_REQUEST")
    assert ("password_hash", "PASSWORD_HASH_UNSUPPORTED") in refusal.field_reasons
    assert "email" in {field for field, _ in refusal.field_reasons}
