"""Mailers: files on disk, a real SMTP server on loopback, the in-memory helper."""

from __future__ import annotations

import email
import email.policy
import os
import re
import socket
import stat
import threading
import traceback
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

import pytest
from smtp_fixtures import HOST, LoopbackCA, make_ca, smtp_server

from passgate.clock import ManualClock
from passgate.mail.mail_folder import newest_reset_link
from passgate.mail.mailers import (
    FileMailer,
    MailDeliveryError,
    MemoryMailer,
    SmtpMailer,
    SmtpSettings,
    mailer_from_options,
)
from passgate.mail.templates import ResetMail, TemplateSet, find_reset_link

SENDER = "Passgate <no-reply@example.com>"
TO = "alice@example.com"
# Longer than a quoted-printable line, with the `=` and `&` that encoding would mangle.
LINK = "https://app.example.com/account/reset?user=u_7Hq2mXc4KfZ9&token=pgr_" + "Zq8-_x" * 8
SECRET = "s3cret-Passw0rd!"
EML_NAME = re.compile(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{16}\.eml")


def reset_message(to: str = TO) -> EmailMessage:
    mail = ResetMail(to_address=to, reset_link=LINK, expires_minutes=60, tenant_name="default")
    return TemplateSet().render(mail, template=None, sender=SENDER)


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def text_payload(message: EmailMessage) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode()
    raise AssertionError("no text/plain part")


def assert_is_reset_mail(raw: bytes) -> EmailMessage:
    message = parse(raw)
    assert message["To"] == TO
    assert message["From"] == SENDER
    assert LINK in text_payload(message).splitlines()
    assert find_reset_link(message) == LINK
    return message


# --------------------------------------------------------------------------- FileMailer


def test_file_mailer_writes_one_private_parseable_eml(tmp_path: Path) -> None:
    folder = tmp_path / "spool" / "mail"
    mailer = FileMailer(folder)

    mailer.send(reset_message())

    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    [path] = list(folder.iterdir())
    assert EML_NAME.fullmatch(path.name)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_bytes()
    assert_is_reset_mail(raw)
    assert LINK.encode() in raw  # a plain scan of the file finds the link too


def test_a_mail_written_after_a_moment_is_found_since_then_whatever_its_mtime(
    tmp_path: Path,
) -> None:
    """`passgate mail last --since T` goes by the time in the file's name: the
    kernel keeps modification times only to a scheduler tick, so a file written
    a millisecond after T may carry an older one."""
    clock = ManualClock(1_800_000_000.5)
    mailer = FileMailer(tmp_path, clock=clock)
    mailer.send(reset_message())
    [path] = list(tmp_path.iterdir())
    os.utime(path, (clock.now() - 0.004, clock.now() - 0.004))  # a tick behind

    found = newest_reset_link(tmp_path, TO, since=clock.now() - 0.001)
    assert found is not None and found.link == LINK
    assert newest_reset_link(tmp_path, TO, since=clock.now() + 0.001) is None


def test_file_mailer_files_are_0600_whatever_the_umask(tmp_path: Path) -> None:
    mailer = FileMailer(tmp_path)
    previous = os.umask(0)
    try:
        mailer.send(reset_message())
    finally:
        os.umask(previous)
    [path] = list(tmp_path.iterdir())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_file_mailer_leaves_nothing_behind_when_a_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mailer = FileMailer(tmp_path)

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(MailDeliveryError) as caught:
        mailer.send(reset_message())

    assert caught.value.permanent is False
    assert list(tmp_path.iterdir()) == []


def test_file_mailer_keeps_every_message_sent_from_many_threads(tmp_path: Path) -> None:
    mailer = FileMailer(tmp_path)
    threads, per_thread = 8, 12
    errors: list[BaseException] = []

    def send_some() -> None:
        try:
            for _ in range(per_thread):
                mailer.send(reset_message())
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=send_some) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    paths = list(tmp_path.iterdir())
    assert len(paths) == threads * per_thread
    assert all(EML_NAME.fullmatch(p.name) for p in paths)
    ids = {assert_is_reset_mail(p.read_bytes())["Message-ID"] for p in paths}
    assert len(ids) == threads * per_thread


# --------------------------------------------------------------------------- SmtpMailer


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> LoopbackCA:
    return make_ca(tmp_path_factory.mktemp("ca"))


def smtp_settings(port: int, **changes: Any) -> SmtpSettings:
    values: dict[str, Any] = {
        "host": HOST,
        "port": port,
        "security": "none",
        "username": None,
        "password": None,
        "timeout": 5.0,
        "sender": SENDER,
    }
    values.update(changes)
    return SmtpSettings(**values)


