"""Plain SQL for the per-call hot paths, where building a query costs more than running it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import peewee

from passgate import tracing


def execute(database: peewee.Database, sql: str, params: Sequence[object] = ()) -> Any:
    """Runs `sql` written with `?` placeholders on any backend; returns the cursor."""
    if database.param != "?":
        sql = sql.replace("?", database.param)
    if tracing.TRACER is None:
        return database.execute_sql(sql, params)  # type: ignore[no-untyped-call]
    with tracing.child("db", **{"db.statement": sql}):
        return database.execute_sql(sql, params)  # type: ignore[no-untyped-call]
