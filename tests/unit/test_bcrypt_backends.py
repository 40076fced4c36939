"""The bcrypt implementations passgate may use compute one function: the
published answers, and each other's hashes in both directions, for every
input passgate feeds them; a fast one is refused where it disagrees or is
missing, with a log line, and the next one is used."""

from __future__ import annotations

import json
import random
from pathlib import Path

import bcrypt
import pytest
from gil import spins_beside

from passgate.identity.bcrypt_backends import (
    KNOWN_ANSWERS,
    Bcrypt,
    LibxcryptBcrypt,
    PycaBcrypt,
    agrees_with_reference,
    choose_bcrypt,
)
from passgate.identity.bcrypt_kernel import KernelBcrypt
from passgate.identity.passwords import SCHEME_PREFIX, TESTING_COST, PasswordHasher
from passgate.testing import capture_logs, in_process_server

PYCA = PycaBcrypt()
LIBXCRYPT = LibxcryptBcrypt()  # every glibc Linux passgate runs on has it
KERNEL = KernelBcrypt()  # built by every install with a C compiler
IMPLEMENTATIONS = [PYCA, LIBXCRYPT, KERNEL]
NO_KERNEL = "passgate.identity.no_such_kernel"


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS, ids=lambda i: i.name)
@pytest.mark.parametrize(("secret", "hashed"), KNOWN_ANSWERS)
def test_published_answers(implementation: Bcrypt, secret: bytes, hashed: bytes) -> None:
    assert implementation.hashpw(secret, hashed) == hashed
    assert implementation.checkpw(secret, hashed)
    assert not implementation.checkpw(secret + b"x", hashed)


def _salt(rng: random.Random, cost: int, prefix: bytes) -> bytes:
    alphabet = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    body = bytes(rng.choice(alphabet) for _ in range(21)) + bytes([rng.choice(b".Oeu")])
    return prefix + b"%02d$" % cost + body


@pytest.mark.parametrize(
    ("maker", "checker"),
    [(PYCA, LIBXCRYPT), (LIBXCRYPT, PYCA), (KERNEL, LIBXCRYPT), (LIBXCRYPT, KERNEL)],
    ids=["pyca→libx", "libx→pyca", "kernel→libx", "libx→kernel"],
)
def test_each_verifies_the_others_hashes(maker: Bcrypt, checker: Bcrypt) -> None:
    rng = random.Random(1234)
    for _ in range(150):
        cost = rng.choice((4, 4, 4, 5, 6))
        length = rng.choice((0, 1, 43, 44, 45, 71, 72))
        # passgate's own secrets are ASCII (the pre-hash); $2b$ and $2y$ agree on any byte too
        prefix = rng.choice((b"$2a$", b"$2b$", b"$2y$"))
        top = 0x7E if prefix == b"$2a$" else 0xFF
        secret = bytes(rng.randint(1, top) for _ in range(length))
        hashed = maker.hashpw(secret, _salt(rng, cost, prefix))
        assert checker.hashpw(secret, hashed) == hashed, (prefix, secret)
        assert checker.checkpw(secret, hashed)
        assert not checker.checkpw(
            bytes([secret[0] % 0x7E + 1]) + secret[1:] if secret else b"!", hashed
        )


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS, ids=lambda i: i.name)
def test_the_hasher_gives_the_same_answers_on_each(implementation: Bcrypt) -> None:
    """Every input length, over 72 bytes too, through the pre-hash; cost upgrades."""
    hasher = PasswordHasher(TESTING_COST, backend=implementation)
    other = PasswordHasher(
        TESTING_COST + 1, backend=PYCA if implementation is LIBXCRYPT else LIBXCRYPT
    )
    for password in ("", "a", "p" * 72, "p" * 73, "\U0001f510" * 300, "abc\x00def"):
        stored = hasher.hash(password)
        assert stored.startswith(SCHEME_PREFIX + "$2b$04$")
        assert other.verify(password, stored)
        assert not other.verify(password + "x", stored)
        assert other.needs_rehash(stored)
        assert hasher.verify(password, other.hash(password))
    legacy = bcrypt.hashpw("Ünïcode-raw".encode(), bcrypt.gensalt(4, b"2a")).decode()
    assert hasher.verify("Ünïcode-raw", legacy)


def test_a_library_that_is_missing_or_wrong_is_not_used() -> None:
    assert isinstance(choose_bcrypt("libcrypt-missing.so.9", NO_KERNEL), PycaBcrypt)

    class OffByOne(LibxcryptBcrypt):
        """A build whose output differs in its last character."""

        def hashpw(self, secret: bytes, setting: bytes) -> bytes:
            out = super().hashpw(secret, setting)
            return out[:-1] + (b"." if out[-1:] != b"." else b"/")

    assert agrees_with_reference(LIBXCRYPT)
    assert not agrees_with_reference(OffByOne())


def test_without_the_kernel_the_fastest_library_is_used_and_one_line_says_so() -> None:
    with capture_logs() as logs:
        chosen = choose_bcrypt(kernel=NO_KERNEL)
    assert isinstance(chosen, LibxcryptBcrypt)
    [line] = [json.loads(line) for line in logs.lines]
    assert line["level"] == "warning"
    assert "kernel is not built" in line["msg"] and "using libxcrypt" in line["msg"]
    with capture_logs() as logs:
        chosen = choose_bcrypt("libcrypt-missing.so.9", NO_KERNEL)
    assert isinstance(chosen, PycaBcrypt)
    assert len(logs.lines) == 1 and "using pyca/bcrypt" in logs.lines[0]


def test_a_kernel_with_other_answers_is_refused() -> None:
    with capture_logs() as logs:
        chosen = choose_bcrypt(kernel="disagreeing_bcrypt_kernel")
    assert isinstance(chosen, LibxcryptBcrypt)
    assert len(logs.lines) == 1 and "other answers than pyca" in logs.lines[0]


def test_the_kernel_is_chosen_where_it_agrees_and_named_when_serving(
    tmp_path: Path,
) -> None:
    assert isinstance(choose_bcrypt(), KernelBcrypt)
    with capture_logs() as logs, in_process_server(tmp_path, hasher=PasswordHasher(4)):
        pass
    serving = [json.loads(line) for line in logs.lines if '"serving"' in line]
    assert [line["bcrypt"] for line in serving] == ["passgate-kernel"]


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS, ids=lambda i: i.name)
def test_the_gil_is_released_while_hashing(implementation: Bcrypt) -> None:
    """Other threads run while a hash is computed (here ~0.1-0.3 s at cost 12)."""
    setting = bcrypt.gensalt(12)
    spins = spins_beside(lambda: implementation.hashpw(b"x" * 44, setting))
    assert spins > 100_000  # holding the GIL, this loop would not run until the hash ended
