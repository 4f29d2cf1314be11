"""Creating and changing print-mail objects. Every change runs in one transaction with its audit
record and its webhook event (see `order_event_emit`)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from mailorders import pdf
from mailorders.choices import (
    CANCELLABLE,
    MAILING_CLASS_SERVICE,
    NEXT_STATUS,
    CancellationReason,
    ExtraService,
    MailingClass,
    OrderStatus,
)
from mailorders.models import (
    ORDER_MODELS,
    BankAccount,
    Cheque,
    Contact,
    IdempotencyKey,
    MailOrder,
    Template,
)
from mailorders.representation import CONTENT_FIELDS, order_data
from shipdesk.audit import SYSTEM, Actor, audit_record
from shipdesk.models import Partner
from tracking import numbers
from tracking.services.shipments import ShipmentError, shipment_create

# Orders that may carry an extra service (seed 004: "only available for letters and cheques").
EXTRA_SERVICE_OBJECTS = {"letter", "cheque"}
SERVICE_LABELS = {
    ExtraService.CERTIFIED: "Certified Mail",
    ExtraService.CERTIFIED_RETURN_RECEIPT: "Certified Mail, Return Receipt",
    ExtraService.REGISTERED: "Registered Mail",
}
# IMpb service type codes shipdesk gives the numbers it generates.
IMPB_SERVICE_CODES = {
    ExtraService.CERTIFIED: "9207",
    ExtraService.CERTIFIED_RETURN_RECEIPT: "9207",
    ExtraService.REGISTERED: "9208",
}


class MailOrderError(ValueError):
    """A request that cannot be carried out; `field` names the member at fault."""

    def __init__(
        self, message: str, *, field: str | None = None, code: str = "invalid", status: int = 400
    ):
        super().__init__(message)
        self.field = field
        self.code = code
        self.status = status


# -- events ----------------------------------------------------------------------------------


def order_event_emit(*, order: MailOrder, kind: str) -> None:
    """Record `<object>.<kind>` (created or updated) for the partner's webhooks, in the caller's
    transaction. The one place print-mail events leave this app."""
    from shipdesk.webhooks import event_record

    event_record(
        partner=order.partner,
        type=f"{order.OBJECT}.{kind}",
        data=order_data(order, absolute=lambda path: settings.SITE_URL + path),
    )


def _audit(actor: Actor, order: MailOrder, verb: str, summary: str, **detail) -> None:
    audit_record(
        actor=actor,
        action=f"{order.OBJECT}.{verb}",
        summary=summary,
        targets=[order],
        detail=detail,
    )


# -- contacts, templates, bank accounts ------------------------------------------------------

CONTACT_FIELDS = [
    f.name
    for f in Contact._meta.get_fields()
    if f.concrete
    and f.name not in {"id", "partner", "live", "created_at", "updated_at", "address_status"}
]


def _contact_new(*, partner: Partner, live: bool, data: dict) -> Contact:
    """An unsaved contact, or the same contact stored before (PostGrid deduplicates contacts)."""
    values = {
        name: data.get(name, Contact._meta.get_field(name).get_default()) for name in CONTACT_FIELDS
    }
    values["country_code"] = (values["country_code"] or "US").upper()
    lookup = {k: v for k, v in values.items() if k != "metadata"}
    existing = Contact.objects.filter(partner=partner, live=live, **lookup).first()
    if existing is not None and existing.metadata == values["metadata"]:
        return existing
    return Contact(partner=partner, live=live, **values)


def contact_create(*, partner: Partner, live: bool, data: dict, actor: Actor = SYSTEM) -> Contact:
    with transaction.atomic():
        contact = _contact_new(partner=partner, live=live, data=data)
        if contact._state.adding:
            contact.save()
            audit_record(
                actor=actor,
                action="contact.create",
                summary=f"Created contact {contact.id}",
                targets=[contact],
            )
    return contact


def contact_resolve(*, partner: Partner, live: bool, value, field: str) -> Contact:
    """A contact id of the partner's (same mode), or an inline contact (unsaved if new)."""
    if isinstance(value, dict):
        return _contact_new(partner=partner, live=live, data=value)
    contact = Contact.objects.filter(partner=partner, live=live, id=value).first()
    if contact is None:
        raise MailOrderError(f"{field}: no contact with id `{value}`.", field=field)
    return contact


