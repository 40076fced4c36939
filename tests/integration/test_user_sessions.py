"""Sessions a signed-in user and an admin can see and end, live through the
generated stubs: ListSessions, RevokeSession, SignOutEverywhere on AuthService;
ListUserSessions, RevokeUserSession, RevokeAllUserSessions on AdminService.
Every server here runs on each engine."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from engines import ENGINES, EngineDatabase, engine_database
from google.rpc import error_details_pb2
from rpc_support import PASSWORD, Client, query, stored_in
from server_support import User, UserFactory, in_process

from passgate.admin.v1 import admin_service_pb2 as admin_pb
from passgate.admin.v1 import admin_service_pb2_grpc
from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.testing import Refusal, ServerProcess, decode

FLUSH = 0.3  # seconds between writes of last use, on the servers here
PROXY_CLIENT = "203.0.113.7"  # the address the trusted proxy (the test) forwards for
NOT_FOUND = grpc.StatusCode.NOT_FOUND
UNAUTHENTICATED = grpc.StatusCode.UNAUTHENTICATED


@pytest.fixture(scope="module", params=ENGINES)
def sessions_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """A server that believes x-forwarded-for from 127.0.0.1 and writes last
    use every FLUSH seconds."""
    workdir = tmp_path_factory.mktemp(f"sessions-{request.param}")
    database = engine_database(request, request.param, workdir / "database")
    kw = database.server_kw()
    kw["env"] = {**kw["env"], "PASSGATE_SESSION_USE_FLUSH": str(FLUSH)}
    with ServerProcess(
        workdir / "server", extra_args=("--trusted-proxies", "127.0.0.1/32"), **kw
    ) as running:
        yield running


@pytest.fixture(scope="module")
def channel_(sessions_server: ServerProcess) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(sessions_server.target) as channel:
        yield channel


@pytest.fixture(scope="module")
def api(sessions_server: ServerProcess, channel_: grpc.Channel) -> Client:
    return Client(channel_, sessions_server.api_key)


@pytest.fixture(scope="module")
def users(sessions_server: ServerProcess) -> UserFactory:
    return UserFactory(sessions_server)


@pytest.fixture(scope="module")
def admin_key(sessions_server: ServerProcess) -> str:
    return sessions_server.create_api_key("operator", "--scopes", "admin")


def sign_in(api: Client, user: User, forwarded_for: str | None = None) -> str:
    extra = [] if forwarded_for is None else [("x-forwarded-for", forwarded_for)]
    response = api.call(
        "SignIn",
        pb.SignInRequest(email=user.email, password=user.password),
        metadata=api.metadata(extra=extra),
    )
    return str(response.session_token)


def listed(api: Client, token: str) -> list[pb.Session]:
    return list(api.call("ListSessions", pb.ListSessionsRequest(), session=token).sessions)


def seconds(stamp: Any) -> float:
    return float(stamp.seconds + stamp.nanos / 1e9)


def resource_infos(refusal: Refusal) -> list[error_details_pb2.ResourceInfo]:
    found = []
    for detail in refusal.details:
        info = error_details_pb2.ResourceInfo()
        if detail.Unpack(info):
            found.append(info)
    return found


def admin_call(channel: grpc.Channel, key: str, method: str, request: Any) -> Any:
    stub = admin_service_pb2_grpc.AdminServiceStub(channel)
    try:
        return getattr(stub, method)(request, metadata=[("x-api-key", key)], timeout=30)
    except grpc.RpcError as error:
        return decode(error)


# --- the signed-in user ---------------------------------------------------------


def test_list_sessions_shows_each_session_newest_first_with_its_peer_times_and_current_flag(
    api: Client, users: UserFactory
) -> None:
    user, someone_else = users(), users()
    before = time.time()
    direct = sign_in(api, user)
    proxied = sign_in(api, user, forwarded_for=PROXY_CLIENT)
    after = time.time()
    sign_in(api, someone_else)

    sessions = listed(api, proxied)

    assert [s.peer for s in sessions] == [PROXY_CLIENT, "127.0.0.1"]  # newest first
    assert [s.current for s in sessions] == [True, False]
    ids = [s.session_id for s in sessions]
    assert all(i.startswith("ses_") for i in ids) and len(set(ids)) == 2
    assert not {direct, proxied} & set(ids)  # never the token
    for session in sessions:
        created = seconds(session.created_at)
        assert before - 1 <= created <= after + 1
        assert seconds(session.last_used_at) >= created
        assert seconds(session.expires_at) == pytest.approx(created + 4 * 3600, abs=1)
    # the same sessions, seen from the other one: only the flag moves
    again = listed(api, direct)
    assert [s.session_id for s in again] == ids
    assert [s.current for s in again] == [False, True]


def test_revoking_ones_own_session_ends_it_at_once(api: Client, users: UserFactory) -> None:
    user = users()
    kept, doomed = sign_in(api, user), sign_in(api, user)
    assert api.is_live(doomed)  # read once, and kept in memory
    doomed_id = next(s.session_id for s in listed(api, kept) if not s.current)

    api.call("RevokeSession", pb.RevokeSessionRequest(session_id=doomed_id), session=kept)

    assert not api.is_live(doomed)
    assert api.is_live(kept)
    assert [s.current for s in listed(api, kept)] == [True]
    again = api.refuse("RevokeSession", pb.RevokeSessionRequest(session_id=doomed_id), session=kept)
    assert (again.code, again.reason) == (NOT_FOUND, "SESSION_NOT_FOUND")


def test_another_users_session_answers_as_an_unknown_one_and_stays_live(
    api: Client, users: UserFactory
) -> None:
    owner, intruder = users(), users()
    target = sign_in(api, owner)
    target_id = listed(api, target)[0].session_id
    own = sign_in(api, intruder)

    foreign = api.refuse(
        "RevokeSession", pb.RevokeSessionRequest(session_id=target_id), session=own
    )
    unknown_id = "ses_" + uuid.uuid4().hex[:16]
    unknown = api.refuse(
        "RevokeSession", pb.RevokeSessionRequest(session_id=unknown_id), session=own
    )

    assert (foreign.code, foreign.reason) == (NOT_FOUND, "SESSION_NOT_FOUND")
    assert (unknown.code, unknown.reason, unknown.message) == (
        foreign.code,
        foreign.reason,
        foreign.message,
    )
    assert [i.resource_name for i in resource_infos(foreign)] == [target_id]
    assert api.is_live(target)
    assert [s.session_id for s in listed(api, target)] == [target_id]


def test_revoke_session_without_an_id_is_a_bad_request(api: Client, users: UserFactory) -> None:
    token = sign_in(api, users())
    refusal = api.refuse("RevokeSession", pb.RevokeSessionRequest(), session=token)
    assert refusal.code == grpc.StatusCode.INVALID_ARGUMENT
    assert refusal.field_reasons == [("session_id", "FIELD_REQUIRED")]


def test_sign_out_everywhere_keeping_the_current_session_then_with_it(
    api: Client, users: UserFactory
) -> None:
    user, bystander = users(), users()
    current, *others = (sign_in(api, user) for _ in range(3))
    untouched = sign_in(api, bystander)

    kept = api.call(
        "SignOutEverywhere", pb.SignOutEverywhereRequest(keep_current=True), session=current
    )
    assert kept.revoked_count == 2
    assert api.is_live(current)
    assert not any(api.is_live(token) for token in others)
    assert [s.current for s in listed(api, current)] == [True]

    fresh = sign_in(api, user)
    everything = api.call(
        "SignOutEverywhere", pb.SignOutEverywhereRequest(keep_current=False), session=current
    )
    assert everything.revoked_count == 2
    assert not api.is_live(current) and not api.is_live(fresh)
    assert api.is_live(untouched)
    after = api.refuse("ListSessions", pb.ListSessionsRequest(), session=current)
    assert (after.code, after.reason) == (UNAUTHENTICATED, "SESSION_INVALID")


def test_sessions_that_expired_are_neither_listed_nor_counted_as_revoked(
    tmp_path: Path,
) -> None:
    """Expired sessions stay in the table until pruned; they are not live."""
    with in_process(tmp_path) as srv:
        user = srv.create_user(PASSWORD)
        old = srv.client.sign_in(user.email, PASSWORD).session_token
        srv.clock.advance(4 * 3600 + 1)
        current = srv.client.sign_in(user.email, PASSWORD).session_token
        other = srv.client.sign_in(user.email, PASSWORD).session_token

        assert not srv.client.is_live(old)
        assert len(listed(srv.client, current)) == 2
        kept = srv.client.call(
            "SignOutEverywhere", pb.SignOutEverywhereRequest(keep_current=True), session=current
        )
        assert kept.revoked_count == 1
        assert not srv.client.is_live(other)
        everything = srv.client.call(
            "SignOutEverywhere", pb.SignOutEverywhereRequest(keep_current=False), session=current
        )
        assert everything.revoked_count == 1


def test_last_used_at_advances_after_use_once_the_flush_has_run(
    sessions_server: ServerProcess, api: Client, users: UserFactory
) -> None:
    user = users()
    used, looking = sign_in(api, user), sign_in(api, user)
    generation = _revocation_generation(sessions_server)

    def last_use() -> tuple[float, float]:
        """`used`'s times, as `looking` sees them (listing is a use of `looking`)."""
        session = next(s for s in listed(api, looking) if not s.current)
        return seconds(session.created_at), seconds(session.last_used_at)

    time.sleep(3 * FLUSH)  # flushes ran: nothing used `used` yet
    created, last = last_use()
    assert last == created

    time.sleep(0.2)
    verified_at = time.time()
    assert api.is_live(used)
    deadline = time.monotonic() + 10
    while last_use()[1] == created and time.monotonic() < deadline:
        time.sleep(FLUSH / 2)
    assert last_use()[1] >= verified_at - 0.05
    # writing last use ends nothing: caches in every process keep their sessions
    assert _revocation_generation(sessions_server) == generation


