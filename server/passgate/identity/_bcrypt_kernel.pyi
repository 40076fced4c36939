"""Types of the C extension built from _bcrypt_kernel.c."""

from collections.abc import Sequence

MAX_LANES: int

def eksblowfish(cost: int, keys: Sequence[bytes], salts: Sequence[bytes]) -> list[bytes]: ...
