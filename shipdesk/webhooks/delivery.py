"""Sending: fan events out into deliveries, claim due deliveries with a lease, POST, record.

At least once: a delivery is claimed by stamping `claimed_until` (on PostgreSQL the rows are
taken with SELECT … FOR UPDATE SKIP LOCKED, so two workers never claim the same one) and only
released when its attempt is recorded. A worker that dies mid-delivery leaves the stamp behind;
once it lapses the sweep claims the delivery again. No database transaction is open while a
request is in flight.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from shipdesk.audit import SYSTEM, audit_record
from shipdesk.webhooks.models import Webhook, WebhookDelivery, WebhookEvent, WebhookInvocation
from shipdesk.webhooks.signing import SIGNATURE_HEADER, event_sign
from shipdesk.webhooks.targets import TargetRefused, target_check

logger = logging.getLogger(__name__)

USER_AGENT = "shipdesk-webhooks/1"
_session = requests.Session()  # one per process: keeps connections to endpoints alive


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    duration_ms: int
    error: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def lease() -> timedelta:
    return timedelta(seconds=settings.WEBHOOKS_CLAIM_SECONDS)


def max_attempts() -> int:
    """The first attempt and one per retry delay."""
    return 1 + len(settings.WEBHOOKS_RETRY_DELAYS_SECONDS)


def _locked(queryset):
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset  # SQLite: the IMMEDIATE transaction already holds the only write lock


def events_fan_out(*, event_ids: list[int], now: datetime | None = None) -> list[WebhookDelivery]:
    """One signed delivery per subscribed, enabled webhook of each undispatched event.

    The new deliveries come back claimed by the caller, who sends them next; events already
    fanned out (by another worker or the sweep) are skipped."""
    now = now or timezone.now()
    claimed_until = now + lease()
    with transaction.atomic():
        events = list(
            _locked(WebhookEvent.objects.filter(pk__in=event_ids, dispatched_at__isnull=True))
        )
        if not events:
            return []
        webhooks: dict[int, list[Webhook]] = {}
        for webhook in Webhook.objects.filter(
            partner_id__in={e.partner_id for e in events}, enabled=True
        ):
            webhooks.setdefault(webhook.partner_id, []).append(webhook)
        deliveries = []
        for event in events:
            for webhook in webhooks.get(event.partner_id, []):
                if webhook.wants(event):
                    signed = event_sign(event=event, webhook=webhook, now=now)
                    deliveries.append(
                        WebhookDelivery(
                            event=event,
                            webhook=webhook,
                            body=signed.body,
                            signature=signed.signature,
                            created_at=now,
                            next_attempt_at=now,
                            claimed_until=claimed_until,
                        )
                    )
        WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        WebhookEvent.objects.filter(pk__in=[e.pk for e in events]).update(dispatched_at=now)
    return list(
        WebhookDelivery.objects.filter(
            event_id__in=[e.pk for e in events], claimed_until=claimed_until
        )
        .select_related("webhook", "event")
        .order_by("id")
    )


def deliveries_claim(
    *, now: datetime | None = None, limit: int = 50, ids: list[int] | None = None
) -> list[WebhookDelivery]:
    """Claim up to `limit` due, unclaimed (or lapsed) pending deliveries of enabled webhooks."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now, webhook__enabled=True
    ).filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    if ids is not None:
        due = due.filter(pk__in=ids)
    claimed_until = now + lease()
    with transaction.atomic():
        due = _locked(due.order_by("next_attempt_at", "id"))
        picked = list(due.values_list("id", flat=True)[:limit])
        WebhookDelivery.objects.filter(pk__in=picked).update(claimed_until=claimed_until)
    return list(
        WebhookDelivery.objects.filter(pk__in=picked)
        .select_related("webhook", "event")
        .order_by("next_attempt_at", "id")
    )


def delivery_send(*, delivery: WebhookDelivery) -> Outcome:
    """POST the delivery's stored bytes to its webhook; never raises for the endpoint's faults."""
    webhook = delivery.webhook
    try:
        target_check(webhook.url)
    except TargetRefused as exc:
        return Outcome(None, 0, str(exc)[:500])
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: delivery.signature,
    }
    timeout = settings.WEBHOOKS_TIMEOUT_SECONDS
    started = time.perf_counter()
    try:
        response = _session.post(
            webhook.url,
            data=bytes(delivery.body),
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
        )
        response.close()
        error = "" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
        status_code = response.status_code
    except requests.Timeout:
        status_code, error = None, f"No answer within {timeout:g} s."
    except requests.RequestException as exc:
        status_code, error = None, f"{type(exc).__name__}: {exc}"
    duration_ms = round((time.perf_counter() - started) * 1000)
    return Outcome(status_code, duration_ms, error[:500])


