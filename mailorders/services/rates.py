"""Rate shopping on a shipper account: what each USPS service costs for one parcel, and when it
arrives.

    shop = rates_shop(account=account, origin=ship_from, destination=ship_to, parcel=parcel)
    for rate in shop.rates:  # cheapest first
        rate.service_type, rate.box_type, rate.total, rate.delivery_date

`origin` and `destination` are `tracking.carriers.shipping.PostalAddress`, `parcel` a
`Parcel` (pounds and inches); `postal_address_of(postmen_address)` and `parcel_of(postmen_parcel)`
build them from the Postmen shapes labels store. A rate's `service_type` and `box_type` are what
a label create takes (`service_type`, `shipment.parcels.0.box_type`).

- A live account asks USPS: one Domestic Prices 3.0 total-rates search for the services (own
  box and the flat-rate boxes, of which only those the parcel fits in are kept), and Service
  Standards 3.0 per service for the delivery date, all sent at once (`UspsClient.call_all`: one
  token, the budget's slots taken together, the HTTP in parallel). The standards are cached a
  day per lane; when USPS has none or cannot be reached, the zone table's days are used and
  `delivery_source` says so.
- A sandbox account asks no one: its rates are deterministic, from the zone table's zone and
  days and an illustrative price table (not USPS's prices; a sandbox label charges nothing).

RateError (a LabelError) names the field at fault: USPS's refusal with USPS's own words, an
account USPS refuses (credentials), or USPS out of reach (`carrier_unavailable`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.utils import timezone

from mailorders.choices import LabelServiceType
from mailorders.models import ShipperAccount
from mailorders.services.common import LabelError
from mailorders.services.usps_labels import (
    BOX_TYPES,
    SERVICES,
    payment_account_of,
    postal_address_of,
    usps_client_for,
)
from tracking.carriers.budget import BudgetExhausted
from tracking.carriers.shipping import Packaging, Parcel, PostalAddress, RateQuote, Service
from tracking.carriers.usps import prices_mapper, standards
from tracking.carriers.usps.client import Call, CarrierUnavailable, CredentialsRefused, UspsClient
from tracking.carriers.usps.errors import UspsError, ensure_ok
from tracking.edd.calendar import add_business_days, is_business_day, next_business_day
from tracking.edd.zone_table import table_standard

__all__ = [
    "DEFAULT_SERVICE_TYPES",
    "Rate",
    "RateError",
    "RateShop",
    "parcel_of",
    "postal_address_of",
    "rates_shop",
]

DEFAULT_SERVICE_TYPES = (
    LabelServiceType.GROUND_ADVANTAGE,
    LabelServiceType.PRIORITY_MAIL,
    LabelServiceType.PRIORITY_MAIL_EXPRESS,
)
SERVICE_TYPES = {
    Service.GROUND_ADVANTAGE: LabelServiceType.GROUND_ADVANTAGE,
    Service.PRIORITY_MAIL: LabelServiceType.PRIORITY_MAIL,
    Service.PRIORITY_MAIL_EXPRESS: LabelServiceType.PRIORITY_MAIL_EXPRESS,
    Service.PARCEL_SELECT: LabelServiceType.PARCEL_SELECT,
    Service.MEDIA_MAIL: LabelServiceType.MEDIA_MAIL,
}
PACKAGING_BOX_TYPES = {packaging: box for box, packaging in BOX_TYPES.items()}
PACKAGING_NAMES = {
    Packaging.OWN: "",
    Packaging.FLAT_RATE_ENVELOPE: "Flat Rate Envelope",
    Packaging.PADDED_FLAT_RATE_ENVELOPE: "Padded Flat Rate Envelope",
    Packaging.SMALL_FLAT_RATE_BOX: "Small Flat Rate Box",
    Packaging.MEDIUM_FLAT_RATE_BOX: "Medium Flat Rate Box",
    Packaging.LARGE_FLAT_RATE_BOX: "Large Flat Rate Box",
}
# Inside sizes (inches) of USPS's flat-rate packaging; a parcel fits when its sides, sorted, fit
# the box's sorted. The medium box comes top- and side-loading. Envelopes: up to an inch thick
# (an assumption: USPS only asks that the flap closes).
FLAT_RATE_SIZES = {
    Packaging.FLAT_RATE_ENVELOPE: [(12.5, 9.5, 0.75)],
    Packaging.PADDED_FLAT_RATE_ENVELOPE: [(12.5, 9.5, 1.0)],
    Packaging.SMALL_FLAT_RATE_BOX: [(8.625, 5.375, 1.625)],
    Packaging.MEDIUM_FLAT_RATE_BOX: [(11.0, 8.5, 5.5), (13.625, 11.875, 3.375)],
    Packaging.LARGE_FLAT_RATE_BOX: [(12.0, 12.0, 5.5)],
}
STANDARDS_CACHE_SECONDS = 24 * 3600
PRICES_PATH = "/prices/v3/total-rates/search"
CENT = Decimal("0.01")


class RateError(LabelError):
    """A rate shop that could not be done; `details` names the field at fault."""


@dataclass(frozen=True)
class Rate:
    """One way to send the parcel: a service in a packaging, its price and delivery date."""

    service_type: str  # Postmen's service_type, e.g. "usps-discounted_priority_mail"
    service_name: str  # "Priority Mail", or "Priority Mail Small Flat Rate Box"
    box_type: str  # Postmen's box_type: "custom" (own box) or "usps_small_flat_rate_box", …
    total: Decimal  # USD, what the label would cost
    base: Decimal  # postage before extra services
    charges: tuple[tuple[str, Decimal], ...]  # (what, USD): the postage and each extra service
    zone: str
    transit_days: int | None  # business days
    delivery_date: date | None
    delivery_source: str  # "usps_standards" or "zone_table"
    currency: str = "USD"

    @property
    def flat_rate(self) -> bool:
        return self.box_type != "custom"


@dataclass(frozen=True)
class RateShop:
    account: ShipperAccount
    rates: tuple[Rate, ...]  # cheapest first
    ship_date: date
    charge_weight_lb: Decimal
    source: str  # "usps" or "sandbox"


def parcel_of(parcel: dict) -> Parcel:
    """A Postmen parcel (as cleaned by the label/rate request checks) in pounds and inches."""
    from mailorders.services.label_requests import TO_IN, TO_LB

    weight = parcel.get("weight") or {}
    dimension = parcel.get("dimension") or {}
    to_in = TO_IN.get(dimension.get("unit", "in"), Decimal(1))

    def inches(side: str) -> Decimal:
        return (Decimal(str(dimension.get(side, 1))) * to_in).quantize(CENT)

    pounds = Decimal(str(weight.get("value", 0))) * TO_LB.get(weight.get("unit", "lb"), 1)
    return Parcel(
        weight_lb=max(pounds.quantize(Decimal("0.001")), Decimal("0.001")),
        length_in=inches("depth"),
        width_in=inches("width"),
        height_in=inches("height"),
    )


def rates_shop(
    *,
    account: ShipperAccount,
    origin: PostalAddress,
    destination: PostalAddress,
    parcel: Parcel,
    ship_date: date | None = None,
    service_types: Sequence[str] = DEFAULT_SERVICE_TYPES,
    box_type: str = "custom",
) -> RateShop:
    """Every rate of `service_types` for `parcel` on `account`, cheapest first.

    `box_type` "custom" quotes the shipper's own box and every flat-rate packaging the parcel
    fits in; a flat-rate `box_type` (e.g. "usps_medium_flat_rate_box") quotes that one only.
    Changes nothing but USPS's request budget (and the day's cache of service standards).
    """
    ship_date = ship_date or timezone.localdate()
    wanted = [SERVICES[LabelServiceType(t)] for t in service_types]
    services = list(dict.fromkeys(wanted))  # First-Class Mail is Ground Advantage now
    if account.sandbox:
        quotes = _sandbox_quotes(origin, destination, parcel, services)
        deliveries = {s: _table_delivery(origin, destination, s, ship_date) for s in services}
    else:
        quotes, deliveries = _usps_rates(account, origin, destination, parcel, services, ship_date)
    quotes = [q for q in quotes if _fits(q.packaging, parcel, box_type)]
    rates = [_rate(q, deliveries[q.service]) for q in quotes]
    rates.sort(key=lambda r: (r.total, r.service_type, r.box_type))
    return RateShop(
        account=account,
        rates=tuple(rates),
        ship_date=ship_date,
        charge_weight_lb=parcel.weight_lb,
        source="sandbox" if account.sandbox else "usps",
    )


def _fits(packaging: Packaging, parcel: Parcel, box_type: str) -> bool:
    if box_type != "custom":
        return PACKAGING_BOX_TYPES.get(packaging) == box_type
    if packaging is Packaging.OWN:
        return True
    sides = sorted((float(parcel.length_in), float(parcel.width_in), float(parcel.height_in)))
    return any(
        all(side <= inside for side, inside in zip(sides, sorted(size), strict=True))
        for size in FLAT_RATE_SIZES[packaging]
    )


def _rate(quote: RateQuote, delivery: tuple[int | None, date | None, str]) -> Rate:
    days, when, source = delivery
    name = SERVICE_TYPES[quote.service].label
    if quote.packaging is not Packaging.OWN:
        name = f"{name} {PACKAGING_NAMES[quote.packaging]}"
    return Rate(
        service_type=SERVICE_TYPES[quote.service].value,
        service_name=name,
        box_type=PACKAGING_BOX_TYPES.get(quote.packaging, "custom"),
        total=quote.total,
        base=quote.base,
        charges=(("base", quote.base), *((n, p) for n, p in quote.extras if p)),
        zone=quote.zone,
        transit_days=days,
        delivery_date=when,
        delivery_source=source,
    )


# --- live accounts: USPS ---------------------------------------------------------------------


def _refused(message: str, path: str, code: str) -> RateError:
    return RateError(message, details=[{"path": path, "info": message}] if path else [], code=code)


USPS_PATHS = {
    "originZIPCode": "shipment.ship_from.postal_code",
    "destinationZIPCode": "shipment.ship_to.postal_code",
    "weight": "shipment.parcels.0.weight.value",
    "length": "shipment.parcels.0.dimension.depth",
    "width": "shipment.parcels.0.dimension.width",
    "height": "shipment.parcels.0.dimension.height",
    "mailClass": "service_type",
    "mailClasses": "service_type",
    "rateIndicator": "shipment.parcels.0.box_type",
    "accountNumber": "shipper_account.id",
    "accountType": "shipper_account.id",
}


def _unavailable(exc: Exception) -> RateError:
    return _refused(f"USPS is unavailable: {exc}", "", "carrier_unavailable")


def _usps_rates(account, origin, destination, parcel, services, ship_date):
    """USPS's quotes and each service's delivery: the prices search and the service standards
    not cached yet, sent at once."""
    client = usps_client_for(account)
    payer = payment_account_of(account) if account.eps_account else None
    prices_call = Call(
        "prices",
        "POST",
        PRICES_PATH,
        json=prices_mapper.build_total_rates(
            origin_zip=origin.zip_code,
            destination_zip=destination.zip_code,
            parcel=parcel,
            services=services,
            mailing_date=ship_date,
            account=payer,
        ),
    )
    weight = float(parcel.weight_lb)
    key = _standards_key(client, origin, destination, services, weight, ship_date)
    cached = cache.get(key)
    standard_calls = {}
    if cached is None:
        for service in services:
            call = standards.delivery_call(
                origin_zip=origin.zip_code,
                destination_zip=destination.zip_code,
                mail_class=service.value,
                weight_lb=weight,
                acceptance_date=_acceptance_day(ship_date),
            )
            if call is not None:
                standard_calls[service] = call
    try:
        answers = client.call_all([prices_call, *standard_calls.values()])
    except CredentialsRefused as exc:
        raise _refused(
            f"This shipper account cannot get USPS rates: USPS refused its credentials "
            f"({exc.usps_message}).",
            "shipper_account.id",
            "shipper_account_misconfigured",
        ) from exc
    except (CarrierUnavailable, BudgetExhausted) as exc:
        raise _unavailable(exc) from exc
    prices_answer, *standard_answers = answers
    if isinstance(prices_answer, Exception):
        raise _unavailable(prices_answer) from prices_answer
    try:
        quotes = prices_mapper.parse_total_rates(ensure_ok(prices_answer).json())
    except UspsError as exc:
        raise _refused(exc.text, USPS_PATHS.get(exc.field, ""), "carrier_refused") from exc
    if cached is not None:
        deliveries = {
            Service(name): (days, date.fromisoformat(when) if when else None, "usps_standards")
            for name, (days, when) in cached.items()
        }
    else:
        deliveries = {}
        for (service, call), answer in zip(standard_calls.items(), standard_answers, strict=True):
            found = None
            if not isinstance(answer, Exception):
                found = standards.delivery_read(answer, call, weight_lb=weight)
            if found is not None:
                when = found.date or add_business_days(_acceptance_day(ship_date), found.days)
                deliveries[service] = (found.days, when, "usps_standards")
        if len(deliveries) == len(services):
            stored = {s.value: [d[0], d[1].isoformat()] for s, d in deliveries.items()}
            cache.set(key, stored, STANDARDS_CACHE_SECONDS)
    for service in services:
        # The delivery date is a nicety: where USPS gave none, the zone table stands in.
        if service not in deliveries:
            deliveries[service] = _table_delivery(origin, destination, service, ship_date)
    return quotes, deliveries


def _standards_key(client: UspsClient, origin, destination, services, weight, ship_date) -> str:
    """One cache entry per USPS app, lane, services, weight band and date, a day long."""
    parts = [client.token_key, origin.zip_code[:5], destination.zip_code[:5]]
    parts += [",".join(s.value for s in services), "heavy" if weight >= 1 else "light"]
    parts.append(ship_date.isoformat())
    return "mailorders:rates:standards:v2:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


# --- sandbox accounts: deterministic ---------------------------------------------------------

# Illustrative prices (USD): first pound, each further pound, the growth per zone past 1.
SANDBOX_PRICES = {
    Service.GROUND_ADVANTAGE: (Decimal("5.40"), Decimal("0.65"), Decimal("0.10")),
    Service.PRIORITY_MAIL: (Decimal("8.90"), Decimal("1.10"), Decimal("0.12")),
    Service.PRIORITY_MAIL_EXPRESS: (Decimal("29.50"), Decimal("2.50"), Decimal("0.10")),
    Service.PARCEL_SELECT: (Decimal("8.10"), Decimal("0.60"), Decimal("0.09")),
    Service.MEDIA_MAIL: (Decimal("4.25"), Decimal("0.80"), Decimal(0)),
}
SANDBOX_FLAT_RATES = {
    Service.PRIORITY_MAIL: {
        Packaging.FLAT_RATE_ENVELOPE: Decimal("10.60"),
        Packaging.PADDED_FLAT_RATE_ENVELOPE: Decimal("11.25"),
        Packaging.SMALL_FLAT_RATE_BOX: Decimal("11.30"),
        Packaging.MEDIUM_FLAT_RATE_BOX: Decimal("20.35"),
        Packaging.LARGE_FLAT_RATE_BOX: Decimal("27.95"),
    },
    Service.PRIORITY_MAIL_EXPRESS: {Packaging.FLAT_RATE_ENVELOPE: Decimal("32.40")},
}


def _sandbox_zone(origin: PostalAddress, destination: PostalAddress) -> int:
    standard = table_standard(
        origin_zip=origin.zip_code,
        destination_zip=destination.zip_code,
        mail_class="ground_advantage",
        origin_state=origin.state,
        destination_state=destination.state,
    )
    lane_zone = standard.zone if standard else 8
    return lane_zone if isinstance(lane_zone, int) else 9  # non-contiguous


def _sandbox_quotes(origin, destination, parcel, services) -> list[RateQuote]:
    lane_zone = _sandbox_zone(origin, destination)
    pounds = max(int(parcel.weight_lb.to_integral_value(rounding="ROUND_CEILING")), 1)
    quotes = []
    for service in services:
        first, further, growth = SANDBOX_PRICES[service]
        amount = (first + further * (pounds - 1)) * (1 + growth * (lane_zone - 1))
        options = {Packaging.OWN: amount, **SANDBOX_FLAT_RATES.get(service, {})}
        for packaging, price in options.items():
            price = price.quantize(CENT, rounding=ROUND_HALF_UP)
            quotes.append(
                RateQuote(
                    service=service,
                    packaging=packaging,
                    base=price,
                    total=price,
                    zone=f"{lane_zone:02d}",
                    description="sandbox price",
                )
            )
    return quotes


def _acceptance_day(ship_date: date) -> date:
    return ship_date if is_business_day(ship_date) else next_business_day(ship_date)


def _table_delivery(origin, destination, service: Service, ship_date: date):
    standard = table_standard(
        origin_zip=origin.zip_code,
        destination_zip=destination.zip_code,
        mail_class=service.value,
        origin_state=origin.state,
        destination_state=destination.state,
    )
    if standard is None:
        return None, None, "zone_table"
    days = standard.transit_days[1]
    return days, add_business_days(_acceptance_day(ship_date), days), "zone_table"
