"""Health that follows what passgate depends on over the network: NOT_SERVING
while the database server or the limits store (Redis) cannot be reached,
SERVING once every one answers again.

A balancer's health checks then move callers to replicas that can answer (or,
with one database under every replica, tell them what each call would: not
now). Passgate answers health checks without its dependencies, so they are
probed: each one once every `interval` seconds (`SELECT 1` through the pool,
Redis's PING), about a millisecond each. A SQLite file is on this machine
and has no server to lose: it is not probed; nor is Redis with
`--limits-store-outage local`, which serves from this machine's file
meanwhile (passgate/limits/fallback.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import peewee
from playhouse.pool import PooledDatabase

from passgate.background import BackgroundThread
from passgate.limits.store import LimitStore, NetworkLimitStore
from passgate.store.db import outage_cause, release_connection

log = logging.getLogger("passgate")

PROBE_SECONDS = 1.0

Probe = Callable[[], None]  # returns if the dependency answers, raises if not


def database_probe(database: peewee.Database) -> Probe | None:
    """`SELECT 1` through the pool, for a database server; None for SQLite."""
    if not isinstance(database, PooledDatabase):
        return None

    def probe() -> None:
        try:
            database.execute_sql("SELECT 1")
        except Exception as error:
            if outage_cause(error) is None:  # not an outage: worth its traceback
                log.exception("the database health probe failed")
            raise
        finally:
            release_connection(database)

    return probe


def limits_probe(limits: LimitStore) -> Probe | None:
    """Redis's PING, for a limits store reached over the network; None for a
    file, or for Redis with a local file behind it (not a NetworkLimitStore)."""
    return limits.ping if isinstance(limits, NetworkLimitStore) else None


class DependencyHealth(BackgroundThread):
    """Calls `report(False)` when a dependency stops answering and
    `report(True)` when all answer again (never twice in a row alike)."""

    def __init__(self, probes: dict[str, Probe], interval: float = PROBE_SECONDS) -> None:
        super().__init__("passgate-dependency-health")
        self._probes = probes
        self._interval = interval
        self._report: Callable[[bool], object] = lambda serving: None

    def start(self, report: Callable[[bool], object] | None = None) -> None:
        """Probes from now on, telling `report` of each change."""
        if report is not None:
            self._report = report
        super().start()

    def _run(self) -> None:
        lost: list[str] = []
        while not self._stop.wait(self._interval):
            now_lost = [name for name, probe in self._probes.items() if not _answers(probe)]
            if now_lost == lost:
                continue
            if now_lost:
                log.warning(
                    "health: NOT_SERVING while %s cannot be reached", " and ".join(now_lost)
                )
            else:
                log.warning("health: SERVING, %s answers again", " and ".join(lost))
            if bool(now_lost) != bool(lost):
                self._report(not now_lost)
            lost = now_lost


def _answers(probe: Probe) -> bool:
    try:
        probe()
    except Exception:
        return False
    return True
