"""The log writer thread: an idle server's writer sleeps until there is a line
to write (it does not wake fifty times a second to find nothing); a queued
line still leaves within the flush interval, a warning at once, a line
queued while a batch is being written is not left behind, and lines written
by many threads at once each leave once."""

from __future__ import annotations

import io
import logging
import threading
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
                time.sleep(FLUSH_SECONDS * 1.5)  # the next line starts a new batch
        assert _written(stream, 50) == [f"line {n}" for n in range(50)]


def test_a_warning_leaves_at_once_and_takes_the_queued_lines_with_it() -> None:
    stream = io.StringIO()
    with handler_on(stream, interval=3600) as handler:
        handler.write("info first", logging.INFO)
        handler.write("then a warning", logging.WARNING)
        assert _written(stream, 2) == ["info first", "then a warning"]


def test_lines_from_many_threads_each_leave_once() -> None:
    """8 threads writing 500 lines each, some pausing past a flush interval so
    their lines land in empty batches and in batches being written: every line
    leaves exactly once."""
    stream = io.StringIO()
    with handler_on(stream) as handler:

        def writer(n: int) -> None:
            for i in range(500):
                handler.write(f"{n}:{i}", logging.INFO)
                if i % 100 == n:
                    time.sleep(FLUSH_SECONDS * 1.5)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        written = _written(stream, 4000)
    assert sorted(written) == sorted(f"{n}:{i}" for n in range(8) for i in range(500))


class _HeldStream(io.StringIO):
    """A stream whose writes wait for `go`: a batch caught in the middle of leaving."""

    def __init__(self) -> None:
        super().__init__()
        self.writing = threading.Event()
        self.go = threading.Event()

    def write(self, text: str) -> int:
        self.writing.set()
        self.go.wait(10)
        return super().write(text)


def test_a_line_queued_while_a_batch_is_being_written_leaves_after_it() -> None:
    stream = _HeldStream()
    with handler_on(stream) as handler:
        handler.write("first", logging.INFO)
        assert stream.writing.wait(5)  # the writer holds "first", on its way out
        handler.write("second", logging.INFO)  # a new batch, the writer still busy
        stream.go.set()
        assert _written(stream, 2) == ["first", "second"]
