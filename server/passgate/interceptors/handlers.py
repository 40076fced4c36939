"""The server's one generic handler, and the pieces every per-call concern shares.

Every method passgate serves is found through `CheckedHandlers`, which hands
grpcio each method's guarded handler, built once. It stands where an
interceptor would: grpcio awaits every interceptor on every call (a coroutine
of its pipeline's and one of the interceptor's around the look-up), where a
generic handler's `service` is one plain call, a dictionary look-up. Each
concern (API key, budgets) is a check: a plain function run in order inside
the guard's coroutine, which refuses by raising. A call then costs one
coroutine of passgate's around the servicer's, not one per concern.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

import grpc

from passgate.errors import MethodNotFound
from passgate.interceptors.call import CallRecord

if TYPE_CHECKING:  # grpcio's classes are generic only in their type stubs
    Handler: TypeAlias = grpc.RpcMethodHandler[Any, Any]
    Context: TypeAlias = grpc.aio.ServicerContext[Any, Any]
else:
    Handler = grpc.RpcMethodHandler
    Context = grpc.aio.ServicerContext
Behavior = Callable[[Any, Context], Awaitable[Any]]
# A server-streaming method's behaviour: an async generator of its responses.
StreamBehavior = Callable[[Any, Context], AsyncIterator[Any]]
Check = Callable[[CallRecord, Context], Awaitable[None] | None]
"""Runs before a call's message is awaited, with the call's record and metadata;
refuses by raising. A check that must wait for the network (a budget in
Redis) returns an awaitable that the guard awaits, so the event loop serves
other calls meanwhile; the others answer at once and return None."""


class CallCheck:
    """One concern checked before the behaviour of the methods it covers."""

    def check_for(self, full_method: str) -> Check | None:
        """The check to run on calls of `full_method`; None when it does not apply."""
        raise NotImplementedError


class Guard(Protocol):
    def guard(self, full_method: str, handler: Handler, checks: tuple[Check, ...]) -> Handler:
        """A handler for the unary `handler`'s method whose behaviour runs after
        `checks`, in one coroutine."""
        ...

    def guard_stream(
        self, full_method: str, handler: Handler, checks: tuple[Check, ...]
    ) -> Handler:
        """The same for the server-streaming `handler`: `checks` run before
        its first response."""
        ...


class CheckedHandlers(grpc.GenericRpcHandler):
    """Every servicer's methods, each guarded once with the checks that cover
    it, and handed to grpcio on every call: the server's only generic handler.

    Servicers are added to it as to a server (`generic_handlers.add_servicer`).
    A method passgate does not have still goes through its checks (a caller
    without a key learns nothing of what exists) and is then answered
    UNIMPLEMENTED. Server-streaming methods (WatchEvents) get the same checks
    through a guard of their own, chosen here once per method, so the unary
    calls' guard carries no test for them. Guarded handlers are kept per
    method name, a bounded number of them, since callers may send any method
    name they like.
    """

    _CACHE_LIMIT = 256

    def __init__(self, guard: Guard, *checks: CallCheck) -> None:
        self._guard = guard
        self._checks = checks
        self._servicers: list[grpc.GenericRpcHandler] = []
        self._guarded: dict[str, Handler | None] = {}

    def add_generic_rpc_handlers(self, handlers: Sequence[grpc.GenericRpcHandler]) -> None:
        """What a servicer's generated registration hands a server: its methods."""
        self._servicers.extend(handlers)
        self._guarded.clear()

    def service(self, handler_call_details: grpc.HandlerCallDetails) -> Handler | None:
        full_method: str = handler_call_details.method
        try:
            return self._guarded[full_method]
        except KeyError:
            pass
        guarded = self._build(full_method, self._served(handler_call_details))
        if len(self._guarded) < self._CACHE_LIMIT:
            self._guarded[full_method] = guarded
        return guarded

    def _served(self, handler_call_details: grpc.HandlerCallDetails) -> Handler | None:
        """The servicers' own handler for the call's method; None when none has it."""
        for servicer in self._servicers:
            handler = servicer.service(handler_call_details)
            if handler is not None:
                return handler
        return None

    def _build(self, full_method: str, handler: Handler | None) -> Handler | None:
        checks = tuple(
            check
            for check in (concern.check_for(full_method) for concern in self._checks)
            if check is not None
        )
        if handler is None and checks:
            handler = grpc.unary_unary_rpc_method_handler(_unknown_method)
        if handler is None:
            return None
        if handler.unary_unary is not None:
            return self._guard.guard(full_method, handler, checks)
        if not checks:
            return handler  # open streaming methods (reflection, health Watch) pass as they are
        if handler.unary_stream is not None:
            return self._guard.guard_stream(full_method, handler, checks)
        # a client-streaming method that needs checks: passgate has none, and
        # would refuse one rather than serve it unchecked
        return self._guard.guard(
            full_method, grpc.unary_unary_rpc_method_handler(_unknown_method), checks
        )


async def _unknown_method(request: Any, context: Context) -> Any:
    raise MethodNotFound()


def method_name(full_method: str) -> str:
    """`/passgate.auth.v1.AuthService/SignIn` → `SignIn`."""
    return full_method.rsplit("/", 1)[-1]


def metadata_values(context: Context, key: str) -> list[str]:
    """Every value of `key` in the call's metadata, wherever it stands."""
    return [str(v) for k, v in (context.invocation_metadata() or ()) if k == key]
