"""A real HTTP endpoint on a loopback port that takes passgate's webhooks and
keeps every request it got, answering with the status the test sets."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    at: float  # time.monotonic() on arrival
    headers: dict[str, str]  # names in lower case
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        document = json.loads(self.body)
        assert isinstance(document, dict)
        return document


class Receiver:
    def __init__(self, port: int = 0, status: int = 204) -> None:
        self.status = status
        self.received: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver._lock:
                    receiver.received.append(
                        Received(
                            time.monotonic(), {k.lower(): v for k, v in self.headers.items()}, body
                        )
                    )
                self.send_response(receiver.status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = int(self._server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def requests(self, event_type: str | None = None) -> list[Received]:
        with self._lock:
            got = list(self.received)
        return [r for r in got if event_type is None or r.event["type"] == event_type]

    def wait_for(
        self, count: int, event_type: str | None = None, timeout: float = 30.0
    ) -> list[Received]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.requests(event_type)
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) >= count, f"{len(found)} of {count} webhooks arrived"
                return found
            time.sleep(0.05)


@contextmanager
def receiving(port: int = 0, status: int = 204) -> Iterator[Receiver]:
    receiver = Receiver(port, status)
    receiver._thread.start()
    try:
        yield receiver
    finally:
        receiver._server.shutdown()
        receiver._server.server_close()
