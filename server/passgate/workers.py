"""Serving on every core: N worker processes share the listening port
(SO_REUSEPORT, the kernel spreads connections), each a complete passgate
server. One supervisor migrates the database once, starts the workers,
forwards SIGTERM and SIGINT, and SIGHUP (re-read the TLS files), and exits 0
only if every worker stopped as asked."""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from passgate.accounts_database import open_accounts_database
from passgate.config import Settings
from passgate.store.db import close_database, open_database
from passgate.store.migrations import migrate

log = logging.getLogger("passgate")

WORKER_ENV = "PASSGATE_WORKER_INDEX"
# The supervisor's pid, which a worker checks is still its parent as it starts.
SUPERVISOR_ENV = "PASSGATE_SUPERVISOR_PID"
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def end_with_supervisor() -> None:
    """Has this worker sent SIGTERM (a graceful stop) when its supervisor ends,
    however it ends: killed with SIGKILL, it can pass nothing on, and workers
    left running would keep the port and serve beside the next start's. If
    the supervisor is already gone, this worker stops now."""
    if sys.platform != "linux" or SUPERVISOR_ENV not in os.environ:
        return
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != int(os.environ[SUPERVISOR_ENV]):
        log.warning("the supervisor ended before this worker started: stopping")
        raise SystemExit(1)


def _metrics(settings: Settings) -> tuple[dict[str, str], Callable[[], None]]:
    """With --metrics-listen: the workers record into files in a folder of
    their own (the environment to give them), and this process serves their
    sum and the outbox backlog; returns the environment and how to stop."""
    if settings.metrics_listen is None:
        return {}, lambda: None
    from passgate import metrics  # noqa: PLC0415  (prometheus-client only when asked for)
    from passgate.store.outbox import SqlOutbox  # noqa: PLC0415

    folder = Path(tempfile.mkdtemp(prefix="passgate-metrics-"))
    registry = metrics.supervisor_registry(folder)
    database = open_database(settings.database, 1)
    registry.register(metrics.OutboxCollector(database, SqlOutbox(database).backlog))
    server = metrics.serve_metrics(settings.metrics_listen, registry)

    def stop() -> None:
        server.shutdown()
        close_database(database)
        shutil.rmtree(folder, ignore_errors=True)

    return {metrics.MULTIPROCESS_ENV: str(folder)}, stop


def supervise(settings: Settings, argv: list[str]) -> int:
    """Runs `settings.workers` copies of `passgate serve` (given as `argv`) until signalled."""
    database = open_accounts_database(settings.database, 1, create=True)
    migrate(database)
    close_database(database)  # the workers open their own
    metrics_env, stop_metrics = _metrics(settings)
    children: list[subprocess.Popen[bytes]] = []
    stopping = False
    failed = False  # a worker ended before anyone asked the supervisor to stop

    def pass_on(signum: int, frame: FrameType | None) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    def forward(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        pass_on(signum, frame)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    # Ignored while the workers start (they inherit it across exec), so a
    # SIGHUP before a worker has its own handler cannot end it; it reads the
    # files as it starts anyway.
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    for index in range(settings.workers):
        env = {
            **os.environ,
            **metrics_env,
            WORKER_ENV: str(index),
            SUPERVISOR_ENV: str(os.getpid()),
        }
        # through the entry point, as the operator's command: a SIGINT while a
        # worker still imports ends it quietly, not with a traceback
        children.append(subprocess.Popen([sys.executable, "-m", "passgate.entry", *argv], env=env))  # noqa: S603
    signal.signal(signal.SIGHUP, pass_on)
    log.info(
        "supervising", extra={"fields": {"workers": settings.workers, "listen": settings.listen}}
    )
    codes: list[int | None] = [None] * len(children)
    while any(code is None for code in codes):
        for i, child in enumerate(children):
            if codes[i] is None:
                codes[i] = child.poll()
                if codes[i] is not None and not stopping:
                    failed = True
                    log.error("worker %d exited with %s; stopping the others", i, codes[i])
                    forward(signal.SIGTERM, None)
        time.sleep(0.1)
    stop_metrics()
    return 0 if not failed and all(_stopped_as_asked(code) for code in codes) else 1


def _stopped_as_asked(code: int | None) -> bool:
    """A worker that drained and returned, or one the stop reached while it was
    still starting: before it handles signals itself, SIGTERM and SIGINT end it
    as the system does, and nothing was being served."""
    return code in (0, -signal.SIGTERM, -signal.SIGINT)
