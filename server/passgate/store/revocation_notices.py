"""PostgreSQL's invalidation signal: triggers on sessions, API keys, users and
tenants call `pg_notify('passgate_revocations', …)` in the transaction that
ends a record (migration 6), and PostgreSQL delivers the notice to every
listening connection only when that transaction commits. Each process holds
one such connection, outside the pool, and counts the notices it receives.

A notice sent while the connection is down is lost: so while it is down the
generation is unknown (None: caches keep nothing), and every (re)connection
counts as a notice of its own, which empties every cache that kept a record
from before. A notice takes a fraction of a millisecond from commit to this
thread; a call that reaches another process within that fraction can still
be answered from its cache.

From the moment a notice reaches the socket until it is counted, caches keep
nothing: while its bytes wait unread `generation()` sees them, and the
listening thread marks itself counting before it reads them. Reading and
counting in one step would leave a gap (the bytes read, the count not yet
moved) as long as the thread waits for the GIL between the two, which a busy
event loop makes milliseconds.
"""

from __future__ import annotations

import logging
import select
import threading
from typing import Any

import peewee

from passgate.store.postgresql import RevokingChanges

CHANNEL = "passgate_revocations"
RECONNECT_DELAY = 0.5  # seconds between attempts while the server is unreachable
POLL = 1.0  # seconds between checks for a stop request while nothing arrives

log = logging.getLogger("passgate")


class NoticeListener:
    """The revocation generation of this process, moved by PostgreSQL notices."""

    def __init__(self, options: dict[str, Any]) -> None:
        self._options = options
        self._generation = 0  # notices received (moved by the listening thread only)
        self._here: RevokingChanges = RevokingChanges()  # this process's own (see `start`)
        self._connected = False
        self._socket: int | None = None  # the listening connection's, while it is up
        self._counting = False  # set before a notice's bytes are read, cleared once counted
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(
            target=self._listen, name="passgate-revocation-notices", daemon=True
        )

    @classmethod
    def start(cls, database: peewee.PostgresqlDatabase) -> NoticeListener:
        """Listens with a connection of its own; returns once it listens (or gave up waiting)."""
        options = dict(database.connect_params)
        options.setdefault("dbname", database.database)
        listener = cls(options)
        listener._thread.start()
        listener._ready.wait(5.0)
        # this process's own changes move its caches at once, without waiting for their notice
        listener._here = database.revoking  # type: ignore[attr-defined]
        return listener

    def generation(self) -> int | None:
        socket = self._socket
        if not self._connected or socket is None:
            return None
        waiting = _readable(socket, 0)  # a socket closed under our feet counts: reconnecting
        here = self._here
        # in this order: the socket, then `_counting`, then the count (see the docstring)
        if waiting or self._counting or here.under_way:
            return None
        return self._generation + here.ended

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen_once()
            except Exception as error:  # the connection broke or never came: try again
                if self._connected:
                    log.warning(
                        "revocation notices lost; caching nothing until reconnected",
                        extra={"fields": {"error": type(error).__name__}},
                    )
            self._connected = False
            self._socket = None
            self._ready.set()
            self._stop.wait(RECONNECT_DELAY)

    def _listen_once(self) -> None:
        import psycopg  # noqa: PLC0415  (installed with the postgresql extra)

        with psycopg.connect(autocommit=True, **self._options) as connection:
            connection.execute(f"LISTEN {CHANNEL}")
            # notices sent before LISTEN took effect are not coming: count one now
            self._generation += 1
            socket = self._socket = connection.pgconn.socket
            self._connected = True
            self._ready.set()
            while not self._stop.is_set():
                if _readable(socket, POLL):
                    self._count_notices(connection.pgconn)

    def _count_notices(self, pgconn: Any) -> None:
        """Reads what arrived and counts its notices; a broken connection raises."""
        self._counting = True  # before the read: the bytes are still waiting
        try:
            pgconn.consume_input()
            while pgconn.notifies() is not None:
                self._generation += 1
        finally:
            self._counting = False

    def close(self) -> None:
        self._stop.set()
        self._thread.join(POLL + 1.0)
        self._connected = False


def _readable(fd: int, seconds: float) -> bool:
    """Whether `fd` has something to read (or is closed) within `seconds`. poll, not
    select: select refuses descriptors of 1024 and above, which a busy process holds."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(seconds * 1000))
