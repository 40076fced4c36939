"""AdminService's user, API-key and tenant methods, live against the shared
server on each engine: what an admin sees and changes, what a key without the
admin scope is refused, what a key of another tenant cannot tell from nothing,
and the command line and the API giving the same answers."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest
from admin_support import AdminClient, admin_key, new_tenant
from google.protobuf.duration_pb2 import Duration
from rpc_support import (
    PASSWORD,
    Client,
    Refusal,
    query,
    stored_in,
    unique_email,
    wait_links_to,
)
from server_support import UserFactory, key_id, server_process

from passgate.admin.v1 import admin_service_pb2 as admin_pb
from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.testing import ServerProcess

NOT_FOUND = grpc.StatusCode.NOT_FOUND
INVALID_ARGUMENT = grpc.StatusCode.INVALID_ARGUMENT


@pytest.fixture(scope="module")
def admin(server: ServerProcess, shared_channel: grpc.Channel) -> AdminClient:
    """An admin key of the default tenant: it may act in every tenant."""
    return AdminClient(shared_channel, admin_key(server))


def cli_json(server: ServerProcess, *args: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in server.cli(*args, "--json").stdout.splitlines()]


def not_found(refusal: Refusal, reason: str, resource_type: str, name: str) -> None:
    assert (refusal.code, refusal.reason) == (NOT_FOUND, reason), refusal
    [info] = refusal.resource_infos
    assert (info.resource_type, info.resource_name) == (resource_type, name)


# --- the admin scope -----------------------------------------------------------


EVERY_METHOD = [
    ("CreateUser", admin_pb.CreateUserRequest(email="a@example.com", password=PASSWORD)),
    ("GetUser", admin_pb.GetUserRequest(user_id="u")),
    ("FindUser", admin_pb.FindUserRequest(email="a@example.com")),
    ("ListUsers", admin_pb.ListUsersRequest()),
    ("DisableUser", admin_pb.DisableUserRequest(user_id="u")),
    ("EnableUser", admin_pb.EnableUserRequest(user_id="u")),
    ("SendResetEmail", admin_pb.SendResetEmailRequest(user_id="u")),
    ("DeleteUser", admin_pb.DeleteUserRequest(user_id="u")),
    ("CreateApiKey", admin_pb.CreateApiKeyRequest(name="k")),
    ("ListApiKeys", admin_pb.ListApiKeysRequest()),
    ("RevokeApiKey", admin_pb.RevokeApiKeyRequest(key_id="key_x")),
    ("RotateApiKey", admin_pb.RotateApiKeyRequest(key_id="key_x")),
    ("CreateTenant", admin_pb.CreateTenantRequest(tenant_id="t")),
    ("ListTenants", admin_pb.ListTenantsRequest()),
    ("AllowResetUrl", admin_pb.AllowResetUrlRequest(reset_url="https://x.example/r")),
    ("DisallowResetUrl", admin_pb.DisallowResetUrlRequest(reset_url="https://x.example/r")),
]


@pytest.fixture(scope="module")
def ordinary_keys(server: ServerProcess) -> dict[str, str]:
    return {
        "no scopes": server.create_api_key(f"plain-{uuid.uuid4().hex[:8]}"),
        "SignIn only": server.create_api_key(
            f"signin-{uuid.uuid4().hex[:8]}", "--scopes", "SignIn"
        ),
    }


@pytest.mark.parametrize("key", ["no scopes", "SignIn only"])
@pytest.mark.parametrize(("method", "request_"), EVERY_METHOD, ids=[m for m, _ in EVERY_METHOD])
def test_a_key_without_the_admin_scope_is_refused_every_method(
    shared_channel: grpc.Channel,
    ordinary_keys: dict[str, str],
    key: str,
    method: str,
    request_: object,
) -> None:
    refusal = AdminClient(shared_channel, ordinary_keys[key]).refuse(method, request_)
    assert (refusal.code, refusal.reason) == (grpc.StatusCode.PERMISSION_DENIED, "API_KEY_SCOPE")


# --- users ---------------------------------------------------------------------


def test_a_user_created_by_the_api_is_got_found_and_signs_in(
    admin: AdminClient, client: Client
) -> None:
    email = unique_email()
    username = f"u{uuid.uuid4().hex[:12]}"
    crm = uuid.uuid4().hex
    created = admin.call(
        "CreateUser",
        admin_pb.CreateUserRequest(
            email=email,
            username=username,
            search_keys=[admin_pb.SearchKey(schema_name="crm_id", value=crm)],
            password=PASSWORD,
        ),
    ).user
    assert (created.tenant_id, created.email, created.username) == ("default", email, username)
    assert [(k.schema_name, k.value) for k in created.search_keys] == [("crm_id", crm)]
    assert not created.disabled and created.created_at.seconds > 0

    assert admin.get_user(created.user_id) == created
    for request in (
        admin_pb.FindUserRequest(email=email.upper()),
        admin_pb.FindUserRequest(username=username),
        admin_pb.FindUserRequest(search_key=admin_pb.SearchKey(schema_name="crm_id", value=crm)),
    ):
        assert admin.call("FindUser", request).user == created
    assert client.sign_in(email, PASSWORD).user_id == created.user_id


def test_create_user_reports_every_broken_rule_and_taken_identifiers(admin: AdminClient) -> None:
    refusal = admin.refuse(
        "CreateUser", admin_pb.CreateUserRequest(email="not-an-address", password="short")
    )
    assert refusal.code == INVALID_ARGUMENT
    fields = {field for field, _ in refusal.field_reasons}
    assert {"email", "password"} <= fields, refusal.field_reasons
    assert ("password", "PASSWORD_TOO_SHORT") in refusal.field_reasons

    email = unique_email()
    admin.create_user(email, PASSWORD)
    taken = admin.refuse("CreateUser", admin_pb.CreateUserRequest(email=email, password=PASSWORD))
    assert taken.field_reasons == [("identifier", "IDENTIFIER_TAKEN")]
    neither = admin.refuse("CreateUser", admin_pb.CreateUserRequest(email=unique_email()))
    assert neither.code == INVALID_ARGUMENT


def test_unknown_users_are_not_found_with_the_resource_named(admin: AdminClient) -> None:
    missing = str(uuid.uuid4())
    not_found(
        admin.refuse("GetUser", admin_pb.GetUserRequest(user_id=missing)),
        "USER_NOT_FOUND",
        "user",
        missing,
    )
    for method, request in (
        ("DisableUser", admin_pb.DisableUserRequest(user_id=missing)),
        ("EnableUser", admin_pb.EnableUserRequest(user_id=missing)),
        ("DeleteUser", admin_pb.DeleteUserRequest(user_id=missing)),
        ("SendResetEmail", admin_pb.SendResetEmailRequest(user_id=missing)),
    ):
        assert admin.refuse(method, request).reason == "USER_NOT_FOUND"
    absent = unique_email("absent")
    not_found(
        admin.refuse("FindUser", admin_pb.FindUserRequest(email=absent)),
        "USER_NOT_FOUND",
        "user",
        absent,
    )


def test_list_users_pages_oldest_first_filtered_by_state(admin: AdminClient) -> None:
    tenant = admin.call(
        "CreateTenant", admin_pb.CreateTenantRequest(tenant_id=f"t-{uuid.uuid4().hex[:10]}")
    ).tenant.tenant_id
    made = [admin.create_user(unique_email(), PASSWORD, tenant_id=tenant).user_id for _ in range(5)]
    for user_id in made[1::2]:
        admin.call("DisableUser", admin_pb.DisableUserRequest(user_id=user_id))

    def every(state: int) -> list[str]:
        seen: list[str] = []
        token = ""
        while True:
            page = admin.call(
                "ListUsers",
                admin_pb.ListUsersRequest(
                    tenant_id=tenant,
                    state=state,
                    page_size=2,
                    page_token=token,
                ),
            )
            assert len(page.users) <= 2
            seen += [user.user_id for user in page.users]
            token = page.next_page_token
            if not token:
                return seen

    assert every(admin_pb.USER_STATE_UNSPECIFIED) == made
    assert every(admin_pb.USER_STATE_DISABLED) == made[1::2]
    assert every(admin_pb.USER_STATE_ENABLED) == made[0::2]

    first = admin.call("ListUsers", admin_pb.ListUsersRequest(tenant_id=tenant, page_size=2))
    assert first.next_page_token
    for token, state in (
        ("bm90LWEtdG9rZW4", admin_pb.USER_STATE_UNSPECIFIED),  # not one passgate gave out
        (first.next_page_token[:-4] + "AAAA", admin_pb.USER_STATE_UNSPECIFIED),  # tampered
        (first.next_page_token, admin_pb.USER_STATE_DISABLED),  # given for other filters
    ):
        refusal = admin.refuse(
            "ListUsers",
            admin_pb.ListUsersRequest(tenant_id=tenant, state=state, page_size=2, page_token=token),
        )
        assert (refusal.code, refusal.reason) == (INVALID_ARGUMENT, "CURSOR_INVALID")
        assert refusal.field_reasons == [("page_token", "CURSOR_INVALID")]
    too_big = admin.refuse("ListUsers", admin_pb.ListUsersRequest(page_size=1001))
    assert too_big.field_reasons == [("page_size", "FIELD_MALFORMED")]


def test_disable_ends_every_session_at_once_and_enable_lets_the_user_back(
    admin: AdminClient, client: Client, make_user: UserFactory
) -> None:
    user = make_user()
    session = client.sign_in(user.email, PASSWORD).session_token
    assert client.is_live(session)

    disabled = admin.call("DisableUser", admin_pb.DisableUserRequest(user_id=user.user_id)).user
    assert disabled.disabled
    assert not client.is_live(session)
    refused = client.refuse("SignIn", pb.SignInRequest(email=user.email, password=PASSWORD))
    assert refused.reason == "INVALID_CREDENTIALS"

    enabled = admin.call("EnableUser", admin_pb.EnableUserRequest(user_id=user.user_id)).user
    assert not enabled.disabled
    assert not client.is_live(session)  # a revoked session stays revoked
    assert client.sign_in(user.email, PASSWORD).user_id == user.user_id


def test_send_reset_email_has_no_hourly_cap_and_honours_only_allowed_urls(
    server: ServerProcess, admin: AdminClient, client: Client, make_user: UserFactory
) -> None:
    tenant = new_tenant(server)
    tenant_admin = AdminClient(admin.channel, admin_key(server, tenant))
    tenant_client = Client(admin.channel, server.create_api_key("reset", "--tenant", tenant))
    user = make_user(tenant=tenant)
    allowed = f"https://{tenant}.example/reset"
    tenant_admin.call("AllowResetUrl", admin_pb.AllowResetUrlRequest(reset_url=allowed))

    for url in (allowed, "https://elsewhere.example/reset", allowed, allowed):
        tenant_admin.call(
            "SendResetEmail", admin_pb.SendResetEmailRequest(user_id=user.user_id, reset_url=url)
        )
    links = wait_links_to(server.mail_dir, user.email, 4)  # above the 3 an hour RequestReset sends
    bases = [link.link.split("?")[0] for link in links]
    assert bases.count(allowed) == 3
    assert "https://elsewhere.example/reset" not in bases
    # only the newest token is live, and it resets the password
    newest = max(links, key=lambda link: link.path.stat().st_mtime_ns)
    tenant_client.submit_reset(newest, PASSWORD + "!x")
    assert tenant_client.sign_in(user.email, PASSWORD + "!x").user_id == user.user_id


def test_delete_user_erases_the_user_and_everything_of_theirs(
    server: ServerProcess, admin: AdminClient, client: Client, make_user: UserFactory
) -> None:
    user = make_user(search_key=("crm_id", uuid.uuid4().hex))
    session = client.sign_in(user.email, PASSWORD).session_token
    client.request_reset(user.email)
    admin.call("SendResetEmail", admin_pb.SendResetEmailRequest(user_id=user.user_id))
    wait_links_to(server.mail_dir, user.email, 2)
    assert client.is_live(session)
    database = stored_in(server.database_url)

    admin.call("DeleteUser", admin_pb.DeleteUserRequest(user_id=user.user_id))

    assert not client.is_live(session)  # refused at once
    not_found(
        admin.refuse("GetUser", admin_pb.GetUserRequest(user_id=user.user_id)),
        "USER_NOT_FOUND",
        "user",
        user.user_id,
    )
    assert (
        client.refuse("SignIn", pb.SignInRequest(email=user.email, password=PASSWORD)).reason
        == "INVALID_CREDENTIALS"
    )
    for table in (
        "users WHERE id",
        "sessions WHERE user_id",
        "reset_tokens WHERE user_id",
        "search_keys WHERE user_id",
        "outbox WHERE user_id",
    ):
        assert query(database, f"SELECT COUNT(*) FROM {table} = ?", (user.user_id,)) == [(0,)]
    # the reset requests counted against the account are gone too
    assert (
        admin.refuse("DeleteUser", admin_pb.DeleteUserRequest(user_id=user.user_id)).reason
        == "USER_NOT_FOUND"
    )


# --- the tenant rule -----------------------------------------------------------


def test_another_tenants_users_keys_and_tenant_answer_as_nonexistent_ones(
    server: ServerProcess, admin: AdminClient, make_user: UserFactory
) -> None:
    tenant = new_tenant(server)
    outsider = AdminClient(admin.channel, admin_key(server, tenant))
    theirs = make_user()  # in the default tenant
    default_key = key_id(server, "tests")
    missing_user, missing_key = str(uuid.uuid4()), "key_" + uuid.uuid4().hex

    def same(method: str, foreign: object, missing: object) -> None:
        a = outsider.refuse(method, foreign)
        b = outsider.refuse(method, missing)
        assert (a.code, a.reason) == (b.code, b.reason) == (NOT_FOUND, a.reason)
        assert [i.resource_type for i in a.resource_infos] == [
            i.resource_type for i in b.resource_infos
        ]
        assert a.message.replace(str(a.resource_infos[0].resource_name), "") == b.message.replace(
            str(b.resource_infos[0].resource_name), ""
        )

    same(
        "GetUser",
        admin_pb.GetUserRequest(user_id=theirs.user_id),
        admin_pb.GetUserRequest(user_id=missing_user),
    )
    same(
        "DisableUser",
        admin_pb.DisableUserRequest(user_id=theirs.user_id),
        admin_pb.DisableUserRequest(user_id=missing_user),
    )
    same(
        "DeleteUser",
        admin_pb.DeleteUserRequest(user_id=theirs.user_id),
        admin_pb.DeleteUserRequest(user_id=missing_user),
    )
    same(
        "RevokeApiKey",
        admin_pb.RevokeApiKeyRequest(key_id=default_key),
        admin_pb.RevokeApiKeyRequest(key_id=missing_key),
    )
    same(
        "RotateApiKey",
        admin_pb.RotateApiKeyRequest(key_id=default_key),
        admin_pb.RotateApiKeyRequest(key_id=missing_key),
    )
    same(
        "ListApiKeys",
        admin_pb.ListApiKeysRequest(tenant_id="default"),
        admin_pb.ListApiKeysRequest(tenant_id="no-such-tenant"),
    )
    same(
        "FindUser",
        admin_pb.FindUserRequest(tenant_id="default", email=theirs.email),
        admin_pb.FindUserRequest(tenant_id="no-such-tenant", email=theirs.email),
    )
    not_found(
        outsider.refuse("ListUsers", admin_pb.ListUsersRequest(tenant_id="default")),
        "TENANT_NOT_FOUND",
        "tenant",
        "default",
    )
    # in its own tenant it finds nothing of the default tenant's either
    assert (
        outsider.refuse("FindUser", admin_pb.FindUserRequest(email=theirs.email)).reason
        == "USER_NOT_FOUND"
    )
    assert [
        t.tenant_id for t in outsider.call("ListTenants", admin_pb.ListTenantsRequest()).tenants
    ] == [tenant]
    everyone = [
        t.tenant_id for t in admin.call("ListTenants", admin_pb.ListTenantsRequest()).tenants
    ]
    assert {"default", tenant} <= set(everyone)
    made_elsewhere = outsider.refuse(
        "CreateTenant", admin_pb.CreateTenantRequest(tenant_id=f"x-{tenant}")
    )
    assert (made_elsewhere.code, made_elsewhere.reason) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "API_KEY_SCOPE",
    )
    # nothing changed
    assert admin.get_user(theirs.user_id).disabled is False


def test_an_empty_tenant_means_the_callers_own(server: ServerProcess, admin: AdminClient) -> None:
    tenant = new_tenant(server)
    own = AdminClient(admin.channel, admin_key(server, tenant))
    user = own.create_user(unique_email(), PASSWORD)
    assert user.tenant_id == tenant
    key = own.call("CreateApiKey", admin_pb.CreateApiKeyRequest(name="mine")).api_key
    assert key.tenant_id == tenant
    listed = own.call("ListApiKeys", admin_pb.ListApiKeysRequest()).api_keys
    assert {k.tenant_id for k in listed} == {tenant}
    # the default tenant's admin key may name it
    assert admin.get_user(user.user_id) == user


# --- API keys ------------------------------------------------------------------


def test_api_keys_made_listed_and_revoked_through_the_api_match_the_cli(
    server: ServerProcess, admin: AdminClient
) -> None:
    tenant = new_tenant(server)
    made = admin.call(
        "CreateApiKey",
        admin_pb.CreateApiKeyRequest(
            tenant_id=tenant, name="billing", scopes=["SignIn", "VerifySession"], rate="50/10s"
        ),
    )
    assert made.secret.startswith("pgk_")
    assert (made.api_key.tenant_id, made.api_key.name) == (tenant, "billing")
    assert list(made.api_key.scopes) == ["SignIn", "VerifySession"]
    assert made.api_key.rate == "50/10s"
    assert not made.api_key.HasField("revoked_at")
    by_cli = (
        server.cli(
            "apikey", "create", "--name", "cli-made", "--tenant", tenant, "--scopes", "SignIn"
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    caller = Client(admin.channel, made.secret)
    user = UserFactory(server)(tenant=tenant)
    assert caller.sign_in(user.email, PASSWORD).user_id == user.user_id
    scoped = caller.refuse("RequestReset", pb.RequestResetRequest(email=user.email))
    assert scoped.reason == "API_KEY_SCOPE"

    api = admin.call("ListApiKeys", admin_pb.ListApiKeysRequest(tenant_id=tenant)).api_keys
    cli = [row for row in cli_json(server, "apikey", "list") if row["tenant"] == tenant]
    assert [k.key_id for k in api] == [row["id"] for row in cli]
    for key, row in zip(api, cli, strict=True):
        assert (key.name, list(key.scopes), key.rate or None) == (
            row["name"],
            row["scopes"],
            row["rate"],
        )
    assert Client(admin.channel, by_cli).sign_in(user.email, PASSWORD).user_id == user.user_id

    admin.call("RevokeApiKey", admin_pb.RevokeApiKeyRequest(key_id=made.api_key.key_id))
    refused = caller.refuse("SignIn", pb.SignInRequest(email=user.email, password=PASSWORD))
    assert refused.reason == "API_KEY_INVALID"  # at once
    revoked = [
        row for row in cli_json(server, "apikey", "list") if row["id"] == made.api_key.key_id
    ]
    assert revoked[0]["revoked"] is True
    again = admin.refuse("RevokeApiKey", admin_pb.RevokeApiKeyRequest(key_id=made.api_key.key_id))
    assert again.reason == "API_KEY_NOT_FOUND"


def test_create_api_key_refuses_bad_input_with_every_field(admin: AdminClient) -> None:
    refusal = admin.refuse(
        "CreateApiKey",
        admin_pb.CreateApiKeyRequest(
            name="", scopes=["SignIn", "Teleport"], rate="lots", client_cert_subject=" CN=x"
        ),
    )
    assert refusal.code == INVALID_ARGUMENT
    assert {field for field, _ in refusal.field_reasons} == {
        "name",
        "scopes",
        "rate",
        "client_cert_subject",
    }


# The same bad input to `passgate apikey create` and to CreateApiKey: CLI flags,
# and the request fields they stand for (an empty field means "not given").
KEY_INPUT_MISTAKES = {
    "a comma for scopes": (["--name", "x", "--scopes", ","], {"name": "x", "scopes": ["", ""]}),
    "an empty scope": (["--name", "x", "--scopes", ""], {"name": "x", "scopes": [""]}),
    "an empty scope between two": (
        ["--name", "x", "--scopes", "SignIn,,VerifySession"],
        {"name": "x", "scopes": ["SignIn", "", "VerifySession"]},
    ),
    "an unknown scope": (
        ["--name", "x", "--scopes", "SignIn,Teleport"],
        {"name": "x", "scopes": ["SignIn", "Teleport"]},
    ),
    "an empty name": (["--name", ""], {"name": ""}),
    "a name too long": (["--name", "n" * 129], {"name": "n" * 129}),
    "a name with a control character": (["--name", "a\tb"], {"name": "a\tb"}),
    "a rate of nothing": (["--name", "x", "--rate", "0/1s"], {"name": "x", "rate": "0/1s"}),
    "a rate that is no rate": (["--name", "x", "--rate", "lots"], {"name": "x", "rate": "lots"}),
    "a subject with a blank": (
        ["--name", "x", "--client-cert-subject", " CN=x"],
        {"name": "x", "client_cert_subject": " CN=x"},
    ),
    "everything at once": (
        ["--name", "", "--scopes", "Teleport,", "--rate", "0/1s", "--client-cert-subject", "x"],
        {"name": "", "scopes": ["Teleport", ""], "rate": "0/1s", "client_cert_subject": "x"},
    ),
}


@pytest.mark.parametrize("mistake", KEY_INPUT_MISTAKES)
def test_the_cli_and_create_api_key_refuse_the_same_input_for_the_same_reasons(
    server: ServerProcess, admin: AdminClient, mistake: str
) -> None:
    flags, fields = KEY_INPUT_MISTAKES[mistake]
    refusal = admin.refuse("CreateApiKey", admin_pb.CreateApiKeyRequest(**fields))
    assert refusal.code == INVALID_ARGUMENT
    assert refusal.violations
    # the same reasons, each naming the flag that stands for the field
    reasons = "; ".join(
        f"{v.description} (--{v.field.replace('_', '-')}: {v.reason})" for v in refusal.violations
    )

    cli = server.cli("apikey", "create", *flags, check=False)

    assert cli.returncode == 2, cli.stderr
    assert cli.stderr.splitlines() == [f"passgate: apikey create: {reasons}"]


def test_rotation_keeps_both_keys_for_the_overlap_then_refuses_the_old_one(
    server: ServerProcess, admin: AdminClient, make_user: UserFactory
) -> None:
    user = make_user()
    name = f"rotate-me-{uuid.uuid4().hex[:8]}"
    old_secret = server.create_api_key(name, "--scopes", "SignIn,VerifySession", "--rate", "40/1s")
    old = Client(admin.channel, old_secret)
    assert old.sign_in(user.email, PASSWORD).user_id == user.user_id  # cached as live

    rotated = admin.call(
        "RotateApiKey",
        admin_pb.RotateApiKeyRequest(key_id=key_id(server, name), overlap=Duration(seconds=2)),
    )
    ends = rotated.previous.revoked_at.ToNanoseconds() / 1e9
    assert (rotated.api_key.name, rotated.api_key.tenant_id) == (name, "default")
    assert list(rotated.api_key.scopes) == ["SignIn", "VerifySession"]
    assert rotated.api_key.rate == "40/1s"
    assert ends == pytest.approx(time.time() + 2, abs=1.0)
    new = Client(admin.channel, rotated.secret)
    assert new.sign_in(user.email, PASSWORD).user_id == user.user_id
    assert old.sign_in(user.email, PASSWORD).user_id == user.user_id  # in the overlap

    time.sleep(max(0.0, ends - time.time()) + 0.2)
    refused = old.refuse("SignIn", pb.SignInRequest(email=user.email, password=PASSWORD))
    assert refused.reason == "API_KEY_INVALID"
    assert new.sign_in(user.email, PASSWORD).user_id == user.user_id
    twice = admin.refuse("RotateApiKey", admin_pb.RotateApiKeyRequest(key_id=key_id(server, name)))
    assert twice.reason == "API_KEY_NOT_FOUND"  # it has an end already


@pytest.mark.parametrize("seconds", [-1, 30 * 86400 + 1])
def test_rotation_refuses_an_overlap_outside_0_to_30_days(
    server: ServerProcess, admin: AdminClient, seconds: int
) -> None:
    name = f"keep-{uuid.uuid4().hex[:8]}"
    server.create_api_key(name)
    refusal = admin.refuse(
        "RotateApiKey",
        admin_pb.RotateApiKeyRequest(
            key_id=key_id(server, name), overlap=Duration(seconds=seconds)
        ),
    )
    assert refusal.field_reasons == [("overlap", "FIELD_MALFORMED")]
    assert [
        row["revoked"] for row in cli_json(server, "apikey", "list") if row["name"] == name
    ] == [False]


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Two servers on one SQLite file, as two machines would share a database."""
    with server_process(tmp_path / "a") as first:
        with server_process(tmp_path / "b", database_url=first.database_url) as second:
            yield first, second


