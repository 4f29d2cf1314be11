"""Addresses 3.0 over HTTP: standardise and check one address."""

from __future__ import annotations

from tracking.carriers.shipping import AddressCheck, PostalAddress
from tracking.carriers.usps import addresses_mapper as mapper
from tracking.carriers.usps.client import UspsClient
from tracking.carriers.usps.errors import ensure_ok


def address_check(client: UspsClient, address: PostalAddress) -> AddressCheck:
    """USPS's verdict; a 404 (no match) is a verdict too. Raises UspsError on other refusals."""
    response = client.call(
        "addresses", "GET", "/addresses/v3/address", params=mapper.build_query(address)
    )
    if response.status_code == 404:
        try:
            return mapper.parse_not_found(response.json())
        except ValueError:
            return mapper.parse_not_found(None)
    return mapper.parse_address(ensure_ok(response).json(), address)
