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


def _parse_time(local: str | None, gmt: str | None) -> tuple[datetime, int | None]:
    """Return the aware UTC time and the event's local UTC offset in minutes."""
    local_dt = _iso(local)
    gmt_dt = _iso(gmt)
    if gmt_dt is not None and gmt_dt.tzinfo is None:
        gmt_dt = gmt_dt.replace(tzinfo=UTC)
    if local_dt is not None and local_dt.tzinfo is not None:
        offset = local_dt.utcoffset()
        return local_dt.astimezone(UTC), int(offset.total_seconds() // 60)
    if gmt_dt is not None:
        if local_dt is not None:
            delta = local_dt - gmt_dt.replace(tzinfo=None)
            minutes = round(delta.total_seconds() / 900) * 15
            return gmt_dt.astimezone(UTC), minutes
        return gmt_dt.astimezone(UTC), None
    if local_dt is not None:
        return local_dt.replace(tzinfo=UTC), None
    raise ValueError("event has no timestamp")


def _iso(value) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"timestamp {value!r} is not a string")
    text = value.strip().replace("Z", "+00:00")
    return datetime.fromisoformat(text)


def _str(value) -> str:
    return "" if value is None else str(value).strip()


def _country(value: str) -> tuple[str, str]:
    raw = value.upper()
    iso3 = raw if raw in COUNTRY_NAMES else COUNTRY_ISO3.get(raw, "")
    if not iso3 and not raw:
        iso3 = ""
    return iso3, COUNTRY_NAMES.get(iso3, value.title() if value else "")


def parse_event(raw: dict) -> Event:
    """Map one USPS trackingEvents[] item; raises ValueError when it is unusable."""
    if not isinstance(raw, dict):
        raise ValueError("event is not an object")
    code = _str(raw.get("eventCode")).upper()
    text = _str(raw.get("eventType"))
    if not text:
        raise ValueError("event has no eventType")
    when, offset = _parse_time(raw.get("eventTimestamp"), raw.get("GMTTimestamp"))
    city, state, zip_code = (
        _str(raw.get("eventCity")).title(),
        _str(raw.get("eventState")).upper(),
        _str(raw.get("eventZIPCode")),
    )
    iso3, country_name = _country(_str(raw.get("eventCountry")) or ("US" if state else ""))
    subtag = map_code(code, text)
    location = ", ".join(p for p in (city, f"{state} {zip_code}".strip(), iso3) if p)
    fingerprint = "|".join((code, when.isoformat(), zip_code, text.lower()))
    return Event(
        key=hashlib.sha256(fingerprint.encode()).hexdigest()[:40],
        time=when,
        utc_offset_minutes=offset,
        message=text[:500],
        tag=subtag.tag.value,
        subtag=subtag.value,
        subtag_message=subtag.label,
        raw_tag=code,
        city=city,
        state=state,
        zip=zip_code,
        country_iso3=iso3,
        country_name=country_name,
        location=location,
        recipient_name=_str(raw.get("recipientName") or raw.get("name")),
        firm=_str(raw.get("firm")),
    )


def _date(value) -> date | None:
    try:
        return date.fromisoformat(_str(value)[:10]) if value else None
    except ValueError:
        return None


def parse_item(raw: dict) -> TrackResult:
    """Map one tracking result; an error or a malformed item becomes TrackResult.error."""
    number = _str(raw.get("trackingNumber")) if isinstance(raw, dict) else ""
    if not number:
        raise ValueError("result item has no trackingNumber")
    status_code = _str(raw.get("statusCode"))
    if status_code and not status_code.startswith("2"):
        error = raw.get("error") or {}
        message = _str(error.get("message") if isinstance(error, dict) else error)
        return TrackResult(number, error=f"USPS {status_code}: {message or 'no detail given'}")
    events_raw = raw.get("trackingEvents") or []
    if not isinstance(events_raw, list):
        return TrackResult(number, error="USPS answer malformed: trackingEvents is not a list")
    try:
        events = [parse_event(e) for e in events_raw]
    except (ValueError, TypeError) as exc:
        return TrackResult(number, error=f"USPS answer malformed: {exc}")
    expectation = raw.get("deliveryDateExpectation") or {}
    if not isinstance(expectation, dict):
        expectation = {}
    eligibility = raw.get("servicesEligibility") or {}
    if not isinstance(eligibility, dict):
        eligibility = {}
    return TrackResult(
        number,
        events=events,
        unique_tracking_id=_str(raw.get("uniqueTrackingID")),
        mail_class=_str(raw.get("mailClass")),
        status=_str(raw.get("status")),
        status_summary=_str(raw.get("statusSummary")),
        expected_delivery=_date(
            expectation.get("expectedDeliveryDate") or expectation.get("predictedDeliveryDate")
        ),
        pod_eligible=bool(eligibility.get("proofOfDeliveryEnabled")),
        rre_eligible=bool(eligibility.get("RREEnabled")),
        origin_city=_str(raw.get("originCity")).title(),
        origin_state=_str(raw.get("originState")).upper(),
        origin_zip=_str(raw.get("originZIPCode")),
        destination_city=_str(raw.get("destinationCity")).title(),
        destination_state=_str(raw.get("destinationState")).upper(),
        destination_zip=_str(raw.get("destinationZIPCode")),
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
        return [TrackResult(n, error="USPS answer malformed: not a list") for n in requested]
    results: dict[str, TrackResult] = {}
    for raw in items:
        try:
            result = parse_item(raw)
        except (ValueError, TypeError, AttributeError):
            logger.warning("Unreadable USPS tracking item: %.200r", raw)
            continue
        results[result.tracking_number.upper()] = result
    return [
        results.get(n.upper()) or TrackResult(n, error="USPS answer did not include this number")
        for n in requested
    ]
