"""Where a webhook may point: never at loopback, private, link-local or otherwise non-public
addresses (a partner must not reach shipdesk's own network), unless
WEBHOOKS_ALLOW_PRIVATE_TARGETS is set (development and tests).

Checked when a webhook is saved and again before every request, since a name can come to
resolve elsewhere; and, since it could change between that check and the request (DNS
rebinding), the connection itself checks the address it reached before a byte is sent
(`PublicOnlyAdapter`). Redirects are never followed.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError


class TargetRefused(ValueError):
    """The URL cannot be a webhook target; the message says why."""


Address = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the IPv4 address is the last 32 bits
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: a network's own translator


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries (mapped, compatible, NAT64, 6to4): a connection
    to it reaches that address, so that address decides whether it is public."""
    if address.ipv4_mapped or address.sixtofour:
        return address.ipv4_mapped or address.sixtofour
    value = int(address)
    if address in NAT64 or (value >> 32 == 0 and value > 1):  # ::a.b.c.d; :: and ::1 are v6's
        return ipaddress.IPv4Address(value & 0xFFFFFFFF)
    return None


def _is_public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address in NAT64_LOCAL or address.teredo:
            return False  # a site's own translator; a tunnel through whichever relay answers
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return _is_public(embedded)
    return address.is_global and not address.is_multicast


def _addresses(host: str, port: int) -> list[Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise TargetRefused(f"The host {host!r} could not be resolved.") from exc
    # An IPv6 answer may carry a zone ("fe80::1%eth0"): the address is what comes before it.
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def target_check(url: str) -> None:
    """Raise TargetRefused unless `url` is an http(s) URL whose host resolves only to public
    addresses (any address allowed under WEBHOOKS_ALLOW_PRIVATE_TARGETS)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("The URL must be an absolute http:// or https:// URL.")
    if parts.username or parts.password:
        raise TargetRefused("The URL must not carry a user name or password.")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:  # 0 is no port; urlsplit refuses anything past 65535 or not a number
        raise TargetRefused("The URL's port must be a number from 1 to 65535.")
    port = port or (443 if parts.scheme == "https" else 80)
    if settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        return
    for address in _addresses(parts.hostname, port):
        if not _is_public(address):
            raise TargetRefused(
                f"The URL's host {parts.hostname} is on a loopback or private network "
                f"({address}); webhooks are only sent to public addresses."
            )


def peer_refusal(host: str, peer: str) -> str | None:
    """Why a connection to `host` that reached `peer` (as getpeername gives it) must hang up,
    or None when it may go on."""
    address = ipaddress.ip_address(peer.split("%")[0])
    if settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS or _is_public(address):
        return None
    return f"{host} now resolves to {address}, a loopback or private address."


class _PublicPeerOnly:
    """A connection that hangs up, before sending anything, on a peer that is not public."""

    def _new_conn(self):
        sock = super()._new_conn()
        refusal = peer_refusal(self.host, sock.getpeername()[0])
        if refusal:
            sock.close()
            raise NewConnectionError(self, refusal)
        return sock


class _HTTPConnection(_PublicPeerOnly, HTTPConnection):
    pass


class _HTTPSConnection(_PublicPeerOnly, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class PublicOnlyAdapter(HTTPAdapter):
    """requests' adapter whose connections refuse non-public peers (see _PublicPeerOnly)."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
