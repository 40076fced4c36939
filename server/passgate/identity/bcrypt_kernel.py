"""passgate's own bcrypt: the `$2b$` strings around the interleaved C kernel.

The C module (`_bcrypt_kernel.c`) computes eksblowfish for up to four
independent hashes in lockstep, which keeps a core's pipelines busy while
each hash waits on its S-box loads: on this kind of machine four lanes give
about three times one library hash's throughput per core, and one lane alone
runs as fast as libxcrypt. This module reads and writes bcrypt's modular
crypt format around it (`$2b$<cost>$<22-char salt><31-char digest>`, with
bcrypt's own base64 alphabet) and groups work into batches the kernel takes.

Importing it raises ImportError where the extension was not built;
`bcrypt_backends.choose_bcrypt` then falls back to a library.
"""

from __future__ import annotations

import base64
import hmac
import re
from collections.abc import Sequence
from typing import Any, Final, Generic, TypeVar

from passgate.identity import _bcrypt_kernel

__all__ = ["LANES", "KernelBcrypt", "RollingLanes"]

_Tag = TypeVar("_Tag")

LANES: Final = 4
"""Hashes computed together. Measured on a 2-core AMD EPYC at cost 8, per core, against one
libxcrypt hash: 1 lane 1.02x, 2 lanes 1.89x, 3 lanes 2.58x, 4 lanes 3.02x, 5 lanes 3.06x,
6 lanes 2.97x, 8 lanes 2.66x (their states outgrow the L1 cache). Four is the knee: a fifth
lane adds 1 % throughput and a quarter more latency to every hash of the batch."""

_SETTING: Final = re.compile(rb"(\$2[aby]\$)([0-9]{2})\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})?")
_STANDARD: Final = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_BCRYPT64: Final = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_TO_BCRYPT64: Final = bytes.maketrans(_STANDARD, _BCRYPT64)
_FROM_BCRYPT64: Final = bytes.maketrans(_BCRYPT64, _STANDARD)
_SALT_BYTES: Final = 16
_DIGEST_BYTES: Final = 23  # of the 24 computed: bcrypt has always dropped the last byte


def _encode(raw: bytes) -> bytes:
    """bcrypt's base64: standard base64's bit order, its own alphabet, no padding."""
    return base64.b64encode(raw).rstrip(b"=").translate(_TO_BCRYPT64)


def _decode_salt(text: bytes) -> bytes:
    """The 16 bytes of a 22-character salt; the last character's 4 spare bits are dropped."""
    return base64.b64decode(text.translate(_FROM_BCRYPT64) + b"==")[:_SALT_BYTES]


class _Setting:
    """A parsed `$2a$`/`$2b$`/`$2y$` salt or full hash. The three prefixes compute the same
    function for every key of at most 72 bytes (their differences are bugs of other
    implementations with longer keys or 8-bit bytes); the prefix given is the prefix written."""

    __slots__ = ("cost", "prefix", "salt")

    def __init__(self, setting: bytes) -> None:
        match = _SETTING.fullmatch(setting)
        if match is None:
            raise ValueError("not a bcrypt salt or hash")
        self.prefix: bytes = match.group(1)
        self.cost = int(match.group(2))
        if not 4 <= self.cost <= 31:
            raise ValueError("bcrypt cost is between 4 and 31")
        self.salt = _decode_salt(match.group(3))

    def hashed(self, raw: bytes) -> bytes:
        return b"%s%02d$%s%s" % (
            self.prefix,
            self.cost,
            _encode(self.salt),
            _encode(raw[:_DIGEST_BYTES]),
        )


