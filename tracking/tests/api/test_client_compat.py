"""An AfterShip 2024-04 client, unchanged but for its base URL and key, over real HTTP.

The requests below are byte for byte what the official Python SDK for 2024-04
(`aftership-tracking-sdk` 2.0.2, `tracking.Client`) sends: its headers, its paths under
/tracking/2024-04/, its bodies (`{"tracking": {...}}` for create and update, a bare
`{"reason": ...}` for mark-as-completed, no body for retrack) and its query strings. The SDK
itself cannot be installed beside shipdesk (its top-level package is also named `tracking`),
so the test speaks its wire format with `requests` against the live server, and reads the
answers the way the SDK does: `data.tracking`, `data.trackings`, `data.pagination`, and on
errors `meta.code` and `meta.type`, which choose the SDK's exception class.
"""

from __future__ import annotations

import json

import pytest
import requests

from shipdesk.services import api_key_create
from tracking.models import Shipment
from tracking.tests.api.support import impb

pytestmark = pytest.mark.django_db(transaction=True)

SDK_AGENT = "aftership-sdk-python/2.0.0 (https://www.aftership.com) httpx/0.19.0"
SDK_ERRORS = {"BadRequest", "Unauthorized", "Forbidden", "NotFound", "TooManyRequests"}


class Sdk:
    """The SDK's ApiClient._request: base URL joined with the path, its headers, JSON text."""

    def __init__(self, domain: str, api_key: str):
        self.domain = domain
        self.session = requests.Session()
        self.session.headers.clear()
        self.api_key = api_key

    def call(self, method: str, path: str, *, params=None, body=None, status: int = 200):
        headers = {"aftership-client": SDK_AGENT, "user-agent": SDK_AGENT}
        if body is not None:
            headers["content-type"] = "application/json"
            body = json.dumps(body)
        headers["as-api-key"] = self.api_key
        response = self.session.request(
            method, self.domain + path, params=params, data=body, headers=headers, timeout=30
        )
        assert response.status_code == status, response.text
        assert response.headers["Content-Type"] == "application/json"
        envelope = response.json()
        meta = envelope["meta"]
        if status >= 400:
            assert meta["type"] in SDK_ERRORS and meta["message"], envelope
            return meta
        assert meta["code"] == status
        return envelope["data"]


@pytest.fixture
def sdk(live_server, partner):
    _, raw_key = api_key_create(partner=partner, name="aftership client")
    return Sdk(live_server.url, raw_key)


