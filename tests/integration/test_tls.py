"""TLS on the gRPC port, with certificates made for each test: only clients
that trust the server's CA get in; with mutual TLS only clients holding a
certificate from the configured CA; a certificate rotated on disk is served
to the next connection without a restart, a bad one is not, and SIGHUP
re-reads the files at once, in every worker, even where the change detection
cannot see the rotation; grpcurl works over mutual TLS as the README says
(reflection, health, AuthService, WatchEvents); plain text beyond loopback
needs --insecure."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
import trustme
from certificates import trusting, write_client_ca, write_server_files
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpcurl_tool import grpcurl_folder
from server_support import wait_for_lines

from passgate.testing import ServerProcess, free_port

SERVING = health_pb2.HealthCheckResponse.SERVING


def health(target: str, credentials: grpc.ChannelCredentials | None) -> object:
    """SERVING, or the code the check was refused with, on a new connection."""
    with (
        grpc.secure_channel(target, credentials)
        if credentials is not None
        else grpc.insecure_channel(target)
    ) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=3
            )
        except grpc.RpcError as error:
            return error.code()
        return reply.status


def test_only_clients_that_trust_the_servers_ca_get_in(tmp_path: Path):
    ca, stranger = trustme.CA(), trustme.CA()
    cert, key = write_server_files(ca, tmp_path / "tls")
    args = ("--tls-cert", str(cert), "--tls-key", str(key))
    with ServerProcess(tmp_path, extra_args=args, credentials=trusting(ca)) as server:
        assert health(server.target, trusting(ca)) == SERVING
        assert health(server.target, trusting(stranger)) == grpc.StatusCode.UNAVAILABLE
        assert health(server.target, None) == grpc.StatusCode.UNAVAILABLE  # plain text


def test_mutual_tls_refuses_clients_without_a_certificate_from_the_client_ca(tmp_path: Path):
    ca, clients, stranger = trustme.CA(), trustme.CA(), trustme.CA()
    cert, key = write_server_files(ca, tmp_path / "tls")
    client_ca = write_client_ca(clients, tmp_path / "tls")
    billing = clients.issue_cert("billing.internal", common_name="billing.internal")
    args = ("--tls-cert", str(cert), "--tls-key", str(key), "--tls-client-ca", str(client_ca))
    with ServerProcess(tmp_path, extra_args=args, credentials=trusting(ca, billing)) as server:
        assert health(server.target, trusting(ca, billing)) == SERVING
        assert health(server.target, trusting(ca)) == grpc.StatusCode.UNAVAILABLE
        forged = stranger.issue_cert("billing.internal")
        assert health(server.target, trusting(ca, forged)) == grpc.StatusCode.UNAVAILABLE
    # each call's log line says which client certificate it came with
    calls = [json.loads(line) for line in server.log_text().splitlines() if '"rpc"' in line]
    assert calls and all("CN=billing.internal" in call["client_cert"] for call in calls), calls


def grpcurl_over_mutual_tls(
    folder: Path, ca: trustme.CA, client: trustme.LeafCert, *args: str, max_time: float = 30
) -> subprocess.CompletedProcess[str]:
    """Real grpcurl trusting `ca` and presenting `client`, as the README has an
    operator call it: `-cacert ca.pem -cert cli.pem -key cli.key`."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_file, cert, key = folder / "ca.pem", folder / "cli.pem", folder / "cli.key"
    ca.cert_pem.write_to_path(str(ca_file))
    client.cert_chain_pems[0].write_to_path(str(cert))
    client.private_key_pem.write_to_path(str(key))
    tls = ("-cacert", str(ca_file), "-cert", str(cert), "-key", str(key))
    return subprocess.run(
        [str(grpcurl_folder() / "grpcurl"), *tls, "-max-time", str(max_time), *args],
        capture_output=True,
        text=True,
        timeout=max_time + 30,
        check=False,
    )