class KernelBcrypt:
    """passgate's interleaved kernel as a `Bcrypt`, plus batches of up to `lanes` hashes.

    A key's bytes past 72 are not read (bcrypt's definition; pyca/bcrypt refuses such keys
    instead, and passgate's pre-hash never makes one). A key with a NUL byte is refused, as
    bcrypt's C-string interface cannot take it."""

    name = "passgate-kernel"
    lanes = LANES

    def hashpw(self, secret: bytes, setting: bytes) -> bytes:
        return self.hashpw_many([(secret, setting)])[0]

    def checkpw(self, secret: bytes, hashed: bytes) -> bool:
        return self.checkpw_many([(secret, hashed)])[0]

    def hashpw_many(self, pairs: Sequence[tuple[bytes, bytes]]) -> list[bytes]:
        """`hashpw` for each (secret, setting), computed `lanes` at a time per cost."""
        settings = [_Setting(setting) for _, setting in pairs]
        out: list[bytes] = [b""] * len(pairs)
        by_cost: dict[int, list[int]] = {}
        for index, setting in enumerate(settings):
            by_cost.setdefault(setting.cost, []).append(index)
        for cost, indexes in by_cost.items():
            for start in range(0, len(indexes), self.lanes):
                chunk = indexes[start : start + self.lanes]
                raws = _bcrypt_kernel.eksblowfish(
                    cost, [pairs[i][0] for i in chunk], [settings[i].salt for i in chunk]
                )
                for i, raw in zip(chunk, raws, strict=True):
                    out[i] = settings[i].hashed(raw)
        return out

    def checkpw_many(self, pairs: Sequence[tuple[bytes, bytes]]) -> list[bool]:
        """`checkpw` for each (secret, full hash), in constant time per comparison."""
        computed = self.hashpw_many(pairs)
        return [
            hmac.compare_digest(mine, hashed)
            for mine, (_, hashed) in zip(computed, pairs, strict=True)
        ]

    def rolling(self) -> RollingLanes[Any]:
        """Lanes for one thread, which verifications join and leave one by one."""
        return RollingLanes()


class RollingLanes(Generic[_Tag]):
    """`checkpw` for up to `LANES` hashes on one thread, each started as soon as a lane is
    free and answered as soon as its own rounds are done, whatever the others' cost or
    progress: a queued verification never waits for a whole batch to finish, and no lane
    idles while work waits. Each hash carries a tag, handed back with its answer.

    One thread starts and runs hashes; any thread may `wake` a `run` in progress so that
    the runner can start new work in its free lanes."""

    def __init__(self) -> None:
        self._kernel = _bcrypt_kernel.Lanes()
        self._held: list[tuple[_Tag, _Setting, bytes] | None] = [None] * LANES

    @property
    def free(self) -> int:
        """Lanes that can start a hash now."""
        return self._held.count(None)

    def start(self, secret: bytes, hashed: bytes, tag: _Tag) -> None:
        """Starts checking `secret` against the full hash `hashed` in a free lane; raises
        ValueError, before any work, for a malformed hash or a secret with a NUL byte."""
        lane = self._held.index(None)  # ValueError too when none is free
        setting = _Setting(hashed)
        self._kernel.start(lane, setting.cost, secret, setting.salt)
        self._held[lane] = (tag, setting, hashed)

    def run(self) -> list[tuple[_Tag, bool]]:
        """Computes, without the GIL, until a hash finishes or `wake` is called; returns
        each finished hash's tag and whether its secret matched (compared in constant time).
        Returns at once when no lane is busy."""
        answers = []
        for lane, raw in self._kernel.run():
            held = self._held[lane]
            assert held is not None
            self._held[lane] = None
            tag, setting, hashed = held
            answers.append((tag, hmac.compare_digest(setting.hashed(raw), hashed)))
        return answers

    def clear(self) -> list[_Tag]:
        """Abandons every hash in the lanes (after `run` failed); returns their tags."""
        tags = [held[0] for held in self._held if held is not None]
        self._kernel = _bcrypt_kernel.Lanes()
        self._held = [None] * LANES
        return tags

    def wake(self) -> None:
        """Makes a `run` in progress on another thread (or the next one) return within a
        fraction of a millisecond."""
        self._kernel.wake()
