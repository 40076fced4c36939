"""Housekeeping over a real SQLite file: rows that ended long enough ago go,
live and recent ones stay, and a backlog larger than a batch goes whole."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest
from databases import migrated_sqlite

from passgate.clock import ManualClock
from passgate.mail.outbox import KIND_RESET, KIND_RESET_REQUEST
from passgate.store import housekeeping, raw
from passgate.store.housekeeping import DAY, HOUR, Housekeeping

NOW = 1_900_000_000.0


@pytest.fixture
def database(tmp_path: Path) -> Iterator[peewee.Database]:
    database = migrated_sqlite(tmp_path / "prune.db")
    raw.execute(
        database,
        "INSERT INTO users (id, tenant_id, email, email_key, password_hash, created_at, "
        "password_changed_at, disabled) VALUES ('u', 'default', 'a@example.com', "
        "'a@example.com', 'x', 0, 0, 0)",
    )
    yield database
    database.close()


def rows(database: peewee.Database, sql: str) -> list[str]:
    return sorted(str(row[0]) for row in raw.execute(database, sql).fetchall())


def add_session(
    database: peewee.Database, name: str, expires: float, revoked: float | None
) -> None:
    raw.execute(
        database,
        "INSERT INTO sessions (token_hash, user_id, tenant_id, created_at, expires_at, revoked_at) "
        "VALUES (?, 'u', 'default', 0, ?, ?)",
        (name, expires, revoked),
    )


def test_what_ended_long_enough_ago_goes_and_the_rest_stays(database: peewee.Database) -> None:
    add_session(database, "live", NOW + HOUR, None)
    add_session(database, "expired-today", NOW - HOUR, None)
    add_session(database, "expired-long-ago", NOW - 2 * DAY, None)
    add_session(database, "revoked-long-ago", NOW + HOUR, NOW - 2 * DAY)
    add_session(database, "revoked-today", NOW + HOUR, NOW - HOUR)
    for name, created in (("recent", NOW - HOUR), ("old", NOW - 3 * HOUR)):
        raw.execute(
            database,
            "INSERT INTO reset_requests (tenant_id, subject, created_at, queued) "
            "VALUES ('default', ?, ?, 1)",
            (name, created),
        )
    for name, expires, ended in (
        ("live", NOW + HOUR, None),
        ("used-today", NOW + HOUR, NOW - HOUR),
        ("used-long-ago", NOW - 2 * DAY, NOW - 2 * DAY),
        ("expired-long-ago", NOW - 2 * DAY, None),
    ):
        raw.execute(
            database,
            "INSERT INTO reset_tokens (token_hash, user_id, created_at, expires_at, ended_at) "
            "VALUES (?, 'u', 0, ?, ?)",
            (name, expires, ended),
        )
    for kind, sent, failed in (
        ("pending", None, None),
        ("sent-recently", NOW - DAY, None),
        ("sent-long-ago", NOW - 8 * DAY, None),
        ("failed-long-ago", None, NOW - 8 * DAY),
    ):
        raw.execute(
            database,
            "INSERT INTO outbox (tenant_id, kind, created_at, attempts, next_attempt_at, "
            "sent_at, failed_at) VALUES ('default', ?, 0, 1, 0, ?, ?)",
            (kind, sent, failed),
        )

    removed = Housekeeping(database, ManualClock(NOW)).prune()

    assert removed == {"reset_requests": 1, "reset_tokens": 2, "outbox": 2, "sessions": 2}
    assert rows(database, "SELECT token_hash FROM sessions") == [
        "expired-today",
        "live",
        "revoked-today",
    ]
    assert rows(database, "SELECT subject FROM reset_requests") == ["recent"]
    assert rows(database, "SELECT token_hash FROM reset_tokens") == ["live", "used-today"]
    assert rows(database, "SELECT kind FROM outbox") == ["pending", "sent-recently"]


def test_a_backlog_larger_than_a_batch_goes_whole(database: peewee.Database) -> None:
    backlog = housekeeping.BATCH * 2 + 7
    for n in range(backlog):
        add_session(database, f"old-{n}", NOW - 2 * DAY, None)
    add_session(database, "live", NOW + HOUR, None)

    removed = Housekeeping(database, ManualClock(NOW)).prune()

    assert removed["sessions"] == backlog
    assert rows(database, "SELECT token_hash FROM sessions") == ["live"]


def test_pruning_stops_between_batches_when_asked(database: peewee.Database) -> None:
    for n in range(housekeeping.BATCH * 2 + 7):
        add_session(database, f"old-{n}", NOW - 2 * DAY, None)

    removed = Housekeeping(database, ManualClock(NOW)).prune(go_on=lambda: False)

    assert removed["sessions"] == housekeeping.BATCH


def test_resolved_reset_requests_go_with_the_e_mail_budget_s_window(
    database: peewee.Database,
) -> None:
    """A request's row matters to nobody once resolved: it goes like the budget's rows."""
    for name, sent in (
        ("pending", None),
        ("resolved-an-hour-ago", NOW - HOUR),
        ("resolved-three-hours-ago", NOW - 3 * HOUR),
    ):
        raw.execute(
            database,
            "INSERT INTO outbox (tenant_id, kind, created_at, attempts, next_attempt_at, "
            "sent_at, last_error) VALUES ('default', ?, 0, 1, 0, ?, ?)",
            (KIND_RESET_REQUEST, sent, name),
        )
    raw.execute(
        database,
        "INSERT INTO outbox (tenant_id, kind, created_at, attempts, next_attempt_at, sent_at, "
        "last_error) VALUES ('default', ?, 0, 1, 0, ?, 'mail-sent-three-hours-ago')",
        (KIND_RESET, NOW - 3 * HOUR),
    )

    removed = Housekeeping(database, ManualClock(NOW)).prune()

    assert removed["outbox"] == 1
    assert rows(database, "SELECT last_error FROM outbox") == [
        "mail-sent-three-hours-ago",
        "pending",
        "resolved-an-hour-ago",
    ]
