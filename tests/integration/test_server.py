"""The server as operators and tools see it: health checking and reflection
without a key, graceful SIGTERM, `kill -9` durability, size limits, unparseable
requests, and reset mail through a real SMTP server."""

from __future__ import annotations

import email
import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import grpc
import pytest
from google.protobuf import descriptor_pool
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)
from rpc_support import (
    NEW_PASSWORD,
    PASSWORD,
    SERVICE,
    Client,
    Refusal,
    decode,
    raw_method,
    wait_links_to,
)
from server_support import UserFactory, running, server_process, wait_for_lines
from smtp_fixtures import smtp_server

from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.mail.templates import find_reset_link
from passgate.testing import ServerProcess, free_port

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


# --- health and reflection ------------------------------------------------------


@pytest.mark.parametrize("service", ["", SERVICE])
def test_health_answers_without_an_api_key(shared_channel: grpc.Channel, service: str) -> None:
    reply = health_pb2_grpc.HealthStub(shared_channel).Check(
        health_pb2.HealthCheckRequest(service=service), timeout=10
    )
    assert reply.status == SERVING


def test_reflection_lists_the_service_and_resolves_every_symbol(
    shared_channel: grpc.Channel,
) -> None:
    assert SERVICE in set(ProtoReflectionDescriptorDatabase(shared_channel).get_services())

    for symbol, file in {
        f"{SERVICE}.SignIn": "passgate/auth/v1/auth_service.proto",
        "passgate.auth.v1.SignInRequest.password": "passgate/auth/v1/auth_service.proto",
        "passgate.auth.v1.ErrorReason": "passgate/auth/v1/error_reason.proto",
        "google.rpc.ErrorInfo": "google/rpc/error_details.proto",
        "google.rpc.BadRequest": "google/rpc/error_details.proto",
        "google.rpc.RetryInfo": "google/rpc/error_details.proto",
        "google.rpc.QuotaFailure": "google/rpc/error_details.proto",
        "google.rpc.Status": "google/rpc/status.proto",
    }.items():
        # A fresh database per symbol, so that each answer comes from the server, not a cache.
        fresh = ProtoReflectionDescriptorDatabase(shared_channel)
        assert fresh.FindFileContainingSymbol(symbol).name == file, symbol

    with pytest.raises(KeyError):
        ProtoReflectionDescriptorDatabase(shared_channel).FindFileContainingSymbol(
            f"{SERVICE}.NoSuchMethod"
        )
    pool = descriptor_pool.DescriptorPool(ProtoReflectionDescriptorDatabase(shared_channel))
    method = pool.FindMethodByName(f"{SERVICE}.SignIn")
    assert method.input_type.full_name == "passgate.auth.v1.SignInRequest"
    assert method.output_type.full_name == "passgate.auth.v1.SignInResponse"
    assert "reason" in pool.FindMessageTypeByName("google.rpc.ErrorInfo").fields_by_name


def test_reflection_can_be_switched_off(tmp_path: Path) -> None:
    with running(tmp_path, "--reflection", "off") as (server, client):
        with pytest.raises(grpc.RpcError) as refused:
            list(ProtoReflectionDescriptorDatabase(client.channel).get_services())
        assert refused.value.code() == grpc.StatusCode.UNIMPLEMENTED  # type: ignore[attr-defined]
        v1 = client.channel.stream_stream(
            "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"
        )
        with pytest.raises(grpc.RpcError) as refused:
            list(v1(iter([b""]), timeout=10))
        assert refused.value.code() == grpc.StatusCode.UNIMPLEMENTED  # type: ignore[attr-defined]
        # The rest of the server is unaffected.
        health = health_pb2_grpc.HealthStub(client.channel).Check(
            health_pb2.HealthCheckRequest(), timeout=10
        )
        assert health.status == SERVING
        user = UserFactory(server)()
        assert client.sign_in(user.email, PASSWORD).user_id == user.user_id


# --- shutting down and crashing -------------------------------------------------------


