"""API-key lookups over a real SQLite file: refused secrets are remembered,
live keys never are, so revocation still takes effect at the next call."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from passgate.clock import SystemClock
from passgate.errors import ApiKeyInvalid
from passgate.identity.apikeys import ApiKeys
from passgate.store.db import open_database
from passgate.store.migrations import migrate


class CountingReads:
    """Counts the statements ApiKeys sends to the database."""

    def __init__(self, keys: ApiKeys) -> None:
        self.count = 0
        database = keys._db
        original = database.execute_sql

        def counted(sql: str, params: object = None) -> object:
            self.count += 1
            return original(sql, params)

        database.execute_sql = counted  # type: ignore[method-assign]


@pytest.fixture
def keys(tmp_path: Path) -> ApiKeys:
    database = open_database(f"sqlite:///{tmp_path / 'keys.db'}")
    migrate(database)
    return ApiKeys(database, SystemClock())


def test_a_refused_secret_is_refused_again_without_a_read(keys: ApiKeys) -> None:
    unknown = "pgk_" + secrets.token_urlsafe(32)
    with pytest.raises(ApiKeyInvalid):
        keys.authenticate(unknown)
    reads = CountingReads(keys)
    for _ in range(3):
        with pytest.raises(ApiKeyInvalid):
            keys.authenticate(unknown)
    assert reads.count == 0


def test_a_live_key_is_read_every_time_so_revocation_is_seen_at_once(keys: ApiKeys) -> None:
    record, secret = keys.create("caller")
    reads = CountingReads(keys)
    assert keys.authenticate(secret).id == record.id
    assert keys.authenticate(secret).id == record.id
    assert reads.count == 2
    assert keys.revoke(record.id)
    with pytest.raises(ApiKeyInvalid):
        keys.authenticate(secret)


def test_the_refused_set_stays_bounded_and_never_hides_a_live_key(keys: ApiKeys) -> None:
    record, secret = keys.create("caller")
    for _ in range(ApiKeys.REFUSED_LIMIT + 10):
        with pytest.raises(ApiKeyInvalid):
            keys.authenticate("pgk_" + secrets.token_urlsafe(32))
    assert len(keys._refused) <= ApiKeys.REFUSED_LIMIT
    assert keys.authenticate(secret).id == record.id
