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
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from passgate.clock import Clock
from passgate.errors import ServiceUnavailable
from passgate.private_files import private_sqlite_file
from passgate.rates import Rate

log = logging.getLogger("passgate.limits")


@dataclass(frozen=True)
class Budget:
    """A named bucket charged one call at `rate` (GCRA: a smooth token bucket)."""

    key: str
    rate: Rate


@dataclass(frozen=True)
class Denial:
    budget: Budget
    retry_after: float  # seconds until this budget would let the call through


@dataclass(frozen=True)
class ThrottlePolicy:
    """`free` failures cost nothing; each further one doubles the delay from `first`
    up to `longest`; a quiet `forget_after` seconds wipes the count."""

    free: int = 5
    first: float = 1.0
    longest: float = 900.0
    forget_after: float = 3600.0

    def delay(self, failures: int) -> float:
        if failures <= self.free:
            return 0.0
        return float(min(self.longest, self.first * 2.0 ** min(failures - self.free - 1, 40)))

    def open_slots(self, failures: int) -> int:
        """How many attempts may be checked at once after `failures`: as many as,
        were every one to fail, would reach the next delay and no further. So
        attempts sent together are checked exactly as many as sent one by one:
        the free failures and the one that starts the first delay, then one
        after each delay."""
        return self.free + 1 - failures if failures <= self.free else 1


@dataclass(frozen=True)
class ThrottleState:
    failures: int
    blocked_until: float
    in_flight: int = 0  # attempts admitted and not yet settled

    def retry_after(self, now: float) -> float:
        wait = self.blocked_until - now
        return wait if wait > 1e-6 else 0.0  # below float rounding of epoch seconds: over


@dataclass(frozen=True)
class Admission:
    """The throttle's answer to one attempt: admitted, refused until a delay
    ends (`retry_after` > 0), or neither: every open slot is held by attempts
    still being checked, whose outcome decides (ask again shortly)."""

    admitted: bool
    retry_after: float = 0.0


ADMITTED = Admission(True)
SLOTS_HELD = Admission(False)

# An admitted attempt holds its slot until it settles, or for this long if its
# process dies first (longer than any bcrypt wait an admitted call can have).
IN_FLIGHT_LEASE = 60.0


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
# A store made before throttles counted attempts in flight and said when they expire.
_UPGRADE_FROM_1 = (
    "ALTER TABLE throttles ADD COLUMN in_flight INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE throttles ADD COLUMN in_flight_until REAL NOT NULL DEFAULT 0",
    "ALTER TABLE throttles ADD COLUMN expires_at REAL NOT NULL DEFAULT 0",
    "UPDATE throttles SET expires_at = max(blocked_until, last_failure + 86400)",
)
# GCRA in one statement: the theoretical arrival time (tat) moves on by one
# emission interval per call, and a call passes while tat stays within one
# period of now. No row comes back when the call is refused.
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
_ThrottleRow = tuple[int, float, float, int, float]  # the columns of _THROTTLE_ROW
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


_MICROS = 1_000_000


# Large budgets are charged to the shared state in leases: a process takes a
# hundredth of the budget (at most 1000 calls) at once and spends it locally
# for at most 0.1 s. Small budgets, such as the default 25/5s, are charged
# call by call, so they stay exact.
LEASE_SECONDS = 0.1