def test_smtp_plain_delivers_the_message() -> None:
    with smtp_server() as server:
        SmtpMailer(smtp_settings(server.port)).send(reset_message())
        [got] = server.received
    assert got.mail_from == "no-reply@example.com"
    assert got.rcpt_tos == [TO]
    assert got.tls is False
    assert_is_reset_mail(got.content)


def test_smtp_starttls_verifies_the_server_against_the_ca_file(ca: LoopbackCA) -> None:
    with smtp_server(security="starttls", ca=ca) as server:
        mailer = SmtpMailer(smtp_settings(server.port, security="starttls", ca_file=ca.ca_file))
        mailer.send(reset_message())
        [got] = server.received
    assert got.tls is True
    assert_is_reset_mail(got.content)


def test_smtp_implicit_tls_delivers(ca: LoopbackCA) -> None:
    with smtp_server(security="tls", ca=ca) as server:
        mailer = SmtpMailer(smtp_settings(server.port, security="tls", ca_file=ca.ca_file))
        mailer.send(reset_message())
        [got] = server.received
    assert got.tls is True
    assert_is_reset_mail(got.content)


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_smtp_refuses_a_certificate_it_cannot_verify(
    ca: LoopbackCA, security: Literal["starttls", "tls"]
) -> None:
    with smtp_server(security=security, ca=ca) as server:
        mailer = SmtpMailer(smtp_settings(server.port, security=security))  # system CAs only
        with pytest.raises(MailDeliveryError) as caught:
            mailer.send(reset_message())
        assert server.received == []
    assert caught.value.permanent is True
    assert "certificate" in str(caught.value)


def test_smtp_never_falls_back_to_clear_text_when_starttls_is_missing(ca: LoopbackCA) -> None:
    with smtp_server(security="starttls", ca=ca, offer_starttls=False) as server:
        mailer = SmtpMailer(smtp_settings(server.port, security="starttls", ca_file=ca.ca_file))
        with pytest.raises(MailDeliveryError) as caught:
            mailer.send(reset_message())
        assert server.received == []
    assert caught.value.permanent is True
    assert "STARTTLS" in str(caught.value)


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_smtp_authenticates_after_starttls(ca: LoopbackCA, mechanism: str) -> None:
    other = "LOGIN" if mechanism == "PLAIN" else "PLAIN"
    with smtp_server(
        security="starttls", ca=ca, users={"mailer": SECRET}, auth_exclude=[other]
    ) as server:
        settings = smtp_settings(
            server.port,
            security="starttls",
            ca_file=ca.ca_file,
            username="mailer",
            password=SECRET,
        )
        SmtpMailer(settings).send(reset_message())
        [got] = server.received
    assert server.recorder.logins == [(mechanism, True)]
    assert got.login == "mailer"
    assert_is_reset_mail(got.content)


def test_smtp_authenticates_over_implicit_tls(ca: LoopbackCA) -> None:
    with smtp_server(security="tls", ca=ca, users={"mailer": SECRET}) as server:
        settings = smtp_settings(
            server.port, security="tls", ca_file=ca.ca_file, username="mailer", password=SECRET
        )
        SmtpMailer(settings).send(reset_message())
        [got] = server.received
    assert got.login == "mailer"


def test_smtp_wrong_credentials_fail_permanently_without_the_password(ca: LoopbackCA) -> None:
    wrong = "wr0ng-" + SECRET
    with smtp_server(security="starttls", ca=ca, users={"mailer": SECRET}) as server:
        settings = smtp_settings(
            server.port,
            security="starttls",
            ca_file=ca.ca_file,
            username="mailer",
            password=wrong,
        )
        with pytest.raises(MailDeliveryError) as caught:
            SmtpMailer(settings).send(reset_message())
        assert server.received == []
    error = caught.value
    assert error.permanent is True
    assert error.smtp_code == 535
    shown = str(error) + repr(error) + "".join(traceback.format_exception(error))
    assert wrong not in shown
    assert SECRET not in shown
    assert wrong not in repr(settings)


@pytest.mark.parametrize(
    ("reply", "permanent"),
    [("550 5.1.1 No such user here", True), ("450 4.2.1 Mailbox busy, try later", False)],
)
def test_smtp_recipient_refusal_is_permanent_only_for_5xx(reply: str, permanent: bool) -> None:
    with smtp_server(refuse={TO: reply}) as server:
        with pytest.raises(MailDeliveryError) as caught:
            SmtpMailer(smtp_settings(server.port)).send(reset_message())
        assert server.received == []
    assert caught.value.permanent is permanent
    assert caught.value.smtp_code == int(reply[:3])
    assert reply[:3] in str(caught.value)


def test_smtp_message_without_recipients_fails_permanently() -> None:
    message = reset_message()
    del message["To"]
    with smtp_server() as server:
        with pytest.raises(MailDeliveryError) as caught:
            SmtpMailer(smtp_settings(server.port)).send(message)
        assert server.received == []
    assert caught.value.permanent is True


