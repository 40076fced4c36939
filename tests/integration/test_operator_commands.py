"""The everyday commands an operator runs against a live server's database:
finding and listing users, tenants and keys, and reading the newest reset
link, each through the real command line."""

from __future__ import annotations

import importlib.metadata
import json
import re
import sqlite3
import uuid
from pathlib import Path

import grpc
from rpc_support import Client
from server_support import UserFactory, server_process, wait_for_lines

from passgate.testing import ServerProcess


def _json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def test_user_find_by_email_username_search_key_or_id(
    server: ServerProcess, make_user: UserFactory
):
    name = f"finder{uuid.uuid4().hex[:8]}"
    user = make_user(username=name, search_key=("crm_id", name))
    for how in (
        [user.email.upper()],
        [name],
        [user.user_id],
        ["--search-key", f"crm_id={name}"],
    ):
        found = server.cli("user", "find", *how, "--json")
        assert [row["id"] for row in _json_lines(found.stdout)] == [user.user_id], how
        assert "passgate: database " in found.stderr
    table = server.cli("user", "find", user.email).stdout.splitlines()
    assert table[0].split()[:3] == ["ID", "TENANT", "EMAIL"]
    assert user.user_id in table[1] and "T" in table[1].split()[-1]  # ISO 8601 time
    missing = server.cli("user", "find", "nobody-at-all@example.com", check=False)
    assert missing.returncode == 1 and "no user matches" in missing.stderr


def test_user_list_pages_through_every_user(server: ServerProcess, make_user: UserFactory):
    tenant = f"paged-{uuid.uuid4().hex[:8]}"
    server.cli("tenant", "create", tenant)
    made = sorted(make_user(tenant=tenant).user_id for _ in range(5))
    seen: list[str] = []
    after: list[str] = []
    while True:
        page = server.cli("user", "list", "--tenant", tenant, "--limit", "2", "--json", *after)
        seen += [str(row["id"]) for row in _json_lines(page.stdout)]
        if "more users: --after" not in page.stderr:
            break
        after = ["--after", seen[-1]]
    assert seen == made


def test_tenant_list_and_the_reset_url_allow_list_grows_and_shrinks(server: ServerProcess):
    tenant = f"urls-{uuid.uuid4().hex[:8]}"
    server.cli("tenant", "create", tenant)
    first, second = "https://a.example/reset", "https://b.example/reset"
    server.cli("tenant", "allow-reset-url", first, second, "--tenant", tenant)
    server.cli("tenant", "disallow-reset-url", first, "--tenant", tenant)
    rows = {row["id"]: row for row in _json_lines(server.cli("tenant", "list", "--json").stdout)}
    assert rows[tenant]["reset_urls"] == [second]
    assert "default" in rows
    assert tenant in server.cli("tenant", "list").stdout


def test_apikey_list_is_a_table_with_iso_times_and_json_lines_on_request(
    server: ServerProcess,
):
    name = f"listed-{uuid.uuid4().hex[:8]}"
    server.create_api_key(name)
    table = server.cli("apikey", "list").stdout.splitlines()
    assert table[0].split()[:3] == ["ID", "NAME", "TENANT"]
    (line,) = [row for row in table if name in row]
    assert "T" in line.split()[5] and line.split()[5].endswith("Z")
    (entry,) = [
        e for e in _json_lines(server.cli("apikey", "list", "--json").stdout) if e["name"] == name
    ]
    assert str(entry["created_at"]).endswith("Z") and entry["revoked"] is False


def test_mail_last_prints_the_newest_reset_link_to_an_address(
    server: ServerProcess, client: Client, make_user: UserFactory
):
    user = make_user()
    client.request_reset(user.email)
    mail = ["mail", "last", "--to", user.email, "--mail-dir", str(server.mail_dir), "--wait", "15"]
    link = server.cli(*mail).stdout.strip()
    assert link.startswith("http://localhost:8080/reset?user=")
    assert server.cli(*mail, "--print", "user").stdout.strip() == user.user_id
    token = server.cli(*mail, "--print", "token").stdout.strip()
    assert token.startswith("pgr_") and token in link
    details = json.loads(server.cli(*mail, "--print", "json").stdout)
    assert details["to"] == user.email and details["token"] == token


def test_every_command_names_the_database_it_used(server: ServerProcess):
    on_sqlite = server.database_url.startswith("sqlite:")
    database = str(server.workdir / "passgate.db") if on_sqlite else server.database_url
    serving = [line for line in server.log_text().splitlines() if '"msg":"serving"' in line]
    assert serving and json.loads(serving[0])["database"] == database
    for command in (("apikey", "list"), ("tenant", "list"), ("user", "list", "--limit", "1")):
        assert f"passgate: database {database}" in server.cli(*command).stderr, command


def test_mail_last_since_skips_older_links(
    server: ServerProcess, client: Client, make_user: UserFactory
):
    user = make_user()
    client.request_reset(user.email)
    mail = ["mail", "last", "--to", user.email, "--mail-dir", str(server.mail_dir)]
    assert server.cli(*mail, "--wait", "15").returncode == 0
    later = server.cli(*mail, "--since", "2999-01-01T00:00:00Z", check=False)
    assert later.returncode == 2 and "no reset link to" in later.stderr


