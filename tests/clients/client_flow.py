"""Drives the clients' example programs, `flow` (Go, TypeScript, Java) and
`admin` (all four languages), against a live server and checks what they print.

Each language's example is the program its README shows: it signs in (once
with a wrong password), changes the password (once with a weak one), requests
a reset, takes the reset link from `passgate mail last` (run from the
client's folder, `../../.venv/bin/passgate` unless told otherwise), submits
the reset and signs in with the new password, printing one JSON line per step. Calls that passgate
refuses with RESOURCE_EXHAUSTED are retried after RetryInfo's delay, and
print a `backoff` event.

The `admin` example creates a user through AdminService with a key that has
the admin scope, signs them in twice, lists their sessions, revokes the first
and shows it refused while the second still works, one JSON line per step.

Over TLS the example trusts the CA in `--ca-cert` and, for mutual TLS,
presents `--client-cert` and `--client-key`: `check_mutual_tls` runs it so.
"""

from __future__ import annotations

import json
import os
import queue
import re
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import grpc
import trustme
from cryptography.hazmat.primitives import serialization

from passgate.admin.v1 import admin_service_pb2 as admin_pb
from passgate.admin.v1.admin_service_pb2_grpc import AdminServiceStub
from passgate.testing import ServerProcess

ROOT = Path(__file__).resolve().parents[2]

PASSWORD = "Correct-Horse-9-battery"
NEW_PASSWORD = "Another#Strong-Pass-42"
RESET_PASSWORD = "Third$Strong-Pass-77"

STEPS = [
    "sign_in_wrong_password",
    "sign_in",
    "change_password_weak",
    "change_password",
    "old_session_revoked",
    "sign_out",
    "request_reset",
    "submit_reset",
    "sign_in_after_reset",
]

# A budget per API key that the flow's ten calls overrun several times.
TIGHT_KEY_RATE = "3/1s"


@dataclass
class FlowRun:
    user_id: str
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    backoffs: list[dict[str, Any]] = field(default_factory=list)
    stderr: str = ""
    returncode: int | None = None


def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def _next_line(lines: queue.Queue[str | None], deadline: float, label: str) -> str | None:
    try:
        return lines.get(timeout=max(0.0, deadline - time.monotonic()))
    except queue.Empty:
        raise TimeoutError(f"{label} example still running after its deadline") from None


def _drain(lines: queue.Queue[str | None], timeout: float = 5.0) -> str:
    text = []
    try:
        while (line := lines.get(timeout=timeout)) is not None:
            text.append(line)
    except queue.Empty:
        pass
    return "".join(text)


def run_flow(
    command: list[str],
    server: ServerProcess,
    *,
    cwd: Path,
    label: str,
    passgate: Path | None = None,
    flags: tuple[str, ...] = (),
    check: bool = True,
    timeout: float = 120.0,
    api_key: str | None = None,
) -> FlowRun:
    """Runs the example from `cwd` against `server` for a fresh user (as its
    README does) and collects its JSON lines. `flags` go after the usual ones
    (the TLS files); with `check=False` a non-zero exit is returned, not raised.
    `api_key`: the key it calls with (the server's own by default)."""
    email = f"{label}-{uuid.uuid4().hex[:12]}@example.com"
    run = FlowRun(user_id=server.create_user(email=email, password=PASSWORD))
    args = [
        "--target",
        server.target,
        "--email",
        email,
        "--password",
        PASSWORD,
        "--new-password",
        NEW_PASSWORD,
        "--reset-password",
        RESET_PASSWORD,
        "--mail-dir",
        str(server.mail_dir),
        *(["--passgate", str(passgate)] if passgate is not None else []),
        *flags,
    ]
    key = server.api_key if api_key is None else api_key
    _collect(run, [*command, *args], cwd=cwd, api_key=key, label=label, timeout=timeout)
    assert run.returncode == 0 or not check, f"{label} flow exited {run.returncode}:\n{run.stderr}"
    return run


