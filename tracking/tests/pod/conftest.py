"""Fixtures for the signed POD tests: a key file in a temporary folder, delivered shipments."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from tracking.carriers.usps import mapper
from tracking.numbers import with_impb_check_digit
from tracking.pod.keys import key_file_create
from tracking.services.ingest import shipments_ingest
from tracking.services.shipments import shipment_create

NOW = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
SITE = "https://desk.example.com"


def usps_event(code, text, gmt, *, recipient="", city="NEW YORK", state="NY", zip_code="10001"):
    """A USPS v3r2 trackingEvents[] item at `gmt` (Eastern time, UTC-5)."""
    local = (gmt - timedelta(hours=5)).replace(tzinfo=None).isoformat() + "-05:00"
    return {
        "eventType": text,
        "eventTimestamp": local,
        "GMTTimestamp": gmt.isoformat().replace("+00:00", "Z"),
        "eventCode": code,
        "eventCity": city,
        "eventState": state,
        "eventZIPCode": zip_code,
        "eventCountry": "US",
        "recipientName": recipient,
        "firm": "ACME WIDGETS LLC" if recipient else "",
    }


IN_TRANSIT = [
    usps_event("A1", "Arrived at USPS Regional Facility", NOW - timedelta(hours=20)),
    usps_event(
        "03",
        "USPS in possession of item",
        NOW - timedelta(hours=40),
        city="BOSTON",
        state="MA",
        zip_code="02108",
    ),
]
DELIVERED = [
    usps_event(
        "01", "Delivered, In/At Mailbox", NOW - timedelta(hours=1), recipient="JANE SMITHSON"
    ),
    usps_event("OF", "Out for Delivery", NOW - timedelta(hours=6)),
    *IN_TRANSIT,
]


def usps_result(number, events):
    item = {
        "trackingNumber": number,
        "uniqueTrackingID": "UTID" + number[-6:],
        "mailClass": "Priority Mail",
        "status": events[0]["eventType"] if events else "",
        "destinationCity": "NEW YORK",
        "destinationState": "NY",
        "destinationZIPCode": "10001",
        "servicesEligibility": {"proofOfDeliveryEnabled": True},
        "trackingEvents": events,
    }
    (result,) = mapper.parse_tracking_response([item], [number])
    assert result.ok, result.error
    return result


@pytest.fixture(autouse=True)
def pod_settings(settings, tmp_path):
    """A fresh signing key in a temporary key file; no key from the environment."""
    settings.POD_SIGNING_KEY = ""
    settings.POD_RETIRED_PUBLIC_KEYS = []
    settings.POD_SIGNING_KEY_FILE = tmp_path / "pod-signing-key.json"
    settings.POD_RETENTION_DAYS = 30
    settings.POD_RATE_PER_MINUTE = 10_000
    settings.SITE_URL = SITE
    key_file_create(path=settings.POD_SIGNING_KEY_FILE)
    return settings


@pytest.fixture
def numbers():
    serials = itertools.count(1)
    return lambda: with_impb_check_digit(f"940011189922{next(serials):09d}")


@pytest.fixture
def track(partner, numbers):
    """`track(events, now=NOW)`: a new shipment (customer Jane Smithson) the carrier reported
    `events` for, ingested the way a refresh does."""

    def make(events, *, now=NOW, shipment=None):
        if shipment is None:
            shipment = shipment_create(
                partner=partner,
                tracking_number=numbers(),
                now=now - timedelta(days=3),
                customer_name="Jane Smithson",
                emails=["jane.smithson@example.org"],
            )
        shipments_ingest(pairs=[(shipment, usps_result(shipment.tracking_number, events))], now=now)
        shipment.refresh_from_db()
        return shipment

    return make


@pytest.fixture
def public():
    return APIClient()
