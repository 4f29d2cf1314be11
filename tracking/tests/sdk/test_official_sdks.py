"""The official AfterShip SDKs, each generation in its own virtualenv, against a live shipdesk.

Each SDK's top-level package is named `tracking`, as shipdesk's app is: the partner programs
(drive_sdk_*.py) run in a subprocess with the SDK's Python (tracking.tests.sdk.venvs) and
report what they saw as JSON; the test checks it and the database.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from shipdesk.services import api_key_create
from tracking.models import CourierConnection, Shipment
from tracking.tests.api.support import impb
from tracking.tests.sdk.venvs import sdk_python

pytestmark = pytest.mark.django_db(transaction=True)
HERE = Path(__file__).parent


def drive(version: str, script: str, live_server, raw_key: str, **env) -> dict:
    result = subprocess.run(
        [sdk_python(version), "-I", HERE / script],
        env={
            "PATH": os.environ.get("PATH", ""),
            "SHIPDESK_URL": live_server.url,
            "SHIPDESK_KEY": raw_key,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout)


@pytest.fixture
def raw_key(partner):
    """A key with room for the scripts' pace (the throttle's answers are tested elsewhere)."""
    key, raw_key = api_key_create(partner=partner, name="official sdk")
    key.rate_per_second = 1_000
    key.save(update_fields=["rate_per_second"])
    return raw_key


def test_the_sdk_10_drives_api_2026_07_unchanged(live_server, raw_key):
    numbers = [impb(n) for n in (101, 102, 103, 104, 105)]
    seen = drive(
        "10.0.0",
        "drive_sdk_10.py",
        live_server,
        raw_key,
        NUMBERS=",".join(numbers),
        CONNECTIONS="1",
        CONNECTION_CREDENTIALS=json.dumps(
            {"client_id": "partner-usps-id", "client_secret": "partner-usps-secret"}
        ),
    )

    created = seen["created"]
    assert created["tracking_number"] == numbers[0]
    assert created["customers"] == [
        {
            "role": "buyer",
            "name": "Ann Example",
            "phone_number": "+18555072509",
            "email": "ann@example.com",
            "language": "en",
            "id": None,
        }
    ]
    assert created["destination_country_region"] == "USA"
    assert created["order_promised_delivery_date"]["promised_delivery_date"] == "2026-12-20"
    assert (created["shipment_direction"], created["shipment_tags"]) == ("forward", ["gift"])
    assert seen["read"] == created

    # Cursors: every tracking once, newest first, two a page.
    assert [len(page) for page in seen["pages"]] == [2, 2, 1]
    listed = [tracking_id for page in seen["pages"] for tracking_id in page]
    assert len(set(listed)) == len(listed) == 5 and listed[-1] == created["id"]
    assert seen["keyword"] == [created["id"]]

    assert seen["updated"]["title"] == "Renamed"
    assert [c["name"] for c in seen["updated"]["customers"]] == ["Bo Example"]
    assert (seen["completed"]["tag"], seen["completed"]["active"]) == ("Delivered", False)
    assert seen["retracked"]["active"] is True
    assert seen["deleted"]["tracking_number"] == numbers[-1]
    assert seen["deleted_read"]["meta_code"] == 4004
    assert not Shipment.objects.filter(tracking_number=numbers[-1]).exists()

    assert seen["bad_country"]["meta_code"] == 4008
    assert seen["bad_country"]["message"].startswith("origin_country_region: ")
    assert seen["exists"]["meta_code"] == 4003

    assert [c["slug"] for c in seen["detected"]["couriers"]] == ["usps"]
    assert seen["couriers"]["total"] == 1
    predicted = seen["predicted"]
    assert predicted["estimated_delivery_date"] and predicted["confidence_code"]
    assert predicted["origin_address"]["country_region"] == "USA"
    batch = seen["predicted_batch"]["estimated_delivery_dates"]
    assert [d["estimated_delivery_date"] for d in batch] == [
        predicted["estimated_delivery_date"]
    ] * 2

    made = seen["connection_created"]
    assert made["courier_slug"] == "usps"
    assert made["credentials"] == {"client_id": "****s-id", "client_secret": "********"}
    assert "partner-usps-secret" not in json.dumps(seen)
    assert seen["connection_updated"]["updated_at"] >= made["updated_at"]
    assert seen["connection_read"]["id"] == made["id"]
    assert [c["id"] for c in seen["connections"]["courier_connections"]] == [made["id"]]
    assert seen["connection_deleted"]["id"] == made["id"]
    assert seen["connection_gone"]["status"] == 404
    assert not CourierConnection.objects.exists()


def test_the_sdk_2_0_2_still_drives_api_2024_04(live_server, raw_key):
    numbers = [impb(201), impb(202)]
    seen = drive("2.0.2", "drive_sdk_2.py", live_server, raw_key, NUMBERS=",".join(numbers))

    created = seen["created"]
    assert (created["tracking_number"], created["title"]) == (numbers[0], "Order 1")
    assert (created["emails"], created["smses"]) == (["ann@example.com"], ["+18555072509"])
    assert created["customer_name"] == "Ann Example"
    assert seen["read"]["id"] == seen["by_number"]["id"] == created["id"]
    assert seen["listed"]["pagination"]["total"] == 2
    assert len(seen["listed"]["trackings"]) == 1
    assert seen["updated"]["title"] == "Renamed"
    assert seen["notified"]["emails"] == ["ann@example.com", "bo@example.com"]
    assert seen["last_checkpoint"]["id"] == created["id"]
    assert seen["completed"]["tag"] == "Delivered"
    assert seen["retracked"]["active"] is True
    assert seen["retrack_again"]["meta_code"] == 4016
    assert [c["slug"] for c in seen["detected"]["couriers"]] == ["usps"]
    assert seen["couriers"]["total"] == seen["all_couriers"]["total"] == 1
    assert seen["predicted_batch"]["estimated_delivery_dates"][0]["estimated_delivery_date"]
    assert seen["deleted"]["tracking_number"] == numbers[1]
    assert seen["deleted_read"]["meta_code"] == 4004
