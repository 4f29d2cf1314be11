"""Mail-order tasks, thin wrappers over services: the sweep that settles unanswered live label
attempts and the upstream print-mail providers' cycle (due forwards, then the poll), each
queueing its next run; and a print batch's PDF (queued by the print queue at commit time)."""

from __future__ import annotations

from django.conf import settings
from django.tasks import task

from mailorders.services.label_attempts import label_attempts_reconcile
from mailorders.services.print_provider import provider_cycle
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


@task()
def print_provider_cycle() -> dict:
    try:
        return provider_cycle()
    finally:
        schedule_print_provider_cycle(delay=settings.PRINT_PROVIDER_CYCLE_SECONDS)


def schedule_print_provider_cycle(*, delay: float = 0) -> bool:
    """Queue the next provider cycle unless one is already waiting; True when queued."""
    return enqueue_unless_waiting(print_provider_cycle, delay=delay)


@task()
def print_batch_pdf_task(batch_id: int) -> int:
    """Make a print batch's PDF (its progress is counted on the batch's row)."""
    from mailorders.models import PrintBatch
    from mailorders.services.print_queue import print_batch_pdf_render

    batch = PrintBatch.objects.get(pk=batch_id)
    return print_batch_pdf_render(batch=batch).pdf_pages_done