def template_create(
    *,
    partner: Partner,
    live: bool,
    html: str,
    description: str = "",
    metadata=None,
    actor: Actor = SYSTEM,
) -> Template:
    with transaction.atomic():
        template = Template.objects.create(
            partner=partner, live=live, html=html, description=description, metadata=metadata or {}
        )
        audit_record(
            actor=actor,
            action="template.create",
            summary=f"Created template {template.id}",
            targets=[template],
        )
    return template


def template_update(*, template: Template, actor: Actor = SYSTEM, **fields) -> Template:
    """Change html, description or metadata; orders already rendered keep their PDF."""
    with transaction.atomic():
        for name, value in fields.items():
            setattr(template, name, value)
        template.save()
        audit_record(
            actor=actor,
            action="template.update",
            summary=f"Updated template {template.id}: {', '.join(fields) or 'nothing'}",
            targets=[template],
        )
    return template


def template_delete(*, template: Template, actor: Actor = SYSTEM) -> None:
    """Delete a template; orders made from it keep their rendered PDF."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="template.delete",
            summary=f"Deleted template {template.id}",
            targets=[template],
        )
        template.delete()


def _owned(model, *, partner: Partner, live: bool, pk, field: str, label: str):
    if pk in (None, ""):
        return None
    found = model.objects.filter(partner=partner, live=live, id=pk).first()
    if found is None:
        raise MailOrderError(f"{field}: no {label} with id `{pk}`.", field=field)
    return found


def bank_account_create(
    *, partner: Partner, live: bool, account_number: str, actor: Actor = SYSTEM, **fields
) -> BankAccount:
    """Store a bank account keeping only the last four digits of its number."""
    with transaction.atomic():
        account = BankAccount.objects.create(
            partner=partner, live=live, account_number_last4=account_number[-4:], **fields
        )
        audit_record(
            actor=actor,
            action="bank_account.create",
            summary=f"Created bank account {account}",
            targets=[account],
        )
    return account


# -- orders ----------------------------------------------------------------------------------


@dataclass
class OrderContent:
    """What an order prints: HTML and/or templates for up to two parts, or an uploaded PDF."""

    html: str = ""
    template: str | None = None
    back_html: str = ""
    back_template: str | None = None
    uploaded_pdf: object = None  # an UploadedFile or bytes
    merge_variables: dict = field(default_factory=dict)


def mailing_resolve(
    *, object_name: str, mailing_class: str | None, extra_service: str | None
) -> tuple[str, str]:
    """(mailing class, extra service) from either name clients use; they must agree."""
    implied = MAILING_CLASS_SERVICE.get(mailing_class) if mailing_class else None
    if extra_service and mailing_class and implied != extra_service:
        raise MailOrderError(
            f"extraService: `{extra_service}` does not match mailingClass `{mailing_class}`.",
            field="extraService",
        )
    service = extra_service or implied or ""
    if service and object_name not in EXTRA_SERVICE_OBJECTS:
        raise MailOrderError(
            "extraService: certified and registered mail are only available for letters and "
            "cheques.",
            field="extraService" if extra_service else "mailingClass",
        )
    return mailing_class or service or MailingClass.FIRST_CLASS, service


def _idempotent_order(partner: Partner, key: str, object_name: str) -> MailOrder | None:
    record = IdempotencyKey.objects.filter(partner=partner, key=key).first()
    if record is None:
        return None
    if record.object_type != object_name:
        raise MailOrderError(
            f"Idempotency-Key `{key}` was already used to create a {record.object_type}.",
            field="Idempotency-Key",
            code="idempotency_conflict",
            status=409,
        )
    return ORDER_MODELS[object_name].objects.with_contacts().get(pk=record.object_id)


def order_create(
    *,
    object_name: str,
    partner: Partner,
    live: bool,
    to,
    from_=None,
    content: OrderContent,
    actor: Actor = SYSTEM,
    idempotency_key: str | None = None,
    mailing_class: str | None = None,
    extra_service: str | None = None,
    bank_account: str | None = None,
    **fields,
) -> tuple[MailOrder, bool]:
    """Create and render an order; (order, True), or (the first order, False) when the
    Idempotency-Key was seen before. `to` / `from_` are contact ids or inline contact dicts."""
    if idempotency_key:
        existing = _idempotent_order(partner, idempotency_key, object_name)
        if existing is not None:
            return existing, False
    model = ORDER_MODELS[object_name]
    mailing_class, extra_service = mailing_resolve(
        object_name=object_name, mailing_class=mailing_class, extra_service=extra_service
    )
    owned = {"partner": partner, "live": live}
    order = model(
        **owned,
        to=contact_resolve(**owned, value=to, field="to"),
        from_contact=(
            contact_resolve(**owned, value=from_, field="from") if from_ is not None else None
        ),
        mailing_class=mailing_class,
        extra_service=extra_service,
        html=content.html,
        back_html=content.back_html,
        merge_variables=content.merge_variables,
        **fields,
    )
    first, second = _template_fields(object_name)
    order.template = _owned(Template, **owned, pk=content.template, field=first, label="template")
    order.back_template = _owned(
        Template, **owned, pk=content.back_template, field=second, label="template"
    )
    if isinstance(order, Cheque):
        order.bank_account = _owned(
            BankAccount, **owned, pk=bank_account, field="bankAccount", label="bank account"
        )
        if order.bank_account is None:
            raise MailOrderError("bankAccount: this field is required.", field="bankAccount")
    if content.uploaded_pdf is not None:
        upload = content.uploaded_pdf
        if isinstance(upload, bytes):
            upload = ContentFile(upload)
        order.uploaded_pdf.save(f"{order.id}.pdf", upload, save=False)
    try:
        rendered = pdf.render_order(order)  # before any write: no lock held while rendering
    except pdf.ContentError as exc:
        raise MailOrderError(str(exc), field=exc.field) from exc
    try:
        with transaction.atomic():
            for contact in (order.to, order.from_contact):
                if contact is not None and contact._state.adding:
                    contact.save()
            if isinstance(order, Cheque) and not order.number:
                order.number = _next_cheque_number(partner)
            if order.uploaded_pdf:
                order.pdf.name = order.uploaded_pdf.name
            else:
                order.pdf.save(f"{order.id}.pdf", ContentFile(rendered.data), save=False)
            order.page_count = rendered.page_count
            order.save(force_insert=True)
            if idempotency_key:
                IdempotencyKey.objects.create(
                    partner=partner,
                    key=idempotency_key,
                    object_type=object_name,
                    object_id=order.pk,
                )
            _audit(actor, order, "create", f"Created {order}", live=live)
            order_event_emit(order=order, kind="created")
    except IntegrityError:
        if idempotency_key:
            existing = _idempotent_order(partner, idempotency_key, object_name)
            if existing is not None:  # the same key, created by a concurrent request
                return existing, False
        raise
    return order, True


def _template_fields(object_name: str) -> tuple[str, str]:
    first, second = CONTENT_FIELDS[object_name]
    return first[1], (second or first)[1]


def _next_cheque_number(partner: Partner) -> int:
    last = Cheque.objects.filter(partner=partner).aggregate(n=Max("number"))["n"]
    return (last or 0) + 1


def _locked(order: MailOrder) -> MailOrder:
    return type(order).objects.select_for_update().with_contacts().get(pk=order.pk)


def order_cancel(
    *,
    order: MailOrder,
    actor: Actor = SYSTEM,
    note: str = "",
    reason: str = CancellationReason.USER_INITIATED,
    cancelled_by: str = "",
) -> MailOrder:
    """Cancel an order that is still `ready`; any other status is refused, naming it."""
    with transaction.atomic():
        order = _locked(order)
        if order.status not in CANCELLABLE:
            raise MailOrderError(
                f"{order} is {order.status}; only an order that is still ready can be cancelled.",
                field="status",
                code="invalid_transition",
                status=409,
            )
        order.status = OrderStatus.CANCELLED
        order.cancellation_reason = reason
        order.cancellation_note = note
        order.cancelled_by = cancelled_by or actor.label
        order.save()
        _audit(actor, order, "cancel", f"Cancelled {order}", reason=reason, note=note)
        order_event_emit(order=order, kind="updated")
    return order


def order_progress(*, order: MailOrder, actor: Actor = SYSTEM) -> MailOrder:
    """Move a test-mode order one step on: ready → printing → processed_for_delivery →
    completed. A certified or registered order gets its tracking number (and Shipment) when it
    is processed for delivery."""
    with transaction.atomic():
        order = _locked(order)
        if order.live:
            raise MailOrderError(
                f"{order} is a live order; only test orders can be progressed.",
                code="live_order",
                status=403,
            )
        next_status = NEXT_STATUS.get(order.status)
        if next_status is None:
            raise MailOrderError(
                f"{order} is {order.status}; it has no next status.",
                field="status",
                code="invalid_transition",
                status=409,
            )
        previous = order.status
        order.status = next_status
        if (
            next_status == OrderStatus.PROCESSED_FOR_DELIVERY
            and order.extra_service
            and not order.tracking_number
        ):
            _tracking_number_assign(order, generate_tracking_number(order))
        order.save()
        _audit(actor, order, "progress", f"{order}: {previous} → {next_status}")
        order_event_emit(order=order, kind="updated")
    return order


def generate_tracking_number(order: MailOrder) -> str:
    """A valid 22-digit IMpb for the order's service (sandbox: shipdesk prints and mails)."""
    body = IMPB_SERVICE_CODES[order.extra_service] + "".join(
        secrets.choice("0123456789") for _ in range(17)
    )
    return numbers.with_impb_check_digit(body)


