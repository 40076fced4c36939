"""OpenTelemetry traces from a real server to a real OTLP/gRPC receiver the
test starts: one span per call, continuing the caller's `traceparent`, with
bcrypt and database spans under it, the trace id in the call's log line, and
nothing a user typed in any attribute."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from rpc import metadata, pb, refused, stub

from passgate.testing import ServerProcess, free_port

PW = "Correct-Horse-9-battery"
EMAIL = "otto@example.com"
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = "00f067aa0ba902b7"


class Receiver(trace_service_pb2_grpc.TraceServiceServicer):
    """The OTLP trace service a collector runs: keeps every span it is sent."""

    def __init__(self) -> None:
        self.spans: list[Any] = []
        self._lock = threading.Lock()

    def Export(self, request: Any, context: Any) -> Any:  # noqa: N802 (the OTLP method)
        with self._lock:
            for resource in request.resource_spans:
                for scope in resource.scope_spans:
                    self.spans.extend(scope.spans)
        return trace_service_pb2.ExportTraceServiceResponse()

    def wait_for(self, name: str, timeout: float = 15.0) -> list[Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = [span for span in self.spans if span.name == name]
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no span {name!r} among {[s.name for s in self.spans]}")


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, int]]:
    collector = Receiver()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(collector, server)
    port = server.add_insecure_port(f"127.0.0.1:{free_port()}")
    server.start()
    try:
        yield collector, port
    finally:
        server.stop(0)


def attributes(span: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for attribute in span.attributes:
        value = attribute.value
        found[attribute.key] = getattr(value, value.WhichOneof("value"))
    return found


def test_each_call_is_a_span_continuing_the_callers_trace(
    tmp_path: Path, receiver: tuple[Receiver, int]
):
    collector, port = receiver
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}",
        "OTEL_EXPORTER_OTLP_INSECURE": "true",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "OTEL_SERVICE_NAME": "passgate-under-test",
    }
    with ServerProcess(tmp_path, env=env) as server:
        server.create_user(EMAIL, PW)
        traced = [("traceparent", f"00-{TRACE}-{PARENT}-01")]
        with stub(server.target) as api:
            session = api.SignIn(
                pb.SignInRequest(email=EMAIL, password=PW),
                metadata=metadata(server.api_key) + traced,
            ).session_token
            wrong = pb.SignInRequest(email=EMAIL, password="Wrong-Horse-9-battery")
            assert refused(api.SignIn, wrong, metadata=metadata(server.api_key)).code == (
                grpc.StatusCode.UNAUTHENTICATED
            )
        deadline = time.monotonic() + 10
        while len(collector.wait_for("passgate.auth.v1.AuthService/SignIn")) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        sign_ins = collector.wait_for("passgate.auth.v1.AuthService/SignIn")
        log = server.log_text()

    assert len(sign_ins) == 2  # one span per call
    ours = next(span for span in sign_ins if span.trace_id.hex() == TRACE)
    assert ours.parent_span_id.hex() == PARENT  # the caller's span is its parent
    found = attributes(ours)
    assert found["rpc.system"] == "grpc"
    assert found["rpc.method"] == "SignIn"
    assert found["rpc.grpc.status_code"] == 0
    assert found["passgate.tenant"] == "default"
    other = next(span for span in sign_ins if span.trace_id.hex() != TRACE)
    assert attributes(other)["rpc.grpc.status_code"] == grpc.StatusCode.UNAUTHENTICATED.value[0]
    assert other.status.code == other.status.STATUS_CODE_ERROR
    # a refusal is an answer, not a crash: the span says which, with no traceback
    # of grpcio's AbortError (formatting one cost every refused call ~0.5 ms)
    assert other.status.message == "UNAUTHENTICATED", other.status.message
    assert [event.name for event in other.events] == []

    children = [span for span in collector.spans if span.parent_span_id == ours.span_id]
    names = {span.name for span in children}
    assert "bcrypt verify" in names and "db" in names, names

    # the call's log line carries its trace id
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    sign_in_lines = [
        line for line in lines if line.get("method") == "/passgate.auth.v1.AuthService/SignIn"
    ]
    assert TRACE in {line.get("trace_id") for line in sign_in_lines}

    # nothing a user typed, nor a secret, in any attribute
    everything = json.dumps([str(attributes(span)) for span in collector.spans])
    for secret in (PW, EMAIL, "Wrong-Horse", session, server.api_key):
        assert secret not in everything
