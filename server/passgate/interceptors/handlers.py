"""Wrapping a grpcio method handler's behaviour, for interceptors that act per call.

grpcio runs `intercept_service` on its polling thread, so interceptors only
wrap there; the work happens inside the wrapped behaviour, on a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import grpc

Behavior = Callable[[Any, grpc.ServicerContext], Any]
if TYPE_CHECKING:  # grpcio's classes are generic only in their type stubs
    Handler: TypeAlias = grpc.RpcMethodHandler[Any, Any]
else:
    Handler = grpc.RpcMethodHandler
Continuation = Callable[[grpc.HandlerCallDetails], Handler | None]


def wrap_unary(handler: Handler | None, wrap: Callable[[Behavior], Behavior]) -> Handler | None:
    """A copy of `handler` whose unary-unary behaviour is `wrap(original)`; others pass."""
    if handler is None or handler.unary_unary is None:
        return handler
    return cast(Handler, cast(Any, handler)._replace(unary_unary=wrap(handler.unary_unary)))


class WrappingInterceptor(grpc.ServerInterceptor):
    """An interceptor that wraps each method's handler once.

    grpcio asks for the handler on every call, on its single polling thread;
    rebuilding closures there each time would be paid by every call in turn.
    Wrapped handlers are kept per method name, a bounded number of them, since
    callers may send any method name they like.
    """

    _CACHE_LIMIT = 256

    def __init__(self) -> None:
        self._wrapped: dict[str, Handler | None] = {}

    def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        full_method: str = handler_call_details.method
        try:
            return self._wrapped[full_method]
        except KeyError:
            pass
        wrapped = self.wrap(full_method, continuation(handler_call_details))
        if len(self._wrapped) < self._CACHE_LIMIT:
            self._wrapped[full_method] = wrapped
        return wrapped

    def wrap(self, full_method: str, handler: Handler | None) -> Handler | None:
        raise NotImplementedError


def method_name(full_method: str) -> str:
    """`/passgate.auth.v1.AuthService/SignIn` → `SignIn`."""
    return full_method.rsplit("/", 1)[-1]


def metadata_values(context: grpc.ServicerContext, key: str) -> list[str]:
    """Every value of `key` in the call's metadata, wherever it stands."""
    return [str(v) for k, v in (context.invocation_metadata() or ()) if k == key]
