"""The password hasher: no truncation, no exceptions, the same bcrypt work on every path."""

from __future__ import annotations

import unicodedata
from concurrent.futures import ThreadPoolExecutor

import bcrypt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passgate.identity.passwords import (
    DEFAULT_COST,
    SCHEME_PREFIX,
    TESTING_COST,
    PasswordHasher,
)
from passgate.testing import RecordingBcrypt


@pytest.fixture(scope="module")
def hasher() -> PasswordHasher:
    return PasswordHasher(TESTING_COST)


@pytest.fixture
def bcrypt_calls() -> RecordingBcrypt:
    """Every bcrypt call of a hasher built with `backend=bcrypt_calls`."""
    return RecordingBcrypt()


def legacy_hash(password: bytes, prefix: bytes = b"2b", cost: int = TESTING_COST) -> str:
    """A plain bcrypt hash, as another system would have stored it."""
    return bcrypt.hashpw(password, bcrypt.gensalt(cost, prefix=prefix)).decode("ascii")


# --- construction ----------------------------------------------------------------------------


def test_default_cost_is_twelve() -> None:
    assert PasswordHasher().cost == DEFAULT_COST == 12


@pytest.mark.parametrize("cost", [3, 32, 0, -1])
def test_cost_outside_bcrypt_range_is_refused(cost: int) -> None:
    with pytest.raises(ValueError, match="between 4 and 31"):
        PasswordHasher(cost)


@pytest.mark.parametrize("cost", [True, 12.0, "12"])
def test_cost_must_be_an_int(cost: object) -> None:
    with pytest.raises(TypeError):
        PasswordHasher(cost)  # type: ignore[arg-type]


# --- hash and verify -------------------------------------------------------------------------


def test_round_trip(hasher: PasswordHasher) -> None:
    stored = hasher.hash("correct horse battery staple")
    assert stored.startswith(SCHEME_PREFIX + "$2b$04$")
    assert hasher.verify("correct horse battery staple", stored)


def test_wrong_password_is_refused(hasher: PasswordHasher) -> None:
    stored = hasher.hash("correct horse battery staple")
    assert not hasher.verify("correct horse battery stapler", stored)
    assert not hasher.verify("Correct horse battery staple", stored)
    assert not hasher.verify("", stored)


def test_hashes_are_salted(hasher: PasswordHasher) -> None:
    assert hasher.hash("same") != hasher.hash("same")


@pytest.mark.parametrize(
    ("typed", "stored_as"),
    [
        ("\ufb01nance", "finance"),  # the "fi" ligature
        ("\uff11\uff12\uff13abc", "123abc"),  # full-width digits
        ("Cafe\u0301", "Caf\u00e9"),  # combining acute accent vs precomposed
        ("\u2460\u2461", "12"),  # circled digits
    ],
)
def test_passwords_are_nfkc_normalised(hasher: PasswordHasher, typed: str, stored_as: str) -> None:
    assert hasher.verify(typed, hasher.hash(stored_as))
    assert hasher.verify(stored_as, hasher.hash(typed))


@pytest.mark.parametrize("size", [0, 1, 71, 72, 73, 1000])
def test_any_byte_length_hashes_and_verifies(hasher: PasswordHasher, size: int) -> None:
    password = "a" * size
    stored = hasher.hash(password)
    assert hasher.verify(password, stored)
    if size:
        assert not hasher.verify(password[:-1], stored)
    assert not hasher.verify(password + "a", stored)


def test_1024_emoji_are_accepted(hasher: PasswordHasher) -> None:
    password = "\U0001f510" * 1024  # 4096 UTF-8 bytes
    stored = hasher.hash(password)
    assert hasher.verify(password, stored)
    assert not hasher.verify(password[:-1], stored)


@pytest.mark.parametrize("prefix_bytes", [72, 100, 1000])
def test_nothing_is_truncated(hasher: PasswordHasher, prefix_bytes: int) -> None:
    shared = "x" * prefix_bytes
    stored = hasher.hash(shared + "tail-one")
    assert hasher.verify(shared + "tail-one", stored)
    assert not hasher.verify(shared + "tail-two", stored)
    assert not hasher.verify(shared, stored)


def test_nul_bytes_are_part_of_the_password(hasher: PasswordHasher) -> None:
    stored = hasher.hash("abc\x00def")
    assert hasher.verify("abc\x00def", stored)
    assert not hasher.verify("abc", stored)
    assert not hasher.verify("abc\x00", stored)


