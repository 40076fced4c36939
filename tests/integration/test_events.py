"""Security events, as an admin sees them through WatchEvents: one for each
account flow, with the right user, key and address and no secret anywhere;
a watch that resumes after a reconnect without missing or repeating one,
whichever process recorded it; and who may watch what."""

from __future__ import annotations

import base64
import secrets
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest
from engines import EngineDatabase
from event_support import admin_key, data, newest_event_id, watching, webhook_kw
from rpc_support import NEW_PASSWORD, PASSWORD, THIRD_PASSWORD, Client, query, stored_in
from server_support import UserFactory, key_id, server_process
from webhook_receiver import Receiver, receiving

from passgate.admin.v1 import admin_service_pb2 as apb
from passgate.admin.v1 import admin_service_pb2_grpc
from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.testing import ServerProcess, decode

SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as running:
        yield running


def test_every_flow_records_its_event_and_no_secret(
    tmp_path: Path, database: EngineDatabase, receiver: Receiver
) -> None:
    with (
        server_process(
            tmp_path / "server", "--webhook-urls", receiver.url, **webhook_kw(database, SECRET)
        ) as server,
        grpc.insecure_channel(server.target) as channel,
    ):
        client = Client(channel, server.api_key)
        caller_key = key_id(server, "tests")
        email = f"flows-{uuid.uuid4().hex[:8]}@example.com"
        user_id = server.create_user(email, PASSWORD)
        key = admin_key(server)
        with watching(channel, key, after_event_id=newest_event_id(server)) as watcher:
            first = client.sign_in(email, PASSWORD)
            assert client.outcome("SignIn", pb.SignInRequest(email=email, password=NEW_PASSWORD))
            unknown = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
            client.outcome("SignIn", pb.SignInRequest(email=unknown, password=PASSWORD))
            changed = client.change_password(first.session_token, PASSWORD, NEW_PASSWORD)
            client.request_reset(email)
            (link,) = server.wait_reset_links(1)
            assert client.submit_reset(link, THIRD_PASSWORD) == pb.SubmitResetResponse()
            client.request_reset(unknown)
            last = client.sign_in(email, THIRD_PASSWORD)
            client.call("SignOut", pb.SignOutRequest(), session=last.session_token)
            events = watcher.take(9)

        by_type: dict[str, list[apb.Event]] = {}
        for event in events:
            by_type.setdefault(event.type, []).append(event)
            assert event.tenant_id == "default"
            assert event.key_id == caller_key
            assert event.peer.startswith("ipv4:127.0.0.1:")
        assert sorted((t, len(e)) for t, e in by_type.items()) == [
            ("password.changed", 1),
            ("reset.completed", 1),
            ("reset.requested", 2),
            ("session.revoked", 1),
            ("sign_in.failed", 2),
            ("sign_in.succeeded", 2),
        ]
        assert [e.user_id for e in by_type["sign_in.succeeded"]] == [user_id, user_id]
        assert data(by_type["sign_in.succeeded"][0]) == {"identifier": "email"}
        failed = {e.user_id: data(e) for e in by_type["sign_in.failed"]}
        assert failed == {
            user_id: {"identifier": "email", "reason": "wrong_password"},
            "": {"identifier": "email", "reason": "unknown_account"},
        }
        (change,) = by_type["password.changed"]
        assert (change.user_id, data(change)) == (user_id, {"sessions_revoked": 1})
        (completed,) = by_type["reset.completed"]
        assert (completed.user_id, data(completed)) == (user_id, {"sessions_revoked": 1})
        requested = {e.user_id: data(e) for e in by_type["reset.requested"]}
        assert requested == {
            user_id: {"identifier": "email", "mail": "sent"},
            "": {"identifier": "email", "mail": "none", "reason": "unknown_account"},
        }
        (signed_out,) = by_type["session.revoked"]
        facts = data(signed_out)
        assert facts.pop("session_id").startswith("ses_")
        assert (signed_out.user_id, facts) == (user_id, {"reason": "sign_out"})
        ids = [int(e.event_id) for e in events]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)

        # Every event is delivered, and nothing secret is stored or sent.
        bodies = [r.body for r in receiver.wait_for(len(events))]
        stored = repr(query(stored_in(server.database_url), "SELECT * FROM events"))
        planted = [
            PASSWORD,
            NEW_PASSWORD,
            THIRD_PASSWORD,
            first.session_token,
            changed.session_token,
            last.session_token,
            link.token,
            link.link,
            server.api_key,
        ]
        for secret in planted:
            assert secret not in stored
            assert all(secret.encode() not in body for body in bodies)
        assert stored.count(user_id) >= len(events) - 2


