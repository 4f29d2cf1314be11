"""Shipment fields that follow from its checkpoints (pure: no database, no clock but `now`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Protocol

from tracking.choices import REFRESH_PRIORITY, OnTimeStatus, Subtag, Tag

ATTEMPT_TAGS = {Tag.ATTEMPT_FAIL, Tag.DELIVERED, Tag.AVAILABLE_FOR_PICKUP}
RETURN_SUBTAGS = {Subtag.EXCEPTION_010, Subtag.EXCEPTION_011}


class CheckpointLike(Protocol):
    checkpoint_time: datetime
    utc_offset_minutes: int | None
    tag: str
    subtag: str
    subtag_message: str
    recipient_name: str


def local_date(when: datetime, offset_minutes: int | None) -> date:
    if offset_minutes is None:
        return when.date()
    return when.astimezone(dt_timezone(timedelta(minutes=offset_minutes))).date()


def derive(
    checkpoints: Sequence[CheckpointLike],
    *,
    promised: date | None,
    expected: date | None,
    today: date,
) -> dict:
    """Status fields for a shipment with these checkpoints (any order)."""
    ordered = sorted(checkpoints, key=lambda c: c.checkpoint_time)
    fields: dict = {
        "tag": Tag.PENDING.value,
        "subtag": Subtag.PENDING_001.value,
        "subtag_message": Subtag.PENDING_001.label,
        "signed_by": "",
        "delivery_time": 0,
        "failed_delivery_attempts": sum(1 for c in ordered if c.tag == Tag.ATTEMPT_FAIL),
        "first_attempted_at": None,
        "first_attempted_offset": None,
        "shipment_pickup_date": None,
        "shipment_delivery_date": None,
        "shipment_delivery_offset": None,
        "return_to_sender": any(c.subtag in RETURN_SUBTAGS for c in ordered),
        "last_event_at": ordered[-1].checkpoint_time if ordered else None,
    }
    if ordered:
        latest = ordered[-1]
        fields.update(tag=latest.tag, subtag=latest.subtag, subtag_message=latest.subtag_message)
    attempted = next((c for c in ordered if c.tag in ATTEMPT_TAGS), None)
    if attempted:
        fields["first_attempted_at"] = attempted.checkpoint_time
        fields["first_attempted_offset"] = attempted.utc_offset_minutes
    picked_up = next((c for c in ordered if c.tag == Tag.IN_TRANSIT), None)
    if picked_up:
        fields["shipment_pickup_date"] = picked_up.checkpoint_time
    delivered = next((c for c in reversed(ordered) if c.tag == Tag.DELIVERED), None)
    delivered_on = None
    if delivered and fields["tag"] == Tag.DELIVERED:
        delivered_on = local_date(delivered.checkpoint_time, delivered.utc_offset_minutes)
        fields["shipment_delivery_date"] = delivered.checkpoint_time
        fields["shipment_delivery_offset"] = delivered.utc_offset_minutes
        fields["signed_by"] = delivered.recipient_name
    if ordered:
        first_day = local_date(ordered[0].checkpoint_time, ordered[0].utc_offset_minutes)
        fields["delivery_time"] = max(0, ((delivered_on or today) - first_day).days)
    fields.update(
        on_time(promised=promised, delivered_on=delivered_on, expected=expected, today=today)
    )
    fields["refresh_priority"] = REFRESH_PRIORITY.get(Tag(fields["tag"]), 9)
    return fields


def on_time(
    *, promised: date | None, delivered_on: date | None, expected: date | None, today: date
) -> dict:
    """AfterShip's on_time_status / on_time_difference against the promised date."""
    if promised is None:
        return {"on_time_status": "", "on_time_difference": 0}
    if delivered_on is not None:
        late_by = (delivered_on - promised).days
        status = OnTimeStatus.LATE if late_by > 0 else OnTimeStatus.ON_TIME
        return {"on_time_status": status.value, "on_time_difference": max(late_by, 0)}
    forecast = max(d for d in (expected, today) if d is not None)
    late_by = (forecast - promised).days
    status = OnTimeStatus.TRENDING_LATE if late_by > 0 else OnTimeStatus.TRENDING_ON_TIME
    return {"on_time_status": status.value, "on_time_difference": max(late_by, 0)}
