"""Other processes open passgate's SQLite file while it serves (the CLI, a
backup, the sqlite3 shell, a second server): each must find the server among
the users of the WAL index, never take the index for unused and reset it
under the server's feet."""

from __future__ import annotations

import fcntl
import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from rpc_support import PASSWORD, unique_email
from server_support import running

# SQLite's "DMS" lock, byte 128 of the -shm file (sqlite.org/walformat.html):
# every process with the database open holds a read lock on it; one that can
# lock it exclusively believes it is alone, and truncates and rebuilds the index.
DMS_BYTE = 128


def test_a_serving_server_holds_its_share_of_the_wal_index(tmp_path: Path) -> None:
    with running(tmp_path) as (server, _):
        server.create_user(unique_email(), PASSWORD)
        shm = os.open(tmp_path / "passgate.db-shm", os.O_RDWR)
        try:
            with pytest.raises(OSError):  # EAGAIN/EACCES: another process holds it
                fcntl.lockf(shm, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, DMS_BYTE, os.SEEK_SET)
        finally:
            os.close(shm)


def test_outside_readers_coming_and_going_leave_the_server_serving(tmp_path: Path) -> None:
    with running(tmp_path) as (server, client):
        email = unique_email()
        server.create_user(email, PASSWORD)
        for _ in range(50):
            with closing(sqlite3.connect(tmp_path / "passgate.db", timeout=10)) as reader:
                reader.execute("SELECT COUNT(*) FROM outbox").fetchone()
            client.request_reset(unique_email())  # the mail worker writes meanwhile
        assert server.process is not None and server.process.poll() is None, server.log_text()
        assert client.sign_in(email, PASSWORD).user_id
