"""What a transaction holds, said once for every engine: the only place where
the SQL differs between SQLite and PostgreSQL.

SQLite has one writer. passgate opens its transactions with `BEGIN IMMEDIATE`
(`store/db.py`), so a transaction holds the database's write lock from its
first statement to its end: no other writer runs in between, and every lock
asked for here is already held. There the lock calls do nothing and the
clauses are empty.

PostgreSQL runs transactions side by side under READ COMMITTED: each statement
sees what was committed when it started, and rows are locked one by one. There
the locks below are taken for real and held until the transaction ends, and a
statement run after a lock was granted sees what its previous holder committed.
Every transaction that locks a user's row does so before it touches that
user's sessions or reset tokens, so no two of them wait on each other in a circle.
"""

from __future__ import annotations

import peewee

from passgate.store import raw

# The advisory lock housekeeping runs under: the bytes of "passgate" as a
# bigint, far above 2**31, so no subject lock (`hashtext` gives a 32-bit
# value) ever collides with it.
_TRY_HOUSEKEEPING_LOCK = "SELECT pg_try_advisory_xact_lock(8097880544481735781)"
# The advisory lock event inserts run under: the same bytes plus one.
_EVENT_ORDER_LOCK = "SELECT pg_advisory_xact_lock(8097880544481735782)"
# The advisory lock migrations run under: the one after the event lock.
_MIGRATION_LOCK = "SELECT pg_advisory_xact_lock(8097880544481735783)"


def on_postgresql(database: peewee.Database) -> bool:
    return isinstance(database, peewee.PostgresqlDatabase)


def for_share(database: peewee.Database) -> str:
    """The clause ending a SELECT whose rows no other transaction may change
    until this one ends (others may read them, and hold them the same way)."""
    return " FOR SHARE" if on_postgresql(database) else ""


def for_update_skip_locked(database: peewee.Database) -> str:
    """The clause ending a SELECT that takes the first rows no other transaction
    holds, and holds them: two workers picking a row never pick the same one."""
    return " FOR UPDATE SKIP LOCKED" if on_postgresql(database) else ""


def last_event_id_given_out(database: peewee.Database) -> str:
    """The query for the highest events id ever drawn, rows since pruned
    included (0 before the first): from the table's sequence, not its rows."""
    if on_postgresql(database):
        return "SELECT COALESCE(pg_sequence_last_value(pg_get_serial_sequence('events', 'id')), 0)"
    return "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)"


class SqlLocks:
    def __init__(self, database: peewee.Database) -> None:
        self._db = database
        self._postgresql = on_postgresql(database)

    def lock_user(self, user_id: str) -> None:
        """Holds the user's row until the transaction ends: a password change, a
        reset and a sign-in's session insert each decide on what the row says,
        and must not interleave with another that changes it."""
        if self._postgresql:
            raw.execute(self._db, "SELECT id FROM users WHERE id = ? FOR UPDATE", (user_id,))
        # SQLite: the IMMEDIATE transaction already holds the write lock.

    def lock_tenant(self, tenant_id: str) -> None:
        """Holds the tenant's row until the transaction ends: its reset-URL
        allow-list is read, changed and written back under it."""
        if self._postgresql:
            raw.execute(self._db, "SELECT id FROM tenants WHERE id = ? FOR UPDATE", (tenant_id,))
        # SQLite: the IMMEDIATE transaction already holds the write lock.

    def lock_reset_subject(self, subject: str) -> None:
        """Serialises reset requests counted against one subject (an account, or
        the text typed for an unknown one), which may have no row to lock."""
        if self._postgresql:
            raw.execute(self._db, "SELECT pg_advisory_xact_lock(hashtext(?))", (subject,))
        # SQLite: the IMMEDIATE transaction already holds the write lock.

    def lock_event_order(self) -> None:
        """Serialises transactions that record an event, from the insert to the
        commit: ids are then committed in the order they were drawn, so a watcher
        reading `id > last seen` never finds a lower id appear after a higher one.
        Taken as a transaction's last step, so it is held for its commit alone."""
        if self._postgresql:
            raw.execute(self._db, _EVENT_ORDER_LOCK)

    def lock_migrations(self) -> None:
        """Serialises migrating processes (servers of one deployment starting together):
        finding a migration missing and applying it must not interleave with another
        process doing the same, or both apply it and the second fails."""
        if self._postgresql:
            raw.execute(self._db, _MIGRATION_LOCK)
        # SQLite: the IMMEDIATE transaction already holds the write lock.

    def try_lock_housekeeping(self) -> bool:
        """Whether this transaction may prune: one process at a time on
        PostgreSQL, where another one pruning now means this one skips its round."""
        if not self._postgresql:
            return True  # SQLite: the IMMEDIATE transaction already holds the write lock
        row = raw.execute(self._db, _TRY_HOUSEKEEPING_LOCK).fetchone()
        return bool(row[0])
