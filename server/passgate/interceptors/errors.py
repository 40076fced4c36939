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
from contextvars import Token
from typing import Any, cast

import grpc
from google.protobuf.message import DecodeError

from passgate import tracing
from passgate.auth.v1.error_reason_pb2 import ErrorReason
from passgate.errors import (
    InvalidRequest,
    PassgateError,
    RequestNotReceived,
    ServiceUnavailable,
    Violation,
    reason_name,
)
from passgate.interceptors.call import CallRecord, current_call
from passgate.interceptors.handlers import Behavior, Check, Context, Handler, StreamBehavior
from passgate.interceptors.in_flight import InFlightCap
from passgate.interceptors.request_deadline import RequestDeadlines
from passgate.logs import RepeatedLines
from passgate.metrics import Metrics
from passgate.outage import Outage
from passgate.status import to_status
from passgate.store.db import outage_cause

log = logging.getLogger("passgate.rpc")

# The fields of a call's line, in order; the duration ("ms") comes last.
_CALL_LINES = RepeatedLines(
    log,
    "rpc",
    (
        "event",
        "method",
        "code",
        "peer",
        "tenant",
        "key_id",
        "client",
        "client_cert",
        "error_id",
        "trace_id",
    ),
    figure="ms",
)

MALFORMED = Violation(
    "request", reason_name(ErrorReason.FIELD_MALFORMED), "The request message could not be parsed."
)
MISSING = Violation(
    "request", reason_name(ErrorReason.FIELD_REQUIRED), "The call ended without a request message."
)


