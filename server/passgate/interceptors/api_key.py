"""The API-key check: every AuthService call, and every unknown method, must
carry a live key allowed to call it. A key costs one SHA-256, and one indexed
read the first time a well-formed one is seen; a malformed one never reaches
the database (see passgate/identity/apikeys.py)."""

from __future__ import annotations

from passgate.errors import ApiKeyInvalid, ApiKeyScope
from passgate.identity.apikeys import ApiKeyRecord, ApiKeys
from passgate.interceptors.call import CallRecord
from passgate.interceptors.handlers import CallCheck, Check, Context, metadata_values, method_name

API_KEY_HEADER = "x-api-key"


class ApiKeyGate(CallCheck):
    def __init__(self, keys: ApiKeys, open_prefixes: tuple[str, ...]) -> None:
        self._keys = keys
        self._open_prefixes = open_prefixes  # health checking, reflection

    def check_for(self, full_method: str) -> Check | None:
        if full_method.startswith(self._open_prefixes):
            return None
        method = method_name(full_method)

        def check(call: CallRecord, context: Context) -> None:
            key = self.authenticate(context)
            call.api_key = key
            if not key.allows(method):
                raise ApiKeyScope()

        return check

    def authenticate(self, context: Context) -> ApiKeyRecord:
        """The first live key among the call's `x-api-key` entries."""
        for candidate in metadata_values(context, API_KEY_HEADER)[:4]:
            key = self._keys.live(candidate.strip())
            if key is not None:
                return key
        raise ApiKeyInvalid()
