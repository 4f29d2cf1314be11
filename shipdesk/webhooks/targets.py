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


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
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
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise TargetRefused("The URL's port is not a number between 0 and 65535.") from exc
    if settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        return
    for address in _addresses(parts.hostname, port):
        if not _is_public(address):
            raise TargetRefused(
                f"The URL's host {parts.hostname} is on a loopback or private network "
                f"({address}); webhooks are only sent to public addresses."
            )


class _PublicPeerOnly:
    """A connection that hangs up, before sending anything, on a peer that is not public."""

    def _new_conn(self):
        sock = super()._new_conn()
        peer = ipaddress.ip_address(sock.getpeername()[0].split("%")[0])
        if not settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS and not _is_public(peer):
            sock.close()
            raise NewConnectionError(
                self, f"{self.host} now resolves to {peer}, a loopback or private address."
            )
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