class ErrorGuard:
    """Serves each guarded method as a stream-unary handler, which grpcio starts
    as soon as the call's headers arrive: the checks (API key, budgets) read
    only metadata and run before the message is awaited, so a caller without a
    valid key is refused at once, and the message is read under the request
    bound. A unary caller cannot tell: on the wire both are one message each way.
    """

    def __init__(
        self, deadlines: RequestDeadlines, in_flight: InFlightCap, metrics: Metrics | None = None
    ) -> None:
        self._deadlines = deadlines
        self._in_flight = in_flight
        self._metrics = metrics
        # a database that cannot be used: one line per cause, not one per call
        self._database_outage = Outage(
            log, "the database", "cannot be used", ": calls answer UNAVAILABLE"
        )

    def _unexpected(
        self, full_method: str, error: Exception
    ) -> tuple[grpc.StatusCode, grpc.Status, str | None]:
        """A database that cannot be used now answers UNAVAILABLE (retryable),
        logged once per cause, not per call; anything else INTERNAL with an id."""
        cause = outage_cause(error)
        if cause is not None:
            self._database_outage.failed(cause)
            return grpc.StatusCode.UNAVAILABLE, to_status(ServiceUnavailable()), None
        error_id = secrets.token_hex(8)
        log.exception("unexpected error in %s", full_method, extra={"error_id": error_id})
        return grpc.StatusCode.INTERNAL, to_status(PassgateError(), error_id=error_id), error_id

    def guard(self, full_method: str, handler: Handler, checks: tuple[Check, ...]) -> Handler:
        # Every passgate behaviour is a coroutine function (the stubs type them as plain ones).
        behavior = cast(Behavior, handler.unary_unary)
        guarded = self._guarded(full_method, behavior, checks)
        if tracing.TRACER is not None:
            guarded = _traced(full_method, guarded)
        return grpc.stream_unary_rpc_method_handler(
            cast(Any, guarded),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    def _guarded(  # noqa: PLR0915 (one coroutine, inlined for the cheap calls' cost)
        self, full_method: str, behavior: Behavior, checks: tuple[Check, ...]
    ) -> Behavior:
        in_flight = self._in_flight if self._in_flight.covers(full_method) else None
        deadlines = self._deadlines
        finished = self._finished

        async def guarded(requests: Any, context: Context) -> Any:  # noqa: PLR0912 (inlined)
            started = time.perf_counter()
            record = CallRecord(context.peer())
            # the record as the behaviour's context sees it: set only for calls
            # that reach it (the checks are handed the record itself)
            token: Token[CallRecord] | None = None
            code = grpc.StatusCode.OK
            error_id: str | None = None
            holds: InFlightCap | None = None  # the slot to give back, once taken
            refused_by: str | None = None
            try:
                for check in checks:
                    pending = check(record, context)
                    if pending is not None:
                        await pending
                # the one request message, within the request bound (inline: a
                # coroutine of its own would cost the cheap calls more than the bound)
                waiting = deadlines.start()
                try:
                    request = await context.read()  # parsed there, by the method's deserializer
                except asyncio.CancelledError:
                    if not waiting.expired:
                        raise
                    _answer_instead_of_cancelling()
                    raise RequestNotReceived(deadlines.timeout) from None
                except DecodeError:
                    raise InvalidRequest([MALFORMED]) from None
                finally:
                    waiting.arrived()
                if request is grpc.aio.EOF:  # the caller closed without sending one
                    raise InvalidRequest([MISSING])
                if in_flight is not None:
                    in_flight.admit()
                    holds = in_flight
                token = current_call.set(record)
                return await behavior(request, context)
            except asyncio.CancelledError:  # the caller went away, or its own deadline passed
                code = grpc.StatusCode.CANCELLED
                raise
            except PassgateError as error:
                code = error.code
                status = to_status(error)
                refused_by = getattr(error, "limit", None)  # a budget's or throttle's kind
            except Exception as error:
                code, status, error_id = self._unexpected(full_method, error)
            finally:
                if holds is not None:
                    holds.release()
                if token is not None:
                    current_call.reset(token)
                finished(
                    record, full_method, code, time.perf_counter() - started, error_id, refused_by
                )
            await context.abort_with_status(status)

        return guarded

    def guard_stream(
        self, full_method: str, handler: Handler, checks: tuple[Check, ...]
    ) -> Handler:
        """A server-streaming method served as stream-stream, for the unary
        guard's reason: the checks run on the headers, before the request is
        read and before the first response. Streams take no in-flight slot
        (a watcher may stay for hours); its log line comes when it ends."""
        behavior = cast(StreamBehavior, handler.unary_stream)
        guarded = self._guarded_stream(full_method, behavior, checks)
        if tracing.TRACER is not None:
            guarded = _traced(full_method, guarded)
        return grpc.stream_stream_rpc_method_handler(
            cast(Any, guarded),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    def _guarded_stream(
        self, full_method: str, behavior: StreamBehavior, checks: tuple[Check, ...]
    ) -> Behavior:
        """The unary guard's steps (which it inlines, for its cost) around a
        behaviour whose responses are written as they come."""
        deadlines = self._deadlines
        finished = self._finished

        async def guarded(requests: Any, context: Context) -> None:
            started = time.perf_counter()
            record = CallRecord(context.peer())
            token = current_call.set(record)
            code = grpc.StatusCode.OK
            error_id: str | None = None
            refused_by: str | None = None
            try:
                for check in checks:
                    pending = check(record, context)
                    if pending is not None:
                        await pending
                waiting = deadlines.start()
                try:
                    request = await context.read()  # parsed there, by the method's deserializer
                except asyncio.CancelledError:
                    if not waiting.expired:
                        raise
                    _answer_instead_of_cancelling()
                    raise RequestNotReceived(deadlines.timeout) from None
                except DecodeError:
                    raise InvalidRequest([MALFORMED]) from None
                finally:
                    waiting.arrived()
                if request is grpc.aio.EOF:  # the caller closed without sending one
                    raise InvalidRequest([MISSING])
                async for response in behavior(request, context):
                    await context.write(response)
                return
            except asyncio.CancelledError:  # the caller went away
                code = grpc.StatusCode.CANCELLED
                raise
            except PassgateError as error:
                code = error.code
                status = to_status(error)
                refused_by = getattr(error, "limit", None)
            except Exception as error:
                code, status, error_id = self._unexpected(full_method, error)
            finally:
                current_call.reset(token)
                finished(
                    record, full_method, code, time.perf_counter() - started, error_id, refused_by
                )
            await context.abort_with_status(status)

        return guarded

    def _finished(  # noqa: PLR0917 (one call's outcome)
        self,
        record: CallRecord,
        full_method: str,
        code: grpc.StatusCode,
        seconds: float,
        error_id: str | None,
        refused_by: str | None,
    ) -> None:
        """The call's log line (its fields in `_CALL_LINES`) and, when metrics or
        traces are on, its figures."""
        trace_id = _end_span(record, code) if tracing.TRACER is not None else None
        key = record.api_key
        _CALL_LINES.write(
            (
                "rpc",
                full_method,
                code._name_,  # the member's name, without the `name` property's descriptor
                record.peer,
                None if key is None else key.tenant_id,
                None if key is None else key.id,
                record.forwarded_client,
                record.client_cert,
                error_id,
                trace_id,
            ),
            # to a hundredth of a millisecond: an int over 100 is the double nearest
            # to it, written as such, in under half of round()'s time
            int(seconds * 100_000 + 0.5) / 100,
            keep=error_id is None and trace_id is None,  # both differ on every line
        )
        if self._metrics is not None:
            self._metrics.call(full_method, code, seconds, refused_by)


def _traced(full_method: str, guarded: Behavior) -> Behavior:
    """`guarded` inside the call's span (continuing the caller's trace)."""

    async def traced(requests: Any, context: Context) -> Any:
        with tracing.call_span(full_method, context.invocation_metadata()):
            return await guarded(requests, context)

    return traced


def _end_span(record: CallRecord, code: grpc.StatusCode) -> str:
    """Puts the outcome on the call's span; its trace id, for the log line."""
    from opentelemetry import trace  # noqa: PLC0415  (loaded only with tracing on)

    span = trace.get_current_span()
    span.set_attribute("rpc.grpc.status_code", code.value[0])
    if record.api_key is not None:
        span.set_attribute("passgate.tenant", record.api_key.tenant_id)
    if code is not grpc.StatusCode.OK:
        span.set_status(trace.StatusCode.ERROR, code.name)
    return tracing.trace_id(span)


def _answer_instead_of_cancelling() -> None:
    """Takes back the request bound's cancellation of the running call, which
    is then answered with a status rather than ended."""
    task = asyncio.current_task()
    if task is not None:
        task.uncancel()
