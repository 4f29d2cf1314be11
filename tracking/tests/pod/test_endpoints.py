"""GET /api/v1/shipments/{uuid}/pod and /proof, /.well-known/shipdesk-passport.json."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta

import pytest
import time_machine

from tracking.models import Shipment
from tracking.pod import pod_verify, public_keys_document
from tracking.pod.chain import chain_genesis
from tracking.tests.pod.support import DELIVERED, IN_TRANSIT, NOW, SITE
from tracking.tests.usps_items import usps_event

pytestmark = pytest.mark.django_db


def pod_url(shipment_or_uuid) -> str:
    return f"/api/v1/shipments/{getattr(shipment_or_uuid, 'uuid', shipment_or_uuid)}/pod"


def proof_url(shipment) -> str:
    return f"/api/v1/shipments/{shipment.uuid}/proof"


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["ok"] is False
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body


@pytest.fixture
def delivered(track):
    with time_machine.travel(NOW, tick=False):
        return track(DELIVERED)


def test_a_delivered_shipment_has_a_signed_pod_that_verifies(public, delivered):
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        response = public.get(pod_url(delivered))

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["ok"] is True
    document = body["data"]
    assert document["spec"] == "sdpod1"
    assert document["status"] == "delivered"
    assert document["delivered_at"] == "2026-03-06T06:00:00-05:00"
    assert document["delivery"]["description"] == "Delivered, In/At Mailbox"
    assert document["delivery"]["location"] == "New York, NY 10001, USA"
    assert document["shipment"]["tracking_number"] == delivered.tracking_number
    assert document["issued_at"] == "2026-03-06T14:00:00+00:00"
    passport = document["passport"]
    assert set(passport) == {"spec", "alg", "kid", "payload_b64", "signature_b64"}
    assert (passport["spec"], passport["alg"]) == ("sdpass1", "Ed25519")
    assert document["verify"]["public_key_url"] == f"{SITE}/.well-known/shipdesk-passport.json"
    assert document["verify"]["proof_url"] == f"{SITE}{proof_url(delivered)}"

    payload = pod_verify(document=body, keys=public_keys_document())
    # The head of the shipment's proof chain is inside the signed payload.
    assert payload["chain"]["head"] == delivered.chain_head
    assert payload["chain"]["length"] == 4
    assert payload["chain"]["genesis"] == chain_genesis(delivered.uuid)


def test_the_pod_carries_no_personal_data(public, delivered):
    with time_machine.travel(NOW, tick=False):
        text = public.get(pod_url(delivered)).content.decode()
        proof = public.get(proof_url(delivered)).content.decode()

    assert delivered.customer_name == "Jane Smithson"
    assert delivered.checkpoints.get(tag="Delivered").recipient_name == "JANE SMITHSON"
    for body in (text, proof):
        for personal in ("smithson", "jane", "example.org", "acme widgets"):
            assert personal not in body.lower()
    payload = json.loads(base64.b64decode(json.loads(text)["data"]["passport"]["payload_b64"]))
    assert "smithson" not in json.dumps(payload).lower()


def test_a_shipment_not_delivered_yet_answers_409(public, track):
    with time_machine.travel(NOW, tick=False):
        shipment = track(IN_TRANSIT)
        response = public.get(pod_url(shipment))

    assert_error(response, 409, "not_delivered")


def test_delivered_by_a_persons_verdict_without_a_carrier_delivery_event_answers_409(public, track):
    from tracking.services.lifecycle import shipment_mark_completed

    with time_machine.travel(NOW, tick=False):
        shipment = shipment_mark_completed(shipment=track(IN_TRANSIT), reason="DELIVERED")
        response = public.get(pod_url(shipment))

    assert shipment.tag == "Delivered"
    assert_error(response, 409, "not_delivered")


def test_an_unknown_uuid_answers_404(public, delivered):
    response = public.get(pod_url(uuid.uuid4()))
    assert_error(response, 404, "not_found")
    assert_error(public.get(f"/api/v1/shipments/{uuid.uuid4()}/proof"), 404, "not_found")


@pytest.mark.parametrize(
    "malformed",
    [
        "not-a-uuid",
        "12345",
        "0" * 32,
        "{12345678-1234-1234-1234-123456789012}",
        "12345678-1234-1234-1234-12345678901g",
        "12345678-1234-1234-1234-1234567890123",
        "%00",
        "x" * 300,
    ],
)
def test_a_malformed_uuid_answers_400(public, malformed):
    body = assert_error(public.get(f"/api/v1/shipments/{malformed}/pod"), 400, "malformed_uuid")
    assert "uuid" in body["error"]["message"]
    assert_error(public.get(f"/api/v1/shipments/{malformed}/proof"), 400, "malformed_uuid")


def test_the_uuid_is_matched_in_any_letter_case(public, delivered):
    with time_machine.travel(NOW, tick=False):
        response = public.get(pod_url(str(delivered.uuid).upper()))
    assert response.status_code == 200


def test_past_the_retention_window_the_pod_answers_410_and_the_proof_still_answers(
    public, delivered, settings
):
    settings.POD_RETENTION_DAYS = 30
    last_update = Shipment.objects.get(pk=delivered.pk).updated_at

    with time_machine.travel(last_update + timedelta(days=29, hours=23), tick=False):
        assert public.get(pod_url(delivered)).status_code == 200
    with time_machine.travel(last_update + timedelta(days=30, seconds=1), tick=False):
        gone = public.get(pod_url(delivered))
        proof = public.get(proof_url(delivered))

    assert_error(gone, 410, "pod_outside_retention")
    assert proof.status_code == 200
    assert proof.json()["data"]["head"] == delivered.chain_head


def test_other_methods_and_paths_answer_in_the_envelope(public, delivered):
    assert_error(public.post(pod_url(delivered)), 405, "method_not_allowed")
    options = public.options(pod_url(delivered))
    assert (options.status_code, options.json()) == (200, {"ok": True, "data": {}})
    assert "GET" in options["Allow"]
    with time_machine.travel(NOW, tick=False):
        assert public.head(pod_url(delivered)).status_code == 200
    assert_error(public.get("/api/v1/shipments"), 404, "not_found")
    assert_error(public.get(f"/api/v1/shipments/{delivered.uuid}/other"), 404, "not_found")


def test_without_a_signing_key_the_pod_answers_503_not_500(public, delivered, settings, tmp_path):
    settings.POD_SIGNING_KEY_FILE = tmp_path / "missing.json"
    with time_machine.travel(NOW, tick=False):
        body = assert_error(public.get(pod_url(delivered)), 503, "pod_signing_unavailable")
    assert "pod_keys" in body["error"]["message"]
    assert public.get("/.well-known/shipdesk-passport.json").json()["keys"] == []


def test_an_unreadable_key_file_answers_503_not_500(public, delivered, settings, tmp_path):
    settings.POD_SIGNING_KEY_FILE = tmp_path / "broken.json"
    settings.POD_SIGNING_KEY_FILE.write_text('{"current": {"seed_b64": "short"}}')
    with time_machine.travel(NOW, tick=False):
        assert_error(public.get(pod_url(delivered)), 503, "pod_signing_unavailable")
    assert_error(public.get("/.well-known/shipdesk-passport.json"), 503, "keys_unavailable")


def test_the_public_keys_document(public, delivered):
    response = public.get("/.well-known/shipdesk-passport.json")

    assert response.status_code == 200
    assert "max-age" in response["Cache-Control"]
    document = response.json()
    assert document == public_keys_document()
    (key,) = document["keys"]
    assert set(key) >= {"kid", "alg", "public_key_b64", "status"}
    assert (key["alg"], key["status"]) == ("Ed25519", "current")
    with time_machine.travel(NOW, tick=False):
        pod = public.get(pod_url(delivered)).json()["data"]
    assert pod["passport"]["kid"] == key["kid"]


def test_the_public_endpoints_are_throttled_per_client_address(public, delivered, settings):
    settings.POD_RATE_PER_MINUTE = 3
    with time_machine.travel(NOW.replace(second=5), tick=False):
        codes = [public.get(pod_url(delivered)).status_code for _ in range(3)]
        limited = public.get(proof_url(delivered))
        # Someone else, from another address, is not held up; nor is a spoofed header.
        other = public.get(pod_url(delivered), REMOTE_ADDR="203.0.113.9")
        spoofed = public.get(pod_url(delivered), HTTP_X_FORWARDED_FOR="198.51.100.7")
    with time_machine.travel(NOW.replace(second=5) + timedelta(minutes=1), tick=False):
        later = public.get(pod_url(delivered))

    assert codes == [200, 200, 200]
    assert_error(limited, 429, "rate_limited")
    assert int(limited["Retry-After"]) == 55
    assert other.status_code == 200
    assert_error(spoofed, 429, "rate_limited")
    assert later.status_code == 200


def test_behind_trusted_proxies_the_forwarded_address_is_the_client(public, delivered, settings):
    settings.POD_RATE_PER_MINUTE = 1
    settings.TRUSTED_PROXIES = 1
    with time_machine.travel(NOW, tick=False):
        first = public.get(pod_url(delivered), HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1")
        second = public.get(pod_url(delivered), HTTP_X_FORWARDED_FOR="7.7.7.7, 198.51.100.1")
        third = public.get(pod_url(delivered), HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert first.status_code == 200
    assert second.status_code == 429  # the client's own X-Forwarded-For entry is not trusted
    assert third.status_code == 200


def more_events(count: int) -> list[dict]:
    return [
        usps_event("A1", f"Arrived at USPS Facility {i}", NOW - timedelta(hours=30 + i))
        for i in range(count)
    ]


@pytest.mark.parametrize(("path", "queries"), [(pod_url, 3), (proof_url, 2)])
def test_query_counts_do_not_grow_with_the_chain(
    public, track, path, queries, django_assert_num_queries, settings
):
    """The shipment, then the delivery and its previous link (/pod) or the chain (/proof).
    The throttle's counter is in the cache: a local one here, so that only the reads count."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with time_machine.travel(NOW, tick=False):
        for extra in (0, 30):
            shipment = track([*DELIVERED, *more_events(extra)])
            with django_assert_num_queries(queries):
                assert public.get(path(shipment)).status_code == 200
