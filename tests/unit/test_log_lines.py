"""The JSON log line: its timestamp is the record's own, to the millisecond,
whatever second the formatter last saw."""

from __future__ import annotations

import json
import logging

from passgate.logs import JsonFormatter


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
