"""A label's shipment follows the label: cancelled, it is closed for good (no retrack, from the
page or the tracking API); while the label exists, the shipment cannot be deleted."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mailorders.choices import LabelStatus
from mailorders.models import Label
from mailorders.services.labels import label_cancel, label_create
from mailorders.tests.label_bodies import label_body
from shipdesk.audit import audit_for
from shipdesk.services import api_key_create
from tracking.models import Shipment
from tracking.services.lifecycle import shipment_delete, shipment_retrack
from tracking.services.shipments import ShipmentError
from tracking.tests.api.support import PartnerClient, error, ok, url
from tracking.tests.workspace.support import text

pytestmark = pytest.mark.django_db
CLOSED = "Retrack is not allowed. Its shipping label was cancelled."


@pytest.fixture
def tracking_api(partner):
    _, raw_key = api_key_create(partner=partner, name="backend", is_test=False)
    return PartnerClient(raw_key)


@pytest.fixture
def label(partner, account):
    return label_create(partner=partner, data=label_body(account.pk))


def test_a_cancelled_label_closes_its_shipment_for_good(label):
    label_cancel(label=label)
    shipment = Shipment.objects.get(pk=label.shipment_id)

    assert (shipment.active, shipment.next_check_at) == (False, None)
    assert shipment.closed_reason == "Its shipping label was cancelled."
    assert audit_for(shipment).filter(action="shipment.close").exists()
    with pytest.raises(ShipmentError, match=CLOSED) as refused:
        shipment_retrack(shipment=shipment)
    assert refused.value.code == "retrack_closed"


def test_the_tracking_api_refuses_to_retrack_it(label, tracking_api):
    label_cancel(label=label)
    path = url("trackings", "usps", label.tracking_number, "retrack")

    error(tracking_api.post(path), 400, code=4016, says=(CLOSED,))
    assert not Shipment.objects.get(pk=label.shipment_id).active


def test_the_shipment_page_says_why_instead_of_offering_retrack(label, agent_client):
    label_cancel(label=label)
    page = text(agent_client.get(reverse("shipment-detail", args=[label.shipment.public_id])))

    assert "Retrack…" not in page
    assert f"Not checked with the carrier any more. {CLOSED}" in page


@pytest.mark.parametrize("cancelled", [False, True])
def test_a_labels_shipment_cannot_be_deleted(label, tracking_api, cancelled):
    if cancelled:
        label_cancel(label=label)
    shipment = Shipment.objects.get(pk=label.shipment_id)

    with pytest.raises(ShipmentError, match=f"label {label.pk} depends on it"):
        shipment_delete(shipment=shipment)
    path = url("trackings", "usps", label.tracking_number)
    error(tracking_api.delete(path), 400, says=("cannot be deleted", label.pk))

    label.refresh_from_db()
    assert label.shipment_id == shipment.pk
    assert label.status == (LabelStatus.CANCELLED if cancelled else LabelStatus.CREATED)
    assert not audit_for(shipment).filter(action="shipment.delete").exists()
    assert ok(tracking_api.get(path))["tracking"]["tracking_number"] == label.tracking_number


def test_an_ordinary_tracking_is_still_deleted(partner, tracking_api):
    tracking_number = "9400111899223100000017"
    created = ok(
        tracking_api.post(url("trackings"), {"tracking_number": tracking_number, "slug": "usps"}),
        status=201,
    )
    assert created["tracking"]["tracking_number"] == tracking_number
    ok(tracking_api.delete(url("trackings", "usps", tracking_number)))
    assert not Shipment.objects.filter(tracking_number=tracking_number).exists()
    assert not Label.objects.exists()