def test_grpcurl_lists_describes_checks_and_calls_over_mutual_tls(tmp_path: Path):
    """Reflection is a bidirectional stream: with mutual TLS it must be served
    as it is with one-way TLS, not refused UNIMPLEMENTED."""
    ca, clients = trustme.CA(), trustme.CA()
    cert, key = write_server_files(ca, tmp_path / "tls")
    client_ca = write_client_ca(clients, tmp_path / "tls")
    billing = clients.issue_cert("billing.internal", common_name="billing.internal")
    cli = ServerProcess(tmp_path)  # the CLI on the database the server will use
    cli.cli("migrate")
    key_for_calls = cli.create_api_key("grpcurl")
    admin_key = cli.create_api_key("watcher", "--scopes", "admin")
    cli.create_user("ada@example.com", "Correct-Horse-9-battery")
    args = ("--tls-cert", str(cert), "--tls-key", str(key), "--tls-client-ca", str(client_ca))
    with ServerProcess(tmp_path, extra_args=args, credentials=trusting(ca, billing)) as server:

        def grpcurl(*args: str, max_time: float = 30) -> subprocess.CompletedProcess[str]:
            return grpcurl_over_mutual_tls(
                tmp_path / "grpcurl", ca, billing, *args, max_time=max_time
            )

        listed = grpcurl(server.target, "list")
        assert listed.returncode == 0, listed.stderr
        assert {
            "passgate.auth.v1.AuthService",
            "passgate.admin.v1.AdminService",
            "grpc.health.v1.Health",
        } <= set(listed.stdout.split()), listed.stdout

        described = grpcurl(server.target, "describe", "passgate.auth.v1.AuthService.SignIn")
        assert described.returncode == 0, described.stderr
        assert "rpc SignIn" in described.stdout, described.stdout

        checked = grpcurl(server.target, "grpc.health.v1.Health/Check")
        assert checked.returncode == 0, checked.stderr
        assert '"status": "SERVING"' in checked.stdout, checked.stdout

        signed_in = grpcurl(
            "-H", f"x-api-key: {key_for_calls}",
            "-d", '{"email": "ada@example.com", "password": "Correct-Horse-9-battery"}',
            server.target, "passgate.auth.v1.AuthService/SignIn",
        )  # fmt: skip
        assert signed_in.returncode == 0, signed_in.stderr
        assert '"sessionToken": "pgs_' in signed_in.stdout, signed_in.stdout

        # the server-streaming call: the sign-in's event, then the stream stays
        # open until grpcurl's own deadline ends it
        watched = grpcurl(
            "-H", f"x-api-key: {admin_key}", "-d", '{"types": ["sign_in.succeeded"]}',
            server.target, "passgate.admin.v1.AdminService/WatchEvents",
            max_time=3,
        )  # fmt: skip
        assert '"type": "sign_in.succeeded"' in watched.stdout, watched.stderr
        assert "DeadlineExceeded" in watched.stderr, watched.stderr
    calls = [json.loads(line) for line in server.log_text().splitlines() if '"rpc"' in line]
    assert {"UNIMPLEMENTED"}.isdisjoint(call["code"] for call in calls), calls


def test_a_rotated_certificate_is_served_to_the_next_connection_without_a_restart(
    tmp_path: Path,
):
    old_ca, new_ca = trustme.CA(), trustme.CA()
    cert, key = write_server_files(old_ca, tmp_path / "tls")
    args = ("--tls-cert", str(cert), "--tls-key", str(key))
    with ServerProcess(tmp_path, extra_args=args, credentials=trusting(old_ca)) as server:
        assert server.process is not None
        pid = server.process.pid
        with grpc.secure_channel(server.target, trusting(old_ca)) as kept:
            checks = health_pb2_grpc.HealthStub(kept)
            assert checks.Check(health_pb2.HealthCheckRequest(), timeout=3).status == SERVING

            # A file that is not a certificate is not served: the old pair stays.
            cert.write_text("not a certificate\n")
            assert health(server.target, trusting(old_ca)) == SERVING
            assert "the new TLS certificate is not used" in server.log_text()

            # The new pair, written one file after the other as a rotation does.
            time.sleep(0.01)  # a new modification time on coarse clocks
            write_server_files(new_ca, tmp_path / "tls")
            assert health(server.target, trusting(new_ca)) == SERVING
            assert health(server.target, trusting(old_ca)) == grpc.StatusCode.UNAVAILABLE
            # the connection made before the rotation is not dropped
            assert checks.Check(health_pb2.HealthCheckRequest(), timeout=3).status == SERVING
        assert server.process.pid == pid and server.process.poll() is None


