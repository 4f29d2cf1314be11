"""Webhook work: record events (the outbox), manage endpoints, enable again, replay.

`event_record` is what the rest of shipdesk calls, inside the transaction of its change: the
event row commits with the change or not at all, and the delivery is queued only on commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from shipdesk.audit import SYSTEM, Actor, audit_record
from shipdesk.models import Partner
from shipdesk.webhooks.models import (
    EventType,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
    WebhookInvocation,
)
from shipdesk.webhooks.targets import TargetRefused, target_check
from tracking.services.rows import rows_insert


class WebhookError(ValueError):
    """A change refused; `field` names the input at fault (camelCase, as the API shows it)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def _subscribed(partner_id: int, type: str, live: bool | None) -> bool:
    return any(
        type in (events or []) and (live is None or live == webhook_live)
        for events, webhook_live in Webhook.objects.filter(
            partner_id=partner_id, enabled=True
        ).values_list("enabled_events", "live")
    )


def events_record(
    *, partner_id: int, type: str, items: Iterable[tuple[dict, bool | None]]
) -> list[WebhookEvent]:
    """Record events of one type for one partner: `items` are (data, live) pairs."""
    from shipdesk.webhooks.tasks import outbox_drain_soon

    if type not in EventType.values:
        raise ValueError(f"Unknown webhook event type {type!r}.")
    items = list(items)
    if not items:
        return []
    now = timezone.now()
    # One transaction with the caller's (no savepoint: the change and its events go together).
    with transaction.atomic(savepoint=False):
        subscribed = {live: _subscribed(partner_id, type, live) for live in {v for _, v in items}}
        events = [
            WebhookEvent(
                partner_id=partner_id,
                type=type,
                live=live,
                data=data,
                created_at=now,
                # Nobody listens: nothing to deliver, ever (later webhooks get later events).
                dispatched_at=None if subscribed[live] else now,
            )
            for data, live in items
        ]
        # bulk_create's values, in one statement bound by the server (a batch of tracking
        # objects as quoted array text costs more to escape and parse than to store).
        rows_insert(events)
        if any(e.dispatched_at is None for e in events):
            # Robust: the events are committed whatever happens here; the sweep is the backstop.
            transaction.on_commit(outbox_drain_soon, robust=True)
    return events


def event_record(*, partner: Partner, type: str, data: dict) -> WebhookEvent:
    """Record one event in the caller's transaction; its delivery is queued when it commits.

    `type` is one of EventType (`letter.created`, …, `tracking.updated`); `data` is the
    object as the API shows it. An object with a boolean `live` goes only to webhooks of the
    same mode; one without (a shipment) goes to both.
    """
    live = data.get("live") if isinstance(data.get("live"), bool) else None
    (event,) = events_record(partner_id=partner.pk, type=type, items=[(data, live)])
    return event


def shipments_record_updated(*, shipments: list) -> None:
    """`tracking.updated` for each shipment, with the AfterShip tracking representation.

    Called in the transaction that changed (and saved) the shipments' tags. They are read
    back as rows with their subscribers and checkpoints: three queries for all of them, and no
    model objects built."""
    from tracking.api.representation import trackings_data

    if not shipments:
        return
    shipments = list({s.pk: s for s in shipments}.values())
    data = trackings_data([s.pk for s in shipments])
    by_partner: dict[int, list] = {}
    for shipment, item in zip(shipments, data, strict=True):
        by_partner.setdefault(shipment.partner_id, []).append(item)
    for partner_id, items in by_partner.items():
        events_record(
            partner_id=partner_id,
            type=EventType.TRACKING_UPDATED,
            items=[(item, None) for item in items],
        )


# --- endpoints ---------------------------------------------------------------------------------


def _check_target(url: str) -> None:
    try:
        target_check(url)
    except TargetRefused as exc:
        raise WebhookError(str(exc), field="url") from exc


def webhook_create(
    *,
    partner: Partner,
    live: bool,
    url: str,
    enabled_events: list[str],
    payload_format: str = Webhook.PayloadFormat.JWT,
    secret: str | None = None,
    enabled: bool = True,
    description: str = "",
    actor: Actor = SYSTEM,
) -> Webhook:
    webhook = Webhook(
        partner=partner,
        live=live,
        url=url,
        enabled_events=enabled_events,
        payload_format=payload_format,
        enabled=enabled,
        description=description,
    )
    if secret:
        webhook.secret = secret
    return webhook_save_new(webhook=webhook, actor=actor)


