"""Health that follows a database server: NOT_SERVING while it cannot be
reached, SERVING once it answers again.

A balancer's health checks then move callers to replicas that can answer (or,
with one database under every replica, tell them what each call would: not
now). Passgate answers health checks without the database, so the state is
probed: one `SELECT 1` through the pool every `interval` seconds, about a
millisecond of one connection. A SQLite file is on this machine and has no
server to lose: it is not probed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import peewee
from playhouse.pool import PooledDatabase

from passgate.background import BackgroundThread
from passgate.store.db import outage_cause, release_connection

log = logging.getLogger("passgate")

PROBE_SECONDS = 1.0


class DatabaseHealth(BackgroundThread):
    """Calls `report(False)` when the database stops answering and
    `report(True)` when it answers again (never twice in a row alike)."""

    def __init__(self, database: peewee.Database, interval: float = PROBE_SECONDS) -> None:
        super().__init__("passgate-database-health")
        self._database = database
        self._interval = interval
        self._report: Callable[[bool], object] = lambda serving: None

    def start(self, report: Callable[[bool], object] | None = None) -> None:
        """Probes from now on, telling `report` of each change."""
        if report is not None:
            self._report = report
        super().start()

    @staticmethod
    def needed(database: peewee.Database) -> bool:
        """Only a database server (reached through a pool) can be lost."""
        return isinstance(database, PooledDatabase)

    def _run(self) -> None:
        serving = True
        while not self._stop.wait(self._interval):
            answered = self._probe()
            if answered != serving:
                serving = answered
                log.warning(
                    "health: %s",
                    "SERVING, the database answers again"
                    if serving
                    else "NOT_SERVING while the database cannot be reached",
                )
                self._report(serving)

    def _probe(self) -> bool:
        try:
            self._database.execute_sql("SELECT 1")  # type: ignore[no-untyped-call]
        except Exception as error:
            if outage_cause(error) is None:  # not an outage: worth its traceback
                log.exception("the database health probe failed")
            return False
        else:
            return True
        finally:
            release_connection(self._database)
