"""The dashboard's figures: one query each, whatever the number of shipments.

"Delivered in the last 30 days" is a shipment whose status is Delivered and whose delivery
checkpoint is at most WINDOW_DAYS x 24 hours old. The daily chart counts each delivery on its
own local calendar date (the delivery event's UTC offset), the way the customer saw it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncHour
from django.utils import timezone

from tracking.choices import OnTimeStatus, Tag
from tracking.derive import local_date
from tracking.models import Shipment

WINDOW_DAYS = 30
TRANSIT_MAX_DAYS = 10  # the last bucket holds this many days and more
RECENT_EXCEPTIONS = 10
# Every UTC offset in use lies within 14 hours of UTC.
WIDEST_OFFSET = timedelta(hours=14)


def delivered_since(since: datetime, until: datetime):
    return Shipment.objects.filter(
        tag=Tag.DELIVERED, shipment_delivery_date__gte=since, shipment_delivery_date__lte=until
    ).order_by()


@dataclass(frozen=True)
class OnTimeRate:
    on_time: int
    late: int

    @property
    def measured(self) -> int:
        return self.on_time + self.late

    @property
    def percent(self) -> float | None:
        return 100 * self.on_time / self.measured if self.measured else None


def on_time_rate(*, now: datetime | None = None) -> OnTimeRate:
    """Deliveries of the last 30 days that had a promised date: how many came by it."""
    now = now or timezone.now()
    counts = delivered_since(now - timedelta(days=WINDOW_DAYS), now).aggregate(
        on_time=Count("id", filter=Q(on_time_status=OnTimeStatus.ON_TIME)),
        late=Count("id", filter=Q(on_time_status=OnTimeStatus.LATE)),
    )
    return OnTimeRate(**counts)


def transit_days(*, now: datetime | None = None) -> list[tuple[str, int]]:
    """Deliveries of the last 30 days by days in transit: 0, 1, … and "10+"."""
    now = now or timezone.now()
    rows = (
        delivered_since(now - timedelta(days=WINDOW_DAYS), now)
        .values_list("delivery_time")
        .annotate(n=Count("id"))
    )
    buckets = Counter()
    for days, n in rows:
        buckets[min(days, TRANSIT_MAX_DAYS)] += n
    return [
        (f"{days}+" if days == TRANSIT_MAX_DAYS else str(days), buckets[days])
        for days in range(TRANSIT_MAX_DAYS + 1)
    ]


def delivered_per_day(*, today: date | None = None) -> list[tuple[date, int]]:
    """Deliveries on each of the last 30 local dates, oldest first (today included).

    Counted by hour and UTC offset in the database (a bounded number of rows), then each hour
    is put on the delivery's local date: exact for every whole-hour offset (all US zones).
    """
    today = today or timezone.localdate()
    first = today - timedelta(days=WINDOW_DAYS - 1)
    since = datetime.combine(first, datetime.min.time(), tzinfo=UTC) - WIDEST_OFFSET
    until = datetime.combine(today, datetime.max.time(), tzinfo=UTC) + WIDEST_OFFSET
    rows = (
        delivered_since(since, until)
        .values_list(TruncHour("shipment_delivery_date", tzinfo=UTC), "shipment_delivery_offset")
        .annotate(n=Count("id"))
    )
    per_day = Counter()
    for hour, offset, n in rows:
        day = local_date(hour, offset) if offset is not None else timezone.localdate(hour)
        per_day[day] += n
    days = [first + timedelta(days=i) for i in range(WINDOW_DAYS)]
    return [(day, per_day[day]) for day in days]


def recent_exceptions(*, now: datetime | None = None, limit: int = RECENT_EXCEPTIONS):
    """The latest exceptions of the last 30 days, newest first."""
    now = now or timezone.now()
    return list(
        Shipment.objects.filter(
            tag=Tag.EXCEPTION, last_event_at__gte=now - timedelta(days=WINDOW_DAYS)
        )
        .select_related("partner")
        .order_by("-last_event_at", "-id")[:limit]
    )