def _collect(
    run: FlowRun, argv: list[str], *, cwd: Path, api_key: str, label: str, timeout: float
) -> None:
    """Runs `argv` with `api_key` in PASSGATE_API_KEY and records in `run`
    each JSON line it prints (a `step`, or an `event` such as a backoff),
    what it wrote to stderr and its exit code."""
    with subprocess.Popen(
        argv,
        cwd=cwd,
        env={**os.environ, "PASSGATE_API_KEY": api_key},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        lines: queue.Queue[str | None] = queue.Queue()
        errors: queue.Queue[str | None] = queue.Queue()
        pumps = [
            threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True),
            threading.Thread(target=_pump, args=(process.stderr, errors), daemon=True),
        ]
        for pump in pumps:
            pump.start()
        deadline = time.monotonic() + timeout
        try:
            while (line := _next_line(lines, deadline, label)) is not None:
                try:
                    event = json.loads(line)
                except json.JSONDecodeError:
                    raise AssertionError(f"{label} example printed non-JSON: {line!r}") from None
                if "event" in event:
                    run.backoffs.append(event)
                    continue
                run.steps[event["step"]] = event
                run.order.append(event["step"])
            run.returncode = process.wait(timeout=max(1.0, deadline - time.monotonic()))
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            for pump in pumps:
                pump.join(timeout=5)
            run.stderr = _drain(errors)


def check_flow(run: FlowRun) -> None:
    """What every client's flow must have shown, whatever its language."""
    assert run.order == STEPS, run.stderr
    unauthenticated = grpc.StatusCode.UNAUTHENTICATED.value[0]

    wrong = run.steps["sign_in_wrong_password"]
    assert wrong["code"] == unauthenticated
    assert wrong["reason"] == "INVALID_CREDENTIALS"
    assert wrong["domain"] == "passgate.dev"
    assert wrong["violations"] == []

    assert run.steps["sign_in"]["user_id"] == run.user_id
    assert run.steps["sign_in"]["expires_at"]

    weak = run.steps["change_password_weak"]
    assert weak["code"] == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert weak["domain"] == "passgate.dev"
    broken = {(v["field"], v["reason"]) for v in weak["violations"]}
    assert ("new_password", "PASSWORD_TOO_SHORT") in broken, weak
    assert ("new_password", "PASSWORD_MISSING_CHARACTER_CLASS") in broken, weak
    assert all(v["description"] for v in weak["violations"]), weak

    revoked = run.steps["old_session_revoked"]
    assert revoked["code"] == unauthenticated
    assert revoked["reason"] == "SESSION_INVALID"

    assert run.steps["submit_reset"]["user_id"] == run.user_id
    assert run.steps["sign_in_after_reset"]["user_id"] == run.user_id


def check_backoff(run: FlowRun) -> None:
    """Against a tight key budget the flow waited as RetryInfo said, and still finished."""
    check_flow(run)
    assert run.backoffs, "the flow never met RESOURCE_EXHAUSTED"
    for event in run.backoffs:
        assert event["reason"] == "RATE_LIMITED", event
        assert 0 < event["delay_ms"] <= 5000, event


def throttled_server(workdir: Path) -> ServerProcess:
    """A server whose API keys get `TIGHT_KEY_RATE`."""
    return ServerProcess(workdir, env={"PASSGATE_KEY_RATE": TIGHT_KEY_RATE})


ADMIN_STEPS = [
    "create_user",
    "sign_in_first",
    "sign_in_second",
    "list_sessions",
    "revoke_session",
    "revoked_session_refused",
    "other_session_live",
]

# What the admin examples' comments tell the reader to create.
ADMIN_SCOPES = "admin,SignIn,VerifySession"


def admin_key(server: ServerProcess, scopes: str = ADMIN_SCOPES) -> str:
    """A key made as the admin examples' comments say, on `server`'s database."""
    return server.create_api_key(f"admin-example-{uuid.uuid4().hex[:8]}", "--scopes", scopes)


