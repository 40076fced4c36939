"""Deleting rows no call will read again, so the tables stay the size of what
is live rather than of everything that ever happened.

Each rule deletes in batches of their own transactions, with a pause between
them, so a backlog never holds the write lock for long. The tables that grow
with every call (sessions, reset requests) are searched through an index;
reset tokens and the outbox are scanned: a few rows per reset, and one per
RequestReset that goes two hours after it was resolved. Every server process
prunes on its own schedule. On SQLite deleting what another process already
deleted costs nothing (the write lock orders the batches); on PostgreSQL
every batch takes one advisory lock, and a process that finds it held skips
its round, so two replicas never scan the same rows at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import peewee

from passgate.background import BackgroundThread
from passgate.clock import Clock
from passgate.limits.store import LimitStore
from passgate.mail.outbox import KIND_RESET_REQUEST
from passgate.store import raw
from passgate.store.locking import SqlLocks

log = logging.getLogger("passgate.housekeeping")

HOUR = 3600.0
DAY = 24 * HOUR
BATCH = 500  # rows one transaction deletes


@dataclass(frozen=True)
class Rule:
    table: str
    ended: str  # the column (or expression) saying when a row stopped mattering
    keep: float  # seconds a row is kept after it ended, for people looking into things

    @property
    def delete(self) -> str:
        """One batch; `?` is the cut-off time, rows ended before it go."""
        # names from RULES below, never from a caller
        select = f"SELECT id FROM {self.table} WHERE {self.ended} < ? LIMIT {BATCH}"  # noqa: S608
        return f"DELETE FROM {self.table} WHERE id IN ({select})"  # noqa: S608


RULES = (
    # The e-mail budget looks back one hour.
    Rule("reset_requests", "created_at", 2 * HOUR),
    # Used, replaced, killed or expired tokens answer like unknown ones.
    Rule("reset_tokens", "COALESCE(ended_at, expires_at)", DAY),
    # Sent or given-up mail (its content was erased then); pending mail stays.
    Rule("outbox", "COALESCE(sent_at, failed_at)", 7 * DAY),
    # Resolved reset requests (their content was erased then), like the budget's rows.
    Rule(
        "outbox",
        f"CASE WHEN kind = '{KIND_RESET_REQUEST}' THEN COALESCE(sent_at, failed_at) END",
        2 * HOUR,
    ),
    # Revoked or expired sessions answer like unknown ones (both columns indexed).
    Rule("sessions", "revoked_at", DAY),
    Rule("sessions", "expires_at", DAY),
)
PAUSE_SECONDS = 0.05  # between two batches of a backlog


def event_rule(retention: float) -> Rule:
    """Security events older than the retention setting go, and their webhook
    deliveries with them (the foreign key cascades)."""
    return Rule("events", "occurred_at", retention)


class Housekeeping:
    def __init__(
        self,
        database: peewee.Database,
        clock: Clock,
        limits: LimitStore | None = None,
        event_retention: float | None = None,
    ) -> None:
        """`limits`: the budget and throttle state, pruned of what has expired on
        the same schedule, so its size follows recent activity alone.
        `event_retention`: seconds events are kept; None keeps them."""
        self._db = database
        self._rules = RULES if event_retention is None else (*RULES, event_rule(event_retention))
        self._locks = SqlLocks(database)
        self._clock = clock
        self._limits = limits

    def prune(self, go_on: Callable[[], bool] = lambda: True) -> dict[str, int]:
        """Deletes what every rule allows now; returns the rows removed per table.
        `go_on` is asked between batches: it may pause, and says whether to go on.
        A round another process is pruning already stops where it is."""
        now = self._clock.now()
        removed: dict[str, int] = {}
        for rule in self._rules:
            while True:
                with self._db.atomic():
                    if not self._locks.try_lock_housekeeping():
                        log.debug("another process is pruning; skipping this round")
                        return removed
                    count = int(raw.execute(self._db, rule.delete, (now - rule.keep,)).rowcount)
                removed[rule.table] = removed.get(rule.table, 0) + count
                if count < BATCH:
                    break
                if not go_on():
                    return removed
        if self._limits is not None:
            removed["limits"] = self._limits.prune(self._clock)
        return removed

    def close(self) -> None:
        """Closes the calling thread's connection."""
        self._db.close()


class HousekeepingWorker(BackgroundThread):
    """Prunes at start and then every `interval` seconds, on its own thread."""

    def __init__(self, housekeeping: Housekeeping, interval: float = 600.0) -> None:
        super().__init__("passgate-prune")
        self._housekeeping = housekeeping
        self._interval = interval

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                removed = self._housekeeping.prune(self._pause)
            except Exception as error:
                self._failed(log, "pruning", error)
            else:
                self._worked(log, "pruning")
                if any(removed.values()):
                    log.info("pruned", extra={"fields": {"event": "pruned", **removed}})
            self._stop.wait(self._interval)
        self._housekeeping.close()

    def _pause(self) -> bool:
        """Between batches: lets other writers in, and stops when asked."""
        return not self._stop.wait(PAUSE_SECONDS)