def _revocation_generation(server: ServerProcess) -> int | None:
    """SQLite's count of endings (PostgreSQL signals them by notices, not a count)."""
    if not server.database_url.startswith("sqlite:"):
        return None
    return int(query(stored_in(server.database_url), "SELECT generation FROM revocations")[0][0])


def test_change_password_and_sign_out_count_as_use(
    sessions_server: ServerProcess, api: Client, users: UserFactory
) -> None:
    changing, leaving = users(), users()
    changed, signed_out = sign_in(api, changing), sign_in(api, leaving)
    time.sleep(3 * FLUSH)
    assert api.change_password(changed, PASSWORD, PASSWORD + "-2").session_token
    api.call("SignOut", pb.SignOutRequest(), session=signed_out)
    time.sleep(3 * FLUSH)

    # both sessions have ended, so only the table shows them
    rows = query(
        stored_in(sessions_server.database_url),
        "SELECT user_id, last_used_at - created_at FROM sessions "
        "WHERE user_id IN (?, ?) AND revoked_at IS NOT NULL",
        (changing.user_id, leaving.user_id),
    )
    assert sorted(row[0] for row in rows) == sorted([changing.user_id, leaving.user_id])
    assert all(row[1] >= 3 * FLUSH for row in rows), rows


def test_a_key_scoped_per_rpc_needs_the_session_rpcs_by_name(
    sessions_server: ServerProcess, channel_: grpc.Channel, users: UserFactory, api: Client
) -> None:
    token = sign_in(api, users())
    verify_only = Client(channel_, sessions_server.create_api_key("v", "--scopes", "VerifySession"))
    refusal = verify_only.refuse("ListSessions", pb.ListSessionsRequest(), session=token)
    assert (refusal.code, refusal.reason) == (grpc.StatusCode.PERMISSION_DENIED, "API_KEY_SCOPE")

    scoped = sessions_server.create_api_key(
        "s", "--scopes", "ListSessions,RevokeSession,SignOutEverywhere"
    )
    sessions = Client(channel_, scoped)
    assert len(listed(sessions, token)) == 1
    ended = sessions.call(
        "SignOutEverywhere", pb.SignOutEverywhereRequest(keep_current=False), session=token
    )
    assert ended.revoked_count == 1


