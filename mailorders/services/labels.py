"""Shipping labels (Postmen v3): buy the label on a shipper account, track it, download its
PDF, cancel it. A created label creates its Shipment (slug usps) in the same transaction.
A sandbox account issues the label itself; a live one buys it from USPS (usps_labels)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from mailorders.choices import LabelStatus
from mailorders.label_pdf import label_pdf_render
from mailorders.models import Label
from mailorders.services.common import (
    LabelError,
    atomic_with_files,
    label_not_cancellable,
    label_record_cancelled,
)
from mailorders.services.label_requests import label_request_clean
from mailorders.services.shippers import shipper_account_of, tracking_number_issue
from mailorders.services.usps_labels import usps_label_buy, usps_label_cancel
from shipdesk.audit import SYSTEM, Actor, audit_record
from shipdesk.models import Partner
from tracking.services.shipments import ShipmentError, shipment_create


def label_create(*, partner: Partner, data, live: bool = False, actor: Actor = SYSTEM) -> Label:
    """Validate `data` (a Postmen create-label body), issue the label on the partner's shipper
    account and create the Shipment that tracks it."""
    cleaned = label_request_clean(data=data)
    account = shipper_account_of(partner=partner, account_id=cleaned.pop("shipper_account_id"))
    if not account.sandbox:
        return usps_label_buy(
            partner=partner, account=account, cleaned=cleaned, live=live, actor=actor
        )
    # As on a live account: a retry with the same order number answers the first label.
    order_number = cleaned["order_number"]
    if order_number:
        existing = Label.objects.filter(shipper_account=account, order_number=order_number).first()
        if existing is not None:
            return existing
    try:
        return _sandbox_label_create(
            partner=partner, account=account, cleaned=cleaned, live=live, actor=actor
        )
    except IntegrityError:  # the same order number, created a moment ago by another request
        if not order_number:
            raise
        return Label.objects.get(shipper_account=account, order_number=order_number)


def _sandbox_label_create(*, partner, account, cleaned: dict, live: bool, actor: Actor) -> Label:
    with atomic_with_files() as files:
        number = tracking_number_issue(account=account, service_type=cleaned["service_type"])
        label = Label.objects.create(
            partner=partner,
            live=live,
            shipper_account=account,
            status=LabelStatus.CREATED,
            tracking_numbers=[number],
            **cleaned,
        )
        label_shipment_attach(label=label)
        files.save(label.label_file, f"{label.id}.pdf", label_pdf_render(label=label))
        label.save(update_fields=["shipment", "label_file", "updated_at"])
        audit_record(
            actor=actor,
            action="label.create",
            summary=f"Created {label} ({number})",
            targets=[label],
            detail={"tracking_number": number},
        )
    return label


def label_shipment_attach(*, label: Label) -> None:
    """Create the Shipment tracking the label's number (inside the caller's transaction; the
    caller saves the label)."""
    try:
        label.shipment = shipment_create(
            partner=label.partner,
            tracking_number=label.tracking_number,
            slug="usps",
            **_shipment_fields(label),
        )
    except ShipmentError as exc:
        raise LabelError(
            str(exc), details=[{"path": "tracking_numbers", "info": str(exc)}], code=exc.code
        ) from exc


def _shipment_fields(label: Label) -> dict:
    origin, destination = label.ship_from, label.ship_to
    return {
        "source": "label",
        "title": label.references[0] if label.references else "",
        "shipping_method": label.service_name,
        "mail_class": label.service_name,
        "customer_name": destination["contact_name"],
        "shipment_weight": float(label.charge_weight_value),
        "shipment_weight_unit": "lb",
        "shipment_package_count": len(label.parcels),
        "origin_country_iso3": origin["country"],
        "origin_state": origin.get("state", ""),
        "origin_city": origin["city"],
        "origin_postal_code": origin["postal_code"],
        "destination_country_iso3": destination["country"],
        "destination_state": destination.get("state", ""),
        "destination_city": destination["city"],
        "destination_postal_code": destination["postal_code"],
        "destination_zip": destination["postal_code"] if destination["country"] == "USA" else "",
    }


def label_pdf_open(*, label: Label, actor: Actor):
    """The label's stored PDF, opened for a person to download; the download is audited (on
    the label and its shipment). FileNotFoundError when it has none, OSError when storage
    lost it."""
    if not label.label_file:
        raise FileNotFoundError(f"{label} has no PDF.")
    pdf = label.label_file.open("rb")
    audit_record(
        actor=actor,
        action="label.download",
        summary=f"Downloaded the PDF of {label} ({label.tracking_number})",
        targets=[target for target in (label, label.shipment) if target is not None],
    )
    return pdf


def label_cancel(*, label: Label, actor: Actor = SYSTEM) -> Label:
    """Void a label not yet manifested; its shipment stops being tracked. A label bought from
    USPS is cancelled at USPS first (usps_labels)."""
    if not label.shipper_account.sandbox:
        return usps_label_cancel(label=label, actor=actor)
    with transaction.atomic():
        label = Label.objects.select_for_update().get(pk=label.pk)
        if label.status != LabelStatus.CREATED:
            raise label_not_cancellable(label)
        label_record_cancelled(label=label, actor=actor, summary=f"Cancelled {label}")
    return label
