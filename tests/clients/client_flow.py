"""Drives the Go, TypeScript and Java clients' example program, `flow`, against a
live server and checks what it prints.

Each language's example is the program its README shows: it signs in (once
with a wrong password), changes the password (once with a weak one), requests
a reset, takes the reset link from `passgate mail last` (run from the
client's folder, `../../.venv/bin/passgate` unless told otherwise), submits
the reset and signs in with the new password, printing one JSON line per step. Calls that passgate
refuses with RESOURCE_EXHAUSTED are retried after RetryInfo's delay, and
print a `backoff` event.
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import grpc

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


def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def _next_line(lines: queue.Queue[str | None], deadline: float, label: str) -> str | None:
    try:
        return lines.get(timeout=max(0.0, deadline - time.monotonic()))
    except queue.Empty:
        raise TimeoutError(f"{label} flow still running after its deadline") from None


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
    timeout: float = 120.0,
) -> FlowRun:
    """Runs the example from `cwd` against `server` for a fresh user (as its
    README does) and collects its JSON lines."""
    email = f"{label}-{uuid.uuid4().hex[:12]}@example.com"
    run = FlowRun(user_id=server.create_user(email=email, password=PASSWORD))
    with subprocess.Popen(
        [
            *command,
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
        ],
        cwd=cwd,
        env={**os.environ, "PASSGATE_API_KEY": server.api_key},
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
                    raise AssertionError(f"{label} flow printed non-JSON: {line!r}") from None
                if "event" in event:
                    run.backoffs.append(event)
                    continue
                run.steps[event["step"]] = event
                run.order.append(event["step"])
            returncode = process.wait(timeout=max(1.0, deadline - time.monotonic()))
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            for pump in pumps:
                pump.join(timeout=5)
            run.stderr = _drain(errors)
    assert returncode == 0, f"{label} flow exited {returncode}:\n{run.stderr}"
    return run


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


def check_readme_excerpts(readme: Path, example: Path, language: str) -> None:
    """Every ```<language> block of the README is cut from the example program:
    its lines (a `// ...` line skips some) appear there in order, so the README
    shows code that the integration test runs."""
    source = [line.strip() for line in example.read_text().splitlines()]
    blocks = re.findall(rf"^```{language}\n(.*?)^```", readme.read_text(), re.M | re.S)
    assert blocks, f"{readme} shows no {language} code"
    for block in blocks:
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
            assert found is not None, f"{readme.name}: not in {example.name}:\n{chunk}"
            start = found + len(lines)
