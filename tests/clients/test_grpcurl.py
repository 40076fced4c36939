"""docs/grpcurl.md, run as written: every command with the real grpcurl binary.

Each ```console block of the walkthrough holds one `$ grpcurl …` command and
the output it prints. The test runs the command with bash (so quoting is what
a reader pastes) against a live server, with `$PASSGATE` and `$API_KEY` set
as the walkthrough's setup says, and checks the output against the block:
`…` inside a line stands for any text, and a line holding only `…` for any
number of lines. A command whose documented output starts with `ERROR:` must
fail; every other one must succeed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from passgate.testing import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
WALKTHROUGH = ROOT / "docs" / "grpcurl.md"

# The user the walkthrough's setup creates.
EMAIL = "ada@example.com"
PASSWORD = "Correct-Horse-9-battery"


@dataclass(frozen=True)
class Step:
    command: str
    expected: str

    @property
    def fails(self) -> bool:
        return self.expected.startswith("ERROR:")


def parse_walkthrough(text: str) -> list[Step]:
    steps = []
    for block in re.findall(r"^```console\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE):
        lines = block.splitlines()
        assert lines and lines[0].startswith("$ "), f"a console block starts with `$ `: {block}"
        command = [lines[0].removeprefix("$ ")]
        rest = lines[1:]
        while command[-1].endswith("\\"):
            command.append(rest.pop(0))
        steps.append(Step("\n".join(command), "\n".join(rest)))
    return steps


STEPS = parse_walkthrough(WALKTHROUGH.read_text())


def transcript_pattern(expected: str) -> re.Pattern[str]:
    parts = []
    for line in expected.rstrip("\n").splitlines():
        if line.strip() == "…":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            pieces = line.expandtabs().rstrip().split("…")
            parts.append(".*?".join(re.escape(piece) for piece in pieces) + "\n")
    return re.compile("".join(parts))


def normalise(output: str) -> str:
    """As a terminal shows it: tabs expanded, trailing blanks gone."""
    return "".join(line.expandtabs().rstrip() + "\n" for line in output.splitlines())


def grpcurl_folder() -> Path:
    found = shutil.which("grpcurl")
    if found:
        return Path(found).parent
    tools = Path(os.environ.get("PASSGATE_TOOLS", Path.home() / ".cache" / "passgate-tools"))
    if (tools / "bin" / "grpcurl").is_file():
        return tools / "bin"
    pytest.fail("grpcurl not found: put `scripts/toolchains`' folder on PATH (scripts/test does)")


@pytest.fixture(scope="module")
def walkthrough_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server of its own, so the walkthrough's fixed user cannot clash with other tests'."""
    with ServerProcess(tmp_path_factory.mktemp("grpcurl")) as server:
        server.create_user(email=EMAIL, password=PASSWORD)
        yield server


@pytest.fixture(scope="module")
def shell_env(walkthrough_server: ServerProcess) -> dict[str, str]:
    return {
        "PATH": f"{grpcurl_folder()}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "PASSGATE": walkthrough_server.target,
        "API_KEY": walkthrough_server.api_key,
    }


def run(step: Step, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", step.command],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def find(pattern: str) -> Step:
    matching = [step for step in STEPS if re.search(pattern, step.command)]
    assert matching, f"docs/grpcurl.md has no command matching {pattern!r}"
    return matching[0]


@pytest.mark.parametrize(
    "step", STEPS, ids=[f"{n}-{step.command.split()[-1]}" for n, step in enumerate(STEPS, 1)]
)
def test_each_command_prints_what_the_walkthrough_shows(
    step: Step, shell_env: dict[str, str]
) -> None:
    result = run(step, shell_env)
    output = normalise(result.stdout + result.stderr)
    assert (result.returncode != 0) == step.fails, (result.returncode, output)
    assert transcript_pattern(step.expected).fullmatch(output), (
        f"$ {step.command}\n--- the walkthrough shows:\n{step.expected}\n--- grpcurl printed:\n"
        f"{output}"
    )


def test_the_walkthrough_covers_discovery_health_and_both_outcomes() -> None:
    assert find(r"grpcurl -plaintext \$PASSGATE list$")
    assert find(r"describe passgate\.auth\.v1\.AuthService$")
    assert find(r"describe passgate\.auth\.v1\.AuthService\.SignIn$")
    health = find(r"grpc\.health\.v1\.Health/Check")
    assert "x-api-key" not in health.command, "health checks need no API key"
    assert len([s for s in STEPS if "AuthService/SignIn" in s.command]) >= 2


def test_method_symbols_resolve(shell_env: dict[str, str]) -> None:
    result = run(find(r"describe passgate\.auth\.v1\.AuthService\.SignIn$"), shell_env)
    assert result.returncode == 0, result.stderr
    assert "passgate.auth.v1.AuthService.SignIn is a method" in result.stdout
    assert "rpc SignIn ( .passgate.auth.v1.SignInRequest )" in result.stdout


def test_sign_in_returns_a_session(shell_env: dict[str, str]) -> None:
    step = next(s for s in STEPS if "AuthService/SignIn" in s.command and not s.fails)
    result = run(step, shell_env)
    assert result.returncode == 0, result.stderr
    session = json.loads(result.stdout)
    assert set(session) == {"sessionToken", "userId", "expiresAt"}
    assert session["sessionToken"].startswith("pgs_")


def test_a_refused_call_prints_its_details_decoded(shell_env: dict[str, str]) -> None:
    step = next(s for s in STEPS if "AuthService/SignIn" in s.command and s.fails)
    result = run(step, shell_env)
    assert result.returncode == 64 + 16, "grpcurl exits with 64 + the status code (UNAUTHENTICATED)"
    assert "Code: Unauthenticated" in result.stderr
    assert '"@type": "type.googleapis.com/google.rpc.ErrorInfo"' in result.stderr
    assert '"reason": "INVALID_CREDENTIALS"' in result.stderr
    assert '"domain": "passgate.dev"' in result.stderr
