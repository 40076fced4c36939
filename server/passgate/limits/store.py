"""Where budgets and throttles keep their state, shared by every process.

The state lives apart from the accounts database: a budget is charged on
every call, so it must not cost an fsync. The embedded default is a SQLite
file with synchronous=OFF: updates are atomic across processes (SQLite's
locks) and survive a crash or `kill -9` of the server (the OS holds the
pages), though not a power cut; call budgets need no more, and throttles
lose at most their last seconds.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, runtime_checkable

from passgate.clock import Clock
from passgate.errors import ServiceUnavailable
from passgate.limits import arithmetic
from passgate.limits.arithmetic import MICROS, Gcra, ThrottleRecord
from passgate.limits.policy import Admission, Budget, Denial, ThrottlePolicy, ThrottleState
from passgate.outage import Outage
from passgate.private_files import private_sqlite_file
from passgate.sqlite_wal import BUSY_TIMEOUT_SECONDS, enter_wal

log = logging.getLogger("passgate.limits")


UNTIL_IT_CAN = ": calls answer UNAVAILABLE until it can"  # how an outage's log line ends


class LimitStoreUnavailable(ServiceUnavailable):
    """The limits store cannot be read or written (a full disk, a lost file):
    calls wait and retry rather than pass unchecked or fail for good."""

    message = "limits store unavailable, retry later"


class LimitStore(Protocol):
    """Budgets and throttles, shared by every process that opens the same store.

    Every method raises LimitStoreUnavailable when the state cannot be read or
    written."""

    def charge(self, budgets: Sequence[Budget], clock: Clock) -> Denial | None:
        """Charges every budget one call, or none of them; the first denial, if any.

        The clock is read once the state is locked, so time spent waiting for
        the lock never makes a call look early."""
        ...

    def charge_leases(
        self, budgets: Sequence[Budget], clock: Clock, sizes: Sequence[int]
    ) -> Denial | list[int]:
        """Charges each budget `sizes[i]` calls at once, or one call where that
        many no longer fit, every budget or none: the calls charged to each,
        or the first denial. What a lease (passgate/limits/leases.py) spends
        locally afterwards."""
        ...

    def admit(self, key: str, clock: Clock, policy: ThrottlePolicy) -> Admission:
        """Takes one of the key's open slots for an attempt, atomically with
        every other attempt on any process; an admitted attempt must `settle`."""
        ...

    def settle(
        self, key: str, clock: Clock, policy: ThrottlePolicy, failed: bool | None
    ) -> ThrottleState:
        """Ends an attempt: a failure counts (not while blocked: waiting out a
        delay never extends it), a success wipes the count, None (no verdict:
        the attempt broke off before a password was judged) only frees its
        slot. Also counts a failure that was never admitted (wrong reset tokens)."""
        ...

    def clear(self, key: str) -> None: ...

    def prune(self, clock: Clock) -> int:
        """Deletes state that has expired (an idle budget or a forgotten
        throttle equals a missing one); returns the rows removed."""
        ...

    def close(self) -> None: ...


def one_call_each(budgets: Sequence[Budget]) -> list[int]:
    """`charge_leases` sizes for a plain `charge`: one call per budget."""
    return [1] * len(budgets)


def denial_of(charged: Denial | list[int]) -> Denial | None:
    """`charge`'s answer from `charge_leases`'."""
    return charged if isinstance(charged, Denial) else None


@runtime_checkable
class AwaitedLimitStore(LimitStore, Protocol):
    """A store whose charge may wait for the network: a round trip must not
    block the event loop, which runs every call's budget check, so the charge
    has an awaitable form; its connections close on the loop too."""

    async def charge_async(self, budgets: Sequence[Budget], clock: Clock) -> Denial | None:
        """`charge`, awaited on the event loop."""
        ...

    async def aclose(self) -> None:
        """Closes what the event loop opened; `close` still follows."""
        ...


@runtime_checkable
class NetworkLimitStore(AwaitedLimitStore, Protocol):
    """A store reached over the network (Redis), which can be lost."""

    async def charge_leases_async(
        self, budgets: Sequence[Budget], clock: Clock, sizes: Sequence[int]
    ) -> Denial | list[int]:
        """`charge_leases`, awaited on the event loop."""
        ...

    def ping(self) -> None:
        """Returns if the store answers; LimitStoreUnavailable if not (health probes it)."""
        ...


# Each row says when it stops mattering: a budget once its tat (microseconds)
# has passed, a throttle at `expires_at` (seconds); past that, a missing row
# means the same. Throttles are pruned through an index; budgets, written on
# every call, are scanned rather than pay an index update per call.
_SCHEMA_VERSION = 2
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS budgets (key TEXT PRIMARY KEY, tat INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS throttles (key TEXT PRIMARY KEY, failures INTEGER NOT NULL, "
    "blocked_until REAL NOT NULL, last_failure REAL NOT NULL, "
    "in_flight INTEGER NOT NULL DEFAULT 0, in_flight_until REAL NOT NULL DEFAULT 0, "
    "expires_at REAL NOT NULL DEFAULT 0) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS throttles_expires_at ON throttles (expires_at)",
)
# The tables `_SCHEMA` makes: how passgate tells its limits store apart when
# it is named where the accounts database belongs (accounts_database.py).
TABLES = frozenset({"budgets", "throttles"})
# A store made before throttles counted attempts in flight and said when they expire.
_UPGRADE_FROM_1 = (
    "ALTER TABLE throttles ADD COLUMN in_flight INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE throttles ADD COLUMN in_flight_until REAL NOT NULL DEFAULT 0",
    "ALTER TABLE throttles ADD COLUMN expires_at REAL NOT NULL DEFAULT 0",
    "UPDATE throttles SET expires_at = max(blocked_until, last_failure + 86400)",
)
# GCRA (arithmetic.Gcra.charge) in one statement: ?2 is now, ?3 the calls'
# intervals, ?4 the period, all in microseconds. No row comes back when the
# call is refused.
_CHARGE = (
    "INSERT INTO budgets (key, tat) VALUES (?1, ?2 + ?3) "
    "ON CONFLICT (key) DO UPDATE SET tat = max(tat, ?2) + ?3 "
    "WHERE max(tat, ?2) + ?3 - ?2 <= ?4 RETURNING tat"
)
_THROTTLE_ROW = (
    "SELECT failures, blocked_until, last_failure, in_flight, in_flight_until "
    "FROM throttles WHERE key = ?"
)
_PUT_THROTTLE = (
    "INSERT INTO throttles (key, failures, blocked_until, last_failure, in_flight, "
    "in_flight_until, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
    "failures = excluded.failures, blocked_until = excluded.blocked_until, "
    "last_failure = excluded.last_failure, in_flight = excluded.in_flight, "
    "in_flight_until = excluded.in_flight_until, expires_at = excluded.expires_at"
)
_DELETE_THROTTLE = "DELETE FROM throttles WHERE key = ?"
PRUNE_BATCH = 1000  # rows one pruning transaction deletes
# Each with whether its cut-off is in microseconds (budgets) or seconds (throttles).
_PRUNE = (
    ("DELETE FROM budgets WHERE key IN (SELECT key FROM budgets WHERE tat <= ? LIMIT ?)", True),
    (
        "DELETE FROM throttles WHERE key IN "
        "(SELECT key FROM throttles WHERE expires_at <= ? LIMIT ?)",
        False,
    ),
)


class SqliteLimitStore:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._charge_lock = threading.Lock()
        self._outage = Outage(log, f"limits store {path}", "cannot be written", UNTIL_IT_CAN)
        with self._transaction() as connection:
            for statement in _SCHEMA:
                connection.execute(statement)
            (version,) = connection.execute("PRAGMA user_version").fetchone()
            if version < _SCHEMA_VERSION:
                if "in_flight" not in _columns(connection, "throttles"):
                    for statement in _UPGRADE_FROM_1:
                        connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            private_sqlite_file(self._path)
            connection = sqlite3.connect(
                self._path,
                timeout=BUSY_TIMEOUT_SECONDS,
                isolation_level=None,
                check_same_thread=False,
            )
            enter_wal(connection)
            connection.execute("PRAGMA synchronous = off")
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (the write lock taken up front, so a read then
        write never fails on upgrade); any SQLite failure, such as a full disk,
        becomes LimitStoreUnavailable, logged once per cause."""
        try:
            connection = self._connection()
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
                if connection.in_transaction:  # not rolled back on purpose
                    connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        except sqlite3.Error as error:
            self._outage.failed(str(error))
            raise LimitStoreUnavailable() from error
        self._outage.worked()

    def charge(self, budgets: Sequence[Budget], clock: Clock) -> Denial | None:
        return denial_of(self.charge_leases(budgets, clock, one_call_each(budgets)))

    def charge_leases(
        self, budgets: Sequence[Budget], clock: Clock, sizes: Sequence[int]
    ) -> Denial | list[int]:
        # One thread of this process at a time: threads queue on a lock rather
        # than in SQLite's busy handler, which sleeps in steps of milliseconds.
        with self._charge_lock, self._transaction() as connection:
            now_us = round(clock.now() * MICROS)
            granted: list[int] = []
            for budget, size in zip(budgets, sizes, strict=True):
                gcra = Gcra.of(budget.rate)
                for calls in dict.fromkeys((size, 1)):
                    row = connection.execute(
                        _CHARGE, (budget.key, now_us, gcra.interval_us * calls, gcra.period_us)
                    ).fetchone()
                    if row is not None:
                        granted.append(calls)
                        break
                else:
                    (tat,) = connection.execute(
                        "SELECT tat FROM budgets WHERE key = ?", (budget.key,)
                    ).fetchone()
                    connection.execute("ROLLBACK")  # none of the budgets is charged
                    return Denial(budget, gcra.retry_after(int(tat), now_us))
        return granted

    def admit(self, key: str, clock: Clock, policy: ThrottlePolicy) -> Admission:
        # The key's row must not change between reading the count and taking
        # the slot: the write lock is held from the read to the commit.
        with self._transaction() as connection:
            now = clock.now()
            admission, taken = arithmetic.admit(_record(connection, key), now, policy)
            if taken is not None:
                _put(connection, key, policy, taken)
        return admission

    def settle(
        self, key: str, clock: Clock, policy: ThrottlePolicy, failed: bool | None
    ) -> ThrottleState:
        with self._transaction() as connection:
            now = clock.now()
            state, record = arithmetic.settle(_record(connection, key), now, policy, failed)
            if record is None:
                connection.execute(_DELETE_THROTTLE, (key,))
            else:
                _put(connection, key, policy, record)
        return state

    def clear(self, key: str) -> None:
        with self._transaction() as connection:
            connection.execute(_DELETE_THROTTLE, (key,))

    def prune(self, clock: Clock) -> int:
        removed = 0
        for statement, in_micros in _PRUNE:
            while True:
                now = clock.now()
                cutoff = round(now * MICROS) if in_micros else now
                with self._transaction() as connection:
                    count = int(connection.execute(statement, (cutoff, PRUNE_BATCH)).rowcount)
                removed += count
                if count < PRUNE_BATCH:
                    break
        return removed

    def close(self) -> None:
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()


def _record(connection: sqlite3.Connection, key: str) -> ThrottleRecord | None:
    row = connection.execute(_THROTTLE_ROW, (key,)).fetchone()
    if row is None:
        return None
    failures, blocked_until, last_failure, in_flight, in_flight_until = row
    return ThrottleRecord(
        int(failures),
        float(blocked_until),
        float(last_failure),
        int(in_flight),
        float(in_flight_until),
    )


def _put(
    connection: sqlite3.Connection, key: str, policy: ThrottlePolicy, record: ThrottleRecord
) -> None:
    connection.execute(
        _PUT_THROTTLE,
        (
            key,
            record.failures,
            record.blocked_until,
            record.last_failure,
            record.in_flight,
            record.in_flight_until,
            record.expires_at(policy),
        ),
    )


def _columns(connection: sqlite3.Connection, table: str) -> set[str]:
    return {str(row[1]) for row in connection.execute(f"PRAGMA table_info({table})")}
