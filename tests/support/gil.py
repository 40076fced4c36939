"""Whether native work lets go of the interpreter lock while it runs."""

from __future__ import annotations

import threading
from collections.abc import Callable


def spins_beside(work: Callable[[], object]) -> int:
    """How many times this thread went round a Python loop while `work` ran on
    another thread. Were `work` to hold the interpreter lock, the loop would
    hardly run until it ended: a few switches' worth, not hundreds of thousands."""
    started = threading.Event()

    def run() -> None:
        started.set()
        work()

    thread = threading.Thread(target=run)
    thread.start()
    started.wait()
    spins = 0
    while thread.is_alive():
        spins += 1
    thread.join()
    return spins
