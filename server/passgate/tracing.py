"""OpenTelemetry traces, off unless the standard environment asks for them
(`OTEL_TRACES_EXPORTER=otlp`, or an `OTEL_EXPORTER_OTLP_ENDPOINT` /
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`; `OTEL_SDK_DISABLED=true` wins): one
span per call, whose parent is the caller's W3C `traceparent`, with child
spans for bcrypt and for each database statement, exported over OTLP/gRPC as
the OTEL_* variables say.

Off, `TRACER` is None and each place that could trace tests that once: no
span, no context, no export. Attributes name the method, the status, the
tenant and the SQL statement's text (its parameters are never recorded):
never a password, token, key or identifier a user typed.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.trace import Span, Tracer

TRACER: Tracer | None = None


def wanted(environ: Mapping[str, str] = os.environ) -> bool:
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter:
        return exporter == "otlp"
    return bool(
        environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


INSTALL = "pip install 'passgate[tracing]'"


def missing() -> str | None:
    """Why traces the environment asks for cannot be sent (one line), or None."""
    if not wanted():
        return None
    try:
        importlib.import_module("opentelemetry.sdk.trace")
        importlib.import_module("opentelemetry.exporter.otlp.proto.grpc.trace_exporter")
    except ImportError:
        return f"OTEL_* variables ask for traces, but OpenTelemetry is not installed: {INSTALL}"
    return None


def configure() -> None:
    """Sets `TRACER` up when the environment asks for traces (at start, once)."""
    global TRACER  # noqa: PLW0603  (one tracer per process, set before serving)
    if TRACER is not None or not wanted():
        return
    # imported only when tracing is on: passgate without it loads none of this
    from opentelemetry import trace  # noqa: PLC0415
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (  # noqa: PLC0415
        OTLPSpanExporter,
    )
    from opentelemetry.sdk.resources import Resource  # noqa: PLC0415
    from opentelemetry.sdk.trace import TracerProvider  # noqa: PLC0415
    from opentelemetry.sdk.trace.export import BatchSpanProcessor  # noqa: PLC0415

    service = os.environ.get("OTEL_SERVICE_NAME") or "passgate"
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    TRACER = trace.get_tracer("passgate")


def shutdown() -> None:
    """Sends what is still queued (at stop)."""
    if TRACER is None:
        return
    from opentelemetry import trace  # noqa: PLC0415

    provider: Any = trace.get_tracer_provider()
    provider.shutdown()


_OFF = nullcontext()


def child(name: str, **attributes: str | int) -> Any:
    """A span under the current one (bcrypt, a statement); nothing when off."""
    if TRACER is None:
        return _OFF
    return TRACER.start_as_current_span(name, attributes=attributes)


@contextmanager
def call_span(full_method: str, metadata: Any) -> Iterator[Span]:
    """The span of one call, continuing the caller's trace (`traceparent`)."""
    from opentelemetry.propagate import extract  # noqa: PLC0415
    from opentelemetry.trace import SpanKind  # noqa: PLC0415

    assert TRACER is not None
    carrier = {key: value for key, value in metadata or () if isinstance(value, str)}
    service, _, method = full_method.strip("/").partition("/")
    # The guard puts the call's outcome on its span (`_end_span`); an answer
    # other than OK leaves the handler as grpcio's AbortError, which is how
    # grpcio sends it, not a failure: recorded as an exception it would cost a
    # formatted traceback per refused call and hide the status code.
    with TRACER.start_as_current_span(
        f"{service}/{method}",
        context=extract(carrier),
        kind=SpanKind.SERVER,
        attributes={"rpc.system": "grpc", "rpc.service": service, "rpc.method": method},
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        yield span


def trace_id(span: Span) -> str:
    return format(span.get_span_context().trace_id, "032x")
