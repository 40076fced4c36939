"""With mutual TLS, who the client's certificate says it is, in each call's
log line: the subject grpcio verified against `--tls-client-ca`. Only
installed when mutual TLS is on, so plain and one-way TLS calls pay nothing.

Reflection is left out. Its one method, ServerReflectionInfo, is a
bidirectional stream: `CheckedHandlers` serves such a method as it is when no
check covers it (no call record, no log line, whatever the transport) and
answers it UNIMPLEMENTED when one does, since the guards run checks only
around unary and server-streaming behaviours. Recording a subject there would
have nothing to go in, and would cost grpcurl and ghz reflection over mutual
TLS. The handshake has already refused a client without a certificate from
the CA, so leaving the check out lets no one in that could not call it."""

from __future__ import annotations

from passgate.interceptors.call import CallRecord
from passgate.interceptors.handlers import CallCheck, Check, Context


def _record_subject(call: CallRecord, context: Context) -> None:
    subject = next(iter(context.auth_context().get("x509_subject", ())), b"")
    call.client_cert = subject.decode("utf-8", "replace") or None


class ClientCertificate(CallCheck):
    def __init__(self, unrecorded_prefixes: tuple[str, ...]) -> None:
        self._unrecorded_prefixes = unrecorded_prefixes  # reflection

    def check_for(self, full_method: str) -> Check | None:
        if full_method.startswith(self._unrecorded_prefixes):
            return None
        return _record_subject
