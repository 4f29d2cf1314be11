"""Background tasks (Django tasks on the django-tasks-db worker)."""

from __future__ import annotations

from django.conf import settings
from django.tasks import task

from shipdesk.tasks import enqueue_unless_waiting
from tracking.carriers import budget
from tracking.services.refresh import refresh_due


@task()
def refresh_cycle() -> dict:
    """One refresh pass, then queue the next one (the chain keeps itself alive)."""
    try:
        report = refresh_due()
        budget.prune()
    finally:
        schedule_refresh(delay=settings.REFRESH_INTERVAL_SECONDS)
    return {
        "batches": report.batches,
        "shipments": report.shipments,
        "events": report.events,
        "errors": report.errors,
        "expired": report.expired,
        "budget_exhausted": report.budget_exhausted,
        "failed_batches": report.failed_batches,
    }


def schedule_refresh(*, delay: float = 0) -> bool:
    """Queue the next refresh cycle unless one is already waiting; True when queued."""
    return enqueue_unless_waiting(refresh_cycle, delay=delay)


@task()
def notify_subscribers(shipment_ids: list[int]) -> int:
    from tracking.services.notify import subscribers_notify

    return subscribers_notify(shipment_ids=shipment_ids)


@task()
def pod_request_process(pod_request_id: int) -> str:
    """Send one proof-of-delivery request (USPS's record or shipdesk's letter by e-mail)."""
    from tracking.services.pod import pod_request_process as process

    request = process(pod_request_id=pod_request_id)
    return request.status if request else "gone"


@task()
def pod_retention_cycle() -> dict:
    """Purge event detail past the POD retention window, then queue the next pass."""
    from tracking.pod.services import event_detail_purge

    try:
        purged = event_detail_purge()
    finally:
        schedule_pod_retention(delay=settings.POD_RETENTION_INTERVAL_SECONDS)
    return {"purged_checkpoints": purged}


def schedule_pod_retention(*, delay: float = 0) -> bool:
    """Queue the next retention pass unless one is already waiting; True when queued."""
    return enqueue_unless_waiting(pod_retention_cycle, delay=delay)
