"""Writing when sessions were last used, off the event loop: VerifySession
only records a use in memory (`Sessions.verify`), and this thread writes them
every period, at most once per session per period."""

from __future__ import annotations

import logging

import peewee

from passgate.background import BackgroundThread
from passgate.identity.sessions import Sessions
from passgate.store.db import release_connection

log = logging.getLogger("passgate.sessions")


class SessionUseWriter(BackgroundThread):
    """Writes the recorded uses every `period` seconds, and once more on stop
    so that a process ending loses none."""

    def __init__(self, sessions: Sessions, database: peewee.Database, period: float) -> None:
        super().__init__("passgate-session-use")
        self._sessions = sessions
        self._db = database
        self._period = period

    def _run(self) -> None:
        while not self._stop.wait(self._period):
            self._write()
        self._write()
        self._db.close()

    def _write(self) -> None:
        try:
            self._sessions.write_use()
        except Exception as error:
            self._failed(log, "writing when sessions were last used", error)
        else:
            self._worked(log, "writing when sessions were last used")
        finally:
            release_connection(self._db)  # a pooled connection is not held between rounds
