"""Wrapping a grpcio method handler's behaviour, for interceptors that act per call.

grpcio's asyncio server awaits `intercept_service` on the event loop for every
call, so interceptors only look up a handler wrapped once per method there;
their work happens inside the wrapped behaviour, a coroutine.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import grpc

if TYPE_CHECKING:  # grpcio's classes are generic only in their type stubs
    Handler: TypeAlias = grpc.RpcMethodHandler[Any, Any]
    Context: TypeAlias = grpc.aio.ServicerContext[Any, Any]
else:
    Handler = grpc.RpcMethodHandler
    Context = grpc.aio.ServicerContext
Behavior = Callable[[Any, Context], Awaitable[Any]]
Continuation = Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]]


def wrap_unary(handler: Handler | None, wrap: Callable[[Behavior], Behavior]) -> Handler | None:
    """A copy of `handler` whose unary-unary behaviour is `wrap(original)`; others pass.
    Every passgate behaviour is a coroutine function (the stubs type them as plain ones)."""
    if handler is None or handler.unary_unary is None:
        return handler
    original = cast(Behavior, handler.unary_unary)
    return cast(Handler, cast(Any, handler)._replace(unary_unary=wrap(original)))


class HandlerWrapper:
    """One concern applied around a method's handler (errors, API key, budgets)."""

    def wrap(self, full_method: str, handler: Handler | None) -> Handler | None:
        raise NotImplementedError


class WrappingInterceptor(grpc.aio.ServerInterceptor):
    """The one interceptor: applies `wrappers` (outermost first) to each
    method's handler once, and hands grpcio the result on every call.

    grpcio awaits every interceptor on every call, on the event loop; one
    interceptor with its wrappers composed ahead of time costs a single
    dictionary lookup there. Wrapped handlers are kept per method name, a
    bounded number of them, since callers may send any method name they like.
    """

    _CACHE_LIMIT = 256

    def __init__(self, *wrappers: HandlerWrapper) -> None:
        self._wrappers = wrappers
        self._wrapped: dict[str, Handler | None] = {}

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        full_method: str = handler_call_details.method
        try:
            return self._wrapped[full_method]
        except KeyError:
            pass
        wrapped = await continuation(handler_call_details)
        for wrapper in reversed(self._wrappers):
            wrapped = wrapper.wrap(full_method, wrapped)
        if len(self._wrapped) < self._CACHE_LIMIT:
            self._wrapped[full_method] = wrapped
        return wrapped


def method_name(full_method: str) -> str:
    """`/passgate.auth.v1.AuthService/SignIn` → `SignIn`."""
    return full_method.rsplit("/", 1)[-1]


def metadata_values(context: Context, key: str) -> list[str]:
    """Every value of `key` in the call's metadata, wherever it stands."""
    return [str(v) for k, v in (context.invocation_metadata() or ()) if k == key]
