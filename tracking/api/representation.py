"""Shipments as AfterShip 2024-04 tracking objects (plain functions: lists stay fast).

Each function reads a mapping of column values: a row of `.values()` (lists: no model objects
are built) or a model instance's `vars()` (one tracking after a change).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from functools import cache

from shipdesk.prepared import PreparedIn, PreparedWhere
from tracking.models import Checkpoint, Shipment, Subscriber

CHECKPOINT_FIELDS = [
    "slug",
    "created_at",
    "checkpoint_time",
    "city",
    "coordinates",
    "country_iso3",
    "country_name",
    "message",
    "state",
    "tag",
    "subtag",
    "subtag_message",
    "zip",
    "location",
    "raw_tag",
]


@cache
def _zone(offset_minutes: int) -> dt_timezone:
    return dt_timezone(timedelta(minutes=offset_minutes))


def iso(value: datetime | None, offset_minutes: int | None = None) -> str | None:
    """ISO 8601 with offset, seconds precision; in the event's own offset when known."""
    if value is None:
        return None
    if offset_minutes is not None:
        value = value.astimezone(_zone(offset_minutes))
    return value.isoformat(timespec="seconds")


def local_naive(value: datetime | None, offset_minutes: int | None) -> str | None:
    """Local wall-clock time without offset, as AfterShip gives delivery and pickup dates."""
    text = iso(value, offset_minutes)
    return text[:19] if text else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


USPS_TRACKING_LINK = "https://tools.usps.com/go/TrackConfirmAction?tLabels="
# The shipment columns a tracking object shows.
SHIPMENT_COLUMNS = [
    "id",
    "public_id",
    "tracking_number",
    "slug",
    "active",
    "title",
    "note",
    "source",
    "language",
    "tag",
    "subtag",
    "subtag_message",
    "order_id",
    "order_number",
    "order_id_path",
    "order_date",
    "order_tags",
    "order_promised_delivery_date",
    "order_promised_delivery_date_min",
    "order_promised_delivery_date_max",
    "customer_name",
    "customers",
    "custom_fields",
    "delivery_type",
    "pickup_location",
    "pickup_note",
    "shipment_type",
    "shipping_method",
    "shipment_weight",
    "shipment_weight_unit",
    "shipment_package_count",
    "shipment_tags",
    "shipment_direction",
    "signature_requirement",
    "signed_by",
    "delivery_time",
    "failed_delivery_attempts",
    "first_attempted_at",
    "first_attempted_offset",
    "shipment_pickup_date",
    "shipment_delivery_offset",
    "shipment_delivery_date",
    "return_to_sender",
    "on_time_status",
    "on_time_difference",
    "expected_delivery",
    "first_expected_delivery",
    "estimated_delivery_date",
    "estimated_delivery_date_min",
    "estimated_delivery_date_max",
    "estimated_delivery_confidence",
    "custom_estimated_delivery_date",
    "origin_country_iso3",
    "origin_state",
    "origin_city",
    "origin_postal_code",
    "origin_raw_location",
    "destination_country_iso3",
    "destination_state",
    "destination_city",
    "destination_postal_code",
    "destination_raw_location",
    "courier_destination_country_iso3",
    "tracking_postal_code",
    "tracking_ship_date",
    "tracking_account_number",
    "tracking_key",
    "tracking_origin_country",
    "tracking_destination_country",
    "tracking_state",
    "tracked_count",
    "created_at",
    "updated_at",
    "last_checked_at",
]
# What a checkpoint's representation reads: its fields, `coordinates` stored as latitude and
# longitude, and the offset that gives each time its zone.
CHECKPOINT_COLUMNS = [
    *(name for name in CHECKPOINT_FIELDS if name != "coordinates"),
    "latitude",
    "longitude",
    "utc_offset_minutes",
    "chain_hash",
]


def checkpoint_data(cp: Checkpoint | Mapping) -> dict:
    c = cp if isinstance(cp, Mapping) else vars(cp)
    latitude, longitude = c["latitude"], c["longitude"]
    return {
        "slug": c["slug"],
        "created_at": iso(c["created_at"]),
        "checkpoint_time": iso(c["checkpoint_time"], c["utc_offset_minutes"]),
        "city": c["city"] or None,
        "coordinates": [] if latitude is None or longitude is None else [latitude, longitude],
        "country_iso3": c["country_iso3"] or None,
        "country_name": c["country_name"] or None,
        "message": c["message"],
        "state": c["state"] or None,
        "tag": c["tag"],
        "subtag": c["subtag"],
        "subtag_message": c["subtag_message"],
        "zip": c["zip"] or None,
        "location": c["location"] or None,
        "raw_tag": c["raw_tag"] or None,
    }


