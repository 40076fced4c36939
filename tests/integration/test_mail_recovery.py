"""A reset mail survives its sender: when the server that claimed a mail dies
in the middle of sending it, another server sends it within seconds; when the
send is only slow, no other server sends it a second time.

Real `passgate serve` processes over one SQLite file, and a real SMTP server
that holds the DATA command so the test can act while a send is in flight."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import grpc
from engines import EngineDatabase
from rpc_support import PASSWORD, Client, unique_email
from smtp_fixtures import HOST, DataHold, RunningServer, smtp_server

from passgate.mail.outbox import LEASE_SECONDS
from passgate.testing import ServerProcess

# After a crash the mail arrives within this long of the restart: a lease, a poll
# and some slack on a busy machine. The lease passgate had before this bound was
# 120 s.
RECOVERY_SECONDS = 15.0
SMTP_TIMEOUT = 10.0  # passgate's timeout for each SMTP command


def smtp_args(smtp: RunningServer) -> tuple[str, ...]:
    return ("--smtp-host", HOST, "--smtp-port", str(smtp.port), "--smtp-security", "none")


@contextmanager
def serving(
    workdir: Path, smtp: RunningServer, database: EngineDatabase
) -> Iterator[ServerProcess]:
    """A server mailing through `smtp`; every one on `database` shares its side files."""
    with ServerProcess(
        workdir,
        extra_args=smtp_args(smtp),
        database_url=database.url,
        env=dict(database.env),
        file_mailer=False,
    ) as process:
        yield process


def request_reset(server: ServerProcess) -> str:
    """Makes a user and asks for its reset mail; returns the address."""
    address = unique_email()
    server.create_user(address, PASSWORD)
    with grpc.insecure_channel(server.target) as channel:
        Client(channel, server.api_key).request_reset(address)
    return address


def wait_received(smtp: RunningServer, count: int, timeout: float) -> float:
    """Seconds until the SMTP server holds `count` messages."""
    started = time.monotonic()
    while len(smtp.received) < count:
        waited = time.monotonic() - started
        assert waited < timeout, f"{len(smtp.received)} of {count} mails after {waited:.1f} s"
        time.sleep(0.05)
    return time.monotonic() - started


def test_mail_of_a_killed_server_arrives_once_soon_after_a_restart(
    tmp_path: Path, database: EngineDatabase
) -> None:
    hold = DataHold(count=1)  # the first send stalls until the test lets go, then fails
    with smtp_server(hold=hold) as smtp:
        with ExitStack() as cleanup:
            first = cleanup.enter_context(serving(tmp_path / "first", smtp, database))
            address = request_reset(first)
            # The worker claimed the mail and sent it whole; the answer is held.
            assert hold.holding.wait(30), "the mail never reached the SMTP server"
            # Answered while the worker is stuck: only the request itself is on disk.
            later = request_reset(first)
            first.kill()
        hold.release.set()  # too late: nobody is listening for the answer

        with serving(tmp_path / "second", smtp, database):
            waited = wait_received(smtp, 2, RECOVERY_SECONDS)
            time.sleep(LEASE_SECONDS + 1.0)  # time enough for a second copy to show up

        assert sorted(m.rcpt_tos[0] for m in smtp.received) == sorted([address, later])
        assert hold.data_commands == 3, "one held send, then one for each address"
        assert waited < RECOVERY_SECONDS


def test_a_slow_send_is_never_doubled_by_another_server_on_the_database(
    tmp_path: Path, database: EngineDatabase
) -> None:
    assert LEASE_SECONDS + 1.0 < SMTP_TIMEOUT, "the hold must outlast the lease, not the send"
    # The answer comes later than the lease would have run out, still in time for passgate.
    hold = DataHold(count=1, seconds=LEASE_SECONDS + 1.5, accept=True)
    with (
        smtp_server(hold=hold) as smtp,
        serving(tmp_path / "one", smtp, database) as one,
        serving(tmp_path / "two", smtp, database),
    ):
        address = request_reset(one)
        assert hold.holding.wait(30), "the mail never reached the SMTP server"
        wait_received(smtp, 1, LEASE_SECONDS + 5.0)
        time.sleep(LEASE_SECONDS + 1.0)  # the other server polls every second meanwhile

    assert [m.rcpt_tos for m in smtp.received] == [[address]]
    assert hold.data_commands == 1, "a second server started sending the mail too"
