"""Payments 3.0 (`POST /payments/v3/payment-authorization`): roles in, token out. Pure."""

from __future__ import annotations

from tracking.carriers.shipping import PaymentAccount

# "Payment Authorization Tokens are valid for eight hours after issuance."
TOKEN_SECONDS = 8 * 3600


def build_authorization(account: PaymentAccount) -> dict:
    payer = {
        "roleName": "PAYER",
        "CRID": account.crid,
        "MID": account.mid,
        "manifestMID": account.manifest_mid,
        "accountType": account.account_type,
        "accountNumber": account.account_number,
    }
    if account.account_type == "PERMIT":
        payer["permitNumber"] = account.account_number
        payer["permitZIP"] = account.permit_zip
    owner = {
        "roleName": "LABEL_OWNER",
        "CRID": account.crid,
        "MID": account.mid,
        "manifestMID": account.manifest_mid,
        "accountType": account.account_type,
        "accountNumber": account.account_number,
    }
    return {"roles": [payer, owner]}


def parse_authorization(body) -> str:
    token = body.get("paymentAuthorizationToken") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise ValueError("USPS's payment authorization answer has no paymentAuthorizationToken")
    return token


def missing_fields(account: PaymentAccount) -> list[str]:
    """What the account lacks before USPS is even asked (named as shipdesk names them)."""
    missing = [
        name
        for name, value in (
            ("crid", account.crid),
            ("mid", account.mid),
            ("manifest_mid", account.manifest_mid),
            ("account_number", account.account_number),
        )
        if not value
    ]
    if account.account_type == "PERMIT" and not account.permit_zip:
        missing.append("permit_zip")
    return missing
