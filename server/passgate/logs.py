"""Structured logs: one JSON object per line on stderr, secrets never included.

Callers pass structured fields as `extra={"fields": {...}}`; the message text
is for people and never carries request content.

Lines are written in batches by a background thread: a write per call would
release and retake the interpreter lock on every RPC, which costs the cheap
calls about a quarter of their throughput. A batch leaves at least every
`FLUSH_SECONDS` after its first line, at once for warnings and errors, and
at exit; a `kill -9` loses at most that much. With nothing to write, the
writer sleeps.

The line every call writes goes through `RepeatedLines`, which formats it
straight into that batch when passgate's handler is the only one it would
reach (building a LogRecord was half the line's cost), and encodes what
repeats from call to call once.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any, TextIO

import orjson

FLUSH_SECONDS = 0.02
# A timestamp's end, for each millisecond of its second: ".000Z" … ".999Z".
_MILLISECONDS = tuple(f".{ms:03d}Z" for ms in range(1000))


class _Process:
    """This process's id, read once (a system call per line otherwise) and again after a fork."""

    id = os.getpid()

    @classmethod
    def forked(cls) -> None:
        cls.id = os.getpid()


os.register_at_fork(after_in_child=_Process.forked)


def _encode(entry: Mapping[str, Any]) -> str:
    """One JSON object; values JSON has no type for are written as text."""
    return orjson.dumps(entry, default=str).decode()


class JsonFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__()
        # (second, its text), replaced as one value: threads formatting records
        # of different seconds at once never pair a second with another's text.
        self._second: tuple[int, str] = (-1, "")

    def _timestamp(self, created: float) -> str:
        second = int(created)
        cached, text = self._second
        if second != cached:
            text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = (second, text)
        # two strings joined, where formatting the milliseconds took twice the time
        return text + _MILLISECONDS[int((created - second) * 1000)]

    def entry(
        self,
        created: float,
        level: str,
        logger: str,
        pid: int | None,
        message: str,
        *,
        fields: Mapping[str, Any],
    ) -> dict[str, Any]:
        """The fields every line starts with, then `fields`: one dict, built in one step."""
        return {
            "ts": self._timestamp(created),
            "level": level,
            "logger": logger,
            "pid": pid,
            "msg": message,
            **fields,
        }

    def format(self, record: logging.LogRecord) -> str:
        level = record.levelname.lower()
        entry = self.entry(
            record.created,
            level,
            record.name,
            record.process,
            record.getMessage(),
            fields=getattr(record, "fields", {}),
        )
        error_id = getattr(record, "error_id", None)
        if error_id:
            entry["error_id"] = error_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return _encode(entry)


class BatchingHandler(logging.Handler):
    """Formats on the caller's thread, writes from its own."""

    def __init__(self, stream: TextIO, interval: float = FLUSH_SECONDS) -> None:
        super().__init__()
        self._stream = stream
        self._interval = interval
        self._pending: list[str] = []
        self._pending_lock = threading.Lock()
        # Set when a line lands in an empty batch: the writer sleeps on it, so an
        # idle server's writer does not wake every interval to find nothing.
        self._queued = threading.Event()
        # Set by a warning or an error, or by close: the batch leaves at once.
        self._wake = threading.Event()
        self._closed = False
        self._writer = threading.Thread(target=self._run, name="passgate-log", daemon=True)
        self._writer.start()

    def handle(self, record: logging.LogRecord) -> bool:
        """As Handler.handle, without its lock: emit needs none, and eight handler
        threads queueing on one lock while they trade the interpreter lock cost
        more than the formatting itself."""
        if not self.filter(record):
            return False
        self.emit(record)
        return True

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:
            self.handleError(record)
            return
        self.write(line, record.levelno)

    def write(self, line: str, level: int) -> None:
        """Queues a formatted line; warnings and errors leave at once."""
        with self._pending_lock:
            first = not self._pending
            self._pending.append(line)
        if first:
            self._queued.set()
        if level >= logging.WARNING:
            self._wake.set()

    def flush(self) -> None:
        with self._pending_lock:
            lines, self._pending = self._pending, []
        if lines:
            with self.lock or threading.Lock():
                self._stream.write("\n".join(lines) + "\n")
                self._stream.flush()

    def close(self) -> None:
        self._closed = True
        self._queued.set()
        self._wake.set()
        self.flush()
        super().close()

    def _run(self) -> None:
        while not self._closed:
            self._queued.wait()
            self._wake.wait(self._interval)
            self._wake.clear()
            # Cleared before the batch is taken: a line queued after this either
            # leaves with it or sets the flag again for the next.
            self._queued.clear()
            try:
                self.flush()
            except Exception:  # a closed or broken stream: nothing left to tell
                return


def _sole_handler(logger: logging.Logger) -> BatchingHandler | None:
    """The BatchingHandler that is the only handler `logger`'s records reach,
    taking INFO, with no filter on the way; None otherwise."""
    found: BatchingHandler | None = None
    current: logging.Logger | None = logger
    while current is not None:
        if current.filters:
            return None
        for handler in current.handlers:
            if (
                found is not None
                or not isinstance(handler, BatchingHandler)
                or handler.filters
                or handler.level > logging.INFO
            ):
                return None
            found = handler
        current = current.parent if current.propagate else None
    return found


