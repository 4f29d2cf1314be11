"""Checking a live shipper account against USPS: an OAuth token for its app, then a payment
authorization for its CRID, MIDs and EPS account. The verdict is said in a manager's words,
with USPS's own message when USPS refused."""

from __future__ import annotations

from dataclasses import dataclass

from mailorders.models import ShipperAccount
from mailorders.services.common import LabelError
from mailorders.services.usps_labels import payment_account_of, usps_client_for
from tracking.carriers.budget import BudgetExhausted
from tracking.carriers.usps import payments
from tracking.carriers.usps.client import CarrierUnavailable, CredentialsRefused
from tracking.carriers.usps.errors import AccountIncomplete, UspsError

# PaymentAccount's field names as the account's admin form names them.
FIELD_NAMES = {
    "crid": "CRID",
    "mid": "MID (Mailer ID)",
    "manifest_mid": "manifest MID",
    "account_number": "EPS account",
    "permit_zip": "permit ZIP Code",
}
ENVIRONMENTS = {"test": "USPS's test environment", "production": "USPS production"}


@dataclass(frozen=True)
class CredentialsCheck:
    ok: bool
    message: str


def shipper_account_check(*, account: ShipperAccount) -> CredentialsCheck:
    """Whether `account` can buy labels from USPS now, and if not, what is wrong."""
    name = f"{account} ({account.pk})"
    if account.sandbox:
        return CredentialsCheck(
            True, f"{name} is a sandbox account: it needs no USPS credentials and buys nothing."
        )
    where = ENVIRONMENTS.get(account.usps_environment, account.usps_environment)
    try:
        client = usps_client_for(account)
        client.token()
    except LabelError as exc:
        return CredentialsCheck(False, f"{name} cannot buy USPS labels: {_label_error_text(exc)}")
    except CredentialsRefused as exc:
        return CredentialsCheck(
            False,
            f"{name}: USPS refused the consumer key and secret in {where} "
            f"(HTTP {exc.status}: {exc.usps_message}). Check them on USPS's developer portal "
            "(the app's Consumer Key and Consumer Secret) and enter them again.",
        )
    except (CarrierUnavailable, BudgetExhausted) as exc:
        return CredentialsCheck(False, f"{name}: USPS could not be reached ({exc}); try again.")
    try:
        payments.authorize(client, payment_account_of(account))
    except AccountIncomplete as exc:
        missing = ", ".join(FIELD_NAMES.get(f, f) for f in exc.fields)
        return CredentialsCheck(
            False,
            f"{name}: the consumer key and secret work, but the account has no {missing}: "
            "enter them, as USPS gave them to the business.",
        )
    except UspsError as exc:
        hint = ""
        if exc.status == 401:
            hint = (
                " The USPS app may lack the payments scope (USPS's test environment sometimes "
                "gives none): ask USPS to add Payments to the app."
            )
        return CredentialsCheck(
            False,
            f"{name}: the consumer key and secret work, but USPS refused the payment "
            f"authorization for CRID {account.crid} (HTTP {exc.status}). {exc.text}.{hint}",
        )
    except (CarrierUnavailable, BudgetExhausted) as exc:
        return CredentialsCheck(False, f"{name}: USPS could not be reached ({exc}); try again.")
    return CredentialsCheck(
        True,
        f"{name} works: USPS gave a token for its app and a payment authorization for CRID "
        f"{account.crid}, MID {account.mailer_id} and EPS account {account.eps_account} in "
        f"{where}.",
    )


def _label_error_text(exc: LabelError) -> str:
    return str(exc).removeprefix("This shipper account cannot buy USPS labels: ")