@pytest.fixture
def dead_port() -> Iterator[int]:
    """A loopback port that is bound (so nobody else takes it) but not listening."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        yield sock.getsockname()[1]


def test_smtp_connection_refused_is_worth_a_retry(dead_port: int) -> None:
    with pytest.raises(MailDeliveryError) as caught:
        SmtpMailer(smtp_settings(dead_port)).send(reset_message())
    assert caught.value.permanent is False


def test_smtp_silent_server_times_out_and_is_worth_a_retry() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((HOST, 0))
        listener.listen()  # accepts into the backlog, never greets
        port = listener.getsockname()[1]
        with pytest.raises(MailDeliveryError) as caught:
            SmtpMailer(smtp_settings(port, timeout=0.3)).send(reset_message())
    assert caught.value.permanent is False
    assert "timed out" in str(caught.value)


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"port": 0}, "port"),
        ({"port": 70000}, "port"),
        ({"security": "ssl"}, "security"),
        ({"username": "mailer"}, "together"),
        ({"username": "mailer", "password": SECRET}, "encrypted"),
        ({"timeout": 0}, "timeout"),
        ({"sender": "not an address"}, "sender"),
        ({"sender": "a@example.com\r\nBcc: x@example.com"}, "sender"),
        ({"host": ""}, "host"),
        ({"ca_file": Path("ca.pem")}, "CA file"),
    ],
)
def test_smtp_settings_refuse_what_cannot_work(changes: dict[str, Any], complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint) as caught:
        smtp_settings(**{"port": 25, **changes})
    assert SECRET not in str(caught.value)


def test_smtp_settings_repr_hides_the_password() -> None:
    settings = smtp_settings(587, security="starttls", username="mailer", password=SECRET)
    assert SECRET not in repr(settings)
    assert SECRET not in repr(SmtpMailer(settings))


# --------------------------------------------------------------------------- wiring


def test_options_without_smtp_host_give_a_file_mailer(tmp_path: Path) -> None:
    mailer = mailer_from_options(sender=SENDER, directory=tmp_path / "mail")
    assert isinstance(mailer, FileMailer)
    assert mailer.directory == tmp_path / "mail"


def test_options_with_smtp_host_default_to_starttls_on_587() -> None:
    mailer = mailer_from_options(sender=SENDER, smtp_host="mail.example.com")
    assert isinstance(mailer, SmtpMailer)
    assert (mailer.settings.security, mailer.settings.port) == ("starttls", 587)


@pytest.mark.parametrize(("security", "port"), [("none", 25), ("tls", 465)])
def test_options_pick_the_port_from_the_security(security: str, port: int) -> None:
    mailer = mailer_from_options(
        sender=SENDER, smtp_host="mail.example.com", smtp_security=security
    )
    assert isinstance(mailer, SmtpMailer)
    assert mailer.settings.port == port


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        ({}, "--mail-dir or --smtp-host"),
        ({"directory": Path("m"), "smtp_host": "mail.example.com"}, "exclude each other"),
        ({"directory": Path("m"), "smtp_username": "mailer"}, "--smtp-username need"),
        ({"smtp_host": "mail.example.com", "smtp_security": "ssl"}, "--smtp-security"),
    ],
)
def test_options_refuse_ambiguous_or_stray_flags(options: dict[str, Any], complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        mailer_from_options(sender=SENDER, **options)


# --------------------------------------------------------------------------- MemoryMailer


def test_memory_mailer_keeps_messages_in_order() -> None:
    mailer = MemoryMailer()
    first, second = reset_message(), reset_message("bob@example.com")
    mailer.send(first)
    mailer.send(second)

    seen = mailer.messages
    seen.clear()  # a copy: the mailer's own list is untouched
    assert mailer.messages == [first, second]
    mailer.clear()
    assert mailer.messages == []


def test_memory_mailer_fails_on_demand_then_recovers() -> None:
    mailer = MemoryMailer()
    mailer.fail_next(MailDeliveryError("relay down", permanent=False))

    with pytest.raises(MailDeliveryError, match="relay down"):
        mailer.send(reset_message())
    mailer.send(reset_message())
    assert len(mailer.messages) == 1


def test_memory_mailer_wait_for_sees_mail_from_another_thread() -> None:
    mailer = MemoryMailer()
    sender = threading.Timer(0.05, mailer.send, args=(reset_message(),))
    sender.start()
    try:
        [message] = mailer.wait_for(1, timeout=5)
    finally:
        sender.join()
    assert find_reset_link(message) == LINK


def test_memory_mailer_wait_for_times_out() -> None:
    with pytest.raises(TimeoutError):
        MemoryMailer().wait_for(1, timeout=0.05)