def order_tracking_number_set(
    *, order: MailOrder, tracking_number: str, actor: Actor = SYSTEM
) -> MailOrder:
    """Give a certified or registered order its USPS tracking number; a Shipment is created
    and tracked like any parcel, linked from the order."""
    with transaction.atomic():
        order = _locked(order)
        if not order.extra_service:
            raise MailOrderError(
                f"{order} has no extra service; only certified or registered mail is tracked.",
                field="trackingNumber",
            )
        if order.tracking_number:
            raise MailOrderError(
                f"{order} already has tracking number {order.tracking_number}.",
                field="trackingNumber",
                status=409,
            )
        _tracking_number_assign(order, tracking_number)
        order.save()
        _audit(actor, order, "tracking_number", f"{order}: tracking number {tracking_number}")
        order_event_emit(order=order, kind="updated")
    return order


def _tracking_number_assign(order: MailOrder, tracking_number: str) -> None:
    recipient = order.to
    try:
        shipment = shipment_create(
            partner=order.partner,
            tracking_number=tracking_number,
            slug="usps",
            title=f"{SERVICE_LABELS[order.extra_service]} {order.OBJECT} {order.id}",
            order_id=order.id,
            customer_name=recipient.name,
            destination_city=recipient.city,
            destination_state=recipient.province_or_state,
            destination_postal_code=recipient.postal_or_zip,
            destination_zip=recipient.postal_or_zip[:5] if recipient.country_code == "US" else "",
            mailing_date=timezone.localdate(),
            shipping_method=SERVICE_LABELS[order.extra_service],
        )
    except ShipmentError as exc:
        raise MailOrderError(str(exc), field="trackingNumber") from exc
    order.tracking_number = shipment.tracking_number
    order.shipment = shipment


