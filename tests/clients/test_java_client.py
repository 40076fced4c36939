"""The Java client (clients/java): Maven packages the jar and runs its unit
tests (the webhook verifier's decide every shared webhook case), and the
example program (compiled against the jar and its runtime
classpath) walks the password life cycle against a live server, over plain
text and over mutual TLS; the admin example manages a user's sessions there."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

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

PROJECT = ROOT / "clients" / "java"
EXAMPLES = PROJECT / "examples"

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Packaged:
    build: Path  # Maven's build folder is build / "target"
    classpath: str  # the jar and its runtime dependencies


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Packaged:
    """`mvn package` (unit tests included) into a temporary folder, plus the runtime classpath."""
    build = tmp_path_factory.mktemp("java")
    classpath = build / "classpath.txt"
    result = subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            f"-Dpassgate.buildDirectory={build / 'target'}",
            "package",
            "dependency:build-classpath",
            f"-Dmdep.outputFile={classpath}",
            "-Dmdep.includeScope=runtime",
        ],
        cwd=PROJECT,
        env={**os.environ, VECTORS_VARIABLE: str(VECTORS)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"mvn package failed:\n{result.stdout}{result.stderr}"
    jars = list((build / "target").glob("passgate-client-*.jar"))
    assert len(jars) == 1, jars
    return Packaged(build, f"{jars[0]}:{classpath.read_text().strip()}")


def _compiled(packaged: Packaged, example: str) -> list[str]:
    """examples/<example>.java compiled against the packaged jar: the command that runs it.
    Compiled once rather than by `java <example>.java` at each run: the same
    program, without paying javac every time."""
    classes = packaged.build / f"examples-{example}"
    result = subprocess.run(
        [
            "javac",
            "-d",
            str(classes),
            "-cp",
            packaged.classpath,
            str(EXAMPLES / f"{example}.java"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"javac examples/{example}.java failed:\n{result.stderr}"
    assert (classes / f"{example}.class").is_file()
    return ["java", "-XX:TieredStopAtLevel=1", "-cp", f"{classes}:{packaged.classpath}", example]


@pytest.fixture(scope="module")
def flow(packaged: Packaged) -> list[str]:
    return _compiled(packaged, "Flow")


@pytest.fixture(scope="module")
def admin(packaged: Packaged) -> list[str]:
    return _compiled(packaged, "Admin")


def test_unit_tests_decide_every_shared_webhook_case(packaged: Packaged) -> None:
    # Surefire names a dynamic test `<factory>() <display name>`: the case's name.
    reports = packaged.build / "target" / "surefire-reports"
    report = ElementTree.parse(reports / "TEST-dev.passgate.client.WebhookVerifierTest.xml")
    passed = []
    for testcase in report.iter("testcase"):
        name = re.fullmatch(r"decidesEveryVectorAsSpecified\(\) (\S+)", testcase.get("name", ""))
        outcomes = [testcase.find(outcome) for outcome in ("failure", "error", "skipped")]
        if name and all(outcome is None for outcome in outcomes):
            passed.append(name.group(1))
    check_every_case_passed(passed, "java")


def test_webhook_example_compiles(packaged: Packaged) -> None:
    _compiled(packaged, "WebhookReceiver")


def test_readme_shows_the_examples() -> None:
    examples = [EXAMPLES / f"{name}.java" for name in ("Flow", "Admin", "WebhookReceiver")]
    check_readme_excerpts(PROJECT / "README.md", examples, "java")


def test_example_flow(flow: list[str], server: ServerProcess, tmp_path: Path) -> None:
    check_flow(run_flow(flow, server, cwd=PROJECT, label="java"))  # from clients/java


def test_example_flow_stops_on_one_line_when_refused(
    flow: list[str], server: ServerProcess
) -> None:
    key = key_that_may_not_sign_in(server)
    check_flow_refused(run_flow(flow, server, cwd=PROJECT, label="java", check=False, api_key=key))


def test_example_flow_stops_at_once_with_an_unknown_api_key(
    flow: list[str], server: ServerProcess
) -> None:
    bogus = run_flow(flow, server, cwd=PROJECT, label="java", check=False, api_key=BOGUS_API_KEY)
    check_flow_bad_key(bogus)


def test_example_backs_off_as_retry_info_says(flow: list[str], tmp_path: Path) -> None:
    with throttled_server(tmp_path / "server") as server:
        check_backoff(run_flow(flow, server, cwd=PROJECT, label="java"))


def test_example_flow_names_the_address_when_no_server_listens(flow: list[str]) -> None:
    check_unreachable(*run_flow_unreachable(flow, cwd=PROJECT, label="java"))


def test_example_flow_over_mutual_tls(flow: list[str], tmp_path: Path) -> None:
    check_mutual_tls(flow, tmp_path, cwd=PROJECT, label="java")


def test_admin_example_manages_a_users_sessions(admin: list[str], server: ServerProcess) -> None:
    key = admin_key(server)
    check_admin(run_admin(admin, server, key, cwd=PROJECT, label="java"), server, key)


def test_admin_example_stops_at_once_without_the_admin_scope(
    admin: list[str], server: ServerProcess
) -> None:
    key = admin_key(server, scopes="SignIn,VerifySession")
    check_admin_refused(run_admin(admin, server, key, cwd=PROJECT, label="java", check=False))


def test_example_flow_stops_on_one_line_when_its_mail_command_fails(
    flow: list[str], server: ServerProcess
) -> None:
    missing = Path(MISSING_PROGRAM)
    run = run_flow(flow, server, cwd=PROJECT, label="java", check=False, passgate=missing)
    check_flow_without_its_mail_command(run)


@pytest.mark.parametrize("example", ["flow", "admin"])
def test_examples_name_an_unknown_flag_without_a_stack_trace(
    flow: list[str], admin: list[str], example: str
) -> None:
    check_unknown_flag({"flow": flow, "admin": admin}[example], cwd=PROJECT)
