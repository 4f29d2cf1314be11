"""The background refresh: claim due shipments, most urgent first, and track them in batches.

Claims are short transactions that stamp `refresh_claimed_until`; on PostgreSQL the rows are
taken with SELECT … FOR UPDATE SKIP LOCKED, so two workers never refresh the same shipment.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from tracking.carriers import registry
from tracking.carriers.base import Carrier, TrackRequest, TrackResult
from tracking.carriers.budget import BudgetExhausted
from tracking.models import Shipment
from tracking.services import courier_connections
from tracking.services.ingest import shipments_ingest
from tracking.services.notify import subscribers_notify_later
from tracking.services.shipments import shipments_expire_stale

CLAIM_FOR = timedelta(minutes=10)

logger = logging.getLogger(__name__)


@dataclass
class RefreshReport:
    batches: int = 0
    shipments: int = 0
    events: int = 0
    new_checkpoints: int = 0
    errors: int = 0
    expired: int = 0
    budget_exhausted: bool = False
    failed_batches: int = 0  # batches that raised: kept claimed, retried when the claim lapses
    carrier_unavailable: bool = False  # a whole batch came back with retryable errors
    tag_changes: list[tuple[int, str, str]] = field(default_factory=list)


def due_queryset(*, slug: str, now: datetime, due_by: datetime | None = None):
    """Active, unclaimed shipments due by `due_by` (default `now`), most urgent first."""
    return (
        Shipment.objects.filter(active=True, slug=slug, next_check_at__lte=due_by or now)
        .filter(Q(refresh_claimed_until__isnull=True) | Q(refresh_claimed_until__lt=now))
        .order_by("refresh_priority", "next_check_at", "id")
    )


def shipments_claim_due(
    *,
    slug: str,
    limit: int,
    now: datetime,
    due_by: datetime | None = None,
    scope: Q | None = None,
) -> list[Shipment]:
    """Claim up to `limit` due shipments (of `scope`'s partners, when given) for CLAIM_FOR; no
    other worker gets them meanwhile."""
    with transaction.atomic():
        due = due_queryset(slug=slug, now=now, due_by=due_by)
        if scope is not None:
            due = due.filter(scope)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        ids = list(due.values_list("id", flat=True)[:limit])
        Shipment.objects.filter(id__in=ids).update(refresh_claimed_until=now + CLAIM_FOR)
    return list(Shipment.objects.filter(id__in=ids).order_by("refresh_priority", "id"))


def shipments_release(*, shipments: list[Shipment]) -> None:
    Shipment.objects.filter(id__in=[s.pk for s in shipments]).update(refresh_claimed_until=None)


def shipments_track(*, carrier: Carrier, shipments: list[Shipment], now: datetime | None = None):
    """Ask the carrier about these shipments (one batch) and ingest what it says."""
    results = carrier.track(
        [
            TrackRequest(
                tracking_number=s.tracking_number,
                mailing_date=s.mailing_date,
                destination_zip=s.destination_zip,
                created_at=s.created_at,
                origin_city=s.origin_city,
                origin_state=s.origin_state,
                origin_zip=s.origin_postal_code,
                destination_city=s.destination_city,
                destination_state=s.destination_state,
            )
            for s in shipments
        ]
    )
    by_number = {r.tracking_number.upper(): r for r in results}
    pairs = [
        (
            s,
            by_number.get(s.tracking_number.upper())
            or TrackResult(s.tracking_number, error="The carrier gave no answer for this number."),
        )
        for s in shipments
    ]
    return shipments_ingest(pairs=pairs, now=now, time_scale=carrier.time_scale)


def refresh_due(
    *,
    clock: Callable[[], datetime] = timezone.now,
    max_batches: int | None = None,
    on_batch: Callable[[int], None] | None = None,
    carriers: dict[str, Carrier] | None = None,
) -> RefreshReport:
    """Track due shipments until none is due, the budget is spent or max_batches is reached.

    Partners with a courier connection are tracked through their own app (and its budget),
    the others through the installation's carrier (`carriers` may name it per slug). One pass
    looks at what was due when it started: a shipment refreshed in this pass is not refreshed
    again by it, however long the pass takes.
    """
    report = RefreshReport()
    started = clock()
    for slug in registry.SUPPORTED_SLUGS:
        default = (carriers or {}).get(slug) or registry.get_carrier(slug)
        for carrier, scope in courier_connections.refresh_scopes(slug, default):
            _refresh_scope(carrier, scope, slug, report, started, clock, max_batches, on_batch)
    report.expired = shipments_expire_stale(now=clock())
    return report


def _refresh_scope(carrier, scope, slug, report, started, clock, max_batches, on_batch) -> None:
    while max_batches is None or report.batches < max_batches:
        now = clock()
        batch = shipments_claim_due(
            slug=slug, limit=carrier.batch_size, now=now, due_by=started, scope=scope
        )
        if not batch:
            return
        try:
            ingested = shipments_track(carrier=carrier, shipments=batch, now=now)
        except BudgetExhausted:
            shipments_release(shipments=batch)
            report.budget_exhausted = True
            return
        except Exception as exc:
            # A bug, or an answer that cannot be stored: end this carrier's pass rather than
            # the worker. The batch stays claimed, so the next pass goes on with the other
            # shipments and this one is tried again when its claim lapses.
            logger.exception("Refreshing %d %s shipments failed", len(batch), slug)
            _record_failure(batch, exc, now)
            report.failed_batches += 1
            report.errors += len(batch)
            return
        report.batches += 1
        report.shipments += len(batch)
        report.events += ingested.events
        report.new_checkpoints += ingested.new_checkpoints
        report.errors += ingested.errors
        report.tag_changes += ingested.tag_changes
        subscribers_notify_later(shipment_ids=[pk for pk, _, _ in ingested.tag_changes])
        if on_batch:
            on_batch(len(batch))
        if ingested.retryable_errors == len(batch):
            # The carrier is unreachable: stop here instead of spending the hour's budget on
            # retries; the next pass tries again.
            report.carrier_unavailable = True
            return


def _record_failure(batch: list[Shipment], exc: Exception, now: datetime) -> None:
    minutes = round(CLAIM_FOR.total_seconds() / 60)
    message = f"Refresh failed ({type(exc).__name__}: {exc}); tried again in {minutes} minutes."
    try:
        Shipment.objects.filter(id__in=[s.pk for s in batch]).update(
            last_error=message[:2000], last_error_at=now
        )
    except DatabaseError:
        logger.exception("Could not record the failure on the shipments")


def count_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return sum(due_queryset(slug=s, now=now).count() for s in registry.SUPPORTED_SLUGS)
