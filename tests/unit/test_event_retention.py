"""Security events are kept for the retention setting, then pruned with their
webhook deliveries; ids are never given out again, even once every event
was pruned, so a watcher's last id stays a place to resume from."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest
from databases import migrated_sqlite

from passgate.clock import ManualClock
from passgate.identity.events import SIGN_IN_FAILED, Events
from passgate.store import raw
from passgate.store.housekeeping import DAY, Housekeeping

START = 1_900_000_000.0
RETENTION = 30 * DAY


@pytest.fixture
def database(tmp_path: Path) -> Iterator[peewee.Database]:
    database = migrated_sqlite(tmp_path / "events.db")
    yield database
    database.close()


def ids(database: peewee.Database, table: str) -> list[int]:
    return [int(row[0]) for row in raw.execute(database, f"SELECT id FROM {table} ORDER BY id")]


def test_events_older_than_the_retention_go_with_their_deliveries(
    database: peewee.Database,
) -> None:
    clock = ManualClock(START)
    events = Events(database, clock, ["https://hooks.example.com/in"])
    old = events.record_alone(SIGN_IN_FAILED, "default", None, {"reason": "unknown_account"})
    clock.advance(RETENTION - DAY)
    recent = events.record_alone(SIGN_IN_FAILED, "default", None, {"reason": "unknown_account"})
    clock.advance(2 * DAY)

    Housekeeping(database, clock, event_retention=RETENTION).prune()

    assert ids(database, "events") == [recent]
    assert [row[0] for row in raw.execute(database, "SELECT event_id FROM webhook_deliveries")] == [
        recent
    ]
    assert old < recent


def test_an_id_is_never_given_out_again_after_pruning_everything(
    database: peewee.Database,
) -> None:
    clock = ManualClock(START)
    events = Events(database, clock)
    last = events.record_alone(SIGN_IN_FAILED, "default")
    clock.advance(RETENTION + 1)
    Housekeeping(database, clock, event_retention=RETENTION).prune()
    assert ids(database, "events") == []
    assert events.newest_id() == last  # a watcher may still resume after it
    assert events.record_alone(SIGN_IN_FAILED, "default") > last


def test_without_a_retention_events_stay(database: peewee.Database) -> None:
    clock = ManualClock(START)
    events = Events(database, clock)
    kept = events.record_alone(SIGN_IN_FAILED, "default")
    clock.advance(365 * DAY)
    Housekeeping(database, clock).prune()
    assert ids(database, "events") == [kept]
