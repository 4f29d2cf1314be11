"""Where a webhook may point: IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64,
6to4) are judged by that address; local NAT64 and Teredo never pass; the port is 1-65535.
Checked when the webhook is saved, before each request and on the connection itself."""

from __future__ import annotations

import pytest
import requests

from shipdesk.webhooks.targets import PublicOnlyAdapter, TargetRefused, peer_refusal, target_check

# Non-public IPv4 addresses wrapped in IPv6 forms, each as a URL host would spell it.
WRAPPED_PRIVATE = [
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::127.0.0.1",
    "0064:ff9b:0000:0000:0000:0000:0a00:0001",  # NAT64 of 10.0.0.1, written out
    "64:FF9B::A9FE:A9FE",  # NAT64 of 169.254.169.254
    "64:ff9b:1::5db8:d822",  # local-use NAT64, even of a public address
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "2002:c0a8:1::",  # 6to4 of 192.168.0.1
    "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
    "::7f00:1",  # IPv4-compatible 127.0.0.1
    "::10.0.0.1",
    "::ffff:7f00:1",  # IPv4-mapped
    "::ffff:169.254.169.254",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "2001:0:5db8:d822::1",
]
WRAPPED_PUBLIC = [
    "64:ff9b::5db8:d822",  # NAT64 of 93.184.216.34
    "64:ff9b::93.184.216.34",
    "2002:5db8:d822::1",  # 6to4 of 93.184.216.34
    "::ffff:93.184.216.34",
    "2606:4700::1",
]
BAD_PORTS = ["0", "00", "65536", "99999", "-1", "http"]


@pytest.fixture(autouse=True)
def _public_only(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False


@pytest.mark.parametrize("host", WRAPPED_PRIVATE)
def test_an_ipv6_form_of_a_non_public_address_is_refused(host):
    with pytest.raises(TargetRefused, match="loopback or private network"):
        target_check(f"http://[{host}]/hook")
    with pytest.raises(TargetRefused):
        target_check(f"https://[{host}]:8443/hook")


@pytest.mark.parametrize("host", WRAPPED_PUBLIC)
def test_an_ipv6_form_of_a_public_address_is_accepted(host):
    target_check(f"https://[{host}]/hook")


@pytest.mark.parametrize("port", BAD_PORTS)
def test_a_port_outside_1_to_65535_is_refused_even_where_private_targets_are_allowed(
    settings, port
):
    for allowed in (False, True):
        settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = allowed
        with pytest.raises(TargetRefused, match="port must be a number from 1 to 65535"):
            target_check(f"https://93.184.216.34:{port}/hook")


@pytest.mark.parametrize("port", ["1", "443", "65535", ""])
def test_ports_1_to_65535_and_none_are_accepted(port):
    target_check(f"https://93.184.216.34:{port}/hook")


@pytest.mark.parametrize("peer", [*WRAPPED_PRIVATE, "127.0.0.1", "::1", "fe80::1%eth0"])
def test_a_connection_that_reached_a_wrapped_non_public_peer_hangs_up(peer):
    refusal = peer_refusal("hooks.example.com", peer)
    assert refusal and refusal.startswith("hooks.example.com now resolves to ")


@pytest.mark.parametrize("peer", [*WRAPPED_PUBLIC, "93.184.216.34"])
def test_a_connection_that_reached_a_public_peer_goes_on(peer):
    assert peer_refusal("hooks.example.com", peer) is None


def test_a_non_public_peer_is_allowed_where_private_targets_are(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    assert peer_refusal("hooks.example.com", "64:ff9b::7f00:1") is None


def test_the_connection_itself_refuses_a_loopback_peer_before_sending(httpserver):
    """Real HTTP: the adapter's connection reaches 127.0.0.1 and hangs up unsent."""
    httpserver.expect_request("/hook").respond_with_data("ok")
    with requests.Session() as session:
        session.mount("http://", PublicOnlyAdapter())
        with pytest.raises(requests.ConnectionError, match=r"now resolves to 127\.0\.0\.1"):
            session.post(httpserver.url_for("/hook"), data=b"{}", timeout=5)
    assert httpserver.log == []
