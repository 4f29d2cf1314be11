"""Fixtures for the signed POD tests: a key file in a temporary folder, delivered shipments."""

from __future__ import annotations

import contextlib
import io
import itertools
from datetime import timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from tracking.numbers import with_impb_check_digit
from tracking.pod.keys import key_file_create
from tracking.services.ingest import shipments_ingest
from tracking.services.shipments import shipment_create
from tracking.tests.pod.support import DELIVERED, NOW, SITE
from tracking.tests.usps_items import usps_result
from tracking.verify import main


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


@pytest.fixture
def pod(public, track):
    """The endpoint's answer for a delivered shipment, as curl would save it (bytes)."""
    with time_machine.travel(NOW, tick=False):
        shipment = track(DELIVERED)
        response = public.get(f"/api/v1/shipments/{shipment.uuid}/pod")
    assert response.status_code == 200
    return response.content


@pytest.fixture
def keys_path(tmp_path, public):
    path = tmp_path / "shipdesk-passport.json"
    path.write_bytes(public.get("/.well-known/shipdesk-passport.json").content)
    return path


@pytest.fixture
def verify(tmp_path, keys_path):
    """`verify(data) -> (exit status, output)`: the verifier's main() on `data` as FILE."""
    target = tmp_path / "pod-under-test"

    def run(data: bytes, *extra: str) -> tuple[int, str]:
        target.write_bytes(data)
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                status = main([str(target), "--keys", str(keys_path), *extra])
            except SystemExit as exit:
                status = exit.code
        return status, out.getvalue()

    return run
