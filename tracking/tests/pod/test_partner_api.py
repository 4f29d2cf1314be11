"""A partner finds and fetches its proofs of delivery with its API key alone, and a delivered
tracking's webhook says where they are."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pypdf
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shipdesk.services import api_key_create
from shipdesk.webhooks.delivery import events_fan_out
from shipdesk.webhooks.models import EventType, Webhook
from tracking.pod import pod_verify
from tracking.services.lifecycle import shipment_mark_completed
from tracking.tests.api.support import PartnerClient, error, ok
from tracking.tests.pod.support import DELIVERED, IN_TRANSIT, NOW, SITE, usps_event

BASE = "/tracking/2024-04"


@pytest.fixture(autouse=True)
def _at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def keyed(partner):
    return PartnerClient(api_key_create(partner=partner, name="backend")[1])


@pytest.fixture
def stranger(other_partner):
    return PartnerClient(api_key_create(partner=other_partner, name="theirs")[1])


def refused(response, status: int, *, says: str, type: str = "BadRequest") -> dict:
    """An error in AfterShip's envelope with the statuses tracking.tests.api.support lacks."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["data"] == {}
    assert body["meta"]["code"] == status and body["meta"]["type"] == type
    assert says in body["meta"]["message"], body["meta"]["message"]
    return body["meta"]


def pod_path(shipment, suffix=""):
    return f"{BASE}/trackings/{shipment.public_id}/proof-of-delivery{suffix}"


def test_a_delivered_tracking_answers_its_signed_pod_and_where_everything_is(keyed, public, track):
    shipment = track(DELIVERED)

    # The partner finds its delivered trackings with the list it already uses.
    listed = ok(keyed.get(f"{BASE}/trackings", {"tag": "Delivered"}))["trackings"]
    assert [t["id"] for t in listed] == [shipment.public_id]

    pod = ok(keyed.get(pod_path(shipment)))["proof_of_delivery"]
    assert pod["tracking_id"] == shipment.public_id
    assert (pod["slug"], pod["tracking_number"]) == ("usps", shipment.tracking_number)
    assert pod["pod_url"] == f"{SITE}/api/v1/shipments/{shipment.uuid}/pod"
    assert pod["proof_url"] == f"{SITE}/api/v1/shipments/{shipment.uuid}/proof"
    assert pod["public_key_url"] == f"{SITE}/.well-known/shipdesk-passport.json"
    assert pod["letter_url"] == f"{SITE}{pod_path(shipment, '/letter')}"
    assert pod["delivered_at"] == pod["pod"]["delivered_at"]

    # The signed POD verifies against the published keys, and is the public endpoint's.
    keys = public.get("/.well-known/shipdesk-passport.json").json()
    payload = pod_verify(document=pod["pod"], keys=keys)
    assert payload["shipment"]["uuid"] == str(shipment.uuid)
    public_pod = public.get(pod["pod_url"].removeprefix(SITE)).json()["data"]
    assert public_pod["chain"] == pod["pod"]["chain"]
    assert public.get(pod["proof_url"].removeprefix(SITE)).status_code == 200

    # The same by slug and number.
    by_number = f"{BASE}/trackings/usps/{shipment.tracking_number}/proof-of-delivery"
    assert ok(keyed.get(by_number))["proof_of_delivery"]["tracking_id"] == shipment.public_id


def test_the_letter_is_a_pdf_carrying_the_signed_pod(keyed, track):
    shipment = track(DELIVERED)

    response = keyed.get(pod_path(shipment, "/letter"), HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    assert f"proof-of-delivery-{shipment.tracking_number}.pdf" in response["Content-Disposition"]
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    assert "Proof of Delivery" in text and shipment.tracking_number in text
    embedded = json.loads(reader.attachments["pod.json"][0])
    assert embedded["shipment"]["uuid"] == str(shipment.uuid)
    assert embedded["passport"]["spec"] == "sdpass1"
    # A Return Receipt the item does not have is refused, naming the parameter.
    refused = keyed.get(pod_path(shipment, "/letter"), {"type": "rre"})
    error(refused, 400, says=("type",))
    error(keyed.get(pod_path(shipment, "/letter"), {"type": "x"}), 400, says=("type",))


def test_no_pod_before_delivery_409_in_the_aftership_envelope(keyed, track, partner):
    shipment = track(IN_TRANSIT)
    for path in (pod_path(shipment), pod_path(shipment, "/letter")):
        refused(keyed.get(path), 409, says="not_delivered")

    # Marked delivered by hand: still no delivery event to prove.
    shipment_mark_completed(shipment=shipment, reason="DELIVERED")
    refused(keyed.get(pod_path(shipment)), 409, says="not_delivered")


def test_past_the_retention_window_410(keyed, track):
    shipment = track(DELIVERED)
    with time_machine.travel(NOW + timedelta(days=31), tick=False):
        refused(keyed.get(pod_path(shipment)), 410, says="pod_outside_retention")


def test_another_partners_tracking_is_not_found(keyed, stranger, track):
    shipment = track(DELIVERED)
    for path in (
        pod_path(shipment),
        pod_path(shipment, "/letter"),
        f"{BASE}/trackings/usps/{shipment.tracking_number}/proof-of-delivery",
    ):
        error(stranger.get(path), 404, code=4004)
    assert error(PartnerClient().get(pod_path(shipment)), 401)


def test_the_pod_costs_the_same_few_queries_however_long_the_history(keyed, track, numbers):
    short = track(DELIVERED)
    long_history = [
        *DELIVERED,
        *[
            usps_event("A1", f"Arrived at facility {n}", NOW - timedelta(hours=50 + n))
            for n in range(30)
        ],
    ]
    long = track(long_history)
    ok(keyed.get(pod_path(short)))  # warm caches (key file, keys)

    counts = []
    for shipment in (short, long):
        with CaptureQueriesContext(connection) as queries:
            ok(keyed.get(pod_path(shipment)))
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 6, counts  # key, throttle, tracking, delivery, previous link


def test_the_delivered_webhook_says_where_the_pod_is(partner, keyed, track):
    Webhook.objects.create(
        partner=partner,
        url="http://127.0.0.1:9/hook",
        enabled_events=[EventType.TRACKING_UPDATED],
        payload_format="json",
    )
    shipment = track(IN_TRANSIT)
    shipment = track(DELIVERED, shipment=shipment)

    bodies = [json.loads(bytes(d.body)) for d in events_fan_out()]
    in_transit, delivered = sorted(bodies, key=lambda b: b["data"]["tag"] != "InTransit")
    assert "proofOfDelivery" not in in_transit
    links = delivered["proofOfDelivery"]
    assert links == {
        "url": f"{SITE}{pod_path(shipment)}",
        "letter_url": f"{SITE}{pod_path(shipment, '/letter')}",
    }
    # The tracking object itself keeps AfterShip's fields only.
    assert "proofOfDelivery" not in delivered["data"]
    assert "proof_of_delivery" not in delivered["data"]
    # The partner fetches it from there with its key.
    pod = ok(keyed.get(links["url"].removeprefix(SITE)))["proof_of_delivery"]
    assert pod["pod_url"].endswith(f"/api/v1/shipments/{shipment.uuid}/pod")
