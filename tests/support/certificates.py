"""Certificates made for a test with trustme: a server's certificate and key
written where `passgate serve --tls-cert/--tls-key` reads them, a client CA
for `--tls-client-ca`, and the credentials a client connects with."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import grpc
import trustme


def write_server_files(
    ca: trustme.CA, folder: Path, *, valid: tuple[datetime, datetime] | None = None
) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 from `ca` (valid from and until `valid`, else
    from now on for years), and its key, in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    not_before, not_after = valid or (None, None)
    issued = ca.issue_cert("127.0.0.1", "localhost", not_before=not_before, not_after=not_after)
    cert, key = folder / "server.pem", folder / "server.key"
    issued.cert_chain_pems[0].write_to_path(str(cert))
    issued.private_key_pem.write_to_path(str(key))
    return cert, key


def write_client_ca(ca: trustme.CA, folder: Path) -> Path:
    """`ca`'s certificate, as `--tls-client-ca` reads it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "clients.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def trusting(ca: trustme.CA, client: trustme.LeafCert | None = None) -> grpc.ChannelCredentials:
    """A client's TLS credentials: trusting `ca`, and presenting `client` if given."""
    if client is None:
        return grpc.ssl_channel_credentials(root_certificates=ca.cert_pem.bytes())
    return grpc.ssl_channel_credentials(
        root_certificates=ca.cert_pem.bytes(),
        private_key=client.private_key_pem.bytes(),
        certificate_chain=client.cert_chain_pems[0].bytes(),
    )
