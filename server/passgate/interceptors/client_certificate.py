"""With mutual TLS, who the client's certificate says it is, in each call's
log line: the subject grpcio verified against `--tls-client-ca`. Only
installed when mutual TLS is on, so plain and one-way TLS calls pay nothing."""

from __future__ import annotations

from passgate.interceptors.call import CallRecord
from passgate.interceptors.handlers import CallCheck, Check, Context


def _record_subject(call: CallRecord, context: Context) -> None:
    subject = next(iter(context.auth_context().get("x509_subject", ())), b"")
    call.client_cert = subject.decode("utf-8", "replace") or None


class ClientCertificate(CallCheck):
    def check_for(self, full_method: str) -> Check | None:
        return _record_subject