# --- the admin -------------------------------------------------------------------


def test_an_admin_lists_and_revokes_a_users_sessions(
    channel_: grpc.Channel, admin_key: str, api: Client, users: UserFactory
) -> None:
    user = users()
    first = sign_in(api, user)
    second = sign_in(api, user, forwarded_for=PROXY_CLIENT)
    third = sign_in(api, user)

    seen = admin_call(
        channel_,
        admin_key,
        "ListUserSessions",
        admin_pb.ListUserSessionsRequest(user_id=user.user_id),
    )
    assert [s.peer for s in seen.sessions] == ["127.0.0.1", PROXY_CLIENT, "127.0.0.1"]
    assert {s.user_id for s in seen.sessions} == {user.user_id}
    assert [s.session_id for s in seen.sessions] == [s.session_id for s in listed(api, first)]
    for session in seen.sessions:
        assert seconds(session.last_used_at) >= seconds(session.created_at) > 0

    middle = seen.sessions[1].session_id
    answer = admin_call(
        channel_,
        admin_key,
        "RevokeUserSession",
        admin_pb.RevokeUserSessionRequest(user_id=user.user_id, session_id=middle),
    )
    assert isinstance(answer, admin_pb.RevokeUserSessionResponse)
    assert not api.is_live(second)
    assert api.is_live(first) and api.is_live(third)
    again = admin_call(
        channel_,
        admin_key,
        "RevokeUserSession",
        admin_pb.RevokeUserSessionRequest(user_id=user.user_id, session_id=middle),
    )
    assert (again.code, again.reason) == (NOT_FOUND, "SESSION_NOT_FOUND")

    everything = admin_call(
        channel_,
        admin_key,
        "RevokeAllUserSessions",
        admin_pb.RevokeAllUserSessionsRequest(user_id=user.user_id),
    )
    assert everything.revoked_count == 2
    assert not api.is_live(first) and not api.is_live(third)
    empty = admin_call(
        channel_,
        admin_key,
        "ListUserSessions",
        admin_pb.ListUserSessionsRequest(user_id=user.user_id),
    )
    assert list(empty.sessions) == []


