"""Failed sign-in throttling: per account, whatever identifier was typed, and
per normalised text for identifiers that match nobody, so the answers never
tell known from unknown. Delays grow and expire; nothing locks for good."""

from __future__ import annotations

from passgate.clock import Clock
from passgate.errors import RateLimited
from passgate.identity.identifiers import Identifier
from passgate.limits.store import LimitStore, ThrottlePolicy, ThrottleState

SUBJECT = "sign-in attempts"


def account_key(tenant_id: str, user_id: str) -> str:
    return f"signin:{tenant_id}:user:{user_id}"


def sign_in_key(tenant_id: str, user_id: str | None, identifier: Identifier) -> str:
    """The account's key when the identifier matched a user, else the typed text's."""
    if user_id is not None:
        return account_key(tenant_id, user_id)
    return f"signin:{tenant_id}:name:{identifier.throttle_key}"


class SignInThrottle:
    def __init__(self, store: LimitStore, clock: Clock, policy: ThrottlePolicy) -> None:
        self._store = store
        self._clock = clock
        self.policy = policy

    def check(self, key: str) -> ThrottleState:
        """The key's state; RateLimited while a delay runs."""
        now = self._clock.now()
        state = self._store.throttle_state(key, now, self.policy)
        wait = state.retry_after(now)
        if wait > 0:
            raise RateLimited(
                wait,
                subject=SUBJECT,
                description="too many failed sign-ins: wait, or reset the password",
            )
        return state

    def failed(self, key: str) -> None:
        self._store.record_failure(key, self._clock, self.policy)

    def succeeded(self, key: str, state: ThrottleState) -> None:
        """A success wipes the count (a write only when there was one)."""
        if state.failures:
            self._store.clear(key)

    def clear(self, key: str) -> None:
        self._store.clear(key)


class WrongTokenCounter:
    """Counts wrong reset tokens per user key; the caller kills the user's
    tokens when `limit` is reached."""

    def __init__(self, store: LimitStore, clock: Clock, limit: int, window: float) -> None:
        self._store = store
        self._clock = clock
        self.limit = limit
        # A policy that never delays: only the count matters here.
        self._policy = ThrottlePolicy(free=2**31, forget_after=window)

    def wrong(self, tenant_id: str, user_id: str) -> bool:
        """Counts one wrong token; True when the limit is reached (and the count restarts)."""
        key = f"reset-token:{tenant_id}:{user_id}"
        state = self._store.record_failure(key, self._clock, self._policy)
        if state.failures >= self.limit:
            self._store.clear(key)
            return True
        return False