def test_lone_surrogates_never_raise_and_stay_distinct(hasher: PasswordHasher) -> None:
    stored = hasher.hash("pass\ud800word")
    assert hasher.verify("pass\ud800word", stored)
    assert not hasher.verify("pass\ud801word", stored)
    assert not hasher.verify("pass\ufffdword", stored)
    assert not hasher.verify("password", stored)
    # A surrogate pair spelt as two code points is not the character it would encode.
    assert not hasher.verify("\U0001f600", hasher.hash("\ud83d\ude00"))


# --- imported plain bcrypt hashes ------------------------------------------------------------


@pytest.mark.parametrize("prefix", [b"2a", b"2b"])
def test_imported_bcrypt_hash_verifies_and_needs_rehash(
    hasher: PasswordHasher, prefix: bytes
) -> None:
    stored = legacy_hash(b"hunter2-legacy", prefix)
    assert stored.startswith("$" + prefix.decode() + "$")
    assert hasher.verify("hunter2-legacy", stored)
    assert not hasher.verify("hunter2-legacY", stored)
    assert hasher.needs_rehash(stored)


def test_imported_2y_hash_verifies(hasher: PasswordHasher) -> None:
    stored = "$2y$" + legacy_hash(b"from-php")[4:]  # PHP's name for the same algorithm
    assert hasher.verify("from-php", stored)
    assert hasher.needs_rehash(stored)


def test_imported_hash_is_checked_against_the_normalised_password(hasher: PasswordHasher) -> None:
    stored = legacy_hash(b"finance")
    assert hasher.verify("\ufb01nance", stored)


def test_imported_hash_and_long_password_is_false_not_an_error(hasher: PasswordHasher) -> None:
    stored = legacy_hash(b"y" * 72)
    assert hasher.verify("y" * 72, stored)
    assert not hasher.verify("y" * 73, stored)  # plain bcrypt would have truncated; we refuse
    assert not hasher.verify("\u00e9" * 40, stored)  # 80 bytes


def test_imported_hash_and_nul_byte_is_false(hasher: PasswordHasher) -> None:
    stored = legacy_hash(b"abc")
    assert hasher.verify("abc", stored)
    assert not hasher.verify("abc\x00", stored)
    assert not hasher.verify("abc\x00def", stored)


def test_own_hash_is_not_accepted_as_plain_bcrypt(hasher: PasswordHasher) -> None:
    """Stripping the scheme marker must not let the pre-hash itself be used as a password."""
    stored = hasher.hash("secret")
    assert not hasher.verify("secret", stored[len(SCHEME_PREFIX) :])


# --- needs_rehash ----------------------------------------------------------------------------


def test_lower_cost_needs_rehash_and_still_verifies() -> None:
    cheap, dearer = PasswordHasher(TESTING_COST), PasswordHasher(TESTING_COST + 1)
    stored = cheap.hash("upgrade me")
    assert not cheap.needs_rehash(stored)
    assert dearer.needs_rehash(stored)
    assert dearer.verify("upgrade me", stored)
    assert not dearer.needs_rehash(dearer.hash("upgrade me"))


def test_higher_cost_is_kept() -> None:
    stored = PasswordHasher(TESTING_COST + 1).hash("already strong")
    assert not PasswordHasher(TESTING_COST).needs_rehash(stored)


# --- malformed stored hashes -----------------------------------------------------------------

VALID_TAIL = "vRc1e1hgwzlHinMf5H8a/ucpHzSay2iu0zDWrMSN9JeiogwB.aXf2"
MALFORMED = [
    "",
    "plaintext",
    SCHEME_PREFIX,
    SCHEME_PREFIX + "garbage",
    SCHEME_PREFIX + "$2b$04$short",
    SCHEME_PREFIX + "$2b$03$" + VALID_TAIL,  # cost below bcrypt's minimum
    SCHEME_PREFIX + "$2b$32$" + VALID_TAIL,  # cost above bcrypt's maximum
    SCHEME_PREFIX + "$2b$99$" + VALID_TAIL,
    SCHEME_PREFIX + "$2x$04$" + VALID_TAIL,  # crypt_blowfish's buggy variant
    SCHEME_PREFIX + "$2b$04$" + VALID_TAIL + "\n",
    SCHEME_PREFIX + "$2b$04$" + VALID_TAIL[:-1] + "\u00e9",
    SCHEME_PREFIX + "$2b$\uff10\uff14$" + VALID_TAIL,  # full-width digits are not digits here
    SCHEME_PREFIX + "$2b$04$" + VALID_TAIL[:21] + "Z" + VALID_TAIL[22:],  # non-canonical salt
    "$2b$04$",
    "$2b$04$" + VALID_TAIL + "x",
    "$2x$04$" + VALID_TAIL,
    "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$aGFzaA",
    "pbkdf2_sha256$600000$salt$hash",
    "\ud800",
]


