"""Creating and changing shipments."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from shipdesk.models import Partner
from tracking import numbers
from tracking.choices import Subtag, Tag
from tracking.derive import on_time
from tracking.models import Shipment, Subscriber
from tracking.services.edd import shipment_edd_update

MAX_SUBSCRIBERS = 3


class ShipmentError(ValueError):
    """A request about a shipment that cannot be carried out; `field` names the culprit."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.field = field
        self.code = code


def shipment_create(
    *,
    partner: Partner,
    tracking_number: str,
    slug: str | None = None,
    emails: list[str] | None = None,
    smses: list[str] | None = None,
    now: datetime | None = None,
    **fields,
) -> Shipment:
    """Validate the number, store the shipment and make it due for its first check."""
    try:
        parsed = numbers.parse(tracking_number)
    except numbers.TrackingNumberError as exc:
        raise ShipmentError(str(exc), field="tracking_number") from exc
    slug = (slug or parsed.slug or "usps").lower()
    if slug == "usps":
        try:
            numbers.validate_for_usps(parsed.number)
        except numbers.TrackingNumberError as exc:
            raise ShipmentError(str(exc), field="tracking_number") from exc
    for name, values in (("emails", emails or []), ("smses", smses or [])):
        if len(values) > MAX_SUBSCRIBERS:
            raise ShipmentError(f"At most {MAX_SUBSCRIBERS} {name} are allowed.", field=name)
    if Shipment.objects.filter(partner=partner, slug=slug, tracking_number=parsed.number).exists():
        raise ShipmentError(
            f"Tracking already exists: {slug} {parsed.number}.",
            field="tracking_number",
            code="exists",
        )
    now = now or timezone.now()
    fields.setdefault("created_at", now)
    fields.update(
        on_time(
            promised=fields.get("order_promised_delivery_date"),
            delivered_on=None,
            expected=None,
            today=timezone.localdate(now),
        )
    )
    try:
        with transaction.atomic():
            shipment = Shipment.objects.create(
                partner=partner,
                tracking_number=parsed.number,
                slug=slug,
                title=fields.pop("title", "") or parsed.number,
                next_check_at=now,
                **fields,
            )
            Subscriber.objects.bulk_create(
                [Subscriber(shipment=shipment, channel="email", address=a) for a in emails or []]
                + [Subscriber(shipment=shipment, channel="sms", address=a) for a in smses or []],
                ignore_conflicts=True,
            )
    except IntegrityError as exc:
        if not Shipment.objects.filter(
            partner=partner, slug=slug, tracking_number=parsed.number
        ).exists():
            raise
        # The same number, created by a concurrent request after the check above.
        raise ShipmentError(
            f"Tracking already exists: {slug} {parsed.number}.",
            field="tracking_number",
            code="exists",
        ) from exc
    # shipdesk's own delivery estimate, from the lane's history (outside the transaction: the
    # model may have to be learnt first).
    shipment_edd_update(shipment=shipment, now=now)
    return shipment


def shipments_expire_stale(*, now: datetime | None = None) -> int:
    """Expire active shipments with no update for TRACKING_EXPIRE_DAYS; return how many.

    A shipment a refresh has claimed is left to it: its answer may be news.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TRACKING_EXPIRE_DAYS)
    stale = (
        Shipment.objects.filter(active=True)
        .filter(Q(last_event_at__lt=cutoff) | Q(last_event_at__isnull=True, created_at__lt=cutoff))
        .exclude(refresh_claimed_until__gt=now)
    )
    return stale.update(
        active=False,
        tag=Tag.EXPIRED,
        subtag=Subtag.EXPIRED_001,
        subtag_message=Subtag.EXPIRED_001.label,
        next_check_at=None,
        updated_at=now,
    )
