"""The background refresh: claiming due shipments, batches, scheduling, expiry."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tracking.carriers.budget import BudgetExhausted
from tracking.carriers.sandbox.carrier import SandboxCarrier
from tracking.choices import REFRESH_PRIORITY, Tag, default_subtag
from tracking.models import Shipment
from tracking.numbers import with_impb_check_digit
from tracking.schedule import (
    BASE_INTERVAL,
    MAX_INTERVAL,
    RETRY_AFTER_ERROR,
    RETRY_SOON,
    next_check_delay,
)
from tracking.services.ingest import shipments_ingest
from tracking.services.lifecycle import shipment_retrack
from tracking.services.refresh import CLAIM_FOR, refresh_due, shipments_claim_due, shipments_release
from tracking.services.shipments import shipment_create, shipments_expire_stale
from tracking.tests.test_sandbox import number_for
from tracking.tests.usps_items import usps_event, usps_result


def number(i: int) -> str:
    return with_impb_check_digit(f"9400111899223{i:08d}")


def make(partner, i: int, tag: str = Tag.PENDING, *, due_ago=timedelta(minutes=5), **fields):
    shipment = shipment_create(partner=partner, tracking_number=number(i))
    Shipment.objects.filter(pk=shipment.pk).update(
        tag=tag,
        subtag=default_subtag(tag),
        refresh_priority=REFRESH_PRIORITY.get(tag, 9),
        **{"next_check_at": timezone.now() - due_ago, **fields},
    )
    shipment.refresh_from_db()
    return shipment


def claim(limit=35, now=None):
    return shipments_claim_due(slug="usps", limit=limit, now=now or timezone.now())


class FixedCarrier:
    """A carrier that always says the same thing, and counts what it was asked."""

    slug = "usps"
    name = "USPS (test)"
    batch_size = 35
    simulated = False
    time_scale = 1.0

    def __init__(self, answer=None, *, raises=None):
        self.answer = answer
        self.raises = raises
        self.asked: list[list[str]] = []

    def track(self, requests):
        self.asked.append([r.tracking_number for r in requests])
        if self.raises:
            raise self.raises
        return [self.answer(r.tracking_number) for r in requests]


# Claiming


def test_claims_come_most_urgent_first(partner):
    # Created least urgent first, so neither creation order nor id order explains the result.
    tags = [Tag.PENDING, Tag.INFO_RECEIVED, Tag.IN_TRANSIT, Tag.ATTEMPT_FAIL, Tag.OUT_FOR_DELIVERY]
    by_tag = {tag: make(partner, i, tag) for i, tag in enumerate(tags)}

    first = claim(limit=3)
    second = claim(limit=3)

    assert [s.tag for s in first] == ["OutForDelivery", "AttemptFail", "InTransit"]
    assert [s.tag for s in second] == ["InfoReceived", "Pending"]
    assert claim() == []
    assert {s.pk for s in first + second} == {s.pk for s in by_tag.values()}


def test_within_a_tag_the_longest_overdue_goes_first(partner):
    recent = make(partner, 1, Tag.IN_TRANSIT, due_ago=timedelta(minutes=1))
    overdue = make(partner, 2, Tag.IN_TRANSIT, due_ago=timedelta(hours=5))
    assert [s.pk for s in claim(limit=1)] == [overdue.pk]
    assert [s.pk for s in claim(limit=1)] == [recent.pk]


def test_two_claims_in_a_row_never_return_the_same_shipment(partner):
    for i in range(6):
        make(partner, i, Tag.IN_TRANSIT)
    first, second, third = claim(limit=3), claim(limit=3), claim(limit=3)
    assert len(first) == len(second) == 3
    assert not {s.pk for s in first} & {s.pk for s in second}
    assert third == []


def test_not_due_inactive_and_other_carriers_shipments_are_not_claimed(partner):
    make(partner, 1, Tag.IN_TRANSIT, due_ago=-timedelta(minutes=5))  # due in 5 minutes
    make(partner, 2, Tag.IN_TRANSIT, active=False)
    make(partner, 3, Tag.IN_TRANSIT, next_check_at=None)
    make(partner, 5, Tag.IN_TRANSIT, slug="fedex")
    due = make(partner, 4, Tag.IN_TRANSIT)
    assert [s.pk for s in claim()] == [due.pk]


def test_released_shipments_become_due_again(partner):
    shipments = [make(partner, i) for i in range(3)]
    claimed = claim()
    assert claim() == []

    shipments_release(shipments=claimed)

    assert {s.pk for s in claim()} == {s.pk for s in shipments}


def test_an_abandoned_claim_lapses(partner):
    shipment = make(partner, 1)
    now = timezone.now()
    assert claim(now=now)
    assert claim(now=now + CLAIM_FOR - timedelta(seconds=1)) == []
    assert [s.pk for s in claim(now=now + CLAIM_FOR + timedelta(seconds=1))] == [shipment.pk]


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_claim_each_shipment_exactly_once(partner):
    expected = {make(partner, i).pk for i in range(40)}
    workers = 4
    claimed: list[list[int]] = [[] for _ in range(workers)]
    failures: list[BaseException] = []
    start = threading.Barrier(workers)

    def work(index):
        try:
            start.wait()
            while batch := claim(limit=3):
                claimed[index].extend(s.pk for s in batch)
        except BaseException as exc:  # reported by the test thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    every_claim = [pk for batch in claimed for pk in batch]
    assert sorted(every_claim) == sorted(expected)  # all claimed, none twice


# Refreshing


def test_refresh_tracks_every_due_shipment_in_carrier_batches(partner):
    for i in range(40):
        make(partner, i)
    batches = []

    report = refresh_due(on_batch=batches.append)

    assert (report.batches, report.shipments) == (2, 40)
    assert batches == [35, 5]
    assert report.budget_exhausted is False
    assert set(Shipment.objects.values_list("tracked_count", flat=True)) == {1}
    assert Shipment.objects.filter(refresh_claimed_until__isnull=False).count() == 0
    assert report.new_checkpoints == report.events


def test_max_batches_leaves_the_rest_due(partner):
    for i in range(40):
        make(partner, i)
    report = refresh_due(max_batches=1)
    assert (report.batches, report.shipments) == (1, 35)
    assert Shipment.objects.filter(tracked_count=0).count() == 5
    assert len(claim()) == 5


def test_one_pass_refreshes_a_shipment_once_however_long_it_takes(partner):
    for i in range(3):
        make(partner, i)
    ticks = iter(range(1000))

    def slow_clock():  # every look at the clock is half an hour later
        return timezone.now() + timedelta(minutes=30 * next(ticks))

    carrier = SandboxCarrier(time_scale=60, clock=slow_clock)
    report = refresh_due(clock=slow_clock, carriers={"usps": carrier}, max_batches=20)

    assert report.batches == 1
    assert set(Shipment.objects.values_list("tracked_count", flat=True)) == {1}


def test_a_spent_budget_stops_the_pass_and_releases_the_batch(partner):
    shipments = [make(partner, i) for i in range(3)]
    spent = FixedCarrier(raises=BudgetExhausted("usps", timezone.now() + timedelta(minutes=20)))

    report = refresh_due(carriers={"usps": spent})

    assert report.budget_exhausted is True
    assert (report.batches, report.shipments) == (0, 0)
    assert len(spent.asked) == 1  # it stopped at the first refusal
    assert {s.pk for s in claim()} == {s.pk for s in shipments}


def test_a_number_the_carrier_does_not_answer_for_gets_an_error(partner):
    make(partner, 1)
    carrier = FixedCarrier()
    carrier.track = lambda requests: []

    report = refresh_due(carriers={"usps": carrier})

    assert report.errors == 1
    assert "no answer" in Shipment.objects.get().last_error


# Scheduling


def test_next_check_is_sooner_while_moving_than_when_quiet(partner):
    moving = make(partner, 1, Tag.IN_TRANSIT)
    quiet = make(partner, 2, Tag.IN_TRANSIT)
    now = timezone.now()
    recent = [usps_event("A1", "Arrived at USPS Regional Facility", now - timedelta(hours=2))]
    old = [usps_event("A1", "Arrived at USPS Regional Facility", now - timedelta(days=10))]

    shipments_ingest(
        pairs=[
            (moving, usps_result(moving.tracking_number, recent)),
            (quiet, usps_result(quiet.tracking_number, old)),
        ],
        now=now,
    )

    moving.refresh_from_db()
    quiet.refresh_from_db()
    assert moving.next_check_at - now == BASE_INTERVAL[Tag.IN_TRANSIT]
    assert quiet.next_check_at - now > moving.next_check_at - now
    assert quiet.next_check_at - now <= MAX_INTERVAL


def test_the_sandbox_schedule_runs_at_its_time_scale(partner):
    shipment = make(partner, 1)
    now = timezone.now()
    refresh_due(
        clock=lambda: now, carriers={"usps": SandboxCarrier(time_scale=60, clock=lambda: now)}
    )
    shipment.refresh_from_db()
    assert shipment.next_check_at - now <= MAX_INTERVAL / 60


@pytest.mark.parametrize(
    ("faster", "slower"),
    [
        (Tag.OUT_FOR_DELIVERY, Tag.IN_TRANSIT),
        (Tag.ATTEMPT_FAIL, Tag.IN_TRANSIT),
        (Tag.IN_TRANSIT, Tag.INFO_RECEIVED),
    ],
)
def test_urgent_tags_are_checked_more_often(faster, slower):
    assert next_check_delay(tag=faster, since_last_event=None) < next_check_delay(
        tag=slower, since_last_event=None
    )


def test_quiet_shipments_back_off_up_to_a_day():
    delays = [
        next_check_delay(tag=Tag.IN_TRANSIT, since_last_event=timedelta(days=d))
        for d in (0, 1, 3, 6, 20)
    ]
    assert delays == sorted(delays)
    assert delays[0] < delays[-1] == MAX_INTERVAL


def test_errors_are_retried_soon_when_passing_and_later_otherwise():
    assert next_check_delay(tag="InTransit", since_last_event=None, error="x", retryable=True) == (
        RETRY_SOON
    )
    assert next_check_delay(tag="InTransit", since_last_event=None, error="x") == RETRY_AFTER_ERROR


# Expiry


def test_a_shipment_with_no_update_for_the_expiry_period_expires(partner, settings):
    settings.TRACKING_EXPIRE_DAYS = 30
    now = timezone.now()
    later = timedelta(hours=1)
    stale = make(partner, 1, Tag.IN_TRANSIT, due_ago=-later, last_event_at=now - timedelta(days=31))
    recent = make(
        partner, 2, Tag.IN_TRANSIT, due_ago=-later, last_event_at=now - timedelta(days=29)
    )
    never_moved = make(partner, 3, due_ago=-later, created_at=now - timedelta(days=31))
    new = make(partner, 4, due_ago=-later)

    report = refresh_due()

    assert report.expired == 2
    for shipment in (stale, never_moved):
        shipment.refresh_from_db()
        assert (shipment.tag, shipment.subtag) == ("Expired", "Expired_001")
        assert shipment.active is False
        assert shipment.next_check_at is None
    for shipment in (recent, new):
        shipment.refresh_from_db()
        assert shipment.active is True
        assert shipment.tag != "Expired"


def test_the_expiry_period_follows_the_setting(partner, settings):
    settings.TRACKING_EXPIRE_DAYS = 10
    now = timezone.now()
    shipment = make(
        partner,
        1,
        Tag.IN_TRANSIT,
        due_ago=-timedelta(hours=1),
        last_event_at=now - timedelta(days=11),
    )
    assert refresh_due().expired == 1
    shipment.refresh_from_db()
    assert shipment.tag == "Expired"


def test_a_retracked_shipment_is_not_expired_again_by_its_old_checkpoints(partner, settings):
    settings.TRACKING_EXPIRE_DAYS = 30
    long_ago = timezone.now() - timedelta(days=40)
    shipment = shipment_create(partner=partner, tracking_number=number_for("stalled"), now=long_ago)

    refresh_due()  # its last event is 40 days old: it expires
    shipment.refresh_from_db()
    assert (shipment.tag, shipment.active) == ("Expired", False)

    shipment_retrack(shipment=shipment)
    report = refresh_due()

    shipment.refresh_from_db()
    assert report.shipments == 1
    assert report.expired == 0
    assert (shipment.tag, shipment.active) == ("InTransit", True)
    assert shipment.retrack_count == 1


def test_delivered_shipments_are_not_expired(partner, settings):
    settings.TRACKING_EXPIRE_DAYS = 30
    shipment = make(
        partner, 1, Tag.DELIVERED, active=False, last_event_at=timezone.now() - timedelta(days=60)
    )
    assert refresh_due().expired == 0
    shipment.refresh_from_db()
    assert shipment.tag == "Delivered"


def test_fixed_carrier_answers_are_applied(partner):
    """The refresh applies what the carrier says (not only what the sandbox says)."""
    shipment = make(partner, 1)
    now = timezone.now()
    events = [usps_event("OF", "Out for Delivery", now - timedelta(minutes=30))]
    carrier = FixedCarrier(lambda n: usps_result(n, events))

    report = refresh_due(carriers={"usps": carrier})

    shipment.refresh_from_db()
    assert carrier.asked == [[shipment.tracking_number]]
    assert report.tag_changes == [(shipment.pk, "Pending", "OutForDelivery")]
    assert shipment.tag == "OutForDelivery"
    assert shipment.refresh_priority == REFRESH_PRIORITY[Tag.OUT_FOR_DELIVERY]


def test_a_shipment_being_refreshed_is_not_expired_under_the_refresh(partner, settings):
    settings.TRACKING_EXPIRE_DAYS = 30
    shipment = make(partner, 1, Tag.IN_TRANSIT, last_event_at=timezone.now() - timedelta(days=31))
    claimed = claim()
    assert shipments_expire_stale() == 0

    shipments_release(shipments=claimed)

    assert shipments_expire_stale() == 1
    shipment.refresh_from_db()
    assert shipment.tag == "Expired"


# Failures


def test_a_batch_that_fails_is_set_aside_and_the_worker_carries_on(partner, caplog):
    shipments = [make(partner, i) for i in range(3)]
    broken = FixedCarrier(raises=RuntimeError("mapper bug"))

    report = refresh_due(carriers={"usps": broken})  # does not raise

    assert (report.failed_batches, report.errors, report.batches) == (1, 3, 0)
    assert "Refreshing 3 usps shipments failed" in caplog.text
    for shipment in shipments:
        shipment.refresh_from_db()
        assert "RuntimeError: mapper bug" in shipment.last_error
        assert shipment.tracked_count == 0
    assert claim() == []  # set aside until the claim lapses …
    later = timezone.now() + CLAIM_FOR + timedelta(seconds=1)
    assert len(claim(now=later)) == 3  # … then tried again


def test_other_batches_go_ahead_while_a_failed_one_is_set_aside(partner):
    failing = make(partner, 1, Tag.OUT_FOR_DELIVERY)  # the most urgent: first in line
    waiting = make(partner, 2, Tag.IN_TRANSIT)
    broken = FixedCarrier(raises=RuntimeError("mapper bug"))
    broken.batch_size = 1
    refresh_due(carriers={"usps": broken})

    report = refresh_due()  # the next pass, with a working carrier

    waiting.refresh_from_db()
    failing.refresh_from_db()
    assert report.shipments == 1
    assert waiting.tracked_count == 1
    assert failing.tracked_count == 0
