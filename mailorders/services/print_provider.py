"""The upstream print house: orders forwarded to a PostGrid-compatible print-mail provider,
and followed there through its signed webhooks and a periodic poll (see mailorders.printhouse).

Never twice: every submission of a job sends the job's own Idempotency-Key, and each attempt is
counted on the job (with a lease in `next_attempt_at`) before the provider is called, so a
crash, a timeout or two workers at once re-send the same key and the provider answers with the
order it already has. A failure worth retrying (timeout, 401/403, 408, 409, 429, 5xx) waits
PRINT_PROVIDER_RETRY_BASE_SECONDS doubled per attempt (at least the provider's Retry-After),
up to PRINT_PROVIDER_MAX_ATTEMPTS; a refusal (other 4xx) fails the job at once. Each failure
is on the job (`last_error`, shown in admin) and in the audit trail.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mailorders.choices import OrderStatus
from mailorders.models import MailOrder, PrintJob, PrintRoute
from mailorders.print_models import PrintJobState
from mailorders.printhouse import PROVIDER, PrintHouse
from mailorders.selectors import order_for_id
from mailorders.services import print_provider_client as client
from mailorders.services import print_provider_mapper as mapper
from mailorders.services.common import MailOrderError, order_audit
from mailorders.services.imb import IMbScan, imb_scans_apply
from mailorders.services.printhouse import print_job_submit, print_status_report
from shipdesk.audit import Actor

FINISHED = (OrderStatus.COMPLETED, OrderStatus.CANCELLED)
LEASE_MARGIN_SECONDS = 30


class ProviderPrintHouse(PrintHouse):
    key = PROVIDER
    label = "Upstream print-mail provider"

    def submit(self, *, job: PrintJob, order: MailOrder) -> None:
        provider_forward(job=job, order=order)

    def withdraw(self, *, job: PrintJob | None, order: MailOrder, actor: Actor) -> None:
        if job is not None:
            provider_withdraw(job=job, order=order, actor=actor)

    def cancel(self, *, job: PrintJob | None, order: MailOrder, actor: Actor) -> None:
        """Nothing left to do here: `withdraw` cancelled the order at its provider."""


def provider_actor(name: str) -> Actor:
    return Actor.system(f"print provider {name}")


def provider_name_for(job: PrintJob) -> str:
    """The provider of a job: the one it was first sent to, else its route's, else the
    default (PRINT_PROVIDER_DEFAULT)."""
    if job.provider:
        return job.provider
    order = order_for_id(job.order_id)
    routes = {
        route.mailing_class: route.provider
        for route in PrintRoute.objects.filter(
            partner_id=job.partner_id,
            house=PROVIDER,
            mailing_class__in=["", order.mailing_class if order else ""],
        )
    }
    chosen = routes.get(order.mailing_class if order else "") or routes.get("")
    return chosen or settings.PRINT_PROVIDER_DEFAULT


def _locked(job: PrintJob) -> PrintJob:
    return PrintJob.objects.select_for_update().get(pk=job.pk)


def _claim(job: PrintJob) -> PrintJob | None:
    """Count the attempt and hold the job for its duration, or None when the job is not
    pending or not due (another worker holds it, or its retry time has not come)."""
    now = timezone.now()
    with transaction.atomic():
        job = _locked(job)
        if job.state != PrintJobState.PENDING or (
            job.next_attempt_at and job.next_attempt_at > now
        ):
            return None
        job.provider = provider_name_for(job)
        job.attempts += 1
        timeout = settings.PRINT_PROVIDERS.get(job.provider, {}).get("TIMEOUT_SECONDS", 30)
        job.next_attempt_at = now + timedelta(seconds=timeout + LEASE_MARGIN_SECONDS)
        job.save(update_fields=["provider", "attempts", "next_attempt_at", "updated_at"])
    return job


def provider_forward(*, job: PrintJob, order: MailOrder) -> str:
    """One attempt to hand `order` to its provider: "sent", "retry", "failed", or "skipped"
    (not pending, or not due yet)."""
    job = _claim(job)
    if job is None:
        return "skipped"
    try:
        config = client.provider_config(job.provider)
        params = mapper.create_params(
            order, pdf=_pdf_bytes(order), idempotency_key=str(job.idempotency_key)
        )
        answer = client.order_create(config, object_name=order.OBJECT, params=params)
        report = mapper.report_parse(answer)
    except (client.UnknownProvider, mapper.NotForwardable) as exc:
        return _failed(job=job, order=order, message=str(exc), retryable=False)
    except client.ProviderCallError as exc:
        return _failed(
            job=job,
            order=order,
            message=str(exc),
            retryable=exc.retryable,
            retry_after=exc.retry_after,
            http_status=exc.http_status,
        )
    except ValueError as exc:  # an answer without an order id
        return _failed(job=job, order=order, message=f"Unreadable answer: {exc}", retryable=True)
    _sent(job=job, order=order, report=report)
    return "sent"


def _pdf_bytes(order: MailOrder) -> bytes:
    with order.pdf.open("rb") as file:
        return file.read()


def _sent(*, job: PrintJob, order: MailOrder, report: mapper.ProviderReport) -> None:
    actor = provider_actor(job.provider)
    with transaction.atomic():
        job = _locked(job)
        job.external_id = report.provider_order_id
        job.external_status = report.raw_status
        job.next_attempt_at = None
        job.last_error = ""
        if job.state == PrintJobState.PENDING:  # (a cancel may have withdrawn it meanwhile)
            job.state = PrintJobState.SUBMITTED
        job.save()
        submitted = job.state == PrintJobState.SUBMITTED
        order_audit(
            actor,
            order,
            "forward",
            f"{order}: forwarded to print provider {job.provider} as {job.external_id}",
            provider=job.provider,
            provider_id=job.external_id,
            attempt=job.attempts,
        )
    if submitted:
        report_apply(job=job, report=report)


def _failed(
    *,
    job: PrintJob,
    order: MailOrder,
    message: str,
    retryable: bool,
    retry_after: float | None = None,
    http_status: int | None = None,
) -> str:
    now = timezone.now()
    with transaction.atomic():
        job = _locked(job)
        give_up = not retryable or job.attempts >= settings.PRINT_PROVIDER_MAX_ATTEMPTS
        if give_up:
            job.next_attempt_at = None
            if job.state == PrintJobState.PENDING:
                job.state = PrintJobState.FAILED
            outcome = f"gave up after attempt {job.attempts}"
        else:
            delay = mapper.retry_delay(
                attempt=job.attempts,
                base=settings.PRINT_PROVIDER_RETRY_BASE_SECONDS,
                cap=settings.PRINT_PROVIDER_RETRY_MAX_SECONDS,
                retry_after=retry_after,
                jitter=random.random(),
            )
            job.next_attempt_at = now + timedelta(seconds=delay)
            outcome = f"attempt {job.attempts} failed; next at {job.next_attempt_at:%H:%M:%S} UTC"
        job.last_error = f"{message} ({outcome})"
        job.save()
        order_audit(
            provider_actor(job.provider or "?"),
            order,
            "forward_failed",
            f"{order}: print provider {job.provider or '?'}: {job.last_error}",
            provider=job.provider,
            attempt=job.attempts,
            http_status=http_status,
            retry_at=job.next_attempt_at.isoformat() if job.next_attempt_at else None,
        )
    return "failed" if give_up else "retry"


def provider_forward_again(*, job: PrintJob, actor: Actor) -> PrintJob:
    """A manager's retry of a failed forward (same Idempotency-Key, attempts counted anew)."""
    with transaction.atomic():
        job = _locked(job)
        order = order_for_id(job.order_id)
        if job.state != PrintJobState.FAILED or order is None or order.status != OrderStatus.READY:
            raise MailOrderError(
                f"{job.order_id}: only a failed forward of a ready order can be sent again.",
                field="state",
            )
        job.state = PrintJobState.PENDING
        job.attempts = 0
        job.next_attempt_at = None
        job.save()
        order_audit(actor, order, "forward_again", f"{order}: forward to the provider again")
    transaction.on_commit(lambda: provider_forward(job=job, order=order))
    return job


