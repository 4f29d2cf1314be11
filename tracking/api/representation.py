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


def iso_once():
    """An `iso` for one answer that formats each distinct time once: a list repeats many (a
    refresh stores its checkpoints with one creation time). Keyed with the time's zone and
    fold as well as the offset asked for, as equal aware times in other zones are written
    differently."""
    seen: dict[tuple, str] = {}

    def iso_cached(value: datetime | None, offset_minutes: int | None = None) -> str | None:
        if value is None:
            return None
        key = (value, value.tzinfo, value.fold, offset_minutes)
        text = seen.get(key)
        if text is None:
            if offset_minutes is not None:
                value = value.astimezone(_zone(offset_minutes))
            text = seen[key] = value.isoformat(timespec="seconds")
        return text

    return iso_cached


def local_naive(value: datetime | None, offset_minutes: int | None, iso=iso) -> str | None:
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
# longitude, and the offset that gives each time its zone. A checkpoint is read as a tuple of
# its shipment's id and these, in this order (the shapes unpack it: no dict per row).
CHECKPOINT_COLUMNS = [
    *(name for name in CHECKPOINT_FIELDS if name != "coordinates"),
    "latitude",
    "longitude",
    "utc_offset_minutes",
    "chain_hash",
]


def checkpoint_values(cp: Checkpoint | Mapping) -> tuple:
    """A checkpoint's values as CHECKPOINT_ROWS reads them (from a model or its columns)."""
    c = cp if isinstance(cp, Mapping) else vars(cp)
    return (c.get("shipment_id"), *(c[name] for name in CHECKPOINT_COLUMNS))


def checkpoint_data(cp: Checkpoint | Mapping) -> dict:
    return checkpoint_row(checkpoint_values(cp))


def checkpoint_row(c: tuple, iso=iso) -> dict:
    """A checkpoint from its CHECKPOINT_ROWS values (`iso` formats its times)."""
    (
        _shipment_id,
        slug,
        created_at,
        checkpoint_time,
        city,
        country_iso3,
        country_name,
        message,
        state,
        tag,
        subtag,
        subtag_message,
        zip_code,
        location,
        raw_tag,
        latitude,
        longitude,
        utc_offset_minutes,
        _chain_hash,
    ) = c
    return {
        "slug": slug,
        "created_at": iso(created_at),
        "checkpoint_time": iso(checkpoint_time, utc_offset_minutes),
        "city": city or None,
        "coordinates": [] if latitude is None or longitude is None else [latitude, longitude],
        "country_iso3": country_iso3 or None,
        "country_name": country_name or None,
        "message": message,
        "state": state or None,
        "tag": tag,
        "subtag": subtag,
        "subtag_message": subtag_message,
        "zip": zip_code or None,
        "location": location or None,
        "raw_tag": raw_tag or None,
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
        checkpoints=[checkpoint_values(c) for c in checkpoints],
        fields=fields,
    )


