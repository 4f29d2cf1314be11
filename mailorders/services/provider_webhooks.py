"""A print-mail provider's webhook: checked (PostGrid-Signature with the provider's webhook
secret, fresh), read, and applied to the forwarded order it is about.

Replays are harmless: a status the order has or has passed, a tracking number it has, or an
IMb scan no later than its last change nothing (mailorders.services.print_provider)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings

from mailorders.models import PrintJob
from mailorders.printhouse import PROVIDER
from mailorders.services import print_provider_client as client
from mailorders.services import print_provider_mapper as mapper
from mailorders.services.print_provider import report_apply
from mailorders.services.provider_signatures import SignatureError, event_read, signature_check

ORDER_OBJECTS = tuple(mapper.FORWARDABLE)


class WebhookRefused(ValueError):
    """A webhook shipdesk does not accept: `status` is the HTTP status to answer."""

    def __init__(self, message: str, *, status: int, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.field = field


@dataclass(frozen=True)
class WebhookOutcome:
    event_type: str
    order_id: str | None  # the shipdesk order it is about, when one is
    changed: bool


def provider_webhook_receive(*, provider: str, body: bytes, signature: str) -> WebhookOutcome:
    try:
        config = client.provider_config(provider)
    except client.UnknownProvider as exc:
        raise WebhookRefused(str(exc), status=404) from exc
    try:
        signature_check(
            secret=config.webhook_secret,
            body=body,
            header=signature,
            now_ms=int(time.time() * 1000),
            tolerance_seconds=settings.PRINT_PROVIDER_WEBHOOK_TOLERANCE_SECONDS,
        )
        event = event_read(secret=config.webhook_secret, body=body)
    except SignatureError as exc:
        raise WebhookRefused(str(exc), status=401, field=exc.field) from exc
    except ValueError as exc:
        raise WebhookRefused(str(exc), status=400) from exc
    event_type = event.get("type") if isinstance(event.get("type"), str) else ""
    if event_type.rpartition(".")[0] not in ORDER_OBJECTS:
        return WebhookOutcome(event_type, None, False)  # not about an order: nothing to do
    try:
        report = mapper.report_parse(event.get("data"))
    except ValueError as exc:
        raise WebhookRefused(f"data: {exc}", status=400, field="data") from exc
    job = _job_for(provider=provider, report=report)
    if job is None:
        return WebhookOutcome(event_type, None, False)  # an order shipdesk did not forward
    return WebhookOutcome(event_type, job.order_id, report_apply(job=job, report=report))


def _job_for(*, provider: str, report: mapper.ProviderReport) -> PrintJob | None:
    """The job the provider's order belongs to: by the provider's id, or (a webhook that came
    before the create's answer) by the shipdesk order id shipdesk put in its metadata."""
    jobs = PrintJob.objects.filter(house=PROVIDER, provider=provider)
    job = jobs.filter(external_id=report.provider_order_id).first()
    if job is None and report.order_id:
        job = jobs.filter(
            order_id=report.order_id, external_id__in=["", report.provider_order_id]
        ).first()
    return job
