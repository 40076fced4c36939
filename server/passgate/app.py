"""Assembling a passgate server from settings, apart from running it, so tests
can build one on port 0 with their own clock and mailer.

The server is grpcio's asyncio server: cheap calls run start to end on the
event loop, so a call costs no hand-off between threads; work that waits for
bcrypt or the disk goes to `Offload` threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import grpc
import peewee
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_health.v1.health import aio as health_aio

from passgate import tracing
from passgate.accounts_database import open_accounts_database
from passgate.admin.v1 import admin_service_pb2, admin_service_pb2_grpc
from passgate.auth.v1 import auth_service_pb2, auth_service_pb2_grpc
from passgate.clock import Clock, SystemClock
from passgate.config import Settings
from passgate.dependency_health import DependencyHealth, database_probe, limits_probe
from passgate.generic_handlers import add_servicer
from passgate.identity.accounts import Accounts, AccountStores
from passgate.identity.administration import Administration
from passgate.identity.apikeys import ApiKeys
from passgate.identity.events import Events
from passgate.identity.hashing import HashPool
from passgate.identity.passwords import PasswordHasher
from passgate.identity.policy import PasswordPolicy
from passgate.identity.session_use import SessionUseWriter
from passgate.identity.sessions import Sessions
from passgate.identity.tenants import Tenants
from passgate.identity.user_sessions import UserSessions
from passgate.identity.users import Users
from passgate.interceptors.api_key import ApiKeyGate
from passgate.interceptors.client_certificate import ClientCertificate
from passgate.interceptors.errors import ErrorGuard
from passgate.interceptors.handlers import CheckedHandlers
from passgate.interceptors.in_flight import InFlightCap
from passgate.interceptors.rate_limit import RateLimitGate
from passgate.interceptors.request_deadline import RequestDeadlines
from passgate.limits.client_address import parse_networks
from passgate.limits.policy import ThrottlePolicy
from passgate.limits.redis_url import uses_redis
from passgate.limits.store import AwaitedLimitStore, LimitStore
from passgate.limits.stores import open_limits_store, sqlite_limits_store
from passgate.limits.throttle import SignInThrottle, WrongTokenCounter
from passgate.mail.mailers import Mailer, mail_destination, mailer_for
from passgate.mail.outbox import DeliveryWorker, Outbox, QueuedReset
from passgate.mail.templates import ResetMail, TemplateSet
from passgate.metrics import Metrics, OutboxCollector, serve_metrics, worker_registry
from passgate.offload import Offload
from passgate.reflection import REFLECTION_PREFIXES, enable_reflection
from passgate.sealing import Sealer, load_or_create_key
from passgate.services.admin_service import AdminService
from passgate.services.auth_service import AuthService
from passgate.setting_sources import shown_database
from passgate.store.db import close_database, release_connection, sqlite_path
from passgate.store.events import SqlWebhookDeliveries
from passgate.store.housekeeping import Housekeeping, HousekeepingWorker
from passgate.store.migrations import migrate, newer_schema
from passgate.store.outbox import SqlOutbox
from passgate.store.revocations import RevocationWatch, revocation_watch
from passgate.tls import CertificateFiles
from passgate.version import installed_version
from passgate.webhooks.delivery import WebhookWorker
from passgate.webhooks.sender import Sender, post
from passgate.webhooks.signing import secret_key
from passgate.workers import WORKER_ENV

log = logging.getLogger("passgate")

SERVICE_NAME: str = auth_service_pb2.DESCRIPTOR.services_by_name["AuthService"].full_name
ADMIN_SERVICE_NAME: str = admin_service_pb2.DESCRIPTOR.services_by_name["AdminService"].full_name
HEALTH_PREFIX = "/grpc.health.v1.Health/"


def secret_file(settings: Settings) -> Path:
    """Where the sealing key lives: configured, or beside the SQLite file."""
    if settings.secret_file is not None:
        return settings.secret_file
    path = sqlite_path(settings.database)
    if path is None:
        raise ValueError("set --secret-file (PASSGATE_SECRET_FILE) when the database is not SQLite")
    return path.with_name(path.name + ".secret")


def limits_store(settings: Settings) -> LimitStore:
    """The shared budget and throttle state: configured (a SQLite file or
    Redis, with this machine's file behind it if `--limits-store-outage
    local`), or a file beside the SQLite database."""
    if settings.limits_store is None:
        return sqlite_limits_store(local_limits_file(settings))
    if settings.limits_store_outage == "local" and uses_redis(settings.limits_store):
        return open_limits_store(settings.limits_store, local=local_limits_file(settings))
    return open_limits_store(settings.limits_store)


def local_limits_file(settings: Settings) -> Path:
    """This machine's limits file, shared by its worker processes: beside the
    SQLite database, or off SQLite beside the secret file."""
    database = sqlite_path(settings.database)
    if database is None and settings.limits_store is None:
        raise ValueError("set --limits-store when the database is not SQLite")
    beside = database if database is not None else secret_file(settings)
    return beside.with_name(beside.name + ".limits")


def _dependency_health(database: peewee.Database, limits: LimitStore) -> DependencyHealth | None:
    """Probes for what can be lost over the network: a database server, Redis."""
    probes = {"the database": database_probe(database), "the limits store": limits_probe(limits)}
    found = {name: probe for name, probe in probes.items() if probe is not None}
    return DependencyHealth(found) if found else None


def _add_port(server: grpc.aio.Server, settings: Settings) -> tuple[int, CertificateFiles | None]:
    """The port, with TLS when a certificate is configured (the settings were
    checked), and the certificate files it serves, for SIGHUP to re-read."""
    if settings.tls_cert is None or settings.tls_key is None:
        return server.add_insecure_port(settings.listen), None
    files = CertificateFiles(settings.tls_cert, settings.tls_key, settings.tls_client_ca)
    return server.add_secure_port(settings.listen, files.credentials()), files


def transport_options(settings: Settings) -> list[tuple[str, int]]:
    """Message, metadata, stream and keepalive bounds for the gRPC server."""
    return [
        ("grpc.max_receive_message_length", settings.max_message_bytes),
        # grpc treats max_metadata_size as a soft limit (refusing at random above
        # it); the absolute limit makes the bound exact.
        ("grpc.max_metadata_size", settings.max_metadata_bytes),
        ("grpc.absolute_max_metadata_size", settings.max_metadata_bytes),
        ("grpc.keepalive_time_ms", int(settings.keepalive_time * 1000)),
        ("grpc.keepalive_timeout_ms", int(settings.keepalive_timeout * 1000)),
        ("grpc.http2.min_ping_interval_without_data_ms", int(settings.keepalive_min_ping * 1000)),
        ("grpc.http2.max_ping_strikes", 2),
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.max_connection_idle_ms", int(settings.max_connection_idle * 1000)),
        # Streams one connection may hold at once (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS).
        ("grpc.max_concurrent_streams", settings.max_streams_per_connection),
        # Worker processes share one port; a lone server refuses a port in use.
        ("grpc.so_reuseport", 1 if settings.workers > 1 else 0),
    ]


def build_mailer(settings: Settings) -> Mailer:
    return mailer_for(mail_destination(settings.mail))


@dataclass
class Passgate:
    """A built, not yet started, passgate server and the parts it owns."""

    settings: Settings
    server: grpc.aio.Server
    port: int
    database: peewee.Database
    health: health_aio.HealthServicer
    mail_worker: DeliveryWorker
    webhook_worker: WebhookWorker | None
    housekeeping: HousekeepingWorker
    session_use: SessionUseWriter
    hashes: HashPool
    offload: Offload
    api_keys: ApiKeys
    limits: LimitStore
    watch: RevocationWatch | None
    dependency_health: DependencyHealth | None
    metrics: Metrics | None
    # The servicer and the handlers that guard every method, for tools that
    # drive a method's guarded handler without the network (bench.hotpath).
    service: AuthService
    handlers: CheckedHandlers
    # With TLS: the certificate, key and client CA files, re-read on SIGHUP.
    certificates: CertificateFiles | None = None
    # Whose WatchEvents streams end when the server begins to stop.
    events: Events | None = None
    _stopped: bool = False
    _metrics_server: Any = None
    # Set by a second SIGTERM or SIGINT: the operator will not wait out the delay.
    _hurried: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        self.mail_worker.start()
        if self.webhook_worker is not None:
            self.webhook_worker.start()
        self.housekeeping.start()
        self.session_use.start()
        await self._set_health(serving=True)
        if self.dependency_health is not None:
            loop = asyncio.get_running_loop()
            self.dependency_health.start(
                lambda serving: asyncio.run_coroutine_threadsafe(
                    self._set_health(serving=serving), loop
                )
            )
        await self.server.start()
        self._serve_metrics()
        database = shown_database(self.settings.database, absolute=True)
        log.info(
            "serving",
            extra={
                "fields": {
                    "listen": self.settings.listen,
                    "port": self.port,
                    "database": database,
                    "bcrypt": self.hashes.hasher.backend,
                    "version": installed_version(),
                }
            },
        )
        if os.environ.get(WORKER_ENV, "0") == "0" and not self.api_keys.any_usable():
            on_sqlite = sqlite_path(self.settings.database) is not None
            named = f"sqlite:///{database}" if on_sqlite else "URL"
            log.warning(
                "no API key yet: every call but health checks and reflection is refused "
                "UNAUTHENTICATED; make one with `passgate apikey create --name NAME "
                "--database %s`",
                named,
            )
        if os.environ.get(WORKER_ENV, "0") == "0" and (newer := newer_schema(self.database)):
            log.warning(newer)

    def reload_certificates(self) -> None:
        """SIGHUP: the TLS files are read now and served to the next connection
        (a pair that does not load is logged and not used); connections stay."""
        if self.certificates is None:
            log.info("SIGHUP: no TLS certificate to re-read (serving plain text)")
            return
        self.certificates.reload()

    def _serve_metrics(self) -> None:
        """A process serving alone serves its own metrics; the workers of a
        supervisor record into files it serves (passgate/workers.py)."""
        listen = self.settings.metrics_listen
        if self.metrics is None or listen is None or self.metrics.registry is None:
            return
        self.metrics.registry.register(
            OutboxCollector(self.database, SqlOutbox(self.database).backlog)
        )
        self._metrics_server = serve_metrics(listen, self.metrics.registry)

    async def _set_health(self, *, serving: bool) -> None:
        """The server's and the service's health (after a graceful shutdown
        began, grpcio keeps them NOT_SERVING whatever is set)."""
        status = (
            health_pb2.HealthCheckResponse.SERVING
            if serving
            else (health_pb2.HealthCheckResponse.NOT_SERVING)
        )
        for name in ("", SERVICE_NAME, ADMIN_SERVICE_NAME):
            await self.health.set(name, status)

    async def stop(self, grace: float | None = None) -> None:
        """Says NOT_SERVING, still answers new calls for `shutdown_delay` seconds,
        then refuses them and lets calls in flight finish within `grace`."""
        if self._stopped:
            return
        self._stopped = True
        await self.health.enter_graceful_shutdown()
        if self.events is not None:
            self.events.end_watches()  # streams would hold the shutdown for its whole grace
        if self.dependency_health is not None:
            self.dependency_health.stop()
        if self.settings.shutdown_delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._hurried.wait(), self.settings.shutdown_delay)
        await self._stop_server(self.settings.shutdown_grace if grace is None else grace)
        self.mail_worker.stop()
        if self.webhook_worker is not None:
            self.webhook_worker.stop()
        self.housekeeping.stop()
        self.session_use.stop()
        self.offload.shutdown()
        self.hashes.shutdown()
        if isinstance(self.limits, AwaitedLimitStore):
            await self.limits.aclose()
        self.limits.close()
        if self.watch is not None:
            self.watch.close()
        if self._metrics_server is not None:
            self._metrics_server.shutdown()
        tracing.shutdown()
        close_database(self.database)
        log.info("stopped")

    def hurry(self) -> None:
        """Ends the shutdown delay now and cuts the calls in flight instead of
        waiting out the grace: for a second signal while stopping."""
        self._hurried.set()

    async def _stop_server(self, grace: float) -> None:
        """grpcio's stop with `grace`, cut short to none by `hurry`."""
        stopping = asyncio.ensure_future(self.server.stop(0 if self._hurried.is_set() else grace))
        hurried = asyncio.ensure_future(self._hurried.wait())
        await asyncio.wait((stopping, hurried), return_when=asyncio.FIRST_COMPLETED)
        hurried.cancel()
        if not stopping.done():
            await self.server.stop(0)  # the shorter grace of two calls wins
        await stopping


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    mailer: Mailer | None = None,
    hasher: PasswordHasher | None = None,
    webhook_sender: Sender | None = None,
) -> Passgate:
    """Builds the server and its parts; tests may inject the clock, mailer,
    hasher and what posts webhooks.

    Call it on the event loop that is to run the server."""
    clock = clock or SystemClock()
    tracing.configure()  # before the first call builds its guarded handler
    database = open_accounts_database(settings.database, settings.database_pool, create=True)
    migrate(database)
    watch = revocation_watch(database)
    sealer = Sealer(load_or_create_key(secret_file(settings)))
    # a call waiting for bcrypt or a throttle slot holds no pooled connection
    hand_back = partial(release_connection, database)
    metrics = Metrics(worker_registry()) if settings.metrics_listen is not None else None
    hashes = HashPool(
        hasher or PasswordHasher(settings.bcrypt_cost),
        settings.hash_workers,
        hand_back,
        metrics=metrics,
    )
    outbox = Outbox(database, clock, sealer)
    events = Events(database, clock, settings.webhook_urls)
    webhook_worker = _webhook_worker(settings, database, clock, webhook_sender or post)
    if webhook_worker is not None:
        events.bell.listen(webhook_worker.wake)
    limits = limits_store(settings)
    sessions = Sessions(database, clock, settings.session_ttl, watch)
    stores = AccountStores.over(database)
    policy = PasswordPolicy.from_name(settings.password_policy)
    users = Users(database, clock, events=events)
    accounts = Accounts(
        database=database,
        clock=clock,
        hashes=hashes,
        policy=policy,
        sessions=sessions,
        users=users,
        outbox=outbox,
        events=events,
        reset_ttl=settings.reset_ttl,
        default_reset_url=settings.reset_url,
        throttle=SignInThrottle(
            limits,
            clock,
            ThrottlePolicy(
                free=settings.signin_free_failures,
                first=settings.signin_first_delay,
                longest=settings.signin_max_delay,
            ),
            before_wait=hand_back,
        ),
        wrong_tokens=WrongTokenCounter(
            limits, clock, settings.wrong_reset_tokens, window=settings.reset_ttl
        ),
        resets_per_hour=settings.resets_per_hour,
        stores=stores,
    )
    user_sessions = UserSessions(database, sessions, stores.users, stores.locks, events)
    templates = TemplateSet(settings.mail.template_dir, clock=clock)
    mailer = mailer or build_mailer(settings)

    def deliver(mail: QueuedReset) -> None:
        message = templates.render(
            ResetMail(mail.to_address, mail.reset_link, mail.expires_minutes, mail.tenant_name),
            template=mail.template,
            sender=settings.mail.sender,
        )
        mailer.send(message)

    mail_worker = DeliveryWorker(outbox, deliver, accounts.resolve_reset)
    api_keys = ApiKeys(database, clock, watch, events=events)
    open_prefixes = (HEALTH_PREFIX, *REFLECTION_PREFIXES)
    offload = Offload(settings.threads, after_each=hand_back)
    budgets = RateLimitGate(
        limits,
        clock,
        key_rate=settings.key_rate,
        ip_rate=settings.ip_rate,
        trusted_proxies=parse_networks(settings.trusted_proxies),
        open_prefixes=open_prefixes,
        method_ip_rates={"RequestReset": settings.reset_ip_rate},
    )
    handlers = CheckedHandlers(
        ErrorGuard(
            RequestDeadlines(settings.request_timeout),
            InFlightCap(settings.max_concurrent_rpcs, open_prefixes),
            metrics,
        ),
        *(
            (ClientCertificate(unrecorded_prefixes=REFLECTION_PREFIXES),)
            if settings.tls_client_ca is not None
            else ()
        ),
        ApiKeyGate(api_keys, open_prefixes, refusals_charged_to=budgets),
        budgets,
    )
    # No `maximum_concurrent_rpcs`: grpcio would count health checks and calls
    # still waiting for their message; the guard's InFlightCap counts calls at work.
    server = grpc.aio.server(options=transport_options(settings))
    server.add_generic_rpc_handlers((handlers,))  # every method is served through it
    service = AuthService(accounts, user_sessions, offload, on_mail_queued=mail_worker.wake)
    add_servicer(auth_service_pb2_grpc.add_AuthServiceServicer_to_server, service, handlers)
    administration = Administration(
        users=users,
        api_keys=api_keys,
        tenants=Tenants(database, clock, events=events),
        accounts=accounts,
        hashes=hashes,
        policy=policy,
        sealer=sealer,
    )
    admin = AdminService(
        administration, offload, on_mail_queued=mail_worker.wake, user_sessions=user_sessions
    )
    admin.serve_events(events, offload)
    add_servicer(admin_service_pb2_grpc.add_AdminServiceServicer_to_server, admin, handlers)
    health_servicer = health_aio.HealthServicer()
    add_servicer(health_pb2_grpc.add_HealthServicer_to_server, health_servicer, handlers)
    if settings.reflection:
        enable_reflection([SERVICE_NAME, ADMIN_SERVICE_NAME, health.SERVICE_NAME], handlers)
    port, certificates = _add_port(server, settings)
    if port == 0:
        raise OSError(f"cannot listen on {settings.listen}")
    return Passgate(
        settings,
        server,
        port,
        database,
        health_servicer,
        mail_worker,
        webhook_worker,
        HousekeepingWorker(Housekeeping(database, clock, limits, settings.event_retention)),
        SessionUseWriter(sessions, database, settings.session_use_flush),
        hashes,
        offload,
        api_keys,
        limits,
        watch,
        _dependency_health(database, limits),
        metrics,
        service=service,
        handlers=handlers,
        certificates=certificates,
        events=events,
    )


