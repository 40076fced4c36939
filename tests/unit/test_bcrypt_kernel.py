"""passgate's interleaved bcrypt kernel computes bcrypt exactly: the published
answers, the two libraries' hashes in both directions for random inputs,
every key length, any mix of lanes in a batch, and without the GIL."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import bcrypt
import pytest
from gil import spins_beside

from passgate.identity import _bcrypt_kernel
from passgate.identity.bcrypt_backends import (
    KNOWN_ANSWERS,
    InterleavedBcrypt,
    LibxcryptBcrypt,
    PycaBcrypt,
)
from passgate.identity.bcrypt_kernel import LANES, KernelBcrypt, RollingLanes

ROOT = Path(__file__).resolve().parents[2]
KERNEL = KernelBcrypt()
PYCA = PycaBcrypt()
LIBXCRYPT = LibxcryptBcrypt()
_ALPHABET = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_IGNORED = b"chars after 72 are ignored"

# Published vectors beyond KNOWN_ANSWERS: pyca/bcrypt's test suite ($2b$, cost 4), OpenBSD's
# and crypt_blowfish's (8-bit bytes, the empty key, keys of 72 bytes and longer).
PUBLISHED = (
    (b"Kk4DQuMMfZL9o", b"$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm"),
    (b"9IeRXmnGxMYbs", b"$2b$04$pQ7gRO7e6wx/936oXhNjrOUNOHL1D0h1N2IDbJZYs.1ppzSof6SPy"),
    (b"xVQVbwa1S0M8r", b"$2b$04$SQe9knOzepOVKoYXo9xTteNYr6MBwVz4tpriJVe3PNgYufGIsgKcW"),
    (b"Zfgr26LWd22Za", b"$2b$04$eH8zX.q5Q.j2hO1NkVYJQOM6KxntS/ow3.YzVmFrE4t//CoF4fvne"),
    (b"", b"$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy"),
    (b"\xa3", b"$2a$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq"),
    (b"\xa3", b"$2y$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq"),
    (b"\xff\xff\xa3", b"$2b$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e"),
    (b"\xff\xff\xa3", b"$2y$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e"),
    (b"\xff\xa3345", b"$2a$05$/OK.fbVrR/bpIqNJ5ianF.nRht2l/HRhr6zmCp9vYUvvsqynflf9e"),
    (b"\xff\xa3345", b"$2y$05$/OK.fbVrR/bpIqNJ5ianF.nRht2l/HRhr6zmCp9vYUvvsqynflf9e"),
    (b"\xa3ab", b"$2a$05$/OK.fbVrR/bpIqNJ5ianF.6IflQkJytoRVc1yuaNtHfiuq.FRlSIS"),
    (b"\xa3ab", b"$2y$05$/OK.fbVrR/bpIqNJ5ianF.6IflQkJytoRVc1yuaNtHfiuq.FRlSIS"),
    (
        b"\xff\xa334\xff\xff\xff\xa3345",
        b"$2y$05$/OK.fbVrR/bpIqNJ5ianF.o./n25XVfn6oAPaUvHe.Csk4zRfsYPi",
    ),
    (b"\xaa\x55" * 36, b"$2a$05$/OK.fbVrR/bpIqNJ5ianF.R9xrDjiycxMbQE2bp.vgqlYpW5wx2yy"),
    (b"\x55\xaa\xff" * 24, b"$2a$05$/OK.fbVrR/bpIqNJ5ianF.9tQZzcJfm3uj2NvJ/n5xkhpqLrMpWCe"),
)
# Keys past 72 bytes, where pyca/bcrypt refuses and bcrypt's definition reads 72.
PUBLISHED_LONG = (
    (
        b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + _IGNORED,
        b"$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui",
    ),
    (
        b"\xaa" * 72 + _IGNORED + b" as usual",
        b"$2a$05$/OK.fbVrR/bpIqNJ5ianF.swQOIzjOiJ9GHEPuhEkvqrUyvWhEMx6",
    ),
)
# crypt_blowfish's `$2a$` alters the result for keys where its old sign-extension bug would
# have mattered (its "safety" measure); OpenBSD, pyca and the kernel compute bcrypt itself.
OPENBSD_NOT_CRYPT_BLOWFISH = (
    (
        b"\xff\xff\xa3",
        b"$2a$05$/OK.fbVrR/bpIqNJ5ianF.nqd1wy.pTMdcvrRWxyiGL2eMz.2a85.",
        b"$2a$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e",
    ),
    (
        b"\xff\xa334\xff\xff\xff\xa3345",
        b"$2a$05$/OK.fbVrR/bpIqNJ5ianF.ZC1JEJ8Z4gPfpe1JOr/oyPXTWl9EFd.",
        b"$2a$05$/OK.fbVrR/bpIqNJ5ianF.o./n25XVfn6oAPaUvHe.Csk4zRfsYPi",
    ),
)
EVERY_PUBLISHED = KNOWN_ANSWERS + PUBLISHED + PUBLISHED_LONG


def _salt(rng: random.Random, cost: int, prefix: bytes = b"$2b$") -> bytes:
    body = bytes(rng.choice(_ALPHABET) for _ in range(21)) + bytes([rng.choice(b".Oeu")])
    return prefix + b"%02d$" % cost + body


def _secret(rng: random.Random, length: int, top: int = 0xFF) -> bytes:
    return bytes(rng.randint(1, top) for _ in range(length))


def _other(secret: bytes) -> bytes:
    """Another key of the same length (its first byte changed), or one byte for none."""
    return bytes([secret[0] % 0x7E + 1]) + secret[1:] if secret else b"x"


def test_the_tables_are_the_digits_of_pi() -> None:
    """The initial P-array and S-boxes in the C file are pi, computed afresh."""
    check = [sys.executable, str(ROOT / "scripts/generate_blowfish_pi.py"), "--check"]
    assert subprocess.run(check, check=False).returncode == 0


def test_it_is_an_interleaved_implementation() -> None:
    assert isinstance(KERNEL, InterleavedBcrypt)
    assert 2 <= LANES <= _bcrypt_kernel.MAX_LANES


@pytest.mark.parametrize(("secret", "hashed"), EVERY_PUBLISHED)
def test_published_answers(secret: bytes, hashed: bytes) -> None:
    assert KERNEL.hashpw(secret, hashed) == hashed
    assert KERNEL.hashpw(secret, hashed[:29]) == hashed
    assert KERNEL.checkpw(secret, hashed)
    assert not KERNEL.checkpw(_other(secret), hashed)


def test_published_answers_in_batches_of_every_width() -> None:
    for width in range(1, LANES + 1):
        for start in range(0, len(EVERY_PUBLISHED), width):
            batch = EVERY_PUBLISHED[start : start + width]
            assert KERNEL.hashpw_many(batch) == [hashed for _, hashed in batch]


@pytest.mark.parametrize(("secret", "crypt_blowfish", "openbsd"), OPENBSD_NOT_CRYPT_BLOWFISH)
def test_2a_is_bcrypt_itself_not_crypt_blowfish_safety_variant(
    secret: bytes, crypt_blowfish: bytes, openbsd: bytes
) -> None:
    assert LIBXCRYPT.hashpw(secret, crypt_blowfish) == crypt_blowfish
    assert KERNEL.hashpw(secret, crypt_blowfish) == openbsd == PYCA.hashpw(secret, openbsd)


@pytest.mark.parametrize("library", [PYCA, LIBXCRYPT], ids=lambda i: i.name)
def test_random_inputs_agree_with_each_library_in_both_directions(
    library: PycaBcrypt | LibxcryptBcrypt,
) -> None:
    """300 random keys, salts and costs 4-6: the library's hash is the kernel's, and the
    kernel's verifies on the library."""
    rng = random.Random(19)
    for case in range(300):
        cost = rng.choice((4, 4, 4, 5, 6))
        prefix = rng.choice((b"$2a$", b"$2b$", b"$2y$"))
        # 8-bit `$2a$` keys are where crypt_blowfish parts from bcrypt (see above)
        top = 0x7F if prefix == b"$2a$" and library is LIBXCRYPT else 0xFF
        secret = _secret(rng, rng.choice((0, 1, 44, 44, 72, rng.randint(0, 72))), top)
        setting = _salt(rng, cost, prefix)
        if case % 2:
            theirs = library.hashpw(secret, setting)
            assert KERNEL.hashpw(secret, theirs) == theirs, (secret, theirs)
            assert KERNEL.checkpw(secret, theirs)
        else:
            mine = KERNEL.hashpw(secret, setting)
            assert library.hashpw(secret, mine) == mine, (secret, mine)
            assert library.checkpw(secret, mine)
            assert not library.checkpw(_other(secret), mine)


