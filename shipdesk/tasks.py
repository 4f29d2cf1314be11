"""Task chains, and the housekeeping one: an hourly pass that queues the next one itself."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shipdesk.housekeeping import task_results_prune, webhook_history_prune


def waiting(task_function) -> bool:
    """Whether a run of `task_function` is queued and not started yet."""
    return DBTaskResult.objects.filter(status="READY", task_path=task_function.module_path).exists()


def enqueue_unless_waiting(task_function, *, delay: float = 0) -> bool:
    """Queue `task_function` to run `delay` seconds from now, unless a run already waits to
    start (it will do the same work); True when queued. How each periodic chain goes on."""
    if waiting(task_function):
        return False
    task_function.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue()
    return True


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
    return enqueue_unless_waiting(housekeeping_cycle, delay=delay)
