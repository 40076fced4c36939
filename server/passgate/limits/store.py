"""Where budgets and throttles keep their state, shared by every process.

The state lives apart from the accounts database: a budget is charged on
every call, so it must not cost an fsync. The embedded default is a SQLite
file with synchronous=OFF: updates are atomic across processes (SQLite's
locks) and survive a crash or `kill -9` of the server (the OS holds the
pages), though not a power cut; call budgets need no more, and throttles
lose at most their last seconds.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from passgate.clock import Clock
from passgate.private_files import private_sqlite_file
from passgate.rates import Rate


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


@dataclass(frozen=True)
class ThrottleState:
    failures: int
    blocked_until: float

    def retry_after(self, now: float) -> float:
        wait = self.blocked_until - now
        return wait if wait > 1e-6 else 0.0  # below float rounding of epoch seconds: over


class LimitStore(Protocol):
    def charge(self, budgets: Sequence[Budget], clock: Clock) -> Denial | None:
        """Charges every budget one call, or none of them; the first denial, if any.

        The clock is read once the state is locked, so time spent waiting for
        the lock never makes a call look early."""
        ...

    def throttle_state(self, key: str, now: float, policy: ThrottlePolicy) -> ThrottleState: ...

    def record_failure(self, key: str, clock: Clock, policy: ThrottlePolicy) -> ThrottleState:
        """Counts a failure (not while blocked: waiting out a delay never extends it)."""
        ...

    def clear(self, key: str) -> None: ...

    def close(self) -> None: ...


_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS budgets (key TEXT PRIMARY KEY, tat INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS throttles (key TEXT PRIMARY KEY, failures INTEGER NOT NULL, "
    "blocked_until REAL NOT NULL, last_failure REAL NOT NULL) WITHOUT ROWID",
)
# GCRA in one statement: the theoretical arrival time (tat) moves on by one
# emission interval per call, and a call passes while tat stays within one
# period of now. No row comes back when the call is refused.
_CHARGE = (
    "INSERT INTO budgets (key, tat) VALUES (?1, ?2 + ?3) "
    "ON CONFLICT (key) DO UPDATE SET tat = max(tat, ?2) + ?3 "
    "WHERE max(tat, ?2) + ?3 - ?2 <= ?4 RETURNING tat"
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


class SqliteLimitStore:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._charge_lock = threading.Lock()
        self._leases = _Leases()
        connection = self._connection()
        for statement in _SCHEMA:
            connection.execute(statement)

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            private_sqlite_file(self._path)
            connection = sqlite3.connect(
                self._path, timeout=10.0, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA journal_mode = wal")
            connection.execute("PRAGMA synchronous = off")
            connection.execute("PRAGMA busy_timeout = 10000")
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

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
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            now = clock.now()
            # Whole microseconds: float epoch seconds would drift by rounding
            # and refuse the 25th call of "25/5s".
            now_us = round(now * _MICROS)
            granted: list[tuple[str, int]] = []
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
                    connection.execute("ROLLBACK")
                    wait_us = max(int(tat), now_us) + interval_us - period_us - now_us
                    return Denial(budget, max(wait_us, 0) / _MICROS)
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        for key, calls in granted:
            self._leases.grant(key, calls, now + LEASE_SECONDS)
        return None

    def throttle_state(self, key: str, now: float, policy: ThrottlePolicy) -> ThrottleState:
        row = (
            self._connection()
            .execute(
                "SELECT failures, blocked_until, last_failure FROM throttles WHERE key = ?", (key,)
            )
            .fetchone()
        )
        if row is None or (row[2] < now - policy.forget_after and row[1] <= now):
            return ThrottleState(0, 0.0)
        return ThrottleState(int(row[0]), float(row[1]))

    def record_failure(self, key: str, clock: Clock, policy: ThrottlePolicy) -> ThrottleState:
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            now = clock.now()
            state = self.throttle_state(key, now, policy)
            if state.blocked_until > now:
                connection.execute("ROLLBACK")
                return state
            failures = state.failures + 1
            delay = policy.delay(failures)
            blocked_until = now + delay if delay else 0.0
            connection.execute(
                "INSERT INTO throttles (key, failures, blocked_until, last_failure) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, "
                "blocked_until = excluded.blocked_until, last_failure = excluded.last_failure",
                (key, failures, blocked_until, now),
            )
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        return ThrottleState(failures, blocked_until)

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM throttles WHERE key = ?", (key,))

    def close(self) -> None:
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()
