"""Reading security events the way an admin does: WatchEvents and
ListWebhookDeliveries through the generated stubs, with an admin key."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import grpc
from engines import EngineDatabase
from rpc_support import query, stored_in

from passgate.admin.v1 import admin_service_pb2 as apb
from passgate.admin.v1 import admin_service_pb2_grpc
from passgate.testing import ServerProcess


def webhook_kw(database: EngineDatabase, secret: str) -> dict[str, Any]:
    """`ServerProcess` keywords for a server on `database` signing webhooks with `secret`."""
    kw = database.server_kw()
    kw["env"] = {**kw["env"], "PASSGATE_WEBHOOK_SECRET": secret}  # type: ignore[dict-item]
    return kw


def newest_event_id(server: ServerProcess) -> str:
    """The id of the newest event (`"0"` before the first): a watch after it sees
    only what follows, not the events of the test's own setup (a key or user
    made on the command line is an event too)."""
    [(newest,)] = query(stored_in(server.database_url), "SELECT MAX(id) FROM events")
    return str(newest or 0)


def admin_key(server: ServerProcess, name: str = "events-admin", *options: str) -> str:
    return server.create_api_key(name, "--scopes", "admin", *options)


class Watcher:
    """One WatchEvents stream read on a thread: events queue up as they come."""

    def __init__(self, channel: grpc.Channel, key: str, request: apb.WatchEventsRequest) -> None:
        stub = admin_service_pb2_grpc.AdminServiceStub(channel)
        self._call = stub.WatchEvents(request, metadata=[("x-api-key", key)])
        self._events: queue.Queue[apb.Event | grpc.RpcError] = queue.Queue()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for response in self._call:
                self._events.put(response.event)
        except grpc.RpcError as error:
            self._events.put(error)

    def next(self, timeout: float = 10.0) -> apb.Event:
        got = self._events.get(timeout=timeout)
        if isinstance(got, grpc.RpcError):
            raise got
        return got

    def take(self, count: int, timeout: float = 10.0) -> list[apb.Event]:
        return [self.next(timeout) for _ in range(count)]

    def until(self, predicate: Any, timeout: float = 10.0) -> list[apb.Event]:
        """Every event up to and including the first that `predicate` accepts."""
        seen = []
        while True:
            event = self.next(timeout)
            seen.append(event)
            if predicate(event):
                return seen

    def nothing_more(self, wait: float) -> bool:
        try:
            got = self._events.get(timeout=wait)
        except queue.Empty:
            return True
        self._events.put(got)
        return False

    def close(self) -> None:
        self._call.cancel()
        self._thread.join(10)


@contextmanager
def watching(channel: grpc.Channel, key: str, **request: Any) -> Iterator[Watcher]:
    watcher = Watcher(channel, key, apb.WatchEventsRequest(**request))
    try:
        yield watcher
    finally:
        watcher.close()


def data(event: apb.Event) -> dict[str, Any]:
    document = json.loads(event.data_json)
    assert isinstance(document, dict)
    return document


def deliveries(channel: grpc.Channel, key: str, **request: Any) -> list[apb.WebhookDelivery]:
    stub = admin_service_pb2_grpc.AdminServiceStub(channel)
    answer = stub.ListWebhookDeliveries(
        apb.ListWebhookDeliveriesRequest(**request), metadata=[("x-api-key", key)], timeout=10
    )
    return list(answer.deliveries)