def test_every_key_length_from_0_to_100() -> None:
    """Up to 72 bytes the libraries agree; past 72 only the first 72 count."""
    rng = random.Random(72)
    for length in range(101):
        secret = _secret(rng, length)
        setting = _salt(rng, rng.choice((4, 5)))
        mine = KERNEL.hashpw(secret, setting)
        assert mine == PYCA.hashpw(secret[:72], setting) == LIBXCRYPT.hashpw(secret[:72], setting)
        if length > 72:
            assert KERNEL.checkpw(secret[:72] + b"different tail", mine)
        elif length:
            assert not KERNEL.checkpw(secret[:-1], mine)


def test_batches_of_1_to_lanes_with_mixed_lengths_costs_and_answers() -> None:
    """Each lane's answer is its own: no lane reads another's key, salt or state."""
    rng = random.Random(4)
    for _ in range(40):
        width = rng.randint(1, LANES)
        cost = rng.choice((4, 5))
        secrets = [_secret(rng, rng.randint(0, 72)) for _ in range(width)]
        hashes = [PYCA.hashpw(s, _salt(rng, cost)) for s in secrets]
        tried = [s if rng.random() < 0.5 else s + b"?" for s in secrets]
        expected = [t == s for t, s in zip(tried, secrets, strict=True)]
        assert KERNEL.checkpw_many(list(zip(tried, hashes, strict=True))) == expected
        assert KERNEL.hashpw_many(list(zip(secrets, hashes, strict=True))) == hashes