def test_a_session_of_another_user_is_not_found_through_the_admin(
    channel_: grpc.Channel, admin_key: str, api: Client, users: UserFactory
) -> None:
    owner, other = users(), users()
    token = sign_in(api, owner)
    session_id = listed(api, token)[0].session_id
    refusal = admin_call(
        channel_,
        admin_key,
        "RevokeUserSession",
        admin_pb.RevokeUserSessionRequest(user_id=other.user_id, session_id=session_id),
    )
    assert (refusal.code, refusal.reason) == (NOT_FOUND, "SESSION_NOT_FOUND")
    assert api.is_live(token)


def test_an_unknown_user_is_not_found_with_its_resource(
    channel_: grpc.Channel, admin_key: str
) -> None:
    missing = str(uuid.uuid4())
    for method, request in (
        ("ListUserSessions", admin_pb.ListUserSessionsRequest(user_id=missing)),
        ("RevokeAllUserSessions", admin_pb.RevokeAllUserSessionsRequest(user_id=missing)),
        (
            "RevokeUserSession",
            admin_pb.RevokeUserSessionRequest(user_id=missing, session_id="ses_0"),
        ),
    ):
        refusal = admin_call(channel_, admin_key, method, request)
        assert (refusal.code, refusal.reason) == (NOT_FOUND, "USER_NOT_FOUND"), method
        infos = resource_infos(refusal)
        assert [(i.resource_type, i.resource_name) for i in infos] == [("user", missing)]


