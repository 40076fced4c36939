"""passgate's own Python per cheap call, without gRPC's transport: VerifySession
with a live session, and a call refused for its API key, driven straight
through the guarded handler the server runs (the checks, the servicer and the
log line), best of several rounds; then VerifySession again with tracing on
(a span per call, batched to an exporter that drops them).

    python -m bench.hotpath [--calls 100000] [--rounds 5]

Without the network, grpcio's threads or a load generator, it measures
passgate's part alone; still, on a shared machine, compare several runs of
each side taken back to back. A loaded server pays several times these
figures for the same work (its caches are shared with grpcio's threads and
the load generator): judge a change by `python -m bench.cpu` too.

It also shows what tracing off costs: the run with tracing off must leave
OpenTelemetry unloaded (it stops otherwise), and its handler is the one a
server without OTEL_* variables runs, with no span wrapper around it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import grpc

from bench.run import WRONG_KEY
from passgate import logs, tracing
from passgate.app import Passgate, build
from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.clock import SystemClock
from passgate.identity.passwords import TESTING_COST
from passgate.identity.users import Users
from passgate.testing import test_settings

SERVICE = pb.DESCRIPTOR.services_by_name["AuthService"].full_name
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class _CallDetails(grpc.HandlerCallDetails):
    method: str
    invocation_metadata: tuple[tuple[str, str], ...] = ()


class _Refused(Exception):
    pass


class _Context:
    """The parts of grpcio's servicer context that passgate's cheap calls use."""

    def __init__(self, metadata: Sequence[tuple[str, str]], request: Any = None) -> None:
        self._metadata = tuple(metadata)
        self.request = request

    def with_request(self, request: Any) -> _Context:
        return _Context(self._metadata, request)

    async def read(self) -> Any:
        """The call's message, already in (grpcio parses it with the handler's deserializer)."""
        return self.request

    def peer(self) -> str:
        return "ipv4:127.0.0.1:50000"

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return self._metadata

    async def abort_with_status(self, status: grpc.Status) -> None:
        raise _Refused(status.code)


async def _guarded(app: Passgate, method: str) -> Any:
    """The handler grpcio runs for `method`: the servicer's, as passgate guards it."""
    return app.handlers.service(_CallDetails(f"/{SERVICE}/{method}"))


def _run_on_the_spot(call: Coroutine[Any, Any, Any]) -> Any:
    """Runs a coroutine that never waits (as cheap calls run on the event loop)."""
    try:
        call.send(None)
    except StopIteration as done:
        return done.value
    except _Refused:
        return None
    call.close()
    raise RuntimeError("the call waited for something: it is not served on the spot")


def _best_microseconds(
    handler: Any, request: bytes, context: _Context, calls: int, rounds: int
) -> float:
    parse, behaviour = handler.request_deserializer, handler.stream_unary
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(calls):
            context.request = parse(request)
            _run_on_the_spot(behaviour(None, context))
        best = min(best, (time.perf_counter() - started) / calls)
    return best * 1e6


async def _figures(app: Passgate, calls: int, rounds: int) -> dict[str, float]:
    """µs of passgate's Python per call on `app`, for a live session and for a refused key."""
    _, key = app.api_keys.create("hotpath")
    stored = app.hashes.hasher.hash(PASSWORD)
    Users(app.database, SystemClock()).create("default", "hot@path.example", stored, None, None)
    sign_in = await _guarded(app, "SignIn")
    signed_in = await sign_in.stream_unary(
        None,
        _Context(
            [("x-api-key", key)], pb.SignInRequest(email="hot@path.example", password=PASSWORD)
        ),
    )
    verify = await _guarded(app, "VerifySession")
    request = pb.VerifySessionRequest(session_token=signed_in.session_token).SerializeToString()
    live = _Context([("user-agent", "hotpath"), ("x-api-key", key)])
    refused = _Context([("user-agent", "hotpath"), ("x-api-key", WRONG_KEY)])
    parsed = verify.request_deserializer(request)
    answer = _run_on_the_spot(verify.stream_unary(None, live.with_request(parsed)))
    if answer is None or answer.user_id == "":
        raise RuntimeError("the live session was not verified")
    if _run_on_the_spot(verify.stream_unary(None, refused.with_request(parsed))):
        raise RuntimeError("the wrong key was let through")
    return {
        "VerifySession": _best_microseconds(verify, request, live, calls, rounds),
        "refused": _best_microseconds(verify, request, refused, calls, rounds),
    }


async def _on(workdir: Path, calls: int, rounds: int, traced: bool = False) -> dict[str, float]:
    """The figures of a fresh app in `workdir`, built with tracing on or off."""
    workdir.mkdir()
    app = build(test_settings(workdir, bcrypt_cost=TESTING_COST))
    try:
        return await _figures(app, calls, rounds)
    finally:
        await app.stop(0)


def _opentelemetry_loaded() -> bool:
    return any(name.split(".")[0] == "opentelemetry" for name in sys.modules)


class _Discard:
    """A span exporter that drops what it is given: the spans are made, queued and
    handed over as with OTLP, without the network's share."""

    def export(self, spans: Any) -> Any:
        from opentelemetry.sdk.trace.export import SpanExportResult

        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


async def _traced(workdir: Path, calls: int, rounds: int) -> float | None:
    """VerifySession's µs with tracing on (a span per call, batched to an exporter
    that drops them); None when OpenTelemetry is not installed."""
    try:
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        return None
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(cast(Any, _Discard())))
    # as tracing.configure() sets them up; the app's stop shuts the provider down
    trace.set_tracer_provider(provider)
    tracing.TRACER = provider.get_tracer("passgate")
    try:
        return (await _on(workdir, calls, rounds))["VerifySession"]
    finally:
        tracing.TRACER = None


async def measure(workdir: Path, calls: int, rounds: int) -> dict[str, float]:
    """µs of passgate's Python per call: a live session and a refused key with tracing
    off, as served without OTEL_* variables (checked to load nothing of OpenTelemetry),
    then a live session with tracing on."""
    figures = await _on(workdir / "off", calls, rounds)
    if tracing.TRACER is not None or _opentelemetry_loaded():
        raise RuntimeError("tracing off loaded OpenTelemetry: the off path is not free")
    traced = await _traced(workdir / "traced", calls, rounds)
    if traced is not None:
        figures["VerifySession-traced"] = traced
    return figures


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.hotpath", description=__doc__)
    p.add_argument("--calls", type=int, default=100_000)
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args(argv)
    # The log line is part of the path; its lines go nowhere (the log keeps the file).
    with contextlib.redirect_stderr(open(os.devnull, "w")):
        logs.configure("INFO")
    with tempfile.TemporaryDirectory(prefix="passgate-hotpath-") as workdir:
        figures = asyncio.run(measure(Path(workdir), args.calls, args.rounds))
    print(f"best of {args.rounds} rounds of {args.calls:,} calls, passgate's Python per call:")
    for name, micros in figures.items():
        print(f"  {name:21s} {micros:6.2f} µs")
    print("tracing off: OpenTelemetry not loaded, no span wrapper around the handler")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