def test_an_aftership_2024_04_client_works_unchanged(sdk, partner, other_partner):
    base = "/tracking/2024-04"
    number = impb(42)

    # create_tracking
    created = sdk.call(
        "POST",
        f"{base}/trackings",
        body={
            "tracking": {
                "tracking_number": number,
                "slug": "usps",
                "title": "Order 42",
                "order_id": "ORD-42",
                "emails": ["ann@example.com"],
                "custom_fields": {"sku": "A1"},
                "order_promised_delivery_date": "2030-01-01",
            }
        },
        status=201,
    )["tracking"]
    tracking_id = created["id"]
    assert (created["tracking_number"], created["slug"], created["title"]) == (
        number,
        "usps",
        "Order 42",
    )
    assert created["emails"] == ["ann@example.com"]
    assert created["order_promised_delivery_date"] == "2030-01-01"

    # get_trackings(keyword=..., limit=10)
    listed = sdk.call("GET", f"{base}/trackings", params={"keyword": "ORD-42", "limit": 10})
    assert [t["id"] for t in listed["trackings"]] == [tracking_id]
    assert (listed["page"], listed["limit"], listed["count"]) == (1, 10, 1)
    assert listed["pagination"] == {"total": 1, "has_next_page": False, "next_cursor": None}

    # get_tracking_by_id(fields=...) and get_tracking_by_slug_tracking_number
    picked = sdk.call(
        "GET", f"{base}/trackings/{tracking_id}", params={"fields": "title,order_id,tag"}
    )
    assert picked["tracking"] == {
        "id": tracking_id,
        "title": "Order 42",
        "order_id": "ORD-42",
        "tag": "Pending",
    }
    by_number = sdk.call("GET", f"{base}/trackings/usps/{number}")["tracking"]
    assert by_number["id"] == tracking_id

    # update_tracking_by_id: fields not sent stay, [] clears a list
    updated = sdk.call(
        "PUT",
        f"{base}/trackings/{tracking_id}",
        body={"tracking": {"title": "Order 42b", "note": "gate code 7", "emails": []}},
    )["tracking"]
    assert (updated["title"], updated["note"], updated["emails"]) == (
        "Order 42b",
        "gate code 7",
        [],
    )
    assert updated["order_id"] == "ORD-42"

    # mark_tracking_completed_by_id: stops auto-updating
    completed = sdk.call(
        "POST",
        f"{base}/trackings/{tracking_id}/mark-as-completed",
        body={"reason": "DELIVERED"},
    )["tracking"]
    assert (completed["tag"], completed["subtag"], completed["active"]) == (
        "Delivered",
        "Delivered_001",
        False,
    )
    assert Shipment.objects.get(public_id=tracking_id).next_check_at is None

    # retrack_tracking_by_id: no body; then, active again, a second retrack is refused
    retracked = sdk.call("POST", f"{base}/trackings/{tracking_id}/retrack")["tracking"]
    assert (retracked["id"], retracked["active"]) == (tracking_id, True)
    refused = sdk.call("POST", f"{base}/trackings/usps/{number}/retrack", status=400)
    assert (refused["code"], refused["type"]) == (4016, "BadRequest")

    # get_checkpoint_by_tracking_id (and by slug and number)
    last = sdk.call("GET", f"{base}/last_checkpoint/{tracking_id}")
    assert (last["id"], last["tracking_number"], last["slug"]) == (tracking_id, number, "usps")
    assert "checkpoint" in last and "tag" in last
    assert sdk.call("GET", f"{base}/last_checkpoint/usps/{number}")["id"] == tracking_id

    # Another partner's client sees none of it.
    _, other_key = api_key_create(partner=other_partner, name="theirs")
    other = Sdk(sdk.domain, other_key)
    missing = other.call("GET", f"{base}/trackings/{tracking_id}", status=404)
    assert (missing["code"], missing["type"]) == (4004, "NotFound")
    assert other.call("GET", f"{base}/trackings")["trackings"] == []

    # delete_tracking_by_id: the short form; afterwards 404 (the SDK's NotFoundError)
    deleted = sdk.call("DELETE", f"{base}/trackings/{tracking_id}")["tracking"]
    assert (deleted["id"], deleted["slug"], deleted["tracking_number"]) == (
        tracking_id,
        "usps",
        number,
    )
    gone = sdk.call("GET", f"{base}/trackings/{tracking_id}", status=404)
    assert (gone["code"], gone["type"]) == (4004, "NotFound")
    assert not Shipment.objects.filter(public_id=tracking_id).exists()


def test_the_clients_errors_carry_the_meta_it_maps_to_exceptions(sdk, partner):
    base = "/tracking/2024-04"
    body = {"tracking": {"tracking_number": impb(43), "slug": "usps"}}
    sdk.call("POST", f"{base}/trackings", body=body, status=201)

    exists = sdk.call("POST", f"{base}/trackings", body=body, status=400)
    assert (exists["code"], exists["type"]) == (4003, "BadRequest")  # TRACKING_ALREADY_EXIST
    bad = sdk.call("GET", f"{base}/trackings", params={"limit": 201}, status=400)
    assert "limit" in bad["message"]
    sdk.api_key = "sd_live_00000000_wrong"
    unauthorized = sdk.call("GET", f"{base}/trackings", status=401)
    assert (unauthorized["code"], unauthorized["type"]) == (401, "Unauthorized")
