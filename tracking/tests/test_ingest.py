"""Applying carrier answers to shipments: checkpoints once, derived status, scheduling."""

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection

from tracking import edd
from tracking.carriers.base import TrackResult
from tracking.models import Checkpoint, Shipment
from tracking.numbers import with_impb_check_digit
from tracking.schedule import RETRY_AFTER_ERROR, RETRY_SOON
from tracking.services import edd as edd_service
from tracking.services.ingest import shipments_ingest
from tracking.services.lifecycle import shipment_mark_completed
from tracking.services.shipments import shipment_create
from tracking.tests.usps_items import usps_event, usps_result

NUMBER = "9400111899223123456785"
OTHER = "9405500000000000000016"
NOW = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)


IN_TRANSIT = [
    usps_event("A1", "Arrived at USPS Regional Facility", NOW - timedelta(hours=20)),
    usps_event("03", "USPS in possession of item", NOW - timedelta(hours=40)),
    usps_event("MA", "Shipping Label Created, USPS Awaiting Item", NOW - timedelta(hours=50)),
]
DELIVERED = [
    usps_event("01", "Delivered, In/At Mailbox", NOW - timedelta(hours=1), recipient="J SMITH"),
    usps_event("OF", "Out for Delivery", NOW - timedelta(hours=6)),
    *IN_TRANSIT,
]


@pytest.fixture
def shipment(partner):
    return shipment_create(partner=partner, tracking_number=NUMBER, now=NOW - timedelta(days=3))


def test_the_same_answer_ingested_twice_leaves_one_set_of_checkpoints(shipment):
    result = usps_result(NUMBER, IN_TRANSIT)

    first = shipments_ingest(pairs=[(shipment, result)], now=NOW)
    second = shipments_ingest(pairs=[(shipment, usps_result(NUMBER, IN_TRANSIT))], now=NOW)

    assert shipment.checkpoints.count() == 3
    assert (first.events, first.new_checkpoints) == (3, 3)
    assert (second.events, second.new_checkpoints) == (3, 0)
    shipment.refresh_from_db()
    assert shipment.tracked_count == 2
    assert shipment.tag == "InTransit"


def test_a_longer_history_adds_only_the_new_events(shipment):
    shipments_ingest(pairs=[(shipment, usps_result(NUMBER, IN_TRANSIT))], now=NOW)
    report = shipments_ingest(pairs=[(shipment, usps_result(NUMBER, DELIVERED))], now=NOW)

    assert report.new_checkpoints == 2
    assert shipment.checkpoints.count() == 5
    assert [c.raw_tag for c in shipment.checkpoints.all()] == ["01", "OF", "A1", "03", "MA"]


def test_checkpoints_keep_the_event_details(shipment):
    shipments_ingest(pairs=[(shipment, usps_result(NUMBER, DELIVERED))], now=NOW)
    delivered = shipment.checkpoints.first()
    assert delivered.checkpoint_time == NOW - timedelta(hours=1)
    assert delivered.utc_offset_minutes == -300
    assert delivered.local_time.hour == 6  # 11:00 UTC shown at the event's -05:00
    assert (delivered.tag, delivered.subtag) == ("Delivered", "Delivered_001")
    assert (delivered.city, delivered.state, delivered.zip) == ("New York", "NY", "10001")
    assert (delivered.country_iso3, delivered.recipient_name) == ("USA", "J SMITH")


def test_tag_changes_are_reported_once(shipment, partner):
    other = shipment_create(partner=partner, tracking_number=OTHER, now=NOW - timedelta(days=3))

    first = shipments_ingest(
        pairs=[(shipment, usps_result(NUMBER, IN_TRANSIT)), (other, usps_result(OTHER, []))],
        now=NOW,
    )
    again = shipments_ingest(pairs=[(shipment, usps_result(NUMBER, IN_TRANSIT))], now=NOW)
    delivered = shipments_ingest(pairs=[(shipment, usps_result(NUMBER, DELIVERED))], now=NOW)

    assert first.tag_changes == [(shipment.pk, "Pending", "InTransit")]  # `other` stays Pending
    assert again.tag_changes == []
    assert delivered.tag_changes == [(shipment.pk, "InTransit", "Delivered")]


def test_a_delivered_shipment_becomes_inactive_with_its_derived_fields(shipment):
    shipment.order_promised_delivery_date = NOW.date()
    shipment.save()

    shipments_ingest(pairs=[(shipment, usps_result(NUMBER, DELIVERED))], now=NOW)

    shipment.refresh_from_db()
    assert shipment.active is False
    assert shipment.next_check_at is None
    assert (shipment.tag, shipment.subtag) == ("Delivered", "Delivered_001")
    assert shipment.signed_by == "J SMITH"
    assert shipment.shipment_delivery_date == NOW - timedelta(hours=1)
    assert shipment.on_time_status == "on-time"
    assert shipment.unique_tracking_id == "UTID456785"
    assert shipment.pod_eligible is True
    assert shipment.destination_city == "New York"
    assert shipment.last_checked_at == NOW
    assert shipment.refresh_claimed_until is None
    assert Shipment.objects.due(now=NOW + timedelta(days=365)).count() == 0