def test_a_rotated_key_dies_at_the_end_of_its_overlap_in_every_process(
    two_processes: tuple[ServerProcess, ServerProcess],
) -> None:
    first, second = two_processes
    email = unique_email()
    first.create_user(email, PASSWORD)
    name = f"shared-{uuid.uuid4().hex[:8]}"
    old_secret = first.create_api_key(name)
    with grpc.insecure_channel(first.target) as a, grpc.insecure_channel(second.target) as b:
        olds = [Client(a, old_secret), Client(b, old_secret)]
        for old in olds:  # each process now holds the key as live
            assert old.sign_in(email, PASSWORD).user_id
        rotated = AdminClient(a, admin_key(first)).call(
            "RotateApiKey",
            admin_pb.RotateApiKeyRequest(key_id=key_id(first, name), overlap=Duration(seconds=2)),
        )
        for old in olds:
            assert old.sign_in(email, PASSWORD).user_id
        time.sleep(max(0.0, rotated.previous.revoked_at.ToNanoseconds() / 1e9 - time.time()) + 0.2)
        for old in olds:
            refused = old.refuse("SignIn", pb.SignInRequest(email=email, password=PASSWORD))
            assert refused.reason == "API_KEY_INVALID"
        for channel in (a, b):
            assert Client(channel, rotated.secret).sign_in(email, PASSWORD).user_id


