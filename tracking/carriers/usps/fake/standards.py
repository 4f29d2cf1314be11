"""The fake's handler for Service Standards 3.0 (`GET /service-standards/v3/standards`).

USPS answers an array of standards `{mailClass, originZIPCode, destinationZIPCode, days,
effectiveAcceptanceDate, scheduledDeliveryDate, notes?}`; USPS Ground Advantage answers two
(`notes` WEIGHT_LESS_THAN_1_POUND and WEIGHT_GREATER_THAN_OR_EQUAL_TO_1_POUND) unless a weight
is sent. The fake's days are each class's base days (checks.MAIL_CLASSES) plus one for far
zones (07 and beyond); a pound or more of Ground Advantage takes a day longer. The delivery
date counts business days (no Sundays, no federal holidays) from the acceptance date.
"""

from __future__ import annotations

from datetime import date

from werkzeug import Request, Response

from tracking.carriers.usps.fake.app import Call, FakeUsps, json_response
from tracking.carriers.usps.fake.checks import MAIL_CLASSES, ZIP5, bad, zone
from tracking.edd.calendar import add_business_days

API = "/service-standards/v3"
LIGHT = "WEIGHT_LESS_THAN_1_POUND"
HEAVY = "WEIGHT_GREATER_THAN_OR_EQUAL_TO_1_POUND"
CLASSES = {**{name: row[4] for name, row in MAIL_CLASSES.items()}, "LETTERS": 3}


def standards(fake: FakeUsps, request: Request, call: Call) -> Response:
    query = call.params
    for key in ("originZIPCode", "destinationZIPCode"):
        if not ZIP5.match(str(query.get(key) or "")):
            raise bad(API, f"{key} must be a 5-digit ZIP Code", key)
    mail_class = query.get("mailClass") or "ALL"
    if mail_class != "ALL" and mail_class not in CLASSES:
        raise bad(API, f"{mail_class} is not a valid mailClass", "mailClass")
    accepted = date.today()
    if query.get("acceptanceDate"):
        try:
            accepted = date.fromisoformat(query["acceptanceDate"])
        except ValueError:
            raise bad(API, "acceptanceDate must be a date (YYYY-MM-DD)", "acceptanceDate") from None
    weight = None
    if query.get("weight"):
        try:
            weight = float(query["weight"])
        except ValueError:
            raise bad(API, "weight must be a number", "weight") from None
    origin, destination = query["originZIPCode"], query["destinationZIPCode"]
    far = int(zone(origin, destination)) >= 7
    found = []
    for name in CLASSES if mail_class == "ALL" else [mail_class]:
        days = CLASSES[name] + far
        notes = [None]
        if name == "USPS_GROUND_ADVANTAGE":
            notes = [LIGHT, HEAVY] if weight is None else [LIGHT if weight < 1 else HEAVY]
        for note in notes:
            entry = {
                "mailClass": name,
                "originZIPCode": origin,
                "destinationZIPCode": destination,
                "days": days + (note == HEAVY),
                "effectiveAcceptanceDate": accepted.isoformat(),
                "scheduledDeliveryDate": add_business_days(
                    accepted, days + (note == HEAVY)
                ).isoformat(),
            }
            if note:
                entry["notes"] = note
            found.append(entry)
    return json_response(found)
