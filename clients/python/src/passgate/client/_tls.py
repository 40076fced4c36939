"""Channel credentials for a passgate server that serves TLS or mutual TLS."""

from __future__ import annotations

import os
from pathlib import Path

import grpc


def tls_credentials(
    ca_cert: str | os.PathLike[str],
    client_cert: str | os.PathLike[str] | None = None,
    client_key: str | os.PathLike[str] | None = None,
) -> grpc.ChannelCredentials:
    """TLS credentials for `AuthClient(channel_credentials=...)`, from PEM files.

    Only the CA certificates in `ca_cert` are trusted, so a private CA works
    without touching the system's trust store. For mutual TLS give the
    client's certificate chain and its unencrypted private key as well. The
    files are read here, so a missing one raises `OSError` now rather than
    the first call failing; a certificate without its key raises `ValueError`.
    """
    if (client_cert is None) != (client_key is None):
        raise ValueError("a client certificate and its key go together")
    return grpc.ssl_channel_credentials(
        root_certificates=Path(ca_cert).read_bytes(),
        private_key=None if client_key is None else Path(client_key).read_bytes(),
        certificate_chain=None if client_cert is None else Path(client_cert).read_bytes(),
    )
