"""Pure USPS Tracking v3r2 mapping: build requests, parse responses, map codes to tags.

No I/O here: the client sends what `build_tracking_request` returns and hands the answer
to `parse_tracking_response`.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, date, datetime

from tracking.carriers.base import Event, TrackRequest, TrackResult
from tracking.choices import Subtag

logger = logging.getLogger(__name__)

BATCH_SIZE = 35

# USPS event codes -> subtag. Unknown codes fall back on the event text, then InTransit_001.
EVENT_CODES: dict[str, Subtag] = {
    "MA": Subtag.INFO_RECEIVED_001,  # Shipping label created, USPS awaiting item
    "GX": Subtag.INFO_RECEIVED_001,  # Shipping label cancelled
    "GC": Subtag.INFO_RECEIVED_001,
    "03": Subtag.IN_TRANSIT_002,  # USPS in possession of item / accepted
    "OA": Subtag.IN_TRANSIT_002,  # Accepted at USPS origin facility
    "TM": Subtag.IN_TRANSIT_002,
    "80": Subtag.IN_TRANSIT_002,  # Picked up by shipping partner
    "07": Subtag.IN_TRANSIT_003,  # Arrived at unit
    "A1": Subtag.IN_TRANSIT_003,  # Arrived at facility
    "U1": Subtag.IN_TRANSIT_003,
    "81": Subtag.IN_TRANSIT_003,  # Arrived at shipping partner facility
    "10": Subtag.IN_TRANSIT_001,  # Processed through facility
    "PC": Subtag.IN_TRANSIT_001,  # Sorting complete
    "NT": Subtag.IN_TRANSIT_001,  # In transit to next facility
    "SF": Subtag.IN_TRANSIT_007,  # Departed facility
    "T1": Subtag.IN_TRANSIT_007,  # Departed post office
    "L1": Subtag.IN_TRANSIT_007,
    "82": Subtag.IN_TRANSIT_007,  # Departed shipping partner facility
    "06": Subtag.IN_TRANSIT_009,  # Forwarded
    "08": Subtag.IN_TRANSIT_001,  # Missent
    "15": Subtag.IN_TRANSIT_001,  # Mis-shipped
    "RB": Subtag.EXCEPTION_005,  # In transit, arriving late
    "OF": Subtag.OUT_FOR_DELIVERY_001,
    "DE": Subtag.OUT_FOR_DELIVERY_001,
    "59": Subtag.OUT_FOR_DELIVERY_001,  # Out for delivery (redelivery)
    "01": Subtag.DELIVERED_001,
    "VX": Subtag.DELIVERED_001,  # Delivered to agent
    "17": Subtag.DELIVERED_002,  # Picked up at post office
    "43": Subtag.DELIVERED_002,  # Picked up
    "02": Subtag.ATTEMPT_FAIL_003,  # Notice left (no authorised recipient)
    "52": Subtag.ATTEMPT_FAIL_003,  # Notice left, receptacle full
    "53": Subtag.ATTEMPT_FAIL_003,  # Notice left, no secure location
    "55": Subtag.ATTEMPT_FAIL_001,  # Notice left, no access to delivery location
    "56": Subtag.ATTEMPT_FAIL_001,
    "54": Subtag.ATTEMPT_FAIL_002,  # Notice left, business closed
    "51": Subtag.ATTEMPT_FAIL_002,  # Business closed
    "14": Subtag.AVAILABLE_FOR_PICKUP_001,  # Arrival at pickup point
    "16": Subtag.AVAILABLE_FOR_PICKUP_001,  # Available for pickup
    "04": Subtag.EXCEPTION_003,  # Refused
    "05": Subtag.EXCEPTION_007,  # Undeliverable as addressed
    "21": Subtag.EXCEPTION_007,  # No such number
    "22": Subtag.EXCEPTION_007,  # Insufficient address
    "23": Subtag.EXCEPTION_002,  # Moved, left no address
    "24": Subtag.EXCEPTION_002,  # Forward expired
    "25": Subtag.EXCEPTION_007,  # Addressee unknown
    "26": Subtag.EXCEPTION_001,  # Vacant
    "27": Subtag.EXCEPTION_010,  # Unclaimed, returning
    "28": Subtag.EXCEPTION_001,  # Deceased
    "29": Subtag.EXCEPTION_010,  # Return to sender, not picked up
    "09": Subtag.EXCEPTION_010,  # Return to sender
    "11": Subtag.EXCEPTION_013,  # Dead letter / mail recovery center
    "44": Subtag.EXCEPTION_001,  # Customer recall
    "31": Subtag.EXCEPTION_012,  # Damaged
    "DX": Subtag.EXCEPTION_005,  # Delivery status not updated
    "RD": Subtag.EXCEPTION_011,  # Returned to sender, delivered
}

# Event text -> subtag, for codes the table does not know (first match wins).
EVENT_TEXT: list[tuple[str, Subtag]] = [
    ("returned to sender", Subtag.EXCEPTION_011),
    ("return to sender", Subtag.EXCEPTION_010),
    ("delivered", Subtag.DELIVERED_001),
    ("picked up at", Subtag.DELIVERED_002),
    ("out for delivery", Subtag.OUT_FOR_DELIVERY_001),
    ("available for pickup", Subtag.AVAILABLE_FOR_PICKUP_001),
    ("notice left", Subtag.ATTEMPT_FAIL_003),
    ("delivery attempted", Subtag.ATTEMPT_FAIL_001),
    ("refused", Subtag.EXCEPTION_003),
    ("undeliverable", Subtag.EXCEPTION_007),
    ("shipping label created", Subtag.INFO_RECEIVED_001),
    ("pre-shipment", Subtag.INFO_RECEIVED_001),
    ("accepted", Subtag.IN_TRANSIT_002),
    ("arrived", Subtag.IN_TRANSIT_003),
    ("departed", Subtag.IN_TRANSIT_007),
]

COUNTRY_NAMES = {"USA": "United States", "CAN": "Canada", "MEX": "Mexico", "GBR": "United Kingdom"}
COUNTRY_ISO3 = {"US": "USA", "UNITED STATES": "USA", "CA": "CAN", "CANADA": "CAN", "MX": "MEX"}


def build_tracking_request(requests: list[TrackRequest]) -> list[dict]:
    if not 1 <= len(requests) <= BATCH_SIZE:
        raise ValueError(f"A USPS tracking request holds 1 to {BATCH_SIZE} numbers.")
    body = []
    for req in requests:
        item: dict = {"trackingNumber": req.tracking_number}
        if req.mailing_date:
            item["mailingDate"] = req.mailing_date.isoformat()
        if req.destination_zip:
            item["destinationZIPCode"] = req.destination_zip[:5]
        body.append(item)
    return body


def map_code(code: str, text: str) -> Subtag:
    """Map a USPS event code (or, failing that, its text) to a subtag."""
    if code in EVENT_CODES:
        return EVENT_CODES[code]
    lowered = text.lower()
    for needle, subtag in EVENT_TEXT:
        if needle in lowered:
            if code:
                logger.warning("Unknown USPS event code %r (%r): mapped by text", code, text)
            return subtag
    logger.warning("Unknown USPS event code %r (%r): mapped to InTransit_001", code, text)
    return Subtag.IN_TRANSIT_001


# No parcel was scanned before this, and a time past the other end is a corrupt record that
# would overflow date arithmetic further on (expiry, schedules, estimates).
EARLIEST_EVENT = datetime(1990, 1, 1, tzinfo=UTC)
LATEST_EVENT = datetime(2100, 1, 1, tzinfo=UTC)
# Real UTC offsets run from -12:00 to +14:00.
OFFSET_RANGE = range(-12 * 60, 14 * 60 + 1)


def _parse_time(local, gmt) -> tuple[datetime, int | None]:
    """Return the aware UTC time and the event's local UTC offset in minutes.

    Raises ValueError when the times cannot be read or cannot be true (an unreadable event).
    """
    local_dt = _iso(local, "eventTimestamp")
    gmt_dt = _iso(gmt, "GMTTimestamp")
    if gmt_dt is not None and gmt_dt.tzinfo is None:
        gmt_dt = gmt_dt.replace(tzinfo=UTC)
    if local_dt is not None and local_dt.tzinfo is not None:
        when, offset = _utc(local_dt, "eventTimestamp", local), _minutes(local_dt.utcoffset())
    elif gmt_dt is not None:
        when, offset = _utc(gmt_dt, "GMTTimestamp", gmt), None
        if local_dt is not None:
            offset = _minutes(local_dt - when.replace(tzinfo=None), quarter_hours=True)
            if offset not in OFFSET_RANGE:
                raise ValueError(
                    f"eventTimestamp {local!r:.60} and GMTTimestamp {gmt!r:.60} are too far apart"
                )
    elif local_dt is not None:
        raise ValueError(
            f"eventTimestamp {local!r:.60} has no UTC offset and there is no GMTTimestamp"
        )
    else:
        raise ValueError("event has no timestamp")
    if offset is not None and offset not in OFFSET_RANGE:
        raise ValueError(f"eventTimestamp {local!r:.60}: UTC offset out of range")
    if not EARLIEST_EVENT <= when < LATEST_EVENT:
        raise ValueError(f"event time {when:%Y-%m-%d %H:%M} UTC is out of range")
    return when, offset


def _iso(value, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name} {value!r:.60} is not a string")
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"{name} {value!r:.60} cannot be read ({exc})") from None


def _utc(moment: datetime, name: str, raw: str) -> datetime:
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):  # e.g. 0001-01-01T00:00+01:00 is before year 1 in UTC
        raise ValueError(f"{name} {raw!r:.60} is out of range") from None


def _minutes(delta, *, quarter_hours: bool = False) -> int:
    if quarter_hours:
        return round(delta.total_seconds() / 900) * 15
    return int(delta.total_seconds() // 60)


def _str(value, name: str = "value") -> str:
    """A text field of the answer; a list or an object there makes it unreadable."""
    if value.__class__ is str:  # nearly every value: no conversion to make
        return (value.replace("\x00", "") if "\x00" in value else value).strip()
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{name} {value!r:.60} is not text")
    # PostgreSQL refuses NUL in text: it would fail the whole batch's transaction.
    return str(value).replace("\x00", "").strip()


def _fact(raw: dict, name: str) -> str:
    """An optional fact about the item: unreadable is the same as absent."""
    try:
        return _str(raw.get(name), name)
    except ValueError:
        return ""


def _country(value: str) -> tuple[str, str]:
    raw = value.upper()
    iso3 = raw if raw in COUNTRY_NAMES else COUNTRY_ISO3.get(raw, "")
    if not iso3 and not raw:
        iso3 = ""
    return iso3, COUNTRY_NAMES.get(iso3, value.title() if value else "")


# Each subtag's tag, value and label, looked up once (an enum member's attributes and the
# tag derived from its name cost more than a dict lookup, for every event).
SUBTAG_PARTS: dict[Subtag, tuple[str, str, str]] = {
    subtag: (subtag.tag.value, subtag.value, subtag.label) for subtag in Subtag
}


def _place(city: str, state: str, zip_code: str, country: str) -> tuple[str, ...]:
    """(city, state, ZIP, ISO3 country, country name, location) of an event's place fields
    (already text); an answer repeats a handful of places, so the result is kept."""
    key = (city, state, zip_code, country)
    place = _PLACES.get(key)
    if place is None:
        city, state = city.title(), state.upper()
        iso3, country_name = _country(country or ("US" if state else ""))
        parts = [p for p in (city, f"{state} {zip_code}".strip(), iso3) if p]
        place = (city, state, zip_code, iso3, country_name, ", ".join(parts))
        if len(_PLACES) >= PLACES_KEPT:
            _PLACES.clear()
        _PLACES[key] = place
    return place


PLACES_KEPT = 4096
_PLACES: dict[tuple[str, str, str, str], tuple[str, ...]] = {}


EVENT_TEXT_FIELDS = (
    "eventCode",
    "eventType",
    "eventCity",
    "eventState",
    "eventZIPCode",
    "eventCountry",
    "recipientName",
    "name",
    "firm",
)


def parse_event(raw: dict) -> Event:
    """Map one USPS trackingEvents[] item; raises ValueError when it is unusable."""
    if not isinstance(raw, dict):
        raise ValueError("event is not an object")
    (code, text, city, state, zip_code, country, recipient, name, firm) = [
        _str(raw.get(name), name) for name in EVENT_TEXT_FIELDS
    ]
    code = code.upper()
    if not text:
        raise ValueError("event has no eventType")
    when, offset = _parse_time(raw.get("eventTimestamp"), raw.get("GMTTimestamp"))
    city, state, zip_code, iso3, country_name, location = _place(city, state, zip_code, country)
    tag, subtag, subtag_message = SUBTAG_PARTS[map_code(code, text)]
    fingerprint = "|".join((code, when.isoformat(), zip_code, text.lower()))
    return Event(
        key=hashlib.sha256(fingerprint.encode()).hexdigest()[:40],
        time=when,
        utc_offset_minutes=offset,
        message=text[:500],
        tag=tag,
        subtag=subtag,
        subtag_message=subtag_message,
        raw_tag=code,
        city=city,
        state=state,
        zip=zip_code,
        country_iso3=iso3,
        country_name=country_name,
        location=location,
        recipient_name=recipient or name,
        firm=firm,
    )


def _date(value) -> date | None:
    try:
        return date.fromisoformat(_str(value)[:10]) if value else None
    except ValueError:
        return None


def _object(raw: dict, name: str) -> dict:
    value = raw.get(name)
    return value if isinstance(value, dict) else {}


def parse_item(raw: dict) -> TrackResult:
    """Map one tracking result; an error or a malformed item becomes TrackResult.error."""
    number = _fact(raw, "trackingNumber") if isinstance(raw, dict) else ""
    if not number:
        raise ValueError("result item has no trackingNumber")
    status_code = _fact(raw, "statusCode")
    if status_code and not status_code.startswith("2"):
        error = raw.get("error") or {}
        message = _fact(error, "message") if isinstance(error, dict) else _fact(raw, "error")
        return TrackResult(number, error=f"USPS {status_code}: {message or 'no detail given'}")
    events_raw = raw.get("trackingEvents") or []
    if not isinstance(events_raw, list):
        return TrackResult(number, error="USPS answer malformed: trackingEvents is not a list")
    events = []
    for position, event in enumerate(events_raw, start=1):
        try:
            events.append(parse_event(event))
        except (ValueError, TypeError, ArithmeticError) as exc:
            return TrackResult(number, error=f"USPS answer malformed: event {position}: {exc}")
    expectation = _object(raw, "deliveryDateExpectation")
    eligibility = _object(raw, "servicesEligibility")
    return TrackResult(
        number,
        events=events,
        unique_tracking_id=_fact(raw, "uniqueTrackingID"),
        mail_class=_fact(raw, "mailClass"),
        status=_fact(raw, "status"),
        status_summary=_fact(raw, "statusSummary"),
        expected_delivery=_date(
            expectation.get("expectedDeliveryDate") or expectation.get("predictedDeliveryDate")
        ),
        pod_eligible=bool(eligibility.get("proofOfDeliveryEnabled")),
        rre_eligible=bool(eligibility.get("RREEnabled")),
        origin_city=_fact(raw, "originCity").title(),
        origin_state=_fact(raw, "originState").upper(),
        origin_zip=_fact(raw, "originZIPCode"),
        destination_city=_fact(raw, "destinationCity").title(),
        destination_state=_fact(raw, "destinationState").upper(),
        destination_zip=_fact(raw, "destinationZIPCode"),
    )


def parse_tracking_response(body, requested: list[str]) -> list[TrackResult]:
    """Map a 200/207 body to one result per requested number.

    A number the body does not mention, or an item that cannot be read, becomes an error
    result for that number: a bad answer never raises past this function.
    """
    items = body
    if isinstance(body, dict):
        # One item on its own, or a wrapper holding the list of items.
        if "trackingNumber" in body:
            items = [body]
        else:
            items = next((v for v in body.values() if isinstance(v, list)), [body])
    if not isinstance(items, list):
        return [
            TrackResult(n, error="USPS answer malformed: not a list", request_failed=True)
            for n in requested
        ]
    results: dict[str, TrackResult] = {}
    for raw in items:
        try:
            result = parse_item(raw)
        except (ValueError, TypeError, AttributeError):
            logger.warning("Unreadable USPS tracking item: %.200r", raw)
            continue
        except Exception as exc:
            # A fault of ours on one item must not cost the others their answers.
            logger.exception("Could not map a USPS tracking item: %.200r", raw)
            number = _fact(raw, "trackingNumber")
            if not number:
                continue
            result = TrackResult(number, error=f"USPS answer unreadable ({type(exc).__name__})")
        results[result.tracking_number.upper()] = result
    return [
        results.get(n.upper()) or TrackResult(n, error="USPS answer did not include this number")
        for n in requested
    ]
