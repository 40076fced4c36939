"""ChangePassword decides inside its transaction, under the user's lock: the
hash its old password was checked against may have been replaced while it
hashed the new one. A re-hash of the same password (a sign-in upgrading its
cost) lets the change through; a hash of another password refuses it, and
nothing changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from rpc_support import NEW_PASSWORD, PASSWORD, THIRD_PASSWORD, Refusal, execute, password_hash
from server_support import in_process

from passgate.identity.passwords import TESTING_COST, PasswordHasher


class ReplacesHashMeanwhile(PasswordHasher):
    """passgate's hasher; once armed, its next `hash` (ChangePassword hashing the
    new password, before its transaction) first commits `replacement` as the
    user's hash from a connection of its own, as a concurrent writer would."""

    def __init__(self) -> None:
        super().__init__(TESTING_COST)
        self.armed: tuple[Path, str, str] | None = None

    def hash(self, password: str) -> str:
        armed, self.armed = self.armed, None
        if armed is not None:
            database, user_id, replacement = armed
            execute(
                database, "UPDATE users SET password_hash = ? WHERE id = ?", (replacement, user_id)
            )
        return super().hash(password)


@pytest.fixture
def hasher() -> ReplacesHashMeanwhile:
    return ReplacesHashMeanwhile()


def test_a_rehash_of_the_same_password_meanwhile_lets_the_change_through(
    tmp_path: Path, hasher: ReplacesHashMeanwhile
):
    with in_process(tmp_path, hasher=hasher) as srv:
        user = srv.create_user(PASSWORD)
        session = srv.client.sign_in(user.email, PASSWORD).session_token
        rehashed = PasswordHasher(TESTING_COST).hash(PASSWORD)
        hasher.armed = (srv.database, user.user_id, rehashed)

        changed = srv.client.change_password(session, PASSWORD, NEW_PASSWORD)

        assert not isinstance(changed, Refusal), changed
        assert hasher.armed is None  # the hash was replaced before the transaction
        assert password_hash(srv.database, user.user_id) != rehashed
        assert not srv.client.is_live(session)
        assert srv.client.is_live(changed.session_token)
        assert srv.client.sign_in(user.email, NEW_PASSWORD).user_id == user.user_id


def test_a_hash_of_another_password_meanwhile_refuses_the_change_and_changes_nothing(
    tmp_path: Path, hasher: ReplacesHashMeanwhile
):
    with in_process(tmp_path, hasher=hasher) as srv:
        user = srv.create_user(PASSWORD)
        session = srv.client.sign_in(user.email, PASSWORD).session_token
        imported = PasswordHasher(TESTING_COST).hash(THIRD_PASSWORD)
        hasher.armed = (srv.database, user.user_id, imported)

        refused = srv.client.change_password(session, PASSWORD, NEW_PASSWORD)

        assert isinstance(refused, Refusal)
        assert refused.reason == "INVALID_CREDENTIALS"
        assert password_hash(srv.database, user.user_id) == imported
        assert srv.client.is_live(session)
        assert srv.client.sign_in(user.email, THIRD_PASSWORD).user_id == user.user_id