# -- IMb scan feed ---------------------------------------------------------------------------


@dataclass
class IMbReport:
    applied: int = 0
    ignored: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class IMbScan:
    order_id: str
    status: str
    date: datetime
    zip_code: str = ""


def order_for_id(order_id: str) -> MailOrder | None:
    """Any order by its prefixed id (`letter_…`, `self_mailer_…`), whoever owns it."""
    object_name = order_id.rpartition("_")[0]
    model = ORDER_MODELS.get(object_name)
    if model is None:
        return None
    return model.objects.with_contacts().filter(pk=order_id).first()


def imb_scans_apply(*, scans: list[IMbScan], actor: Actor = SYSTEM) -> IMbReport:
    """Apply USPS Intelligent Mail barcode scans: each sets imbStatus, imbDate and imbZIPCode
    unless the order already has a later scan (feeds may repeat or arrive out of order)."""
    report = IMbReport()
    for scan in scans:
        order = order_for_id(scan.order_id)
        if order is None:
            report.errors.append(f"{scan.order_id}: no such order.")
            continue
        with transaction.atomic():
            order = _locked(order)
            if order.is_cancelled:
                report.errors.append(f"{scan.order_id}: the order is cancelled.")
                continue
            if order.imb_date and order.imb_date >= scan.date:
                report.ignored += 1
                continue
            order.imb_status = scan.status
            order.imb_date = scan.date
            order.imb_zip_code = scan.zip_code
            order.save()
            _audit(actor, order, "imb", f"{order}: IMb {scan.status} at {scan.zip_code or '?'}")
            order_event_emit(order=order, kind="updated")
            report.applied += 1
    return report
