"""Which passgate this is: what `passgate --version` prints, the `serving` log
line names and the `passgate_build_info` metric carries."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def installed_version() -> str:
    """The installed distribution's version; "unknown" when run from a tree that
    was never installed (then nothing can say which release it is)."""
    try:
        return version("passgate")
    except PackageNotFoundError:
        return "unknown"
