"""Reads of print-mail objects, always within one partner and one mode (test or live)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from mailorders.models import ORDER_MODELS, Cheque, Contact, MailOrder, Template


def orders_for(*, object_name: str, partner, live: bool) -> QuerySet:
    model = ORDER_MODELS[object_name]
    qs = model.objects.filter(partner=partner, live=live).with_contacts()
    if model is Cheque:
        qs = qs.select_related("bank_account")
    return qs.order_by("-created_at", "-id")


def orders_all(*, object_name: str, status: str = "") -> QuerySet:
    """Every partner's orders of one kind (the agents' pages), newest first."""
    qs = ORDER_MODELS[object_name].objects.with_contacts().select_related("partner", "shipment")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def _terms(search: str) -> str:
    return search.strip().strip('"').strip()


def orders_search(qs: QuerySet, search: str) -> QuerySet:
    """Orders whose id, description, recipient (name, company, address line, postal code) or
    tracking number contains the search text (quotes around it are ignored)."""
    text = _terms(search)
    if not text:
        return qs
    return qs.filter(
        Q(id__iexact=text)
        | Q(description__icontains=text)
        | Q(tracking_number__iexact=text.replace(" ", ""))
        | Q(to__first_name__icontains=text)
        | Q(to__last_name__icontains=text)
        | Q(to__company_name__icontains=text)
        | Q(to__address_line1__icontains=text)
        | Q(to__postal_or_zip__iexact=text)
    )


def contacts_for(*, partner, live: bool, search: str = "") -> QuerySet:
    qs = Contact.objects.filter(partner=partner, live=live).order_by("-created_at", "-id")
    text = _terms(search)
    if text:
        qs = qs.filter(
            Q(id__iexact=text)
            | Q(first_name__icontains=text)
            | Q(last_name__icontains=text)
            | Q(company_name__icontains=text)
            | Q(email__iexact=text)
            | Q(address_line1__icontains=text)
            | Q(description__icontains=text)
        )
    return qs


def templates_for(*, partner, live: bool, search: str = "") -> QuerySet:
    qs = Template.objects.filter(partner=partner, live=live).order_by("-created_at", "-id")
    text = _terms(search)
    if text:
        qs = qs.filter(Q(id__iexact=text) | Q(description__icontains=text))
    return qs


def order_get(*, object_name: str, partner, live: bool, order_id: str) -> MailOrder | None:
    if "\x00" in order_id:
        return None
    return (
        orders_for(object_name=object_name, partner=partner, live=live).filter(pk=order_id).first()
    )


def order_for_id(order_id: str) -> MailOrder | None:
    """Any order by its prefixed id (`letter_…`, `self_mailer_…`), whoever owns it."""
    model = ORDER_MODELS.get(order_id.rpartition("_")[0])
    if model is None or "\x00" in order_id:
        return None
    return model.objects.with_contacts().filter(pk=order_id).first()
