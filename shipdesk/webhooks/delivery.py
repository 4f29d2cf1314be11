"""Sending: fan events out into deliveries, claim due deliveries with a lease, POST, record.

At least once: a delivery is claimed by stamping `claimed_until` (on PostgreSQL the rows are
taken with SELECT … FOR UPDATE SKIP LOCKED, so two workers never claim the same one) and only
released when its attempt is recorded. A worker that dies mid-delivery leaves the stamp behind;
once it lapses the sweep claims the delivery again. No database transaction is open while a
request is in flight.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import requests
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from shipdesk.audit import SYSTEM, audit_record
from shipdesk.webhooks.models import Webhook, WebhookDelivery, WebhookEvent, WebhookInvocation
from shipdesk.webhooks.signing import SIGNATURE_HEADER, event_sign
from shipdesk.webhooks.targets import PublicOnlyAdapter, TargetRefused, target_check

logger = logging.getLogger(__name__)

USER_AGENT = "shipdesk-webhooks/1"
FAN_OUT_BATCH = 100
_local = threading.local()


def _session() -> requests.Session:
    """One per sending thread: keeps connections to endpoints alive. No proxies or .netrc
    credentials from the environment: a partner's URL gets nothing but the delivery."""
    if not hasattr(_local, "session"):
        session = requests.Session()
        session.trust_env = False
        for scheme in ("http://", "https://"):
            session.mount(scheme, PublicOnlyAdapter())
        _local.session = session
    return _local.session


@cache
def _senders(size: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=size, thread_name_prefix="webhook-send")


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


def events_fan_out(
    *, event_ids: list[int] | None = None, limit: int = FAN_OUT_BATCH, now: datetime | None = None
) -> list[WebhookDelivery]:
    """One signed delivery per subscribed, enabled webhook of undispatched events: those of
    `event_ids`, or else the `limit` oldest.

    The new deliveries come back claimed by the caller, who sends them next; events already
    fanned out (by another worker or the sweep) are skipped."""
    return _fan_out(event_ids=event_ids, limit=limit, now=now)[1]


