"""Housekeeping: history nobody needs any more is deleted, so the tables a worker scans every
minute do not grow for ever.

- Webhook events older than WEBHOOKS_HISTORY_DAYS whose deliveries are all finished (delivered,
  or failed for good), with their deliveries and the attempts logged for them.
- Finished task results (django-tasks-db) older than TASK_RESULTS_DAYS: every refresh cycle,
  sweep and e-mail leaves one.

Deletion goes in batches, each in its own short transaction, oldest first.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shipdesk.webhooks.models import WebhookDelivery, WebhookEvent

BATCH = 500


def webhook_history_prune(*, now=None, batch: int = BATCH) -> int:
    """Delete the webhook events past the history window that have nothing left to send;
    returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.WEBHOOKS_HISTORY_DAYS)
    finished = (
        WebhookEvent.objects.filter(created_at__lt=cutoff, dispatched_at__isnull=False)
        .exclude(deliveries__status=WebhookDelivery.Status.PENDING)
        .order_by("created_at", "id")
    )
    return _delete_in_batches(finished, batch=batch)  # deliveries and attempts cascade


def task_results_prune(*, now=None, batch: int = BATCH) -> int:
    """Delete the finished task results past TASK_RESULTS_DAYS; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.TASK_RESULTS_DAYS)
    old = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff)
    return _delete_in_batches(old.order_by("finished_at"), batch=batch)


def _delete_in_batches(queryset, *, batch: int) -> int:
    deleted = 0
    while ids := list(queryset.values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            queryset.model.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    return deleted
