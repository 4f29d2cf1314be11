"""What the print-mail and label services share: their errors, the audit record and the webhook
event that every change writes in its own transaction, the order row lock, and transactions
that store files."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.fields.files import FieldFile

from mailorders.choices import LabelStatus
from mailorders.models import Label, MailOrder
from mailorders.representation import order_data
from shipdesk.audit import Actor, audit_record
from tracking.services.lifecycle import shipment_close


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


def label_not_cancellable(label: Label) -> LabelError:
    return LabelError(
        f"A {label.status} label cannot be cancelled.",
        details=[{"path": "label.id", "info": f"The label is {label.status}."}],
        code="not_cancellable",
    )


def label_record_cancelled(
    *, label: Label, actor: Actor, summary: str, detail: dict | None = None
) -> None:
    """Store the label as cancelled, in the caller's transaction: its shipment is closed for good
    (never tracked again), and the cancel is audited."""
    label.status = LabelStatus.CANCELLED
    label.save(update_fields=["status", "updated_at"])
    if label.shipment_id:
        shipment_close(
            shipment=label.shipment, reason="Its shipping label was cancelled.", actor=actor
        )
    audit_record(
        actor=actor, action="label.cancel", summary=summary, targets=[label], detail=detail
    )


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


logger = logging.getLogger(__name__)


class _FilesWritten:
    """Files stored by a transaction that is still open (see `atomic_with_files`)."""

    def __init__(self) -> None:
        self.stored: list[tuple] = []

    def save(self, field_file: FieldFile, name: str, data: bytes) -> None:
        """Store `data` in the model's file field (the row is saved by the caller)."""
        field_file.save(name, ContentFile(data), save=False)
        self.stored.append((field_file.storage, field_file.name))


@contextmanager
def atomic_with_files() -> Iterator[_FilesWritten]:
    """`transaction.atomic()` for work that stores files: when the block fails, its rows are
    rolled back and the files it stored are deleted, so none outlives its row."""
    written = _FilesWritten()
    try:
        with transaction.atomic():
            yield written
    except BaseException:
        for storage, name in written.stored:
            try:
                storage.delete(name)
            except Exception:  # the original failure is the one to report
                logger.exception("Could not delete %s after a failed transaction", name)
        raise
