"""Three replicas over one PostgreSQL, each on a loopback address of its own,
called through one client channel that spreads calls round-robin and follows
each replica's health, as a gRPC client or a balancer in front of them does.
A replica stopped with SIGTERM says NOT_SERVING first (`--shutdown-delay`),
then drains: callers see no error. One killed with SIGKILL costs only the
calls it held; the others keep answering, and a reset mail it was sending is
sent by another once its claim lapses, once."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import grpc
from rpc import metadata, pb, refused, stub, verify_load, verify_sessions_answered
from smtp_fixtures import HOST as SMTP_HOST
from smtp_fixtures import DataHold, RunningServer, smtp_server
from sockets import process_with_connection

from passgate.auth.v1 import auth_service_pb2_grpc
from passgate.mail.outbox import LEASE_SECONDS
from passgate.postgres_cluster import PostgresDatabase
from passgate.redis_server import RedisServer
from passgate.testing import ServerProcess

PW = "Correct-Horse-9-battery"
EMAIL = "erin@example.com"
HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3")
# What a client of several replicas sets: round robin over those that say SERVING.
SERVICE_CONFIG = json.dumps(
    {
        "loadBalancingConfig": [{"round_robin": {}}],
        "healthCheckConfig": {"serviceName": "passgate.auth.v1.AuthService"},
    }
)


@contextmanager
def replicas(
    tmp_path: Path,
    database: PostgresDatabase,
    *args: str,
    limits_store: str | None = None,
    file_mailer: bool = True,
) -> Iterator[list[ServerProcess]]:
    """One replica per address in HOSTS, on one database, sharing its sealing key
    and one API key (and `limits_store`, if given); `file_mailer=False` leaves
    the mail flags to `args`."""
    env = database.server_env()
    if limits_store is not None:
        env["PASSGATE_LIMITS_STORE"] = limits_store
    with ExitStack() as stack:
        servers = [
            stack.enter_context(
                ServerProcess(
                    tmp_path / f"replica{i}",
                    database_url=database.url,
                    env=env,
                    host=host,
                    extra_args=args,
                    file_mailer=file_mailer,
                )
            )
            for i, host in enumerate(HOSTS)
        ]
        for server in servers[1:]:
            server.api_key = servers[0].api_key
        yield servers


@contextmanager
def steady_load(
    servers: list[ServerProcess], session: str, callers: int = 4
) -> Iterator[Counter[grpc.StatusCode]]:
    """`callers` threads calling VerifySession back to back through one
    round-robin channel over every replica; the codes they got, counted."""
    target = "ipv4:" + ",".join(server.target for server in servers)
    with grpc.insecure_channel(
        target, options=[("grpc.service_config", SERVICE_CONFIG)]
    ) as channel:
        grpc.channel_ready_future(channel).result(timeout=10)
        api = auth_service_pb2_grpc.AuthServiceStub(channel)
        with verify_load(api, servers[0].api_key, session, callers) as codes:
            yield codes


def served(server: ServerProcess) -> int:
    """VerifySession calls the replica answered, from its log."""
    return verify_sessions_answered(server.log_text())


def signed_in(server: ServerProcess) -> str:
    server.create_user(EMAIL, PW)
    with grpc.insecure_channel(server.target) as channel:
        answer = auth_service_pb2_grpc.AuthServiceStub(channel).SignIn(
            pb.SignInRequest(email=EMAIL, password=PW), metadata=metadata(server.api_key)
        )
    return str(answer.session_token)


def round_robin(servers: list[ServerProcess]) -> grpc.Channel:
    target = "ipv4:" + ",".join(server.target for server in servers)
    return grpc.insecure_channel(target, options=[("grpc.service_config", SERVICE_CONFIG)])


def test_three_replicas_over_one_redis_hold_one_budget_one_throttle_one_revocation(
    postgres_database: PostgresDatabase, tmp_path: Path, redis_server: RedisServer
):
    args = ("--signin-free-failures", "4", "--signin-first-delay", "60")
    with replicas(tmp_path, postgres_database, *args, limits_store=redis_server.url(5)) as servers:
        budgeted = servers[0].create_api_key("budgeted", "--rate", "25/1h")
        servers[0].create_user(EMAIL, PW)
        key = metadata(servers[0].api_key)
        with round_robin(servers) as channel:
            api = auth_service_pb2_grpc.AuthServiceStub(channel)
            # one key budget of 25 (a rate that refills no call meanwhile) across the three
            nobody = pb.VerifySessionRequest(session_token="pgs_" + "x" * 43)
            codes = [
                refused(api.VerifySession, nobody, metadata=metadata(budgeted)).code
                for _ in range(39)
            ]
            assert codes[:25] == [grpc.StatusCode.UNAUTHENTICATED] * 25  # within the budget
            assert codes[25:] == [grpc.StatusCode.RESOURCE_EXHAUSTED] * 14
            # four free failures and the one that starts the delay, spread over the three
            wrong = pb.SignInRequest(email=EMAIL, password="Wrong-Horse-9-battery")
            for _ in range(5):
                assert refused(api.SignIn, wrong, metadata=key).code == (
                    grpc.StatusCode.UNAUTHENTICATED
                )
        assert all(served(server) or signed_in_on(server) for server in servers)
        right = pb.SignInRequest(email=EMAIL, password=PW)
        for server in servers:  # every replica now makes the account wait
            with stub(server.target) as on_it:
                refusal = refused(on_it.SignIn, right, metadata=key)
            assert refusal.code == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert refusal.retry_delay is not None and 55 < refusal.retry_delay <= 60


def signed_in_on(server: ServerProcess) -> bool:
    return "/passgate.auth.v1.AuthService/SignIn" in server.log_text()


def test_a_sign_out_on_one_replica_is_refused_on_the_others_at_once(
    postgres_database: PostgresDatabase, tmp_path: Path
):
    with replicas(tmp_path, postgres_database) as servers:
        session = signed_in(servers[0])
        others = servers[1:]
        for server in others:  # verified twice: the second answer from its cache
            for _ in range(2):
                assert verify(server, session) == grpc.StatusCode.OK
        with stub(servers[0].target) as api:
            api.SignOut(pb.SignOutRequest(), metadata=metadata(servers[0].api_key, session))
        signed_out = time.monotonic()
        for server in others:
            while verify(server, session) == grpc.StatusCode.OK:
                # the bound README's "Running on PostgreSQL" states without other load
                assert time.monotonic() - signed_out < 0.5, "still accepted 0.5 s after sign-out"
            assert verify(server, session) == grpc.StatusCode.UNAUTHENTICATED


def verify(server: ServerProcess, session: str) -> grpc.StatusCode:
    with stub(server.target) as api:
        try:
            api.VerifySession(
                pb.VerifySessionRequest(session_token=session), metadata=metadata(server.api_key)
            )
        except grpc.RpcError as error:
            return error.code()
    return grpc.StatusCode.OK


def test_a_replica_stopped_with_sigterm_costs_its_callers_nothing(
    postgres_database: PostgresDatabase, tmp_path: Path
):
    with replicas(tmp_path, postgres_database, "--shutdown-delay", "1.5") as servers:
        session = signed_in(servers[0])
        with steady_load(servers, session) as codes:
            time.sleep(1.5)
            before = [served(server) for server in servers]
            assert all(before), before  # every replica takes its share
            leaving = servers[1]
            assert leaving.stop(timeout=30) == 0
            answered_by_it = served(leaving)
            time.sleep(1.5)
        assert set(codes) == {grpc.StatusCode.OK}, codes
        # the others carried on alone once it left
        after = [served(server) for server in servers]
        assert after[1] == answered_by_it
        assert after[0] > before[0] and after[2] > before[2]


def test_a_replica_killed_mid_load_leaves_the_others_answering(
    postgres_database: PostgresDatabase, tmp_path: Path
):
    with replicas(tmp_path, postgres_database) as servers:
        session = signed_in(servers[0])
        with steady_load(servers, session) as codes:
            time.sleep(1.5)
            servers[2].kill()
            killed_at = sum(codes.values())
            time.sleep(2.0)
            after_kill = dict(codes)
        answered_after = sum(after_kill.values()) - killed_at
        # at most the calls the killed replica held (one per caller) failed, as UNAVAILABLE
        failed = {code: n for code, n in after_kill.items() if code != grpc.StatusCode.OK}
        assert set(failed) <= {grpc.StatusCode.UNAVAILABLE}, after_kill
        assert sum(failed.values()) <= 4, after_kill
        assert answered_after > 100, after_kill


# A claimed mail's lease lapses LEASE_SECONDS after its last renewal; the
# survivors poll every second; the rest is room for a busy machine.
RECOVERY_SECONDS = LEASE_SECONDS + 4.0


def smtp_args(smtp: RunningServer) -> tuple[str, ...]:
    return ("--smtp-host", SMTP_HOST, "--smtp-port", str(smtp.port), "--smtp-security", "none")


def arrivals(smtp: RunningServer, address: str) -> int:
    return sum(message.rcpt_tos == [address] for message in smtp.received)


def test_a_mail_claimed_by_a_killed_replica_arrives_once_from_another_after_its_lease(
    postgres_database: PostgresDatabase, tmp_path: Path
):
    hold = DataHold(count=1)  # the first send stalls until the test lets go, then fails
    with (
        smtp_server(hold=hold) as smtp,
        replicas(tmp_path, postgres_database, *smtp_args(smtp), file_mailer=False) as servers,
    ):
        pids = [server.process.pid for server in servers if server.process]
        # which replica sent each mail, asked while its connection is open
        smtp.recorder.identify = lambda peer: process_with_connection(peer[1], pids)
        addresses = [f"user{i}@example.com" for i in range(6)]
        for address in addresses:
            servers[0].create_user(address, PW)
        for i, address in enumerate(addresses):  # asked of every replica in turn
            with stub(servers[i % len(servers)].target) as api:
                api.RequestReset(
                    pb.RequestResetRequest(email=address), metadata=metadata(servers[0].api_key)
                )
        assert hold.holding.wait(30), "no mail reached the SMTP server"
        held = hold.held[0]
        sender = process_with_connection(held.peer[1], pids)
        holder = next(
            server for server in servers if server.process and server.process.pid == sender
        )
        holder.kill()  # while its claim on the held mail is live
        killed_at = time.monotonic()
        hold.release.set()  # the held send is answered "not delivered", to nobody

        (held_address,) = held.rcpt_tos
        while arrivals(smtp, held_address) == 0:
            waited = time.monotonic() - killed_at
            assert waited < RECOVERY_SECONDS, f"the held mail had not arrived {waited:.1f} s on"
            time.sleep(0.05)
        while len(smtp.received) < len(addresses):
            assert time.monotonic() - killed_at < 30, f"{len(smtp.received)} mails arrived"
            time.sleep(0.05)
        time.sleep(LEASE_SECONDS + 1.0)  # time enough for a second copy of any to show up

    assert sorted(m.rcpt_tos[0] for m in smtp.received) == sorted(addresses)  # each once
    (recovered,) = [m for m in smtp.received if m.rcpt_tos == [held_address]]
    survivors = {
        server.process.pid for server in servers if server is not holder and server.process
    }
    assert recovered.sender in survivors, (recovered.sender, survivors)
    assert hold.data_commands == len(addresses) + 1, "one held send, then one per address"