def test_admin_session_calls_refuse_a_key_without_the_admin_scope(
    sessions_server: ServerProcess, channel_: grpc.Channel, users: UserFactory, api: Client
) -> None:
    user = users()
    token = sign_in(api, user)
    for key in (
        sessions_server.api_key,
        sessions_server.create_api_key("most", "--scopes", "SignIn"),
    ):
        for method, request in (
            ("ListUserSessions", admin_pb.ListUserSessionsRequest(user_id=user.user_id)),
            ("RevokeAllUserSessions", admin_pb.RevokeAllUserSessionsRequest(user_id=user.user_id)),
        ):
            refusal = admin_call(channel_, key, method, request)
            assert (refusal.code, refusal.reason) == (
                grpc.StatusCode.PERMISSION_DENIED,
                "API_KEY_SCOPE",
            )
    assert api.is_live(token)


def test_an_admin_of_another_tenant_sees_no_such_user(
    sessions_server: ServerProcess, channel_: grpc.Channel, admin_key: str, api: Client
) -> None:
    tenant = "t" + uuid.uuid4().hex[:8]
    sessions_server.cli("tenant", "create", tenant)
    foreign_admin = sessions_server.create_api_key(
        "theirs", "--tenant", tenant, "--scopes", "admin"
    )
    tenant_api = Client(channel_, sessions_server.create_api_key("their-app", "--tenant", tenant))
    ours = UserFactory(sessions_server)()
    theirs = UserFactory(sessions_server)(tenant=tenant)
    our_token = sign_in(api, ours)
    their_token = sign_in(tenant_api, theirs)

    refused = admin_call(
        channel_,
        foreign_admin,
        "RevokeAllUserSessions",
        admin_pb.RevokeAllUserSessionsRequest(user_id=ours.user_id),
    )
    assert (refused.code, refused.reason) == (NOT_FOUND, "USER_NOT_FOUND")
    assert [i.resource_name for i in resource_infos(refused)] == [ours.user_id]
    assert api.is_live(our_token)
    listed_there = admin_call(
        channel_,
        foreign_admin,
        "ListUserSessions",
        admin_pb.ListUserSessionsRequest(user_id=ours.user_id),
    )
    assert (listed_there.code, listed_there.reason) == (NOT_FOUND, "USER_NOT_FOUND")

    # its own tenant's users it administers, and so does the default tenant's admin
    own = admin_call(
        channel_,
        foreign_admin,
        "ListUserSessions",
        admin_pb.ListUserSessionsRequest(user_id=theirs.user_id),
    )
    assert len(own.sessions) == 1
    ended = admin_call(
        channel_,
        admin_key,
        "RevokeAllUserSessions",
        admin_pb.RevokeAllUserSessionsRequest(user_id=theirs.user_id),
    )
    assert ended.revoked_count == 1
    assert not tenant_api.is_live(their_token)


