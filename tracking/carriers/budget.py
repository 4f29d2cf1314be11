"""A carrier's requests-per-hour budget, shared by every worker through the database.

Each request takes a slot: inside one transaction the carrier's budget row is locked
(SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions serialise writers), the
requests of the last hour are counted, and a row is written for this one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tracking.models import CarrierBudget, CarrierRequest

WINDOW = timedelta(hours=1)


class BudgetExhausted(Exception):
    def __init__(self, carrier: str, retry_at: datetime):
        super().__init__(f"{carrier} request budget spent until {retry_at:%H:%M:%S} UTC")
        self.carrier = carrier
        self.retry_at = retry_at


def take_slot(*, carrier: str, per_hour: int, kind: str, now: datetime | None = None) -> None:
    """Record one request to `carrier`, or raise BudgetExhausted if it would exceed the budget."""
    take_slots(carrier=carrier, per_hour=per_hour, kinds=[kind], now=now)


def take_slots(
    *, carrier: str, per_hour: int, kinds: list[str], now: datetime | None = None
) -> None:
    """Record `len(kinds)` requests sent together, in one transaction: all of them fit in the
    budget or none is taken (BudgetExhausted)."""
    now = now or timezone.now()
    CarrierBudget.objects.get_or_create(carrier=carrier)
    with transaction.atomic():
        budget = CarrierBudget.objects.select_for_update().get(carrier=carrier)
        if budget.blocked_until and budget.blocked_until > now:
            raise BudgetExhausted(carrier, budget.blocked_until)
        recent = CarrierRequest.objects.filter(carrier=carrier, sent_at__gt=now - WINDOW)
        if recent.count() + len(kinds) > per_hour:
            oldest = recent.order_by("sent_at").values_list("sent_at", flat=True).first()
            raise BudgetExhausted(carrier, (oldest or now) + WINDOW)
        CarrierRequest.objects.bulk_create(
            [CarrierRequest(carrier=carrier, kind=kind, sent_at=now) for kind in kinds]
        )


def remaining(*, carrier: str, per_hour: int, now: datetime | None = None) -> int:
    now = now or timezone.now()
    used = CarrierRequest.objects.filter(carrier=carrier, sent_at__gt=now - WINDOW).count()
    return max(0, per_hour - used)


def block_until(*, carrier: str, until: datetime) -> None:
    """Honour a carrier's Retry-After for every worker (never shortening a longer block)."""
    CarrierBudget.objects.get_or_create(carrier=carrier)
    CarrierBudget.objects.filter(carrier=carrier).filter(
        Q(blocked_until__isnull=True) | Q(blocked_until__lt=until)
    ).update(blocked_until=until)


def prune(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    deleted, _ = CarrierRequest.objects.filter(sent_at__lte=now - WINDOW).delete()
    return deleted
