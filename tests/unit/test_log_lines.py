"""The JSON log line: its timestamp is the record's own, to the millisecond,
whatever second the formatter last saw; the per-call line, written without a
LogRecord and from text kept for the fields that repeat, is the line logging
would write."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest

from passgate.logs import BatchingHandler, JsonFormatter, RepeatedLines


def record_at(created: float) -> logging.LogRecord:
    record = logging.LogRecord("passgate.rpc", logging.INFO, __file__, 1, "rpc", None, None)
    record.created = created
    record.msecs = (created - int(created)) * 1000
    return record


def test_each_line_carries_its_own_record_s_time() -> None:
    formatter = JsonFormatter()
    # 2026-11-25T23:00:00Z and the second after, formatted in turns
    base = 1_795_647_600.0
    for created, expected in [
        (base + 0.250, "2026-11-25T23:00:00.250Z"),
        (base + 1.125, "2026-11-25T23:00:01.125Z"),
        (base + 0.750, "2026-11-25T23:00:00.750Z"),
        (base + 1.500, "2026-11-25T23:00:01.500Z"),
    ]:
        assert json.loads(formatter.format(record_at(created)))["ts"] == expected


@contextmanager
def batching_logger(name: str, stream: io.StringIO) -> Iterator[tuple[logging.Logger, list[str]]]:
    """A logger whose only handler is passgate's, and the messages of the LogRecords it makes."""
    handler = BatchingHandler(stream, interval=3600)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(name)
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    records: list[str] = []
    make_record = logger.makeRecord

    def counted(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        records.append(record.getMessage())
        return record

    logger.makeRecord = counted  # type: ignore[method-assign]
    try:
        yield logger, records
    finally:
        del logger.makeRecord
        logger.removeHandler(handler)
        handler.close()


NAMES = ("event", "method", "code", "peer", "trace_id")


def test_the_per_call_line_is_the_line_logging_would_write() -> None:
    stream = io.StringIO()
    values = ("rpc", "/p.S/M", "OK", 'a"b\\c', None)
    fields = {"event": "rpc", "method": "/p.S/M", "code": "OK", "peer": 'a"b\\c', "ms": 0.12}
    with batching_logger("passgate.test-call-line", stream) as (logger, records):
        lines = RepeatedLines(logger, "fast", NAMES, figure="ms")
        lines.write(values, 0.12)
        lines.write(values, 0.12)  # from the text kept for these values
        lines.write((*values[:4], "4bf92f35"), 0.12, keep=False)
        assert records == []  # written without a LogRecord
        logger.info("fast", extra={"fields": fields})
        logger.setLevel(logging.WARNING)
        lines.write(values, 0.12)  # below the level: nothing
    first, kept, traced, slow = (json.loads(line) for line in stream.getvalue().splitlines())
    seconds = [datetime.fromisoformat(e.pop("ts")).timestamp() for e in (first, kept, slow)]
    assert max(seconds) - min(seconds) < 1
    assert first == kept == slow
    assert first["peer"] == 'a"b\\c'
    assert traced.pop("trace_id") == "4bf92f35"
    del traced["ts"]
    assert traced == first


def test_a_line_that_cannot_be_written_never_reaches_the_caller(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with batching_logger("passgate.test-unwritable", io.StringIO()) as (logger, records):
        lines = RepeatedLines(logger, "rpc", ("n",), figure="ms")
        lines.write((2**70,), 0.5)  # beyond what JSON encoders take
    assert records == ["rpc"]  # the fast path gave up; logging's own path took it
    assert "Logging error" in capsys.readouterr().err  # and reported the failure on stderr
