"""Every change an admin makes, through AdminService or the command line, and
every session a user ends through the session calls, is a security event:
exactly one, of the right type, naming the tenant, user and calling key, with
no secret in it; a refused call records none. Live against the shared server
on each engine, read through WatchEvents and the events table."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
import pytest
from admin_support import AdminClient
from event_support import data, newest_event_id, watching
from google.protobuf.duration_pb2 import Duration
from rpc_support import PASSWORD, Client, query, stored_in, unique_email
from server_support import UserFactory, key_id
from test_imported_hashes import bcrypt_hash, scrypt_hash

from passgate.admin.v1 import admin_service_pb2 as apb
from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.testing import ServerProcess

ADMIN_KEY_NAME = f"events-admin-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def admin(server: ServerProcess, shared_channel: grpc.Channel) -> AdminClient:
    """An admin key of the default tenant; `key_id(server, ADMIN_KEY_NAME)` is its public id."""
    return AdminClient(shared_channel, server.create_api_key(ADMIN_KEY_NAME, "--scopes", "admin"))


def events_after(server: ServerProcess, after: int) -> list[tuple[Any, ...]]:
    """(type, tenant_id, user_id, key_id, data) of every event recorded after `after`."""
    return query(
        stored_in(server.database_url),
        "SELECT type, tenant_id, user_id, key_id, data FROM events WHERE id > ? ORDER BY id",
        (after,),
    )


def test_each_admin_change_is_one_event_naming_who_and_no_secret(
    server: ServerProcess, shared_channel: grpc.Channel, admin: AdminClient
) -> None:
    caller = key_id(server, ADMIN_KEY_NAME)
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    url = f"https://{tenant}.example.com/reset"
    email = unique_email()
    start = int(newest_event_id(server))
    with watching(shared_channel, admin.api_key, after_event_id=str(start)) as watcher:
        admin.call("CreateTenant", apb.CreateTenantRequest(tenant_id=tenant))
        admin.call("AllowResetUrl", apb.AllowResetUrlRequest(tenant_id=tenant, reset_url=url))
        admin.call("DisallowResetUrl", apb.DisallowResetUrlRequest(tenant_id=tenant, reset_url=url))
        user = admin.create_user(email, PASSWORD, tenant_id=tenant)
        created = admin.call(
            "CreateApiKey", apb.CreateApiKeyRequest(tenant_id=tenant, name="app", scopes=["SignIn"])
        )
        rotated = admin.call(
            "RotateApiKey",
            apb.RotateApiKeyRequest(key_id=created.api_key.key_id, overlap=Duration(seconds=60)),
        )
        admin.call("RevokeApiKey", apb.RevokeApiKeyRequest(key_id=rotated.api_key.key_id))
        admin.call("DisableUser", apb.DisableUserRequest(user_id=user.user_id))
        admin.call("EnableUser", apb.EnableUserRequest(user_id=user.user_id))
        admin.call("SendResetEmail", apb.SendResetEmailRequest(user_id=user.user_id))
        admin.call("DeleteUser", apb.DeleteUserRequest(user_id=user.user_id))
        seen = watcher.take(11)

    old_key, new_key = created.api_key.key_id, rotated.api_key.key_id
    assert [(e.type, e.tenant_id, e.user_id, data(e)) for e in seen] == [
        ("tenant.created", tenant, "", {}),
        ("tenant.reset_url_allowed", tenant, "", {"urls": [url]}),
        ("tenant.reset_url_disallowed", tenant, "", {"urls": [url]}),
        ("user.created", tenant, user.user_id, {}),
        ("key.created", tenant, "", {"created_key_id": old_key, "scopes": ["SignIn"]}),
        (
            "key.rotated",
            tenant,
            "",
            {"old_key_id": old_key, "new_key_id": new_key, "overlap_seconds": 60.0},
        ),
        ("key.revoked", tenant, "", {"revoked_key_id": new_key}),
        ("user.disabled", tenant, user.user_id, {"sessions_revoked": 0}),
        ("user.enabled", tenant, user.user_id, {}),
        ("user.reset_sent", tenant, user.user_id, {}),
        ("user.deleted", tenant, user.user_id, {}),
    ]
    assert {e.key_id for e in seen} == {caller}
    assert all(e.peer.startswith("ipv4:127.0.0.1:") for e in seen)
    # exactly these: none twice, none more
    assert [row[0] for row in events_after(server, start)] == [e.type for e in seen]
    for secret in (PASSWORD, created.secret, rotated.secret, admin.api_key):
        assert not query(
            stored_in(server.database_url),
            "SELECT id FROM events WHERE data LIKE ? OR key_id LIKE ? OR peer LIKE ?",
            (f"%{secret}%",) * 3,
        ), "a secret in the events table"


def test_refused_admin_calls_record_no_change(
    server: ServerProcess, admin: AdminClient, make_user: UserFactory
) -> None:
    user = make_user()
    missing = str(uuid.uuid4())
    start = int(newest_event_id(server))
    refusals = [
        admin.refuse("DisableUser", apb.DisableUserRequest(user_id=missing)),
        admin.refuse("DeleteUser", apb.DeleteUserRequest(user_id=missing)),
        admin.refuse("SendResetEmail", apb.SendResetEmailRequest(user_id=missing)),
        admin.refuse("RevokeApiKey", apb.RevokeApiKeyRequest(key_id="key_0000000000000000")),
        admin.refuse("CreateUser", apb.CreateUserRequest(email=user.email, password=PASSWORD)),
        admin.refuse("CreateUser", apb.CreateUserRequest(email="not-an-address", password="x")),
        admin.refuse("CreateApiKey", apb.CreateApiKeyRequest(name="k", scopes=["NoSuchCall"])),
        admin.refuse("CreateTenant", apb.CreateTenantRequest(tenant_id="default")),
        admin.refuse(
            "DisallowResetUrl",
            apb.DisallowResetUrlRequest(reset_url="https://never-allowed.example.com/r"),
        ),
        admin.refuse(
            "RevokeUserSession",
            apb.RevokeUserSessionRequest(user_id=user.user_id, session_id="ses_nosuchsession"),
        ),
    ]
    assert [r.code.name for r in refusals] == [
        "NOT_FOUND",
        "NOT_FOUND",
        "NOT_FOUND",
        "NOT_FOUND",
        "INVALID_ARGUMENT",
        "INVALID_ARGUMENT",
        "INVALID_ARGUMENT",
        "ALREADY_EXISTS",
        "INVALID_ARGUMENT",
        "NOT_FOUND",
    ]
    assert events_after(server, start) == []


def test_a_disable_or_enable_that_changes_nothing_records_nothing(
    server: ServerProcess, admin: AdminClient, make_user: UserFactory
) -> None:
    """Disabling a disabled user (or enabling an enabled one) answers with the
    user as they are, and the event log says only what changed."""
    user = make_user()
    start = int(newest_event_id(server))
    states = [
        admin.call(call, request(user_id=user.user_id)).user.disabled
        for call, request in [
            ("EnableUser", apb.EnableUserRequest),
            ("DisableUser", apb.DisableUserRequest),
            ("DisableUser", apb.DisableUserRequest),
            ("EnableUser", apb.EnableUserRequest),
            ("EnableUser", apb.EnableUserRequest),
        ]
    ]
    assert states == [False, True, True, False, False]
    assert [row[0] for row in events_after(server, start)] == ["user.disabled", "user.enabled"]


def test_parallel_disables_and_enables_record_one_event_each(
    server: ServerProcess, admin: AdminClient, make_user: UserFactory
) -> None:
    """24 DisableUser calls at once, over 6 connections, then 24 EnableUser
    calls: each burst is one change, so one event; every caller is answered
    with the state it left."""
    user = make_user()
    channels = [grpc.insecure_channel(server.target) for _ in range(6)]
    clients = [AdminClient(channel, admin.api_key) for channel in channels]
    start = int(newest_event_id(server))
    try:
        with ThreadPoolExecutor(max_workers=24) as pool:
            for call, request, disabled in [
                ("DisableUser", apb.DisableUserRequest, True),
                ("EnableUser", apb.EnableUserRequest, False),
            ]:
                answers = list(
                    pool.map(
                        lambda i, call=call, request=request: (
                            clients[i % len(clients)]
                            .call(call, request(user_id=user.user_id))
                            .user.disabled
                        ),
                        range(24),
                    )
                )
                assert answers == [disabled] * 24
    finally:
        for channel in channels:
            channel.close()
    assert [row[0] for row in events_after(server, start)] == ["user.disabled", "user.enabled"]


def test_sessions_ended_by_the_user_or_an_admin_are_events_with_their_ids(
    server: ServerProcess,
    shared_channel: grpc.Channel,
    client: Client,
    admin: AdminClient,
    make_user: UserFactory,
) -> None:
    user = make_user()
    tokens = [client.sign_in(user.email, PASSWORD).session_token for _ in range(5)]
    listed = client.call("ListSessions", pb.ListSessionsRequest(), session=tokens[0]).sessions
    newest_first = [s.session_id for s in listed]
    start = int(newest_event_id(server))
    with watching(
        shared_channel, admin.api_key, after_event_id=str(start), types=["session.revoked"]
    ) as watcher:
        # the calls come with tokens[0], the oldest session: the newest two go first
        client.call(
            "RevokeSession", pb.RevokeSessionRequest(session_id=newest_first[0]), session=tokens[0]
        )
        admin.call(
            "RevokeUserSession",
            apb.RevokeUserSessionRequest(user_id=user.user_id, session_id=newest_first[1]),
        )
        client.call(
            "SignOutEverywhere", pb.SignOutEverywhereRequest(keep_current=True), session=tokens[0]
        )
        client.call(
            "SignOutEverywhere", pb.SignOutEverywhereRequest(keep_current=True), session=tokens[0]
        )  # ends nothing: no event
        client.sign_in(user.email, PASSWORD)
        admin.call("RevokeAllUserSessions", apb.RevokeAllUserSessionsRequest(user_id=user.user_id))
        seen = watcher.take(4)
        assert watcher.nothing_more(0.5)

    assert [(e.tenant_id, e.user_id) for e in seen] == [("default", user.user_id)] * 4
    assert [data(e) for e in seen] == [
        {"by": "user", "session_id": newest_first[0]},
        {"by": "admin", "session_id": newest_first[1]},
        {"by": "user", "sessions_revoked": 2},
        {"by": "admin", "sessions_revoked": 2},
    ]
    users_key, admins_key = key_id(server, "tests"), key_id(server, ADMIN_KEY_NAME)
    assert [e.key_id for e in seen] == [users_key, admins_key, users_key, admins_key]


def test_changes_made_on_the_command_line_are_events_without_a_key(
    server: ServerProcess,
) -> None:
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    start = int(newest_event_id(server))
    server.cli("tenant", "create", tenant)
    secret = server.create_api_key("cli-made", "--tenant", tenant)
    email = unique_email()
    user_id = server.create_user(email, PASSWORD, tenant=tenant)
    server.cli("user", "disable", user_id)
    server.cli("user", "delete", user_id)
    rows = events_after(server, start)
    assert [(t, tenant_id, uid, key) for t, tenant_id, uid, key, _ in rows] == [
        ("tenant.created", tenant, None, None),
        ("key.created", tenant, None, None),
        ("user.created", tenant, user_id, None),
        ("user.disabled", tenant, user_id, None),
        ("user.deleted", tenant, user_id, None),
    ]
    assert all(secret not in row[4] and PASSWORD not in row[4] for row in rows)


def test_an_imported_user_s_event_names_the_hash_kind_never_the_hash(
    server: ServerProcess, admin: AdminClient
) -> None:
    start = int(newest_event_id(server))
    hashes = {"scrypt": scrypt_hash(PASSWORD), "bcrypt": bcrypt_hash(PASSWORD)}
    for stored in hashes.values():
        admin.call("CreateUser", apb.CreateUserRequest(email=unique_email(), password_hash=stored))
    rows = events_after(server, start)
    assert [(row[0], json.loads(row[4])) for row in rows] == [
        ("user.created", {"hash": "scrypt"}),
        ("user.created", {"hash": "bcrypt"}),
    ]
    assert all(stored not in row[4] for row in rows for stored in hashes.values())


def test_sign_out_s_event_names_the_session_it_ended(
    server: ServerProcess, client: Client, make_user: UserFactory
) -> None:
    user = make_user()
    token = client.sign_in(user.email, PASSWORD).session_token
    (listed,) = client.call("ListSessions", pb.ListSessionsRequest(), session=token).sessions
    start = int(newest_event_id(server))
    client.call("SignOut", pb.SignOutRequest(), session=token)
    rows = events_after(server, start)
    assert [(row[0], row[2], json.loads(row[4])) for row in rows] == [
        ("session.revoked", user.user_id, {"reason": "sign_out", "session_id": listed.session_id})
    ]
