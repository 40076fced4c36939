"""Which process holds a TCP connection, read from Linux's /proc: when several
servers on one machine talk to one peer (replicas to one SMTP relay), the
peer sees only a port, and a test must know which server that is."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def _inodes_with_local_port(port: int) -> set[str]:
    """Socket inodes of every TCP socket on this machine whose local port is `port`."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def process_with_connection(local_port: int, pids: Iterable[int]) -> int | None:
    """The one of `pids` whose open socket has `local_port` as its own port
    (the port a peer sees the connection come from); None if none has."""
    inodes = {f"socket:[{inode}]" for inode in _inodes_with_local_port(local_port)}
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                    return pid
            except OSError:
                continue
    return None