def test_a_batch_larger_than_the_lanes_with_several_costs_keeps_its_order() -> None:
    rng = random.Random(9)
    pairs = [
        (s, PYCA.hashpw(s, _salt(rng, rng.choice((4, 5, 6)))))
        for s in (_secret(rng, rng.randint(0, 72)) for _ in range(3 * LANES + 1))
    ]
    assert KERNEL.hashpw_many(pairs) == [hashed for _, hashed in pairs]


def test_identical_lanes_give_identical_answers() -> None:
    salt = bytes(range(16))
    for width in range(1, _bcrypt_kernel.MAX_LANES + 1):
        raws = _bcrypt_kernel.eksblowfish(4, [b"same"] * width, [salt] * width)
        assert raws == [_bcrypt_kernel.eksblowfish(4, [b"same"], [salt])[0]] * width


@pytest.mark.parametrize(
    ("secret", "setting"),
    [
        (b"nul\x00inside", b"$2b$04$CCCCCCCCCCCCCCCCCCCCC."),
        (b"x", b"$2b$03$CCCCCCCCCCCCCCCCCCCCC."),
        (b"x", b"$2b$32$CCCCCCCCCCCCCCCCCCCCC."),
        (b"x", b"$2x$04$CCCCCCCCCCCCCCCCCCCCC."),
        (b"x", b"$2b$04$CCCCCCCCCCCCCCCCCCCC"),
        (b"x", b"$2b$04$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe"),
        (b"x", b"$2b$04$CCCCCCCCCCCCCCCCCCCCC!"),
        (b"x", b""),
    ],
)
def test_malformed_input_is_refused_before_any_work(secret: bytes, setting: bytes) -> None:
    with pytest.raises(ValueError):
        KERNEL.hashpw(secret, setting)


