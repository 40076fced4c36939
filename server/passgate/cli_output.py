"""How the command line prints records: an aligned table for people by
default, JSON lines with `--json` for scripts; times in ISO 8601 (UTC)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any


def iso(timestamp: float | None) -> str | None:
    """Seconds since the epoch as ISO 8601 in UTC, to the second."""
    if timestamp is None:
        return None
    return (
        datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    )


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value) or "-"
    return str(value)


def print_records(
    rows: Sequence[Mapping[str, Any]], *, as_json: bool, columns: Sequence[str]
) -> None:
    """Prints `rows` as JSON lines, or as a table of `columns` with a header."""
    if as_json:
        for row in rows:
            print(json.dumps(dict(row)))
        return
    table = [[c.upper() for c in columns]] + [[_cell(row[c]) for c in columns] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    for line in table:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        )