# PostgreSQL only: SQLite has no row locks (one writer holds the whole file).
@pytest.mark.parametrize("sessions_server", ["postgresql"], indirect=True)
def test_an_admin_of_another_tenant_never_waits_on_the_users_locks(
    sessions_server: ServerProcess, channel_: grpc.Channel
) -> None:
    """A user's row held by someone else's transaction (a password change, say)
    must not make another tenant's admin wait: its answer would then take as long
    as that transaction, where an unknown id answers at once."""
    database = stored_in(sessions_server.database_url)
    assert isinstance(database, str), "a PostgreSQL URL"
    import psycopg

    tenant = "t" + uuid.uuid4().hex[:8]
    sessions_server.cli("tenant", "create", tenant)
    foreign_admin = sessions_server.create_api_key("locks", "--tenant", tenant, "--scopes", "admin")
    ours = UserFactory(sessions_server)()
    stub = admin_service_pb2_grpc.AdminServiceStub(channel_)
    calls = (
        ("RevokeAllUserSessions", admin_pb.RevokeAllUserSessionsRequest(user_id=ours.user_id)),
        (
            "RevokeUserSession",
            admin_pb.RevokeUserSessionRequest(user_id=ours.user_id, session_id="ses_0"),
        ),
    )
    with psycopg.connect(database) as holder:
        holder.execute(b"SELECT id FROM users WHERE id = %s FOR UPDATE", (ours.user_id,))
        for method, request in calls:
            try:
                getattr(stub, method)(request, metadata=[("x-api-key", foreign_admin)], timeout=3)
            except grpc.RpcError as error:
                refusal = decode(error)
            else:
                raise AssertionError(f"{method} was not refused")
            assert (refusal.code, refusal.reason) == (NOT_FOUND, "USER_NOT_FOUND"), method
        holder.rollback()


# --- across processes -------------------------------------------------------------


def test_a_session_revoked_through_one_process_is_refused_at_once_by_another(
    tmp_path: Path, database: EngineDatabase
) -> None:
    with (
        ServerProcess(tmp_path / "a", **database.server_kw()) as first,
        ServerProcess(tmp_path / "b", **database.server_kw()) as second,
        grpc.insecure_channel(first.target) as one,
        grpc.insecure_channel(second.target) as two,
    ):
        key = first.create_api_key("shared")
        admin = first.create_api_key("operator", "--scopes", "admin")
        a, b = Client(one, key), Client(two, key)
        user = UserFactory(first)()
        tokens = [sign_in(a, user) for _ in range(5)]
        for token in tokens:
            assert b.is_live(token) and b.is_live(token)  # read once, then kept

        mine = listed(a, tokens[0])
        by_token = {s.session_id: tokens[i] for i, s in enumerate(reversed(mine))}
        own = mine[-2].session_id
        a.call("RevokeSession", pb.RevokeSessionRequest(session_id=own), session=tokens[0])
        assert refused_by(b, by_token[own], database.engine)
        assert b.is_live(tokens[0])

        by_admin = mine[0].session_id
        answer = admin_call(
            one,
            admin,
            "RevokeUserSession",
            admin_pb.RevokeUserSessionRequest(user_id=user.user_id, session_id=by_admin),
        )
        assert isinstance(answer, admin_pb.RevokeUserSessionResponse), answer
        assert refused_by(b, by_token[by_admin], database.engine)

        count = a.call(
            "SignOutEverywhere", pb.SignOutEverywhereRequest(keep_current=True), session=tokens[0]
        ).revoked_count
        assert count == 2
        assert refused_by(b, tokens[2], database.engine)
        assert [b.is_live(t) for t in tokens] == [True, False, False, False, False]

        ended = admin_call(
            one,
            admin,
            "RevokeAllUserSessions",
            admin_pb.RevokeAllUserSessionsRequest(user_id=user.user_id),
        )
        assert ended.revoked_count == 1
        assert refused_by(b, tokens[0], database.engine)


# How long PostgreSQL's notice may take to reach the other process, as the
# README states it for a machine without other load (tests/postgres/test_replicas.py).
NOTICE_DELAY = 0.5


def refused_by(client: Client, token: str, engine: str) -> bool:
    """Whether the server behind `client` refuses `token` at its very next call
    (SQLite: the WAL index moved), or on PostgreSQL once the revocation's
    notice arrived, a moment after the commit."""
    if engine == "sqlite":
        return not client.is_live(token)
    deadline = time.monotonic() + NOTICE_DELAY
    while client.is_live(token):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
