"""Print-mail objects as PostGrid v1 shows them (camelCase JSON), for the API and for events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.core import signing
from django.urls import reverse

from mailorders.models import BankAccount, Cheque, Contact, MailOrder, Template

PDF_URL_SALT = "mailorders.pdf-url"
# Request members per content part: (html, template) of the first and the second part.
CONTENT_FIELDS = {
    "letter": (("html", "template"), None),
    "postcard": (("frontHTML", "frontTemplate"), ("backHTML", "backTemplate")),
    "self_mailer": (("insideHTML", "insideTemplate"), ("outsideHTML", "outsideTemplate")),
    "cheque": (("letterHTML", "letterTemplate"), None),
}


def _time(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def pdf_token(order: MailOrder) -> str:
    """A signed, time-limited capability for the order's PDF (checked by the download view)."""
    return signing.dumps([order.OBJECT, order.pk], salt=PDF_URL_SALT, compress=True)


def pdf_path(order: MailOrder) -> str | None:
    if not order.pdf:
        return None
    return reverse("mailorders-pdf", kwargs={"token": pdf_token(order)})


def contact_data(contact: Contact | None) -> dict | None:
    if contact is None:
        return None
    return {
        "id": contact.id,
        "object": "contact",
        "live": contact.live,
        "firstName": contact.first_name or None,
        "lastName": contact.last_name or None,
        "companyName": contact.company_name or None,
        "jobTitle": contact.job_title or None,
        "email": contact.email or None,
        "phoneNumber": contact.phone_number or None,
        "addressLine1": contact.address_line1,
        "addressLine2": contact.address_line2 or None,
        "city": contact.city or None,
        "provinceOrState": contact.province_or_state or None,
        "postalOrZip": contact.postal_or_zip or None,
        "country": None,
        "countryCode": contact.country_code,
        "addressStatus": contact.address_status,
        "description": contact.description or None,
        "metadata": contact.metadata or None,
        "createdAt": _time(contact.created_at),
        "updatedAt": _time(contact.updated_at),
    }


def template_data(template: Template) -> dict:
    return {
        "id": template.id,
        "object": "template",
        "live": template.live,
        "description": template.description or None,
        "html": template.html,
        "metadata": template.metadata or None,
        "createdAt": _time(template.created_at),
        "updatedAt": _time(template.updated_at),
    }


def bank_account_data(account: BankAccount) -> dict:
    return {
        "id": account.id,
        "object": "bank_account",
        "live": account.live,
        "accountNumberLast4": account.account_number_last4,
        "bankCountryCode": account.bank_country_code,
        "bankName": account.bank_name,
        "bankPrimaryLine": account.bank_primary_line or None,
        "bankSecondaryLine": account.bank_secondary_line or None,
        "description": account.description or None,
        "routeNumber": account.route_number or None,
        "routingNumber": account.route_number or None,
        "signatureText": account.signature_text or None,
        "transitNumber": account.transit_number or None,
        "metadata": account.metadata or None,
        "createdAt": _time(account.created_at),
        "updatedAt": _time(account.updated_at),
    }


def order_data(order: MailOrder, *, absolute: Callable[[str], str]) -> dict:
    """The order as PostGrid shows it; `absolute` turns a path into a full URL."""
    path = pdf_path(order)
    data = {
        "id": order.id,
        "object": order.OBJECT,
        "live": order.live,
        "description": order.description or None,
        "metadata": order.metadata or None,
        "to": contact_data(order.to),
        "from": contact_data(order.from_contact),
        "sendDate": _time(order.send_date),
        "status": order.status,
        "mailingClass": order.mailing_class,
        "extraService": order.extra_service or None,
        "trackingNumber": order.tracking_number or None,
        "imbStatus": order.imb_status or None,
        "imbDate": _time(order.imb_date),
        "imbZIPCode": order.imb_zip_code or None,
        "color": order.color,
        "doubleSided": order.double_sided,
        "mergeVariables": order.merge_variables or None,
        "pageCount": order.page_count,
        "url": absolute(path) if path else None,
        "uploadedPDF": absolute(path) if path and order.uploaded_pdf else None,
        "cancellation": _cancellation(order),
        "createdAt": _time(order.created_at),
        "updatedAt": _time(order.updated_at),
    }
    first, second = CONTENT_FIELDS[order.OBJECT]
    data[first[0]] = order.html or None
    data[first[1]] = order.template_id
    if second:
        data[second[0]] = order.back_html or None
        data[second[1]] = order.back_template_id
    if hasattr(order, "size"):
        data["size"] = order.size
    if order.OBJECT == "letter":
        data["addressPlacement"] = order.address_placement
        data["envelope"] = order.envelope
    if isinstance(order, Cheque):
        data.update(
            amount=order.amount,
            currencyCode=order.currency_code,
            number=order.number,
            memo=order.memo or None,
            bankAccount=bank_account_data(order.bank_account),
        )
    return data


def _cancellation(order: MailOrder) -> dict | None:
    if not order.is_cancelled:
        return None
    return {
        "reason": order.cancellation_reason,
        "note": order.cancellation_note or None,
        "cancelledByUser": order.cancelled_by or None,
    }