# --- tenants -------------------------------------------------------------------


def test_tenants_created_listed_and_their_reset_urls_match_the_cli(
    server: ServerProcess, admin: AdminClient
) -> None:
    tenant_id = f"t-{uuid.uuid4().hex[:10]}"
    made = admin.call(
        "CreateTenant", admin_pb.CreateTenantRequest(tenant_id=tenant_id, name="Acme")
    ).tenant
    assert (made.tenant_id, made.name, list(made.reset_urls)) == (tenant_id, "Acme", [])
    exists = admin.refuse("CreateTenant", admin_pb.CreateTenantRequest(tenant_id=tenant_id))
    assert (exists.code, exists.reason) == (grpc.StatusCode.ALREADY_EXISTS, "TENANT_EXISTS")
    bad = admin.refuse("CreateTenant", admin_pb.CreateTenantRequest(tenant_id="-no spaces-"))
    assert bad.field_reasons == [("tenant_id", "FIELD_MALFORMED")]

    first, second = "https://acme.example/reset", "http://localhost:8080/reset"
    admin.call("AllowResetUrl", admin_pb.AllowResetUrlRequest(tenant_id=tenant_id, reset_url=first))
    server.cli("tenant", "allow-reset-url", second, "--tenant", tenant_id)
    listed = {
        t.tenant_id: t for t in admin.call("ListTenants", admin_pb.ListTenantsRequest()).tenants
    }
    cli = {row["id"]: row for row in cli_json(server, "tenant", "list")}
    assert (
        list(listed[tenant_id].reset_urls)
        == cli[tenant_id]["reset_urls"]
        == sorted([first, second])
    )
    assert listed[tenant_id].name == cli[tenant_id]["name"] == "Acme"

    after = admin.call(
        "DisallowResetUrl", admin_pb.DisallowResetUrlRequest(tenant_id=tenant_id, reset_url=second)
    ).tenant
    assert list(after.reset_urls) == [first]
    refused = admin.refuse(
        "DisallowResetUrl", admin_pb.DisallowResetUrlRequest(tenant_id=tenant_id, reset_url=second)
    )
    assert refused.field_reasons == [("reset_url", "FIELD_MALFORMED")]
    not_url = admin.refuse(
        "AllowResetUrl", admin_pb.AllowResetUrlRequest(tenant_id=tenant_id, reset_url="ftp://x")
    )
    assert not_url.field_reasons == [("reset_url", "FIELD_MALFORMED")]
    cli_refused = server.cli(
        "tenant", "allow-reset-url", "ftp://x", "--tenant", tenant_id, check=False
    )
    assert cli_refused.returncode == 2
    not_found(
        admin.refuse(
            "AllowResetUrl", admin_pb.AllowResetUrlRequest(tenant_id="no-such", reset_url=first)
        ),
        "TENANT_NOT_FOUND",
        "tenant",
        "no-such",
    )