def webhook_save_new(*, webhook: Webhook, actor: Actor = SYSTEM) -> Webhook:
    """Save an unsaved webhook (its secret generated unless given) once its URL passes."""
    _check_target(webhook.url)
    webhook.enabled_events = list(dict.fromkeys(webhook.enabled_events))
    with transaction.atomic():
        webhook.save()
        audit_record(
            actor=actor,
            action="webhook.create",
            summary=f"Created webhook {webhook.public_id} for {webhook.url}"[:500],
            targets=[webhook],
            detail={"events": webhook.enabled_events},
        )
    return webhook


UPDATABLE = {"url", "enabled_events", "payload_format", "secret", "enabled", "description"}


def webhook_update(*, webhook: Webhook, actor: Actor = SYSTEM, **fields) -> Webhook:
    """Change the given fields. Enabling a webhook disabled after failures resumes it."""
    unknown = set(fields) - UPDATABLE
    if unknown:
        raise TypeError(f"webhook_update() cannot change {sorted(unknown)}")
    if "url" in fields:
        _check_target(fields["url"])
    if fields.get("enabled") and not webhook.enabled:
        return webhook_enable(
            webhook=webhook, actor=actor, **{k: v for k, v in fields.items() if k != "enabled"}
        )
    with transaction.atomic():
        if "enabled_events" in fields:
            fields["enabled_events"] = list(dict.fromkeys(fields["enabled_events"]))
        for name, value in fields.items():
            setattr(webhook, name, value)
        webhook.save(update_fields=[*fields, "updated_at"])
        audit_record(
            actor=actor,
            action="webhook.update",
            summary=f"Updated webhook {webhook.public_id}: {', '.join(fields) or 'nothing'}",
            targets=[webhook],
            detail={"fields": sorted(fields)},
        )
    return webhook


def webhook_enable(*, webhook: Webhook, actor: Actor = SYSTEM, **fields) -> Webhook:
    """Enable a webhook again: its failure count restarts and its pending deliveries are due."""
    now = timezone.now()
    with transaction.atomic():
        for name, value in fields.items():
            setattr(webhook, name, value)
        webhook.enabled = True
        webhook.consecutive_failures = 0
        webhook.disabled_at = None
        webhook.disabled_reason = ""
        webhook.save()
        pending = WebhookDelivery.objects.filter(
            webhook=webhook, status=WebhookDelivery.Status.PENDING
        )
        resumed = list(pending.values_list("id", flat=True))
        pending.update(next_attempt_at=now, claimed_until=None)
        audit_record(
            actor=actor,
            action="webhook.enable",
            summary=f"Enabled webhook {webhook.public_id} ({len(resumed)} deliveries resumed)",
            targets=[webhook],
        )
        if resumed:
            from shipdesk.webhooks.tasks import webhook_deliveries_retry

            transaction.on_commit(lambda: webhook_deliveries_retry.enqueue(resumed))
    return webhook


def webhook_delete(*, webhook: Webhook, actor: Actor = SYSTEM) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="webhook.delete",
            summary=f"Deleted webhook {webhook.public_id} ({webhook.url})"[:500],
            targets=[webhook],
        )
        webhook.delete()


def delivery_replay(*, delivery: WebhookDelivery, actor: Actor) -> WebhookInvocation:
    """Send a delivery again, byte for byte as first signed, and log it as a replay.

    A replay the endpoint accepts settles a delivery still pending or given up."""
    from shipdesk.webhooks.delivery import delivery_send

    now = timezone.now()
    outcome = delivery_send(delivery=delivery)
    with transaction.atomic():
        invocation = WebhookInvocation.objects.create(
            webhook_id=delivery.webhook_id,
            delivery=delivery,
            created_at=now,
            status_code=outcome.status_code,
            duration_ms=outcome.duration_ms,
            error=outcome.error,
            replay=True,
        )
        if outcome.ok:
            WebhookDelivery.objects.filter(pk=delivery.pk).exclude(
                status=WebhookDelivery.Status.DELIVERED
            ).update(
                status=WebhookDelivery.Status.DELIVERED,
                delivered_at=now,
                next_attempt_at=None,
                claimed_until=None,
            )
        audit_record(
            actor=actor,
            action="webhook.replay",
            summary=(
                f"Replayed {delivery.event.type} {delivery.event.public_id} to "
                f"{delivery.webhook.public_id}: {outcome.status_code or outcome.error}"
            )[:500],
            targets=[delivery.webhook],
            detail={
                "event": delivery.event.public_id,
                "invocation": invocation.public_id,
                "status_code": outcome.status_code,
                "error": outcome.error,
            },
        )
    return invocation