def test_a_certificate_near_its_end_is_told_and_an_expired_one_never_served(tmp_path: Path):
    """Clients refuse an expired certificate with an error that points at them, not
    at the server: the server says when its certificate is near its end, and keeps
    the one it has rather than take an expired one from a rotation."""
    ca = trustme.CA()
    now = datetime.now(UTC)
    cert, key = write_server_files(
        ca, tmp_path / "tls", valid=(now - timedelta(days=80), now + timedelta(days=3))
    )
    args = ("--tls-cert", str(cert), "--tls-key", str(key))
    with ServerProcess(tmp_path, extra_args=args, credentials=trusting(ca)) as server:
        (line,) = wait_for_lines(server, "TLS certificate expires", 1)
        assert line["level"] == "warning"
        assert "in 2 days" in str(line["msg"]), line

        assert server.process is not None
        expired = (now - timedelta(days=90), now - timedelta(minutes=1))
        write_server_files(trustme.CA(), tmp_path / "tls", valid=expired)
        server.process.send_signal(signal.SIGHUP)
        wait_for_lines(server, "the new TLS certificate is not used", 1)
        assert "expired at" in server.log_text()
        assert health(server.target, trusting(ca)) == SERVING


# What the change detection compares (inode, size, modification time) stays
# the same when a file is rewritten in place to the same padded size.
PADDED_SIZE = 8192


def pad(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data + b"\n" * (PADDED_SIZE - len(data)))


def write_unseen(path: Path, data: bytes) -> None:
    """Rewrites `path` in place, its inode, size and modification time kept."""
    before = path.stat()
    with path.open("r+b") as file:
        file.write(data + b"\n" * (before.st_size - len(data)))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )


def rotate_unseen(ca: trustme.CA, cert: Path, key: Path) -> None:
    issued = ca.issue_cert("127.0.0.1", "localhost")
    write_unseen(cert, issued.cert_chain_pems[0].bytes())
    write_unseen(key, issued.private_key_pem.bytes())


def padded_server_files(ca: trustme.CA, folder: Path) -> tuple[Path, Path]:
    cert, key = write_server_files(ca, folder)
    pad(cert)
    pad(key)
    return cert, key


def test_sighup_rereads_a_rotation_the_change_detection_cannot_see(tmp_path: Path):
    old_ca, new_ca = trustme.CA(), trustme.CA()
    cert, key = padded_server_files(old_ca, tmp_path / "tls")
    args = ("--tls-cert", str(cert), "--tls-key", str(key))
    with ServerProcess(tmp_path, extra_args=args, credentials=trusting(old_ca)) as server:
        assert server.process is not None
        pid = server.process.pid
        with grpc.secure_channel(server.target, trusting(old_ca)) as kept:
            checks = health_pb2_grpc.HealthStub(kept)
            assert checks.Check(health_pb2.HealthCheckRequest(), timeout=3).status == SERVING

            # Not a certificate: SIGHUP logs why and keeps serving the old pair.
            write_unseen(cert, b"not a certificate\n")
            os.kill(pid, signal.SIGHUP)
            (refused,) = wait_for_lines(server, "the new TLS certificate is not used", 1)
            assert "holds no PEM certificate" in str(refused["msg"])
            assert health(server.target, trusting(old_ca)) == SERVING

            rotate_unseen(new_ca, cert, key)
            # unseen by the change detection: the old certificate is still served
            assert health(server.target, trusting(old_ca)) == SERVING
            assert health(server.target, trusting(new_ca)) == grpc.StatusCode.UNAVAILABLE

            os.kill(pid, signal.SIGHUP)
            wait_for_lines(server, "TLS certificate reloaded", 1)
            assert health(server.target, trusting(new_ca)) == SERVING
            assert health(server.target, trusting(old_ca)) == grpc.StatusCode.UNAVAILABLE
            # the connection made before the rotation is not dropped
            assert checks.Check(health_pb2.HealthCheckRequest(), timeout=3).status == SERVING
        assert server.process.pid == pid and server.process.poll() is None
    assert "Traceback" not in server.log_text()


def test_the_supervisor_passes_sighup_to_every_worker(tmp_path: Path):
    old_ca, new_ca = trustme.CA(), trustme.CA()
    cert, key = padded_server_files(old_ca, tmp_path / "tls")
    args = ("--tls-cert", str(cert), "--tls-key", str(key), "--workers", "2")
    with ServerProcess(
        tmp_path, extra_args=args, credentials=trusting(old_ca), port=free_port()
    ) as server:
        assert server.process is not None
        serving = wait_for_lines(server, '"msg":"serving"', 2)
        workers = {line["pid"] for line in serving}
        assert len(workers) == 2

        rotate_unseen(new_ca, cert, key)
        os.kill(server.process.pid, signal.SIGHUP)
        reloaded = wait_for_lines(server, "TLS certificate reloaded", 2)
        assert {line["pid"] for line in reloaded} == workers
        # new connections, spread over both workers by the kernel: all get the new pair
        for _ in range(6):
            assert health(server.target, trusting(new_ca)) == SERVING
        assert health(server.target, trusting(old_ca)) == grpc.StatusCode.UNAVAILABLE
        assert server.process.poll() is None
    assert server.process.returncode == 0