def lease_size(rate: Rate) -> int:
    return max(1, min(1000, rate.count // 100))


class _Leases:
    """Calls this process has already charged to the shared state and not yet spent."""

    _PRUNE_AT = 10_000

    def __init__(self) -> None:
        self._left: dict[str, list[float]] = {}  # key → [calls left, until]

    def holds(self, key: str, now: float) -> bool:
        left = self._left.get(key)
        return left is not None and left[0] > 0 and left[1] > now

    def grant(self, key: str, calls: int, until: float) -> None:
        if len(self._left) >= self._PRUNE_AT:
            self._left = {k: v for k, v in self._left.items() if v[1] > until - LEASE_SECONDS}
        self._left[key] = [calls, until]

    def take(self, key: str) -> None:
        self._left[key][0] -= 1


# Processes that open a new store together all ask for WAL; SQLite answers
# "database is locked" at once to all but one, without waiting its busy timeout.
_WAL_TRIES = 100
_WAL_RETRY_SECONDS = 0.02


def _enter_wal(connection: sqlite3.Connection) -> None:
    for tries_left in range(_WAL_TRIES - 1, -1, -1):
        try:
            connection.execute("PRAGMA journal_mode = wal")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or not tries_left:
                raise
            time.sleep(_WAL_RETRY_SECONDS)


class SqliteLimitStore:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._charge_lock = threading.Lock()
        self._leases = _Leases()
        self._failing: str | None = None  # the cause last logged, until the store works again
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
                self._path, timeout=10.0, isolation_level=None, check_same_thread=False
            )
            _enter_wal(connection)
            connection.execute("PRAGMA synchronous = off")
            connection.execute("PRAGMA busy_timeout = 10000")
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
            self._report_failure(error)
            raise LimitStoreUnavailable() from error
        if self._failing is not None:
            self._failing = None
            log.warning("limits store %s works again", self._path)

    def _report_failure(self, error: sqlite3.Error) -> None:
        cause = str(error)
        if cause != self._failing:
            self._failing = cause
            log.error(
                "limits store %s cannot be written (%s): calls answer UNAVAILABLE until it can",
                self._path,
                cause,
            )

    def charge(self, budgets: Sequence[Budget], clock: Clock) -> Denial | None:
        # One thread of this process at a time: threads queue on a lock rather
        # than in SQLite's busy handler, which sleeps in steps of milliseconds.
        with self._charge_lock:
            now = clock.now()
            missing = [b for b in budgets if not self._leases.holds(b.key, now)]
            if missing:
                denial = self._charge_shared(missing, clock)
                if denial is not None:
                    return denial
            for budget in budgets:
                self._leases.take(budget.key)
        return None

    def _charge_shared(self, budgets: Sequence[Budget], clock: Clock) -> Denial | None:
        """Charges the shared state a lease of calls per budget (one call for small budgets)."""
        granted: list[tuple[str, int]] = []
        denial: Denial | None = None
        with self._transaction() as connection:
            now = clock.now()
            # Whole microseconds: float epoch seconds would drift by rounding
            # and refuse the 25th call of "25/5s".
            now_us = round(now * _MICROS)
            for budget in budgets:
                period_us = round(budget.rate.period * _MICROS)
                interval_us = max(1, round(period_us / budget.rate.count))
                size = lease_size(budget.rate)
                row = None
                for calls in dict.fromkeys((size, 1)):
                    row = connection.execute(
                        _CHARGE, (budget.key, now_us, interval_us * calls, period_us)
                    ).fetchone()
                    if row is not None:
                        granted.append((budget.key, calls))
                        break
                if row is None:
                    (tat,) = connection.execute(
                        "SELECT tat FROM budgets WHERE key = ?", (budget.key,)
                    ).fetchone()
                    connection.execute("ROLLBACK")  # none of the budgets is charged
                    wait_us = max(int(tat), now_us) + interval_us - period_us - now_us
                    denial = Denial(budget, max(wait_us, 0) / _MICROS)
                    break
        if denial is not None:
            return denial
        for key, calls in granted:
            self._leases.grant(key, calls, now + LEASE_SECONDS)
        return None

    def admit(self, key: str, clock: Clock, policy: ThrottlePolicy) -> Admission:
        # The key's row must not change between reading the count and taking
        # the slot: the write lock is held from the read to the commit.
        with self._transaction() as connection:
            now = clock.now()
            row = connection.execute(_THROTTLE_ROW, (key,)).fetchone()
            state = _current(row, now, policy)
            wait = state.retry_after(now)
            if wait > 0:
                return Admission(False, wait)
            if state.in_flight >= policy.open_slots(state.failures):
                return SLOTS_HELD
            taken = ThrottleState(state.failures, state.blocked_until, state.in_flight + 1)
            _put(connection, key, policy, taken, _last_failure(row), now + IN_FLIGHT_LEASE)
        return ADMITTED

    def settle(
        self, key: str, clock: Clock, policy: ThrottlePolicy, failed: bool | None
    ) -> ThrottleState:
        with self._transaction() as connection:
            now = clock.now()
            row = connection.execute(_THROTTLE_ROW, (key,)).fetchone()
            state = _current(row, now, policy)
            in_flight = max(0, state.in_flight - 1)
            last_failure = _last_failure(row)
            if failed is None:
                state = ThrottleState(state.failures, state.blocked_until, in_flight)
            elif not failed:
                state = ThrottleState(0, 0.0, in_flight)
            elif state.blocked_until <= now:
                failures = state.failures + 1
                delay = policy.delay(failures)
                state = ThrottleState(failures, now + delay if delay else 0.0, in_flight)
                last_failure = now
            else:
                state = ThrottleState(state.failures, state.blocked_until, in_flight)
            if state.failures == 0 and state.in_flight == 0:
                connection.execute(_DELETE_THROTTLE, (key,))
            else:
                in_flight_until = 0.0 if row is None else float(row[4])
                _put(connection, key, policy, state, last_failure, in_flight_until)
        return state

    def clear(self, key: str) -> None:
        with self._transaction() as connection:
            connection.execute(_DELETE_THROTTLE, (key,))

    def prune(self, clock: Clock) -> int:
        removed = 0
        for statement, in_micros in _PRUNE:
            while True:
                now = clock.now()
                cutoff = round(now * _MICROS) if in_micros else now
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


def _current(row: _ThrottleRow | None, now: float, policy: ThrottlePolicy) -> ThrottleState:
    """The throttle state a row stands for at `now`: a lapsed in-flight lease
    frees its slots, and a quiet `forget_after` wipes a count whose delay is over."""
    if row is None:
        return ThrottleState(0, 0.0)
    failures, blocked_until, last_failure, in_flight, in_flight_until = row
    if in_flight_until <= now:
        in_flight = 0
    if last_failure < now - policy.forget_after and blocked_until <= now:
        failures, blocked_until = 0, 0.0
    return ThrottleState(int(failures), float(blocked_until), int(in_flight))


def _last_failure(row: _ThrottleRow | None) -> float:
    return 0.0 if row is None else float(row[2])


def _put(  # noqa: PLR0917 (one row's columns)
    connection: sqlite3.Connection,
    key: str,
    policy: ThrottlePolicy,
    state: ThrottleState,
    last_failure: float,
    in_flight_until: float,
) -> None:
    forgotten_at = last_failure + policy.forget_after if state.failures else 0.0
    held_until = in_flight_until if state.in_flight else 0.0
    expires_at = max(state.blocked_until, forgotten_at, held_until)
    connection.execute(
        _PUT_THROTTLE,
        (
            key,
            state.failures,
            state.blocked_until,
            last_failure,
            state.in_flight,
            in_flight_until,
            expires_at,
        ),
    )


def _columns(connection: sqlite3.Connection, table: str) -> set[str]:
    return {str(row[1]) for row in connection.execute(f"PRAGMA table_info({table})")}