def test_sigterm_drains_a_call_in_flight_and_exits_0(tmp_path: Path) -> None:
    # At cost 14 the sign-in's hash upgrade keeps the call busy for about a second
    # (far longer beside other busy processes: bcrypt runs at nice 19), all of
    # which the grace allows.
    with running(tmp_path, "--bcrypt-cost", "14", "--shutdown-grace", "120") as (
        server,
        client,
    ):
        user = UserFactory(server)()
        assert server.process is not None
        in_flight = client.stub.SignIn.future(
            pb.SignInRequest(email=user.email, password=PASSWORD),
            metadata=client.metadata(),
            timeout=150,
        )
        time.sleep(0.3)  # let the call reach its bcrypt work
        assert not in_flight.done()
        server.process.terminate()

        seen = health_after_serving(server, client, within=30)
        # Draining: the health check says NOT_SERVING, or new calls are refused.
        assert seen in (
            NOT_SERVING,
            grpc.StatusCode.UNAVAILABLE,
            grpc.StatusCode.CANCELLED,
        )

        answer = in_flight.result()
        assert answer.user_id == user.user_id
        assert server.process.wait(150) == 0

    events = [json.loads(line) for line in server.log_text().splitlines() if line.startswith("{")]
    order = [e["msg"] if e.get("event") != "rpc" else e["method"] for e in events]
    shutdown = order.index("shutting down")
    assert f"/{SERVICE}/SignIn" in order[shutdown:]


def health_after_serving(server: ServerProcess, client: Client, within: float) -> object:
    """Asks health until it stops answering SERVING (after a SIGTERM): the status it
    answered then, or the code the check was refused with; None if the process ended."""
    health = health_pb2_grpc.HealthStub(client.channel)
    deadline = time.monotonic() + within
    assert server.process is not None
    while server.process.poll() is None:
        assert time.monotonic() < deadline, "health kept answering SERVING after SIGTERM"
        try:
            status = health.Check(health_pb2.HealthCheckRequest(), timeout=5).status
        except grpc.RpcError as error:
            return error.code()  # type: ignore[attr-defined]
        if status != SERVING:
            return status
        time.sleep(0.02)
    return None


def test_a_shutdown_delay_answers_new_calls_while_health_says_not_serving(
    tmp_path: Path,
) -> None:
    with running(tmp_path, "--shutdown-delay", "3") as (server, client):
        user = UserFactory(server)()
        session = client.sign_in(user.email, PASSWORD).session_token
        assert server.process is not None
        server.process.terminate()

        assert health_after_serving(server, client, within=10) == NOT_SERVING
        # NOT_SERVING now, yet a caller that has not noticed still gets answers
        assert client.is_live(session)
        assert server.process.poll() is None
        assert server.process.wait(30) == 0


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_second_sigterm_stops_at_once(tmp_path: Path, workers: str) -> None:
    """An operator who signals twice (Ctrl-C, Ctrl-C) will not wait out two minutes
    of shutdown delay and grace: the second signal cuts both, in every worker."""
    delays = ("--shutdown-delay", "120", "--shutdown-grace", "120")
    with running(tmp_path, *delays, "--workers", workers) as (server, client):
        assert server.process is not None
        wait_for_lines(server, '"msg":"serving"', int(workers))  # every worker has started
        server.process.terminate()
        assert health_after_serving(server, client, within=10) == NOT_SERVING
        assert server.process.poll() is None  # the first signal's delay: still answering
        server.process.terminate()
        assert server.process.wait(30) == 0
    assert server.log_text().count("second signal: stopping now") == int(workers)


