"""Webhook tasks on the django-tasks-db worker (manage.py db_worker).

- `webhook_outbox_drain`: queued when events commit (once: not while one waits to start);
  fans the oldest events out and sends them. Facing a backlog it queues a helper, so every
  idle worker joins in.
- `webhook_deliveries_retry`: queued for the time failed deliveries are due again.
- `webhooks_sweep`: the safety net, every WEBHOOKS_SWEEP_INTERVAL_SECONDS: events whose drain
  never ran, retries whose task was lost, and deliveries whose worker died mid-request (their
  lease lapsed). It queues the next sweep itself.
"""

from __future__ import annotations

from django.conf import settings
from django.tasks import task

from shipdesk.tasks import enqueue_unless_waiting, waiting
from shipdesk.webhooks.delivery import (
    FAN_OUT_BATCH,
    deliveries_attempt,
    deliveries_claim,
    deliveries_run_due,
    outbox_drain,
)
from shipdesk.webhooks.models import WebhookEvent

DRAIN_LIMIT = 1000  # events per drain task; a longer backlog continues in a fresh task
SWEEP_BATCH = 100


def outbox_drain_soon() -> None:
    """Queue a drain unless one is already waiting to start (it will see the new events)."""
    if not waiting(webhook_outbox_drain):
        webhook_outbox_drain.enqueue()


@task()
def webhook_outbox_drain() -> dict:
    backlog = WebhookEvent.objects.filter(dispatched_at__isnull=True)
    if backlog.order_by()[FAN_OUT_BATCH : FAN_OUT_BATCH + 1].exists():
        outbox_drain_soon()  # more than a batch waits: another worker can take a share
    events, attempts = outbox_drain(limit=DRAIN_LIMIT)
    if events >= DRAIN_LIMIT:
        outbox_drain_soon()
    return {"events": events, "attempts": attempts}


@task()
def webhook_deliveries_retry(delivery_ids: list[int]) -> int:
    claimed = deliveries_claim(ids=delivery_ids, limit=len(delivery_ids))
    return len(deliveries_attempt(deliveries=claimed))


def webhooks_sweep_once(*, limit: int = 1000) -> dict:
    """Fan out forgotten events and send every due delivery, up to `limit` of each."""
    events, attempts = outbox_drain(limit=limit)
    while attempts < 2 * limit:
        done = deliveries_run_due(limit=SWEEP_BATCH)
        if not done:
            break
        attempts += done
    return {"events": events, "attempts": attempts}


@task()
def webhooks_sweep() -> dict:
    try:
        return webhooks_sweep_once()
    finally:
        schedule_webhook_sweep(delay=settings.WEBHOOKS_SWEEP_INTERVAL_SECONDS)


def schedule_webhook_sweep(*, delay: float = 0) -> bool:
    """Queue the next sweep unless one is already waiting; True when queued."""
    return enqueue_unless_waiting(webhooks_sweep, delay=delay)