def provider_withdraw(*, job: PrintJob, order: MailOrder, actor: Actor) -> None:
    """Cancel the order at its provider before shipdesk cancels it (the order ready; no
    transaction open, so no lock is held while the provider answers). A job the provider may
    have received (any attempt made) is cancelled there: when its id is not known yet, the
    create is sent again with the same key, which answers the order the provider has (or
    makes one, cancelled straight away). The provider's refusal refuses."""
    job.refresh_from_db()
    if job.state == PrintJobState.CANCELLED or job.attempts == 0:
        return
    try:
        config = client.provider_config(job.provider)
        if not job.external_id:
            params = mapper.create_params(
                order, pdf=_pdf_bytes(order), idempotency_key=str(job.idempotency_key)
            )
            answer = client.order_create(config, object_name=order.OBJECT, params=params)
            job.external_id = mapper.report_parse(answer).provider_order_id
        answer = client.order_cancel(config, object_name=order.OBJECT, provider_id=job.external_id)
    except (client.UnknownProvider, mapper.NotForwardable):
        return  # nothing was ever sent
    except client.ProviderCallError as exc:
        if not job.external_id and (not exc.retryable or job.state == PrintJobState.FAILED):
            return  # the provider refuses the order (so it has none), or it was given up
        if exc.retryable:
            raise MailOrderError(
                f"status: {order} could not be withdrawn from print provider {job.provider} "
                f"just now; try again later. {exc}",
                field="status",
                code="provider_unavailable",
                status=503,
            ) from exc
        raise MailOrderError(
            f"status: {order} cannot be cancelled: it is with print provider {job.provider}. {exc}",
            field="status",
            code="invalid_transition",
        ) from exc
    PrintJob.objects.filter(pk=job.pk).update(
        external_id=job.external_id,
        external_status=mapper.report_parse(answer).raw_status,
        next_attempt_at=None,
        updated_at=timezone.now(),
    )
    order_audit(actor, order, "withdraw", f"{order}: cancelled at print provider {job.provider}")


