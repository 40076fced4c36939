"""The `passgate` command's entry point, which lets Ctrl-C end it quietly at
any moment.

Python turns SIGINT into KeyboardInterrupt, which, raised while the command
line's modules import or while `serve` starts (before it handles SIGINT
itself and drains), ends in a traceback dozens of lines long. Nothing is
half-done at those moments that a traceback would explain: a migration is one
transaction, and nothing is served yet. So SIGINT ends the process as the
system would, before anything else is imported; `serve` installs its own
handling once it answers calls, and `passgate cluster` its own."""

from __future__ import annotations

import signal
import sys


def run() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    from passgate.cli import main  # noqa: PLC0415 (after the signal: it imports much)

    sys.exit(main())


if __name__ == "__main__":  # how `serve --workers N` starts each worker
    run()
