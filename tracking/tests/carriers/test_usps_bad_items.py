"""One unreadable item in a USPS answer, over real HTTP: its batch-mates still get their updates,
and the hourly budget is spent on the batch once, not on every retry of it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tracking.carriers.usps.carrier import UspsCarrier
from tracking.choices import Tag
from tracking.models import CarrierRequest, Shipment
from tracking.schedule import RETRY_AFTER_ERROR
from tracking.services.refresh import CLAIM_FOR

pytestmark = pytest.mark.django_db


def fresh(shipments):
    return list(Shipment.objects.filter(pk__in=[s.pk for s in shipments]).order_by("id"))


@pytest.mark.parametrize("bad_time", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00"])
def test_a_bad_event_time_costs_only_its_own_shipment_and_the_budget_once(
    fake_usps, make_client, make_shipments, refresh, item, bad_time
):
    shipments = make_shipments(35)
    bad = shipments[17]

    def with_bad_time(number):
        built = item(number, "in_transit", start=fake_usps.start)
        built["trackingEvents"][1]["eventTimestamp"] = bad_time
        return built

    fake_usps.items[bad.tracking_number] = with_bad_time
    before = timezone.now()

    report = refresh(UspsCarrier(make_client()))

    after = timezone.now()
    [request] = fake_usps.tracking_requests
    assert len(request.numbers) == 35
    assert (report.batches, report.shipments, report.errors) == (1, 35, 1)
    assert report.failed_batches == 0
    rows = {s.pk: s for s in fresh(shipments)}
    bad = rows.pop(bad.pk)
    for good in rows.values():
        assert good.tracked_count == 1
        assert good.tag == Tag.IN_TRANSIT
        assert good.checkpoints.count() == fake_usps.events_in("in_transit")
        assert good.last_error == ""
        assert good.refresh_claimed_until is None
    assert bad.last_error.startswith("USPS answer malformed: event 2: eventTimestamp")
    assert bad_time in bad.last_error
    assert bad.checkpoints.count() == 0
    assert bad.tracked_count == 0
    assert bad.refresh_claimed_until is None
    assert before + RETRY_AFTER_ERROR <= bad.next_check_at <= after + RETRY_AFTER_ERROR

    # The next cycles, once a failed batch's claim would have lapsed, ask USPS nothing more.
    later = after + CLAIM_FOR + timedelta(minutes=1)
    again = refresh(UspsCarrier(make_client()), clock=lambda: later)
    assert (again.batches, again.failed_batches) == (0, 0)
    assert len(fake_usps.tracking_requests) == 1
    assert CarrierRequest.objects.filter(carrier="usps", kind="tracking").count() == 1
    assert CarrierRequest.objects.filter(carrier="usps").count() == 2  # with the token


def test_an_answer_that_breaks_the_decoder_is_recorded_once_not_retried_at_once(
    fake_usps, make_client, make_shipments, refresh
):
    shipments = make_shipments(35)
    # Valid JSON nested deeper than Python's decoder goes: RecursionError, not ValueError.
    fake_usps.next_tracking(raw="[" * 100_000 + "]" * 100_000)
    before = timezone.now()

    report = refresh(UspsCarrier(make_client()))

    after = timezone.now()
    assert (report.batches, report.errors, report.failed_batches) == (1, 35, 0)
    for shipment in fresh(shipments):
        assert shipment.last_error == "USPS answer unreadable (RecursionError)"
        assert shipment.refresh_claimed_until is None
        assert before + RETRY_AFTER_ERROR <= shipment.next_check_at <= after + RETRY_AFTER_ERROR

    later = after + CLAIM_FOR + timedelta(minutes=1)
    again = refresh(UspsCarrier(make_client()), clock=lambda: later)
    assert again.batches == 0
    assert CarrierRequest.objects.filter(carrier="usps", kind="tracking").count() == 1
