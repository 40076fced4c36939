"""Failed sign-in throttling: per account, whatever identifier was typed, and
per normalised text for identifiers that match nobody, so the answers never
tell known from unknown. Delays grow and expire; nothing locks for good."""

from __future__ import annotations

import time
from collections.abc import Callable

from passgate.clock import Clock
from passgate.errors import PassgateError, RateLimited, ServiceUnavailable
from passgate.identity.identifiers import Identifier
from passgate.limits.policy import ThrottlePolicy
from passgate.limits.store import LimitStore

SUBJECT = "sign-in attempts"


def account_key(tenant_id: str, user_id: str) -> str:
    return f"signin:{tenant_id}:user:{user_id}"


def sign_in_key(tenant_id: str, user_id: str | None, identifier: Identifier) -> str:
    """The account's key when the identifier matched a user, else the typed text's."""
    if user_id is not None:
        return account_key(tenant_id, user_id)
    return f"signin:{tenant_id}:name:{identifier.throttle_key}"


class Attempt:
    """One admitted sign-in attempt: it fails unless `succeeded()` is called
    before the block ends, so a refusal of any kind counts. An attempt broken
    off by something that is not a refusal (the database cannot be written)
    judged no password, so it only frees its slot: the only such errors after
    a password was checked come after a correct one."""

    def __init__(self, throttle: SignInThrottle, key: str) -> None:
        self._throttle = throttle
        self._key = key
        self._succeeded = False
        self._undecided = False

    def succeeded(self) -> None:
        self._succeeded = True

    @property
    def passed(self) -> bool:
        return self._succeeded

    def undecided(self) -> None:
        """The attempt turned out to judge nothing (what it came to change ended
        while its password was checked): it only frees its slot."""
        self._undecided = True

    def __enter__(self) -> Attempt:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        if self._succeeded:
            failed: bool | None = False
        elif self._undecided:
            failed = None
        elif exc is None or (
            isinstance(exc, PassgateError) and not isinstance(exc, ServiceUnavailable)
        ):
            failed = True
        else:
            failed = None
        self._throttle.settle(self._key, failed=failed)


class SignInThrottle:
    """Admits each attempt atomically, counting those still being checked, on
    every process that shares the limits store: however many arrive at once,
    no more passwords are checked than if they had come one by one."""

    # Attempts that find every slot held by attempts still being checked wait
    # for those to settle (a bcrypt verification each), asking this often, for
    # at most this long.
    POLL_SECONDS = 0.005
    MAX_WAIT_SECONDS = 10.0

    def __init__(
        self,
        store: LimitStore,
        clock: Clock,
        policy: ThrottlePolicy,
        before_wait: Callable[[], None] | None = None,
    ) -> None:
        """`before_wait` runs before each wait for a slot: it hands back the
        thread's pooled database connection."""
        self._store = store
        self._clock = clock
        self.policy = policy
        self._before_wait = before_wait

    def attempt(self, key: str) -> Attempt:
        """An admitted attempt, to be used as a context manager; RateLimited
        while a delay runs."""
        deadline = time.monotonic() + self.MAX_WAIT_SECONDS
        while True:
            admission = self._store.admit(key, self._clock, self.policy)
            if admission.admitted:
                return Attempt(self, key)
            if admission.retry_after > 0 or time.monotonic() >= deadline:
                raise RateLimited(
                    admission.retry_after or self.policy.first,
                    subject=SUBJECT,
                    description="too many failed sign-ins: wait, or reset the password",
                )
            if self._before_wait is not None:
                self._before_wait()
            # Real time, not the injected clock: this waits for other threads' bcrypt.
            time.sleep(self.POLL_SECONDS)

    def settle(self, key: str, *, failed: bool | None) -> None:
        self._store.settle(key, self._clock, self.policy, failed)

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
        state = self._store.settle(key, self._clock, self._policy, failed=True)
        if state.failures >= self.limit:
            self._store.clear(key)
            return True
        return False
