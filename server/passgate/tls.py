"""TLS for the gRPC port: the server's certificate and key, and for mutual
TLS the CA that client certificates must chain to.

The files are read again whenever they change on disk, and at once on
SIGHUP, without a restart and without dropping a connection: grpcio asks
`CertificateFiles.fetch` before each new connection's handshake, which costs
a `stat` of each file when nothing changed. SIGHUP (`reload`) reads all three
files whatever their stamps say, for rotations that keep a file's inode, size
and modification time, or file systems whose stamps cannot be trusted. A
pair that does not load (unreadable, not PEM, a key that does not match the
certificate, as while one file of a rotation is written and not yet the
other) is not used: the server keeps the one it has, and the log says why,
once per change or signal.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import serialization

log = logging.getLogger("passgate")


class UnusableCertificate(ValueError):
    """The files do not make a certificate the server can serve. `setting`
    names the file at fault (`tls_cert`, `tls_key` or `tls_client_ca`), so
    that the one line an operator reads points at the file to fix."""

    def __init__(self, problem: str, setting: str) -> None:
        super().__init__(problem)
        self.setting = setting


# A certificate that ends sooner than this is warned about whenever it is loaded.
ENDING_WARNING = timedelta(days=14)


@dataclass(frozen=True)
class LoadedPair:
    chain: bytes
    key: bytes
    client_ca: bytes | None
    expires: datetime


def _read(path: Path, setting: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise UnusableCertificate(f"cannot read {path}: {error.strerror}", setting) from None


def load_pair(cert: Path, key: Path, client_ca: Path | None) -> LoadedPair:
    """Reads and checks the files: PEM certificates, a PEM private key (not
    encrypted) that belongs to the first certificate, and the client CA's
    certificates."""
    chain, key_pem = _read(cert, "tls_cert"), _read(key, "tls_key")
    ca = None if client_ca is None else _read(client_ca, "tls_client_ca")
    try:
        leaf = x509.load_pem_x509_certificates(chain)[0]
    except ValueError:
        raise UnusableCertificate(f"{cert} holds no PEM certificate", "tls_cert") from None
    try:
        private = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError):
        raise UnusableCertificate(
            f"{key} holds no unencrypted PEM private key", "tls_key"
        ) from None
    if _public(private.public_key()) != _public(leaf.public_key()):
        raise UnusableCertificate(
            f"the key in {key} does not belong to the certificate in {cert}", "tls_cert"
        )
    if problem := _outside_validity(leaf):
        raise UnusableCertificate(f"the certificate in {cert} {problem}", "tls_cert")
    if ca is not None:
        try:
            x509.load_pem_x509_certificates(ca)
        except ValueError:
            raise UnusableCertificate(
                f"{client_ca} holds no PEM certificate", "tls_client_ca"
            ) from None
    return LoadedPair(chain, key_pem, ca, leaf.not_valid_after_utc)


def _outside_validity(leaf: x509.Certificate) -> str | None:
    """Why every client that checks `leaf` would refuse it now, or None."""
    now = datetime.now(UTC)
    if leaf.not_valid_after_utc <= now:
        return f"expired at {leaf.not_valid_after_utc:%Y-%m-%d %H:%M} UTC: renew it"
    if leaf.not_valid_before_utc > now:
        return (
            f"is not valid before {leaf.not_valid_before_utc:%Y-%m-%d %H:%M} UTC: "
            "check this machine's clock, or use the certificate it replaces until then"
        )
    return None


def _warn_if_ending(pair: LoadedPair, cert: Path) -> None:
    """Says, once per load, that the served certificate ends within
    `ENDING_WARNING`: a renewal that keeps failing, while there is time."""
    left = pair.expires - datetime.now(UTC)
    if left < ENDING_WARNING:
        log.warning(
            "the TLS certificate expires in %d days (at %s UTC): renew it, then send SIGHUP "
            "or let the server see the new file",
            left.days,
            f"{pair.expires:%Y-%m-%d %H:%M}",
            extra={"fields": {"cert": str(cert)}},
        )


def _public(key: object) -> bytes:
    return key.public_bytes(  # type: ignore[attr-defined,no-any-return]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _configuration(pair: LoadedPair) -> grpc.ServerCertificateConfiguration:
    return grpc.ssl_server_certificate_configuration(
        [(pair.key, pair.chain)], root_certificates=pair.client_ca
    )


class CertificateFiles:
    """The certificate, key and client CA files, served as grpcio server
    credentials that follow the files."""

    def __init__(self, cert: Path, key: Path, client_ca: Path | None) -> None:
        self._paths = (cert, key, client_ca)
        self._seen = self._stamp()
        self._initial = load_pair(cert, key, client_ca)  # UnusableCertificate at start
        _warn_if_ending(self._initial, cert)
        # Loaded on SIGHUP, handed to grpcio at the next handshake. The lock
        # keeps a reload from slipping between fetch's read and its reset.
        self._reloaded: grpc.ServerCertificateConfiguration | None = None
        self._lock = threading.Lock()

    def credentials(self) -> grpc.ServerCredentials:
        return grpc.dynamic_ssl_server_credentials(
            _configuration(self._initial),
            self.fetch,  # type: ignore[arg-type]  # grpcio takes None for "no change"
            require_client_authentication=self._paths[2] is not None,
        )

    def _stamp(self) -> tuple[tuple[int, int, int] | None, ...]:
        """What identifies each file's content without reading it."""
        stamps: list[tuple[int, int, int] | None] = []
        for path in self._paths:
            try:
                info = os.stat(path) if path is not None else None
            except OSError:
                info = None
            stamps.append(None if info is None else (info.st_ino, info.st_mtime_ns, info.st_size))
        return tuple(stamps)

    def fetch(self) -> grpc.ServerCertificateConfiguration | None:
        """What SIGHUP loaded, if anything; else None while the files are as
        last seen; else the new pair, if it loads."""
        with self._lock:
            reloaded, self._reloaded = self._reloaded, None
            if reloaded is not None:
                return reloaded
            stamp = self._stamp()
            if stamp == self._seen:
                return None
            self._seen = stamp
        return self._load("changed")

    def reload(self) -> bool:
        """SIGHUP: reads the files now, whatever their stamps; the next
        connection gets them if they load. Whether they did."""
        with self._lock:
            self._seen = self._stamp()
        configuration = self._load("SIGHUP")
        if configuration is None:
            return False
        with self._lock:
            self._reloaded = configuration
        return True

    def _load(self, why: str) -> grpc.ServerCertificateConfiguration | None:
        try:
            pair = load_pair(*self._paths)
        except UnusableCertificate as error:
            log.error("the new TLS certificate is not used (%s): serving the previous one", error)
            return None
        log.info(
            "TLS certificate reloaded",
            extra={"fields": {"cert": str(self._paths[0]), "why": why}},
        )
        _warn_if_ending(pair, self._paths[0])
        return _configuration(pair)


def is_loopback(listen: str) -> bool:
    """Whether every address `listen`'s host stands for is this machine's loopback."""
    host = listen.rpartition(":")[0].strip("[]")
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return False
    return bool(found) and all(ipaddress.ip_address(info[4][0]).is_loopback for info in found)