@pytest.mark.parametrize("stored", MALFORMED)
def test_malformed_stored_hash_is_false_after_one_bcrypt_check(
    bcrypt_calls: RecordingBcrypt, stored: str
) -> None:
    hasher = PasswordHasher(TESTING_COST, backend=bcrypt_calls)
    hasher.burn("warm the dummy hash")
    bcrypt_calls.checkpw_hashes.clear()
    assert hasher.verify("password", stored) is False
    assert len(bcrypt_calls.checkpw_hashes) == 1
    assert bcrypt_calls.checkpw_hashes[0].startswith(b"$2b$04$")
    assert hasher.needs_rehash(stored)


def test_hash_that_bcrypt_refuses_is_false_after_dummy_work(bcrypt_calls: RecordingBcrypt) -> None:
    """A stored hash that passes our format check but that bcrypt still refuses is not an error."""

    class Refusing(RecordingBcrypt):
        def checkpw(self, secret: bytes, hashed: bytes) -> bool:
            if hashed == refused:
                self.checkpw_hashes.append(hashed)
                raise ValueError("Invalid salt")
            return super().checkpw(secret, hashed)

    backend = Refusing()
    hasher = PasswordHasher(TESTING_COST, backend=backend)
    stored = hasher.hash("password")
    refused = stored[len(SCHEME_PREFIX) :].encode()
    hasher.burn("warm the dummy hash")
    backend.checkpw_hashes.clear()
    assert hasher.verify("password", stored) is False
    assert (
        len(backend.checkpw_hashes) == 2
    )  # the refused call, then the dummy check that does the work


# --- burn ------------------------------------------------------------------------------------


def test_burn_spends_one_verify_at_the_configured_cost(bcrypt_calls: RecordingBcrypt) -> None:
    hasher = PasswordHasher(TESTING_COST + 1, backend=bcrypt_calls)
    hasher.burn("nobody's password")
    assert len(bcrypt_calls.hashpw_settings) == 1  # the dummy hash, made once on first use
    hasher.burn("another guess")
    hasher.burn("")
    assert len(bcrypt_calls.hashpw_settings) == 1
    assert bcrypt_calls.costs() == [5, 5, 5]


def test_burn_and_verify_do_the_same_bcrypt_work(bcrypt_calls: RecordingBcrypt) -> None:
    hasher = PasswordHasher(TESTING_COST, backend=bcrypt_calls)
    stored = hasher.hash("known user")
    hasher.burn("x")
    bcrypt_calls.checkpw_hashes.clear()
    hasher.verify("wrong", stored)
    hasher.burn("wrong")
    assert len(bcrypt_calls.checkpw_hashes) == 2
    known, unknown = bcrypt_calls.checkpw_hashes
    assert known[:7] == unknown[:7] == b"$2b$04$"


@pytest.mark.parametrize(
    "password", ["", "\x00", "\ud800\udfff", "\U0001f510" * 1024, "a" * 10_000]
)
def test_burn_never_raises(hasher: PasswordHasher, password: str) -> None:
    hasher.burn(password)


def test_dummy_hash_is_made_once_across_threads(bcrypt_calls: RecordingBcrypt) -> None:
    hasher = PasswordHasher(TESTING_COST, backend=bcrypt_calls)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(hasher.burn, [f"guess {i}" for i in range(32)]))
    assert len(bcrypt_calls.hashpw_settings) == 1
    assert len(bcrypt_calls.checkpw_hashes) == 32


# --- properties ------------------------------------------------------------------------------

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=200)


@settings(max_examples=60, deadline=None)
@given(password=ANY_TEXT, other=ANY_TEXT)
def test_verify_accepts_exactly_the_normalised_password(password: str, other: str) -> None:
    hasher = PasswordHasher(TESTING_COST)
    stored = hasher.hash(password)
    assert hasher.verify(password, stored)
    same = unicodedata.normalize("NFKC", password) == unicodedata.normalize("NFKC", other)
    assert hasher.verify(other, stored) is same


@settings(max_examples=100, deadline=None)
@given(
    password=ANY_TEXT,
    stored=st.one_of(
        ANY_TEXT,
        ANY_TEXT.map(SCHEME_PREFIX.__add__),
        ANY_TEXT.map("$2b$04$".__add__),
        ANY_TEXT.map((SCHEME_PREFIX + "$2b$04$").__add__),
    ),
)
def test_verify_and_needs_rehash_never_raise(password: str, stored: str) -> None:
    hasher = PasswordHasher(TESTING_COST)
    assert hasher.verify(password, stored) is False
    assert hasher.needs_rehash(stored) is True
