"""A Postmen create-label request checked and cleaned, every problem listed at once.

Validation collects every problem before refusing, each as a Postmen `details` entry
`{"path": "shipment.parcels.0.weight.value", "info": "…"}`, so a partner fixes a request in one
round trip.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.utils import timezone

from mailorders.choices import LabelServiceType, PaperSize
from mailorders.services.common import LabelError
from tracking.zones import STATE_ZONES

ADDRESS_REQUIRED = ("contact_name", "street1", "city", "state", "postal_code", "country")
ADDRESS_OPTIONAL = ("company_name", "street2", "street3", "phone", "email", "type")
# USPS domestic only: the states, DC and the territories, plus the military (APO/FPO/DPO) codes.
USPS_STATES = frozenset(STATE_ZONES) | {"AA", "AE", "AP"}
ZIP_CODE = re.compile(r"[0-9]{5}(-[0-9]{4})?")
CURRENCY = re.compile(r"[A-Za-z]{3}")
MAX_ITEMS = 50
MAX_SHIP_DAYS_AHEAD = 30
TO_LB = {
    "lb": Decimal(1),
    "oz": Decimal(1) / 16,
    "kg": Decimal("2.20462"),
    "g": Decimal("0.00220462"),
}
TO_IN = {"in": Decimal(1), "cm": Decimal(1) / Decimal("2.54")}
MAX_WEIGHT_LB = Decimal(70)  # USPS domestic limit
MAX_SIDE_IN = Decimal(108)
MAX_LENGTH_PLUS_GIRTH_IN = Decimal(130)
MAX_PARCELS = 1  # one label, one parcel (USPS has no multi-piece labels)
MAX_REFERENCES = 2
MAX_TEXT = 255
# Address members copied onto the Shipment are held to its column sizes.
MAX_ADDRESS_TEXT = {"city": 100, "state": 100, "postal_code": 20}


class _Problems:
    def __init__(self) -> None:
        self.details: list[dict] = []

    def add(self, path: str, info: str) -> None:
        self.details.append({"path": path, "info": info})

    def obj(self, data: dict, path: str, key: str, *, required: bool) -> dict | None:
        value = data.get(key)
        full = f"{path}.{key}" if path else key
        if value is None:
            if required:
                self.add(full, f"{full} is required.")
            return None
        if not isinstance(value, dict):
            self.add(full, f"{full} must be an object.")
            return None
        return value

    def text(
        self, data: dict, path: str, key: str, *, required: bool, max_length: int = MAX_TEXT
    ) -> str:
        value = data.get(key)
        full = f"{path}.{key}"
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(full, f"{full} is required.")
            return ""
        if not isinstance(value, str) or len(value) > max_length or "\x00" in value:
            self.add(full, f"{full} must be text of at most {max_length} characters.")
            return ""
        return value.strip()

    def number(self, data: dict, path: str, key: str, *, zero: bool = False) -> Decimal | None:
        """A required number above 0 (or at least 0 with `zero`)."""
        value = data.get(key)
        full = f"{path}.{key}"
        if value is None:
            self.add(full, f"{full} is required.")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(full, f"{full} must be a number.")
            return None
        if zero and value < 0:
            self.add(full, f"{full} must be 0 or more.")
            return None
        if not zero and not value > 0:
            self.add(full, f"{full} must be greater than 0.")
            return None
        return Decimal(str(value))

    def choice(self, data: dict, path: str, key: str, allowed, *, default=None):
        value = data.get(key, default)
        full = f"{path}.{key}" if path else key
        if value is None:
            self.add(full, f"{full} is required.")
        elif value not in allowed:
            self.add(full, f"{full} must be one of: {', '.join(allowed)}.")
            return None
        return value

    def boolean(self, data: dict, key: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.add(key, f"{key} must be true or false.")
            return False
        return value


def _address(
    problems: _Problems, shipment: dict, key: str, *, required: bool, prefix: str = "shipment"
) -> dict | None:
    data = problems.obj(shipment, prefix, key, required=required)
    if data is None:
        return None
    path = f"{prefix}.{key}" if prefix else key
    address = {
        name: problems.text(
            data, path, name, required=True, max_length=MAX_ADDRESS_TEXT.get(name, MAX_TEXT)
        )
        for name in ADDRESS_REQUIRED
    }
    for name in ADDRESS_OPTIONAL:
        value = problems.text(
            data, path, name, required=False, max_length=MAX_ADDRESS_TEXT.get(name, MAX_TEXT)
        )
        if value:
            address[name] = value
    address["country"] = address["country"].upper()
    if address["country"] and address["country"] != "USA":
        problems.add(
            f"{path}.country",
            f"{path}.country must be USA: labels are USPS domestic services only (the states,"
            " DC, the territories and military addresses, all as USA); international labels"
            " are not offered.",
        )
    address["state"] = address["state"].upper()
    if address["state"] and address["state"] not in USPS_STATES:
        problems.add(
            f"{path}.state",
            f"{path}.state must be a two-letter USPS state, territory or military code"
            " (e.g. NY, DC, PR, AE).",
        )
    if address["postal_code"] and not ZIP_CODE.fullmatch(address["postal_code"]):
        problems.add(
            f"{path}.postal_code", f"{path}.postal_code must be a ZIP code: 12345 or 12345-6789."
        )
    return address


def _item(problems: _Problems, data, path: str) -> None:
    """One item of a parcel, shaped like Postmen's: quantity, weight and price when given."""
    if not isinstance(data, dict):
        problems.add(path, f"{path} must be an object.")
        return
    quantity = data.get("quantity")
    if quantity is not None and (
        isinstance(quantity, bool)
        or not isinstance(quantity, int | float)
        or (isinstance(quantity, float) and not quantity.is_integer())
        or quantity < 1
    ):
        problems.add(f"{path}.quantity", f"{path}.quantity must be a whole number, 1 or more.")
    weight = problems.obj(data, path, "weight", required=False)
    if weight is not None:
        problems.choice(weight, f"{path}.weight", "unit", list(TO_LB))
        problems.number(weight, f"{path}.weight", "value", zero=True)
    price = problems.obj(data, path, "price", required=False)
    if price is not None:
        problems.number(price, f"{path}.price", "amount", zero=True)
        currency = price.get("currency")
        if not isinstance(currency, str) or not CURRENCY.fullmatch(currency):
            problems.add(
                f"{path}.price.currency",
                f"{path}.price.currency must be a three-letter currency code (e.g. USD).",
            )


