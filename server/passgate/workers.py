"""Serving on every core: N worker processes share the listening port
(SO_REUSEPORT, the kernel spreads connections), each a complete passgate
server. One supervisor migrates the database once, starts the workers,
forwards SIGTERM and SIGINT, and exits 0 only if every worker did."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from types import FrameType

from passgate.config import Settings
from passgate.store.db import close_database, open_database
from passgate.store.migrations import migrate

log = logging.getLogger("passgate")

WORKER_ENV = "PASSGATE_WORKER_INDEX"


def supervise(settings: Settings, argv: list[str]) -> int:
    """Runs `settings.workers` copies of `passgate serve` (given as `argv`) until signalled."""
    if settings.listen.rsplit(":", 1)[-1] == "0":
        raise ValueError("--workers needs a fixed port: the workers must share it")
    database = open_database(settings.database, 1)
    migrate(database)
    close_database(database)  # the workers open their own
    children: list[subprocess.Popen[bytes]] = []
    stopping = False

    def forward(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for index in range(settings.workers):
        env = {**os.environ, WORKER_ENV: str(index)}
        children.append(subprocess.Popen([sys.executable, "-m", "passgate.cli", *argv], env=env))  # noqa: S603
    log.info(
        "supervising", extra={"fields": {"workers": settings.workers, "listen": settings.listen}}
    )
    codes: list[int | None] = [None] * len(children)
    while any(code is None for code in codes):
        for i, child in enumerate(children):
            if codes[i] is None:
                codes[i] = child.poll()
                if codes[i] is not None and not stopping:
                    log.error("worker %d exited with %s; stopping the others", i, codes[i])
                    forward(signal.SIGTERM, None)
        time.sleep(0.1)
    return 0 if stopping and all(code == 0 for code in codes) else 1