def _webhook_worker(
    settings: Settings, database: peewee.Database, clock: Clock, send: Sender
) -> WebhookWorker | None:
    """The worker that delivers events to the configured endpoints; None
    without a signing secret (endpoints cannot be configured without one)."""
    key = None if settings.webhook_secret is None else secret_key(settings.webhook_secret)
    if key is None:
        return None
    return WebhookWorker(
        SqlWebhookDeliveries(database),
        clock,
        key,
        send,
        attempts=settings.webhook_attempts,
        first_delay=settings.webhook_retry_delay,
        poll_interval=min(1.0, settings.webhook_retry_delay),
    )


def serve(settings: Settings) -> int:
    """Runs until SIGTERM or SIGINT, then drains calls in flight and returns 0;
    SIGHUP re-reads the TLS files; one that comes while the server starts (its
    migrations) or stops is ignored rather than ending it."""
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        return asyncio.run(_serve(settings))
    finally:
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # the loop's close put back the default


async def _serve(settings: Settings) -> int:
    app = build(settings)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGHUP, app.reload_certificates)
    await app.start()
    done = asyncio.Event()

    def on_signal(signum: signal.Signals) -> None:
        if done.is_set():
            log.warning(
                "second signal: stopping now, without the rest of the shutdown delay and grace",
                extra={"fields": {"signal": signum.name}},
            )
            app.hurry()
            return
        log.info("shutting down", extra={"fields": {"signal": signum.name}})
        done.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)
    await done.wait()
    await app.stop()
    return 0
