"""Something passgate depends on that cannot be used (a database, a limits
store) is logged once per cause, not once per call or per round, and once
more when it works again: a full disk, a stopped PostgreSQL or a lost Redis
would otherwise write a line for every call refused meanwhile."""

from __future__ import annotations

import logging


class Outage:
    def __init__(
        self,
        log: logging.Logger,
        subject: str,
        failing: str,
        consequence: str = "",
        *,
        every_cause: bool = True,
    ) -> None:
        """Logs "`subject` `failing` (cause)`consequence`" once per cause, e.g.
        "limits store X" "cannot be written" ": calls answer UNAVAILABLE until it
        can"; `subject` names it for the operator (never a password). Without
        `every_cause`, only the first cause until it works again: for an
        outage that changes nothing callers see whatever its cause."""
        self._log = log
        self._subject = subject
        self._failing = failing
        self._consequence = consequence
        self._every_cause = every_cause
        self._cause: str | None = None  # the cause last logged, until it works again

    def failed(self, cause: str) -> None:
        if self._cause is None or (self._every_cause and cause != self._cause):
            self._cause = cause
            self._log.error("%s %s (%s)%s", self._subject, self._failing, cause, self._consequence)

    def worked(self) -> None:
        if self._cause is not None:
            self._cause = None
            self._log.warning("%s works again", self._subject)
