"""Live sessions and API keys are kept in memory by each server process, yet an
ending anywhere (another process, the CLI) is seen by the very next call."""

from __future__ import annotations

from pathlib import Path

import grpc
from engines import EngineDatabase
from rpc_support import PASSWORD, Client, query
from server_support import UserFactory, key_id, running

from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.testing import ServerProcess


def test_an_ending_in_one_process_is_seen_at_once_by_another(
    tmp_path: Path, database: EngineDatabase
) -> None:
    with (
        ServerProcess(tmp_path / "a", **database.server_kw()) as first,
        ServerProcess(tmp_path / "b", **database.server_kw()) as second,
        grpc.insecure_channel(first.target) as one,
        grpc.insecure_channel(second.target) as two,
    ):
        key = first.create_api_key("shared")
        a, b = Client(one, key), Client(two, key)
        users = UserFactory(first)
        signed_out, changed, disabled = users(), users(), users()
        sessions = {
            u.email: a.sign_in(u.email, PASSWORD).session_token
            for u in (signed_out, changed, disabled)
        }
        for token in sessions.values():
            assert b.is_live(token) and b.is_live(token)  # read once, then kept

        a.call("SignOut", pb.SignOutRequest(), session=sessions[signed_out.email])
        assert not b.is_live(sessions[signed_out.email])
        assert b.is_live(sessions[changed.email])

        a.change_password(sessions[changed.email], PASSWORD, PASSWORD + "-2")
        assert not b.is_live(sessions[changed.email])

        first.cli("user", "disable", disabled.user_id)
        assert not b.is_live(sessions[disabled.email])

        new_session = a.sign_in(changed.email, PASSWORD + "-2").session_token
        assert b.is_live(new_session)
        first.cli("apikey", "revoke", key_id(first, "shared"))
        refusal = b.refuse("VerifySession", pb.VerifySessionRequest(session_token=new_session))
        assert refusal.code == grpc.StatusCode.UNAUTHENTICATED
        assert refusal.reason == "API_KEY_INVALID"


def test_a_new_session_elsewhere_does_not_empty_the_memory(tmp_path: Path) -> None:
    """Only endings move the revocation generation; sign-ins, mail and the like do not."""
    db_path = tmp_path / "shared.db"
    with running(tmp_path / "a", database_url=f"sqlite:///{db_path}") as (server, client):
        before = _generation(db_path)
        users = UserFactory(server)
        for user in (users(), users()):
            token = client.sign_in(user.email, PASSWORD).session_token
            assert client.is_live(token)
        client.request_reset(users().email)
        assert _generation(db_path) == before


def _generation(db_path: Path) -> int:
    return int(query(db_path, "SELECT generation FROM revocations")[0][0])
