"""A real SMTP server on a loopback port, and a throwaway CA, for mail tests.

Plain helpers rather than pytest fixtures, so any test module can wrap them
in fixtures of its own scope without conftest.py.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    """One message as the server got it."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    tls: bool
    login: str | None
    sender: object = None  # what `Recorder.identify` said of the connection


@dataclass(frozen=True)
class Held:
    """A DATA command held: the client's address and port, and the recipients."""

    peer: tuple[str, int]
    rcpt_tos: list[str]


@dataclass
class DataHold:
    """Holds the first `count` DATA commands before answering them: until
    `release` is set, or for `seconds`. A held message is accepted only with
    `accept`; otherwise the client is told to try again later (as if the relay
    had given up), so it counts as never delivered.

    `holding` is set once a DATA command is held: the client has sent the
    whole message and waits for the answer. `held` says, for each held
    command, which connection sent it and to whom: a test can then find the
    process that is waiting (`sockets.process_with_connection`)."""

    count: int = 1
    seconds: float | None = None
    accept: bool = False
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    data_commands: int = 0
    held: list[Held] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, peer: tuple[str, int], rcpt_tos: list[str]) -> bool:
        """Counts a DATA command from `peer`; whether this one is to be held."""
        with self.lock:
            self.data_commands += 1
            if self.count <= 0:
                return False
            self.count -= 1
            self.held.append(Held(peer=(peer[0], peer[1]), rcpt_tos=list(rcpt_tos)))
            return True

    async def wait(self) -> None:
        """Polls, so the server's event loop goes on serving other connections."""
        self.holding.set()
        loop = asyncio.get_running_loop()
        until = None if self.seconds is None else loop.time() + self.seconds
        while not self.release.is_set() and (until is None or loop.time() < until):
            await asyncio.sleep(0.02)


@dataclass
class Recorder:
    """The aiosmtpd handler: refuses chosen recipients, holds DATA if told to,
    keeps the rest. `identify`, if set, names the client of each message kept
    from its address and port, while its connection is still open (e.g. the
    process it belongs to)."""

    refuse: dict[str, str] = field(default_factory=dict)
    implicit_tls: bool = False
    hold: DataHold | None = None
    identify: Callable[[tuple[str, int]], object] | None = None
    received: list[Received] = field(default_factory=list)
    logins: list[tuple[str, bool]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        if self.hold is not None and self.hold.take(session.peer, envelope.rcpt_tos):
            await self.hold.wait()
            if not self.hold.accept:
                return "451 4.3.0 held by the test, not delivered"
        login = session.auth_data.login.decode() if session.authenticated else None
        sender = None if self.identify is None else self.identify(session.peer)
        with self.lock:
            self.received.append(
                Received(
                    mail_from=envelope.mail_from,
                    rcpt_tos=list(envelope.rcpt_tos),
                    content=envelope.original_content or envelope.content,
                    tls=self.implicit_tls or session.ssl is not None,
                    login=login,
                    sender=sender,
                )
            )
        return "250 OK: queued"


class Accounts:
    """An aiosmtpd authenticator over a fixed user table."""

    def __init__(self, users: dict[str, str], recorder: Recorder) -> None:
        self.users = users
        self.recorder = recorder

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode()
        ok = self.users.get(login) == auth_data.password.decode()
        self.recorder.logins.append((mechanism, ok))
        return AuthResult(success=ok, handled=False, auth_data=auth_data)


class _LoopbackController(Controller):
    """aiosmtpd's Controller on port 0: learns the port the OS chose before
    its start-up probe connects."""

    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass(frozen=True)
class RunningServer:
    port: int
    recorder: Recorder

    @property
    def received(self) -> list[Received]:
        with self.recorder.lock:
            return list(self.recorder.received)


@dataclass(frozen=True)
class LoopbackCA:
    """A CA trusted only by these tests, with a certificate for the loopback host."""

    ca: trustme.CA
    server_cert: trustme.LeafCert
    ca_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.server_cert.configure_cert(context)
        return context


def make_ca(directory: Path) -> LoopbackCA:
    ca = trustme.CA()
    cert = ca.issue_cert(HOST, "localhost")
    ca_file = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return LoopbackCA(ca=ca, server_cert=cert, ca_file=ca_file)


@contextmanager
def smtp_server(
    *,
    security: Literal["none", "starttls", "tls"] = "none",
    ca: LoopbackCA | None = None,
    users: dict[str, str] | None = None,
    refuse: dict[str, str] | None = None,
    offer_starttls: bool = True,
    auth_exclude: list[str] | None = None,
    hold: DataHold | None = None,
) -> Iterator[RunningServer]:
    """Runs aiosmtpd on 127.0.0.1 for the `with` block.

    `security="starttls"` offers STARTTLS (unless `offer_starttls` is False)
    and, with `users`, requires AUTH after it; `security="tls"` wraps the
    socket from the first byte. `refuse` maps a recipient to the reply its
    RCPT TO gets; `hold` delays DATA answers.
    """
    recorder = Recorder(refuse=dict(refuse or {}), implicit_tls=security == "tls", hold=hold)
    kwargs: dict[str, Any] = {}
    if security != "none":
        if ca is None:
            raise ValueError("a TLS server needs a CA")
        if security == "tls":
            kwargs["ssl_context"] = ca.server_context()
        elif offer_starttls:
            kwargs["tls_context"] = ca.server_context()
    if users is not None:
        kwargs["authenticator"] = Accounts(users, recorder)
        # aiosmtpd only counts STARTTLS as encryption, not a TLS-wrapped socket,
        # and warns when AUTH is required without it.
        kwargs["auth_require_tls"] = security == "starttls"
        kwargs["auth_required"] = security == "starttls"
        if auth_exclude:
            kwargs["auth_exclude_mechanism"] = auth_exclude
    controller = _LoopbackController(recorder, hostname=HOST, port=0, **kwargs)
    controller.start()
    try:
        yield RunningServer(port=controller.port, recorder=recorder)
    finally:
        controller.stop()