# The three reads, prepared once: resolving ~70 column names is most of the cost of building
# such a query, and a prepared queryset keeps them resolved (each use clones it and filters).
SHIPMENT_ROWS = Shipment.objects.order_by().values(*SHIPMENT_COLUMNS)
SUBSCRIBER_ROWS = Subscriber.objects.order_by("id").values_list("shipment_id", "channel", "address")
CHECKPOINT_ROWS = Checkpoint.objects.order_by("checkpoint_time", "id").values_list(
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
    (keyword arguments as `_tracking`'s; by default the 2024-04 one), all of them formatting
    their times with one `iso_once`."""
    shape = shape or _tracking
    times = iso_once()
    subscribers = defaultdict(list)
    for shipment_id, channel, address in _SUBSCRIBERS_IN.rows(ids):
        subscribers[shipment_id].append((channel, address))
    checkpoints = defaultdict(list)
    for cp in _CHECKPOINTS_IN.rows(ids):
        checkpoints[cp[0]].append(cp)
    return [
        shape(
            rows[i],
            subscribers=subscribers[i],
            checkpoints=checkpoints[i],
            fields=fields,
            iso=times,
        )
        for i in ids
        if i in rows
    ]


def _tracking(
    s: Mapping,
    *,
    subscribers: Iterable[tuple[str, str]],
    checkpoints: Iterable[tuple],
    fields: set[str] | None,
    iso=iso,
) -> dict:
    subscribers = list(subscribers)
    updated_at = iso(s["updated_at"])
    emails = [address for channel, address in subscribers if channel == "email"]
    smses = [address for channel, address in subscribers if channel == "sms"]
    data = {
        "id": s["public_id"],
        "legacy_id": None,
        "tracking_number": s["tracking_number"],
        "slug": s["slug"],
        "active": s["active"],
        "title": s["title"] or s["tracking_number"],
        "note": s["note"] or None,
        "source": s["source"],
        "language": s["language"] or None,
        "tag": s["tag"],
        "subtag": s["subtag"],
        "subtag_message": s["subtag_message"],
        "emails": emails,
        "smses": smses,
        "subscribed_emails": emails,
        "subscribed_smses": smses,
        "ios": [],
        "android": [],
        "order_id": s["order_id"] or None,
        "order_number": s["order_number"] or None,
        "order_id_path": s["order_id_path"] or None,
        "order_date": iso(s["order_date"]),
        "order_tags": s["order_tags"] or [],
        "order_promised_delivery_date": day(s["order_promised_delivery_date"]),
        "customer_name": s["customer_name"] or None,
        "custom_fields": s["custom_fields"],
        "delivery_type": s["delivery_type"] or None,
        "pickup_location": s["pickup_location"] or None,
        "pickup_note": s["pickup_note"] or None,
        "shipment_type": s["shipment_type"] or None,
        "shipping_method": s["shipping_method"] or None,
        "shipment_weight": s["shipment_weight"],
        "shipment_weight_unit": s["shipment_weight_unit"] or None,
        "shipment_package_count": s["shipment_package_count"],
        "shipment_tags": s["shipment_tags"] or [],
        "signature_requirement": s["signature_requirement"] or None,
        "signed_by": s["signed_by"] or None,
        "delivery_time": s["delivery_time"],
        "transit_time": s["delivery_time"] if s["tag"] == "Delivered" else None,
        "failed_delivery_attempts": s["failed_delivery_attempts"],
        "first_attempted_at": iso(s["first_attempted_at"], s["first_attempted_offset"]),
        "shipment_pickup_date": local_naive(
            s["shipment_pickup_date"], s["shipment_delivery_offset"], iso
        ),
        "shipment_delivery_date": local_naive(
            s["shipment_delivery_date"], s["shipment_delivery_offset"], iso
        ),
        "return_to_sender": s["return_to_sender"],
        "on_time_status": s["on_time_status"] or None,
        "on_time_difference": s["on_time_difference"],
        "expected_delivery": day(s["expected_delivery"]),
        "first_estimated_delivery": _estimate(s["first_expected_delivery"], "Carrier EDD"),
        "latest_estimated_delivery": _estimate(
            s["expected_delivery"] or s["estimated_delivery_date"],
            "Carrier EDD" if s["expected_delivery"] else "shipdesk EDD",
        ),
        "custom_estimated_delivery_date": _estimate(s["custom_estimated_delivery_date"], "Custom"),
        "aftership_estimated_delivery_date": _edd(s),
        "origin_country_iso3": s["origin_country_iso3"] or None,
        "origin_state": s["origin_state"] or None,
        "origin_city": s["origin_city"] or None,
        "origin_postal_code": s["origin_postal_code"] or None,
        "origin_raw_location": s["origin_raw_location"] or None,
        "destination_country_iso3": s["destination_country_iso3"] or None,
        "destination_state": s["destination_state"] or None,
        "destination_city": s["destination_city"] or None,
        "destination_postal_code": s["destination_postal_code"] or None,
        "destination_raw_location": s["destination_raw_location"] or None,
        "courier_destination_country_iso3": s["courier_destination_country_iso3"]
        or s["destination_country_iso3"]
        or None,
        "tracking_postal_code": s["tracking_postal_code"] or None,
        "tracking_ship_date": s["tracking_ship_date"] or None,
        "tracking_account_number": s["tracking_account_number"] or None,
        "tracking_key": s["tracking_key"] or None,
        "tracking_origin_country": s["tracking_origin_country"] or None,
        "tracking_destination_country": s["tracking_destination_country"] or None,
        "tracking_state": s["tracking_state"] or None,
        "tracked_count": s["tracked_count"],
        "unique_token": "deprecated",
        "last_mile_tracking_supported": None,
        "courier_tracking_link": USPS_TRACKING_LINK + s["tracking_number"],
        "courier_redirect_link": None,
        "created_at": iso(s["created_at"]),
        "updated_at": updated_at,
        "last_updated_at": iso(s["last_checked_at"]) if s["last_checked_at"] else updated_at,
        "checkpoints": [checkpoint_row(cp, iso) for cp in checkpoints],
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