def test_a_throttled_sign_in_is_recorded(
    server: ServerProcess, shared_channel: grpc.Channel, make_user: UserFactory
) -> None:
    user = make_user()
    name = f"throttled-{uuid.uuid4().hex[:8]}"
    client = Client(shared_channel, server.create_api_key(name))
    with watching(
        shared_channel, admin_key(server, f"admin-{name}"), types=["sign_in.throttled"]
    ) as watcher:
        codes = []
        for _ in range(8):
            refusal = client.refuse("SignIn", pb.SignInRequest(email=user.email, password="wrong"))
            codes.append(refusal.code)
            if refusal.code == grpc.StatusCode.RESOURCE_EXHAUSTED:
                break
        assert codes[-1] == grpc.StatusCode.RESOURCE_EXHAUSTED, codes
        caller = key_id(server, name)
        event = watcher.until(lambda e: e.key_id == caller)[-1]
    assert event.type == "sign_in.throttled"
    assert event.user_id == user.user_id
    facts = data(event)
    assert facts["identifier"] == "email"
    assert facts["retry_after"] > 0


def _sign_in_on(process: ServerProcess, key: str, email: str, times: int) -> None:
    with grpc.insecure_channel(process.target) as channel:
        client = Client(channel, key)
        for _ in range(times):
            client.sign_in(email, PASSWORD)


def test_watch_resumes_after_a_reconnect_without_missing_or_repeating(
    tmp_path: Path, database: EngineDatabase
) -> None:
    """Events written while the watcher was away, by its own server and by
    another process on the same database, all arrive once, in order."""
    with (
        server_process(tmp_path / "a", **database.server_kw()) as here,
        server_process(tmp_path / "b", **database.server_kw()) as there,
        grpc.insecure_channel(here.target) as channel,
    ):
        key = admin_key(here)
        # one database: the keys each process's calls are made with, told apart by name
        calls_here = here.create_api_key("calls-here")
        calls_there = there.create_api_key("calls-there")
        email = f"resume-{uuid.uuid4().hex[:8]}@example.com"
        here.create_user(email, PASSWORD)
        start = newest_event_id(here)
        _sign_in_on(here, calls_here, email, 3)
        with watching(channel, key, after_event_id=start) as watcher:
            seen = watcher.take(3)
            # new events arrive while watching, from either process
            _sign_in_on(there, calls_there, email, 1)
            seen.append(watcher.next(timeout=5))
            assert seen[-1].key_id == key_id(there, "calls-there")
        last = seen[-1].event_id

        _sign_in_on(here, calls_here, email, 4)
        _sign_in_on(there, calls_there, email, 4)
        with watching(channel, key, after_event_id=last) as watcher:
            resumed = watcher.take(8)
            assert watcher.nothing_more(1.0)

    stored = query(
        stored_in(database.url), "SELECT id FROM events WHERE id > ? ORDER BY id", (int(start),)
    )
    all_ids = [str(row[0]) for row in stored]
    assert [e.event_id for e in seen + resumed] == all_ids
    expected_keys = {key_id(here, "calls-here"), key_id(there, "calls-there")}
    assert {e.key_id for e in resumed} == expected_keys


def test_a_live_watch_misses_nothing_while_two_processes_record_at_once(
    tmp_path: Path, database: EngineDatabase
) -> None:
    """Events committed side by side, by several threads of two processes,
    reach a watcher following along once each: no id is seen before a lower
    one commits (which would make `id > last seen` skip it)."""
    with (
        server_process(tmp_path / "a", **database.server_kw()) as here,
        server_process(tmp_path / "b", **database.server_kw()) as there,
        grpc.insecure_channel(here.target) as channel,
    ):
        users = [f"busy-{n}-{uuid.uuid4().hex[:8]}@example.com" for n in range(8)]
        for email in users:
            here.create_user(email, PASSWORD)
        calls = {
            process: process.create_api_key(f"busy-{n}") for n, process in enumerate((here, there))
        }
        with watching(channel, admin_key(here), types=["sign_in.succeeded"]) as watcher:
            with ThreadPoolExecutor(max_workers=8) as pool:
                list(
                    pool.map(
                        lambda n: _sign_in_on(
                            (here, there)[n % 2], calls[(here, there)[n % 2]], users[n], 6
                        ),
                        range(8),
                    )
                )
            watched = watcher.take(48, timeout=15)
            assert watcher.nothing_more(0.5)
    stored = query(
        stored_in(database.url),
        "SELECT id FROM events WHERE type = 'sign_in.succeeded' ORDER BY id",
    )
    assert [e.event_id for e in watched] == [str(row[0]) for row in stored]


