"""A partner's or a person's changes to one shipment: update, retrack, complete, delete."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from shipdesk.audit import SYSTEM, Actor, audit_record
from shipdesk.webhooks.services import shipments_record_updated
from tracking.choices import COMPLETED_REASON_SUBTAG, CompletedReason, Subtag, Tag
from tracking.derive import derive
from tracking.models import Shipment, Subscriber
from tracking.services.notify import subscribers_notify_later
from tracking.services.shipments import MAX_SUBSCRIBERS, ShipmentError

MAX_RETRACKS = 3


def shipment_update(
    *, shipment: Shipment, actor: Actor = SYSTEM, emails=None, smses=None, **fields
) -> Shipment:
    """Set the given fields; lists given replace the old ones (`[]` clears).

    Only the fields set are written: the refresh worker or a person may have changed the others
    since `shipment` was read, and their change must stay.
    """
    with transaction.atomic():
        for name, value in fields.items():
            setattr(shipment, name, value)
        changed = [*fields, "updated_at"]
        if "order_promised_delivery_date" in fields:
            derived = _derived(shipment)
            shipment.on_time_status = derived["on_time_status"]
            shipment.on_time_difference = derived["on_time_difference"]
            changed += ["on_time_status", "on_time_difference"]
        shipment.save(update_fields=changed)
        for channel, addresses in (("email", emails), ("sms", smses)):
            if addresses is not None:
                _replace_subscribers(shipment, channel, addresses)
        lists = {"emails": emails, "smses": smses}
        changed_names = [*fields, *(name for name, value in lists.items() if value is not None)]
        audit_record(
            actor=actor,
            action="shipment.update",
            summary=f"Updated {shipment}: {', '.join(changed_names) or 'nothing'}",
            targets=[shipment],
            detail={"fields": changed_names},
        )
    return shipment


def _derived(shipment: Shipment) -> dict:
    return derive(
        list(shipment.checkpoints.all()),
        promised=shipment.order_promised_delivery_date,
        expected=shipment.expected_delivery,
        today=timezone.localdate(),
    )


def _replace_subscribers(shipment: Shipment, channel: str, addresses: list[str]) -> None:
    unique = list(dict.fromkeys(addresses))
    shipment.subscribers.filter(channel=channel).exclude(address__in=unique).delete()
    Subscriber.objects.bulk_create(
        [Subscriber(shipment=shipment, channel=channel, address=a) for a in unique],
        ignore_conflicts=True,
    )


def subscribers_add(*, shipment: Shipment, emails: list[str], smses: list[str]) -> None:
    with transaction.atomic():
        # Lock the shipment so two concurrent adds cannot both pass the limit of three.
        Shipment.objects.select_for_update().filter(pk=shipment.pk).exists()
        for channel, name, addresses in (("email", "emails", emails), ("sms", "smses", smses)):
            current = list(
                shipment.subscribers.filter(channel=channel).values_list("address", flat=True)
            )
            merged = list(dict.fromkeys(current + addresses))
            if len(merged) > MAX_SUBSCRIBERS:
                raise ShipmentError(
                    f"A tracking holds at most {MAX_SUBSCRIBERS} {name}; it has {len(current)}.",
                    field=name,
                )
            _replace_subscribers(shipment, channel, merged)


def subscribers_remove(*, shipment: Shipment, emails: list[str], smses: list[str]) -> None:
    shipment.subscribers.filter(channel="email", address__in=emails).delete()
    shipment.subscribers.filter(channel="sms", address__in=smses).delete()


def retrack_refusal(shipment: Shipment) -> ShipmentError | None:
    """Why `shipment` cannot be retracked now, or None when it can."""
    if shipment.closed_reason:
        return ShipmentError(
            f"Retrack is not allowed. {shipment.closed_reason}", code="retrack_closed"
        )
    if shipment.active:
        return ShipmentError(
            "Retrack is not allowed. You can only retrack an inactive (expired or completed) "
            "tracking.",
            code="retrack_active",
        )
    if shipment.tag == Tag.DELIVERED and not shipment.completed_reason:
        return ShipmentError(
            "Retrack is not allowed. The tracking is delivered.", code="retrack_delivered"
        )
    if shipment.retrack_count >= MAX_RETRACKS:
        return ShipmentError(
            f"Retrack is not allowed. A tracking can be retracked at most {MAX_RETRACKS} times.",
            code="retrack_limit",
        )
    return None


@transaction.atomic
def shipment_retrack(
    *, shipment: Shipment, actor: Actor = SYSTEM, now: datetime | None = None
) -> Shipment:
    """Track an expired (or completed) shipment again, at most MAX_RETRACKS times."""
    refusal = retrack_refusal(shipment)
    if refusal is not None:
        raise refusal
    now = now or timezone.now()
    tag_before = shipment.tag
    shipment.completed_reason = ""
    derived = _derived(shipment)
    for name, value in derived.items():
        setattr(shipment, name, value)
    shipment.retrack_count += 1
    shipment.active = True
    shipment.next_check_at = now
    shipment.last_event_at = now  # the expiry clock restarts from the retrack
    # Only what a retrack changes: others' changes since `shipment` was read stay.
    shipment.save(
        update_fields=[
            *derived,
            "completed_reason",
            "retrack_count",
            "active",
            "next_check_at",
            "last_event_at",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action="shipment.retrack",
        summary=f"Retracked {shipment} ({shipment.retrack_count} of {MAX_RETRACKS})",
        targets=[shipment],
    )
    if shipment.tag != tag_before:
        shipments_record_updated(shipments=[shipment])
    return shipment


@transaction.atomic
def shipment_mark_completed(
    *, shipment: Shipment, reason: str, event_datetime=None, actor: Actor = SYSTEM
) -> Shipment:
    """A person's verdict: the tag follows the reason and auto-updating stops. `event_datetime`
    (when it happened, as the partner says) is kept in the audit, and as the delivery time of
    a delivered shipment the carrier gave none for."""
    subtag: Subtag = COMPLETED_REASON_SUBTAG[CompletedReason(reason)]
    tag_changed = shipment.tag != subtag.tag
    shipment.completed_reason = reason
    shipment.tag = subtag.tag
    shipment.subtag = subtag
    shipment.subtag_message = subtag.label
    shipment.active = False
    shipment.next_check_at = None
    if subtag == Subtag.EXCEPTION_011:
        shipment.return_to_sender = True
    changed = [
        "completed_reason",
        "tag",
        "subtag",
        "subtag_message",
        "active",
        "next_check_at",
        "return_to_sender",
        "updated_at",
    ]
    if event_datetime and subtag == Subtag.DELIVERED_001 and not shipment.shipment_delivery_date:
        shipment.shipment_delivery_date = event_datetime
        changed.append("shipment_delivery_date")
    # Only the verdict's fields: others' changes since `shipment` was read stay.
    shipment.save(update_fields=changed)
    detail = {"reason": reason}
    if event_datetime:
        detail["event_datetime"] = event_datetime.isoformat()
    audit_record(
        actor=actor,
        action="shipment.mark_completed",
        summary=f"Marked {shipment} completed as {CompletedReason(reason).label}",
        targets=[shipment],
        detail=detail,
    )
    if tag_changed:
        subscribers_notify_later(shipment_ids=[shipment.pk])
        shipments_record_updated(shipments=[shipment])
    return shipment


def shipment_close(*, shipment: Shipment, reason: str, actor: Actor = SYSTEM) -> Shipment:
    """Stop tracking `shipment` for good (`reason` says why, e.g. its label was cancelled):
    it is no longer checked with the carrier, and never retracked."""
    with transaction.atomic():
        shipment.active, shipment.next_check_at = False, None
        shipment.closed_reason = reason[:200]
        shipment.save(update_fields=["active", "next_check_at", "closed_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="shipment.close",
            summary=f"Closed {shipment}: {reason}",
            targets=[shipment],
        )
    return shipment


def shipment_delete(*, shipment: Shipment, actor: Actor = SYSTEM) -> None:
    """Delete `shipment`; ShipmentError when a record of another app protects it (a shipping
    label: cancelling the label is how its tracking stops)."""
    try:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="shipment.delete",
                summary=f"Deleted {shipment}",
                targets=[shipment],
                detail={"public_id": shipment.public_id},
            )
            shipment.delete()
    except ProtectedError as exc:
        holders = ", ".join(sorted(str(obj) for obj in exc.protected_objects))
        raise ShipmentError(
            f"This tracking cannot be deleted: {holders[:200]} depends on it. Cancel that "
            "instead; its tracking stops with it.",
            code="protected",
        ) from exc
