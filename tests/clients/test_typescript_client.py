"""The TypeScript client (clients/typescript): it type-checks, builds to ESM
with .d.ts, passes its unit tests (the webhook verifier's decide every shared
webhook case), and its example program walks the password life cycle against
a live server, over plain text and over mutual TLS."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
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

PACKAGE = ROOT / "clients" / "typescript"

pytestmark = pytest.mark.slow


# The copy is not in the clone: the tests are told where the shared webhook
# cases are, and report in TAP (one `ok N - name` line per test) whatever the
# Node version's default reporter.
NPM_ENV = {**os.environ, VECTORS_VARIABLE: str(VECTORS), "NODE_OPTIONS": "--test-reporter=tap"}


def _npm(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        ["npm", *args],
        cwd=cwd,
        env=NPM_ENV,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"npm {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package built in a copy of clients/typescript (no debris in the tree)."""
    # node_modules as package-lock.json says; scripts/toolchains keeps the same stamp
    lock = hashlib.sha1((PACKAGE / "package-lock.json").read_bytes()).hexdigest()[:12]
    stamp = PACKAGE / "node_modules" / f".passgate-{lock}"
    if not stamp.exists():
        _npm("ci", "--no-audit", "--no-fund", "--loglevel=error", cwd=PACKAGE)
        stamp.touch()
    copy = tmp_path_factory.mktemp("typescript") / "client"
    shutil.copytree(
        PACKAGE, copy, ignore=shutil.ignore_patterns("node_modules", "dist", "*.tsbuildinfo")
    )
    (copy / "node_modules").symlink_to(PACKAGE / "node_modules", target_is_directory=True)
    _npm("run", "build", cwd=copy)
    assert (copy / "dist" / "index.js").is_file()
    assert (copy / "dist" / "index.d.ts").is_file()
    return copy


@pytest.fixture(scope="module")
def unit_tests(built: Path) -> str:
    """`npm test` in the built copy: what the tests printed."""
    return _npm("test", cwd=built)


@pytest.fixture(scope="module")
def flow(built: Path, unit_tests: str) -> Path:
    """The examples compiled, once the unit tests pass."""
    _npm("run", "build:examples", cwd=built)
    return built


# From the package's folder, as the README says; the copy is not in the clone,
# so it is told where passgate's command line is.
FLOW = ["node", "examples/dist/flow.js"]
ADMIN = ["node", "examples/dist/admin.js"]
PASSGATE = ROOT / ".venv" / "bin" / "passgate"


def test_package_is_esm_with_types() -> None:
    manifest = json.loads((PACKAGE / "package.json").read_text())
    assert manifest["type"] == "module"
    assert manifest["exports"]["."]["types"].endswith(".d.ts")


def test_unit_tests_decide_every_shared_webhook_case(unit_tests: str) -> None:
    passed = re.findall(r"^ +ok \d+ - (\S+)$", unit_tests, re.M)
    check_every_case_passed(passed, "ts")


def test_webhook_example_compiles(flow: Path) -> None:
    assert (flow / "examples" / "dist" / "webhook.js").is_file()


def test_readme_shows_the_examples() -> None:
    examples = [PACKAGE / "examples" / f"{name}.ts" for name in ("flow", "admin", "webhook")]
    check_readme_excerpts(PACKAGE / "README.md", examples, "ts")


def test_example_flow(flow: Path, server: ServerProcess) -> None:
    check_flow(run_flow(FLOW, server, cwd=flow, label="ts", passgate=PASSGATE))


def test_example_flow_stops_on_one_line_when_refused(flow: Path, server: ServerProcess) -> None:
    key = key_that_may_not_sign_in(server)
    check_flow_refused(run_flow(FLOW, server, cwd=flow, label="ts", check=False, api_key=key))


def test_example_flow_stops_at_once_with_an_unknown_api_key(
    flow: Path, server: ServerProcess
) -> None:
    bogus = run_flow(FLOW, server, cwd=flow, label="ts", check=False, api_key=BOGUS_API_KEY)
    check_flow_bad_key(bogus)


def test_example_backs_off_as_retry_info_says(flow: Path, tmp_path: Path) -> None:
    with throttled_server(tmp_path / "server") as server:
        check_backoff(run_flow(FLOW, server, cwd=flow, label="ts", passgate=PASSGATE))


def test_example_flow_names_the_address_when_no_server_listens(flow: Path) -> None:
    check_unreachable(*run_flow_unreachable(FLOW, cwd=flow, label="ts"))


def test_example_flow_over_mutual_tls(flow: Path, tmp_path: Path) -> None:
    check_mutual_tls(FLOW, tmp_path, cwd=flow, label="ts", passgate=PASSGATE)


# Makes a client with the baseUrl in argv[1] and verifies a made-up session:
# prints the error the client threw, when it was made or at the call.
BASE_URL_PROBE = """
import { createPassgateClient, parseError } from "@passgate/client";
try {
  const apiKey = process.env.PASSGATE_API_KEY;
  const client = createPassgateClient({ baseUrl: process.argv[1], apiKey });
  await client.verifySession({ sessionToken: "made-up" });
} catch (err) {
  console.log(parseError(err)?.reason || String(err));
}
"""


def test_client_names_the_base_url_it_wants(built: Path, server: ServerProcess) -> None:
    """The address alone (what the examples take as --target) is not a base
    URL: the client says it wants http:// or https://, rather than Node's
    bare `TypeError: Invalid URL`; with http:// the same address works."""

    def probe(base_url: str) -> str:
        result = subprocess.run(
            ["node", "--input-type=module", "-e", BASE_URL_PROBE, base_url],
            cwd=built,
            env={**os.environ, "PASSGATE_API_KEY": server.api_key},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return result.stdout.strip()

    port = server.target.rsplit(":", 1)[1]
    for bare in (server.target, f"localhost:{port}"):
        said = probe(bare)
        assert "http://" in said and "https://" in said and bare in said, said
    assert probe(f"http://{server.target}") == "SESSION_INVALID"


def test_admin_example_manages_a_users_sessions(flow: Path, server: ServerProcess) -> None:
    key = admin_key(server)
    check_admin(run_admin(ADMIN, server, key, cwd=flow, label="ts"), server, key)


def test_admin_example_stops_at_once_without_the_admin_scope(
    flow: Path, server: ServerProcess
) -> None:
    key = admin_key(server, scopes="SignIn,VerifySession")
    check_admin_refused(run_admin(ADMIN, server, key, cwd=flow, label="ts", check=False))


def test_example_flow_stops_on_one_line_when_its_mail_command_fails(
    flow: Path, server: ServerProcess
) -> None:
    missing = Path(MISSING_PROGRAM)
    run = run_flow(FLOW, server, cwd=flow, label="ts", check=False, passgate=missing)
    check_flow_without_its_mail_command(run)


@pytest.mark.parametrize("example", ["flow", "admin"])
def test_examples_name_an_unknown_flag_without_a_stack_trace(flow: Path, example: str) -> None:
    check_unknown_flag({"flow": FLOW, "admin": ADMIN}[example], cwd=flow)
