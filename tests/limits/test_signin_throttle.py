"""Failed sign-in throttling: per account whatever was typed, alike for
unknown identifiers, growing delays that expire, never a permanent lock."""

from __future__ import annotations

from pathlib import Path

import grpc
from engines import EngineDatabase
from rpc import metadata, pb, refused, stub

from passgate.testing import ServerProcess, in_process_server

PW = "Correct-Horse-9-battery"
WRONG = "Wrong-Horse-9-battery"
NEW = "Another#Strong-Pass-42"
EXHAUSTED = grpc.StatusCode.RESOURCE_EXHAUSTED
UNAUTHENTICATED = grpc.StatusCode.UNAUTHENTICATED


def sign_in(api, key: str, password: str, **identifier):
    return api.SignIn(pb.SignInRequest(password=password, **identifier), metadata=metadata(key))


def test_five_free_failures_then_doubling_delays_that_expire(
    tmp_path: Path, database: EngineDatabase
):
    with in_process_server(tmp_path, **database.settings()) as srv, stub(srv.target) as api:
        srv.create_user("alice@example.com", PW, username="alice")
        for _ in range(5):
            assert refused(sign_in, api, srv.api_key, WRONG, email="alice@example.com").code == (
                UNAUTHENTICATED
            )
        # the sixth failure still answers INVALID_CREDENTIALS, and starts a 1 s delay
        assert (
            refused(sign_in, api, srv.api_key, WRONG, username="alice").reason
            == "INVALID_CREDENTIALS"
        )
        delays = []
        for _ in range(4):
            blocked = refused(sign_in, api, srv.api_key, PW, email="ALICE@example.com")
            assert blocked.code == EXHAUSTED  # even the right password waits
            assert blocked.quota_subjects == ["sign-in attempts"]
            delays.append(blocked.retry_delay)
            srv.clock.advance(blocked.retry_delay or 0)
            assert refused(sign_in, api, srv.api_key, WRONG, username="alice").code == (
                UNAUTHENTICATED
            )
        assert delays == [1.0, 2.0, 4.0, 8.0]
        blocked = refused(sign_in, api, srv.api_key, PW, username="alice")
        srv.clock.advance(blocked.retry_delay or 0)
        assert sign_in(api, srv.api_key, PW, username="alice").session_token
        # a success wiped the count: five more free failures
        for _ in range(5):
            assert refused(sign_in, api, srv.api_key, WRONG, username="alice").code == (
                UNAUTHENTICATED
            )


def test_attempts_while_throttled_do_not_extend_the_delay(tmp_path: Path, database: EngineDatabase):
    with (
        in_process_server(tmp_path, **database.settings(), signin_free_failures=0) as srv,
        stub(srv.target) as api,
    ):
        srv.create_user("bob@example.com", PW)
        refused(sign_in, api, srv.api_key, WRONG, email="bob@example.com")
        for _ in range(20):
            srv.clock.advance(0.04)
            assert refused(sign_in, api, srv.api_key, WRONG, email="bob@example.com").code == (
                EXHAUSTED
            )
        srv.clock.advance(0.2)  # 1 s after the failure, however many attempts came between
        assert sign_in(api, srv.api_key, PW, email="bob@example.com").user_id


def test_delays_stop_growing_at_the_ceiling(tmp_path: Path, database: EngineDatabase):
    with (
        in_process_server(
            tmp_path, **database.settings(), signin_free_failures=0, signin_max_delay=900.0
        ) as srv,
        stub(srv.target) as api,
    ):
        srv.create_user("carol@example.com", PW)
        seen = []
        for _ in range(14):
            refused(sign_in, api, srv.api_key, WRONG, email="carol@example.com")
            blocked = refused(sign_in, api, srv.api_key, WRONG, email="carol@example.com")
            seen.append(blocked.retry_delay)
            srv.clock.advance(blocked.retry_delay or 0)
        assert max(d or 0 for d in seen) == 900.0
        assert seen[-1] == 900.0
        assert sign_in(api, srv.api_key, PW, email="carol@example.com").user_id


