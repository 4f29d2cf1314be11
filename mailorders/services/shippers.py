"""Shipper accounts: where a label's tracking number comes from.

A sandbox account issues IMpb numbers from its own range: `92` (the IMpb channel application
identifier), the service type code of the label's service, the account's nine-digit Mailer ID,
a seven-digit serial counted on the account row (under a row lock, so any number of processes
share one range) and the USPS mod-10 check digit: 22 digits.

A live account (sandbox off) has no range here: USPS issues its numbers with the labels it sells
(mailorders.services.usps_labels). It never pretends to have bought one.
"""

from __future__ import annotations

from django.db.models import F

from mailorders.choices import SERVICE_TYPE_CODES
from mailorders.models import ShipperAccount
from mailorders.services.common import LabelError
from tracking import numbers

SERIAL_DIGITS = 7
SERIAL_MAX = 10**SERIAL_DIGITS - 1


def shipper_account_of(*, partner, account_id: str) -> ShipperAccount:
    """The partner's shipper account `account_id`; LabelError (not found, naming
    `shipper_account.id`) when the partner has none of that id."""
    account = ShipperAccount.objects.filter(partner=partner, pk=account_id).first()
    if account is None:
        raise LabelError(
            "The shipper account does not exist.",
            details=[{"path": "shipper_account.id", "info": "No such shipper account."}],
            code="not_found",
        )
    return account


def impb_number(*, service_type: str, mailer_id: str, serial: int) -> str:
    """The 22-digit IMpb for one serial of a Mailer ID's range, check digit included."""
    body = f"92{SERVICE_TYPE_CODES[service_type]}{mailer_id}{serial:0{SERIAL_DIGITS}d}"
    return numbers.with_impb_check_digit(body)


def tracking_number_issue(*, account: ShipperAccount, service_type: str) -> str:
    """The next tracking number of `account` for a label of `service_type` (call inside a
    transaction)."""
    if not account.sandbox:
        raise LabelError(
            "This shipper account buys real USPS labels: USPS issues their tracking numbers.",
            details=[{"path": "shipper_account.id", "info": "Not a sandbox account."}],
            code="shipper_account_not_supported",
        )
    locked = ShipperAccount.objects.select_for_update().get(pk=account.pk)
    if not (
        locked.mailer_id.isascii() and locked.mailer_id.isdigit() and len(locked.mailer_id) == 9
    ):
        raise LabelError(
            "This shipper account's Mailer ID is not nine digits: fix it in the admin.",
            details=[{"path": "shipper_account.id", "info": "Mailer ID is not nine digits."}],
            code="shipper_account_misconfigured",
        )
    if locked.next_serial > SERIAL_MAX:
        raise LabelError(
            "This shipper account has used up its tracking-number range.",
            details=[{"path": "shipper_account.id", "info": "Range used up."}],
            code="range_exhausted",
        )
    ShipperAccount.objects.filter(pk=locked.pk).update(next_serial=F("next_serial") + 1)
    return impb_number(
        service_type=service_type, mailer_id=locked.mailer_id, serial=locked.next_serial
    )
