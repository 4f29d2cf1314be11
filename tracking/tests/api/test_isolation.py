"""Tenant isolation: another partner's tracking answers 404 and nothing about it changes."""

import pytest

from tracking.choices import Subtag
from tracking.models import Shipment
from tracking.services.shipments import shipments_expire_stale
from tracking.tests.api.support import CODE_NOT_FOUND, days_ago, error, ok, snapshot, url

# (method, path after the tracking's id or slug/number, body) for every {id} endpoint.
OPERATIONS = [
    ("get", "trackings/{}", None),
    ("put", "trackings/{}", {"tracking": {"title": "Mine now", "emails": []}}),
    ("patch", "trackings/{}", {"note": ""}),
    ("delete", "trackings/{}", None),
    ("post", "trackings/{}/retrack", None),
    ("post", "trackings/{}/mark-as-completed", {"reason": "LOST"}),
    ("get", "last_checkpoint/{}", None),
    ("get", "notifications/{}", None),
    ("post", "notifications/{}/add", {"emails": ["eve@example.com"]}),
    ("post", "notifications/{}/remove", {"emails": ["ann@example.com"]}),
]


@pytest.fixture
def theirs(make_shipment, add_checkpoint, partner):
    """Partner A's tracking, expired (so that a retrack would succeed), with subscribers."""
    shipment = make_shipment(
        owner=partner,
        now=days_ago(90),
        title="A's parcel",
        note="A's note",
        emails=["ann@example.com"],
        smses=["+18555072509"],
    )
    add_checkpoint(shipment, when=days_ago(89), subtag=Subtag.IN_TRANSIT_001)
    assert shipments_expire_stale() == 1
    return shipment


def call(client, method, template, ident, body):
    path = url(template.format(ident))
    return (
        getattr(client, method)(path, body) if body is not None else getattr(client, method)(path)
    )


@pytest.mark.parametrize(("method", "template", "body"), OPERATIONS)
def test_another_partners_tracking_is_not_found_and_unchanged(
    other_api, theirs, method, template, body
):
    before = snapshot(theirs)

    for ident in (theirs.public_id, f"usps/{theirs.tracking_number}"):
        meta = error(call(other_api, method, template, ident, body), 404, code=CODE_NOT_FOUND)
        assert meta["message"] == "Tracking does not exist."

    assert snapshot(theirs) == before


@pytest.mark.parametrize("form", ["id", "slug/number"])
@pytest.mark.parametrize(("method", "template", "body"), OPERATIONS)
def test_the_owner_gets_an_answer_where_the_other_partner_got_404(
    api, theirs, method, template, body, form
):
    ident = theirs.public_id if form == "id" else f"usps/{theirs.tracking_number}"
    response = call(api, method, template, ident, body)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(("method", "template", "body"), OPERATIONS)
def test_the_same_number_at_another_partner_is_a_separate_tracking(
    other_api, theirs, make_shipment, other_partner, method, template, body
):
    mine = make_shipment(owner=other_partner, number=theirs.tracking_number, now=days_ago(90))
    shipments_expire_stale()
    before = snapshot(theirs)

    response = call(other_api, method, template, f"usps/{theirs.tracking_number}", body)

    assert response.status_code == 200, response.content
    data = response.json()["data"]
    answered = data.get("tracking", data)
    if "id" in answered:  # notifications answer without an id
        assert answered["id"] == mine.public_id
    assert snapshot(theirs) == before


def test_a_list_holds_only_the_partners_own_trackings(api, other_api, theirs, make_shipment):
    mine = make_shipment(owner=theirs.partner)
    ok(
        other_api.post(
            url("trackings"), {"tracking_number": theirs.tracking_number, "title": "B's"}
        ),
        201,
    )

    a_ids = {t["id"] for t in ok(api.get(url("trackings")))["trackings"]}
    b_list = ok(other_api.get(url("trackings"), {"keyword": theirs.tracking_number}))

    assert a_ids == {theirs.public_id, mine.public_id}
    assert [t["title"] for t in b_list["trackings"]] == ["B's"]
    assert b_list["count"] == 1
    assert Shipment.objects.filter(tracking_number=theirs.tracking_number).count() == 2