@pytest.mark.parametrize("ctrl_c", [False, True], ids=["SIGTERM to serve", "Ctrl-C"])
def test_a_stop_while_the_workers_start_is_quiet_and_clean(tmp_path: Path, ctrl_c: bool) -> None:
    """Stopped a moment after `passgate serve --workers 2` starts, while its
    workers still import or open the database, it ends with status 0 and no
    traceback: nothing was served yet, and the stop was asked for. Ctrl-C
    reaches every process of the terminal's group; `kill` only the supervisor."""
    log_path = tmp_path / "server.log"
    argv = [
        str(Path(sys.executable).with_name("passgate")),  # the installed command
        "serve",
        "--workers",
        "2",
        "--listen",
        f"127.0.0.1:{free_port()}",
        "--database",
        f"sqlite:///{tmp_path / 'passgate.db'}",
        "--mail-dir",
        str(tmp_path / "mail"),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 30
        while '"msg":"supervising"' not in log_path.read_text():
            assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.01)
        assert '"msg":"serving"' not in log_path.read_text()  # the workers are still starting
        if ctrl_c:
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.terminate()
        assert process.wait(30) == 0, log_path.read_text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert "Traceback" not in log_path.read_text()


def test_workers_end_when_their_supervisor_is_killed(tmp_path: Path) -> None:
    """`kill -9` of `serve --workers 2` gives it no chance to stop its workers: they
    must stop by themselves, not keep the port and serve beside the next start."""
    with running(tmp_path, "--workers", "2") as (server, _):
        workers = {int(str(line["pid"])) for line in wait_for_lines(server, '"msg":"serving"', 2)}
        assert len(workers) == 2
        server.kill()
        deadline = time.monotonic() + 30
        try:
            while (alive := {pid for pid in workers if _running(pid)}) and (
                time.monotonic() < deadline
            ):
                time.sleep(0.1)
            assert not alive, f"workers {alive} still run after their supervisor was killed"
        finally:
            for pid in workers:
                if _running(pid):
                    os.kill(pid, signal.SIGKILL)


def test_a_worker_that_ends_by_itself_stops_serve_with_a_failure(tmp_path: Path) -> None:
    """A worker gone while serving (killed by someone, or crashed) is no stop the
    operator asked for: the supervisor stops the others and exits 1, so a service
    manager restarts it, even when that worker drained and exited cleanly."""
    with running(tmp_path, "--workers", "2") as (server, _):
        assert server.process is not None
        one = int(str(wait_for_lines(server, '"msg":"serving"', 2)[0]["pid"]))
        os.kill(one, signal.SIGTERM)
        assert server.process.wait(30) == 1
    assert "exited with 0; stopping the others" in server.log_text()