def _edd(s: Mapping) -> dict | None:
    if not s["estimated_delivery_date"]:
        return None
    return {
        "estimated_delivery_date": day(s["estimated_delivery_date"]),
        "estimated_delivery_date_min": day(s["estimated_delivery_date_min"]),
        "estimated_delivery_date_max": day(s["estimated_delivery_date_max"]),
        "confidence_code": s["estimated_delivery_confidence"],
    }


def _estimate(when: date | None, source: str) -> dict | None:
    if not when:
        return None
    return {
        "type": "specific",
        "source": source,
        "datetime": day(when),
        "datetime_min": None,
        "datetime_max": None,
    }


def _text(value: str) -> str | None:
    return value or None


def tracking_data(s: Shipment, *, fields: set[str] | None = None) -> dict:
    """One tracking object. Expects `subscribers` and `checkpoints` prefetched."""
    subscribers = sorted(s.subscribers.all(), key=lambda x: x.pk)
    checkpoints = sorted(s.checkpoints.all(), key=lambda c: (c.checkpoint_time, c.pk))
    return _tracking(
        vars(s),
        subscribers=[(x.channel, x.address) for x in subscribers],
        checkpoints=[vars(c) for c in checkpoints],
        fields=fields,
    )


# The three reads, prepared once: resolving ~70 column names is most of the cost of building
# such a query, and a prepared queryset keeps them resolved (each use clones it and filters).
SHIPMENT_ROWS = Shipment.objects.order_by().values(*SHIPMENT_COLUMNS)
SUBSCRIBER_ROWS = Subscriber.objects.order_by("id").values_list("shipment_id", "channel", "address")
CHECKPOINT_ROWS = Checkpoint.objects.order_by("checkpoint_time", "id").values(
    "shipment_id", *CHECKPOINT_COLUMNS
)

# Their SQL for a list of ids, built once per length (shipdesk.prepared).
_SHIPMENTS_IN = PreparedIn(SHIPMENT_ROWS, "id")
_SUBSCRIBERS_IN = PreparedIn(SUBSCRIBER_ROWS, "shipment_id")
_CHECKPOINTS_IN = PreparedIn(CHECKPOINT_ROWS, "shipment_id")
# One partner's tracking row by its id, or by slug and number (a detail read).
SHIPMENT_BY_ID = PreparedWhere(SHIPMENT_ROWS, "partner_id", "public_id")
SHIPMENT_BY_NUMBER = PreparedWhere(SHIPMENT_ROWS, "partner_id", "slug", "tracking_number")


def trackings_data(ids: list[int], *, fields: set[str] | None = None, shape=None) -> list[dict]:
    """The tracking objects of these shipments, in this order: three queries whatever their
    number, and only the columns shown are read (no model objects are built)."""
    rows = _SHIPMENTS_IN.rows(ids)
    return rows_data({row["id"]: row for row in rows}, ids, fields=fields, shape=shape)


def rows_data(
    rows: dict[int, Mapping], ids: list[int], *, fields: set[str] | None = None, shape=None
):
    """Tracking objects of shipment rows ({id: SHIPMENT_ROWS row}, shown in the order of
    `ids`): their subscribers and checkpoints in two queries. `shape` builds each object
    (keyword arguments as `_tracking`'s; by default the 2024-04 one)."""
    shape = shape or _tracking
    subscribers = defaultdict(list)
    for shipment_id, channel, address in _SUBSCRIBERS_IN.rows(ids):
        subscribers[shipment_id].append((channel, address))
    checkpoints = defaultdict(list)
    for cp in _CHECKPOINTS_IN.rows(ids):
        checkpoints[cp["shipment_id"]].append(cp)
    return [
        shape(rows[i], subscribers=subscribers[i], checkpoints=checkpoints[i], fields=fields)
        for i in ids
        if i in rows
    ]


