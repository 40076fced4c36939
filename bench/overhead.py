"""What watching a server costs its cheap calls: VerifySession with Prometheus
metrics served (`--metrics-listen`) and with traces exported over OTLP to a
receiver on this machine, each against the same server with neither.

The servers are up side by side and take turns, the order reversed every
round (off, metrics, traces, then traces, metrics, off, …), so a machine that
slowly gets busier or quieter weighs on every side alike; each side's figure
is its mean over the rounds. After the runs the metrics server is scraped
and the receiver's spans counted: both must have seen the calls.
"""

from __future__ import annotations

import re
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent import futures
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import grpc

from bench.servers import free_port

if TYPE_CHECKING:
    from bench.run import Bench

OFF, METRICS, TRACED = "plain", "metrics", "traced"
_CALLS = re.compile(r'^passgate_rpc_calls_total\{[^}]*method="VerifySession"[^}]*\} (\S+)$', re.M)


def run_name(side: str, concurrency: int) -> str:
    return f"{side}-verify-c{concurrency}"


class OtlpReceiver:
    """The OTLP/gRPC trace service a collector runs, in this process: counts the
    spans it is sent (and keeps none), so exporting costs what it would in production."""

    def __init__(self) -> None:
        from opentelemetry.proto.collector.trace.v1 import (
            trace_service_pb2,
            trace_service_pb2_grpc,
        )

        self.spans = 0
        self._lock = threading.Lock()
        receiver = self
        answer = trace_service_pb2.ExportTraceServiceResponse

        class Service(trace_service_pb2_grpc.TraceServiceServicer):
            def Export(self, request: Any, context: Any) -> Any:  # noqa: N802 (OTLP's name)
                found = sum(
                    len(scope.spans)
                    for resource in request.resource_spans
                    for scope in resource.scope_spans
                )
                with receiver._lock:
                    receiver.spans += found
                return answer()

        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(Service(), self._server)
        self.port = self._server.add_insecure_port(f"127.0.0.1:{free_port()}")

    def environment(self) -> dict[str, str]:
        """The standard OTEL_* variables that point a passgate server at this receiver."""
        return {
            "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{self.port}",
            "OTEL_EXPORTER_OTLP_INSECURE": "true",
            "OTEL_SERVICE_NAME": "passgate-bench",
        }

    def wait_drained(self, quiet: float = 1.0, longest: float = 20.0) -> None:
        """Returns once no span has arrived for `quiet` seconds (at most `longest`)."""
        deadline = time.monotonic() + longest
        seen = -1
        while time.monotonic() < deadline:
            with self._lock:
                now = self.spans
            if now == seen:
                return
            seen = now
            time.sleep(quiet)

    @contextmanager
    def running(self) -> Iterator[OtlpReceiver]:
        self._server.start()
        try:
            yield self
        finally:
            self._server.stop(0)


def _receiver() -> OtlpReceiver | str:
    """A receiver, or why there is none (the tracing extra is not installed)."""
    try:
        return OtlpReceiver()
    except ImportError:
        return "OpenTelemetry is not installed: pip install -e '.[tracing]'"


def _counted_calls(metrics_address: str) -> float:
    """VerifySession calls the server's metrics count, every status code summed."""
    with urllib.request.urlopen(f"http://{metrics_address}/metrics", timeout=10) as page:
        text = page.read().decode()
    return sum(float(n) for n in _CALLS.findall(text))


def measure(bench: Bench, db: Path) -> None:
    """VerifySession on a plain, a metrics-serving and a tracing server, in turns."""
    plan = bench.plan
    c = max(plan.cheap_levels)
    key = bench.api_key(db)
    receiver = _receiver()
    metrics_address = f"127.0.0.1:{free_port()}"
    found: dict[str, Any] = {
        "concurrency": c,
        "rounds": plan.overhead_rounds,
        "sides": {side: run_name(side, c) for side in (OFF, METRICS)},
        "tracing": None if isinstance(receiver, OtlpReceiver) else receiver,
    }
    bench.say(f"VerifySession plain, with metrics, with traces: {plan.overhead_rounds} rounds")
    with ExitStack() as stack:
        servers = {
            OFF: stack.enter_context(bench.start_passgate("passgate-plain", db)),
            METRICS: stack.enter_context(
                bench.start_passgate(
                    "passgate-metrics", db, extra=("--metrics-listen", metrics_address)
                )
            ),
        }
        if isinstance(receiver, OtlpReceiver):
            stack.enter_context(receiver.running())
            servers[TRACED] = stack.enter_context(
                bench.start_passgate("passgate-traced", db, env=receiver.environment())
            )
            found["sides"][TRACED] = run_name(TRACED, c)
        targets = {
            side: bench.verify_target(server, key, plan.small_users)
            for side, server in servers.items()
        }
        for target in targets.values():
            bench.warm(target)
        order = list(targets)
        for round_ in range(plan.overhead_rounds):
            for side in order if round_ % 2 == 0 else reversed(order):
                bench.cheap(run_name(side, c), targets[side], c, round_=round_)
                if side == TRACED and isinstance(receiver, OtlpReceiver):
                    receiver.wait_drained()
        found["metrics_counted_calls"] = _counted_calls(metrics_address)
        if TRACED in servers:
            servers[TRACED].stop()  # a stopping server sends the spans still queued
            found["spans_exported"] = receiver.spans if isinstance(receiver, OtlpReceiver) else 0
    bench.results["observability"] = found
