"""Housekeeping on the task worker: an hourly pass that queues the next one itself."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shipdesk.housekeeping import task_results_prune, webhook_history_prune


@task()
def housekeeping_cycle() -> dict:
    try:
        return {
            "webhook_events": webhook_history_prune(),
            "task_results": task_results_prune(),
        }
    finally:
        schedule_housekeeping(delay=settings.HOUSEKEEPING_INTERVAL_SECONDS)


def schedule_housekeeping(*, delay: float = 0) -> bool:
    """Queue the next housekeeping pass unless one is already waiting; True when queued."""
    path = housekeeping_cycle.module_path
    if DBTaskResult.objects.filter(status="READY", task_path=path).exists():
        return False
    housekeeping_cycle.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue()
    return True
