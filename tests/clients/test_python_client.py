"""The passgate-client distribution as its users get it.

The wheel is built from clients/python and installed into a fresh virtual
environment that has never seen the source tree; the README's example runs
there, with that environment's Python, against a live server, over plain text
and over mutual TLS, and so does the admin example. The
environment is cached per wheel hash, so only a changed client pays for a new
install.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from types import ModuleType

import pytest
from client_flow import (
    admin_key,
    check_admin,
    check_admin_refused,
    key_that_may_not_sign_in,
    mutual_tls_server,
    run_admin,
)

import passgate.client as pgc
from passgate.testing import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "clients" / "python"
EXAMPLE = CLIENT / "examples" / "flow.py"
ADMIN_EXAMPLE = CLIENT / "examples" / "admin.py"
README = CLIENT / "README.md"
PACKAGE = CLIENT / "src" / "passgate" / "client"

STRONG = "Correct-Horse-9-battery"

# Timestamps inside a wheel come from here, so equal sources give equal
# wheels and the cached environment is reused.
_SOURCE_DATE_EPOCH = "315532800"


def _cache_root() -> Path:
    base = os.environ.get("PASSGATE_TEST_CACHE") or os.environ.get("XDG_CACHE_HOME")
    return Path(base or Path.home() / ".cache") / "passgate-tests"


def _has_setuptools(major: int) -> bool:
    try:
        installed = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        return False
    return int(installed.split(".")[0]) >= major


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """passgate-client built from a copy of clients/python (builds leave no debris in the tree)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(
        CLIENT,
        source,
        ignore=shutil.ignore_patterns("build", "dist", "*.egg-info", "__pycache__", ".*"),
    )
    # Building with this environment's setuptools needs no download; an
    # older or missing one means pip fetches the declared build backend.
    isolation = ["--no-build-isolation"] if _has_setuptools(77) else []
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
         *isolation,
         "--wheel-dir", str(work / "dist"), str(source)],
        check=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": _SOURCE_DATE_EPOCH},
        timeout=300,
    )  # fmt: skip
    (built,) = (work / "dist").glob("passgate_client-*.whl")
    return built


@pytest.fixture(scope="module")
def client_python(wheel: Path) -> Path:
    """The Python of a virtual environment holding the wheel and its dependencies only."""
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()[:16]
    root = _cache_root()
    root.mkdir(parents=True, exist_ok=True)
    venv = root / f"client-venv-{digest}"
    python = venv / "bin" / "python"
    with (root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (venv / ".complete").exists():
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                 str(wheel)],
                check=True,
                timeout=600,
            )  # fmt: skip
            (venv / ".complete").touch()
            for stale in root.glob("client-venv-*"):  # keep the cache to one environment
                if stale != venv:
                    shutil.rmtree(stale, ignore_errors=True)
    return python