def test_known_and_unknown_identifiers_answer_byte_identically(
    tmp_path: Path, database: EngineDatabase
):
    with in_process_server(tmp_path, **database.settings()) as srv, stub(srv.target) as api:
        srv.create_user("dave@example.com", PW)
        answers = {"dave@example.com": [], "nobody@example.com": []}
        for step in range(9):
            for email, seen in answers.items():
                try:
                    sign_in(api, srv.api_key, WRONG, email=email)
                except grpc.RpcError as error:
                    seen.append((error.code(), error.details(), tuple(error.trailing_metadata())))
            srv.clock.advance(0.5 if step % 2 else 0.0)
        known, unknown = answers.values()
        assert known == unknown
        assert {code for code, _, _ in known} == {UNAUTHENTICATED, EXHAUSTED}


def test_a_reset_still_works_while_throttled_and_clears_it(
    tmp_path: Path, database: EngineDatabase
):
    with (
        in_process_server(tmp_path, **database.settings(), signin_free_failures=0) as srv,
        stub(srv.target) as api,
    ):
        srv.create_user("erin@example.com", PW)
        refused(sign_in, api, srv.api_key, WRONG, email="erin@example.com")
        assert refused(sign_in, api, srv.api_key, PW, email="erin@example.com").code == EXHAUSTED
        api.RequestReset(
            pb.RequestResetRequest(email="erin@example.com"), metadata=metadata(srv.api_key)
        )
        link = _reset_link(srv)
        api.SubmitReset(
            pb.SubmitResetRequest(user_id=link[0], token=link[1], new_password=NEW),
            metadata=metadata(srv.api_key),
        )
        assert sign_in(api, srv.api_key, NEW, email="erin@example.com").user_id


def test_a_wrong_old_password_in_change_password_counts(tmp_path: Path, database: EngineDatabase):
    with (
        in_process_server(tmp_path, **database.settings(), signin_free_failures=1) as srv,
        stub(srv.target) as api,
    ):
        srv.create_user("fay@example.com", PW)
        session = sign_in(api, srv.api_key, PW, email="fay@example.com").session_token
        change = pb.ChangePasswordRequest(
            old_password=WRONG, new_password=NEW, confirm_password=NEW
        )
        md = metadata(srv.api_key, session)
        assert refused(api.ChangePassword, change, metadata=md).reason == "INVALID_CREDENTIALS"
        assert refused(api.ChangePassword, change, metadata=md).code == UNAUTHENTICATED
        assert refused(sign_in, api, srv.api_key, PW, email="fay@example.com").code == EXHAUSTED


def test_throttles_survive_a_restart_and_hold_across_processes(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    args = ("--signin-free-failures", "1", "--signin-first-delay", "600")
    with ServerProcess(tmp_path / "a", database_url=db, extra_args=args) as first:
        first.create_user("gus@example.com", PW)
        with stub(first.target) as api:
            for _ in range(2):
                refused(sign_in, api, first.api_key, WRONG, email="gus@example.com")
        with ServerProcess(tmp_path / "b", database_url=db, extra_args=args) as second:
            with stub(second.target) as api:
                blocked = refused(sign_in, api, second.api_key, PW, email="gus@example.com")
                assert blocked.code == EXHAUSTED
        key = first.api_key
    with ServerProcess(tmp_path / "c", database_url=db, extra_args=args) as restarted:
        with stub(restarted.target) as api:
            blocked = refused(sign_in, api, key, PW, email="gus@example.com")
            assert blocked.code == EXHAUSTED
            assert 500 < (blocked.retry_delay or 0) <= 600


def _reset_link(srv) -> tuple[str, str]:
    from urllib.parse import parse_qs, urlsplit

    from passgate.mail.templates import find_reset_link

    message = srv.mailer.wait_for(1)[-1]
    query = parse_qs(urlsplit(find_reset_link(message) or "").query)
    return query["user"][0], query["token"][0]
