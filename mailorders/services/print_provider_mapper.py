"""What shipdesk and a PostGrid-compatible print-mail provider say to each other (pure).

Builds the provider's create call from an order, reads the provider's order (a webhook event's
`data` or a retrieve answer, both in PostGrid's wire shape) into a `ProviderReport`, and decides
how long to wait before the next attempt. Provider codes never leave this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from mailorders.choices import CancellationReason, IMbStatus, OrderStatus

# The member of the provider order's metadata naming the shipdesk order it prints.
ORDER_ID_KEY = "shipdeskOrderId"
# The kinds of order a provider can take. A cheque needs a bank account at the provider, and
# shipdesk keeps only the last four digits of the account number: cheques print in house.
FORWARDABLE = {"letter", "postcard", "self_mailer"}
CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "company_name",
    "job_title",
    "email",
    "phone_number",
    "address_line1",
    "address_line2",
    "city",
    "province_or_state",
    "postal_or_zip",
    "country_code",
)
STATUSES = {status.value: status for status in OrderStatus}
CANCELLATION_REASONS = {reason.value for reason in CancellationReason}


class NotForwardable(ValueError):
    """An order no provider can take; the message says why."""


def contact_params(contact) -> dict:
    """A contact as postgrid-python's create calls take it (the client writes camelCase)."""
    return {name: getattr(contact, name) for name in CONTACT_FIELDS if getattr(contact, name)}


def create_params(order, *, pdf: bytes, idempotency_key: str) -> dict:
    """Keyword arguments of `client.print_mail.<kind>s.create(...)` for the order: its
    rendered PDF as it is (the provider prints exactly what shipdesk rendered), the order's
    class and size, and the shipdesk order id in the metadata."""
    if order.OBJECT not in FORWARDABLE:
        raise NotForwardable(
            f"A {order.OBJECT.replace('_', '-')} cannot be forwarded to a print-mail provider "
            "(it would need the full bank account there); it is printed in house."
        )
    params = {
        "to": contact_params(order.to),
        "pdf": (f"{order.id}.pdf", pdf, "application/pdf"),
        "description": order.description or str(order),
        "metadata": {ORDER_ID_KEY: order.id},
        "mailing_class": order.mailing_class,
        "size": order.size,
        "idempotency_key": idempotency_key,
    }
    if order.from_contact is not None:
        params["from_"] = contact_params(order.from_contact)
    if order.OBJECT == "letter":
        params.update(
            color=order.color,
            double_sided=order.double_sided,
            address_placement=order.address_placement,
        )
    if order.send_date and order.send_date > timezone.now():
        params["send_date"] = order.send_date
    return params


@dataclass(frozen=True)
class ProviderReport:
    """What the provider says about one order, in shipdesk's words."""

    provider_order_id: str
    raw_status: str
    status: OrderStatus | None  # None: a status shipdesk does not know (kept as raw_status)
    order_id: str = ""  # the shipdesk order, from the metadata shipdesk sent
    tracking_number: str = ""
    imb_status: str = ""
    imb_date: datetime | None = None
    imb_zip_code: str = ""
    cancellation_reason: str = ""
    cancellation_note: str = ""


def report_parse(data) -> ProviderReport:
    """A provider order (PostGrid's JSON: `id`, `status`, `trackingNumber`, `imbStatus`, …)."""
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"]:
        raise ValueError("The provider's order has no `id`.")
    raw_status = data.get("status") if isinstance(data.get("status"), str) else ""
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    imb_status = data.get("imbStatus") if data.get("imbStatus") in IMbStatus.values else ""
    imb_date = _time(data.get("imbDate")) if imb_status else None
    cancellation = data.get("cancellation") if isinstance(data.get("cancellation"), dict) else {}
    reason = cancellation.get("reason")
    return ProviderReport(
        provider_order_id=data["id"][:100],
        raw_status=raw_status[:40],
        status=STATUSES.get(raw_status),
        order_id=_text(metadata.get(ORDER_ID_KEY), 40),
        tracking_number=_text(data.get("trackingNumber"), 40),
        imb_status=imb_status if imb_date else "",
        imb_date=imb_date,
        imb_zip_code=_text(data.get("imbZIPCode"), 10),
        cancellation_reason=(
            reason if reason in CANCELLATION_REASONS else CancellationReason.INVALID_CONTENT
        )
        if raw_status == OrderStatus.CANCELLED
        else "",
        cancellation_note=_text(cancellation.get("note"), 500),
    )


# How far along each provider status is: news of an earlier one (webhooks arrive out of order)
# does not move the provider's status back.
STATUS_RANK = {
    OrderStatus.READY: 0,
    OrderStatus.PRINTING: 1,
    OrderStatus.PROCESSED_FOR_DELIVERY: 2,
    OrderStatus.COMPLETED: 3,
    OrderStatus.CANCELLED: 3,
}


def newer_status(known: str, reported: str) -> str:
    """The provider status to keep: the reported one unless it is behind the known one."""
    if STATUS_RANK.get(reported, -1) < STATUS_RANK.get(known, -1):
        return known
    return reported


def _text(value, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _time(value) -> datetime | None:
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return parsed if parsed is not None and timezone.is_aware(parsed) else None


def retry_delay(
    *, attempt: int, base: float, cap: float, retry_after: float | None, jitter: float = 0.0
) -> float:
    """Seconds before attempt `attempt + 1`: `base` doubled per attempt up to `cap`, plus up to
    a tenth more (`jitter` in [0, 1) spreads workers apart); never sooner than the provider's
    Retry-After."""
    delay = min(cap, base * 2 ** max(0, attempt - 1))
    delay += delay * 0.1 * jitter
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay
