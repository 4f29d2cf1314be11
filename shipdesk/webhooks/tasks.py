"""Webhook tasks on the django-tasks-db worker (manage.py db_worker).

- `webhook_events_dispatch`: queued when events commit; fans them out and sends at once.
- `webhook_deliveries_retry`: queued for the time a failed delivery is due again.
- `webhooks_sweep`: the safety net, every WEBHOOKS_SWEEP_INTERVAL_SECONDS: events whose
  dispatch task never ran, retries whose task was lost, and deliveries whose worker died
  mid-request (their lease lapsed). It queues the next sweep itself.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shipdesk.webhooks.delivery import (
    deliveries_attempt,
    deliveries_claim,
    deliveries_run_due,
    events_fan_out,
)
from shipdesk.webhooks.models import WebhookEvent

SWEEP_BATCH = 100


@task()
def webhook_events_dispatch(event_ids: list[int]) -> int:
    return len(deliveries_attempt(deliveries=events_fan_out(event_ids=event_ids)))


@task()
def webhook_deliveries_retry(delivery_ids: list[int]) -> int:
    claimed = deliveries_claim(ids=delivery_ids, limit=len(delivery_ids))
    return len(deliveries_attempt(deliveries=claimed))


def webhooks_sweep_once(*, limit: int = 1000) -> dict:
    """Fan out forgotten events and send every due delivery, up to `limit` of each."""
    fanned = attempts = 0
    while fanned < limit:
        ids = list(
            WebhookEvent.objects.filter(dispatched_at__isnull=True)
            .order_by("created_at", "id")
            .values_list("id", flat=True)[:SWEEP_BATCH]
        )
        if not ids:
            break
        fanned += len(ids)
        attempts += len(deliveries_attempt(deliveries=events_fan_out(event_ids=ids)))
    while attempts < limit:
        done = deliveries_run_due(limit=SWEEP_BATCH)
        if not done:
            break
        attempts += done
    return {"events": fanned, "attempts": attempts}


@task()
def webhooks_sweep() -> dict:
    try:
        return webhooks_sweep_once()
    finally:
        schedule_webhook_sweep(delay=settings.WEBHOOKS_SWEEP_INTERVAL_SECONDS)


def schedule_webhook_sweep(*, delay: float = 0) -> bool:
    """Queue the next sweep unless one is already waiting; True when queued."""
    if DBTaskResult.objects.filter(status="READY", task_path=webhooks_sweep.module_path).exists():
        return False
    webhooks_sweep.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue()
    return True
