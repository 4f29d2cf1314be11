"""Helpers shared by the workspace page tests (view tests here, browser tests in shipdesk/tests):
shipments with histories, and the text a page shows."""

from __future__ import annotations

import itertools
import re
from datetime import datetime

from django.utils import timezone

from tracking.choices import Subtag
from tracking.models import Checkpoint, Shipment
from tracking.services.shipments import shipment_create
from tracking.tests.api.support import impb

_serials = itertools.count(1)
_event_keys = itertools.count(1)


def make_shipment(partner, *, number: str | None = None, status: dict | None = None, **fields):
    """Store a shipment through the service, a fresh number each; `status` fields (tag,
    delivery dates, ...) are then stored as the refresh would."""
    shipment = shipment_create(
        partner=partner, tracking_number=number or impb(next(_serials)), **fields
    )
    if status:
        Shipment.objects.filter(pk=shipment.pk).update(**status)
        shipment.refresh_from_db()
    return shipment


def add_checkpoint(
    shipment: Shipment,
    *,
    when: datetime | None = None,
    subtag: Subtag = Subtag.IN_TRANSIT_001,
    message: str = "Arrived at USPS Regional Facility",
    offset_minutes: int | None = -360,
    city: str = "CHICAGO",
    state: str = "IL",
    zip_code: str = "60607",
    **fields,
) -> Checkpoint:
    """Store a carrier event on a shipment (the shipment's status is left as it is)."""
    return Checkpoint.objects.create(
        shipment=shipment,
        event_key=f"event-{next(_event_keys)}",
        checkpoint_time=when or timezone.now(),
        utc_offset_minutes=offset_minutes,
        message=message,
        tag=subtag.tag,
        subtag=subtag,
        subtag_message=subtag.label,
        city=city,
        state=state,
        zip=zip_code,
        country_iso3="USA" if state else "",
        location=", ".join(p for p in (city, f"{state} {zip_code}".strip()) if p),
        **fields,
    )


def text(response) -> str:
    """The page's visible text, tags dropped and white space collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" ,", ",").strip()
