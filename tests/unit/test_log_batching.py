"""The log writer thread: an idle server's writer sleeps until there is a line
to write (it does not wake fifty times a second to find nothing); a queued
line still leaves within the flush interval, a warning at once, and a line
queued while a batch is being written is not left behind."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from passgate.logs import FLUSH_SECONDS, BatchingHandler


def _wakeups(handler: BatchingHandler) -> int:
    """How many times the writer thread has gone to sleep and been woken (its
    voluntary context switches, as the kernel counts them)."""
    native_id = handler._writer.native_id
    status = Path(f"/proc/self/task/{native_id}/status").read_text()
    return int(status.split("\nvoluntary_ctxt_switches:")[1].split()[0])


def _written(stream: io.StringIO, lines: int, within: float = 5.0) -> list[str]:
    """The stream's lines once it holds `lines` of them (or what it holds after `within` s)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = stream.getvalue().splitlines()
        if len(found) >= lines:
            return found
        time.sleep(0.005)
    return stream.getvalue().splitlines()


@contextmanager
def handler_on(stream: io.StringIO, interval: float = FLUSH_SECONDS) -> Iterator[BatchingHandler]:
    handler = BatchingHandler(stream, interval=interval)
    try:
        yield handler
    finally:
        handler.close()


def test_an_idle_writer_sleeps_until_a_line_comes() -> None:
    stream = io.StringIO()
    with handler_on(stream) as handler:
        time.sleep(0.1)  # the thread has started and gone to sleep
        before = _wakeups(handler)
        time.sleep(1.0)  # fifty flush intervals
        assert _wakeups(handler) - before <= 2
        handler.write("one", logging.INFO)
        assert _written(stream, 1) == ["one"]
        assert stream.getvalue() == "one\n"


def test_lines_queued_one_after_another_all_leave_without_a_flush() -> None:
    stream = io.StringIO()
    with handler_on(stream) as handler:
        for n in range(50):
            handler.write(f"line {n}", logging.INFO)
            if n % 7 == 0:
                time.sleep(FLUSH_SECONDS * 1.5)  # some lines land while a batch leaves
        assert _written(stream, 50) == [f"line {n}" for n in range(50)]


def test_a_warning_leaves_at_once_and_takes_the_queued_lines_with_it() -> None:
    stream = io.StringIO()
    with handler_on(stream, interval=3600) as handler:
        handler.write("info first", logging.INFO)
        handler.write("then a warning", logging.WARNING)
        assert _written(stream, 2) == ["info first", "then a warning"]