def _parcel(problems: _Problems, data, index: int) -> tuple[dict, Decimal]:
    path = f"shipment.parcels.{index}"
    if not isinstance(data, dict):
        problems.add(path, f"{path} must be an object.")
        return {}, Decimal(0)
    parcel: dict = {"box_type": data.get("box_type") or "custom"}
    weight_lb = Decimal(0)
    weight = problems.obj(data, path, "weight", required=True)
    if weight is not None:
        unit = problems.choice(weight, f"{path}.weight", "unit", list(TO_LB))
        value = problems.number(weight, f"{path}.weight", "value")
        if unit and value is not None:
            weight_lb = value * TO_LB[unit]
            if weight_lb > MAX_WEIGHT_LB:
                problems.add(
                    f"{path}.weight.value", f"{path}.weight is over USPS's {MAX_WEIGHT_LB} lb."
                )
            parcel["weight"] = {"unit": unit, "value": weight["value"]}
    dimension = problems.obj(data, path, "dimension", required=True)
    if dimension is not None:
        dpath = f"{path}.dimension"
        unit = problems.choice(dimension, dpath, "unit", list(TO_IN))
        sides = {
            side: problems.number(dimension, dpath, side) for side in ("width", "height", "depth")
        }
        if unit and all(v is not None for v in sides.values()):
            inches = {side: v * TO_IN[unit] for side, v in sides.items()}
            for side, v in inches.items():
                if v > MAX_SIDE_IN:
                    problems.add(f"{dpath}.{side}", f"{dpath}.{side} is over {MAX_SIDE_IN} in.")
            longest = max(inches.values())
            girth = 2 * (sum(inches.values()) - longest)
            if longest + girth > MAX_LENGTH_PLUS_GIRTH_IN:
                problems.add(
                    dpath, f"{dpath}: length plus girth is over {MAX_LENGTH_PLUS_GIRTH_IN} in."
                )
            parcel["dimension"] = {"unit": unit, **{s: dimension[s] for s in sides}}
    items = data.get("items", [])
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        problems.add(f"{path}.items", f"{path}.items must be a list of at most {MAX_ITEMS} items.")
    else:
        for index, item in enumerate(items):
            _item(problems, item, f"{path}.items.{index}")
        parcel["items"] = items
    description = problems.text(data, path, "description", required=False)
    if description:
        parcel["description"] = description
    return parcel, weight_lb


