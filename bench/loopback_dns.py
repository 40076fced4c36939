"""A DNS server on a loopback port that knows one name, for a load generator's
gRPC client to balance over several replicas.

ghz's gRPC (Go) client takes one target. Go's gRPC resolves
`dns://127.0.0.1:PORT/NAME:GRPC_PORT` by asking the DNS server at that port,
so this one answers NAME with the replicas' addresses (each replica listening
on the same port of its own loopback address) and NAME's service config (the
TXT record `_grpc_config.NAME`, as gRPC's DNS resolver reads it) with the
balancing policy, round_robin; every other question with "no such name". The
machine's resolver configuration is left alone. (ghz 0.93's own
`--lb-strategy` flag crashes it on any target but `dns:///`, which would ask
the machine's resolver.)
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Sequence
from types import TracebackType

_A, _TXT, _IN = 1, 16, 1
_NO_ERROR, _NO_SUCH_NAME = 0, 3


def _question(packet: bytes) -> tuple[str, int, int]:
    """The first question's name, type and where the question section ends."""
    labels: list[str] = []
    at = 12
    while (size := packet[at]) != 0:
        labels.append(packet[at + 1 : at + 1 + size].decode("ascii", "replace"))
        at += 1 + size
    qtype = struct.unpack_from("!H", packet, at + 1)[0]
    return ".".join(labels).lower(), qtype, at + 5


def service_config(policy: str) -> bytes:
    """The TXT record's text gRPC's DNS resolver reads a service config from."""
    choice = [{"serviceConfig": {"loadBalancingConfig": [{policy: {}}]}}]
    return b"grpc_config=" + json.dumps(choice, separators=(",", ":")).encode()


def _record(rtype: int, data: bytes) -> bytes:
    """An answer about the question's name (a pointer to it), its data `data`."""
    return struct.pack("!HHHIH", 0xC00C, rtype, _IN, 1, len(data)) + data


def answer(packet: bytes, name: str, addresses: Sequence[str], policy: str) -> bytes:
    """The reply to one query: A records and the service config for `name`, nothing
    for its other types (AAAA), no such name for any other name."""
    asked, qtype, end = _question(packet)
    records: list[bytes] = []
    known = asked == name.lower()
    if known and qtype == _A:
        records = [_record(_A, socket.inet_aton(address)) for address in addresses]
    elif asked == f"_grpc_config.{name}".lower():
        known = True
        if qtype == _TXT:
            text = service_config(policy)
            records = [_record(_TXT, bytes([len(text)]) + text)]
    flags = 0x8180 | (_NO_ERROR if known else _NO_SUCH_NAME)  # a reply; recursion offered
    query_id = struct.unpack_from("!H", packet)[0]
    header = struct.pack("!HHHHHH", query_id, flags, 1, len(records), 0, 0)
    return header + packet[12:end] + b"".join(records)


class LoopbackDns:
    """Answers `name` with `addresses` and the balancing `policy` on
    127.0.0.1:<free port> until closed."""

    def __init__(self, name: str, addresses: Sequence[str], policy: str = "round_robin") -> None:
        self.name = name
        self.addresses = list(addresses)
        self.policy = policy
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port = int(self._socket.getsockname()[1])
        self._thread = threading.Thread(target=self._serve, name="loopback-dns", daemon=True)

    def target(self, grpc_port: int) -> str:
        """The gRPC target (Go's dns resolver, this server as its authority)."""
        return f"dns://127.0.0.1:{self.port}/{self.name}:{grpc_port}"

    def _serve(self) -> None:
        while True:
            try:
                packet, peer = self._socket.recvfrom(4096)
            except OSError:
                return  # closed
            try:
                self._socket.sendto(answer(packet, self.name, self.addresses, self.policy), peer)
            except (IndexError, struct.error, OSError):
                continue  # not a query we can read: no answer, the client asks again

    def __enter__(self) -> LoopbackDns:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._socket.close()
        self._thread.join(5)
