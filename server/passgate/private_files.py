"""SQLite files only passgate's own user may read, whatever the umask: the
accounts database holds password hashes and e-mail addresses, the limits store
which accounts are being guessed at.

SQLite gives the `-wal`, `-shm` and `-journal` files it creates beside a
database the mode of the database file itself, so creating that file 0600
before SQLite opens it is enough for all of them. Files an older passgate left
readable by others are tightened, and the log says so once.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger("passgate.files")

PRIVATE_MODE = 0o600
PRIVATE_FOLDER_MODE = 0o700
"""Folders passgate creates (the mail folder, a database's folder): only its own user
may list them."""
_OTHERS = stat.S_IRWXG | stat.S_IRWXO
_COMPANIONS = ("-wal", "-shm", "-journal")


def private_sqlite_file(path: Path) -> None:
    """Makes sure the SQLite file at `path` exists with mode 0600 before it is
    opened (creating its folder too), and tightens it and its companions if
    another user may read them."""
    if str(path) in ("", ":memory:"):
        return  # no file
    path.parent.mkdir(mode=PRIVATE_FOLDER_MODE, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        pass  # another process may be creating it now: it creates it 0600 too
    else:
        try:
            os.fchmod(fd, PRIVATE_MODE)  # a umask such as 0o277 would have taken bits away
        finally:
            os.close(fd)
        return
    tightened = [
        name
        for name in (path, *(path.with_name(path.name + suffix) for suffix in _COMPANIONS))
        if _tighten(name)
    ]
    if tightened:
        log.warning(
            "%s could be read by other users; now mode 0600",
            ", ".join(str(name) for name in tightened),
        )


def _tighten(path: Path) -> bool:
    """Takes the group's and others' bits from `path`; whether it had any."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return False
    if not mode & _OTHERS:
        return False
    try:
        path.chmod(PRIVATE_MODE)
    except OSError as error:  # another user's file: say so, SQLite may still open it
        log.warning("%s can be read by other users and cannot be made private: %s", path, error)
        return False
    return True
