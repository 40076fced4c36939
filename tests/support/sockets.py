"""Which process holds a TCP connection, read from Linux's /proc: when several
servers on one machine talk to one peer (replicas to one SMTP relay), the
peer sees only a port, and a test must know which server that is."""

from __future__ import annotations

import os
from collections.abc import Iterable

from passgate.testing import tcp_sockets


def process_with_connection(local_port: int, pids: Iterable[int]) -> int | None:
    """The one of `pids` whose open socket has `local_port` as its own port
    (the port a peer sees the connection come from); None if none has."""
    inodes = {f"socket:[{s.inode}]" for s in tcp_sockets() if s.local_port == local_port}
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