def report_apply(*, job: PrintJob, report: mapper.ProviderReport) -> bool:
    """Bring the order to what its provider reports (status, tracking number, IMb scan);
    True when the order changed. Reports may repeat or arrive late: they change nothing then."""
    order = order_for_id(job.order_id)
    if order is None:
        return False
    actor = provider_actor(job.provider)
    with transaction.atomic():
        locked = _locked(job)
        locked.external_status = mapper.newer_status(locked.external_status, report.raw_status)
        locked.external_id = locked.external_id or report.provider_order_id
        locked.save(update_fields=["external_status", "external_id", "updated_at"])
    before = (order.status, order.tracking_number, order.imb_date)
    if report.status not in (None, OrderStatus.READY, order.status):
        try:
            order = print_status_report(
                order=order,
                status=report.status,
                actor=actor,
                tracking_number=report.tracking_number,
                note=report.cancellation_note,
                cancellation_reason=report.cancellation_reason or "invalid_content",
            )
        except MailOrderError as exc:
            _conflict(job=job, order=order, message=str(exc), actor=actor)
    if report.imb_status and report.imb_date:
        scan = IMbScan(order.id, report.imb_status, report.imb_date, report.imb_zip_code)
        imb_scans_apply(scans=[scan], actor=actor)
        order.refresh_from_db()
    return (order.status, order.tracking_number, order.imb_date) != before


def _conflict(*, job: PrintJob, order: MailOrder, message: str, actor: Actor) -> None:
    """The provider reports what shipdesk cannot do (a cancelled order printing)."""
    with transaction.atomic():
        job = _locked(job)
        job.last_error = f"The provider's report could not be applied: {message}"
        job.save(update_fields=["last_error", "updated_at"])
        order_audit(actor, order, "provider_conflict", f"{order}: {job.last_error}")


@dataclass
class PollResult:
    polled: int = 0
    changed: int = 0
    errors: int = 0

    def as_dict(self) -> dict:
        return {"polled": self.polled, "changed": self.changed, "errors": self.errors}


def provider_orders_poll(*, limit: int = 200) -> PollResult:
    """Ask the providers about the forwarded orders not heard of for a poll interval (the
    webhooks' safety net), least recently heard of first."""
    quiet_since = timezone.now() - timedelta(seconds=settings.PRINT_PROVIDER_POLL_INTERVAL_SECONDS)
    jobs = (
        PrintJob.objects.filter(house=PROVIDER, state=PrintJobState.SUBMITTED)
        .exclude(external_id="")
        .exclude(external_status__in=FINISHED)
        .filter(updated_at__lte=quiet_since)
        .order_by("updated_at", "id")[:limit]
    )
    result = PollResult()
    for job in jobs:
        result.polled += 1
        try:
            config = client.provider_config(job.provider)
            answer = client.order_retrieve(
                config, object_name=job.object_type, provider_id=job.external_id
            )
            report = mapper.report_parse(answer)
        except (client.UnknownProvider, client.ProviderCallError, ValueError) as exc:
            result.errors += 1
            PrintJob.objects.filter(pk=job.pk).update(
                last_error=f"Poll: {exc}"[:2000], updated_at=timezone.now()
            )
            continue
        result.changed += report_apply(job=job, report=report)
    return result


def provider_forwards_due(*, limit: int = 500) -> int:
    """Send the forwards whose retry time has come (the first try is made at commit)."""
    jobs = list(
        PrintJob.objects.filter(house=PROVIDER, state=PrintJobState.PENDING)
        .exclude(next_attempt_at__gt=timezone.now())
        .order_by("next_attempt_at", "id")[:limit]
    )
    for job in jobs:
        print_job_submit(job=job)
    return len(jobs)


def provider_cycle() -> dict:
    """What the worker does every PRINT_PROVIDER_CYCLE_SECONDS: due forwards, then the poll."""
    return {"forwarded": provider_forwards_due(), **provider_orders_poll().as_dict()}