def test_a_mistake_in_a_new_command_gets_one_line_saying_what_to_do(server: ServerProcess):
    long_id = "x" * 5000
    for args, expected in (
        (
            ("tenant", "create", f"named-{uuid.uuid4().hex[:8]}", "--name", "n" * 200),
            "passgate: tenant create: Ensure this field has no more than 128 characters.",
        ),
        (("user", "get", long_id), "passgate: no user"),
        (("user", "delete", long_id), "passgate: no user"),
        (("apikey", "rotate", long_id), "passgate: no API key"),
    ):
        refused = server.cli(*args, check=False)
        assert refused.returncode == 2, (args, refused.stderr)
        assert "Traceback" not in refused.stderr, args
        # one line from passgate (PostgreSQL may warn on a line before)
        lines = [line for line in refused.stderr.splitlines() if line.startswith("passgate:")]
        assert len(lines) == 1, refused.stderr
        assert lines[0].startswith(expected), (args, refused.stderr)


def test_version_is_told_by_the_command_and_by_the_serving_line(server: ServerProcess):
    """Which release runs: `passgate --version` and the server's first line say
    the installed one, so an operator can tell replicas apart during an upgrade."""
    installed = importlib.metadata.version("passgate")
    told = server.cli("--version")
    assert (told.returncode, told.stdout) == (0, f"passgate {installed}\n")
    serving = [line for line in server.log_text().splitlines() if '"msg":"serving"' in line]
    assert serving and json.loads(serving[0])["version"] == installed


def test_a_server_without_an_api_key_says_how_to_make_one(tmp_path: Path):
    """On a first start every call is refused until a key exists: the server says
    so once (not once per worker) with a command that works as written, and
    says nothing once a key exists."""
    server = server_process(tmp_path / "first", "--workers", "2")
    server.api_key = "none: the test makes the first key itself"
    with server:
        wait_for_lines(server, '"msg":"serving"', 2)
    (line,) = [entry for entry in _json_lines(server.log_text()) if "no API key" in str(entry)]
    assert line["level"] == "warning"
    command = re.search(r"`passgate (apikey create [^`]+)`", str(line["msg"]))
    assert command is not None, line
    made = server.cli(*command.group(1).replace("NAME", "first-backend").split())
    assert made.stdout.strip().splitlines()[-1].startswith("pgk_")
    with server_process(tmp_path / "again", database_url=server.database_url) as again:
        pass
    assert "no API key" not in again.log_text()


def test_a_database_a_newer_passgate_migrated_is_told_once(tmp_path: Path):
    """A release started on a database that a newer one has migrated (a rollback,
    or a replica not yet upgraded) serves, since migrations only add, but says so:
    whatever the newer release added, this one ignores."""
    first = server_process(tmp_path / "first")
    with first:
        pass
    with sqlite3.connect(first.workdir / "passgate.db") as database:
        database.execute("INSERT INTO schema_versions (version, applied_at) VALUES (999, 0)")
    database.close()
    second = server_process(tmp_path / "second", "--workers", "2", database_url=first.database_url)
    second.api_key = first.api_key
    with second:
        wait_for_lines(second, '"msg":"serving"', 2)
    (line,) = [entry for entry in _json_lines(second.log_text()) if "newer passgate" in str(entry)]
    assert line["level"] == "warning"
    assert "999" in str(line["msg"]), line
    told = second.cli("migrate")
    assert "schema is up to date" in told.stdout
    assert "999" in told.stdout and "newer passgate" in told.stdout, told.stdout


def test_a_key_an_older_passgate_stored_with_a_rate_beyond_the_bounds_still_works(
    tmp_path: Path,
):
    """Before rates were bounded (10 years, 10^9 calls), `apikey create --rate
    25/5000000000d` was accepted and stored. Such a key is read at the bound
    (25 calls per 10 years means the same to anyone), so it can still be
    listed, revoked and used, rather than every call it makes answering INTERNAL."""
    with server_process(tmp_path) as server, grpc.insecure_channel(server.target) as channel:
        old = server.create_api_key("old")
        database = sqlite3.connect(tmp_path / "passgate.db")
        with database:
            database.execute("UPDATE api_keys SET rate = '25/5000000000d' WHERE name = 'old'")
            database.execute("UPDATE api_keys SET rate = '99999999999/1s' WHERE name = 'tests'")
        database.close()
        for key in (old, server.api_key):
            refusal = Client(channel, key).verify("no-such-session")
            assert (refusal.code, refusal.reason) == (
                grpc.StatusCode.UNAUTHENTICATED,
                "SESSION_INVALID",
            )
        rates = {
            row["name"]: row["rate"]
            for row in _json_lines(server.cli("apikey", "list", "--json").stdout)
        }
        assert rates == {"old": "25/3650d", "tests": "1000000000/1s"}
