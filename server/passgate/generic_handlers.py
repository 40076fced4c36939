"""Adds servicers to a grpcio asyncio server as generic handlers only.

A generated `add_*Servicer_to_server` function hands the server each method
twice: in a generic handler, found by name when a call arrives, and as a
"registered method". grpcio's asyncio server keeps one pending request for
every registered method, and for every call it accepts waits again on all of
them (`asyncio.wait` over one future per method: a done-callback added and
removed on each). That is work per call in proportion to the number of
methods served: with AuthService, AdminService, health and reflection about
35 futures per accepted call, the largest part of what VerifySession cost
beyond a bare server (a deterministic profile counted 38.7 futures walked per
call against the bare echo server's 6.4). Served as generic handlers only,
the server waits on one pending request whatever the number of methods; the
handler is found by name (passgate's `CheckedHandlers` keeps each method's
guarded handler, so that is one dictionary look-up).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

import grpc


class HandlerTarget(Protocol):
    """What serves generic handlers: a server, or passgate's `CheckedHandlers`."""

    def add_generic_rpc_handlers(self, handlers: Sequence[grpc.GenericRpcHandler]) -> None: ...


class GenericHandlersOnly:
    """What generated registration functions call on a server, passing on the
    generic handlers and leaving out the registered methods."""

    def __init__(self, server: HandlerTarget) -> None:
        self._server = server

    def add_generic_rpc_handlers(self, handlers: Sequence[grpc.GenericRpcHandler]) -> None:
        self._server.add_generic_rpc_handlers(handlers)

    def add_registered_method_handlers(self, service_name: str, handlers: dict[str, Any]) -> None:
        """Left out: the generic handler added beside them serves the same methods."""


def add_servicer(
    add_to_server: Callable[[Any, Any], None], servicer: object, server: HandlerTarget
) -> None:
    """`add_to_server(servicer, server)` (a generated `add_*Servicer_to_server`),
    with the methods served as generic handlers only."""
    add_to_server(servicer, GenericHandlersOnly(server))
