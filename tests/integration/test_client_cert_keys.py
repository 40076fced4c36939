"""API keys bound to a client certificate (`apikey create --client-cert-subject`):
accepted only over mutual TLS from the certificate whose subject was recorded,
refused with CLIENT_CERTIFICATE_MISMATCH everywhere else; keys without a
subject work on every transport as before. Real servers, real mutual TLS with
certificates made in the test, one database shared by the servers in turn."""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest
import trustme
from certificates import trusting, write_client_ca, write_server_files
from cryptography import x509
from rpc_support import PASSWORD, Client, Refusal

from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.testing import ServerProcess, free_port

EMAIL = "ada@example.com"
SIGN_IN = pb.SignInRequest(email=EMAIL, password=PASSWORD)
MISMATCH = "CLIENT_CERTIFICATE_MISMATCH"


def subject_of(leaf: trustme.LeafCert) -> str:
    """The subject as grpcio reports it, and so as each call's log line shows it."""
    cert = x509.load_pem_x509_certificate(leaf.cert_chain_pems[0].bytes())
    return cert.subject.rfc4514_string()


class Setup:
    """The CAs, the client certificates, the keys and the user, in one database."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.server_ca, self.client_ca = trustme.CA(), trustme.CA()
        self.cert, self.key = write_server_files(self.server_ca, folder / "tls")
        self.client_ca_file = write_client_ca(self.client_ca, folder / "tls")
        self.billing = self.client_ca.issue_cert("billing.internal", common_name="billing.internal")
        self.reports = self.client_ca.issue_cert("reports.internal", common_name="reports.internal")
        cli = ServerProcess(folder)  # the CLI on the database the servers will use
        cli.cli("migrate")
        self.bound_key = cli.create_api_key(
            "billing", "--client-cert-subject", subject_of(self.billing)
        )
        self.free_key = cli.create_api_key("anywhere")
        cli.create_user(EMAIL, PASSWORD)
        self.listed = [
            json.loads(line) for line in cli.cli("apikey", "list", "--json").stdout.splitlines()
        ]

    def server(self, *args: str, credentials: grpc.ChannelCredentials | None) -> ServerProcess:
        return ServerProcess(self.folder, extra_args=args, credentials=credentials)

    @property
    def mutual_tls(self) -> tuple[str, ...]:
        return (
            "--tls-cert", str(self.cert), "--tls-key", str(self.key),
            "--tls-client-ca", str(self.client_ca_file),
        )  # fmt: skip


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    return Setup(tmp_path)


def sign_in(target: str, credentials: grpc.ChannelCredentials | None, key: str) -> object:
    """A session token, or the decoded refusal, on a new connection."""
    with (
        grpc.secure_channel(target, credentials)
        if credentials is not None
        else grpc.insecure_channel(target)
    ) as channel:
        result = Client(channel, key).outcome("SignIn", SIGN_IN, timeout=10)
    return result if isinstance(result, Refusal) else result.session_token


def assert_mismatch(result: object, says: str, *hidden: str) -> None:
    assert isinstance(result, Refusal), result
    assert result.code == grpc.StatusCode.UNAUTHENTICATED
    info = result.error_info
    assert (info.reason, info.domain) == (MISMATCH, "passgate.dev")
    assert says in result.message
    for secret in hidden:  # neither the key nor the subject it is bound to
        assert secret not in result.text()


def test_apikey_list_shows_the_subject_a_key_is_bound_to(setup: Setup) -> None:
    by_name = {entry["name"]: entry for entry in setup.listed}
    assert by_name["billing"]["client_cert_subject"] == subject_of(setup.billing)
    assert by_name["anywhere"]["client_cert_subject"] is None


def test_a_bound_key_works_only_with_its_certificate_over_mutual_tls(setup: Setup) -> None:
    billing = trusting(setup.server_ca, setup.billing)
    reports = trusting(setup.server_ca, setup.reports)
    with setup.server(*setup.mutual_tls, credentials=billing) as server:
        token = sign_in(server.target, billing, setup.bound_key)
        assert isinstance(token, str) and token.startswith("pgs_")

        refused = sign_in(server.target, reports, setup.bound_key)
        assert_mismatch(refused, "another client certificate", setup.bound_key, "billing")

        # a key without a subject: any client certificate the CA issued
        for credentials in (billing, reports):
            assert isinstance(sign_in(server.target, credentials, setup.free_key), str)
    calls = [json.loads(line) for line in server.log_text().splitlines() if '"rpc"' in line]
    refusals = [call for call in calls if call.get("code") == "UNAUTHENTICATED"]
    assert [call["client_cert"] for call in refusals] == [subject_of(setup.reports)], refusals


def test_every_worker_holds_the_binding_under_concurrent_callers(setup: Setup) -> None:
    """Two worker processes, 16 callers at once, each on its own connection:
    half with the key's certificate (all served), half with another (all refused)."""
    billing = trusting(setup.server_ca, setup.billing)
    reports = trusting(setup.server_ca, setup.reports)
    args = (*setup.mutual_tls, "--workers", "2")
    with ServerProcess(
        setup.folder, extra_args=args, credentials=billing, port=free_port()
    ) as server:
        callers = [billing, reports] * 8
        with ThreadPoolExecutor(len(callers)) as pool:
            results = list(
                pool.map(lambda creds: sign_in(server.target, creds, setup.bound_key), callers)
            )
    served, refused = results[0::2], results[1::2]
    assert all(isinstance(token, str) and token.startswith("pgs_") for token in served), served
    for result in refused:
        assert_mismatch(result, "another client certificate")
    pids = {
        json.loads(line)["pid"]
        for line in server.log_text().splitlines()
        if '"msg":"serving"' in line
    }
    assert len(pids) == 2


