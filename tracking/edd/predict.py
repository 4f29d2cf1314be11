"""Predict-batch (AfterShip 2024-04 POST /estimated-delivery-date/predict-batch)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from tracking.edd.calendar import CUTOFF
from tracking.edd.model import EddModel, estimate
from tracking.edd.places import normalize_mail_class, zip3
from tracking.edd.zone_table import Standard

MAX_BATCH = 5
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
TIME_FORMAT = "%H:%M:%S"
DEFAULT_BUSINESS_DAYS = [1, 2, 3, 4, 5]
MAX_PROCESSING_DAYS = 30
MIN_YEAR, MAX_YEAR = 2000, 2100
ADDRESS_KEYS = ("country", "state", "city", "postal_code", "raw_location")
WEIGHT_UNITS = {"kg", "lb", "g", "oz"}


class EddInputError(ValueError):
    """A predict-batch item that cannot be read; `field` names the culprit (dotted path)."""

    def __init__(self, field: str, reason: str):
        self.field = field
        self.reason = reason
        super().__init__(f"Invalid {field or 'item'}: {reason}")

    def within(self, prefix: str) -> EddInputError:
        """The same error for an item nested under `prefix` ("" names the item itself)."""
        return EddInputError(f"{prefix}.{self.field}" if self.field else prefix, self.reason)


@dataclass(frozen=True)
class PickupPlan:
    order_time: datetime
    order_cutoff_time: time
    business_days: list[int]
    processing_days: int


@dataclass(frozen=True)
class PredictRequest:
    item: dict  # the item as sent, defaults not filled
    slug: str
    mail_class: str | None
    origin_address: dict
    destination_address: dict
    pickup_time: datetime | None
    estimated_pickup: PickupPlan | None


def _datetime(value, name: str) -> datetime:
    if not isinstance(value, str):
        raise EddInputError(name, "must be a string formatted YYYY-MM-DD HH:MM:SS.")
    try:
        parsed = datetime.strptime(value, DATETIME_FORMAT)
    except ValueError:
        raise EddInputError(name, "must be formatted YYYY-MM-DD HH:MM:SS.") from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise EddInputError(name, f"must be in the years {MIN_YEAR} to {MAX_YEAR}.")
    return parsed


def _time(value, name: str) -> time:
    if not isinstance(value, str):
        raise EddInputError(name, "must be a string formatted HH:MM:SS.")
    try:
        return datetime.strptime(value, TIME_FORMAT).time()
    except ValueError:
        raise EddInputError(name, "must be formatted HH:MM:SS.") from None


def _address(value, name: str) -> dict:
    if not isinstance(value, dict):
        raise EddInputError(name, "is required and must be an object.")
    for key in ADDRESS_KEYS:
        if value.get(key) is not None and not isinstance(value[key], str):
            raise EddInputError(f"{name}.{key}", "must be a string.")
    country = (value.get("country") or "").strip().upper()
    if country and country not in {"USA", "US"}:
        raise EddInputError(f"{name}.country", "only USA addresses are supported (USPS).")
    postal = value.get("postal_code")
    if postal not in (None, "") and zip3(postal) is None:
        raise EddInputError(f"{name}.postal_code", "must be a US ZIP code (12345 or 12345-6789).")
    return {key: value.get(key) for key in ADDRESS_KEYS} | {
        k: v for k, v in value.items() if k not in ADDRESS_KEYS
    }


def _int(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise EddInputError(name, f"must be an integer from {low} to {high}.")
    return value


def _pickup_plan(value) -> PickupPlan:
    name = "estimated_pickup"
    if not isinstance(value, dict):
        raise EddInputError(name, "must be an object.")
    if value.get("order_time") is None:
        raise EddInputError(f"{name}.order_time", "is required.")
    order_time = _datetime(value["order_time"], f"{name}.order_time")
    cutoff = value.get("order_cutoff_time")
    cutoff = CUTOFF if cutoff is None else _time(cutoff, f"{name}.order_cutoff_time")
    days = value.get("business_days")
    if days is None:
        days = DEFAULT_BUSINESS_DAYS
    if not isinstance(days, list) or not days or len(days) > 7:
        raise EddInputError(f"{name}.business_days", "must be a list of 1 to 7 ISO weekdays.")
    for day in days:
        _int(day, f"{name}.business_days", 1, 7)
    if len(set(days)) != len(days):
        raise EddInputError(f"{name}.business_days", "must not repeat a weekday.")
    processing = value.get("order_processing_time")
    processing_days = 0
    if processing is not None:
        if not isinstance(processing, dict):
            raise EddInputError(f"{name}.order_processing_time", "must be an object.")
        if not isinstance(processing.get("unit"), str) or processing["unit"] != "day":
            raise EddInputError(f"{name}.order_processing_time.unit", 'must be "day".')
        processing_days = _int(
            processing.get("value"),
            f"{name}.order_processing_time.value",
            0,
            MAX_PROCESSING_DAYS,
        )
    return PickupPlan(order_time, cutoff, sorted(days), processing_days)


def parse_predict_item(item) -> PredictRequest:
    """Validate one `estimated_delivery_dates` item; raises EddInputError naming the field."""
    if not isinstance(item, dict):
        raise EddInputError("", "must be an object.")
    slug = item.get("slug")
    if not isinstance(slug, str) or not slug.strip():
        raise EddInputError("slug", "is required.")
    if slug.strip().lower() != "usps":
        raise EddInputError("slug", 'only "usps" is supported.')
    service = item.get("service_type_name")
    if service is not None and not isinstance(service, str):
        raise EddInputError("service_type_name", "must be a string or null.")
    origin = _address(item.get("origin_address"), "origin_address")
    destination = _address(item.get("destination_address"), "destination_address")
    weight = item.get("weight")
    if weight is not None:
        if not isinstance(weight, dict):
            raise EddInputError("weight", "must be an object or null.")
        if not isinstance(weight.get("unit"), str) or weight["unit"] not in WEIGHT_UNITS:
            raise EddInputError("weight.unit", "must be one of g, kg, lb, oz.")
        value = weight.get("value")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < 0
        ):
            raise EddInputError("weight.value", "must be a number not below 0.")
    if item.get("package_count") is not None:
        _int(item["package_count"], "package_count", 1, 100_000)
    pickup_time = item.get("pickup_time")
    plan = item.get("estimated_pickup")
    if pickup_time is None and plan is None:
        raise EddInputError("pickup_time", "either pickup_time or estimated_pickup is required.")
    if pickup_time is not None and plan is not None:
        raise EddInputError("pickup_time", "give pickup_time or estimated_pickup, not both.")
    return PredictRequest(
        item=item,
        slug="usps",
        mail_class=normalize_mail_class(service),
        origin_address=origin,
        destination_address=destination,
        pickup_time=None if pickup_time is None else _datetime(pickup_time, "pickup_time"),
        estimated_pickup=None if plan is None else _pickup_plan(plan),
    )


def planned_pickup(plan: PickupPlan) -> datetime:
    """When the merchant hands the parcel over: the cutoff of its last processing day.

    An order counts on its own day when that is one of the merchant's `business_days` and it
    arrives by the cutoff, else on the next such day; processing days are merchant days too.
    """

    def working(day: date) -> bool:
        return day.isoweekday() in plan.business_days

    def next_working(day: date) -> date:
        day += timedelta(days=1)
        while not working(day):
            day += timedelta(days=1)
        return day

    day = plan.order_time.date()
    if not working(day) or plan.order_time.time() > plan.order_cutoff_time:
        day = next_working(day)
    for _ in range(plan.processing_days):
        day = next_working(day)
    return datetime.combine(day, plan.order_cutoff_time)


def predict(
    request: PredictRequest, *, model: EddModel | None, standard: Standard | None = None
) -> dict:
    """The predict-batch answer item for a parsed request (`standard`: USPS's days for a lane
    the model has no history for; without it the zone table answers)."""
    item = request.item
    pickup = request.pickup_time
    estimated_pickup = None
    if request.estimated_pickup is not None:
        plan = request.estimated_pickup
        pickup = planned_pickup(plan)
        estimated_pickup = {
            **item["estimated_pickup"],
            "order_time": plan.order_time.strftime(DATETIME_FORMAT),
            "order_cutoff_time": plan.order_cutoff_time.strftime(TIME_FORMAT),
            "business_days": plan.business_days,
            "order_processing_time": {"unit": "day", "value": plan.processing_days},
            "pickup_time": pickup.strftime(DATETIME_FORMAT),
        }
    result = estimate(
        model,
        origin_zip=request.origin_address.get("postal_code"),
        destination_zip=request.destination_address.get("postal_code"),
        mail_class=request.mail_class,
        accepted_at=pickup,
        standard=standard,
        origin_state=request.origin_address.get("state"),
        destination_state=request.destination_address.get("state"),
    )
    return {
        **item,
        "slug": request.slug,
        "service_type_name": item.get("service_type_name"),
        "origin_address": request.origin_address,
        "destination_address": request.destination_address,
        "weight": item.get("weight"),
        "package_count": item.get("package_count"),
        "pickup_time": item.get("pickup_time"),
        "estimated_pickup": estimated_pickup,
        "estimated_delivery_date": _iso(result and result.estimated_delivery_date),
        "estimated_delivery_date_min": _iso(result and result.estimated_delivery_date_min),
        "estimated_delivery_date_max": _iso(result and result.estimated_delivery_date_max),
        "confidence_code": result.confidence_code if result else None,
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def parse_predict_batch(items) -> list[PredictRequest]:
    """Validate 1-5 predict-batch items; any bad item fails the whole call (as AfterShip's).

    Raises EddInputError with `field` like "estimated_delivery_dates[1].pickup_time".
    """
    name = "estimated_delivery_dates"
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH:
        raise EddInputError(name, f"must be an array of 1 to {MAX_BATCH} objects.")
    parsed = []
    for index, item in enumerate(items):
        try:
            parsed.append(parse_predict_item(item))
        except EddInputError as exc:
            raise exc.within(f"{name}[{index}]") from None
    return parsed


def predict_batch(items, *, model: EddModel | None) -> list[dict]:
    """The predict-batch answer items for the request's `estimated_delivery_dates`."""
    return [predict(request, model=model) for request in parse_predict_batch(items)]
