"""Shipments with real histories for the shipment page and dashboard tests."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest
from django.utils import timezone

from tracking.choices import Subtag
from tracking.models import Checkpoint, Shipment
from tracking.services.shipments import shipment_create
from tracking.tests.api.support import impb


@pytest.fixture
def make_shipment(partner):
    """Store a shipment through the service (the partner's by default), a fresh number each;
    `status` fields (tag, delivery dates, ...) are then stored as the refresh would."""
    serials = itertools.count(1)

    def make(*, owner=None, number: str | None = None, status: dict | None = None, **fields):
        shipment = shipment_create(
            partner=owner or partner, tracking_number=number or impb(next(serials)), **fields
        )
        if status:
            Shipment.objects.filter(pk=shipment.pk).update(**status)
            shipment.refresh_from_db()
        return shipment

    return make


@pytest.fixture
def add_checkpoint():
    """Store a carrier event on a shipment (the shipment's status is left as it is)."""
    keys = itertools.count(1)

    def add(
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
        return Checkpoint.objects.create(
            shipment=shipment,
            event_key=f"event-{next(keys)}",
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

    return add
