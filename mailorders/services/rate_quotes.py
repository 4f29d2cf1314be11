"""Postmen's rates resource: a calculate-rates request shopped on each shipper account it names
and kept as a RateQuote (GET /rates/{id} answers it again).

Each stored rate is `{shipper_account: {id, slug, description}, service_type, service_name,
box_type, total, base, charges: [[what, amount]], zone, transit_days, delivery_date,
delivery_source, charge_weight_lb, error}`; an account that could not be shopped is one entry
with its `error` (USPS's own words) and no price. When no account gave a rate, nothing is kept
and the first account's refusal is raised (a LabelError naming the field).
"""

from __future__ import annotations

from mailorders.models import RateQuote, ShipperAccount
from mailorders.services.common import LabelError
from mailorders.services.rate_requests import rate_request_clean
from mailorders.services.rates import RateShop, parcel_of, postal_address_of, rates_shop
from mailorders.services.shippers import shipper_account_of
from shipdesk.models import Partner


def _account(account: ShipperAccount) -> dict:
    return {"id": account.id, "slug": account.slug, "description": account.description}


def _stored(shop: RateShop) -> list[dict]:
    return [
        {
            "shipper_account": _account(shop.account),
            "service_type": rate.service_type,
            "service_name": rate.service_name,
            "box_type": rate.box_type,
            "total": str(rate.total),
            "base": str(rate.base),
            "charges": [[what, str(amount)] for what, amount in rate.charges],
            "zone": rate.zone,
            "transit_days": rate.transit_days,
            "delivery_date": rate.delivery_date.isoformat() if rate.delivery_date else None,
            "delivery_source": rate.delivery_source,
            "charge_weight_lb": str(shop.charge_weight_lb),
            "error": "",
        }
        for rate in shop.rates
    ]


def _failed(account: ShipperAccount, error: LabelError) -> dict:
    return {"shipper_account": _account(account), "service_type": None, "error": str(error)}


def rate_quote_create(*, partner: Partner, data, live: bool = False) -> RateQuote:
    """Shop the rates of a Postmen calculate-rates body on each of its shipper accounts."""
    cleaned = rate_request_clean(data=data)
    accounts = [
        shipper_account_of(partner=partner, account_id=account_id)
        for account_id in cleaned["shipper_account_ids"]
    ]
    origin = postal_address_of(cleaned["ship_from"])
    destination = postal_address_of(cleaned["ship_to"])
    parcel = parcel_of(cleaned["parcel"])
    rates, refusals = [], []
    for account in accounts:
        try:
            shop = rates_shop(
                account=account,
                origin=origin,
                destination=destination,
                parcel=parcel,
                ship_date=cleaned["ship_date"],
                box_type=cleaned["parcel"].get("box_type", "custom"),
            )
        except LabelError as exc:
            refusals.append(exc)
            rates.append(_failed(account, exc))
            continue
        rates.extend(_stored(shop))
    if refusals and len(refusals) == len(accounts):
        raise refusals[0]
    return RateQuote.objects.create(
        partner=partner,
        live=live,
        shipment=cleaned["shipment"],
        is_document=cleaned["is_document"],
        ship_date=cleaned["ship_date"],
        rates=rates,
    )