def test_a_moving_shipment_stays_active_and_is_checked_again(shipment):
    shipments_ingest(pairs=[(shipment, usps_result(NUMBER, IN_TRANSIT))], now=NOW)
    shipment.refresh_from_db()
    assert shipment.active is True
    assert NOW < shipment.next_check_at <= NOW + timedelta(hours=24)


def test_a_persons_completed_verdict_survives_later_carrier_answers(shipment):
    shipments_ingest(pairs=[(shipment, usps_result(NUMBER, IN_TRANSIT))], now=NOW)
    shipment_mark_completed(shipment=shipment, reason="LOST")

    report = shipments_ingest(pairs=[(shipment, usps_result(NUMBER, DELIVERED))], now=NOW)

    shipment.refresh_from_db()
    assert shipment.completed_reason == "LOST"
    assert (shipment.tag, shipment.subtag) == ("Exception", "Exception_013")
    assert shipment.active is False
    assert report.tag_changes == []
    assert shipment.checkpoints.count() == 5  # the history is still kept


def test_a_verdict_given_while_the_carrier_was_asked_wins_over_the_claimed_copy(shipment):
    claimed = Shipment.objects.get(pk=shipment.pk)  # what a refresh worker holds
    shipment_mark_completed(
        shipment=Shipment.objects.get(pk=shipment.pk), reason="RETURNED_TO_SENDER"
    )

    shipments_ingest(pairs=[(claimed, usps_result(NUMBER, DELIVERED))], now=NOW)

    shipment.refresh_from_db()
    assert shipment.completed_reason == "RETURNED_TO_SENDER"
    assert (shipment.tag, shipment.subtag) == ("Exception", "Exception_011")
    assert shipment.return_to_sender is True
    assert shipment.active is False


def test_a_shipment_deleted_while_the_carrier_was_asked_is_skipped(shipment):
    claimed = Shipment.objects.get(pk=shipment.pk)
    shipment.delete()

    report = shipments_ingest(pairs=[(claimed, usps_result(NUMBER, DELIVERED))], now=NOW)

    assert report.shipments == 0
    assert Checkpoint.objects.count() == 0


def test_a_carrier_error_is_recorded_and_retried_without_touching_the_status(shipment):
    shipments_ingest(pairs=[(shipment, usps_result(NUMBER, IN_TRANSIT))], now=NOW)
    later = NOW + timedelta(hours=3)

    report = shipments_ingest(
        pairs=[(shipment, TrackResult(NUMBER, error="USPS 503: busy", retryable=True))], now=later
    )

    shipment.refresh_from_db()
    assert report.errors == 1
    assert shipment.last_error == "USPS 503: busy"
    assert shipment.last_error_at == later
    assert shipment.next_check_at == later + RETRY_SOON
    assert shipment.tag == "InTransit"
    assert shipment.active is True
    assert shipment.checkpoints.count() == 3

    shipments_ingest(pairs=[(shipment, usps_result(NUMBER, IN_TRANSIT))], now=later)
    shipment.refresh_from_db()
    assert shipment.last_error == ""
    assert shipment.last_error_at is None


def test_a_batch_with_a_bad_item_still_applies_the_good_ones(shipment, partner):
    other = shipment_create(partner=partner, tracking_number=OTHER)
    report = shipments_ingest(
        pairs=[
            (shipment, usps_result(NUMBER, DELIVERED)),
            (other, TrackResult(OTHER, error="USPS 404: not found")),
        ],
        now=NOW,
    )
    shipment.refresh_from_db()
    other.refresh_from_db()
    assert (report.shipments, report.errors) == (2, 1)
    assert shipment.tag == "Delivered"
    assert other.last_error == "USPS 404: not found"
    assert other.checkpoints.count() == 0


def test_carrier_text_longer_than_our_columns_is_cut_not_refused(shipment):
    long_event = usps_event("01", "Delivered", NOW - timedelta(hours=1), recipient="R" * 300)
    long_event["eventCity"] = "C" * 300
    long_event["eventZIPCode"] = "9" * 40
    result = usps_result(NUMBER, [long_event], mailClass="M" * 300)

    shipments_ingest(pairs=[(shipment, result)], now=NOW)

    checkpoint = shipment.checkpoints.get()
    assert (len(checkpoint.city), len(checkpoint.zip), len(checkpoint.recipient_name)) == (
        100,
        20,
        255,
    )
    shipment.refresh_from_db()
    assert len(shipment.mail_class) == 100
    assert shipment.signed_by == "R" * 255
    assert shipment.tag == "Delivered"


# --- shipdesk's own delivery estimate, stored with each answer --------------------------------


@pytest.fixture
def lane_model():
    """A learnt model in the shared cache: 20 Priority Mail parcels from 100xx to 100xx, each
    delivered 3 business days after acceptance."""
    picked = datetime(2026, 3, 2, 10, 0)  # a Monday, a week without holidays
    model = edd.EddModel.learn(
        edd.TransitRecord("10001", "10001", "Priority Mail", picked, date(2026, 3, 5))
        for _ in range(20)
    )
    cache.set(edd_service.CACHE_KEY, model.to_dict(), 60)
    yield model
    cache.delete(edd_service.CACHE_KEY)