# --- the command line and the API agree ------------------------------------------


def test_a_user_made_by_the_cli_is_the_one_the_api_shows_and_the_reverse(
    server: ServerProcess, admin: AdminClient
) -> None:
    email = unique_email("cli")
    by_cli = server.create_user(email, PASSWORD, username=f"c{uuid.uuid4().hex[:10]}")
    seen = admin.get_user(by_cli)
    [row] = cli_json(server, "user", "get", by_cli)
    assert (seen.user_id, seen.tenant_id, seen.email, seen.username, seen.disabled) == (
        row["id"],
        row["tenant"],
        row["email"],
        row["username"],
        row["disabled"],
    )

    by_api = admin.create_user(unique_email("api"), PASSWORD)
    [found] = cli_json(server, "user", "find", by_api.email)
    assert (found["id"], found["email"], found["tenant"]) == (
        by_api.user_id,
        by_api.email,
        "default",
    )
    server.cli("user", "disable", by_api.user_id)
    assert admin.get_user(by_api.user_id).disabled

    server.cli("user", "delete", by_api.user_id)
    assert (
        admin.refuse("GetUser", admin_pb.GetUserRequest(user_id=by_api.user_id)).reason
        == "USER_NOT_FOUND"
    )
    gone = server.cli("user", "get", by_api.user_id, check=False)
    assert gone.returncode == 2 and "Traceback" not in gone.stderr
    assert gone.stderr.strip().splitlines()[-1].startswith(f"passgate: no user '{by_api.user_id}'")


