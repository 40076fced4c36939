"""The API-key gate: every AuthService call, and every unknown method, must
carry a live key allowed to call it. A malformed key is refused without any
database work; a well-formed one costs one SHA-256, and one indexed read the
first time (see passgate/identity/apikeys.py)."""

from __future__ import annotations

from typing import Any

import grpc

from passgate.auth.v1.error_reason_pb2 import ErrorReason
from passgate.errors import (
    ApiKeyInvalid,
    ApiKeyScope,
    InvalidRequest,
    MethodNotFound,
    Violation,
    reason_name,
)
from passgate.identity.apikeys import ApiKeyRecord, ApiKeys
from passgate.interceptors.call import current_call
from passgate.interceptors.errors import MalformedRequest
from passgate.interceptors.handlers import (
    Behavior,
    Context,
    Handler,
    HandlerWrapper,
    metadata_values,
    method_name,
    wrap_unary,
)

API_KEY_HEADER = "x-api-key"
MALFORMED = Violation(
    "request", reason_name(ErrorReason.FIELD_MALFORMED), "The request message could not be parsed."
)


class ApiKeyGate(HandlerWrapper):
    def __init__(self, keys: ApiKeys, open_prefixes: tuple[str, ...]) -> None:
        self._keys = keys
        self._open_prefixes = open_prefixes  # health checking, reflection

    def wrap(self, full_method: str, handler: Handler | None) -> Handler | None:
        if full_method.startswith(self._open_prefixes):
            return handler
        method = method_name(full_method)
        return wrap_unary(
            handler or _unknown_method_handler(), lambda behavior: self._gate(method, behavior)
        )

    def _gate(self, method: str, behavior: Behavior) -> Behavior:
        async def gated(request: Any, context: Context) -> Any:
            key = self.authenticate(context)
            if not key.allows(method):
                raise ApiKeyScope()
            if isinstance(request, MalformedRequest):
                raise InvalidRequest([MALFORMED])
            return await behavior(request, context)

        return gated

    def authenticate(self, context: Context) -> ApiKeyRecord:
        """The first live key among the call's `x-api-key` entries."""
        for candidate in metadata_values(context, API_KEY_HEADER)[:4]:
            key = self._keys.live(candidate.strip())
            if key is not None:
                current_call.get().api_key = key
                return key
        raise ApiKeyInvalid()


def _unknown_method_handler() -> Handler:
    """Answers methods passgate does not have, once the key has been checked."""

    async def unknown(request: Any, context: Context) -> Any:
        raise MethodNotFound()

    return grpc.unary_unary_rpc_method_handler(unknown)
