"""Accepting USPS's form of a stored address (after mailorders.services.address_checks): a mail
order's recipient contact, or one of a label's addresses. Audited like every other change.

The accept carries the address as it was when it was checked (`before`): if it changed since,
nothing is changed and AddressCorrectionError says so (check it again).
"""

from __future__ import annotations

from django.db import transaction

from mailorders import pdf
from mailorders.choices import AddressStatus, LabelStatus, OrderStatus
from mailorders.models import Contact, Label, MailOrder
from mailorders.services.common import atomic_with_files
from mailorders.services.usps_labels import postal_address_of
from shipdesk.audit import Actor, audit_record
from tracking.carriers.shipping import PostalAddress

LABEL_SIDES = {"ship_to": "Ship to", "ship_from": "Ship from", "return_to": "Return to"}
# A label's printed address can no longer change: its stored one is corrected for the record.
LABEL_PRINTED = (LabelStatus.CREATED, LabelStatus.MANIFESTING, LabelStatus.MANIFESTED)


class AddressCorrectionError(Exception):
    """The correction was refused; nothing changed."""


def contact_postal_address(contact: Contact) -> PostalAddress:
    zip_code, _, plus4 = contact.postal_or_zip.strip().partition("-")
    return PostalAddress(
        street=contact.address_line1,
        secondary=contact.address_line2,
        city=contact.city,
        state=contact.province_or_state,
        zip_code=zip_code,
        zip_plus4=plus4,
        name=f"{contact.first_name} {contact.last_name}".strip(),
        company=contact.company_name,
        phone=contact.phone_number,
        email=contact.email,
    )


def label_postal_address(label: Label, side: str) -> PostalAddress | None:
    stored = getattr(label, side)
    return postal_address_of(stored) if stored else None


def address_key(address: PostalAddress | None) -> list[str]:
    """What an accept compares: the postal fields (names and contacts are never changed)."""
    if address is None:
        return []
    return [
        address.street,
        address.secondary,
        address.city,
        address.state,
        address.zip_code,
        address.zip_plus4,
    ]


def _zip(address: PostalAddress) -> str:
    return f"{address.zip_code}-{address.zip_plus4}" if address.zip_plus4 else address.zip_code


def order_address_refusal(order: MailOrder) -> str:
    """Why the order's address can no longer be corrected ("" when it can)."""
    if order.status != OrderStatus.READY:
        return (
            f"The order is {order.get_status_display().lower()}: its address can no longer be "
            "changed."
        )
    return ""


def order_address_accept(
    *, order: MailOrder, before: list[str], usps: PostalAddress, verified: bool, actor: Actor
) -> MailOrder:
    """Write USPS's form into the order's recipient contact and re-render the order's PDF
    (unless it was uploaded as it is), in one transaction."""
    refusal = order_address_refusal(order)
    if refusal:
        raise AddressCorrectionError(refusal)
    contact = order.to
    if address_key(contact_postal_address(contact)) != before:
        raise AddressCorrectionError(
            "The address changed since it was checked: nothing was changed. Check it again."
        )
    old = contact_postal_address(contact)
    contact.address_line1 = usps.street
    contact.address_line2 = usps.secondary
    contact.city = usps.city
    contact.province_or_state = usps.state
    contact.postal_or_zip = _zip(usps)
    if verified:
        contact.address_status = AddressStatus.CORRECTED
    rendered = None
    if not order.uploaded_pdf:
        rendered = pdf.render_order(order)  # before any write: no lock held while rendering
    old_pdf = order.pdf.name
    with atomic_with_files() as files:
        locked = type(order).objects.select_for_update(of=("self",)).get(pk=order.pk)
        if locked.status != OrderStatus.READY:
            raise AddressCorrectionError(order_address_refusal(locked))
        contact.save(
            update_fields=[
                "address_line1",
                "address_line2",
                "city",
                "province_or_state",
                "postal_or_zip",
                "address_status",
                "updated_at",
            ]
        )
        if rendered is not None:
            files.save(order.pdf, f"{order.id}.pdf", rendered.data)
            order.page_count = rendered.page_count
            order.save(update_fields=["pdf", "page_count", "updated_at"])
            if old_pdf and old_pdf != order.pdf.name:
                storage = order.pdf.storage
                transaction.on_commit(lambda: storage.delete(old_pdf))
        audit_record(
            actor=actor,
            action="order.address_correct",
            summary=f"Accepted USPS's address for {order} ({contact})",
            targets=[order, contact],
            detail={"before": address_key(old), "after": address_key(usps), "usps": verified},
        )
    return order


def label_address_accept(
    *, label: Label, side: str, before: list[str], usps: PostalAddress, verified: bool, actor: Actor
) -> Label:
    """Write USPS's form into the label's `side` address (street, city, state, ZIP+4; the name,
    company, phone and e-mail stay)."""
    if side not in LABEL_SIDES:
        raise AddressCorrectionError("No such address on a label.")
    with transaction.atomic():
        label = Label.objects.select_for_update().get(pk=label.pk)
        stored = getattr(label, side)
        if not stored or address_key(label_postal_address(label, side)) != before:
            raise AddressCorrectionError(
                "The address changed since it was checked: nothing was changed. Check it again."
            )
        old = label_postal_address(label, side)
        streets = [usps.street, *([usps.secondary] if usps.secondary else [])]
        updated = {key: value for key, value in stored.items() if key not in ("street2", "street3")}
        updated.update(street1=streets[0], city=usps.city, state=usps.state, postal_code=_zip(usps))
        if len(streets) > 1:
            updated["street2"] = streets[1]
        setattr(label, side, updated)
        label.save(update_fields=[side, "updated_at"])
        audit_record(
            actor=actor,
            action="label.address_correct",
            summary=f"Accepted USPS's {LABEL_SIDES[side].lower()} address for {label}",
            targets=[label],
            detail={
                "side": side,
                "before": address_key(old),
                "after": address_key(usps),
                "usps": verified,
            },
        )
    return label
