"""The guard around every call: runs the call's checks and its behaviour, maps domain
errors to rich statuses, anything unexpected to INTERNAL with an opaque error
id, and logs one line per call.

No exception text ever reaches a caller: an unhandled exception in a grpcio
handler would otherwise answer UNKNOWN with its message.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any, cast

import grpc

from passgate.errors import PassgateError
from passgate.interceptors.call import CallRecord, current_call
from passgate.interceptors.handlers import Behavior, Check, Context, Handler
from passgate.logs import info_fields
from passgate.status import to_status

log = logging.getLogger("passgate.rpc")


class MalformedRequest:
    """Stands in for a request message that could not be parsed."""


def _tolerant(deserializer: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    if deserializer is None:
        return None

    def parse(data: bytes) -> Any:
        try:
            return deserializer(data)
        except Exception:
            return MalformedRequest()

    return parse


class ErrorGuard:
    def guard(self, full_method: str, handler: Handler, checks: tuple[Check, ...]) -> Handler:
        # Every passgate behaviour is a coroutine function (the stubs type them as plain ones).
        behavior = cast(Behavior, handler.unary_unary)
        return cast(
            Handler,
            cast(Any, handler)._replace(
                request_deserializer=_tolerant(handler.request_deserializer),
                unary_unary=self._guarded(full_method, behavior, checks),
            ),
        )

    def _guarded(self, full_method: str, behavior: Behavior, checks: tuple[Check, ...]) -> Behavior:
        async def guarded(request: Any, context: Context) -> Any:
            started = time.perf_counter()
            record = CallRecord(context.peer())
            token = current_call.set(record)
            code = grpc.StatusCode.OK
            error_id: str | None = None
            try:
                for check in checks:
                    check(record, request, context)
                return await behavior(request, context)
            except asyncio.CancelledError:  # the caller went away or the deadline passed
                code = grpc.StatusCode.CANCELLED
                raise
            except PassgateError as error:
                code = error.code
                status = to_status(error)
            except Exception:
                code = grpc.StatusCode.INTERNAL
                error_id = secrets.token_hex(8)
                log.exception("unexpected error in %s", full_method, extra={"error_id": error_id})
                status = to_status(PassgateError(), error_id=error_id)
            finally:
                current_call.reset(token)
                _log_call(record, full_method, code, time.perf_counter() - started, error_id)
            await context.abort_with_status(status)

        return guarded


def _log_call(
    record: CallRecord,
    full_method: str,
    code: grpc.StatusCode,
    seconds: float,
    error_id: str | None,
) -> None:
    fields: dict[str, Any] = {
        "event": "rpc",
        "method": full_method,
        "code": code.name,
        "ms": round(seconds * 1000, 2),
        "peer": record.peer,
    }
    if record.api_key is not None:
        fields["tenant"] = record.api_key.tenant_id
        fields["key_id"] = record.api_key.id
    if record.forwarded_client is not None:
        fields["client"] = record.forwarded_client
    if error_id:
        fields["error_id"] = error_id
    info_fields(log, "rpc", fields)