def run_admin(
    command: list[str],
    server: ServerProcess,
    api_key: str,
    *,
    cwd: Path,
    label: str,
    check: bool = True,
    timeout: float = 120.0,
) -> FlowRun:
    """Runs the admin example from `cwd` for a new e-mail address with
    `api_key` and collects its JSON lines; `user_id` is the id it printed."""
    email = f"{label}-admin-{uuid.uuid4().hex[:12]}@example.com"
    run = FlowRun(user_id="")
    argv = [*command, "--target", server.target, "--email", email, "--password", PASSWORD]
    _collect(run, argv, cwd=cwd, api_key=api_key, label=label, timeout=timeout)
    assert run.returncode == 0 or not check, f"{label} admin exited {run.returncode}:\n{run.stderr}"
    run.user_id = run.steps.get("create_user", {}).get("user_id", "")
    return run


def check_admin(run: FlowRun, server: ServerProcess, api_key: str) -> None:
    """What every client's admin example must have shown, whatever its
    language, and what the server holds afterwards: the user it created
    has one live session, the one it did not revoke."""
    assert run.order == ADMIN_STEPS, run.stderr
    user_id = run.user_id
    assert user_id, run.steps["create_user"]
    first = run.steps["sign_in_first"]["session_id"]
    assert first
    assert run.steps["sign_in_second"]["user_id"] == user_id

    listed = run.steps["list_sessions"]["sessions"]
    assert len(listed) == 2, listed
    ids = [session["session_id"] for session in listed]
    # Newest first: the second sign-in's session, then the first's.
    assert ids[1] == first and ids[0] != first, listed
    created = [datetime.fromisoformat(session["created_at"]) for session in listed]
    assert created[0] >= created[1], listed
    for session in listed:
        assert datetime.fromisoformat(session["last_used_at"]) >= datetime.fromisoformat(
            session["created_at"]
        ), session
        assert "127.0.0.1" in session["peer"], session

    assert run.steps["revoke_session"]["session_id"] == first
    refused = run.steps["revoked_session_refused"]
    assert refused["code"] == grpc.StatusCode.UNAUTHENTICATED.value[0]
    assert refused["reason"] == "SESSION_INVALID"
    assert run.steps["other_session_live"]["user_id"] == user_id

    with grpc.insecure_channel(server.target) as channel:
        left = AdminServiceStub(channel).ListUserSessions(
            admin_pb.ListUserSessionsRequest(user_id=user_id),
            metadata=(("x-api-key", api_key),),
            timeout=10,
        )
    assert [session.session_id for session in left.sessions] == [ids[0]]


def check_admin_refused(run: FlowRun) -> None:
    """With a key that lacks the admin scope the example stops at its first
    call, prints no step and says why on one line (no stack trace): the
    code and the reason, API_KEY_SCOPE."""
    _stopped_on_one_line(run, [], "PERMISSION_DENIED", "API_KEY_SCOPE")


def key_that_may_not_sign_in(server: ServerProcess) -> str:
    """A key of `server`'s that may verify sessions but not sign in."""
    return server.create_api_key(f"no-sign-in-{uuid.uuid4().hex[:8]}", "--scopes", "VerifySession")


def check_flow_refused(run: FlowRun) -> None:
    """With a key that may not sign in, the flow's first call (a wrong
    password, to be refused as INVALID_CREDENTIALS) is refused for the key:
    the example prints no step and stops with one line that says why (no
    stack trace): the code and the reason, API_KEY_SCOPE."""
    _stopped_on_one_line(run, [], "PERMISSION_DENIED", "API_KEY_SCOPE")


# An API key that no server knows.
BOGUS_API_KEY = "pgk_bogus"


def check_flow_bad_key(run: FlowRun) -> None:
    """With a key passgate does not know, the flow's first call is refused
    for the key, not for the wrong password it expects: the example prints no
    step and stops with one line, UNAUTHENTICATED and API_KEY_INVALID."""
    _stopped_on_one_line(run, [], "UNAUTHENTICATED", "API_KEY_INVALID")


