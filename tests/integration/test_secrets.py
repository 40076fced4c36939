"""Secrets stay secret: planted marker passwords, session tokens, reset tokens
and API keys never show in the server log, in any refusal, or in the bytes of
the SQLite files; tokens carry their prefixes; the log has one JSON line per
call with what an operator needs and nothing more."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

import grpc
import pytest
from rpc_support import (
    Client,
    Refusal,
    database_bytes,
    query,
    sqlite_file,
    wait_links_to,
)
from server_support import UserFactory, key_id, running

from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.testing import ServerProcess


def marker(label: str) -> str:
    """A password no policy refuses and no other text contains."""
    return f"Mk{label}-{uuid.uuid4().hex[:16]}-9!"


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, Client]]:
    with running(tmp_path_factory.mktemp("secrets")) as pair:
        yield pair


def test_planted_secrets_never_leak(own: tuple[ServerProcess, Client]) -> None:
    server, client = own
    database = sqlite_file(server.database_url)
    second_key = server.create_api_key("second")
    passwords = {name: marker(name) for name in ("first", "wrong", "second", "third")}
    weak = {name: f"weak{uuid.uuid4().hex[:12]}" for name in ("change", "reset")}
    user = UserFactory(server)(passwords["first"])
    refusals: list[Refusal] = []

    def refused(result: object) -> None:
        assert isinstance(result, Refusal), result
        refusals.append(result)

    first = client.sign_in(user.email, passwords["first"]).session_token
    refused(
        client.outcome("SignIn", pb.SignInRequest(email=user.email, password=passwords["wrong"]))
    )
    refused(client.change_password(first, passwords["wrong"], passwords["second"]))
    refused(client.change_password(first, passwords["first"], weak["change"]))
    refused(client.change_password(first, passwords["first"], passwords["second"], weak["change"]))
    changed = client.change_password(first, passwords["first"], passwords["second"])
    assert isinstance(changed, pb.ChangePasswordResponse)
    second = changed.session_token
    refused(client.verify(first))

    other = Client(client.channel, second_key)
    other.request_reset(user.email)
    link = wait_links_to(server.mail_dir, user.email)[-1]
    refused(other.submit_reset(link, weak["reset"]))
    assert other.submit_reset(link, passwords["third"]) == pb.SubmitResetResponse()
    refused(other.submit_reset(link, passwords["third"]))
    refused(other.verify(second))
    refused(
        client.outcome("SignIn", pb.SignInRequest(email=user.email, password=passwords["first"]))
    )
    deadline = time.monotonic() + 15
    while query(database, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") != [(0,)]:
        assert time.monotonic() < deadline, "the reset mail was never marked sent"
        time.sleep(0.05)

    tokens = {"session": first, "changed_session": second, "reset": link.token}
    keys = {"api_key": server.api_key, "second_api_key": second_key}
    assert tokens["session"].startswith("pgs_") and tokens["changed_session"].startswith("pgs_")
    assert tokens["reset"].startswith("pgr_")
    assert keys["api_key"].startswith("pgk_") and keys["second_api_key"].startswith("pgk_")
    secrets = {**passwords, **weak, **tokens, **keys}
    # The bodies of tokens and keys alone, in case a prefix is stripped before storing.
    secrets |= {f"{name}_body": value[4:] for name, value in {**tokens, **keys}.items()}

    # The database does hold the sessions and the token, in some form.
    assert query(database, "SELECT COUNT(*) FROM sessions WHERE user_id = ?", (user.user_id,)) == [
        (2,)
    ]
    assert query(
        database, "SELECT COUNT(*) FROM reset_tokens WHERE user_id = ?", (user.user_id,)
    ) == [(1,)]

    def leaks() -> dict[str, list[str]]:
        places = {
            "log": server.log_text().encode(),
            "refusals": "\n".join(r.text() for r in refusals).encode(),
            "database": database_bytes(database),
        }
        return {
            name: sorted(where for where, data in places.items() if value.encode() in data)
            for name, value in secrets.items()
        }

    def searched_places_are_real() -> None:
        # What may be there is found, so an absence means something.
        assert user.email.encode() in database_bytes(database)
        assert "/passgate.auth.v1.AuthService/SignIn" in server.log_text()
        assert any(r.reason == "INVALID_CREDENTIALS" for r in refusals)

    nowhere: dict[str, list[str]] = {name: [] for name in secrets}
    searched_places_are_real()
    assert leaks() == nowhere
    assert server.stop() == 0
    searched_places_are_real()
    assert leaks() == nowhere


def test_one_json_log_line_per_call(
    server: ServerProcess, shared_channel: grpc.Channel, make_user: UserFactory
) -> None:
    name = f"logged-{uuid.uuid4().hex[:8]}"
    secret = server.create_api_key(name)
    caller = Client(shared_channel, secret)
    password = marker("log")
    user = make_user(password)
    token = caller.sign_in(user.email, password).session_token
    caller.refuse("SignIn", pb.SignInRequest(email=user.email, password=password + "x"))
    caller.verify(token)
    caller.call("SignOut", pb.SignOutRequest(), session=token)
    expected = [
        ("/passgate.auth.v1.AuthService/SignIn", "OK"),
        ("/passgate.auth.v1.AuthService/SignIn", "UNAUTHENTICATED"),
        ("/passgate.auth.v1.AuthService/VerifySession", "OK"),
        ("/passgate.auth.v1.AuthService/SignOut", "OK"),
    ]
    key = key_id(server, name)
    deadline = time.monotonic() + 10
    while True:
        entries = [
            json.loads(line) for line in server.log_text().splitlines() if line.startswith("{")
        ]
        mine = [entry for entry in entries if entry.get("key_id") == key]
        if len(mine) >= len(expected) or time.monotonic() > deadline:
            break
        time.sleep(0.05)

    assert [(e["method"], e["code"]) for e in mine] == expected
    for entry in mine:
        assert entry["tenant"] == "default"
        assert isinstance(entry["ms"], int | float) and entry["ms"] >= 0
    log = server.log_text()
    for secret_text in (password, password + "x", token, secret, secret[4:], token[4:]):
        assert secret_text not in log
