"""`tracking.updated`: recorded with the AfterShip tracking object whenever a shipment's tag
changes (carrier ingest, mark completed, retrack), in the transaction of the change."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from shipdesk.webhooks.models import EventType, WebhookEvent
from tracking.api.representation import tracking_data
from tracking.carriers.base import Event, TrackResult
from tracking.models import Shipment
from tracking.services.ingest import shipments_ingest
from tracking.services.lifecycle import shipment_mark_completed, shipment_retrack
from tracking.services.shipments import shipment_create

NUMBER = "9400111899223123456785"
NOW = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)


def event(key, hours_ago, tag, subtag, message):
    return Event(
        key=key,
        time=NOW - timedelta(hours=hours_ago),
        utc_offset_minutes=-300,
        message=message,
        tag=tag,
        subtag=subtag,
        subtag_message=message,
    )


IN_TRANSIT = [event("a1", 20, "InTransit", "InTransit_001", "Arrived at USPS Facility")]
DELIVERED = [*IN_TRANSIT, event("d1", 1, "Delivered", "Delivered_001", "Delivered")]


@pytest.fixture
def shipment(partner, make_webhook):
    make_webhook(enabled_events=[EventType.TRACKING_UPDATED])
    return shipment_create(partner=partner, tracking_number=NUMBER, now=NOW - timedelta(days=3))


def tracking_events():
    return WebhookEvent.objects.filter(type="tracking.updated").order_by("id")


def test_a_tag_change_from_the_carrier_records_the_tracking_object(shipment, partner):
    shipments_ingest(pairs=[(shipment, TrackResult(NUMBER, events=IN_TRANSIT))], now=NOW)
    shipments_ingest(pairs=[(shipment, TrackResult(NUMBER, events=IN_TRANSIT))], now=NOW)
    shipments_ingest(pairs=[(shipment, TrackResult(NUMBER, events=DELIVERED))], now=NOW)

    first, second = tracking_events()  # the unchanged second answer recorded nothing
    assert first.partner == partner and first.live is None
    assert first.data["tag"] == "InTransit"
    assert second.data["tag"] == "Delivered"
    current = Shipment.objects.prefetch_related("subscribers", "checkpoints").get()
    assert second.data == tracking_data(current)
    assert [c["subtag"] for c in second.data["checkpoints"]] == ["InTransit_001", "Delivered_001"]


def test_marking_completed_and_retracking_record_the_change(shipment):
    shipment_mark_completed(shipment=shipment, reason="LOST")
    shipment_mark_completed(shipment=Shipment.objects.get(), reason="LOST")  # no change
    shipment_retrack(shipment=Shipment.objects.get())

    lost, pending = tracking_events()
    assert (lost.data["tag"], lost.data["subtag"]) == ("Exception", "Exception_013")
    assert (pending.data["tag"], pending.data["active"]) == ("Pending", True)


def test_a_rolled_back_change_leaves_no_event(shipment):
    with pytest.raises(RuntimeError), transaction.atomic():
        shipment_mark_completed(shipment=shipment, reason="DELIVERED")
        assert tracking_events().count() == 1
        raise RuntimeError("the caller's transaction fails after the change")

    assert not tracking_events().exists()
    assert Shipment.objects.get().tag == "Pending"


def test_without_a_subscribed_webhook_nothing_is_queued(
    partner, django_capture_on_commit_callbacks
):
    shipment = shipment_create(partner=partner, tracking_number=NUMBER)
    with django_capture_on_commit_callbacks() as callbacks:
        shipment_mark_completed(shipment=shipment, reason="DELIVERED")

    (stored,) = tracking_events()
    assert stored.dispatched_at is not None  # kept, with nothing to deliver
    assert len(callbacks) == 1  # the subscribers' notification only