def _running(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def test_a_reset_acknowledged_before_kill_9_survives_it(tmp_path: Path) -> None:
    workdir = tmp_path / "server"
    with server_process(workdir) as first, grpc.insecure_channel(first.target) as channel:
        client = Client(channel, first.api_key)
        user = UserFactory(first)()
        client.request_reset(user.email)
        link = wait_links_to(first.mail_dir, user.email)[-1]
        assert client.submit_reset(link, NEW_PASSWORD) == pb.SubmitResetResponse()
        first.kill()
        assert first.process is not None and first.process.returncode == -9

    second = server_process(workdir)
    second.api_key = first.api_key
    with second, grpc.insecure_channel(second.target) as channel:
        client = Client(channel, second.api_key)
        assert client.sign_in(user.email, NEW_PASSWORD).user_id == user.user_id
        old = client.refuse("SignIn", pb.SignInRequest(email=user.email, password=PASSWORD))
        assert old.reason == "INVALID_CREDENTIALS"


# --- limits and malformed calls -------------------------------------------------------


def test_calls_beyond_the_concurrency_bound_are_refused_not_queued(tmp_path: Path) -> None:
    # At cost 13 each sign-in's hash upgrade holds its slot for half a second or more.
    with running(tmp_path, "--bcrypt-cost", "13", "--max-concurrent-rpcs", "2") as (
        server,
        client,
    ):
        user = UserFactory(server)()
        calls = 4
        start = threading.Barrier(calls)

        def sign_in(_: int) -> object:
            start.wait()
            return client.outcome("SignIn", pb.SignInRequest(email=user.email, password=PASSWORD))

        with ThreadPoolExecutor(max_workers=calls) as pool:
            results = list(pool.map(sign_in, range(calls)))

        signed_in = [r for r in results if isinstance(r, pb.SignInResponse)]
        refused = [r for r in results if isinstance(r, Refusal)]
        assert 1 <= len(signed_in) <= 2, results
        assert len(refused) == calls - len(signed_in)
        assert {r.code for r in refused} == {grpc.StatusCode.RESOURCE_EXHAUSTED}
        # Once the slots are free again, calls are admitted.
        verify = client.refuse("VerifySession", pb.VerifySessionRequest(session_token="pgs_x"))
        assert verify.reason == "SESSION_INVALID"


def test_a_request_above_the_message_limit_is_refused_and_the_server_keeps_serving(
    client: Client, make_user: UserFactory
) -> None:
    user = make_user()
    huge = client.refuse("SignIn", pb.SignInRequest(email=user.email, password="P" * (1 << 20)))
    assert huge.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert client.sign_in(user.email, PASSWORD).user_id == user.user_id


def test_metadata_above_the_limit_is_refused_and_the_server_keeps_serving(
    client: Client, make_user: UserFactory
) -> None:
    user = make_user()
    request = pb.SignInRequest(email=user.email, password=PASSWORD)
    refusal = client.refuse(
        "SignIn", request, metadata=[*client.metadata(), ("x-padding", "p" * (64 * 1024))]
    )
    assert refusal.code in (grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.INVALID_ARGUMENT)
    assert client.sign_in(user.email, PASSWORD).user_id == user.user_id


@pytest.mark.parametrize(
    "method",
    ["SignIn", "ChangePassword", "RequestReset", "SubmitReset", "SignOut", "VerifySession"],
)
def test_unparseable_request_bytes_are_invalid_argument(
    shared_channel: grpc.Channel, client: Client, method: str
) -> None:
    with pytest.raises(grpc.RpcError) as refused:
        raw_method(shared_channel, method)(
            b"\xff\xff\xff", metadata=client.metadata(session="pgs_" + "A" * 43), timeout=10
        )
    refusal = decode(refused.value)
    assert refusal.code == grpc.StatusCode.INVALID_ARGUMENT
    assert refusal.error_info.reason == "INVALID_REQUEST"
    assert len(refusal.violations) == 1


# --- SMTP -----------------------------------------------------------------------------


def test_reset_mail_reaches_a_real_smtp_server(tmp_path: Path) -> None:
    with smtp_server(security="none") as smtp:
        process = server_process(
            tmp_path,
            "--smtp-host", "127.0.0.1", "--smtp-port", str(smtp.port),
            "--smtp-security", "none", "--mail-from", "passgate <auth@example.com>",
            file_mailer=False,
        )  # fmt: skip
        with process, grpc.insecure_channel(process.target) as channel:
            client = Client(channel, process.api_key)
            user = UserFactory(process)()
            client.request_reset(user.email)
            deadline = time.monotonic() + 15
            while not smtp.received:
                assert time.monotonic() < deadline, "no mail reached the SMTP server"
                time.sleep(0.05)

            received = smtp.received[0]
            assert received.rcpt_tos == [user.email]
            assert received.mail_from == "auth@example.com"
            link = find_reset_link(email.message_from_bytes(received.content))
            assert link is not None
            query = parse_qs(urlsplit(link).query)
            assert query["user"] == [user.user_id]
            request = pb.SubmitResetRequest(
                user_id=user.user_id, token=query["token"][0], new_password=NEW_PASSWORD
            )
            assert client.call("SubmitReset", request) == pb.SubmitResetResponse()
            assert client.sign_in(user.email, NEW_PASSWORD).user_id == user.user_id
            assert not (tmp_path / "mail").exists()


def test_a_server_that_does_not_answer_in_time_is_ended_not_left_running(tmp_path: Path):
    """The test launcher's own promise: a start that times out ends its child."""
    server = ServerProcess(tmp_path)
    with pytest.raises(TimeoutError):
        server.start(timeout=0.05)
    assert server.process is not None
    assert server.process.poll() is not None
