"""Domestic Prices 3.0 over HTTP: one base rate, or a rate shop over several services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tracking.carriers.shipping import Extra, Packaging, Parcel, PaymentAccount, RateQuote, Service
from tracking.carriers.usps import prices_mapper as mapper
from tracking.carriers.usps.client import UspsClient
from tracking.carriers.usps.errors import ensure_ok


def base_rate(
    client: UspsClient,
    *,
    origin_zip: str,
    destination_zip: str,
    parcel: Parcel,
    service: Service,
    packaging: Packaging = Packaging.OWN,
    mailing_date: date | None = None,
    account: PaymentAccount | None = None,
) -> RateQuote | None:
    body = mapper.build_base_rates(
        origin_zip=origin_zip,
        destination_zip=destination_zip,
        parcel=parcel,
        service=service,
        packaging=packaging,
        mailing_date=mailing_date,
        account=account,
    )
    response = client.call("prices", "POST", "/prices/v3/base-rates/search", json=body)
    return mapper.parse_base_rates(ensure_ok(response).json())


def rate_shop(
    client: UspsClient,
    *,
    origin_zip: str,
    destination_zip: str,
    parcel: Parcel,
    services: list[Service],
    extras: tuple[Extra, ...] = (),
    item_value: Decimal = Decimal(0),
    mailing_date: date | None = None,
    account: PaymentAccount | None = None,
) -> list[RateQuote]:
    """Every price USPS offers for these services (own packaging and flat-rate), cheapest first."""
    body = mapper.build_total_rates(
        origin_zip=origin_zip,
        destination_zip=destination_zip,
        parcel=parcel,
        services=services,
        extras=extras,
        item_value=item_value,
        mailing_date=mailing_date,
        account=account,
    )
    response = client.call("prices", "POST", "/prices/v3/total-rates/search", json=body)
    return mapper.parse_total_rates(ensure_ok(response).json())