class RepeatedLines:
    """INFO lines of one logger whose fields repeat from line to line but for
    one figure: the line of every call (its method, code, peer and key repeat;
    its duration does not). What repeats is encoded once per distinct set of
    values and kept (a bounded number of them); a line is then its timestamp,
    that text and the figure, joined: about half of what encoding the whole
    line each time cost (some 14,000 instructions a call against 26,000), on
    the event loop of every call.

    `names` are the fields' names, in order; `write` takes their values in the
    same order, None for a field the line leaves out. The line holds what
    `logger.info(message, extra={"fields": ...})` would write, the figure last.
    A value that differs on every line (a trace id) is written without keeping it.
    """

    _LIMIT = 4096

    def __init__(self, logger: logging.Logger, message: str, names: tuple[str, ...], figure: str):
        self._logger = logger
        self._message = message
        self._names = names
        self._figure = figure
        self._kept: dict[tuple[Any, ...], str] = {}
        self._pid = _Process.id

    def write(self, values: tuple[Any, ...], figure: float, *, keep: bool = True) -> None:
        """One line of `values` (as `names`) and the `figure`; `keep` False for
        values that will not come again."""
        logger = self._logger
        if not logger.isEnabledFor(logging.INFO):
            return
        handler = _sole_handler(logger)
        formatter = handler.formatter if handler is not None else None
        if handler is None or not isinstance(formatter, JsonFormatter):
            logger.info(self._message, extra={"fields": self._fields(values, figure)})
            return
        if self._pid != _Process.id:  # a forked child: the pid in every kept text is the parent's
            self._kept, self._pid = {}, _Process.id
        middle = self._kept.get(values)
        if middle is None:
            try:
                middle = self._middle(formatter, values)
            except Exception:  # logging's own path reports it, never the caller
                logger.info(self._message, extra={"fields": self._fields(values, figure)})
                return
            if keep:
                if len(self._kept) >= self._LIMIT:
                    self._kept.clear()
                self._kept[values] = middle
        # a float's repr is JSON (no NaN or infinity reaches here: it is a duration)
        ts = formatter._timestamp(time.time())
        handler.write(f'{{"ts":"{ts}",{middle},"{self._figure}":{figure!r}}}', logging.INFO)

    def _fields(self, values: tuple[Any, ...], figure: float) -> dict[str, Any]:
        named = {name: value for name, value in zip(self._names, values, strict=True)}
        return {**{k: v for k, v in named.items() if v is not None}, self._figure: figure}

    def _middle(self, formatter: JsonFormatter, values: tuple[Any, ...]) -> str:
        """The line's text between its timestamp and its figure, without braces.
        (Its own timestamp, dropped, is taken now: the formatter keeps the text of
        one second, which a timestamp of another second would replace, and every
        traced line, whose text is not kept, comes through here.)"""
        entry = formatter.entry(
            time.time(), "info", self._logger.name, _Process.id, self._message, fields={}
        )
        del entry["ts"]
        entry.update((n, v) for n, v in zip(self._names, values, strict=True) if v is not None)
        return _encode(entry)[1:-1]


class UndecodableMetadataFilter(logging.Filter):
    """grpcio decodes each request metadata value as UTF-8 before passgate sees
    the call; a value that is not (any caller can send one, without a key) is
    read as Latin-1 and logged at ERROR with a traceback and the value itself,
    every time the metadata is read. The call goes on and is refused like any
    other bad key or session (UNAUTHENTICATED), so the log needs to know only
    that it happened: this filter turns the record into one warning without
    the value, at most once per `interval` seconds, counting the rest."""

    GRPC_LOGGER = "grpc._cython.cygrpc"
    GRPC_MESSAGE = "Invalid encoding on %s"

    def __init__(self, interval: float = 10.0) -> None:
        super().__init__()
        self._interval = interval
        self._lock = threading.Lock()  # grpcio may log from its own threads too
        self._next_line = 0.0
        self._unreported = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != self.GRPC_MESSAGE:
            return True
        now = time.monotonic()
        with self._lock:
            if now < self._next_line:
                self._unreported += 1
                return False
            self._next_line = now + self._interval
            earlier, self._unreported = self._unreported, 0
        record.msg = "request metadata not valid UTF-8 (read as Latin-1); value not logged"
        record.args = ()
        record.exc_info = record.exc_text = record.stack_info = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.fields = {"event": "undecodable_metadata", "unreported_before": earlier}
        return True


def configure(level: str = "INFO") -> None:
    # Record fields the JSON lines never show, skipped for every record (the
    # knobs the logging docs give for this); finding the caller's frame alone
    # is a third of a record's cost.
    logging._srcfile = None
    logging.logThreads = False
    logging.logMultiprocessing = False
    handler = BatchingHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    grpc_logger = logging.getLogger(UndecodableMetadataFilter.GRPC_LOGGER)
    if not any(isinstance(f, UndecodableMetadataFilter) for f in grpc_logger.filters):
        grpc_logger.addFilter(UndecodableMetadataFilter())
    atexit.register(handler.flush)
