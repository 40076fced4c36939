"""A daemon thread that runs one loop until asked to stop: the shape of
passgate's background workers (mail delivery, its lease keeper, pruning)."""

from __future__ import annotations

import logging
import threading

from passgate.store.db import outage_cause


class BackgroundThread:
    """Subclasses write `_run`, which loops until `self._stop` is set, waiting
    on it (`self._stop.wait(seconds)`) so that `stop()` ends the wait at once."""

    def __init__(self, name: str) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._outage: str | None = None  # the database failure last logged, until a round works

    def _failed(self, log: logging.Logger, what: str, error: Exception) -> None:
        """Logs a failed round of the loop. A database that cannot be used now
        (stopped, restarting, a full disk) fails every round until it is back:
        one line per cause, no traceback; anything else with its traceback."""
        cause = outage_cause(error)
        if cause is None:
            log.exception("%s failed; trying again", what)
        elif cause != self._outage:
            self._outage = cause
            log.error("%s waits: the database cannot be used (%s)", what, cause)

    def _worked(self, log: logging.Logger, what: str) -> None:
        """Ends an outage `_failed` logged."""
        if self._outage is not None:
            self._outage = None
            log.warning("%s works again", what)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Asks the loop to end and waits for it, at most `timeout` seconds."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        raise NotImplementedError
