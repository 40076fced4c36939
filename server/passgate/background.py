"""A daemon thread that runs one loop until asked to stop: the shape of
passgate's background workers (mail delivery, its lease keeper, pruning)."""

from __future__ import annotations

import threading


class BackgroundThread:
    """Subclasses write `_run`, which loops until `self._stop` is set, waiting
    on it (`self._stop.wait(seconds)`) so that `stop()` ends the wait at once."""

    def __init__(self, name: str) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Asks the loop to end and waits for it, at most `timeout` seconds."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        raise NotImplementedError
