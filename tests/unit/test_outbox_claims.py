"""Outbox claims over a real SQLite file: one statement picks and leases a
message, so workers on connections of their own never share one, and a
message comes back only once its lease has run out."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest
from databases import migrated_sqlite

from passgate.mail.outbox import KIND_RESET
from passgate.store.db import open_database
from passgate.store.outbox import SqlOutbox

MESSAGES = 200
WORKERS = 6


@pytest.fixture
def path(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "outbox.db"
    database = migrated_sqlite(path)
    outbox = SqlOutbox(database)
    for n in range(MESSAGES):
        outbox.add("default", KIND_RESET, b"sealed %d" % n, 0.0)
    database.close()
    yield path


def _database(path: Path) -> peewee.Database:
    return open_database(f"sqlite:///{path}")


def test_concurrent_workers_never_claim_one_message_twice(path: Path):
    claimed: list[int] = []
    lock = threading.Lock()

    def work() -> None:
        database = _database(path)
        outbox = SqlOutbox(database)
        while (message := outbox.claim(1.0, 100.0)) is not None:
            with lock:
                claimed.append(message.id)
        database.close()

    workers = [threading.Thread(target=work) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(claimed) == list(range(1, MESSAGES + 1))


def test_a_claim_leases_the_oldest_due_message_until_its_lease_runs_out(path: Path):
    database = _database(path)
    outbox = SqlOutbox(database)
    first = outbox.claim(1.0, 10.0)
    assert first is not None
    assert (first.id, first.kind, first.tenant_id, first.attempts, first.sealed) == (
        1,
        KIND_RESET,
        "default",
        0,
        b"sealed 0",
    )
    assert not database.in_transaction()  # the claim committed: the write lock is free
    second = outbox.claim(2.0, 10.0)
    assert second is not None and second.id == 2
    outbox.renew(first.id, 20.0)
    # message 1 is now leased until 20, message 2 still until 10
    expired = outbox.claim(15.0, 30.0)
    assert expired is not None and (expired.id, expired.attempts) == (2, 1)
    again = outbox.claim(25.0, 40.0)
    assert again is not None and (again.id, again.attempts) == (1, 1)
    assert outbox.mark_sent(again.id, 26.0)
    assert not outbox.mark_sent(again.id, 27.0)
    database.close()


def test_nothing_due_claims_nothing(path: Path):
    database = _database(path)
    outbox = SqlOutbox(database)
    for message_id in range(1, MESSAGES + 1):
        outbox.give_up(message_id, 1.0, "given up")
    assert outbox.claim(2.0, 10.0) is None
    assert outbox.pending() == 0
    database.close()
