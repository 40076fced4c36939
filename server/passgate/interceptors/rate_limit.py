"""Call budgets per API key and per client address, charged together after
the API-key check and before any database or bcrypt work. A call refused for
its key is charged its address budgets alone (the API-key check runs this
check for it), so guessing keys is never free.

The check runs on the event loop for every call: a SQLite store is charged
there and then (microseconds, no round trip), a store across the network
(Redis) is awaited, so the loop serves other calls while it answers."""

from __future__ import annotations

from passgate.clock import Clock
from passgate.errors import RateLimited
from passgate.identity.records import ApiKeyRecord
from passgate.interceptors.call import CallRecord
from passgate.interceptors.handlers import CallCheck, Check, Context, metadata_values, method_name
from passgate.limits.client_address import FORWARDED_FOR, Network, client_address, peer_host
from passgate.limits.policy import Budget, Denial
from passgate.limits.store import AwaitedLimitStore, LimitStore
from passgate.rates import Rate

_SUBJECTS = {
    "key": "API key",
    "ip": "client address",
    "ip-RequestReset": "reset requests per address",
}


class RateLimitGate(CallCheck):
    _KNOWN_LIMIT = 4096  # budget lists kept; forgotten all at once when full

    def __init__(
        self,
        store: LimitStore,
        clock: Clock,
        *,
        key_rate: Rate,
        ip_rate: Rate,
        trusted_proxies: tuple[Network, ...],
        open_prefixes: tuple[str, ...],
        method_ip_rates: dict[str, Rate] | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._key_rate = key_rate
        self._ip_rate = ip_rate
        self._proxies = trusted_proxies
        self._open_prefixes = open_prefixes
        # Extra per-address budgets for costly methods, e.g. {"RequestReset": 30/1m}.
        self._method_ip_rates = method_ip_rates or {}
        self._known: dict[tuple[str, str | None, str], tuple[Budget, ...]] = {}

    def check_for(self, full_method: str) -> Check | None:
        if full_method.startswith(self._open_prefixes):
            return None
        method = method_name(full_method)
        proxies = self._proxies
        store, clock = self._store, self._clock

        def budgets(call: CallRecord, context: Context) -> tuple[Budget, ...]:
            if proxies:  # x-forwarded-for is read only where a proxy is trusted to write it
                forwarded = metadata_values(context, FORWARDED_FOR)
                address = call.forwarded_client = client_address(call.peer, forwarded, proxies)
                return self._budgets(method, call.api_key, address)
            return self._budgets(method, call.api_key, call.peer)

        if isinstance(store, AwaitedLimitStore):
            network = store

            async def charge_over_network(call: CallRecord, context: Context) -> None:
                denial = await network.charge_async(budgets(call, context), clock)
                if denial is not None:
                    raise _refusal(denial, call.api_key)

            return charge_over_network

        def charge(call: CallRecord, context: Context) -> None:
            denial = store.charge(budgets(call, context), clock)
            if denial is not None:
                raise _refusal(denial, call.api_key)

        return charge

    def _budgets(self, method: str, key: ApiKeyRecord | None, origin: str) -> tuple[Budget, ...]:
        """The budgets a call charges, made once per method, key and origin (a
        key's rate never changes: keys are only ever revoked); without a key,
        only the address's. The origin is the client address a trusted proxy
        forwarded for; without trusted proxies, the peer itself (`ipv4:…:port`),
        whose host is the address: kept by peer, a call on a connection seen
        before skips parsing it."""
        known_as = (method, None if key is None else key.id, origin)
        budgets = self._known.get(known_as)
        if budgets is None:
            address = origin if self._proxies else peer_host(origin)
            found = [Budget(f"ip:{address}", self._ip_rate)]
            method_rate = self._method_ip_rates.get(method)
            if method_rate is not None:
                found.append(Budget(f"ip-{method}:{address}", method_rate))
            if key is not None:
                found.insert(0, Budget(f"key:{key.id}", key.rate or self._key_rate))
            budgets = tuple(found)
            if len(self._known) >= self._KNOWN_LIMIT:
                self._known.clear()
            self._known[known_as] = budgets
        return budgets


def _refusal(denial: Denial, key: ApiKeyRecord | None) -> RateLimited:
    kind, _, _ = denial.budget.key.partition(":")
    subject = f"key:{key.id}" if kind == "key" and key is not None else kind
    return RateLimited(
        denial.retry_after,
        subject=subject,
        description=f"{_SUBJECTS.get(kind, kind)} budget of {denial.budget.rate} spent",
    )
