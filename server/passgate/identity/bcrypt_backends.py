"""The bcrypt computation itself, from the fastest correct implementation on the machine.

First choice is passgate's own kernel (bcrypt_kernel.py, a C extension built
at install), which computes several independent hashes interleaved on one
core. Where it was not built or gives other answers, a library is used.
pyca/bcrypt is always there (a dependency). Where glibc's `libcrypt.so.1`
(libxcrypt, with Openwall's crypt_blowfish) is present, as on every
mainstream Linux, its `crypt_rn` computes the same `$2b$` strings faster, and
ctypes releases the GIL around the call as pyca does. It is used only after
it reproduced pyca's output for known answers at start; any mismatch, or a
missing library, keeps pyca.

Only passgate's own pre-hashed secrets (44 ASCII bytes, `$2b$`) go through
the fast path: imported `$2a$`/`$2y$` hashes of raw passwords with 8-bit
characters are where implementations historically disagree, so those stay on
pyca, the reference.
"""

from __future__ import annotations

import ctypes
import hmac
import importlib
import logging
import threading
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, Final, Protocol, runtime_checkable

import bcrypt

if TYPE_CHECKING:  # the kernel may not be built; its lanes are typed from its stub
    from passgate.identity.bcrypt_kernel import RollingLanes

log = logging.getLogger("passgate.bcrypt")

LIBXCRYPT: Final = "libcrypt.so.1"
KERNEL: Final = "passgate.identity.bcrypt_kernel"
_CRYPT_DATA_SIZE: Final = 32768  # sizeof(struct crypt_data) in libxcrypt's crypt.h

# Published crypt_blowfish / OpenBSD vectors (secret, full hash), then
# pre-hash-shaped secrets whose answers come from pyca at start.
KNOWN_ANSWERS: Final = (
    (b"U*U", b"$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"),
    (b"U*U*", b"$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK"),
    (b"U*U*U", b"$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a"),
    (b"", b"$2a$04$zVHmKQtGGQob.b/Nc7l9NO8UlrYcW05FiuCj/SxsFO/ZtiN9.mNzy"),
)


class Bcrypt(Protocol):
    """One bcrypt implementation: `setting` is a salt from `bcrypt.gensalt` or a full hash."""

    name: str

    def hashpw(self, secret: bytes, setting: bytes) -> bytes: ...

    def checkpw(self, secret: bytes, hashed: bytes) -> bool: ...


@runtime_checkable
class InterleavedBcrypt(Bcrypt, Protocol):
    """An implementation that verifies up to `lanes` hashes at once, for about the time
    of one: each hash pool thread keeps that many verifications in flight."""

    lanes: int

    def checkpw_many(self, pairs: Sequence[tuple[bytes, bytes]]) -> list[bool]: ...

    def rolling(self) -> RollingLanes[Any]:
        """Lanes for one thread, which verifications join and leave one by one."""
        ...


class PycaBcrypt:
    name = "pyca/bcrypt"

    def hashpw(self, secret: bytes, setting: bytes) -> bytes:
        return bcrypt.hashpw(secret, setting)

    def checkpw(self, secret: bytes, hashed: bytes) -> bool:
        return bcrypt.checkpw(secret, hashed)


class LibxcryptBcrypt:
    """`crypt_rn` from libxcrypt, with a work area per thread (it is reentrant)."""

    name = "libxcrypt"

    def __init__(self, library: str = LIBXCRYPT) -> None:
        function = ctypes.CDLL(library).crypt_rn  # OSError / AttributeError: not here
        function.restype = ctypes.c_char_p
        function.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int]
        self._crypt_rn = function
        self._local = threading.local()

    def hashpw(self, secret: bytes, setting: bytes) -> bytes:
        if b"\0" in secret or len(secret) > 72:
            raise ValueError("crypt takes at most 72 bytes without NUL")
        area = getattr(self._local, "area", None)
        if area is None:
            area = self._local.area = ctypes.create_string_buffer(_CRYPT_DATA_SIZE)
        out: bytes | None = self._crypt_rn(secret, setting, area, _CRYPT_DATA_SIZE)
        if out is None or out.startswith(b"*"):  # libxcrypt's failure tokens
            raise ValueError("invalid bcrypt setting")
        return out

    def checkpw(self, secret: bytes, hashed: bytes) -> bool:
        return hmac.compare_digest(self.hashpw(secret, hashed), hashed)


def agrees_with_reference(candidate: Bcrypt, reference: Bcrypt | None = None) -> bool:
    """Whether `candidate` gives the published answers and the reference's own
    for secrets shaped like passgate's pre-hash, at the cheapest cost; an
    interleaved one also in batches, where a lane mixed up with another shows."""
    reference = reference or PycaBcrypt()
    cases = list(KNOWN_ANSWERS)
    for i, prefix in enumerate((b"$2b$", b"$2a$", b"$2y$")):
        secret = bytes(range(48 + i, 48 + i + 44))  # 44 printable bytes, as the pre-hash
        salt = prefix + bcrypt.gensalt(4)[4:]  # pyca makes $2a$/$2b$ salts; $2y$ reads alike
        cases.append((secret, reference.hashpw(secret, salt)))
    try:
        if not all(candidate.hashpw(secret, hashed) == hashed for secret, hashed in cases):
            return False
        if isinstance(candidate, InterleavedBcrypt):
            wrong = [(secret + b"!", hashed) for secret, hashed in cases]
            expected = [True] * len(cases) + [False] * len(wrong)
            return candidate.checkpw_many(cases + wrong) == expected
        return True
    except (ValueError, OSError):
        return False


def choose_bcrypt(library: str = LIBXCRYPT, kernel: str = KERNEL) -> Bcrypt:
    """passgate's kernel (module `kernel`) where it was built and agrees with pyca, else
    libxcrypt from `library` where it loads and agrees, else pyca. A kernel that is missing
    or disagrees is one warning (the install lost its fastest path); the choice itself is
    in the server's "serving" line."""
    try:
        module = importlib.import_module(kernel)
    except ImportError as error:
        fallback = _library_bcrypt(library)
        log.warning("bcrypt: passgate's kernel is not built (%s); using %s", error, fallback.name)
        return fallback
    candidate: Bcrypt = module.KernelBcrypt()
    if not agrees_with_reference(candidate):
        fallback = _library_bcrypt(library)
        log.warning(
            "bcrypt: passgate's kernel gave other answers than pyca; using %s", fallback.name
        )
        return fallback
    log.debug("bcrypt: %s (known answers agree with pyca/bcrypt)", candidate.name)
    return candidate


def _library_bcrypt(library: str) -> Bcrypt:
    """libxcrypt from `library` where it loads and agrees with pyca, else pyca. A
    disagreement is a warning."""
    try:
        candidate: Bcrypt = LibxcryptBcrypt(library)
    except (OSError, AttributeError):
        log.debug("bcrypt: pyca/bcrypt (%s not found)", library)
        return PycaBcrypt()
    if not agrees_with_reference(candidate):
        log.warning("bcrypt: pyca/bcrypt (%s gave other answers than pyca)", library)
        return PycaBcrypt()
    log.debug("bcrypt: %s (%s, known answers agree with pyca/bcrypt)", candidate.name, library)
    return candidate


@cache
def fastest_bcrypt() -> Bcrypt:
    """The implementation every hasher of this process uses, chosen once."""
    return choose_bcrypt()