def test_a_bound_key_is_refused_without_a_client_certificate(setup: Setup) -> None:
    """A TLS server without --tls-client-ca accepts clients without a certificate."""
    one_way = trusting(setup.server_ca)
    args = ("--tls-cert", str(setup.cert), "--tls-key", str(setup.key))
    with setup.server(*args, credentials=one_way) as server:
        refused = sign_in(server.target, one_way, setup.bound_key)
        assert_mismatch(refused, "came without one", setup.bound_key, "billing")
        # even presenting the certificate: a server that asks for none never verifies it
        presenting = trusting(setup.server_ca, setup.billing)
        assert_mismatch(sign_in(server.target, presenting, setup.bound_key), "came without one")
        assert isinstance(sign_in(server.target, one_way, setup.free_key), str)


def test_a_plain_text_server_refuses_bound_keys_and_serves_the_others(setup: Setup) -> None:
    with setup.server(credentials=None) as server:
        assert_mismatch(sign_in(server.target, None, setup.bound_key), "came without one")
        assert isinstance(sign_in(server.target, None, setup.free_key), str)


@pytest.mark.parametrize(
    "subject",
    ["", "billing.internal", "CN=", " CN=billing.internal", "CN=a\nO=b", "CN=" + "x" * 2000],
)
def test_a_malformed_subject_is_one_line(tmp_path: Path, subject: str) -> None:
    cli = ServerProcess(tmp_path)
    cli.cli("migrate")
    refused = cli.cli(
        "apikey", "create", "--name", "bad", "--client-cert-subject", subject, check=False
    )
    assert refused.returncode == 2
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "--client-cert-subject" in lines[0], refused.stderr
    assert "CN=billing.internal" in lines[0]  # what a valid one looks like
    assert refused.stdout == ""
    assert "bad" not in cli.cli("apikey", "list").stdout  # nothing was made


def openssl_client_cert(ca: trustme.CA, folder: Path, subj: str) -> tuple[bytes, bytes]:
    """A client certificate and key made the way an operator makes them, with
    `openssl req -subj` signed by `ca`: the subject's parts in the order given."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_cert, ca_key = folder / "ca.pem", folder / "ca.key"
    ca.cert_pem.write_to_path(str(ca_cert))
    ca.private_key_pem.write_to_path(str(ca_key))
    key, request, cert = folder / "client.key", folder / "client.csr", folder / "client.pem"
    for argv in (
        ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-subj", subj, "-keyout", str(key), "-out", str(request)],
        ["x509", "-req", "-in", str(request), "-CA", str(ca_cert), "-CAkey", str(ca_key),
         "-CAcreateserial", "-days", "1", "-out", str(cert)],
    ):  # fmt: skip
        subprocess.run(["openssl", *argv], check=True, capture_output=True, timeout=30)
    return cert.read_bytes(), key.read_bytes()


def test_a_subject_of_several_parts_binds_in_either_order_and_every_part_counts(
    setup: Setup,
) -> None:
    """`openssl x509 -subject` shows `CN = billing.internal, O = Example`;
    grpcio (and so the log line) shows `O=Example,CN=billing.internal`, RFC 4514
    order. A key made with either is bound to that certificate; a subject with
    a part missing, added or changed is not."""
    cert, key = openssl_client_cert(
        setup.client_ca, setup.folder / "openssl", "/CN=billing.internal/O=Example"
    )
    shown = subprocess.run(
        ["openssl", "x509", "-noout", "-subject", "-nameopt", "RFC2253"],
        input=cert, capture_output=True, check=True, timeout=30,
    ).stdout.decode()  # fmt: skip
    assert shown.strip() == "subject=O=Example,CN=billing.internal", shown
    cli = ServerProcess(setup.folder)
    keys = {
        subject: cli.create_api_key(f"billing-{i}", "--client-cert-subject", subject)
        for i, subject in enumerate(
            (
                "CN=billing.internal,O=Example",  # as the README and openssl write it
                "O=Example,CN=billing.internal",  # as the log line shows it
                "CN=billing.internal",  # a part missing
                "CN=billing.internal,O=Example,OU=Ops",  # a part added
                "CN=billing.internal,O=Other",  # a part changed
                "CN=billing.internal+O=Example",  # the parts as one multi-valued RDN
            )
        )
    }
    credentials = grpc.ssl_channel_credentials(
        root_certificates=setup.server_ca.cert_pem.bytes(),
        private_key=key,
        certificate_chain=cert,
    )
    with setup.server(*setup.mutual_tls, credentials=credentials) as server:
        results = {subject: sign_in(server.target, credentials, k) for subject, k in keys.items()}
    served = {subject for subject, result in results.items() if isinstance(result, str)}
    assert served == {"CN=billing.internal,O=Example", "O=Example,CN=billing.internal"}, results
    for subject in keys.keys() - served:
        assert_mismatch(results[subject], "another client certificate")
    calls = [json.loads(line) for line in server.log_text().splitlines() if '"rpc"' in line]
    assert {call["client_cert"] for call in calls} == {"O=Example,CN=billing.internal"}, calls
