"""Prometheus metrics, served on a listener of their own (`--metrics-listen`)
when asked for; without it nothing here runs and no call pays for it.

Labels name methods, status codes and limit kinds only: never a user, an
e-mail address, a key or a client address. With `--workers N` each worker
writes its figures to files in a folder the supervisor chose
(prometheus-client's multiprocess mode) and the supervisor serves their sum.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import peewee
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from passgate.store.db import release_connection
from passgate.version import installed_version

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
# From a cheap call's half millisecond to a queued sign-in's seconds.
CALL_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
WAIT_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Metrics:
    """The figures a passgate process records. Children of labelled metrics are
    kept per label set, so recording a call is two dictionary lookups."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry
        target = registry if registry is not None else REGISTRY
        self._calls = Counter(
            "passgate_rpc_calls",
            "Calls answered, by method and status code",
            ["service", "method", "code"],
            registry=target,
        )
        self._seconds = Histogram(
            "passgate_rpc_duration_seconds",
            "Time from a call's start to its answer, by method",
            ["service", "method"],
            buckets=CALL_BUCKETS,
            registry=target,
        )
        self._refusals = Counter(
            "passgate_limit_refusals",
            "Calls refused by a budget or a throttle, by limit",
            ["limit"],
            registry=target,
        )
        self.bcrypt_wait = Histogram(
            "passgate_bcrypt_wait_seconds",
            "Time a bcrypt job waited in the hash pool's queue before a thread took it",
            buckets=WAIT_BUCKETS,
            registry=target,
        )
        self.bcrypt_busy = Gauge(
            "passgate_bcrypt_threads_busy",
            "Hash pool threads computing bcrypt now",
            multiprocess_mode="livesum",
            registry=target,
        )
        info = Gauge(
            "passgate_build_info",
            "passgate's version, always 1",
            ["version"],
            multiprocess_mode="max",
            registry=target,
        )
        info.labels(installed_version()).set(1)
        self._call_children: dict[tuple[str, grpc.StatusCode], Counter] = {}
        self._time_children: dict[str, Histogram] = {}
        self._refusal_children: dict[str, Counter] = {}

    def call(
        self,
        full_method: str,
        code: grpc.StatusCode,
        seconds: float,
        refused_by: str | None = None,
    ) -> None:
        """One answered call; `refused_by` names the kind of limit that refused it."""
        if refused_by is not None:
            self.refused(refused_by)
        counter = self._call_children.get((full_method, code))
        if counter is None:
            service, method = _split(full_method)
            counter = self._calls.labels(service, method, code.name)
            self._call_children[(full_method, code)] = counter
        counter.inc()
        timer = self._time_children.get(full_method)
        if timer is None:
            timer = self._seconds.labels(*_split(full_method))
            self._time_children[full_method] = timer
        timer.observe(seconds)

    def refused(self, limit: str) -> None:
        """`limit` is a budget's kind or the throttle's subject, never its key."""
        counter = self._refusal_children.get(limit)
        if counter is None:
            counter = self._refusal_children[limit] = self._refusals.labels(limit)
        counter.inc()


def _split(full_method: str) -> tuple[str, str]:
    """`/pkg.Service/Method` → (`pkg.Service`, `Method`)."""
    service, _, method = full_method.strip("/").partition("/")
    return service, method


class OutboxCollector(Collector):
    """Mail waiting to leave, read from the database at each scrape (the
    outbox is shared: one reading serves every worker)."""

    def __init__(self, database: peewee.Database, backlog: Callable[[], tuple[int, float]]) -> None:
        self._database = database
        self._backlog = backlog

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            pending, oldest = self._backlog()
        finally:
            release_connection(self._database)
        yield GaugeMetricFamily(
            "passgate_outbox_pending", "Mail and reset requests not yet delivered", value=pending
        )
        yield GaugeMetricFamily(
            "passgate_outbox_oldest_pending_age_seconds",
            "Age of the oldest undelivered mail or reset request (0 when none)",
            value=max(0.0, time.time() - oldest) if pending else 0.0,
        )


def serve_metrics(listen: str, registry: CollectorRegistry) -> Any:
    """Serves `registry` as Prometheus text on `listen` (HOST:PORT), from a
    daemon thread; returns the HTTP server, to `shutdown()`."""
    host, _, port = listen.rpartition(":")
    server, _thread = start_http_server(int(port), addr=host.strip("[]"), registry=registry)
    return server


def worker_registry() -> CollectorRegistry | None:
    """The registry a serving process records into: its own, or None when the
    supervisor of several workers aggregates their files (multiprocess mode
    records into the default registry's files)."""
    return None if os.environ.get(MULTIPROCESS_ENV) else CollectorRegistry()


def supervisor_registry(folder: Path) -> CollectorRegistry:
    """The sum of every worker's figures, read from `folder` at each scrape."""
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(folder))  # type: ignore[no-untyped-call]
    return registry
