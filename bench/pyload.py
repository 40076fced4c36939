"""A small load generator in Python, used only where ghz is not installed.

It takes the subset of ghz's flags the bench uses and writes the subset of
ghz's JSON report the bench reads (per-call end time, latency and status), so
the rest of the bench does not care which generator ran. It is slower than
ghz: Python threads share one interpreter lock with the client's own work,
so it saturates cheap calls sooner. Figures from it say so in results.json.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

_TEMPLATE = re.compile(r"\{\{\s*(randomInt\s+(-?\d+)\s+(-?\d+)|\.RequestNumber)\s*\}\}")


def _duration(text: str) -> float:
    units = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)", text)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a duration: {text}")
    return float(match[1]) * units[match[2]]


def _status_name(code: grpc.StatusCode) -> str:
    """gRPC codes named as ghz (Go) names them: RESOURCE_EXHAUSTED → ResourceExhausted."""
    return "OK" if code is grpc.StatusCode.OK else code.name.title().replace("_", "")


def _pool(protoset: Path | None) -> Any:
    if protoset is not None:
        pool = descriptor_pool.DescriptorPool()
        files = descriptor_pb2.FileDescriptorSet.FromString(protoset.read_bytes())
        for proto in files.file:
            pool.Add(proto)
        return pool
    import passgate.auth.v1.auth_service_pb2  # noqa: F401  (registers passgate's messages)
    from bench.reference_servers import echo_messages

    echo_messages()
    return descriptor_pool.Default()


def _render(template: str, number: int) -> str:
    def one(match: re.Match[str]) -> str:
        if match[1] == ".RequestNumber":
            return str(number)
        return str(random.randrange(int(match[2]), int(match[3])))

    return _TEMPLATE.sub(one, template)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.pyload")
    p.add_argument("--insecure", action="store_true")
    p.add_argument("--call", required=True)
    p.add_argument("--data-file", type=Path, required=True)
    p.add_argument("--metadata", default="{}")
    p.add_argument("--concurrency", type=int, default=1)
    p.add_argument("--connections", type=int, default=1)
    p.add_argument("--timeout", type=_duration, default=20.0)
    p.add_argument("--format", default="json")
    p.add_argument("--output", type=Path, required=True)
    p.add_argument("--duration", type=_duration)
    p.add_argument("--duration-stop", default="ignore")
    p.add_argument("--total", type=int)
    p.add_argument("--max-duration", type=_duration)
    p.add_argument("--rps", type=float)
    p.add_argument("--protoset", type=Path)
    p.add_argument("--lb-strategy")
    p.add_argument("target")
    return p.parse_args(argv)


class Run:
    """Calls shared out to `concurrency` threads, one at a time each, as ghz does."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        method = _pool(args.protoset).FindMethodByName(args.call)
        self.request_class = message_factory.GetMessageClass(method.input_type)
        response_class = message_factory.GetMessageClass(method.output_type)
        path = f"/{method.containing_service.full_name}/{method.name}"
        data = json.loads(args.data_file.read_text())
        self.templates = [json.dumps(d) for d in (data if isinstance(data, list) else [data])]
        self.metadata = tuple(json.loads(args.metadata).items())
        options: list[tuple[str, Any]] = [("grpc.use_local_subchannel_pool", 1)]
        if args.lb_strategy:
            options.append(("grpc.lb_policy_name", args.lb_strategy))
        self.channels = [
            grpc.insecure_channel(args.target, options=options)
            for _ in range(max(1, args.connections))
        ]
        self.stubs = [
            ch.unary_unary(
                path,
                request_serializer=lambda m: m.SerializeToString(),
                response_deserializer=response_class.FromString,
            )
            for ch in self.channels
        ]
        self.lock = threading.Lock()
        self.details: list[dict[str, Any]] = []
        self.issued = 0
        self.started = time.monotonic()
        self.stop_at = self.started + (args.duration or args.max_duration or 3600.0)
        self.total = None if args.duration else (args.total or 200)
        self.interrupted = threading.Event()  # SIGINT: stop and report, as ghz does

    def next_number(self) -> int | None:
        with self.lock:
            if self.total is not None and self.issued >= self.total:
                return None
            number = self.issued
            self.issued += 1
        if self.args.rps:
            wait = self.started + number / self.args.rps - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        if self.interrupted.is_set() or time.monotonic() >= self.stop_at:
            return None
        return number

    def worker(self, index: int) -> None:
        stub = self.stubs[index % len(self.stubs)]
        while (number := self.next_number()) is not None:
            text = self.templates[number % len(self.templates)]
            message = json_format.Parse(
                _render(text, number) if "{{" in text else text, self.request_class()
            )
            begin = time.monotonic()
            try:
                stub(message, metadata=self.metadata, timeout=self.args.timeout)
                code = grpc.StatusCode.OK
            except grpc.RpcError as error:
                code = error.code()
            end = time.monotonic()
            if end > self.stop_at and self.args.duration:
                return  # ghz's --duration-stop=ignore: calls cut by the end do not count
            stamp = datetime.fromtimestamp(time.time() - (time.monotonic() - end), UTC)
            detail = {
                "timestamp": stamp.isoformat(timespec="microseconds").replace("+00:00", "Z"),
                "latency": int((end - begin) * 1e9),
                "status": _status_name(code),
            }
            with self.lock:
                self.details.append(detail)

    def report(self) -> dict[str, Any]:
        threads = [
            threading.Thread(target=self.worker, args=(i,)) for i in range(self.args.concurrency)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - self.started
        for ch in self.channels:
            ch.close()
        codes: dict[str, int] = {}
        for d in self.details:
            codes[d["status"]] = codes.get(d["status"], 0) + 1
        if self.interrupted.is_set():
            reason = "cancel"
        else:
            reason = "timeout" if self.args.duration else "normal"
        return {
            "endReason": reason,
            "count": len(self.details),
            "total": int(elapsed * 1e9),
            "rps": len(self.details) / elapsed if elapsed else 0.0,
            "statusCodeDistribution": codes,
            "details": self.details,
        }


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    load = Run(args)
    signal.signal(signal.SIGINT, lambda *_: load.interrupted.set())
    args.output.write_text(json.dumps(load.report()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
