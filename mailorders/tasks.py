"""Mail-order task chains: the sweep that settles unanswered live label attempts."""

from __future__ import annotations

from django.conf import settings
from django.tasks import task

from mailorders.services.label_attempts import label_attempts_reconcile
from shipdesk.tasks import enqueue_unless_waiting


@task()
def label_reconcile_cycle() -> dict:
    try:
        return label_attempts_reconcile().as_dict()
    finally:
        schedule_label_reconcile(delay=settings.LABEL_RECONCILE_INTERVAL_SECONDS)


def schedule_label_reconcile(*, delay: float = 0) -> bool:
    """Queue the next sweep unless one is already waiting; True when queued."""
    return enqueue_unless_waiting(label_reconcile_cycle, delay=delay)
