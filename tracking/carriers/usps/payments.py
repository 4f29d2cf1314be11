"""Payments 3.0 over HTTP: the payment authorization token of an account, shared by every
process through the token cache (tracking.carriers.tokens) until it expires, dropped on a 401."""

from __future__ import annotations

import hashlib

from tracking.carriers import tokens
from tracking.carriers.shipping import PaymentAccount
from tracking.carriers.usps import payments_mapper as mapper
from tracking.carriers.usps.client import CarrierUnavailable, PaymentTokens, UspsClient
from tracking.carriers.usps.errors import AccountIncomplete, ensure_ok


def cache_key(client: UspsClient, account: PaymentAccount) -> str:
    """The token cache row of this account on this USPS app (never the numbers themselves)."""
    parts = (
        client.base_url,
        client.client_id,
        account.crid,
        account.mid,
        account.manifest_mid,
        account.account_type,
        account.account_number,
    )
    return "usps-pay:" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def authorize(client: UspsClient, account: PaymentAccount) -> tuple[str, int]:
    """Ask USPS for a new token: (token, seconds it lives)."""
    missing = mapper.missing_fields(account)
    if missing:
        raise AccountIncomplete(missing)
    response = client.call(
        "payments",
        "POST",
        "/payments/v3/payment-authorization",
        json=mapper.build_authorization(account),
    )
    try:
        token = mapper.parse_authorization(ensure_ok(response).json())
    except ValueError as exc:
        raise CarrierUnavailable(f"USPS payment authorization answer malformed: {exc}") from exc
    return token, mapper.TOKEN_SECONDS


def payment_token(client: UspsClient, account: PaymentAccount) -> str:
    return tokens.get_token(
        carrier=cache_key(client, account), fetch=lambda: authorize(client, account)
    )


def payment_tokens(client: UspsClient, account: PaymentAccount) -> PaymentTokens:
    """What a paid call needs: the cached token, and forgetting it when USPS refuses it."""
    key = cache_key(client, account)
    return PaymentTokens(
        get=lambda: payment_token(client, account),
        forget=lambda token: tokens.forget_token(carrier=key, token=token),
    )