def delivery_record(
    *, delivery: WebhookDelivery, outcome: Outcome, now: datetime
) -> WebhookInvocation:
    """Log the attempt and move the delivery on: delivered, retried later, or given up.

    Also counts the endpoint's failures in a row and disables it at the limit."""
    from shipdesk.webhooks.tasks import webhook_deliveries_retry

    webhook = delivery.webhook
    with transaction.atomic():
        invocation = WebhookInvocation.objects.create(
            webhook=webhook,
            delivery=delivery,
            created_at=now,
            status_code=outcome.status_code,
            duration_ms=outcome.duration_ms,
            error=outcome.error,
        )
        delivery.attempts += 1
        delivery.claimed_until = None
        if outcome.ok:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
        elif delivery.attempts < max_attempts():
            delay = settings.WEBHOOKS_RETRY_DELAYS_SECONDS[delivery.attempts - 1]
            delivery.next_attempt_at = now + timedelta(seconds=delay)
        else:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
        # Only a delivery still pending moves on: another worker that took over a lapsed lease
        # may have finished it meanwhile.
        WebhookDelivery.objects.filter(
            pk=delivery.pk, status=WebhookDelivery.Status.PENDING
        ).update(
            attempts=F("attempts") + 1,
            status=delivery.status,
            delivered_at=delivery.delivered_at,
            next_attempt_at=delivery.next_attempt_at,
            claimed_until=None,
        )
        _count_outcome(webhook, outcome, now)
        if delivery.status == WebhookDelivery.Status.PENDING:
            retry_at, pk = delivery.next_attempt_at, delivery.pk
            transaction.on_commit(
                lambda: webhook_deliveries_retry.using(run_after=retry_at).enqueue([pk])
            )
    return invocation


def _count_outcome(webhook: Webhook, outcome: Outcome, now: datetime) -> None:
    if outcome.ok:
        if webhook.consecutive_failures:
            Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=0)
            webhook.consecutive_failures = 0
        return
    Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    limit = settings.WEBHOOKS_DISABLE_AFTER_FAILURES
    reason = (
        f"Disabled by shipdesk on {now:%Y-%m-%d %H:%M} UTC after {limit} failed deliveries in "
        f"a row (last: {outcome.error or outcome.status_code}). Fix the endpoint, then enable "
        "it again: its pending deliveries resume."
    )[:500]
    disabled = Webhook.objects.filter(
        pk=webhook.pk, enabled=True, consecutive_failures__gte=limit
    ).update(enabled=False, disabled_at=now, disabled_reason=reason)
    if disabled:
        logger.warning("Webhook %s disabled after %s failures in a row", webhook.public_id, limit)
        audit_record(
            actor=SYSTEM,
            action="webhook.disable",
            summary=f"Disabled webhook {webhook.public_id} after {limit} failures in a row",
            targets=[webhook],
            detail={"last_error": outcome.error, "last_status": outcome.status_code},
        )


def deliveries_attempt(
    *, deliveries: list[WebhookDelivery], now: datetime | None = None
) -> list[WebhookInvocation]:
    """Send claimed deliveries one after the other and record each attempt.

    The lease is renewed for the rest of the batch when half of it has gone by, so slow
    endpoints early in a batch never let a later delivery's lease lapse while it waits."""
    invocations = []
    renewed = time.monotonic()
    remaining = list(deliveries)
    while remaining:
        if time.monotonic() - renewed > lease().total_seconds() / 2:
            remaining = _renew(remaining)
            renewed = time.monotonic()
            if not remaining:
                break
        delivery = remaining.pop(0)
        when = now or timezone.now()
        outcome = delivery_send(delivery=delivery)
        invocations.append(delivery_record(delivery=delivery, outcome=outcome, now=when))
    return invocations


def _renew(deliveries: list[WebhookDelivery]) -> list[WebhookDelivery]:
    """Extend the lease of the deliveries still ours; drop those another worker took over."""
    kept = []
    claimed_until = timezone.now() + lease()
    for delivery in deliveries:
        if WebhookDelivery.objects.filter(
            pk=delivery.pk, claimed_until=delivery.claimed_until
        ).update(claimed_until=claimed_until):
            delivery.claimed_until = claimed_until
            kept.append(delivery)
    return kept


def deliveries_run_due(*, now: datetime | None = None, limit: int = 50) -> int:
    """Claim and send what is due now (the sweep's work); returns the attempts made."""
    return len(deliveries_attempt(deliveries=deliveries_claim(now=now, limit=limit), now=now))
