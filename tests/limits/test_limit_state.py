"""The limits store holds only recent activity, and a store that cannot be
written (a full disk) makes calls wait and retry, never fail for good."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest
from rpc import metadata, pb, stub

from passgate.store.housekeeping import Housekeeping
from passgate.testing import ServerProcess, decode, in_process_server

WRONG = "Wrong-Horse-9-battery"
ATTEMPTS = 3000


def sign_in_as_strangers(target: str, key: str, first: int, count: int) -> set[grpc.StatusCode]:
    """`count` failed sign-ins, each with an identifier never seen before."""

    def one(i: int) -> grpc.StatusCode:
        with stub(target) as api:
            try:
                api.SignIn(
                    pb.SignInRequest(email=f"stranger{i}@example.com", password=WRONG),
                    metadata=metadata(key),
                    timeout=30,
                )
            except grpc.RpcError as error:
                return error.code()
            return grpc.StatusCode.OK

    with ThreadPoolExecutor(8) as pool:
        return set(pool.map(one, range(first, first + count)))


def rows(path: Path, table: str) -> int:
    with sqlite3.connect(path) as connection:
        return int(connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def checkpointed_size(path: Path) -> int:
    """The file's size once everything in its write-ahead log is in it."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.stat().st_size


def test_expired_throttles_and_idle_budgets_are_pruned(tmp_path: Path):
    with in_process_server(tmp_path) as srv:
        limits_file = tmp_path / "passgate.db.limits"
        codes = sign_in_as_strangers(srv.target, srv.api_key, 0, ATTEMPTS)
        assert codes == {grpc.StatusCode.UNAUTHENTICATED}
        assert rows(limits_file, "throttles") == ATTEMPTS
        assert rows(limits_file, "budgets") >= 2  # the key's and the address's
        housekeeping = Housekeeping(srv.app.database, srv.clock, srv.app.limits)

        # Recent state stays: a stranger's count is remembered for an hour.
        srv.clock.advance(1800)
        assert housekeeping.prune()["limits"] >= 2  # the idle budgets went already
        assert rows(limits_file, "throttles") == ATTEMPTS
        assert rows(limits_file, "budgets") == 0

        srv.clock.advance(1801)
        assert housekeeping.prune()["limits"] == ATTEMPTS
        assert rows(limits_file, "throttles") == 0
        size = checkpointed_size(limits_file)

        # The same again reuses the freed pages: the file is as big as the
        # last hour's activity, not as everything that ever happened (its
        # write-ahead log stays within SQLite's checkpoint size whatever happens).
        sign_in_as_strangers(srv.target, srv.api_key, ATTEMPTS, ATTEMPTS)
        srv.clock.advance(3601)
        assert housekeeping.prune()["limits"] >= ATTEMPTS
        assert checkpointed_size(limits_file) <= size * 1.1  # not 2x: pages were reused


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 512 KiB file system (tmpfs), so the disk really fills up."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.fail("this test mounts a small tmpfs: run it as root (CI does)")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(disk: Path) -> Path:
    """Fills the file system to the last byte; returns the file that does it."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as out:
        for chunk in (4096, 1):
            try:
                while True:
                    out.write(b"\0" * chunk)
            except OSError:
                pass
    return filler


def test_a_full_disk_answers_unavailable_and_recovers_by_itself(tmp_path: Path, small_disk: Path):
    limits = small_disk / "limits.db"
    srv = ServerProcess(tmp_path / "server", extra_args=("--limits-store", f"sqlite:///{limits}"))
    with srv, stub(srv.target) as api:
        key = srv.api_key
        session = srv.create_user("ann@example.com", "Correct-Horse-9-battery")
        token = api.SignIn(
            pb.SignInRequest(email="ann@example.com", password="Correct-Horse-9-battery"),
            metadata=metadata(key),
        ).session_token
        filler = fill(small_disk)

        seen = sign_in_as_strangers(srv.target, key, 0, 400)
        assert grpc.StatusCode.INTERNAL not in seen
        assert grpc.StatusCode.UNAVAILABLE in seen
        try:
            api.SignIn(
                pb.SignInRequest(email="newcomer@example.com", password=WRONG),
                metadata=metadata(key),
            )
        except grpc.RpcError as error:
            refusal = decode(error)
            assert refusal.code == grpc.StatusCode.UNAVAILABLE
            assert refusal.reason == "SERVICE_UNAVAILABLE"
            assert refusal.retry_delay is not None and refusal.retry_delay > 0
        else:
            raise AssertionError("a sign-in passed its throttle unchecked on a full disk")

        filler.unlink()
        # Space is back: the same server answers again, without a restart.
        reply = api.VerifySession(
            pb.VerifySessionRequest(session_token=token), metadata=metadata(key)
        )
        assert reply.user_id == session
        assert sign_in_as_strangers(srv.target, key, 400, 20) == {grpc.StatusCode.UNAUTHENTICATED}

    lines = [json.loads(line) for line in srv.log_text().splitlines() if line.startswith("{")]
    failing = [line for line in lines if "cannot be written" in line.get("msg", "")]
    assert 1 <= len(failing) <= 2, failing  # once per cause, not once per call
    assert any("works again" in line.get("msg", "") for line in lines)
    assert "Traceback" not in srv.log_text()


def test_a_full_accounts_disk_answers_unavailable_and_recovers_by_itself(
    tmp_path: Path, small_disk: Path
):
    """The accounts database on a full disk: a sign-in (which writes its
    session) is retryable, never INTERNAL, and works again once space returns."""
    srv = ServerProcess(
        tmp_path / "server",
        database_url=f"sqlite:///{small_disk / 'passgate.db'}",
        extra_args=(
            "--limits-store",
            f"sqlite:///{tmp_path / 'limits.db'}",
            "--secret-file",
            str(tmp_path / "secret"),
        ),
    )
    with srv, stub(srv.target) as api:
        srv.create_user("bea@example.com", "Correct-Horse-9-battery")
        filler = fill(small_disk)
        seen = set()
        for _ in range(30):
            try:
                api.SignIn(
                    pb.SignInRequest(email="bea@example.com", password="Correct-Horse-9-battery"),
                    metadata=metadata(srv.api_key),
                )
                seen.add(grpc.StatusCode.OK)
            except grpc.RpcError as error:
                refusal = decode(error)
                seen.add(refusal.code)
                if refusal.code == grpc.StatusCode.UNAVAILABLE:
                    assert refusal.reason == "SERVICE_UNAVAILABLE"
                    assert refusal.retry_delay is not None and refusal.retry_delay > 0
        assert grpc.StatusCode.INTERNAL not in seen
        assert grpc.StatusCode.UNAVAILABLE in seen

        filler.unlink()
        reply = api.SignIn(
            pb.SignInRequest(email="bea@example.com", password="Correct-Horse-9-battery"),
            metadata=metadata(srv.api_key),
        )
        assert reply.session_token
    assert "Traceback" not in srv.log_text()


_OPEN_TOGETHER = """
import sys, time
from pathlib import Path
from passgate.limits.store import SqliteLimitStore
start = float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
SqliteLimitStore(Path(sys.argv[1])).close()
"""


def test_processes_that_open_a_new_limits_store_together_all_start(tmp_path: Path):
    """Worker processes of several servers sharing one new store open it at
    the same moment (`--workers`): every one must start, none may find it locked."""
    for trial in range(5):
        path = tmp_path / f"shared-{trial}.limits"
        start = str(time.time() + 1.0)
        openers = [
            subprocess.Popen(
                [sys.executable, "-c", _OPEN_TOGETHER, str(path), start],
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(8)
        ]
        errors = [p.communicate(timeout=60)[1] for p in openers]
        failures = [e for p, e in zip(openers, errors, strict=True) if p.returncode != 0]
        assert not failures, failures[0][-500:]
