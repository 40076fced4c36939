"""docs/grpcurl.md, followed as a newcomer would: every command, in order,
with the real grpcurl binary and `.venv/bin/passgate`.

The walkthrough's ```sh setup block and each ```console block (one `$ …`
command and the output it prints) run with bash in one folder that stands for
the clone's root: it holds `.venv` and the server the walkthrough has
`scripts/serve` start there (its `./passgate.db`, its `./mail/`). Variables a
command exports are seen by the commands after it, as in one terminal. Each
output is checked against its block byte for byte (grpcurl's tabs
included): `…` inside a line stands for any text, and a line holding only `…`
for any number of lines. A command whose documented output has a line
starting with `ERROR:` must fail (a stream grpcurl hangs up on prints its
messages first); every other one must succeed. The walkthrough must call
every RPC of every service in `protos/`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from grpcurl_tool import grpcurl_folder

from passgate.testing import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
WALKTHROUGH = ROOT / "docs" / "grpcurl.md"


@dataclass(frozen=True)
class Step:
    command: str
    expected: str

    @property
    def fails(self) -> bool:
        return any(line.startswith("ERROR:") for line in self.expected.splitlines())


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
            pieces = line.split("…")
            parts.append(".*?".join(re.escape(piece) for piece in pieces) + "\n")
    return re.compile("".join(parts))


SERVE_DEFAULT = "127.0.0.1:50051"


def setup_commands(text: str) -> str:
    blocks = re.findall(r"^```sh\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)
    assert len(blocks) == 1, "the walkthrough has one ```sh setup block"
    return blocks[0]


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


class Terminal:
    """bash in the clone's root; exported variables carry from one command to the next."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root, self.env = root, env
        self.state = root / ".terminal-state"

    def run(self, command: str) -> Ran:
        script = (
            f'[ -f "{self.state}" ] && source "{self.state}"\n'
            f"{command}\n"
            "status=$?\n"
            f'export -p > "{self.state}"\n'
            "exit $status\n"
        )
        result = subprocess.run(
            ["bash", "-c", script],
            cwd=self.root,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=60,
            check=False,
        )
        return Ran(result.returncode, result.stdout, result.stderr)


@pytest.fixture(scope="module")
def followed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, Ran]]:
    """Every step's result, from one run of the walkthrough against its own server
    (the walkthrough's fixed user cannot clash with other tests')."""
    root = tmp_path_factory.mktemp("clone")
    (root / ".venv").symlink_to(ROOT / ".venv")
    server = ServerProcess(root)  # what `scripts/serve` runs, on a free port
    server.api_key = "unused"  # no key of the suite's own: ListApiKeys shows only the walkthrough's
    with server:
        env = {
            "PATH": f"{grpcurl_folder()}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": os.environ.get("HOME", "/tmp"),
        }
        terminal = Terminal(root, env)
        setup = setup_commands(WALKTHROUGH.read_text()).replace(SERVE_DEFAULT, server.target)
        done = terminal.run("set -e\n" + setup)
        assert done.returncode == 0, f"the setup failed:\n{done.stdout}{done.stderr}"
        yield {n: terminal.run(step.command) for n, step in enumerate(STEPS)}


def find(pattern: str) -> Step:
    matching = [step for step in STEPS if re.search(pattern, step.command)]
    assert matching, f"docs/grpcurl.md has no command matching {pattern!r}"
    return matching[0]


@pytest.mark.parametrize(
    "number",
    range(len(STEPS)),
    ids=[f"{n}-{s.command.split()[-1][:40]}" for n, s in enumerate(STEPS)],
)
def test_each_command_prints_what_the_walkthrough_shows(
    number: int, followed: dict[int, Ran]
) -> None:
    step, result = STEPS[number], followed[number]
    output = result.stdout + result.stderr
    assert (result.returncode != 0) == step.fails, (result.returncode, output)
    assert transcript_pattern(step.expected).fullmatch(output), (
        f"$ {step.command}\n--- the walkthrough shows:\n{step.expected}\n--- it printed:\n{output}"
    )