def test_the_cli_rotates_a_key_with_an_overlap(server: ServerProcess, admin: AdminClient) -> None:
    name = f"cli-rotate-{uuid.uuid4().hex[:8]}"
    old_secret = server.create_api_key(name, "--scopes", "SignIn")
    rotated = server.cli("apikey", "rotate", key_id(server, name), "--overlap", "3600")
    new_secret = rotated.stdout.strip().splitlines()[-1]
    assert new_secret.startswith("pgk_") and new_secret != old_secret
    rows = [row for row in cli_json(server, "apikey", "list") if row["name"] == name]
    assert [row["revoked"] for row in rows] == [False, False]  # both live in the overlap
    api = [
        k
        for k in admin.call("ListApiKeys", admin_pb.ListApiKeysRequest()).api_keys
        if k.name == name
    ]
    assert [k.key_id for k in api] == [row["id"] for row in rows]
    assert api[0].revoked_at.seconds == pytest.approx(time.time() + 3600, abs=60)
    assert list(api[1].scopes) == ["SignIn"]
    too_long = server.cli("apikey", "rotate", api[1].key_id, "--overlap", "40d", check=False)
    assert too_long.returncode == 2 and "overlap" in too_long.stderr


# --- under concurrency ---------------------------------------------------------


def test_concurrent_rotations_of_one_key_make_one_successor(
    server: ServerProcess, admin: AdminClient
) -> None:
    name = f"raced-{uuid.uuid4().hex[:8]}"
    server.create_api_key(name)
    request = admin_pb.RotateApiKeyRequest(key_id=key_id(server, name))
    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(lambda _: admin.outcome("RotateApiKey", request), range(6)))
    won = [o for o in outcomes if not isinstance(o, Refusal)]
    lost = [o for o in outcomes if isinstance(o, Refusal)]
    assert len(won) == 1, outcomes
    assert {o.reason for o in lost} == {"API_KEY_NOT_FOUND"}
    listed = admin.call("ListApiKeys", admin_pb.ListApiKeysRequest()).api_keys
    keys = [k for k in listed if k.name == name]
    assert [k.key_id for k in keys] == [request.key_id, won[0].api_key.key_id]


