"""Calls whose caller has gone, and the changes they must then not commit.

A SignIn, ChangePassword or SubmitReset spends a bcrypt computation (a quarter
of a second at cost 12) on a worker thread before it writes. A caller whose
deadline passes meanwhile, or who cancels, hears DEADLINE_EXCEEDED or
CANCELLED and nothing else; were the change committed anyway, it would hold a
password changed under it, a session revoked, and no token for the new one:
a retry then fails in ways that explain nothing. So each such change checks,
in its transaction just before the commit, that its caller still waits, and
rolls back if not. What cannot be closed is the moment of the commit itself:
a deadline that passes while it is being written may still see the change
made (README, "Deadlines").

grpcio cancels a call's handler when its caller goes; `Offload.run` then
marks the call's event, which the worker thread sees through the context it
runs in.
"""

from __future__ import annotations

import threading
from contextvars import ContextVar

_CALLER_GONE: ContextVar[threading.Event | None] = ContextVar("caller_gone", default=None)


class CallAbandoned(Exception):
    """The caller went before the change committed; it was rolled back.

    Not a PassgateError: the caller hears nothing more, and a sign-in throttle
    counts such an attempt neither as a failure nor as a success."""


def watch_caller(gone: threading.Event) -> None:
    """Makes `gone` the event `commit_only_if_caller_waits` looks at, in the current
    context (the worker thread's copy of the call's)."""
    _CALLER_GONE.set(gone)


def commit_only_if_caller_waits() -> None:
    """Raises CallAbandoned, inside a transaction so that it rolls back, if the
    call's caller has gone; nothing outside a call (the CLI, tests)."""
    gone = _CALLER_GONE.get()
    if gone is not None and gone.is_set():
        raise CallAbandoned()
