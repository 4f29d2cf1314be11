"""Domestic Prices 3.0: base-rates and total-rates searches, answers as RateQuotes. Pure."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tracking.carriers.shipping import Extra, Packaging, Parcel, PaymentAccount, RateQuote, Service

MAIL_CLASS = {
    Service.GROUND_ADVANTAGE: "USPS_GROUND_ADVANTAGE",
    Service.PRIORITY_MAIL: "PRIORITY_MAIL",
    Service.PRIORITY_MAIL_EXPRESS: "PRIORITY_MAIL_EXPRESS",
    Service.PARCEL_SELECT: "PARCEL_SELECT",
    Service.MEDIA_MAIL: "MEDIA_MAIL",
}
SERVICE = {code: service for service, code in MAIL_CLASS.items()}
RATE_INDICATOR = {
    Packaging.FLAT_RATE_ENVELOPE: "FE",
    Packaging.PADDED_FLAT_RATE_ENVELOPE: "FP",
    Packaging.SMALL_FLAT_RATE_BOX: "FS",
    Packaging.MEDIUM_FLAT_RATE_BOX: "FB",
    Packaging.LARGE_FLAT_RATE_BOX: "PL",
}
PACKAGING = {code: packaging for packaging, code in RATE_INDICATOR.items()}
EXTRA_SERVICE = {
    Extra.TRACKING: 920,
    Extra.SIGNATURE: 921,
    Extra.ADULT_SIGNATURE: 922,
    Extra.INSURANCE: 930,
}


def rate_indicator(service: Service, packaging: Packaging) -> str:
    if packaging is not Packaging.OWN:
        return RATE_INDICATOR[packaging]
    return "PA" if service is Service.PRIORITY_MAIL_EXPRESS else "SP"


def number_value(value: Decimal) -> float | int:
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _parcel(parcel: Parcel) -> dict:
    return {
        "weight": number_value(parcel.weight_lb),
        "length": number_value(parcel.length_in),
        "width": number_value(parcel.width_in),
        "height": number_value(parcel.height_in),
    }


def _account(account: PaymentAccount | None) -> dict:
    if account is None:
        return {}
    return {"accountType": account.account_type, "accountNumber": account.account_number}


def build_base_rates(
    *,
    origin_zip: str,
    destination_zip: str,
    parcel: Parcel,
    service: Service,
    packaging: Packaging = Packaging.OWN,
    mailing_date: date | None = None,
    account: PaymentAccount | None = None,
) -> dict:
    body = {
        "originZIPCode": origin_zip[:5],
        "destinationZIPCode": destination_zip[:5],
        **_parcel(parcel),
        "mailClass": MAIL_CLASS[service],
        "processingCategory": "MACHINABLE",
        "rateIndicator": rate_indicator(service, packaging),
        "destinationEntryFacilityType": "NONE",
        "priceType": "COMMERCIAL",
        **_account(account),
    }
    if mailing_date:
        body["mailingDate"] = mailing_date.isoformat()
    return body


def build_total_rates(
    *,
    origin_zip: str,
    destination_zip: str,
    parcel: Parcel,
    services: list[Service],
    extras: tuple[Extra, ...] = (),
    item_value: Decimal = Decimal(0),
    mailing_date: date | None = None,
    account: PaymentAccount | None = None,
) -> dict:
    body = {
        "originZIPCode": origin_zip[:5],
        "destinationZIPCode": destination_zip[:5],
        **_parcel(parcel),
        "mailClasses": [MAIL_CLASS[s] for s in services],
        "priceType": "COMMERCIAL",
        **_account(account),
    }
    if extras:
        body["extraServices"] = [EXTRA_SERVICE[e] for e in extras]
    if item_value:
        body["itemValue"] = number_value(item_value)
    if mailing_date:
        body["mailingDate"] = mailing_date.isoformat()
    return body


def money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _quote(option: dict) -> RateQuote | None:
    rates = option.get("rates") or []
    if not rates or not isinstance(rates[0], dict):
        return None
    first = rates[0]
    service = SERVICE.get(str(first.get("mailClass") or ""))
    if service is None:
        return None  # a mail class shipdesk does not sell
    indicator = str(first.get("rateIndicator") or "")
    extras = tuple(
        (str(e.get("name") or e.get("extraService") or ""), money(e.get("price")))
        for e in option.get("extraServices") or []
        if isinstance(e, dict)
    )
    base = money(option.get("totalBasePrice", first.get("price")))
    total = option.get("totalPrice")
    return RateQuote(
        service=service,
        packaging=PACKAGING.get(indicator, Packaging.OWN),
        base=base,
        total=money(total) if total is not None else base + sum((p for _, p in extras), Decimal(0)),
        zone=str(first.get("zone") or ""),
        description=str(first.get("description") or ""),
        sku=str(first.get("SKU") or ""),
        extras=extras,
    )


def parse_base_rates(body: dict) -> RateQuote | None:
    return _quote(body) if isinstance(body, dict) else None


def parse_total_rates(body: dict) -> list[RateQuote]:
    options = body.get("rateOptions") if isinstance(body, dict) else None
    quotes = [_quote(o) for o in options or [] if isinstance(o, dict)]
    return sorted((q for q in quotes if q), key=lambda q: (q.total, q.service, q.packaging))
