"""The Go client (clients/go): it builds, vets and passes its unit tests (the
webhook verifier's decide every shared webhook case), its example program
walks the password life cycle against a live server, over plain text and over
mutual TLS, and its admin example manages a user's sessions there."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from client_flow import (
    BOGUS_API_KEY,
    MISSING_PROGRAM,
    ROOT,
    admin_key,
    check_admin,
    check_admin_refused,
    check_backoff,
    check_flow,
    check_flow_bad_key,
    check_flow_refused,
    check_flow_without_its_mail_command,
    check_mutual_tls,
    check_readme_excerpts,
    check_unknown_flag,
    check_unreachable,
    key_that_may_not_sign_in,
    run_admin,
    run_flow,
    run_flow_unreachable,
    throttled_server,
)
from vector_cases import VECTORS, VECTORS_VARIABLE, check_every_case_passed

from passgate.testing import ServerProcess

MODULE = ROOT / "clients" / "go"

pytestmark = pytest.mark.slow


# go.sum is committed: a missing checksum fails instead of editing it.
GO_ENV = {
    **os.environ,
    "GOFLAGS": "-mod=readonly -buildvcs=false",
    VECTORS_VARIABLE: str(VECTORS),
}


def _go(*args: str) -> str:
    result = subprocess.run(
        ["go", *args],
        cwd=MODULE,
        env=GO_ENV,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"go {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def unit_tests() -> str:
    """`go vet`, then `go test -v`: what the tests printed."""
    _go("vet", "./...")
    return _go("test", "-v", "./...")


@pytest.fixture(scope="module")
def flow(unit_tests: str, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The example built into a temporary folder, once the unit tests pass."""
    binary = tmp_path_factory.mktemp("go") / "flow"
    _go("build", "-o", str(binary), "./examples/flow")
    return [str(binary)]


@pytest.fixture(scope="module")
def admin(unit_tests: str, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The admin example built into a temporary folder, once the unit tests pass."""
    binary = tmp_path_factory.mktemp("go") / "admin"
    _go("build", "-o", str(binary), "./examples/admin")
    return [str(binary)]


GO_RUN = ["go", "run", "./examples/flow"]  # as the README runs it, from clients/go


def test_unit_tests_decide_every_shared_webhook_case(unit_tests: str) -> None:
    passed = re.findall(r"--- PASS: TestVerifierDecidesEveryVectorAsSpecified/(\S+)", unit_tests)
    check_every_case_passed(passed, "go")


def test_webhook_example_builds(unit_tests: str, tmp_path: Path) -> None:
    _go("build", "-o", str(tmp_path / "webhook"), "./examples/webhook")
    assert (tmp_path / "webhook").is_file()


def test_readme_shows_the_examples() -> None:
    examples = [MODULE / "examples" / name / "main.go" for name in ("flow", "admin", "webhook")]
    check_readme_excerpts(MODULE / "README.md", examples, "go")


def test_example_flow_runs_from_clients_go_as_the_readme_says_twice_in_a_row(
    flow: list[str], server: ServerProcess
) -> None:
    for _ in range(2):
        check_flow(run_flow(GO_RUN, server, cwd=MODULE, label="go"))


def test_example_backs_off_as_retry_info_says(flow: list[str], tmp_path: Path) -> None:
    with throttled_server(tmp_path / "server") as server:
        check_backoff(run_flow(flow, server, cwd=MODULE, label="go"))


def test_example_flow_stops_on_one_line_when_refused(
    flow: list[str], server: ServerProcess
) -> None:
    key = key_that_may_not_sign_in(server)
    check_flow_refused(run_flow(flow, server, cwd=MODULE, label="go", check=False, api_key=key))


def test_example_flow_stops_at_once_with_an_unknown_api_key(
    flow: list[str], server: ServerProcess
) -> None:
    bogus = run_flow(flow, server, cwd=MODULE, label="go", check=False, api_key=BOGUS_API_KEY)
    check_flow_bad_key(bogus)


def test_example_flow_names_the_address_when_no_server_listens(flow: list[str]) -> None:
    check_unreachable(*run_flow_unreachable(flow, cwd=MODULE, label="go"))


def test_example_flow_over_mutual_tls(flow: list[str], tmp_path: Path) -> None:
    check_mutual_tls(flow, tmp_path, cwd=MODULE, label="go")


def test_admin_example_manages_a_users_sessions(admin: list[str], server: ServerProcess) -> None:
    key = admin_key(server)
    check_admin(run_admin(admin, server, key, cwd=MODULE, label="go"), server, key)


def test_admin_example_stops_at_once_without_the_admin_scope(
    admin: list[str], server: ServerProcess
) -> None:
    key = admin_key(server, scopes="SignIn,VerifySession")
    check_admin_refused(run_admin(admin, server, key, cwd=MODULE, label="go", check=False))


def test_example_flow_stops_on_one_line_when_its_mail_command_fails(
    flow: list[str], server: ServerProcess
) -> None:
    missing = Path(MISSING_PROGRAM)
    run = run_flow(flow, server, cwd=MODULE, label="go", check=False, passgate=missing)
    check_flow_without_its_mail_command(run)


@pytest.mark.parametrize("example", ["flow", "admin"])
def test_examples_name_an_unknown_flag_without_a_stack_trace(
    flow: list[str], admin: list[str], example: str
) -> None:
    check_unknown_flag({"flow": flow, "admin": admin}[example], cwd=MODULE)
