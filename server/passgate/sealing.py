"""Sealing secrets that must wait in the database, such as a reset link queued
in the mail outbox: authenticated encryption under a key kept outside the
database, so a copy of the database alone reveals no token."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

__all__ = ["InvalidToken", "Sealer", "key_problem", "load_or_create_key"]


class Sealer:
    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def seal(self, plaintext: bytes) -> bytes:
        return self._fernet.encrypt(plaintext)

    def unseal(self, sealed: bytes) -> bytes:
        """Raises InvalidToken when the data was not sealed with this key."""
        return self._fernet.decrypt(sealed)


def key_problem(path: Path) -> str | None:
    """Why the file at `path` cannot be the sealing key, or None (also when there is
    no file yet: the first server makes one). Checked before serving, so that a
    path given by mistake (the database, a note) is named, not a codec's error."""
    try:
        key = path.read_bytes().strip()
    except FileNotFoundError:
        return None
    except OSError as error:
        return f"cannot read {path}: {error.strerror}"
    try:
        Fernet(key)
    except ValueError:
        return (
            f"{path} holds no passgate secret key (44 base64 characters): give the file "
            "the other servers use, or a path where none exists yet to make one"
        )
    return None


def load_or_create_key(path: Path) -> bytes:
    """Reads the key at `path`, creating it (mode 0600) on first use.

    Every process and replica that shares a database must share this file.
    """
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key + b"\n")
        out.flush()
        os.fsync(out.fileno())
    try:
        os.link(tmp, path)  # fails if another process created it first
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_bytes().strip()