def run_isolated(python: Path, *args: str, env: dict[str, str] | None = None, cwd: Path) -> str:
    """Run with `-I`: neither PYTHONPATH, the user's site nor the script's folder leaks in."""
    result = subprocess.run(
        [str(python), "-I", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PATH": os.environ.get("PATH", ""), **(env or {})},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("passgate_example_flow", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def matches(expected: str, actual: str) -> bool:
    """Does `actual` fit `expected`, where `…` in `expected` stands for any text?"""
    pattern = ".*?".join(re.escape(part) for part in expected.split("…"))
    return re.fullmatch(pattern, actual) is not None


# --- the installed wheel -----------------------------------------------------


def test_wheel_installs_without_the_source_tree(client_python: Path, tmp_path: Path) -> None:
    probe = """
import importlib.metadata, importlib.util, json, pathlib
import passgate.client, passgate.auth.v1.auth_service_pb2_grpc
package = pathlib.Path(passgate.client.__file__).parent
print(json.dumps({
    "client": str(package),
    "server": importlib.util.find_spec("passgate.cli") is not None,
    "typed": (package / "py.typed").is_file(),
    "stubs": sorted(p.name for p in (package.parent / "auth" / "v1").glob("*.pyi")),
    "version": importlib.metadata.version("passgate-client"),
    "all": passgate.client.__all__,
}))
"""
    found = json.loads(run_isolated(client_python, "-c", probe, cwd=tmp_path))
    assert Path(found["client"]).is_relative_to(client_python.parent.parent)
    assert not found["server"], "the server must not ship in passgate-client"
    assert found["typed"]
    assert "auth_service_pb2.pyi" in found["stubs"]
    assert found["all"] == pgc.__all__


def example_flow(
    python: Path, server: ServerProcess, cwd: Path, flags: tuple[str, ...] = ()
) -> list[str]:
    """The example run for a fresh user, checked as a user would read its
    output and then try the passwords it set; its lines."""
    address = f"flow-{uuid.uuid4().hex[:12]}@example.com"
    user_id = server.create_user(email=address, password=STRONG)
    output = run_isolated(
        python,
        str(EXAMPLE),
        address,
        STRONG,
        str(server.mail_dir),
        *flags,
        env={
            "PASSGATE_TARGET": server.target,
            "PASSGATE_API_KEY": server.api_key,
        },
        cwd=cwd,
    )
    lines = output.splitlines()

    assert lines[0].startswith(f"signed in: user {user_id}, session valid until ")
    # The refused password change: status code, reason, and each decoded violation.
    refused = lines.index("refused: INVALID_ARGUMENT INVALID_REQUEST")
    violations = set()
    for line in lines[refused + 1 :]:
        if not line.startswith("  "):
            break
        field, reason, description = line.strip().split(": ", 2)
        assert description
        violations.add((field, reason))
    assert ("confirm_password", "PASSWORD_MISMATCH") in violations
    assert ("new_password", "PASSWORD_TOO_COMMON") in violations
    assert ("new_password", "PASSWORD_MISSING_CHARACTER_CLASS") in violations
    # After the reset the changed password is dead and the reset one works.
    assert "password reset by e-mail" in lines
    assert "refused: UNAUTHENTICATED INVALID_CREDENTIALS" in lines
    assert lines[-1] == f"signed in again: user {user_id}"

    flow = load_example()
    with pgc.AuthClient(
        server.target, server.api_key, channel_credentials=server.credentials
    ) as client:
        assert client.sign_in(email=address, password=flow.RESET_PASSWORD).user_id == user_id
        for stale in (STRONG, flow.NEW_PASSWORD):
            with pytest.raises(pgc.InvalidCredentials):
                client.sign_in(email=address, password=stale)
    return lines


def test_example_flow_against_a_live_server(
    client_python: Path, server: ServerProcess, tmp_path: Path
) -> None:
    lines = example_flow(client_python, server, tmp_path)

    # The README shows this very output.
    shown = README.read_text().split("Its output")[1].split("```text\n")[1].split("```")[0]
    assert len(shown.splitlines()) == len(lines)
    for expected, actual in zip(shown.splitlines(), lines, strict=True):
        assert matches(expected, actual), f"README shows {expected!r}, the example said {actual!r}"


def test_example_flow_over_mutual_tls(client_python: Path, tmp_path: Path) -> None:
    with mutual_tls_server(tmp_path) as (server, tls):
        lines = example_flow(client_python, server, tmp_path, tls.flags())
        assert lines[-1].startswith("signed in again: user ")

        # Without a client certificate the server lets it make no call.
        refused = subprocess.run(
            [str(client_python), "-I", str(EXAMPLE), "nobody@example.com", STRONG,
             str(server.mail_dir), *tls.flags(client_certificate=False)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={"PASSGATE_TARGET": server.target, "PASSGATE_API_KEY": server.api_key},
            timeout=120,
            check=False,
        )  # fmt: skip
    assert refused.returncode != 0, refused.stdout
    assert "signed in" not in refused.stdout
    (line,) = refused.stderr.strip().splitlines()  # one line that says why
    assert line.startswith("flow: UNAVAILABLE: "), line


def test_example_flow_stops_on_one_line_when_refused(
    client_python: Path, server: ServerProcess, tmp_path: Path
) -> None:
    """With a key that may not sign in, the example's first call is refused and
    it says why on one line: no stack trace."""
    key = key_that_may_not_sign_in(server)
    refused = subprocess.run(
        [
            str(client_python),
            "-I",
            str(EXAMPLE),
            "nobody@example.com",
            STRONG,
            str(server.mail_dir),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PASSGATE_TARGET": server.target, "PASSGATE_API_KEY": key},
        timeout=120,
        check=False,
    )
    assert refused.returncode != 0, refused.stdout
    assert refused.stdout == ""
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith("flow: PERMISSION_DENIED "), line


def test_admin_example_manages_a_users_sessions(
    client_python: Path, server: ServerProcess, tmp_path: Path
) -> None:
    key = admin_key(server)
    admin = [str(client_python), "-I", str(ADMIN_EXAMPLE)]
    run = run_admin(admin, server, key, cwd=tmp_path, label="py")
    check_admin(run, server, key)

    # The README shows this very output, step by step.
    shown = README.read_text().split("The admin example's output")[1]
    shown = shown.split("```text\n")[1].split("```")[0].splitlines()
    assert [json.loads(line)["step"] for line in shown] == run.order
    printed = [json.dumps(run.steps[step]) for step in run.order]
    for expected, actual in zip(shown, printed, strict=True):
        assert matches(expected, actual), f"README shows {expected!r}, the example said {actual!r}"


def test_admin_example_stops_at_once_without_the_admin_scope(
    client_python: Path, server: ServerProcess, tmp_path: Path
) -> None:
    key = admin_key(server, scopes="SignIn,VerifySession")
    admin = [str(client_python), "-I", str(ADMIN_EXAMPLE)]
    run = run_admin(admin, server, key, cwd=tmp_path, label="py", check=False)
    check_admin_refused(run)
    # One line that says why, never a traceback, as the README shows it.
    (said,) = run.stderr.strip().splitlines()
    shown = README.read_text().split("With a key that lacks the `admin` scope")[1]
    assert matches(shown.split("```text\n")[1].split("```")[0].strip(), said), said


def test_admin_client_ends_every_session_and_names_what_is_missing(server: ServerProcess) -> None:
    key = admin_key(server)
    address = f"admin-{uuid.uuid4().hex[:12]}@example.com"
    username = f"grace-{uuid.uuid4().hex[:8]}"
    with pgc.AdminClient(server.target, key) as admin, pgc.AuthClient(server.target, key) as auth:
        user = admin.create_user(email=address, password=STRONG, username=username)
        assert (user.email, user.username, user.disabled) == (address, username, False)
        assert auth.sign_in(username=username, password=STRONG).user_id == user.user_id
        sessions = [auth.sign_in(email=address, password=STRONG) for _ in range(2)]

        assert admin.revoke_all_user_sessions(user.user_id) == 3
        assert admin.list_user_sessions(user.user_id) == []
        for session in sessions:
            with pytest.raises(pgc.SessionInvalid):
                auth.verify_session(session.token)

        with pytest.raises(pgc.UserNotFound):
            admin.list_user_sessions(f"usr_{uuid.uuid4().hex}")
        with pytest.raises(pgc.SessionNotFound):
            admin.revoke_user_session(user.user_id, f"ses_{uuid.uuid4().hex[:16]}")
        with pytest.raises(pgc.PasswordPolicyViolation):
            admin.create_user(email=f"weak-{address}", password="password")
    with pgc.AdminClient(server.target, server.api_key) as not_admin:
        with pytest.raises(pgc.ApiKeyScope):
            not_admin.list_user_sessions(user.user_id)


def test_the_example_type_checks_against_the_installed_wheel(
    client_python: Path, tmp_path: Path
) -> None:
    """py.typed works: mypy, looking only at the fresh environment, accepts the examples."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
         "--python-executable", str(client_python), "--cache-dir", str(tmp_path / "mypy"),
         str(EXAMPLE), str(ADMIN_EXAMPLE)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


# --- the README and the public API -------------------------------------------


def test_readme_includes_the_examples_verbatim() -> None:
    for example in (EXAMPLE, ADMIN_EXAMPLE):
        assert f"```python\n{example.read_text()}```\n" in README.read_text(), example.name


def test_readme_snippets_compile_and_import_only_public_names() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
    assert len(blocks) >= 2
    for block in blocks:
        compile(block, "README.md", "exec")
        for imported in re.findall(r"^from passgate\.client import \(?([^)]*?)\)?$", block,
                                   flags=re.MULTILINE | re.DOTALL):  # fmt: skip
            names = {name.strip() for name in imported.replace("\n", ",").split(",")} - {""}
            assert names <= set(pgc.__all__), names - set(pgc.__all__)


def test_public_api_is_exactly_all() -> None:
    public = {name for name in vars(pgc) if not name.startswith("_")}
    assert public == set(pgc.__all__)
    assert len(pgc.__all__) == len(set(pgc.__all__))
    for name in pgc.__all__:
        member = getattr(pgc, name)
        if isinstance(member, type) or callable(member):
            assert member.__module__ == "passgate.client", name


def test_every_module_but_the_package_is_private() -> None:
    modules = {path.stem for path in PACKAGE.glob("*.py")}
    assert "__init__" in modules
    assert all(name.startswith("_") for name in modules), sorted(modules)
    assert (PACKAGE / "py.typed").is_file()


def test_tls_credentials_refuse_a_client_certificate_without_its_key(tmp_path: Path) -> None:
    """A half-given pair is a mistake at construction, not a handshake failure later."""
    pem = tmp_path / "ca.pem"
    pem.write_text("placeholder\n")
    with pytest.raises(ValueError, match="go together"):
        pgc.tls_credentials(pem, client_cert=pem)
    with pytest.raises(FileNotFoundError):
        pgc.tls_credentials(tmp_path / "absent.pem")


def test_tokens_stay_out_of_reprs() -> None:
    session = pgc.Session(token="pgs_secret", user_id="usr_1", expires_at=None)  # type: ignore[arg-type]
    renewed = pgc.RenewedSession(token="pgs_secret", expires_at=None)  # type: ignore[arg-type]
    client = pgc.AuthClient("127.0.0.1:1", "pgk_secret")
    admin = pgc.AdminClient("127.0.0.1:1", "pgk_secret")
    try:
        for value in (session, renewed, client, admin):
            assert "secret" not in repr(value)
    finally:
        client.close()
        admin.close()
