"""What the print-mail services share: their error, the audit record and the webhook event
that every change writes in its own transaction, and the order row lock."""

from __future__ import annotations

from django.conf import settings

from mailorders.models import MailOrder
from mailorders.representation import order_data
from shipdesk.audit import Actor, audit_record


class MailOrderError(ValueError):
    """A request that cannot be carried out; `field` names the member at fault. Refusals are
    400s, never 409s: PostGrid's clients retry a 409 as if it were transient."""

    def __init__(
        self, message: str, *, field: str | None = None, code: str = "invalid", status: int = 400
    ):
        super().__init__(message)
        self.field = field
        self.code = code
        self.status = status


class LabelError(MailOrderError):
    """A refused label request; `details` lists every field at fault."""

    def __init__(self, message: str, *, details: list[dict], code: str = "invalid"):
        field = details[0]["path"] if details else None
        super().__init__(message, field=field, code=code)
        self.details = details


def order_event_emit(*, order: MailOrder, kind: str) -> None:
    """Record `<object>.<kind>` (created or updated) for the partner's webhooks, in the caller's
    transaction. The one place print-mail events leave this app."""
    from shipdesk.webhooks import event_record

    event_record(
        partner=order.partner,
        type=f"{order.OBJECT}.{kind}",
        data=order_data(order, absolute=lambda path: settings.SITE_URL + path),
    )


def order_audit(actor: Actor, order: MailOrder, verb: str, summary: str, **detail) -> None:
    audit_record(
        actor=actor,
        action=f"{order.OBJECT}.{verb}",
        summary=summary,
        targets=[order],
        detail=detail,
    )


def order_locked(order: MailOrder) -> MailOrder:
    """The order re-read under a row lock (call inside a transaction)."""
    return type(order).objects.select_for_update(of=("self",)).with_contacts().get(pk=order.pk)