def test_the_module_checks_its_arguments() -> None:
    salt = bytes(16)
    with pytest.raises(ValueError):
        _bcrypt_kernel.eksblowfish(4, [], [])
    with pytest.raises(ValueError):
        _bcrypt_kernel.eksblowfish(4, [b"x"] * 5, [salt] * 5)
    with pytest.raises(ValueError):
        _bcrypt_kernel.eksblowfish(4, [b"x", b"y"], [salt])
    with pytest.raises(ValueError):
        _bcrypt_kernel.eksblowfish(4, [b"x"], [salt[:15]])
    with pytest.raises(ValueError):
        _bcrypt_kernel.eksblowfish(3, [b"x"], [salt])
    with pytest.raises(TypeError):
        _bcrypt_kernel.eksblowfish(4, ["text"], [salt])  # type: ignore[list-item]


def test_the_gil_is_released_during_a_batch() -> None:
    """A Python thread keeps running while a full cost-12 batch computes (~0.5 s)."""
    setting = bcrypt.gensalt(12)
    spins = spins_beside(lambda: KERNEL.hashpw_many([(b"x" * 44, setting)] * LANES))
    assert spins > 100_000  # holding the GIL, this loop would not run until the batch ended


def _roll_all(lanes: RollingLanes[int], work: list[tuple[bytes, bytes]], rng: random.Random):
    """Checks every (secret, hash) of `work` through `lanes`, starting each as soon as a
    lane is free, at a random moment: lanes join and leave at every point of each
    other's rounds. Returns each check's answer, in `work`'s order."""
    answers: dict[int, bool] = {}
    waiting = list(enumerate(work))
    rng.shuffle(waiting)
    while waiting or len(answers) < len(work):
        for _ in range(rng.randint(0, lanes.free)):
            if waiting:
                index, (secret, hashed) = waiting.pop()
                lanes.start(secret, hashed, index)
        if rng.random() < 0.5:
            lanes.wake()  # the next run stops after a few rounds, mid-computation
        answers.update(lanes.run())
    return [answers[i] for i in range(len(work))]


def test_rolling_lanes_answer_each_check_whatever_joins_and_leaves_around_it() -> None:
    rng = random.Random(12)
    work, expected = [], []
    for _ in range(60):
        secret = _secret(rng, rng.randint(0, 80))
        hashed = PYCA.hashpw(secret[:72], _salt(rng, rng.choice((4, 5, 6))))
        matches = rng.random() < 0.5
        other = (b"!" if secret[:1] == b"?" else b"?") + secret[1:]  # differs in byte 0
        work.append((secret if matches else other, hashed))
        expected.append(matches)
    lanes: RollingLanes[int] = KERNEL.rolling()
    assert _roll_all(lanes, work, rng) == expected
    assert lanes.free == LANES
    assert lanes.run() == []  # nothing left: returns at once


def test_rolling_lanes_refuse_malformed_input_before_any_work_and_keep_their_lane() -> None:
    lanes: RollingLanes[str] = KERNEL.rolling()
    with pytest.raises(ValueError):
        lanes.start(b"nul\x00inside", PYCA.hashpw(b"x", bcrypt.gensalt(4)), "nul")
    with pytest.raises(ValueError):
        lanes.start(b"x", b"$2b$03$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe", "low")
    assert lanes.free == LANES
    hashed = PYCA.hashpw(b"x", bcrypt.gensalt(4))
    for i in range(LANES):
        lanes.start(b"x", hashed, str(i))
    with pytest.raises(ValueError):  # no lane free
        lanes.start(b"x", hashed, "one too many")
    assert sorted(lanes.clear()) == [str(i) for i in range(LANES)]
    assert lanes.free == LANES
    lanes.start(b"x", hashed, "after clearing")
    assert lanes.run() == [("after clearing", True)]


def test_the_gil_is_released_while_lanes_run() -> None:
    lanes: RollingLanes[None] = KERNEL.rolling()
    hashed = KERNEL.hashpw(b"x" * 44, bcrypt.gensalt(12))
    for _ in range(LANES):
        lanes.start(b"x" * 44, hashed, None)

    def run_all() -> None:
        finished = 0
        while finished < LANES:
            finished += len(lanes.run())

    assert spins_beside(run_all) > 100_000
