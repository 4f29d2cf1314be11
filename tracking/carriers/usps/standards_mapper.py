"""USPS Service Standards 3.0 (`GET /service-standards/v3/standards`), pure: the query for a
lane and mail class, and the answer read as transit days.

The answer is an array of standards `{mailClass, originZIPCode, destinationZIPCode, days,
effectiveAcceptanceDate, scheduledDeliveryDate, notes?, …}`. USPS Ground Advantage answers two
(`notes` WEIGHT_LESS_THAN_1_POUND and WEIGHT_GREATER_THAN_OR_EQUAL_TO_1_POUND) unless a weight
is sent: without one the longer is taken. `days` is USPS's standard; the range around it is
one business day either side (Priority Mail Express, guaranteed, is never later than it).
"""

from __future__ import annotations

import re
from datetime import date

from tracking.edd.places import normalize_mail_class
from tracking.edd.zone_table import Standard

PATH = "/service-standards/v3/standards"
MAX_DAYS = 60
# shipdesk's mail class keys (tracking.edd.places) → the API's `mailClass` enumeration.
MAIL_CLASSES = {
    "priority_mail_express": "PRIORITY_MAIL_EXPRESS",
    "priority_mail": "PRIORITY_MAIL",
    "ground_advantage": "USPS_GROUND_ADVANTAGE",
    "first_class_mail": "LETTERS",
    "media_mail": "MEDIA_MAIL",
    "library_mail": "LIBRARY_MAIL",
    "bound_printed_matter": "BOUND_PRINTED_MATTER",
    "parcel_select": "PARCEL_SELECT",
}
DEFAULT_CLASS = "USPS_GROUND_ADVANTAGE"
HEAVY = "WEIGHT_GREATER_THAN_OR_EQUAL_TO_1_POUND"
LIGHT = "WEIGHT_LESS_THAN_1_POUND"
_ZIP5 = re.compile(r"^([0-9]{5})(?:-?[0-9]{4})?$")


def usps_mail_class(mail_class: str | None) -> str:
    return MAIL_CLASSES.get(normalize_mail_class(mail_class) or "", DEFAULT_CLASS)


def build_standards_query(
    *,
    origin_zip: str | None,
    destination_zip: str | None,
    mail_class: str | None,
    weight_lb: float | None = None,
) -> dict | None:
    """The query parameters, or None when a ZIP code is missing (USPS needs both)."""
    origin = _ZIP5.match((origin_zip or "").strip())
    destination = _ZIP5.match((destination_zip or "").strip())
    if origin is None or destination is None:
        return None
    query = {
        "originZIPCode": origin.group(1),
        "destinationZIPCode": destination.group(1),
        "mailClass": usps_mail_class(mail_class),
        "destinationType": "STREET",
    }
    if weight_lb is not None and weight_lb > 0:
        query["weight"] = f"{weight_lb:.2f}"
    return query


def _days(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and 0 <= value <= MAX_DAYS:
        return value
    return None


def parse_standards(
    status: int, body, *, mail_class: str, weight_lb: float | None = None
) -> Standard | None:
    """The transit days USPS gives, or None when the answer holds none (a refusal included)."""
    if status != 200 or not isinstance(body, list):
        return None
    found = []
    for entry in body:
        if not isinstance(entry, dict):
            continue
        days = _days(entry.get("days"))
        if days is None or entry.get("mailClass", mail_class) != mail_class:
            continue
        found.append((entry.get("notes"), days))
    if weight_lb is not None:
        wanted = HEAVY if weight_lb >= 1 else LIGHT
        found = [f for f in found if f[0] in (wanted, None)] or found
    if not found:
        return None
    days = max(days for _, days in found)
    earliest = max(days - 1, 1) if days > 1 else days
    latest = days if mail_class == "PRIORITY_MAIL_EXPRESS" else days + 1
    return Standard((earliest, days, latest), "usps_standards")


def parse_delivery(
    status: int, body, *, mail_class: str, weight_lb: float | None = None
) -> tuple[int, date | None] | None:
    """(days, USPS's scheduledDeliveryDate) of the standard that fits the weight (the longer
    when several do), or None when the answer holds none."""
    if status != 200 or not isinstance(body, list):
        return None
    found = []
    for entry in body:
        if not isinstance(entry, dict) or entry.get("mailClass", mail_class) != mail_class:
            continue
        days = _days(entry.get("days"))
        if days is None:
            continue
        try:
            scheduled = date.fromisoformat(str(entry.get("scheduledDeliveryDate") or "")[:10])
        except ValueError:
            scheduled = None
        found.append((entry.get("notes"), days, scheduled))
    if weight_lb is not None:
        wanted = HEAVY if weight_lb >= 1 else LIGHT
        found = [f for f in found if f[0] in (wanted, None)] or found
    if not found:
        return None
    _, days, scheduled = max(found, key=lambda f: f[1])
    return days, scheduled
