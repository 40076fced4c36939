"""The address a call comes from: the TCP peer, or, when the peer is a trusted
proxy, the nearest untrusted address it recorded in `x-forwarded-for`."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
FORWARDED_FOR = "x-forwarded-for"


def parse_networks(text: str) -> tuple[Network, ...]:
    """`10.0.0.0/8,::1` → networks; an empty string trusts no proxy."""
    return tuple(ipaddress.ip_network(part.strip()) for part in text.split(",") if part.strip())


def peer_host(peer: str) -> str:
    """grpcio's `ipv4:1.2.3.4:5678` / `ipv6:[::1]:5678` / `unix:…` → the host part."""
    kind, _, rest = peer.partition(":")
    if kind == "ipv4":
        return rest.rsplit(":", 1)[0]
    if kind == "ipv6":
        return rest.rsplit(":", 1)[0].strip("[]")
    return peer


def _trusted(host: str, proxies: Sequence[Network]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in proxies)


def client_address(peer: str, forwarded_for: Sequence[str], proxies: Sequence[Network]) -> str:
    """Walks `x-forwarded-for` right to left past trusted proxies; never trusts a
    header from an untrusted peer."""
    host = peer_host(peer)
    if not proxies or not _trusted(host, proxies):
        return host
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return host  # a malformed chain: fall back to the peer itself
        if not _trusted(hop, proxies):
            return hop
        host = hop
    return host
