"""Shipment status derived from checkpoint histories (pure: no database)."""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from tracking.choices import REFRESH_PRIORITY, Subtag, Tag
from tracking.derive import derive

EST = -300  # UTC-5, in minutes


@dataclass
class Cp:
    checkpoint_time: datetime
    subtag: str
    recipient_name: str = ""
    utc_offset_minutes: int | None = EST

    @property
    def tag(self) -> str:
        return Subtag(self.subtag).tag.value

    @property
    def subtag_message(self) -> str:
        return Subtag(self.subtag).label


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A UTC time in March 2026."""
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


START = [
    Cp(at(2, 14), Subtag.INFO_RECEIVED_001),  # 09:00 local on the 2nd
    Cp(at(2, 22), Subtag.IN_TRANSIT_002),
    Cp(at(3, 10), Subtag.IN_TRANSIT_003),
    Cp(at(4, 1), Subtag.IN_TRANSIT_007),
]
DELIVERED = [
    *START,
    Cp(at(5, 13), Subtag.OUT_FOR_DELIVERY_001),
    Cp(at(5, 18, 30), Subtag.DELIVERED_001, recipient_name="J SMITH"),
]
ATTEMPT_THEN_DELIVERED = [
    *START,
    Cp(at(5, 13), Subtag.OUT_FOR_DELIVERY_001),
    Cp(at(5, 19), Subtag.ATTEMPT_FAIL_003),
    Cp(at(6, 13), Subtag.OUT_FOR_DELIVERY_001),
    Cp(at(6, 19), Subtag.ATTEMPT_FAIL_001),
    Cp(at(7, 13), Subtag.OUT_FOR_DELIVERY_001),
    Cp(at(7, 17), Subtag.DELIVERED_003, recipient_name="A GARCIA"),
]
RETURNED = [
    *START,
    Cp(at(5, 13), Subtag.OUT_FOR_DELIVERY_001),
    Cp(at(5, 17), Subtag.EXCEPTION_007),
    Cp(at(5, 22), Subtag.EXCEPTION_010),
    Cp(at(7, 9), Subtag.IN_TRANSIT_003),
    Cp(at(9, 15), Subtag.EXCEPTION_011, recipient_name="SHIPPING DEPT"),
]
LOST = [
    *START[:3],
    Cp(at(8, 12), Subtag.EXCEPTION_005),
    Cp(at(14, 12), Subtag.EXCEPTION_013),
]
TODAY = date(2026, 3, 10)


def shuffled(history):
    items = list(history)
    random.Random(7).shuffle(items)
    return items


def test_no_checkpoints_is_pending():
    fields = derive([], promised=None, expected=None, today=TODAY)
    assert (fields["tag"], fields["subtag"]) == ("Pending", "Pending_001")
    assert fields["delivery_time"] == 0
    assert fields["last_event_at"] is None
    assert fields["first_attempted_at"] is None
    assert fields["on_time_status"] == ""
    assert fields["refresh_priority"] == REFRESH_PRIORITY[Tag.PENDING]


def test_delivered():
    fields = derive(shuffled(DELIVERED), promised=None, expected=None, today=TODAY)
    assert (fields["tag"], fields["subtag"]) == ("Delivered", "Delivered_001")
    assert fields["subtag_message"] == "Delivered"
    assert fields["signed_by"] == "J SMITH"
    assert fields["shipment_delivery_date"] == at(5, 18, 30)
    assert fields["shipment_delivery_offset"] == EST
    assert fields["first_attempted_at"] == at(5, 18, 30)  # delivered at the first attempt
    assert fields["first_attempted_offset"] == EST
    assert fields["failed_delivery_attempts"] == 0
    assert fields["shipment_pickup_date"] == at(2, 22)
    assert fields["delivery_time"] == 3  # the 2nd to the 5th, local dates
    assert fields["return_to_sender"] is False
    assert fields["last_event_at"] == at(5, 18, 30)
    assert fields["on_time_status"] == ""


def test_failed_attempts_then_delivered():
    fields = derive(shuffled(ATTEMPT_THEN_DELIVERED), promised=None, expected=None, today=TODAY)
    assert (fields["tag"], fields["subtag"]) == ("Delivered", "Delivered_003")
    assert fields["failed_delivery_attempts"] == 2
    assert fields["first_attempted_at"] == at(5, 19)
    assert fields["signed_by"] == "A GARCIA"
    assert fields["shipment_delivery_date"] == at(7, 17)
    assert fields["delivery_time"] == 5


def test_returned_to_sender():
    fields = derive(shuffled(RETURNED), promised=date(2026, 3, 6), expected=None, today=TODAY)
    assert (fields["tag"], fields["subtag"]) == ("Exception", "Exception_011")
    assert fields["subtag_message"] == "Returned to sender"
    assert fields["return_to_sender"] is True
    assert fields["shipment_delivery_date"] is None  # delivered back to the sender is no delivery
    assert fields["signed_by"] == ""
    assert fields["failed_delivery_attempts"] == 0
    assert fields["delivery_time"] == (TODAY - date(2026, 3, 2)).days
    assert fields["on_time_status"] == "trending-late"
    assert fields["on_time_difference"] == 4


def test_returning_to_sender_already_counts_as_return_to_sender():
    fields = derive(RETURNED[:-2], promised=None, expected=None, today=TODAY)
    assert fields["subtag"] == "Exception_010"
    assert fields["return_to_sender"] is True


def test_lost():
    fields = derive(shuffled(LOST), promised=None, expected=None, today=TODAY)
    assert (fields["tag"], fields["subtag"]) == ("Exception", "Exception_013")
    assert fields["subtag_message"] == "Shipment lost"
    assert fields["return_to_sender"] is False
    assert fields["first_attempted_at"] is None
    assert fields["shipment_delivery_date"] is None
    assert fields["last_event_at"] == at(14, 12)
    assert fields["refresh_priority"] == REFRESH_PRIORITY[Tag.EXCEPTION]


def test_the_latest_checkpoint_decides_the_tag_whatever_the_order_given():
    for seed in range(5):
        items = list(ATTEMPT_THEN_DELIVERED[:-2])
        random.Random(seed).shuffle(items)
        fields = derive(items, promised=None, expected=None, today=TODAY)
        assert (fields["tag"], fields["subtag"]) == ("AttemptFail", "AttemptFail_001")
        assert fields["refresh_priority"] == REFRESH_PRIORITY[Tag.ATTEMPT_FAIL]
        assert fields["shipment_delivery_date"] is None


@pytest.mark.parametrize(
    ("promised", "status", "difference"),
    [
        (date(2026, 3, 6), "on-time", 0),  # early
        (date(2026, 3, 5), "on-time", 0),  # on the day
        (date(2026, 3, 4), "late", 1),
        (date(2026, 3, 1), "late", 4),
    ],
)
def test_on_time_status_of_a_delivered_shipment(promised, status, difference):
    fields = derive(DELIVERED, promised=promised, expected=date(2026, 3, 20), today=TODAY)
    assert (fields["on_time_status"], fields["on_time_difference"]) == (status, difference)


def test_on_time_uses_the_local_delivery_date():
    # 03:00 UTC on the 6th is 22:00 on the 5th where it was delivered: on time for the 5th.
    late_evening = [*DELIVERED[:-1], Cp(at(6, 3), Subtag.DELIVERED_001)]
    fields = derive(late_evening, promised=date(2026, 3, 5), expected=None, today=TODAY)
    assert fields["on_time_status"] == "on-time"
    assert fields["delivery_time"] == 3


@pytest.mark.parametrize(
    ("expected", "today", "status", "difference"),
    [
        (date(2026, 3, 5), date(2026, 3, 3), "trending-on-time", 0),
        (None, date(2026, 3, 3), "trending-on-time", 0),
        (date(2026, 3, 8), date(2026, 3, 3), "trending-late", 2),  # the carrier expects it late
        (date(2026, 3, 5), date(2026, 3, 9), "trending-late", 3),  # already past the promise
    ],
)
def test_on_time_status_while_moving(expected, today, status, difference):
    fields = derive(START, promised=date(2026, 3, 6), expected=expected, today=today)
    assert fields["tag"] == "InTransit"
    assert (fields["on_time_status"], fields["on_time_difference"]) == (status, difference)


def test_delivery_time_counts_to_today_while_moving():
    fields = derive(START, promised=None, expected=None, today=date(2026, 3, 6))
    assert fields["delivery_time"] == 4


def test_times_without_an_offset_use_utc_dates():
    history = [
        Cp(at(2, 23), Subtag.IN_TRANSIT_002, utc_offset_minutes=None),
        Cp(at(3, 1) + timedelta(hours=1), Subtag.DELIVERED_001, utc_offset_minutes=None),
    ]
    fields = derive(history, promised=date(2026, 3, 2), expected=None, today=TODAY)
    assert fields["delivery_time"] == 1
    assert (fields["on_time_status"], fields["on_time_difference"]) == ("late", 1)