def _fan_out(*, event_ids, limit, now) -> tuple[int, list[WebhookDelivery]]:
    now = now or timezone.now()
    claimed_until = now + lease()
    undispatched = WebhookEvent.objects.filter(dispatched_at__isnull=True)
    if event_ids is not None:
        undispatched = undispatched.filter(pk__in=event_ids)
    with transaction.atomic():
        events = list(_locked(undispatched.order_by("created_at", "id"))[:limit])
        if not events:
            return 0, []
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
    return len(events), list(
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
        response = _session().post(
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


def deliveries_record(
    *, attempts: list[tuple[WebhookDelivery, Outcome, datetime]]
) -> list[WebhookInvocation]:
    """Log attempts and move each delivery on: delivered, retried later, or given up.

    Also counts each endpoint's failures in a row and disables it at the limit. One
    transaction for the batch; the failed ones get one retry task, due when all of them are."""
    from shipdesk.webhooks.tasks import webhook_deliveries_retry

    if not attempts:
        return []
    with transaction.atomic():
        invocations = WebhookInvocation.objects.bulk_create(
            [
                WebhookInvocation(
                    webhook_id=delivery.webhook_id,
                    delivery=delivery,
                    created_at=when,
                    status_code=outcome.status_code,
                    duration_ms=outcome.duration_ms,
                    error=outcome.error,
                )
                for delivery, outcome, when in attempts
            ]
        )
        _settle_successes([(d, when) for d, outcome, when in attempts if outcome.ok])
        retries = [_settle_failure(d, when) for d, o, when in attempts if not o.ok]
        retries = [r for r in retries if r is not None]
        _count_outcomes(attempts)
        if retries:
            due = max(when for when, _ in retries)
            ids = [pk for _, pk in retries]
            transaction.on_commit(
                lambda: webhook_deliveries_retry.using(run_after=due).enqueue(ids)
            )
    return invocations


def _settle_successes(accepted: list[tuple[WebhookDelivery, datetime]]) -> None:
    """Accepted deliveries still pending are delivered: one UPDATE for the batch."""
    for delivery, when in accepted:
        delivery.attempts += 1
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at, delivery.next_attempt_at, delivery.claimed_until = when, None, None
    if accepted:
        WebhookDelivery.objects.filter(
            pk__in=[d.pk for d, _ in accepted], status=WebhookDelivery.Status.PENDING
        ).update(
            attempts=F("attempts") + 1,
            status=WebhookDelivery.Status.DELIVERED,
            delivered_at=max(when for _, when in accepted),
            next_attempt_at=None,
            claimed_until=None,
        )


def _settle_failure(delivery: WebhookDelivery, now: datetime):
    """Apply one failed attempt to its delivery; (when, id) if it is to be retried."""
    delivery.attempts += 1
    delivery.claimed_until = None
    if delivery.attempts < max_attempts():
        delay = settings.WEBHOOKS_RETRY_DELAYS_SECONDS[delivery.attempts - 1]
        delivery.next_attempt_at = now + timedelta(seconds=delay)
    else:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
    # Only a delivery still pending moves on: another worker that took over a lapsed lease
    # may have finished it meanwhile.
    moved = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=WebhookDelivery.Status.PENDING
    ).update(
        attempts=F("attempts") + 1,
        status=delivery.status,
        next_attempt_at=delivery.next_attempt_at,
        claimed_until=None,
    )
    if moved and delivery.status == WebhookDelivery.Status.PENDING:
        return delivery.next_attempt_at, delivery.pk
    return None


def _count_outcomes(attempts: list[tuple[WebhookDelivery, Outcome, datetime]]) -> None:
    """Per endpoint: a success resets the failures in a row, each failure after it adds one."""
    runs: dict[int, tuple[Webhook, bool, int, Outcome, datetime]] = {}
    for delivery, outcome, when in attempts:
        webhook, reset, failures, _, _ = runs.get(
            delivery.webhook_id, (delivery.webhook, False, 0, outcome, when)
        )
        if outcome.ok:
            reset, failures = True, 0
        else:
            failures += 1
        runs[delivery.webhook_id] = (webhook, reset, failures, outcome, when)
    limit = settings.WEBHOOKS_DISABLE_AFTER_FAILURES
    for webhook_id, (webhook, reset, failures, last, when) in runs.items():
        mine = Webhook.objects.filter(pk=webhook_id)
        if reset:
            mine.exclude(consecutive_failures=failures).update(consecutive_failures=failures)
        elif failures:
            mine.update(consecutive_failures=F("consecutive_failures") + failures)
        if not failures:
            continue
        reason = (
            f"Disabled by shipdesk on {when:%Y-%m-%d %H:%M} UTC after {limit} failed deliveries "
            f"in a row (last: {last.error or last.status_code}). Fix the endpoint, then enable "
            "it again: its pending deliveries resume."
        )[:500]
        if mine.filter(enabled=True, consecutive_failures__gte=limit).update(
            enabled=False, disabled_at=when, disabled_reason=reason
        ):
            logger.warning(
                "Webhook %s disabled after %s failures in a row", webhook.public_id, limit
            )
            audit_record(
                actor=SYSTEM,
                action="webhook.disable",
                summary=f"Disabled webhook {webhook.public_id} after {limit} failures in a row",
                targets=[webhook],
                detail={"last_error": last.error, "last_status": last.status_code},
            )


RECORD_EVERY = 25  # attempts recorded per transaction (a killed worker re-sends at most these)


def deliveries_attempt(
    *, deliveries: list[WebhookDelivery], now: datetime | None = None
) -> list[WebhookInvocation]:
    """Send claimed deliveries, WEBHOOKS_CONCURRENCY at a time (the threads only do HTTP), and
    record each group's attempts in one transaction.

    The lease is renewed for the rest of the batch when half of it has gone by, so slow
    endpoints early in a batch never let a later delivery's lease lapse while it waits."""
    invocations: list[WebhookInvocation] = []
    renewed = time.monotonic()
    remaining = list(deliveries)
    senders = _senders(max(1, settings.WEBHOOKS_CONCURRENCY))
    while remaining:
        if time.monotonic() - renewed > lease().total_seconds() / 2:
            remaining = _renew(remaining)
            renewed = time.monotonic()
            if not remaining:
                break
        group, remaining = remaining[:RECORD_EVERY], remaining[RECORD_EVERY:]

        def attempt(delivery: WebhookDelivery):
            started = now or timezone.now()
            return delivery, delivery_send(delivery=delivery), started

        invocations += deliveries_record(attempts=list(senders.map(attempt, group)))
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


def outbox_drain(*, limit: int = 1000, now: datetime | None = None) -> tuple[int, int]:
    """Fan out and send the oldest undispatched events, a batch at a time, up to `limit`
    events; returns (events, attempts). Workers draining side by side take different events."""
    events = attempts = 0
    while events < limit:
        fanned, deliveries = _fan_out(
            event_ids=None, limit=min(FAN_OUT_BATCH, limit - events), now=now
        )
        if not fanned:
            break
        events += fanned
        attempts += len(deliveries_attempt(deliveries=deliveries, now=now))
    return events, attempts