def unused_port() -> int:
    """A port of 127.0.0.1, in 47500-47599, that nothing listens on."""
    for port in range(47500, 47600):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("every port in 47500-47599 is taken")


def run_flow_unreachable(command: list[str], *, cwd: Path, label: str) -> tuple[FlowRun, str]:
    """Runs the flow example from `cwd` against an address where no server
    listens: what it printed, and that address."""
    target = f"127.0.0.1:{unused_port()}"
    run = FlowRun(user_id="")
    argv = [
        *command,
        "--target", target,
        "--email", f"{label}-{uuid.uuid4().hex[:12]}@example.com",
        "--password", PASSWORD,
        "--new-password", NEW_PASSWORD,
        "--reset-password", RESET_PASSWORD,
    ]  # fmt: skip
    _collect(run, argv, cwd=cwd, api_key="pgk_unused", label=label, timeout=60.0)
    return run, target


def check_unreachable(run: FlowRun, target: str) -> None:
    """With no server at `target` the flow stops at its first call with one
    line that names the address and says the connection was refused."""
    _stopped_on_one_line(run, [], "UNAVAILABLE")
    assert target in run.stderr, run.stderr
    assert re.search(r"conn(ection)?\s*refused|ECONNREFUSED", run.stderr, re.I), run.stderr


# A program that is not there, for the flow's --passgate: the step that reads the
# reset mail through it fails, though passgate refused nothing.
MISSING_PROGRAM = "/nonexistent/bin/passgate"

# How a stack trace starts a line in each language: Python's header, Node's and
# Java's frames, Java's uncaught header, a Go panic.
_STACK_TRACE = re.compile(r"^(Traceback|\s+at |Exception in thread|panic:|goroutine )", re.M)


def check_flow_without_its_mail_command(run: FlowRun) -> None:
    """With --passgate naming no program, the flow takes every step up to the reset
    request, then stops with one line naming the program it could not run: no
    stack trace, although the failure is not a refused call."""
    assert run.returncode not in (0, None), run.order
    assert run.order == STEPS[: STEPS.index("request_reset") + 1], run.order
    assert not _STACK_TRACE.search(run.stderr), run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert MISSING_PROGRAM in run.stderr, run.stderr