def _tracking(
    s: Mapping,
    *,
    subscribers: Iterable[tuple[str, str]],
    checkpoints: Iterable[Mapping],
    fields: set[str] | None,
) -> dict:
    subscribers = list(subscribers)
    emails = [address for channel, address in subscribers if channel == "email"]
    smses = [address for channel, address in subscribers if channel == "sms"]
    data = {
        "id": s["public_id"],
        "legacy_id": None,
        "tracking_number": s["tracking_number"],
        "slug": s["slug"],
        "active": s["active"],
        "title": s["title"] or s["tracking_number"],
        "note": _text(s["note"]),
        "source": s["source"],
        "language": _text(s["language"]),
        "tag": s["tag"],
        "subtag": s["subtag"],
        "subtag_message": s["subtag_message"],
        "emails": emails,
        "smses": smses,
        "subscribed_emails": emails,
        "subscribed_smses": smses,
        "ios": [],
        "android": [],
        "order_id": _text(s["order_id"]),
        "order_number": _text(s["order_number"]),
        "order_id_path": _text(s["order_id_path"]),
        "order_date": iso(s["order_date"]),
        "order_tags": s["order_tags"] or [],
        "order_promised_delivery_date": day(s["order_promised_delivery_date"]),
        "customer_name": _text(s["customer_name"]),
        "custom_fields": s["custom_fields"],
        "delivery_type": _text(s["delivery_type"]),
        "pickup_location": _text(s["pickup_location"]),
        "pickup_note": _text(s["pickup_note"]),
        "shipment_type": _text(s["shipment_type"]),
        "shipping_method": _text(s["shipping_method"]),
        "shipment_weight": s["shipment_weight"],
        "shipment_weight_unit": _text(s["shipment_weight_unit"]),
        "shipment_package_count": s["shipment_package_count"],
        "shipment_tags": s["shipment_tags"] or [],
        "signature_requirement": _text(s["signature_requirement"]),
        "signed_by": _text(s["signed_by"]),
        "delivery_time": s["delivery_time"],
        "transit_time": s["delivery_time"] if s["tag"] == "Delivered" else None,
        "failed_delivery_attempts": s["failed_delivery_attempts"],
        "first_attempted_at": iso(s["first_attempted_at"], s["first_attempted_offset"]),
        "shipment_pickup_date": local_naive(
            s["shipment_pickup_date"], s["shipment_delivery_offset"]
        ),
        "shipment_delivery_date": local_naive(
            s["shipment_delivery_date"], s["shipment_delivery_offset"]
        ),
        "return_to_sender": s["return_to_sender"],
        "on_time_status": _text(s["on_time_status"]),
        "on_time_difference": s["on_time_difference"],
        "expected_delivery": day(s["expected_delivery"]),
        "first_estimated_delivery": _estimate(s["first_expected_delivery"], "Carrier EDD"),
        "latest_estimated_delivery": _estimate(
            s["expected_delivery"] or s["estimated_delivery_date"],
            "Carrier EDD" if s["expected_delivery"] else "shipdesk EDD",
        ),
        "custom_estimated_delivery_date": _estimate(s["custom_estimated_delivery_date"], "Custom"),
        "aftership_estimated_delivery_date": _edd(s),
        "origin_country_iso3": _text(s["origin_country_iso3"]),
        "origin_state": _text(s["origin_state"]),
        "origin_city": _text(s["origin_city"]),
        "origin_postal_code": _text(s["origin_postal_code"]),
        "origin_raw_location": _text(s["origin_raw_location"]),
        "destination_country_iso3": _text(s["destination_country_iso3"]),
        "destination_state": _text(s["destination_state"]),
        "destination_city": _text(s["destination_city"]),
        "destination_postal_code": _text(s["destination_postal_code"]),
        "destination_raw_location": _text(s["destination_raw_location"]),
        "courier_destination_country_iso3": _text(s["courier_destination_country_iso3"])
        or _text(s["destination_country_iso3"]),
        "tracking_postal_code": _text(s["tracking_postal_code"]),
        "tracking_ship_date": _text(s["tracking_ship_date"]),
        "tracking_account_number": _text(s["tracking_account_number"]),
        "tracking_key": _text(s["tracking_key"]),
        "tracking_origin_country": _text(s["tracking_origin_country"]),
        "tracking_destination_country": _text(s["tracking_destination_country"]),
        "tracking_state": _text(s["tracking_state"]),
        "tracked_count": s["tracked_count"],
        "unique_token": "deprecated",
        "last_mile_tracking_supported": None,
        "courier_tracking_link": USPS_TRACKING_LINK + s["tracking_number"],
        "courier_redirect_link": None,
        "created_at": iso(s["created_at"]),
        "updated_at": iso(s["updated_at"]),
        "last_updated_at": iso(s["last_checked_at"] or s["updated_at"]),
        "checkpoints": [checkpoint_data(cp) for cp in checkpoints],
    }
    if fields:
        return {k: v for k, v in data.items() if k in fields or k == "id"}
    return data


def tracking_short(s: Shipment) -> dict:
    """The short form DELETE answers with."""
    return {
        "id": s.public_id,
        "slug": s.slug,
        "tracking_number": s.tracking_number,
        "tracking_key": _text(s.tracking_key),
        "tracking_state": _text(s.tracking_state),
        "tracking_ship_date": _text(s.tracking_ship_date),
        "tracking_postal_code": _text(s.tracking_postal_code),
        "tracking_account_number": _text(s.tracking_account_number),
        "tracking_origin_country": _text(s.tracking_origin_country),
        "tracking_destination_country": _text(s.tracking_destination_country),
    }
