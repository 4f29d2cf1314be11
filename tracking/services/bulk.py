"""Managers' bulk actions on many shipments at once (run from the admin).

Every shipment goes through the lifecycle service the API and the workspace use, which writes
its own audit record; a shipment refused (retrack limit…) leaves the others alone and is reported
with its reason; one more audit record (`admin.*`) sums up the bulk action itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from django.db import transaction
from django.db.models import Prefetch, QuerySet

from shipdesk.audit import Actor, audit_record
from tracking.choices import CompletedReason
from tracking.models import Shipment, Subscriber
from tracking.services.lifecycle import (
    MAX_RETRACKS,
    shipment_mark_completed,
    shipment_retrack,
)
from tracking.services.shipments import ShipmentError

# At most this many shipments per state-changing action, and per export.
MAX_BULK = 1000
MAX_EXPORT = 10_000

# Short reasons for the report ("EC123456789US already retracked 3 times").
REFUSALS = {
    "retrack_active": "is still active (only expired or completed shipments are retracked)",
    "retrack_delivered": "is delivered",
    "retrack_limit": f"already retracked {MAX_RETRACKS} times",
    "retrack_closed": "is closed for good (its shipping label was cancelled, say)",
    "already_completed": "was already completed for that reason",
}
REPORTED_REFUSALS = 10


@dataclass(frozen=True)
class Refusal:
    shipment: Shipment
    code: str

    def __str__(self) -> str:
        return f"{self.shipment.tracking_number} {REFUSALS.get(self.code, self.code)}"


@dataclass
class BulkResult:
    changed: list[Shipment] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)

    def report(self, verb: str) -> str:
        """'2 retracked; 1 refused: EC123456789US already retracked 3 times'."""
        text = f"{len(self.changed)} {verb}"
        if self.refused:
            shown = "; ".join(str(r) for r in self.refused[:REPORTED_REFUSALS])
            more = len(self.refused) - REPORTED_REFUSALS
            text += f"; {len(self.refused)} refused: {shown}"
            if more > 0:
                text += f"; and {more} more"
        return text

    def detail(self) -> dict:
        return {
            "changed": len(self.changed),
            "refused": [
                {"shipment": r.shipment.public_id, "code": r.code, "reason": str(r)}
                for r in self.refused
            ],
        }


def shipments_count(*, shipments: QuerySet[Shipment], limit: int | None = None) -> int:
    """How many shipments are selected (at most MAX_BULK, or `limit`, a ShipmentError past it);
    counts no further than one past the limit."""
    limit = MAX_BULK if limit is None else limit
    count = shipments.order_by()[: limit + 1].count()
    if count > limit:
        raise ShipmentError(f"Select at most {limit} shipments for one action.", code="too_many")
    return count


def _locked(shipments: QuerySet[Shipment]) -> list[Shipment]:
    shipments_count(shipments=shipments)
    # In id order, so two bulk actions over the same rows cannot deadlock.
    return list(
        Shipment.objects.select_for_update()
        .filter(pk__in=shipments.order_by().values("pk"))
        .order_by("pk")
    )


def shipments_mark_completed(
    *, shipments: QuerySet[Shipment], reason: str, actor: Actor
) -> BulkResult:
    """Mark each shipment completed for `reason` (DELIVERED, LOST, RETURNED_TO_SENDER)."""
    reason = CompletedReason(reason)
    result = BulkResult()
    with transaction.atomic():
        for shipment in _locked(shipments):
            if not shipment.active and shipment.completed_reason == reason:
                result.refused.append(Refusal(shipment, "already_completed"))
                continue
            shipment_mark_completed(shipment=shipment, reason=reason, actor=actor)
            result.changed.append(shipment)
        audit_record(
            actor=actor,
            action="admin.mark_completed",
            summary=f"Marked completed as {reason.label}: {result.report('changed')}",
            targets=result.changed,
            detail={"reason": reason.value, **result.detail()},
        )
    return result


def shipments_retrack(*, shipments: QuerySet[Shipment], actor: Actor) -> BulkResult:
    """Retrack each expired or completed shipment; the others are refused with their reason."""
    result = BulkResult()
    with transaction.atomic():
        for shipment in _locked(shipments):
            try:
                shipment_retrack(shipment=shipment, actor=actor)
            except ShipmentError as error:
                result.refused.append(Refusal(shipment, error.code))
            else:
                result.changed.append(shipment)
        audit_record(
            actor=actor,
            action="admin.retrack",
            summary=f"Retrack: {result.report('retracked')}",
            targets=result.changed,
            detail=result.detail(),
        )
    return result


# Export

EXPORT_COLUMNS = [
    "public_id",
    "tracking_number",
    "carrier",
    "partner",
    "tag",
    "subtag",
    "status",
    "active",
    "completed_reason",
    "title",
    "order_id",
    "order_number",
    "customer_name",
    "emails",
    "promised_delivery_date",
    "expected_delivery",
    "delivered_at",
    "on_time_status",
    "last_event_at",
    "retrack_count",
    "created_at",
    "updated_at",
]


def shipments_export(*, shipments: QuerySet[Shipment], actor: Actor) -> Iterator[list[str]]:
    """Record the export (`admin.export`), then give its rows, header first, read in chunks.

    Times are ISO 8601 with their offset: the delivery in the event's own time zone, the
    bookkeeping times in UTC.
    """
    shipments_count(shipments=shipments, limit=MAX_EXPORT)
    exported = list(
        shipments.select_related(None)
        .order_by("pk")
        .only("pk", "public_id", "slug", "tracking_number")
    )
    audit_record(
        actor=actor,
        action="admin.export",
        summary=f"Exported {len(exported)} shipment(s) as CSV",
        targets=exported,
        detail={"count": len(exported), "columns": EXPORT_COLUMNS},
    )
    rows = (
        Shipment.objects.filter(pk__in=[s.pk for s in exported])
        .select_related("partner")
        .prefetch_related(
            Prefetch("subscribers", queryset=Subscriber.objects.filter(channel="email"))
        )
        .order_by("-created_at", "-id")
    )
    return _export_rows(rows)


def _export_rows(rows: QuerySet[Shipment]) -> Iterator[list[str]]:
    yield EXPORT_COLUMNS
    for s in rows.iterator(chunk_size=500):
        yield [_cell(value) for value in _export_row(s)]


def _export_row(s: Shipment) -> list[str]:
    return [
        s.public_id,
        s.tracking_number,
        s.slug,
        s.partner.name,
        s.tag,
        s.subtag,
        s.subtag_message,
        "yes" if s.active else "no",
        s.completed_reason,
        s.title,
        s.order_id,
        s.order_number,
        s.customer_name,
        " ".join(sub.address for sub in s.subscribers.all()),
        _iso(s.order_promised_delivery_date),
        _iso(s.expected_delivery),
        _iso(_at_offset(s.shipment_delivery_date, s.shipment_delivery_offset)),
        s.on_time_status,
        _iso(s.last_event_at),
        str(s.retrack_count),
        _iso(s.created_at),
        _iso(s.updated_at),
    ]


# A cell starting with one of these is a formula to a spreadsheet: a quote keeps it text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _at_offset(moment: datetime | None, minutes: int | None) -> datetime | None:
    if moment is None or minutes is None:
        return moment
    return moment.astimezone(timezone(timedelta(minutes=minutes)))


def _iso(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.isoformat(timespec="seconds")
    return value.isoformat()