def check_unknown_flag(command: list[str], *, cwd: Path) -> None:
    """An example given a flag it does not know exits 2 naming the flag: no stack trace."""
    result = subprocess.run(
        [*command, "--no-such-flag"],
        cwd=cwd,
        env={**os.environ, "PASSGATE_API_KEY": "pgk_unused"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "no-such-flag" in result.stderr, result.stderr
    assert not _STACK_TRACE.search(result.stderr), result.stderr
    assert result.stdout == "", result.stdout


def _stopped_on_one_line(
    run: FlowRun, steps: list[str], code: str, reason: str | None = None
) -> None:
    assert run.returncode not in (0, None), run.order
    assert run.order == steps, run.order
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    # The code as each language spells it: PermissionDenied, permission_denied, ...
    spelled = re.sub(r"[\s_]", "", run.stderr).upper()
    assert code.replace("_", "") in spelled, run.stderr
    assert reason is None or reason in run.stderr, run.stderr
    # Code, then the reason if there is one, then the message: no " : " where
    # a reason is missing.
    assert not re.search(r"\s:", run.stderr), run.stderr


def check_readme_excerpts(readme: Path, examples: Path | Sequence[Path], language: str) -> None:
    """Every ```<language> block of the README is cut from one of the example
    programs: its lines (a `// ...` line skips some) appear there in order, so
    the README shows code that the tests compile or run."""
    programs = [examples] if isinstance(examples, Path) else list(examples)
    blocks = re.findall(rf"^```{language}\n(.*?)^```", readme.read_text(), re.M | re.S)
    assert blocks, f"{readme} shows no {language} code"
    names = ", ".join(str(p.relative_to(readme.parent)) for p in programs)
    for block in blocks:
        assert any(_cut_from(block, program) for program in programs), (
            f"{readme.name}: not in {names}:\n{block}"
        )


def _cut_from(block: str, example: Path) -> bool:
    source = [line.strip() for line in example.read_text().splitlines()]
    start = 0
    for chunk in re.split(r"^\s*// \.\.\.\s*$", block, flags=re.M):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        found = next(
            (
                i
                for i in range(start, len(source) - len(lines) + 1)
                if source[i : i + len(lines)] == lines
            ),
            None,
        )
        if found is None:
            return False
        start = found + len(lines)
    return True


@dataclass(frozen=True)
class ClientTLS:
    """The files a client needs for mutual TLS: the CA that signed the
    server's certificate, and a certificate of its own with its key."""

    ca_cert: Path
    client_cert: Path
    client_key: Path

    def flags(self, *, client_certificate: bool = True) -> tuple[str, ...]:
        """The example's TLS flags, the same in every language."""
        trust = ("--ca-cert", str(self.ca_cert))
        if not client_certificate:
            return trust
        return (
            *trust,
            "--client-cert",
            str(self.client_cert),
            "--client-key",
            str(self.client_key),
        )


@contextmanager
def mutual_tls_server(workdir: Path) -> Iterator[tuple[ServerProcess, ClientTLS]]:
    """A server that serves TLS for 127.0.0.1 and asks clients for a
    certificate from a client CA, with certificates made afresh by trustme,
    and the files a client that may connect holds."""
    tls = workdir / "tls"
    tls.mkdir(parents=True, exist_ok=True)
    server_ca, client_ca = trustme.CA(), trustme.CA()
    issued = server_ca.issue_cert("127.0.0.1", "localhost")
    client = client_ca.issue_cert("flow.example.com", common_name="flow.example.com")
    files = {
        "server.pem": issued.cert_chain_pems[0],
        "server.key": issued.private_key_pem,
        "ca.pem": server_ca.cert_pem,
        "clients.pem": client_ca.cert_pem,
        "client.pem": client.cert_chain_pems[0],
    }
    for name, blob in files.items():
        blob.write_to_path(str(tls / name))
    # The client key as unencrypted PKCS#8 (trustme writes SEC1): grpc-java's
    # Netty reads no other PEM key, and the other clients read it too.
    key = serialization.load_pem_private_key(client.private_key_pem.bytes(), password=None)
    (tls / "client.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    args = (
        "--tls-cert", str(tls / "server.pem"),
        "--tls-key", str(tls / "server.key"),
        "--tls-client-ca", str(tls / "clients.pem"),
    )  # fmt: skip
    credentials = grpc.ssl_channel_credentials(
        root_certificates=server_ca.cert_pem.bytes(),
        private_key=client.private_key_pem.bytes(),
        certificate_chain=client.cert_chain_pems[0].bytes(),
    )
    with ServerProcess(workdir / "server", extra_args=args, credentials=credentials) as server:
        yield server, ClientTLS(tls / "ca.pem", tls / "client.pem", tls / "client.key")


def check_mutual_tls(
    command: list[str], workdir: Path, *, cwd: Path, label: str, passgate: Path | None = None
) -> None:
    """Against a mutual-TLS server the flow with the TLS flags does all it does
    over plain text; without a client certificate the server lets it make no
    call, and it says so and exits non-zero."""
    with mutual_tls_server(workdir) as (server, tls):
        mutual = run_flow(
            command, server, cwd=cwd, label=label, passgate=passgate, flags=tls.flags()
        )
        check_flow(mutual)
        refused = run_flow(
            command,
            server,
            cwd=cwd,
            label=label,
            passgate=passgate,
            flags=tls.flags(client_certificate=False),
            check=False,
        )
    assert refused.returncode != 0, f"{label} flow got in without a client certificate"
    assert refused.order == [], refused.order
    assert refused.stderr.strip(), f"{label} flow failed without saying why"
