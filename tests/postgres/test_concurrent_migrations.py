"""Several processes migrating one fresh database at once (servers of one
deployment starting together), on every engine: each succeeds, and every
migration is applied once, by one of them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections import Counter

from engines import EngineDatabase

from passgate.store import raw
from passgate.store.db import close_database, open_database
from passgate.store.migrations import MIGRATIONS

PROCESSES = 6

# Imports first, then every process waits for one moment and migrates: the
# slow part of starting (Python's imports) does not spread the processes apart.
MIGRATE_AT = textwrap.dedent(
    """
    import json, sys, time
    from passgate.store.db import open_database
    from passgate.store.migrations import migrate
    url, at = sys.argv[1], float(sys.argv[2])
    time.sleep(max(0.0, at - time.time()))
    print(json.dumps(migrate(open_database(url, 1))))
    """
)


def test_processes_migrating_one_database_at_once_all_succeed_and_apply_each_migration_once(
    database: EngineDatabase,
) -> None:
    at = str(time.time() + 4.0)
    env = {**os.environ, **database.env}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE_AT, database.url, at],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    outcomes = [(p.wait(60), *p.communicate()) for p in processes]
    failures = [err.strip().splitlines()[-1:] for code, _, err in outcomes if code != 0]
    assert failures == []

    applied = Counter(v for _, out, _ in outcomes for v in json.loads(out.strip().splitlines()[-1]))
    versions = [version for version, _ in MIGRATIONS]
    assert applied == Counter(versions)  # each applied by exactly one process

    db = open_database(database.url, 1)
    try:
        recorded = raw.execute(db, "SELECT version FROM schema_versions").fetchall()
    finally:
        close_database(db)
    assert sorted(v for (v,) in recorded) == versions
