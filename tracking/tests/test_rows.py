"""Rows written in one statement (tracking.services.rows): the values a save would write."""

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from tracking.models import Checkpoint, Shipment
from tracking.numbers import with_impb_check_digit
from tracking.services.ingest import NewCheckpoint
from tracking.services.rows import rows_insert_new, rows_update
from tracking.services.shipments import shipment_create

WHEN = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)


def _row(shipment, key: str, when: datetime) -> NewCheckpoint:
    return NewCheckpoint(
        shipment_id=shipment.pk,
        event_key=key,
        checkpoint_time=when,
        utc_offset_minutes=-300,
        slug="usps",
        message=f"Event {key}",
        tag="InTransit",
        subtag="InTransit_001",
        subtag_message="In transit",
        raw_tag="A1",
        city="NEW YORK",
        state="NY",
        zip="10001",
        country_iso3="USA",
        country_name="",
        location="",
        recipient_name="",
        firm="",
        created_at=WHEN,
        chain_seq=None,
    )


def test_an_update_writes_every_field_named_and_stamps_updated_at(partner):
    shipments = [
        shipment_create(
            partner=partner, tracking_number=with_impb_check_digit(f"9400111899{n:011d}")
        )
        for n in (1, 2)
    ]
    for n, shipment in enumerate(shipments):
        shipment.customer_name = f"Customer {n}"
        shipment.custom_fields = {"n": n, "note": "é"}
        shipment.order_promised_delivery_date = date(2026, 3, 9 + n)
        shipment.last_event_at = WHEN - timedelta(hours=n)
        shipment.title = "not named, not written"
    before = timezone.now()

    rows_update(
        shipments,
        fields=[
            "customer_name",
            "custom_fields",
            "order_promised_delivery_date",
            "last_event_at",
            "updated_at",
        ],
    )

    for n, stored in enumerate(Shipment.objects.order_by("pk")):
        assert stored.customer_name == f"Customer {n}"
        assert stored.custom_fields == {"n": n, "note": "é"}
        assert stored.order_promised_delivery_date == date(2026, 3, 9 + n)
        assert stored.last_event_at == WHEN - timedelta(hours=n)
        assert stored.title != "not named, not written"
        assert stored.updated_at >= before


def test_an_insert_skips_rows_already_stored_and_counts_the_new_ones(partner):
    shipment = shipment_create(
        partner=partner, tracking_number=with_impb_check_digit("940011189900000000001")
    )
    first = [_row(shipment, key, WHEN - timedelta(hours=i)) for i, key in enumerate("ab")]
    assert rows_insert_new(Checkpoint, first, unique=["shipment", "event_key"]) == 2

    again = [_row(shipment, key, WHEN - timedelta(hours=i)) for i, key in enumerate("abc")]
    assert rows_insert_new(Checkpoint, again, unique=["shipment", "event_key"]) == 1

    stored = {c.event_key: c for c in shipment.checkpoints.all()}
    assert sorted(stored) == ["a", "b", "c"]
    assert stored["c"].checkpoint_time == WHEN - timedelta(hours=2)
    assert stored["c"].created_at == WHEN
    assert (stored["c"].city, stored["c"].latitude, stored["c"].chain_seq) == (
        "NEW YORK",
        None,
        None,
    )
