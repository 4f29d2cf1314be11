"""The services between orders and their print house (see `mailorders.printhouse`): hand a new
order to its house, let the house refuse a cancel, and bring the order forward to the status the
house reports."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from mailorders.choices import NEXT_STATUS, CancellationReason, OrderStatus
from mailorders.models import MailOrder, PrintJob
from mailorders.print_models import PrintJobState
from mailorders.printhouse import DEFAULT_HOUSE, printhouse_get, printhouse_key_for
from mailorders.services.common import MailOrderError
from shipdesk.audit import SYSTEM, Actor

logger = logging.getLogger(__name__)

# Position of each status on the way to `completed` (cancelled is off the way).
STATUS_ORDER = [
    OrderStatus.READY,
    OrderStatus.PRINTING,
    OrderStatus.PROCESSED_FOR_DELIVERY,
    OrderStatus.COMPLETED,
]


def print_job_open(*, order: MailOrder) -> PrintJob:
    """Hand a new order to its print house, in the creating transaction: the job row now, the
    house's `submit` once the order has committed."""
    job = PrintJob.objects.create(
        partner=order.partner,
        object_type=order.OBJECT,
        order_id=order.pk,
        house=printhouse_key_for(partner=order.partner, mailing_class=order.mailing_class),
    )
    transaction.on_commit(lambda: print_job_submit(job=job))
    return job


def print_job_for(order: MailOrder) -> PrintJob | None:
    return PrintJob.objects.filter(object_type=order.OBJECT, order_id=order.pk).first()


def print_house_key_of(order: MailOrder) -> str:
    """The house printing `order` (orders from before print jobs: the default house)."""
    job = print_job_for(order)
    return job.house if job else DEFAULT_HOUSE


def print_job_submit(*, job: PrintJob) -> None:
    """Call the house's `submit`; a failure is logged and left for `print_jobs_submit_pending`."""
    from mailorders.selectors import order_for_id

    order = order_for_id(job.order_id)
    if order is None or order.status != OrderStatus.READY:
        return
    try:
        printhouse_get(job.house).submit(job=job, order=order)
    except Exception:
        logger.exception("Print house %s could not take %s", job.house, job.order_id)


def print_jobs_submit_pending(*, limit: int = 500) -> int:
    """Submit again the jobs their house has not taken yet and whose retry time has come."""
    now = timezone.now()
    jobs = list(
        PrintJob.objects.filter(state=PrintJobState.PENDING)
        .exclude(next_attempt_at__gt=now)
        .order_by("created_at", "id")[:limit]
    )
    for job in jobs:
        print_job_submit(job=job)
    return len(jobs)


def print_job_withdraw(*, order: MailOrder, actor: Actor) -> None:
    """`order_cancel`'s question to whoever else holds the order (before its transaction):
    raises to refuse."""
    job = print_job_for(order)
    printhouse_get(job.house if job else DEFAULT_HOUSE).withdraw(job=job, order=order, actor=actor)


def print_job_cancel(*, order: MailOrder, actor: Actor) -> None:
    """`order_cancel`'s question to the house (order locked and ready): raises to refuse."""
    job = print_job_for(order)
    house = printhouse_get(job.house if job else DEFAULT_HOUSE)
    house.cancel(job=job, order=order, actor=actor)
    if job is not None and job.state != PrintJobState.CANCELLED:
        job.state = PrintJobState.CANCELLED
        job.save(update_fields=["state", "updated_at"])


def print_status_report(
    *,
    order: MailOrder,
    status: str,
    actor: Actor = SYSTEM,
    tracking_number: str = "",
    note: str = "",
    cancellation_reason: str = CancellationReason.INVALID_CONTENT,
) -> MailOrder:
    """Bring `order` forward to `status`, one audited, webhooked step at a time (see
    `mailorders.printhouse`). Reports of a status the order has or has passed change nothing."""
    from mailorders.services.orders import (
        order_cancel,
        order_progress,
        order_tracking_number_set,
    )

    if status not in OrderStatus.values:
        raise MailOrderError(f"status: `{status}` is not a print-mail status.", field="status")
    with transaction.atomic():
        if status == OrderStatus.CANCELLED:
            if order.status == OrderStatus.CANCELLED:
                return order
            return order_cancel(
                order=order,
                actor=actor,
                note=note,
                reason=cancellation_reason,
                ask_print_house=False,
            )
        if order.status == OrderStatus.CANCELLED:
            raise MailOrderError(
                f"{order} is cancelled; it cannot become {status}.",
                field="status",
                code="invalid_progression",
            )
        target = STATUS_ORDER.index(status)
        if (
            tracking_number
            and order.extra_service
            and not order.tracking_number
            and order.status == OrderStatus.PROCESSED_FOR_DELIVERY
        ):  # a number reported after the fact
            order = order_tracking_number_set(
                order=order, tracking_number=tracking_number, actor=actor
            )
        while STATUS_ORDER.index(order.status) < target:
            assert NEXT_STATUS[order.status]
            order = order_progress(
                order=order, actor=actor, live_ok=True, tracking_number=tracking_number
            )
    return order