def label_request_clean(*, data) -> dict:
    """The label request as stored, or LabelError listing every field at fault."""
    problems = _Problems()
    if not isinstance(data, dict):
        raise LabelError("The request body must be a JSON object.", details=[])
    account = problems.obj(data, "", "shipper_account", required=True)
    if account is not None and not isinstance(account.get("id"), str):
        problems.add("shipper_account.id", "shipper_account.id is required.")
    service_type = problems.choice(data, "", "service_type", LabelServiceType.values)
    paper_size = problems.choice(
        data, "", "paper_size", PaperSize.values, default=PaperSize.SIZE_4X6
    )
    shipment = problems.obj(data, "", "shipment", required=True)
    ship_from = ship_to = return_to = None
    parcels, weight_lb = [], Decimal(0)
    if shipment is not None:
        ship_from = _address(problems, shipment, "ship_from", required=True)
        ship_to = _address(problems, shipment, "ship_to", required=True)
        return_to = _address(problems, shipment, "return_to", required=False)
        parcels_in = shipment.get("parcels")
        if not isinstance(parcels_in, list) or not parcels_in:
            problems.add("shipment.parcels", "shipment.parcels is required (one parcel).")
        elif len(parcels_in) > MAX_PARCELS:
            problems.add("shipment.parcels", f"shipment.parcels: at most {MAX_PARCELS} parcel.")
        else:
            for index, raw in enumerate(parcels_in):
                parcel, weight = _parcel(problems, raw, index)
                parcels.append(parcel)
                weight_lb += weight
    references = data.get("references", [])
    if (
        not isinstance(references, list)
        or len(references) > MAX_REFERENCES
        or not all(isinstance(r, str) and 0 < len(r) <= 100 for r in references)
    ):
        problems.add(
            "references", f"references: at most {MAX_REFERENCES} texts of 1-100 characters."
        )
        references = []
    order_number = data.get("order_number")
    if order_number is not None and not (
        isinstance(order_number, str) and 0 < len(order_number.strip()) <= 100
    ):
        problems.add("order_number", "order_number must be text of 1-100 characters.")
        order_number = None
    today = timezone.localdate()
    ship_date = today
    if data.get("ship_date") is not None:
        try:
            ship_date = dt.date.fromisoformat(data["ship_date"])
        except (TypeError, ValueError):
            problems.add("ship_date", "ship_date must be a date (YYYY-MM-DD).")
        else:
            last = today + dt.timedelta(days=MAX_SHIP_DAYS_AHEAD)
            if not today <= ship_date <= last:
                problems.add(
                    "ship_date",
                    f"ship_date must be from today ({today.isoformat()}) to"
                    f" {MAX_SHIP_DAYS_AHEAD} days ahead ({last.isoformat()}).",
                )
    cleaned = {
        "service_type": service_type,
        "paper_size": paper_size,
        "ship_from": ship_from,
        "ship_to": ship_to,
        "return_to": return_to,
        "parcels": parcels,
        "references": references,
        "is_document": problems.boolean(data, "is_document"),
        "return_shipment": problems.boolean(data, "return_shipment"),
        "ship_date": ship_date,
    }
    for key in ("customs", "billing", "custom_fields"):
        cleaned[key] = problems.obj(data, "", key, required=False)
    if problems.details:
        raise LabelError("The request is invalid.", details=problems.details, code="invalid")
    cleaned["shipper_account_id"] = account["id"]
    cleaned["order_number"] = (order_number or "").strip()
    cleaned["charge_weight_value"] = weight_lb.quantize(Decimal("0.001"))
    return cleaned