def test_the_walkthrough_covers_every_rpc_discovery_health_and_both_outcomes() -> None:
    assert find(r"grpcurl -plaintext \$PASSGATE list$")
    assert find(r"describe passgate\.auth\.v1\.AuthService$")
    assert find(r"describe passgate\.auth\.v1\.AuthService\.SignIn$")
    health = find(r"grpc\.health\.v1\.Health/Check")
    assert "x-api-key" not in health.command, "health checks need no API key"
    for method in proto_methods():
        assert find(rf"{re.escape(method)}\b")
    assert len([s for s in STEPS if "AuthService/SignIn" in s.command]) >= 2
    assert find(r"passgate mail last")


def proto_methods() -> list[str]:
    """`package.Service/Method` for every RPC the `.proto` files declare."""
    methods = []
    for proto in sorted((ROOT / "protos").rglob("*.proto")):
        text = proto.read_text()
        package = re.search(r"^package ([\w.]+);", text, flags=re.MULTILINE)
        services = re.findall(r"^service (\w+) \{(.*?)^\}", text, re.DOTALL | re.MULTILINE)
        for service, body in services:
            assert package, f"{proto} declares a service without a package"
            for rpc in re.findall(r"^\s*rpc (\w+)\(", body, flags=re.MULTILINE):
                methods.append(f"{package[1]}.{service}/{rpc}")
    return methods


def test_every_rpc_of_both_services_is_found_in_the_protos() -> None:
    """The list the walkthrough is held to is not empty or partial."""
    methods = proto_methods()
    assert "passgate.auth.v1.AuthService/SignOutEverywhere" in methods
    assert "passgate.admin.v1.AdminService/WatchEvents" in methods
    assert len(methods) >= 29


def test_describe_prints_the_documentation_the_protos_have(followed: dict[int, Ran]) -> None:
    """Reflection serves passgate's files with their comments (the generated
    modules have none), so describing a message explains each field."""
    described = _first(followed, r"describe passgate\.auth\.v1\.SignInRequest$", fails=False)
    assert "// The password: 1 to 1024 characters." in described.stdout
    assert "// Who is signing in; exactly one must be set." in described.stdout


def test_passgate_is_called_where_the_clone_has_it() -> None:
    """A bare `passgate` is not on a newcomer's PATH: `.venv/bin/passgate` is."""
    text = setup_commands(WALKTHROUGH.read_text()) + "\n".join(s.command for s in STEPS)
    assert not re.search(r"(?<![/\w])passgate (apikey|user|mail|serve|tenant)", text)


def _first(followed: dict[int, Ran], pattern: str, fails: bool) -> Ran:
    number = next(
        n for n, s in enumerate(STEPS) if re.search(pattern, s.command) and s.fails == fails
    )
    return followed[number]


def test_sign_in_returns_a_session(followed: dict[int, Ran]) -> None:
    result = _first(followed, r"AuthService/SignIn$", fails=False)
    assert result.returncode == 0, result.stderr
    session = json.loads(result.stdout)
    assert set(session) == {"sessionToken", "userId", "expiresAt"}
    assert session["sessionToken"].startswith("pgs_")


def test_a_refused_call_prints_its_details_decoded(followed: dict[int, Ran]) -> None:
    result = _first(followed, r"AuthService/SignIn$", fails=True)
    assert result.returncode == 64 + 16, "grpcurl exits with 64 + the status code (UNAUTHENTICATED)"
    assert "Code: Unauthenticated" in result.stderr
    assert '"@type": "type.googleapis.com/google.rpc.ErrorInfo"' in result.stderr
    assert '"reason": "INVALID_CREDENTIALS"' in result.stderr
    assert '"domain": "passgate.dev"' in result.stderr
