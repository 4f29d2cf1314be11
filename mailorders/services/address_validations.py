"""Postmen's address-validations resource: one address checked with USPS, nothing stored (the
answer's id names the check only; Postmen has no way to read one again)."""

from __future__ import annotations

from mailorders.services.address_checks import AddressVerdict, address_check
from mailorders.services.rate_requests import address_request_clean
from mailorders.services.rates import postal_address_of
from mailorders.services.shippers import shipper_account_of
from shipdesk.models import Partner


def address_validation_create(*, partner: Partner, data) -> tuple[AddressVerdict, dict]:
    """USPS's verdict on a Postmen create-address-validation body, and the address as sent
    (cleaned). The check uses the named shipper account's USPS app, else the business's own."""
    cleaned = address_request_clean(data=data)
    account = None
    if cleaned["shipper_account_id"]:
        account = shipper_account_of(partner=partner, account_id=cleaned["shipper_account_id"])
    address = cleaned["address"]
    return address_check(address=postal_address_of(address), account=account), address
