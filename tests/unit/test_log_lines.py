"""The JSON log line: its timestamp is the record's own, to the millisecond,
whatever second the formatter last saw; the per-call line, written without a
LogRecord, is the line logging would write."""

from __future__ import annotations

import io
import json
import logging

import pytest

from passgate.logs import BatchingHandler, JsonFormatter, info_fields


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


def test_the_per_call_line_is_the_line_logging_would_write() -> None:
    stream = io.StringIO()
    handler = BatchingHandler(stream, interval=3600)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("passgate.test-call-line")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    fields = {"event": "rpc", "method": "/p.S/M", "code": "OK", "ms": 0.12, "peer": 'a"b\\c'}
    try:
        info_fields(logger, "rpc", fields)
        logger.info("rpc", extra={"fields": fields})
        logger.setLevel(logging.WARNING)
        info_fields(logger, "rpc", fields)  # below the level: nothing
        handler.flush()
    finally:
        logger.removeHandler(handler)
        handler.close()
    fast, slow = (json.loads(line) for line in stream.getvalue().splitlines())
    assert fast.pop("ts")[:4] == slow.pop("ts")[:4]
    assert fast == slow
    assert fast["peer"] == 'a"b\\c'


def test_a_line_that_cannot_be_written_never_reaches_the_caller(
    capsys: pytest.CaptureFixture[str],
) -> None:
    handler = BatchingHandler(io.StringIO(), interval=3600)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("passgate.test-unwritable")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        info_fields(logger, "rpc", {"n": 2**70})  # beyond what JSON encoders take
    finally:
        logger.removeHandler(handler)
        handler.close()
    assert "Logging error" in capsys.readouterr().err  # logging's own report, on stderr
