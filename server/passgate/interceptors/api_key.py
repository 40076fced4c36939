"""The API-key check: every AuthService call, and every unknown method, must
carry a live key allowed to call it. A key costs one SHA-256, and one indexed
read the first time a well-formed one is seen; a malformed one never reaches
the database (see passgate/identity/apikeys.py). A key bound to a client
certificate is compared with the call's verified subject (recorded before this
check by `ClientCertificate`, over mutual TLS only) in the cached record, in
either order of the subject's parts (`client_certificates.matches`): a string
comparison, and two cached look-ups when the strings differ; no read.

A refused key is not free: the call is charged to the budgets of the caller's
address (`refusals_charged_to`), so guessing keys spends the same budget as
any other call from there, and is answered RESOURCE_EXHAUSTED once it is spent."""

from __future__ import annotations

from collections.abc import Awaitable

from passgate.errors import ApiKeyInvalid, ApiKeyScope, ClientCertificateMismatch
from passgate.identity import client_certificates
from passgate.identity.apikeys import ApiKeys
from passgate.identity.records import ApiKeyRecord
from passgate.interceptors.call import CallRecord
from passgate.interceptors.handlers import CallCheck, Check, Context, method_name

API_KEY_HEADER = "x-api-key"
ADMIN_PREFIX = "/passgate.admin.v1.AdminService/"
_KEYS_TRIED = 4  # x-api-key entries looked up per call, at most


class ApiKeyGate(CallCheck):
    def __init__(
        self,
        keys: ApiKeys,
        open_prefixes: tuple[str, ...],
        refusals_charged_to: CallCheck | None = None,
    ) -> None:
        self._keys = keys
        self._open_prefixes = open_prefixes  # health checking, reflection
        # Run on calls refused for their key, which carry no key: the address budgets.
        self._refusals_charged_to = refusals_charged_to

    def check_for(self, full_method: str) -> Check | None:
        if full_method.startswith(self._open_prefixes):
            return None
        method = method_name(full_method)
        # AdminService answers only keys given the admin scope by name; a key
        # allowed every AuthService RPC (no scopes) is not an admin key.
        admin = full_method.startswith(ADMIN_PREFIX)
        charge_refusal = (
            None
            if self._refusals_charged_to is None
            else self._refusals_charged_to.check_for(full_method)
        )

        def check(call: CallRecord, context: Context) -> Awaitable[None] | None:
            key = self.authenticate(context)
            if key is None:
                if charge_refusal is not None:
                    # raises RateLimited once the budget is spent
                    pending = charge_refusal(call, context)
                    if pending is not None:
                        return _refused_after(pending)
                raise ApiKeyInvalid()
            call.api_key = key
            bound_to = key.client_cert_subject
            if bound_to is not None and not client_certificates.matches(bound_to, call.client_cert):
                raise ClientCertificateMismatch(presented=call.client_cert is not None)
            if not (key.is_admin() if admin else key.allows(method)):
                raise ApiKeyScope()
            return None

        return check

    def authenticate(self, context: Context) -> ApiKeyRecord | None:
        """The first live key among the call's first four `x-api-key` entries;
        None when there is none. (Read straight from the metadata: on every call.)"""
        tried = 0
        for name, value in context.invocation_metadata() or ():
            if name == API_KEY_HEADER:
                key = self._keys.live(str(value).strip())
                if key is not None:
                    return key
                tried += 1
                if tried == _KEYS_TRIED:
                    break
        return None


async def _refused_after(charging: Awaitable[None]) -> None:
    """A refused key once its address budgets, charged over the network, are."""
    await charging
    raise ApiKeyInvalid()
