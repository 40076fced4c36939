"""A limits store that cannot be used is logged once per cause, not once per
call, and once more when it works again: a full disk or a lost Redis would
otherwise write a line for every call refused meanwhile."""

from __future__ import annotations

import logging

log = logging.getLogger("passgate.limits")


class Outage:
    def __init__(self, store: str, failing: str) -> None:
        """`store` names it for the operator (no password); `failing` says what
        cannot be done to it ("cannot be written")."""
        self._store = store
        self._failing_text = failing
        self._failing: str | None = None  # the cause last logged, until the store works again

    def failed(self, error: Exception) -> None:
        cause = str(error)
        if cause != self._failing:
            self._failing = cause
            log.error(
                "limits store %s %s (%s): calls answer UNAVAILABLE until it can",
                self._store,
                self._failing_text,
                cause,
            )

    def worked(self) -> None:
        if self._failing is not None:
            self._failing = None
            log.warning("limits store %s works again", self._store)
