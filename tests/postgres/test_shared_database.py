"""Several server processes on one PostgreSQL database, driven from outside:
each reset mail leaves once, the per-account mail cap holds against parallel
callers, one of many parallel password changes on a session wins, and many
concurrent calls stay within the connection pool."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import grpc
import pytest
from rpc import metadata, pb, stub

from passgate.postgres_cluster import PostgresCluster, PostgresDatabase
from passgate.testing import ServerProcess

PW = "Correct-Horse-9-battery"
NEW = "Another#Strong-Pass-42"


@contextmanager
def servers(
    tmp_path: Path, database: PostgresDatabase, count: int, *args: str, **env: str
) -> Iterator[list[ServerProcess]]:
    """`count` servers on one database, sharing its sealing key and limits store."""
    with ExitStack() as stack:
        yield [
            stack.enter_context(
                ServerProcess(
                    tmp_path / f"server{i}",
                    database_url=database.url,
                    env={**database.server_env(), **env},
                    extra_args=args,
                )
            )
            for i in range(count)
        ]


def together(count: int, call: Callable[[int], Any]) -> list[Any]:
    """`call(i)` on `count` threads released at once; each result or RpcError."""
    start = threading.Barrier(count)

    def run(i: int) -> Any:
        start.wait()
        try:
            return call(i)
        except grpc.RpcError as error:
            return error

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def mails_to(processes: list[ServerProcess]) -> Counter[str]:
    """Reset links delivered, by user id, across every server's mail folder."""
    return Counter(link.user_id for p in processes for link in p.reset_links())


def settled(processes: list[ServerProcess], seconds: float = 3.0) -> Counter[str]:
    """The delivered mail once nothing new arrived for `seconds`."""
    seen = mails_to(processes)
    quiet_since = time.monotonic()
    while time.monotonic() - quiet_since < seconds:
        time.sleep(0.2)
        now = mails_to(processes)
        if now != seen:
            seen, quiet_since = now, time.monotonic()
    return seen


# Two servers of two worker processes each: four mail workers claim from one
# outbox at once, so they keep reaching for the same oldest row.
FOUR_MAIL_WORKERS = ("--workers", "2")


def request_resets(processes: list[ServerProcess], emails: list[str], api_key: str) -> None:
    """One RequestReset per entry of `emails`, 32 callers at once, spread over the servers."""
    channels = [grpc.insecure_channel(p.target) for p in processes]
    try:
        calls = [
            channel.unary_unary(
                "/passgate.auth.v1.AuthService/RequestReset",
                request_serializer=pb.RequestResetRequest.SerializeToString,
                response_deserializer=pb.RequestResetResponse.FromString,
            )
            for channel in channels
        ]

        def send(i: int) -> Any:
            request = pb.RequestResetRequest(email=emails[i])
            return calls[i % len(calls)](request, metadata=metadata(api_key), timeout=30)

        with ThreadPoolExecutor(max_workers=32) as pool:
            answers = list(pool.map(send, range(len(emails))))
    finally:
        for channel in channels:
            channel.close()
    assert all(isinstance(a, pb.RequestResetResponse) for a in answers)


def test_each_reset_mail_is_delivered_once_by_four_mail_workers(
    tmp_path: Path, postgres_database: PostgresDatabase
):
    users, per_user = 8, 25
    with servers(
        tmp_path, postgres_database, 2, *FOUR_MAIL_WORKERS, "--resets-per-hour", "1000"
    ) as processes:
        emails = [f"mail{i}@example.com" for i in range(users)]
        for email in emails:
            processes[0].create_user(email, PW)
        request_resets(processes, emails * per_user, processes[0].api_key)
        settled(processes)
        links = [(link.user_id, link.token) for p in processes for link in p.reset_links()]
    doubled = {link: n for link, n in Counter(links).items() if n > 1}
    assert not doubled, f"{len(doubled)} mails delivered more than once"
    assert len(links) == users * per_user


def test_parallel_reset_requests_queue_at_most_the_hourly_cap(
    tmp_path: Path, postgres_database: PostgresDatabase
):
    cap = 3
    with servers(
        tmp_path, postgres_database, 2, *FOUR_MAIL_WORKERS, "--resets-per-hour", str(cap)
    ) as processes:
        user = processes[0].create_user("capped@example.com", PW)
        request_resets(processes, ["capped@example.com"] * 96, processes[0].api_key)
        delivered = settled(processes)
    assert delivered[user] == cap, delivered


def test_one_of_many_parallel_password_changes_on_a_session_wins(
    tmp_path: Path, postgres_database: PostgresDatabase
):
    with servers(tmp_path, postgres_database, 2) as (one, two), ExitStack() as stack:
        one.create_user("changer@example.com", PW)
        with stub(one.target) as api:
            session = api.SignIn(
                pb.SignInRequest(email="changer@example.com", password=PW),
                metadata=metadata(one.api_key),
            ).session_token
        stubs = [stack.enter_context(own_connection(p.target)) for p in (one, two)]
        change = pb.ChangePasswordRequest(old_password=PW, new_password=NEW, confirm_password=NEW)
        results = together(
            16,
            lambda i: stubs[i % 2].ChangePassword(
                change, metadata=metadata(one.api_key, session), timeout=30
            ),
        )
    won = [r for r in results if isinstance(r, pb.ChangePasswordResponse)]
    assert len(won) == 1, Counter(
        r.code() if isinstance(r, grpc.RpcError) else "changed" for r in results
    )


@contextmanager
def own_connection(target: str) -> Iterator[Any]:
    """A stub on a connection of its own (grpcio otherwise shares one per target)."""
    from passgate.auth.v1 import auth_service_pb2_grpc

    with grpc.insecure_channel(target, options=[("grpc.use_local_subchannel_pool", 1)]) as channel:
        yield auth_service_pb2_grpc.AuthServiceStub(channel)


@pytest.mark.parametrize("pool", [4])
def test_128_concurrent_calls_hold_no_more_connections_than_the_pool(
    tmp_path: Path,
    postgres_cluster: PostgresCluster,
    postgres_database: PostgresDatabase,
    pool: int,
):
    count = f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{postgres_database.name}'"
    with (
        servers(tmp_path, postgres_database, 1, "--database-pool", str(pool)) as (server,),
        ExitStack() as stack,
    ):
        emails = [f"pool{i}@example.com" for i in range(8)]
        for address in emails:
            server.create_user(address, PW)
        # two connections, as two hosts would open
        stubs = [stack.enter_context(own_connection(server.target)) for _ in range(2)]
        peak = 0
        done = threading.Event()

        def watch() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, int(postgres_cluster.sql(count)[0][0]))

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            results = together(
                128,
                lambda i: stubs[i % 2].SignIn(
                    pb.SignInRequest(email=emails[i % 8], password=PW),
                    metadata=metadata(server.api_key),
                    timeout=60,
                ),
            )
        finally:
            done.set()
            watcher.join()
    signed_in = [r for r in results if isinstance(r, pb.SignInResponse)]
    assert len(signed_in) == 128, Counter(
        f"{r.code().name}: {r.details()}" if isinstance(r, grpc.RpcError) else "signed in"
        for r in results
    )
    # the pool, plus the one connection that listens for revocations
    assert 2 <= peak <= pool + 1, peak