def test_concurrent_reset_url_changes_of_one_tenant_all_land(
    server: ServerProcess, admin: AdminClient
) -> None:
    tenant = new_tenant(server)
    urls = [f"https://app{n}.example/reset" for n in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(
            pool.map(
                lambda url: admin.call(
                    "AllowResetUrl", admin_pb.AllowResetUrlRequest(tenant_id=tenant, reset_url=url)
                ),
                urls,
            )
        )
    [row] = [row for row in cli_json(server, "tenant", "list") if row["id"] == tenant]
    assert row["reset_urls"] == sorted(urls)


def test_tenants_are_listed_oldest_first(server: ServerProcess, admin: AdminClient) -> None:
    """As ListTenantsResponse says: the later tenant's id sorts first here."""
    later, earlier = f"a-{uuid.uuid4().hex[:10]}", f"z-{uuid.uuid4().hex[:10]}"
    for tenant_id in (earlier, later):
        admin.call("CreateTenant", admin_pb.CreateTenantRequest(tenant_id=tenant_id))
    listed = [t.tenant_id for t in admin.call("ListTenants", admin_pb.ListTenantsRequest()).tenants]
    assert listed[0] == "default"  # made with the database
    assert listed.index(earlier) < listed.index(later)
    assert [row["id"] for row in cli_json(server, "tenant", "list")] == listed
