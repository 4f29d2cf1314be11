"""Postmen rate and address-validation requests checked and cleaned, every problem listed at
once as `details` entries `{"path", "info"}` (the label request's checks, shared)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from mailorders.services.common import LabelError
from mailorders.services.label_requests import (
    MAX_PARCELS,
    MAX_SHIP_DAYS_AHEAD,
    _address,
    _parcel,
    _Problems,
)
from mailorders.services.usps_labels import BOX_TYPES as USPS_BOX_TYPES

MAX_SHIPPER_ACCOUNTS = 10
BOX_TYPES = ("custom", *USPS_BOX_TYPES)


def _ship_date(problems: _Problems, data: dict) -> dt.date:
    today = timezone.localdate()
    if data.get("ship_date") is None:
        return today
    try:
        ship_date = dt.date.fromisoformat(data["ship_date"])
    except (TypeError, ValueError):
        problems.add("ship_date", "ship_date must be a date (YYYY-MM-DD).")
        return today
    last = today + dt.timedelta(days=MAX_SHIP_DAYS_AHEAD)
    if not today <= ship_date <= last:
        problems.add(
            "ship_date",
            f"ship_date must be from today ({today.isoformat()}) to {MAX_SHIP_DAYS_AHEAD} days"
            f" ahead ({last.isoformat()}).",
        )
    return ship_date


def _account_ids(problems: _Problems, data: dict) -> list[str]:
    accounts = data.get("shipper_accounts")
    if not isinstance(accounts, list) or not 1 <= len(accounts) <= MAX_SHIPPER_ACCOUNTS:
        problems.add(
            "shipper_accounts",
            f"shipper_accounts must list 1 to {MAX_SHIPPER_ACCOUNTS} {{id}} objects.",
        )
        return []
    ids = []
    for index, item in enumerate(accounts):
        value = item.get("id") if isinstance(item, dict) else None
        if not isinstance(value, str) or not value or len(value) > 40:
            problems.add(f"shipper_accounts.{index}.id", "A shipper account id is required.")
        else:
            ids.append(value)
    return list(dict.fromkeys(ids))


def rate_request_clean(*, data) -> dict:
    """A Postmen calculate-rates body (`shipper_accounts`, `shipment`, `is_document`, `async`,
    and `ship_date`) as `{shipper_account_ids, ship_from, ship_to, parcel, is_document,
    ship_date, shipment}`, or LabelError listing every field at fault."""
    if not isinstance(data, dict):
        raise LabelError("The request body must be a JSON object.", details=[])
    problems = _Problems()
    account_ids = _account_ids(problems, data)
    shipment = problems.obj(data, "", "shipment", required=True)
    ship_from = ship_to = parcel = None
    if shipment is not None:
        ship_from = _address(problems, shipment, "ship_from", required=True)
        ship_to = _address(problems, shipment, "ship_to", required=True)
        parcels = shipment.get("parcels")
        if not isinstance(parcels, list) or not parcels:
            problems.add("shipment.parcels", "shipment.parcels is required (one parcel).")
        elif len(parcels) > MAX_PARCELS:
            problems.add("shipment.parcels", f"shipment.parcels: at most {MAX_PARCELS} parcel.")
        else:
            parcel, _ = _parcel(problems, parcels[0], 0)
            if parcel and parcel["box_type"] not in BOX_TYPES:
                problems.add(
                    "shipment.parcels.0.box_type",
                    f"shipment.parcels.0.box_type must be one of: {', '.join(BOX_TYPES)}.",
                )
    is_document = problems.boolean(data, "is_document")
    problems.boolean(data, "async")  # answered at once either way
    ship_date = _ship_date(problems, data)
    if problems.details:
        raise LabelError("The request is invalid.", details=problems.details)
    return {
        "shipper_account_ids": account_ids,
        "ship_from": ship_from,
        "ship_to": ship_to,
        "parcel": parcel,
        "is_document": is_document,
        "ship_date": ship_date,
        "shipment": {"ship_from": ship_from, "ship_to": ship_to, "parcels": [parcel]},
    }


def address_request_clean(*, data) -> dict:
    """A Postmen create-address-validation body (`address`, and an optional
    `shipper_account.id` whose USPS app asks) as `{address, shipper_account_id}`."""
    if not isinstance(data, dict):
        raise LabelError("The request body must be a JSON object.", details=[])
    problems = _Problems()
    address = _address(problems, data, "address", required=True, prefix="")
    account_id = None
    account = problems.obj(data, "", "shipper_account", required=False)
    if account is not None:
        account_id = account.get("id")
        if not isinstance(account_id, str) or not account_id:
            problems.add("shipper_account.id", "shipper_account.id must be an id.")
    if problems.details:
        raise LabelError("The request is invalid.", details=problems.details)
    return {"address": address, "shipper_account_id": account_id}
