"""Signed webhooks, received by a real HTTP endpoint on a loopback port: an
event survives a SIGKILL right after its change was acknowledged and is
delivered once after the restart; a failing endpoint is retried with growing
back-off and then given up; prevent_webhook keeps one request's webhook back,
not its event; two servers on one database deliver each event once; and an
operator's mistake in the settings is one line at start."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import subprocess
import sys
import time
import uuid
from collections import Counter
from itertools import pairwise
from pathlib import Path

import grpc
import pytest
from engines import EngineDatabase
from event_support import admin_key, data, deliveries, newest_event_id, watching, webhook_kw
from rpc import refused
from rpc_support import NEW_PASSWORD, PASSWORD, Client
from server_support import server_process
from webhook_receiver import Received, receiving

from passgate.client import WebhookVerificationError, verify_webhook
from passgate.testing import ServerProcess, free_port
from passgate.webhooks.delivery import LEASE_SECONDS

SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _verified(received: Received) -> dict[str, object]:
    return verify_webhook(SECRET, received.headers, received.body)


def test_an_acknowledged_change_is_delivered_once_after_a_crash(
    tmp_path: Path, database: EngineDatabase
) -> None:
    port = free_port()  # the endpoint answers only once the server was killed
    url = f"http://127.0.0.1:{port}/hooks"
    server = server_process(
        tmp_path / "server",
        "--webhook-urls",
        url,
        "--webhook-retry-delay",
        "0.2",
        **webhook_kw(database, SECRET),
    )
    email = f"crash-{uuid.uuid4().hex[:8]}@example.com"
    with server:
        user_id = server.create_user(email, PASSWORD)
        # the command line's events before it are sent to no endpoint: it has none
        start = int(newest_event_id(server))
        with grpc.insecure_channel(server.target) as channel:
            client = Client(channel, server.api_key)
            session = client.sign_in(email, PASSWORD).session_token
            changed = client.change_password(session, PASSWORD, NEW_PASSWORD)
            assert changed.session_token
            server.kill()

        with receiving(port) as receiver:
            server.start()
            # a delivery the killed process held is taken again once its lease
            # (LEASE_SECONDS) runs out
            (delivered,) = receiver.wait_for(1, "password.changed", timeout=LEASE_SECONDS + 15)
            event = _verified(delivered)
            assert (event["user_id"], event["data"]) == (user_id, {"sessions_revoked": 1})
            assert delivered.headers["webhook-id"] == f"evt_{event['event_id']}"
            with grpc.insecure_channel(server.target) as channel:
                with watching(channel, admin_key(server), types=["password.changed"]) as watcher:
                    (watched,) = watcher.take(1)
                assert watched.event_id == event["event_id"]
                receiver.wait_for(2, timeout=LEASE_SECONDS + 15)  # the sign-in's too
                time.sleep(1.5)  # time for a second delivery, were there one
                assert len(receiver.requests("password.changed")) == 1
                assert Counter(r.headers["webhook-id"] for r in receiver.requests()) == Counter(
                    {f"evt_{n}": 1 for n in (start + 1, start + 2)}
                )
                states = deliveries(channel, admin_key(server, "deliveries"))
            shown = {d.event_id: d for d in states}
            assert shown[event["event_id"]].state == "delivered"
            assert shown[event["event_id"]].last_result == "HTTP 204"
            assert shown[event["event_id"]].endpoint == url


def test_a_failing_endpoint_is_retried_with_growing_back_off(tmp_path: Path) -> None:
    with receiving(status=500) as receiver:
        with (
            server_process(
                tmp_path,
                "--webhook-urls",
                receiver.url,
                "--webhook-retry-delay",
                "0.3",
                "--webhook-attempts",
                "4",
                env={"PASSGATE_WEBHOOK_SECRET": SECRET},
            ) as server,
            grpc.insecure_channel(server.target) as channel,
        ):
            email = f"retry-{uuid.uuid4().hex[:8]}@example.com"
            server.create_user(email, PASSWORD)
            Client(channel, server.api_key).sign_in(email, PASSWORD)
            attempts = receiver.wait_for(4, timeout=20)
            time.sleep(3.0)  # the fourth was the last
            assert len(receiver.requests()) == 4
            (state,) = deliveries(channel, admin_key(server))
            assert (state.state, state.attempts, state.last_result) == ("failed", 4, "HTTP 500")
            assert not state.HasField("next_attempt_at")

    assert len({r.headers["webhook-id"] for r in attempts}) == 1
    for received in attempts:
        _verified(received)  # each attempt signed afresh, with its own timestamp
    # each retry waits at least its doubled delay (a busy machine only adds to it)
    gaps = [later.at - earlier.at for earlier, later in pairwise(attempts)]
    for retry, gap in enumerate(gaps):
        assert gap >= 0.3 * 2**retry * 0.95, gaps
    assert gaps[-1] > gaps[0], gaps


def test_a_pending_retry_is_shown_with_its_next_attempt(tmp_path: Path) -> None:
    with receiving(status=503) as receiver:
        with (
            server_process(
                tmp_path,
                "--webhook-urls",
                receiver.url,
                "--webhook-retry-delay",
                "600",
                env={"PASSGATE_WEBHOOK_SECRET": SECRET},
            ) as server,
            grpc.insecure_channel(server.target) as channel,
        ):
            email = f"pending-{uuid.uuid4().hex[:8]}@example.com"
            server.create_user(email, PASSWORD)
            Client(channel, server.api_key).sign_in(email, PASSWORD)
            receiver.wait_for(1)
            key = admin_key(server)
            deadline = time.monotonic() + 10
            while (state := deliveries(channel, key)[0]).attempts < 1:
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert (state.state, state.last_result) == ("pending", "HTTP 503")
            assert state.next_attempt_at.seconds > time.time() + 500
            assert deliveries(channel, key, state="delivered") == []
            # an admin of another tenant sees none of the default tenant's deliveries
            server.cli("tenant", "create", "elsewhere")
            elsewhere = admin_key(server, "elsewhere-admin", "--tenant", "elsewhere")
            assert deliveries(channel, elsewhere) == []


def test_prevent_webhook_suppresses_the_delivery_not_the_event(tmp_path: Path) -> None:
    with (
        receiving() as receiver,
        server_process(
            tmp_path, "--webhook-urls", receiver.url, env={"PASSGATE_WEBHOOK_SECRET": SECRET}
        ) as server,
        grpc.insecure_channel(server.target) as channel,
    ):
        quiet = f"quiet-{uuid.uuid4().hex[:8]}@example.com"
        loud = f"loud-{uuid.uuid4().hex[:8]}@example.com"
        quiet_id = server.create_user(quiet, PASSWORD)
        loud_id = server.create_user(loud, PASSWORD)
        client = Client(channel, server.api_key)
        with watching(channel, admin_key(server), types=["reset.requested"]) as watcher:
            client.request_reset(quiet, prevent_webhook=True)
            client.request_reset(loud)
            events = watcher.take(2)
        assert {e.user_id: data(e)["mail"] for e in events} == {quiet_id: "sent", loud_id: "sent"}
        (sent,) = receiver.wait_for(1, "reset.requested")
        assert _verified(sent)["user_id"] == loud_id
        time.sleep(1.0)
        assert [r.event["user_id"] for r in receiver.requests("reset.requested")] == [loud_id]


def test_a_change_made_on_the_command_line_is_delivered_like_the_servers(
    tmp_path: Path,
) -> None:
    """An operator's change through the command line, with the same settings as
    the server (here its environment), reaches the endpoints once."""
    settings = {"PASSGATE_WEBHOOK_SECRET": SECRET}
    with receiving() as receiver:
        settings["PASSGATE_WEBHOOK_URLS"] = receiver.url
        with server_process(tmp_path, env=settings) as server:
            tenant = "t" + uuid.uuid4().hex[:8]
            server.cli("tenant", "create", tenant)
            (sent,) = receiver.wait_for(1, "tenant.created")
            time.sleep(1.0)
            assert len(receiver.requests("tenant.created")) == 1
    body = _verified(sent)
    assert (body["type"], body["tenant_id"]) == ("tenant.created", tenant)


def test_two_servers_on_one_database_deliver_each_event_once(
    tmp_path: Path, database: EngineDatabase
) -> None:
    with receiving() as receiver:
        kw = webhook_kw(database, SECRET)
        args = ("--webhook-urls", receiver.url)
        with (
            server_process(tmp_path / "a", *args, **kw) as first,
            server_process(tmp_path / "b", *args, **kw) as second,
        ):
            email = f"twice-{uuid.uuid4().hex[:8]}@example.com"
            first.create_user(email, PASSWORD)
            for server in (first, second) * 10:
                with grpc.insecure_channel(server.target) as channel:
                    Client(channel, server.api_key).sign_in(email, PASSWORD)
            received = receiver.wait_for(20)
            time.sleep(1.5)
            received = receiver.requests()
    counts = Counter(r.headers["webhook-id"] for r in received)
    assert len(counts) == 20
    assert set(counts.values()) == {1}, counts
    for request in received:
        _verified(request)


def test_the_verifier_refuses_what_passgate_did_not_send_now() -> None:
    body = b'{"event_id":"1","type":"sign_in.succeeded"}'
    now = int(time.time())
    key = base64.b64decode(SECRET.removeprefix("whsec_"))

    def signed(timestamp: int, payload: bytes = body, webhook_id: str = "evt_1") -> str:
        mac = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + payload, hashlib.sha256)
        return "v1," + base64.b64encode(mac.digest()).decode()

    headers = {"Webhook-Id": "evt_1", "Webhook-Timestamp": str(now)}
    good = signed(now)
    assert verify_webhook(SECRET, {**headers, "Webhook-Signature": good}, body)["event_id"] == "1"
    assert verify_webhook(SECRET, {**headers, "webhook-signature": f"v1,bm9wZQ== {good}"}, body)

    def at(timestamp: int) -> dict[str, str]:
        return {
            "webhook-id": "evt_1",
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signed(timestamp),
        }

    refused = [
        ({**headers, "webhook-signature": good}, body + b" "),
        ({**headers, "webhook-signature": good.replace("v1,", "v2,")}, body),
        ({**headers, "webhook-id": "evt_2", "webhook-signature": good}, body),
        (at(now - 301), body),
        (at(now + 301), body),
        (headers, body),
    ]
    for bad_headers, bad_body in refused:
        with pytest.raises(WebhookVerificationError):
            verify_webhook(SECRET, bad_headers, bad_body)
    other = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    with pytest.raises(WebhookVerificationError):
        verify_webhook(other, {**headers, "webhook-signature": good}, body)
    assert verify_webhook(SECRET, at(now - 600), body, tolerance=900)


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [
        ("PASSGATE_WEBHOOK_URLS", "ftp://hooks.example.com", "http:// or https://"),
        ("PASSGATE_WEBHOOK_SECRET", "not-a-secret", "whsec_"),
        ("PASSGATE_WEBHOOK_SECRET", "whsec_c2hvcnQ=", "24 to 64"),
    ],
)
def test_a_webhook_setting_mistake_is_one_line_at_start(
    tmp_path: Path, setting: str, value: str, says: str
) -> None:
    env = {
        "PASSGATE_WEBHOOK_URLS": "https://hooks.example.com/in",
        "PASSGATE_WEBHOOK_SECRET": SECRET,
        setting: value,
    }
    result = _serve(tmp_path, env)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert says in line
    assert "Traceback" not in result.stderr


def test_webhook_urls_without_a_secret_say_to_give_one(tmp_path: Path) -> None:
    result = _serve(tmp_path, {"PASSGATE_WEBHOOK_URLS": "https://hooks.example.com/in"})
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "--webhook-secret" in line


def _serve(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "passgate.cli", "serve", "--listen", f"127.0.0.1:{free_port()}"],
        env={**os.environ, "PASSGATE_DATABASE": f"sqlite:///{tmp_path / 'p.db'}", **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )


@pytest.mark.parametrize(
    ("request_", "field"), [({"state": "done"}, "state"), ({"page_size": 1001}, "page_size")]
)
def test_list_webhook_deliveries_refuses_bad_input(
    server: ServerProcess, shared_channel: grpc.Channel, request_: dict[str, object], field: str
) -> None:
    refusal = refused(deliveries, shared_channel, admin_key(server, f"lists-{field}"), **request_)
    assert (refusal.code, refusal.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_REQUEST")
    assert [v.field for v in refusal.violations] == [field]
