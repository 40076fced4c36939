"""A daemon thread that runs one loop until asked to stop: the shape of
passgate's background workers (mail delivery, its lease keeper, pruning)."""

from __future__ import annotations

import logging
import threading

from passgate.outage import Outage
from passgate.store.db import outage_cause


class BackgroundThread:
    """Subclasses write `_run`, which loops until `self._stop` is set, waiting
    on it (`self._stop.wait(seconds)`) so that `stop()` ends the wait at once."""

    def __init__(self, name: str) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._outages: dict[str, Outage] = {}  # by what the loop does

    def _failed(self, log: logging.Logger, what: str, error: Exception) -> None:
        """Logs a failed round of the loop. A database that cannot be used now
        (stopped, restarting, a full disk) fails every round until it is back:
        one line per cause, no traceback; anything else with its traceback."""
        cause = outage_cause(error)
        if cause is None:
            log.exception("%s failed; trying again", what)
        else:
            self._outage(log, what).failed(cause)

    def _worked(self, log: logging.Logger, what: str) -> None:
        """Ends an outage `_failed` logged."""
        self._outage(log, what).worked()

    def _outage(self, log: logging.Logger, what: str) -> Outage:
        outage = self._outages.get(what)
        if outage is None:
            outage = self._outages[what] = Outage(log, what, "waits: the database cannot be used")
        return outage

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Asks the loop to end and waits for it, at most `timeout` seconds."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        raise NotImplementedError