def _refusal(channel: grpc.Channel, key: str | None, **request: object) -> object:
    stub = admin_service_pb2_grpc.AdminServiceStub(channel)
    metadata = [] if key is None else [("x-api-key", key)]
    call = stub.WatchEvents(apb.WatchEventsRequest(**request), metadata=metadata, timeout=10)  # type: ignore[arg-type]
    try:
        next(call)
    except grpc.RpcError as error:
        return decode(error)
    raise AssertionError("WatchEvents was not refused")


def test_watch_events_needs_an_admin_key(
    server: ServerProcess, shared_channel: grpc.Channel
) -> None:
    refusal = _refusal(shared_channel, None)
    assert (refusal.code, refusal.reason) == (grpc.StatusCode.UNAUTHENTICATED, "API_KEY_INVALID")  # type: ignore[attr-defined]
    refusal = _refusal(shared_channel, server.api_key)
    assert (refusal.code, refusal.reason) == (grpc.StatusCode.PERMISSION_DENIED, "API_KEY_SCOPE")  # type: ignore[attr-defined]


@pytest.mark.parametrize("cursor", ["abc", "0", "-1", "1e3", "99999999999"])
def test_watch_events_refuses_an_id_it_did_not_give_out(
    server: ServerProcess, shared_channel: grpc.Channel, cursor: str
) -> None:
    refusal = _refusal(shared_channel, admin_key(server), after_event_id=cursor)
    assert refusal.code == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert refusal.reason == "CURSOR_INVALID"  # type: ignore[attr-defined]
    (violation,) = refusal.violations  # type: ignore[attr-defined]
    assert (violation.field, violation.reason) == ("after_event_id", "CURSOR_INVALID")


def test_watch_events_refuses_an_unknown_type(
    server: ServerProcess, shared_channel: grpc.Channel
) -> None:
    refusal = _refusal(shared_channel, admin_key(server), types=["sign_in.ok"])
    assert refusal.code == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert [v.field for v in refusal.violations] == ["types"]  # type: ignore[attr-defined]


def test_a_tenant_admin_sees_its_own_tenant_only(
    server: ServerProcess, shared_channel: grpc.Channel, make_user: UserFactory
) -> None:
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    server.cli("tenant", "create", tenant)
    own_admin = admin_key(server, f"admin-{tenant}", "--tenant", tenant)
    refusal = _refusal(shared_channel, own_admin, tenant_id="default")
    assert (refusal.code, refusal.reason) == (grpc.StatusCode.PERMISSION_DENIED, "API_KEY_SCOPE")  # type: ignore[attr-defined]

    outsider = make_user()
    insider = make_user(tenant=tenant)
    tenant_client = Client(
        shared_channel, server.create_api_key(f"calls-{tenant}", "--tenant", tenant)
    )
    default_client = Client(shared_channel, server.api_key)
    operator = admin_key(server)
    start = newest_event_id(server)
    with (
        watching(shared_channel, own_admin, after_event_id=start) as theirs,
        watching(shared_channel, operator, tenant_id=tenant, after_event_id=start) as operators,
    ):
        default_client.sign_in(outsider.email, PASSWORD)
        tenant_client.sign_in(insider.email, PASSWORD)
        for watcher in (theirs, operators):
            (event,) = watcher.take(1)
            assert (event.tenant_id, event.user_id) == (tenant, insider.user_id)
            assert watcher.nothing_more(0.5)


def test_a_stopping_server_ends_its_watches_at_once(tmp_path: Path) -> None:
    """SIGTERM does not wait the whole shutdown grace for watchers: each is
    told UNAVAILABLE, to watch again elsewhere from its last id."""
    with server_process(tmp_path, "--shutdown-grace", "30") as server:
        with grpc.insecure_channel(server.target) as channel:
            key = admin_key(server)
            with watching(channel, key, after_event_id=newest_event_id(server)) as watcher:
                assert watcher.nothing_more(0.5)
                started = time.monotonic()
                assert server.stop() == 0
                assert time.monotonic() - started < 10
                with pytest.raises(grpc.RpcError) as ended:
                    watcher.next(timeout=5)
    refusal = decode(ended.value)
    assert (refusal.code, refusal.reason) == (grpc.StatusCode.UNAVAILABLE, "SERVICE_UNAVAILABLE")
    assert "after_event_id" in refusal.message