def test_each_answer_stores_the_lane_estimate_from_the_pickup(shipment, lane_model):
    assert shipment.estimated_delivery_date is None  # created without ZIP codes: no lane yet
    result = usps_result(NUMBER, IN_TRANSIT, originZIPCode="10001")

    shipments_ingest(pairs=[(shipment, result)], now=NOW)

    shipment.refresh_from_db()
    # Accepted Wednesday 4 March 15:00 New York time, + 3 business days (Saturday counts).
    assert shipment.estimated_delivery_date == date(2026, 3, 7)
    assert shipment.estimated_delivery_date_min == date(2026, 3, 7)
    assert shipment.estimated_delivery_date_max == date(2026, 3, 7)
    assert shipment.estimated_delivery_confidence


def test_without_history_the_carrier_date_is_stored_and_delivery_keeps_it(shipment):
    expectation = {"deliveryDateExpectation": {"expectedDeliveryDate": "2026-03-09"}}

    shipments_ingest(pairs=[(shipment, usps_result(NUMBER, IN_TRANSIT, **expectation))], now=NOW)
    shipment.refresh_from_db()
    assert shipment.estimated_delivery_date == date(2026, 3, 9)

    shipments_ingest(pairs=[(shipment, usps_result(NUMBER, DELIVERED))], now=NOW)
    shipment.refresh_from_db()
    assert shipment.tag == "Delivered"
    assert shipment.estimated_delivery_date == date(2026, 3, 9)  # what delivery is judged by


def test_a_carrier_error_leaves_the_estimate_alone(shipment):
    Shipment.objects.filter(pk=shipment.pk).update(estimated_delivery_date=date(2026, 3, 9))
    failed = TrackResult(NUMBER, error="USPS 503: busy", retryable=True)

    shipments_ingest(pairs=[(Shipment.objects.get(pk=shipment.pk), failed)], now=NOW)

    shipment.refresh_from_db()
    assert shipment.estimated_delivery_date == date(2026, 3, 9)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        # A carrier fault that shows when the checkpoint is built.
        ({"message": None}, "TypeError"),
        # One the database refuses (PostgreSQL has no NUL in text; SQLite stores it).
        pytest.param(
            {"city": "New\x00York"},
            "DataError",
            marks=pytest.mark.skipif(
                connection.vendor != "postgresql", reason="SQLite stores NUL in text"
            ),
        ),
    ],
)
def test_an_answer_that_cannot_be_stored_costs_only_its_own_shipment(
    partner, caplog, change, error
):
    numbers = [with_impb_check_digit(f"9400111899{i:011d}") for i in range(5)]
    shipments = [
        shipment_create(partner=partner, tracking_number=n, now=NOW - timedelta(days=3))
        for n in numbers
    ]
    Shipment.objects.update(refresh_claimed_until=NOW + timedelta(minutes=10))
    results = [usps_result(n, IN_TRANSIT) for n in numbers]
    broken = dataclasses.replace(results[2].events[0], **change)
    results[2] = dataclasses.replace(results[2], events=[broken, *results[2].events[1:]])

    report = shipments_ingest(pairs=list(zip(shipments, results, strict=True)), now=NOW)

    assert (report.shipments, report.errors, report.events) == (5, 1, 12)
    assert "Storing 5 carrier answers failed: storing them one by one" in caplog.text
    assert f"Storing the carrier's answer for {numbers[2]} failed" in caplog.text
    rows = list(Shipment.objects.order_by("id"))
    bad = rows.pop(2)
    for good in rows:
        assert good.checkpoints.count() == 3
        assert good.tag == "InTransit"
        assert (good.tracked_count, good.last_error, good.refresh_claimed_until) == (1, "", None)
    assert bad.last_error.startswith(f"shipdesk could not store the carrier's answer ({error}")
    assert bad.checkpoints.count() == 0
    assert (bad.tag, bad.tracked_count, bad.refresh_claimed_until) == ("Pending", 0, None)
    # Not again at once: the answer was paid for from the carrier's hourly budget.
    assert bad.next_check_at == NOW + RETRY_AFTER_ERROR


def test_a_batch_is_stored_in_a_fixed_number_of_queries(partner, django_assert_max_num_queries):
    numbers = [with_impb_check_digit(f"9400111899{i:011d}") for i in range(35)]
    shipments = [shipment_create(partner=partner, tracking_number=n) for n in numbers]
    pairs = [(s, usps_result(n, IN_TRANSIT)) for s, n in zip(shipments, numbers, strict=True)]
    edd_service.edd_model_get()  # learnt once, then cached

    # A handful of statements for the whole batch, none per shipment or per checkpoint (the
    # rows' UPDATE is one statement, run for each row on SQLite: counted once).
    with django_assert_max_num_queries(14):
        report = shipments_ingest(pairs=pairs, now=NOW)

    assert report.errors == 0 and report.new_checkpoints == 35 * 3
