"""Contacts, templates and bank accounts: what orders are made from."""

from __future__ import annotations

from django.db import transaction

from mailorders.models import BankAccount, Contact, Template
from mailorders.services.common import MailOrderError
from shipdesk.audit import SYSTEM, Actor, audit_record
from shipdesk.models import Partner

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


def owned_get(model, *, partner: Partner, live: bool, pk, field: str, label: str):
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
