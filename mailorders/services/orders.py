"""An order's life: create (rendered, idempotent), cancel, progress, tracking number."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

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
from mailorders.models import ORDER_MODELS, BankAccount, Cheque, IdempotencyKey, MailOrder, Template
from mailorders.representation import CONTENT_FIELDS
from mailorders.services.common import (
    MailOrderError,
    order_audit,
    order_event_emit,
    order_locked,
)
from mailorders.services.printhouse import print_job_cancel, print_job_open, print_job_withdraw
from mailorders.services.resources import contact_resolve, owned_get
from shipdesk.audit import SYSTEM, Actor
from shipdesk.models import Partner
from tracking import numbers
from tracking.services.shipments import ShipmentError, shipment_create

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


@dataclass
class OrderContent:
    """What an order prints: HTML and/or templates for up to two parts, or an uploaded PDF."""

    html: str = ""
    template: str | None = None
    back_html: str = ""
    back_template: str | None = None
    uploaded_pdf: bytes | None = None  # a PDF passed through as it is
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
            code="idempotency_key_reused",
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
    order.template = owned_get(
        Template, **owned, pk=content.template, field=first, label="template"
    )
    order.back_template = owned_get(
        Template, **owned, pk=content.back_template, field=second, label="template"
    )
    if isinstance(order, Cheque):
        order.bank_account = owned_get(
            BankAccount, **owned, pk=bank_account, field="bankAccount", label="bank account"
        )
        if order.bank_account is None:
            raise MailOrderError("bankAccount: this field is required.", field="bankAccount")
    uploaded = content.uploaded_pdf
    try:  # before any write: no lock is held while rendering, no file left for a refusal
        if uploaded is not None:
            rendered = pdf.RenderedPDF(uploaded, pdf.pdf_page_count(uploaded))
        else:
            rendered = pdf.render_order(order)
    except pdf.ContentError as exc:
        raise MailOrderError(str(exc), field=exc.field) from exc
    try:
        with transaction.atomic():
            for contact in (order.to, order.from_contact):
                if contact is not None and contact._state.adding:
                    contact.save()
            if isinstance(order, Cheque) and not order.number:
                order.number = _next_cheque_number(partner)
            if uploaded is not None:
                order.uploaded_pdf.save(f"{order.id}.pdf", ContentFile(uploaded), save=False)
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
            order_audit(actor, order, "create", f"Created {order}", live=live)
            order_event_emit(order=order, kind="created")
            print_job_open(order=order)
    except IntegrityError:
        order.pdf.delete(save=False)  # the row that would have named it was rolled back
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


def _cancellable(order: MailOrder) -> None:
    if order.status not in CANCELLABLE:
        raise MailOrderError(
            f"{order} is {order.status}; only an order whose status is ready can be cancelled.",
            field="status",
            code="invalid_transition",
        )


def order_cancel(
    *,
    order: MailOrder,
    actor: Actor = SYSTEM,
    note: str = "",
    reason: str = CancellationReason.USER_INITIATED,
    cancelled_by: str = "",
    ask_print_house: bool = True,
) -> MailOrder:
    """Cancel an order that is still `ready`; any other status is refused, naming it. Its print
    house withdraws it first, or refuses (`ask_print_house=False`: the house cancelled it).
    Whoever else the house must ask (an upstream provider) is asked before the transaction,
    so no lock waits on the network."""
    if ask_print_house:
        _cancellable(order)
        print_job_withdraw(order=order, actor=actor)
    with transaction.atomic():
        order = order_locked(order)
        _cancellable(order)
        if ask_print_house:
            print_job_cancel(order=order, actor=actor)
        order.status = OrderStatus.CANCELLED
        order.cancellation_reason = reason
        order.cancellation_note = note
        order.cancelled_by = cancelled_by or actor.label
        order.save()
        order_audit(actor, order, "cancel", f"Cancelled {order}", reason=reason, note=note)
        order_event_emit(order=order, kind="updated")
    return order


def order_progress(
    *, order: MailOrder, actor: Actor = SYSTEM, live_ok: bool = False, tracking_number: str = ""
) -> MailOrder:
    """Move an order one step on: ready → printing → processed_for_delivery → completed. A
    certified or registered order gets its tracking number (and Shipment) when it is processed
    for delivery: `tracking_number` (the one printed on the piece) or a generated one. Partners
    progress test orders only; the print house (admin) passes `live_ok`."""
    with transaction.atomic():
        order = order_locked(order)
        if order.live and not live_ok:
            raise MailOrderError(
                f"{order} is a live order; only test orders can be progressed.",
                code="live_order",
                status=403,
            )
        next_status = NEXT_STATUS.get(order.status)
        if next_status is None:
            raise MailOrderError(
                f"{order} is {order.status}; that status has no next one.",
                field="status",
                code="invalid_progression",
            )
        previous = order.status
        order.status = next_status
        if (
            next_status == OrderStatus.PROCESSED_FOR_DELIVERY
            and order.extra_service
            and not order.tracking_number
        ):
            _tracking_number_assign(order, tracking_number or generate_tracking_number(order))
        order.save()
        order_audit(actor, order, "progress", f"{order}: {previous} → {next_status}")
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
        order = order_locked(order)
        if not order.extra_service:
            raise MailOrderError(
                f"{order} has no extra service; only certified or registered mail is tracked.",
                field="trackingNumber",
            )
        if order.tracking_number:
            raise MailOrderError(
                f"{order} already has tracking number {order.tracking_number}.",
                field="trackingNumber",
            )
        _tracking_number_assign(order, tracking_number)
        order.save()
        order_audit(actor, order, "tracking_number", f"{order}: tracking number {tracking_number}")
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


@dataclass
class BulkResult:
    verb: str
    done: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # "id: why"

    def report(self) -> str:
        text = f"{self.verb} {len(self.done)} order{'s' if len(self.done) != 1 else ''}."
        if self.refused:
            text += f" Refused {len(self.refused)}: " + "; ".join(self.refused[:10])
            if len(self.refused) > 10:
                text += f"; and {len(self.refused) - 10} more"
        return text


def orders_progress(*, orders, actor: Actor) -> BulkResult:
    """Advance each order one step (live ones too: the print house's action), each in its own
    transaction; list the refused."""
    result = BulkResult("Advanced")
    for order in orders:
        try:
            order_progress(order=order, actor=actor, live_ok=True)
        except MailOrderError as exc:
            result.refused.append(f"{order.id}: {exc}")
        else:
            result.done.append(order.id)
    return result


def orders_cancel(
    *, orders, actor: Actor, note: str = "", reason: str = CancellationReason.USER_INITIATED
) -> BulkResult:
    """Cancel each order that is still ready (each in its own transaction); list the others."""
    result = BulkResult("Cancelled")
    for order in orders:
        try:
            order_cancel(order=order, actor=actor, note=note, reason=reason)
        except MailOrderError as exc:
            result.refused.append(f"{order.id}: {exc}")
        else:
            result.done.append(order.id)
    return result