def serve(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`passgate serve` that must stop at its checks, before serving; on a
    free port unless told another, so a server on the default port does not
    answer for the files."""
    listen = () if "--listen" in args else ("--listen", f"127.0.0.1:{free_port()}")
    return subprocess.run(
        [sys.executable, "-m", "passgate.cli", "serve", *listen, *args],
        check=False,
        cwd=tmp_path,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_plain_text_beyond_loopback_needs_insecure(tmp_path: Path):
    port = free_port()
    refused = serve(tmp_path, "--listen", f"0.0.0.0:{port}")
    assert refused.returncode != 0
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1, refused.stderr
    assert "--insecure" in lines[0] and "--tls-cert" in lines[0]
    assert "Traceback" not in refused.stderr

    with ServerProcess(
        tmp_path / "open", extra_args=("--insecure",), host="0.0.0.0", port=port
    ) as server:
        assert health(f"127.0.0.1:{server.port}", None) == SERVING


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--tls-cert", "{cert}"), "--tls-cert and --tls-key go together"),
        (("--tls-client-ca", "{cert}"), "--tls-client-ca (mutual TLS) needs --tls-cert"),
        (("--tls-cert", "{key}", "--tls-key", "{key}"), "holds no PEM certificate"),
        (
            ("--tls-cert", "{cert}", "--tls-key", "{other_key}"),
            "does not belong to the certificate",
        ),
        # each file's problem is blamed on the setting that names it
        (
            ("--tls-cert", "{missing}", "--tls-key", "{key}"),
            "--tls-cert '{missing}' (command line): cannot read {missing}",
        ),
        (
            ("--tls-cert", "{cert}", "--tls-key", "{cert}"),
            "--tls-key '{cert}' (command line): {cert} holds no unencrypted PEM private key",
        ),
        (
            ("--tls-cert", "{cert}", "--tls-key", "{missing}"),
            "--tls-key '{missing}' (command line): cannot read {missing}",
        ),
        (
            ("--tls-cert", "{cert}", "--tls-key", "{key}", "--tls-client-ca", "{garbage}"),
            "--tls-client-ca '{garbage}' (command line): {garbage} holds no PEM certificate",
        ),
        (
            ("--tls-cert", "{cert}", "--tls-key", "{key}", "--tls-client-ca", "{missing}"),
            "--tls-client-ca '{missing}' (command line): cannot read {missing}",
        ),
    ],
)
def test_tls_files_that_cannot_work_are_one_line_each(
    tmp_path: Path, args: tuple[str, ...], says: str
):
    files = tls_files(tmp_path)
    refused = serve(tmp_path, *(arg.format(**files) for arg in args))
    assert refused.returncode != 0
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and says.format(**files) in lines[0], refused.stderr
    assert json.dumps(files["key"].read_text()) not in refused.stderr


def tls_files(tmp_path: Path) -> dict[str, Path]:
    """A server's certificate and key, another key, a file that holds no
    certificate and a path where there is no file."""
    ca = trustme.CA()
    cert, key = write_server_files(ca, tmp_path / "tls")
    _, other_key = write_server_files(ca, tmp_path / "other")
    garbage = tmp_path / "tls" / "garbage.pem"
    garbage.write_text("not a certificate\n")
    missing = tmp_path / "tls" / "missing.pem"
    return {
        "cert": cert,
        "key": key,
        "other_key": other_key,
        "garbage": garbage,
        "missing": missing,
    }


def test_a_bad_client_ca_from_the_environment_names_that_variable(tmp_path: Path):
    files = tls_files(tmp_path)
    refused = serve(
        tmp_path,
        "--tls-cert", str(files["cert"]), "--tls-key", str(files["key"]),
        env={"PASSGATE_TLS_CLIENT_CA": str(files["garbage"])},
    )  # fmt: skip
    assert refused.returncode == 2
    lines = refused.stderr.strip().splitlines()
    garbage = files["garbage"]
    says = f"PASSGATE_TLS_CLIENT_CA='{garbage}' (environment): {garbage} holds no PEM certificate"
    assert len(lines) == 1 and says in lines[0], refused.stderr
    assert "--tls-cert" not in lines[0]
