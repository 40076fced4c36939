"""Checks against the machine before serving: can the files be written, can
the address be bound. Done up front so that each failure is one line naming
the setting, rather than a traceback from deep inside the server."""

from __future__ import annotations

import errno
import ipaddress
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from passgate import tracing
from passgate.accounts_database import limits_file_problem
from passgate.config import Settings, by_name, show
from passgate.limits.redis_url import uses_redis
from passgate.mail.mailers import mail_destination
from passgate.mail.templates import folder_problem
from passgate.sealing import key_problem
from passgate.setting_sources import OperatorError, Resolved, SettingError, Source
from passgate.store.db import sqlite_path
from passgate.tls import UnusableCertificate, is_loopback, load_pair


def writable_folder(folder: Path) -> str | None:
    """None if a file can be written in `folder`, else why not. The trial is an
    anonymous file in the folder, or, where it is still to be made, in its
    nearest existing parent (making the folders there needs the same right):
    nothing is created that a start refused later would leave behind, or that
    another process checking at once (a worker of the same `serve`) could
    remove under it. Serving creates the folder itself."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is a file, not a folder"
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        return f"cannot create or write in {folder}: {error.strerror or error}"
    return None


def check_listen(address: str) -> str | None:
    """None if `address` can be bound now, else why not."""
    host, _, port = address.rpartition(":")
    host = host.strip("[]")
    try:
        infos = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        return f"cannot resolve host {host!r}: {error.strerror}"
    family, kind, proto, _, sockaddr = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(sockaddr)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return "address already in use: stop the other server or choose another port"
            if error.errno == errno.EADDRNOTAVAIL:
                return f"{host} is not an address of this machine"
            if error.errno == errno.EACCES:
                return f"port {port} needs privileges: choose a port above 1023"
            return f"cannot listen there: {error.strerror}"
    return None


def _socket_address(address: str) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int]:
    """The IP address and port `address` (HOST:PORT, checked) binds."""
    host, _, port = address.rpartition(":")
    infos = socket.getaddrinfo(host.strip("[]"), int(port), type=socket.SOCK_STREAM)
    return ipaddress.ip_address(infos[0][4][0]), int(port)


def takes_same_port(first: str, second: str) -> bool:
    """Whether two listen addresses ask for one socket: the same port (not 0, any free
    one), on one address or with either on every address. Each can be bound alone, so
    probing them one by one does not find it; the second bind would fail after the
    first started serving."""
    (ip_a, port_a), (ip_b, port_b) = _socket_address(first), _socket_address(second)
    if port_a != port_b or port_a == 0:
        return False
    return ip_a == ip_b or ip_a.is_unspecified or ip_b.is_unspecified


def check_serving(resolved: Resolved, *, bind: bool, database_only: bool = False) -> None:
    """Raises SettingError for the first setting the machine cannot honour
    (only the database file's, for commands that create nothing else)."""
    settings = resolved.settings
    fail = _failing(resolved)
    if database_only:
        if (file := sqlite_path(settings.database)) and (problem := _writable_file(file)):
            fail("database", problem)
        return
    check_combinations(resolved)
    _files(resolved, fail)
    if bind:
        _ports(resolved, fail)
    if settings.tls_cert is not None and settings.tls_key is not None:
        try:
            load_pair(settings.tls_cert, settings.tls_key, settings.tls_client_ca)
        except UnusableCertificate as error:
            fail(error.setting, str(error))
    if (problem := tracing.missing()) is not None:
        raise OperatorError(problem)


def _files(resolved: Resolved, fail: Callable[[str, str], NoReturn]) -> None:
    """The files and folders passgate writes or reads, as this machine has them."""
    from passgate.app import local_limits_file, secret_file  # noqa: PLC0415 (the server's)

    settings = resolved.settings
    for name in ("database", "limits_store"):
        file = sqlite_path(getattr(settings, name) or "")
        if file is not None and (problem := _writable_file(file)):
            fail(name, problem)
    _limits_file(settings, fail)
    local = settings.limits_store_outage == "local"
    if local and (problem := _writable_file(local_limits_file(settings))):
        fail("limits_store_outage", f"the local limits file: {problem}")
    if settings.mail_dir is not None and (problem := writable_folder(settings.mail_dir)):
        fail("mail_dir", problem)
    if settings.secret_file is not None and (problem := _writable_file(settings.secret_file)):
        fail("secret_file", problem)
    try:
        key_file: Path | None = secret_file(settings)
    except ValueError:  # no SQLite file to keep it beside: check_combinations says so
        key_file = None
    if key_file is not None and (problem := key_problem(key_file)) is not None:
        fail("secret_file", problem)
    if settings.template_dir is not None and (problem := folder_problem(settings.template_dir)):
        fail("template_dir", problem)
    if settings.smtp_ca_file is not None and not settings.smtp_ca_file.is_file():
        fail("smtp_ca_file", f"{settings.smtp_ca_file} is not a file")


def _ports(resolved: Resolved, fail: Callable[[str, str], NoReturn]) -> None:
    """The addresses to serve on, bindable now and not one socket twice."""
    settings = resolved.settings
    if problem := check_listen(settings.listen):
        fail("listen", problem)
    if not settings.metrics_listen:
        return
    if problem := check_listen(settings.metrics_listen):
        fail("metrics_listen", problem)


def check_combinations(resolved: Resolved) -> None:
    """Raises OperatorError or SettingError for settings that cannot work together
    on any machine: what `passgate config` checks too, touching no file or port."""
    settings = resolved.settings
    fail = _failing(resolved)
    _side_files_off_sqlite(resolved)
    if settings.limits_store_outage == "local" and not uses_redis(settings.limits_store or ""):
        fail(
            "limits_store_outage",
            "only a Redis limits store (--limits-store redis://…) can be lost; "
            "the file is this machine's own",
        )
    _transport(resolved, fail)
    _ports_apart(resolved, fail)
    try:
        mail_destination(settings.mail)
    except ValueError as error:
        raise OperatorError(str(error)) from None
    if settings.webhook_urls and settings.webhook_secret is None:
        fail(
            "webhook_urls",
            "webhooks are signed: give --webhook-secret (PASSGATE_WEBHOOK_SECRET) too, "
            "e.g. whsec_$(head -c 32 /dev/urandom | base64)",
        )


def _failing(resolved: Resolved) -> Callable[[str, str], NoReturn]:
    """What refuses setting `name` with `problem`, naming its value and where it came from."""
    declared = by_name()

    def fail(name: str, problem: str) -> NoReturn:
        source = resolved.sources.get(name, Source("default"))
        value = show(getattr(resolved.settings, name))
        raise SettingError(declared[name], value, source, problem)

    return fail


def _transport(resolved: Resolved, fail: Callable[[str, str], NoReturn]) -> None:
    """TLS files that go together; plain text only on loopback unless the operator
    says otherwise (whether the files load is checked by `check_serving`)."""
    settings = resolved.settings
    if (settings.tls_cert is None) != (settings.tls_key is None):
        raise OperatorError("--tls-cert and --tls-key go together: give both, or neither")
    if settings.tls_cert is None and settings.tls_client_ca is not None:
        raise OperatorError("--tls-client-ca (mutual TLS) needs --tls-cert and --tls-key")
    if settings.tls_cert is None and not settings.insecure and not is_loopback(settings.listen):
        fail(
            "listen",
            "plain text beyond this machine: give --tls-cert and --tls-key, or --insecure "
            "to serve plain text anyway (behind a proxy that terminates TLS)",
        )


def _ports_apart(resolved: Resolved, fail: Callable[[str, str], NoReturn]) -> None:
    """Ports the settings ask for twice: the metrics on gRPC's, or any free port
    (0) for workers, which share one socket address."""
    settings = resolved.settings
    if settings.workers > 1 and settings.listen.rpartition(":")[2] == "0":
        raise OperatorError("--workers needs a fixed port in --listen: the workers share it")
    if not settings.metrics_listen:
        return
    try:
        same = takes_same_port(settings.listen, settings.metrics_listen)
    except OSError:  # a host only another network resolves: `serve` there checks it
        return
    if same:
        fail("metrics_listen", "--listen serves gRPC there: give the metrics a port of their own")


# What cannot live in a database server, and why each must be given there.
_SIDE_FILES = (
    ("secret_file", "every replica must seal and open queued mail with the same key"),
    (
        "limits_store",
        "budgets and throttles live in a SQLite file or Redis that every process shares",
    ),
)


def _side_files_off_sqlite(resolved: Resolved) -> None:
    """Beside a SQLite file these default to `<file>.secret` and `<file>.limits`;
    a database server has no folder to put them in, so the operator names them."""
    settings = resolved.settings
    if sqlite_path(settings.database) is not None:
        return
    declared = by_name()
    for name, why in _SIDE_FILES:
        if getattr(settings, name) is None:
            setting = declared[name]
            raise OperatorError(
                f"{setting.flag} ({setting.env}) is required when the database is not SQLite: {why}"
            )


def why_sqlite_cannot_open(file: Path) -> str | None:
    """Why SQLite may not open `file` (an existing database) for passgate, if a
    write it needs is refused: the file itself, or its folder, where SQLite
    creates the write-ahead log and shared-memory files even to read."""
    return _writable_file(file) or writable_folder(file.parent)


def _limits_file(settings: Settings, fail: Callable[[str, str], NoReturn]) -> None:
    """A SQLite limits store is a file of its own: neither the accounts database nor
    another program's file, which passgate would write its tables into."""
    file = sqlite_path(settings.limits_store or "")
    if file is None:
        return
    database = sqlite_path(settings.database)
    if database is not None and file.resolve() == database.resolve():
        fail(
            "limits_store",
            "it is the --database file: budgets and throttles need a file of their own "
            "(by default the database's name with .limits)",
        )
    if (problem := limits_file_problem(file)) is not None:
        fail("limits_store", f"not a limits store ({problem}); check --limits-store")


def _writable_file(file: Path) -> str | None:
    if file.exists():
        if file.is_dir():
            return f"{file} is a folder"
        try:
            with file.open("ab"):
                pass
        except OSError as error:
            return f"cannot write {file}: {error.strerror}"
        return None
    return writable_folder(file.parent if str(file.parent) else Path("."))
