"""The in-house print house: the print room's queue of ready orders, gathered into batches.

A batch holds one kind, size, colour, duplex and mailing class of orders (test and live apart),
in destination ZIP order for presort. Its orders stay `ready` (and cancellable: a cancelled one
is pulled) until the batch is marked printed (`printing`), then mailed
(`processed_for_delivery`, tracked Shipments for certified and registered pieces); an IMb scan
of the piece out for delivery completes it. Each batch change is one transaction, audited,
every order's step sending its webhook.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from mailorders.choices import OrderStatus
from mailorders.models import ORDER_MODELS, MailOrder, PrintBatch, PrintBatchPiece, PrintJob
from mailorders.print_models import BatchStatus, PdfState, PieceState, PrintJobState
from mailorders.print_selectors import BatchKey, queue_orders
from mailorders.printhouse import IN_HOUSE, PrintHouse
from mailorders.services.common import MailOrderError
from mailorders.services.orders import generate_tracking_number
from mailorders.services.printhouse import print_status_report
from shipdesk.audit import Actor, audit_record

# IMb service type ids: Full-Service with IV MTR, no address correction (USPS STID table).
STID_MARKETING = "271"
STID_FIRST_CLASS = "270"
MARKETING_CLASSES = {"standard_class", "usps_standard_class", "usps_eddm"}
ZIP_DIGITS = str.maketrans("", "", "- ")
_MAILER_ID = re.compile(r"^([0-8][0-9]{5}|9[0-9]{8})\Z")  # 6 digits (0-8…) or 9 digits (9…)


class InHousePrintHouse(PrintHouse):
    """Orders wait in the print queue until the print room batches, prints and mails them."""

    key = IN_HOUSE
    label = "In-house print queue"

    def submit(self, *, job: PrintJob, order: MailOrder) -> None:
        if job.state == PrintJobState.PENDING:
            job.state = PrintJobState.SUBMITTED
            job.save(update_fields=["state", "updated_at"])

    def cancel(self, *, job: PrintJob | None, order: MailOrder, actor: Actor) -> None:
        piece_pull(order=order, actor=actor)


def _batch_locked(batch: PrintBatch) -> PrintBatch:
    return PrintBatch.objects.select_for_update().get(pk=batch.pk)


def _refuse(message: str, field: str = "status") -> MailOrderError:
    return MailOrderError(message, field=field, code="invalid_transition")


def piece_pull(*, order: MailOrder, actor: Actor) -> PrintBatchPiece | None:
    """Take a cancelled order's piece out of its batch, which must not be printed yet."""
    piece = (
        PrintBatchPiece.objects.select_related("batch")
        .exclude(state=PieceState.PULLED)
        .filter(object_type=order.OBJECT, order_id=order.pk)
        .first()
    )
    if piece is None:
        return None
    batch = _batch_locked(piece.batch)
    if batch.status != BatchStatus.OPEN:
        raise _refuse(f"{order} is in {batch}, already {batch.status}; it cannot be withdrawn.")
    piece.state = PieceState.PULLED
    piece.save(update_fields=["state"])
    if batch.pdf_state:  # the file still has the piece: make it again
        batch.pdf_state = PdfState.NONE
        batch.save(update_fields=["pdf_state"])
    audit_record(
        actor=actor,
        action="print_batch.pull",
        summary=f"{batch}: pulled {order} (cancelled)",
        targets=[batch, order],
    )
    return piece


def _zip(order: MailOrder) -> str:
    to = order.to
    digits = to.postal_or_zip.translate(ZIP_DIGITS)
    if to.country_code != "US" or not digits.isascii() or not digits.isdigit():
        return ""
    return digits if len(digits) in (5, 9, 11) else ""


def _imb_digits(piece: PrintBatchPiece, mailing_class: str) -> str:
    mailer_id = (
        settings.PRINT_MAILER_ID if _MAILER_ID.match(settings.PRINT_MAILER_ID) else "900000001"
    )
    stid = STID_MARKETING if mailing_class in MARKETING_CLASSES else STID_FIRST_CLASS
    serial_digits = 20 - 5 - len(mailer_id)
    serial = f"{piece.pk % 10**serial_digits:0{serial_digits}d}"
    return f"00{stid}{mailer_id}{serial}{piece.zip_code}"


def print_batch_create(*, key: BatchKey, actor: Actor, limit: int | None = None) -> PrintBatch:
    """Gather the queue's orders of one kind into a new batch, in presort (ZIP) order."""
    with transaction.atomic():
        orders = list(queue_orders(key).order_by("to__postal_or_zip", "created_at", "id")[:limit])
        if not orders:
            raise MailOrderError("No order of this kind waits to be printed.", field="batch")
        batch = PrintBatch.objects.create(
            object_type=key.object_type,
            size=key.size,
            color=key.color,
            double_sided=key.double_sided,
            mailing_class=key.mailing_class,
            live=key.live,
            created_by=actor.label,
        )
        pieces = [
            PrintBatchPiece(
                batch=batch,
                object_type=key.object_type,
                order_id=order.pk,
                sequence=index,
                zip_code=_zip(order),
                tracking_number=generate_tracking_number(order) if order.extra_service else "",
            )
            for index, order in enumerate(orders, start=1)
        ]
        try:
            with transaction.atomic():
                pieces = PrintBatchPiece.objects.bulk_create(pieces)
        except IntegrityError as exc:
            raise MailOrderError(
                "Some of these orders were just put in another batch; look at the queue again.",
                field="batch",
                code="conflict",
            ) from exc
        if any(piece.pk is None for piece in pieces):  # databases that return no ids
            pieces = list(batch.pieces.order_by("sequence"))
        for piece in pieces:
            piece.imb = _imb_digits(piece, key.mailing_class)
        PrintBatchPiece.objects.bulk_update(pieces, ["imb"], batch_size=500)
        audit_record(
            actor=actor,
            action="print_batch.create",
            summary=f"{batch}: {len(pieces)} {key.label}",
            targets=[batch, *orders],
            detail={"pieces": len(pieces), "key": key.as_dict()},
        )
    return batch


def print_batches_create(*, keys: list[BatchKey], actor: Actor) -> list[PrintBatch]:
    return [print_batch_create(key=key, actor=actor) for key in keys]


def _orders_of(batch: PrintBatch, pieces: list[PrintBatchPiece]) -> dict[str, MailOrder]:
    model = ORDER_MODELS[batch.object_type]
    return model.objects.with_contacts().in_bulk([piece.order_id for piece in pieces])


def print_batch_mark_printed(*, batch: PrintBatch, actor: Actor) -> PrintBatch:
    """Every piece to print is printed: its order moves to `printing`."""
    with transaction.atomic():
        batch = _batch_locked(batch)
        if batch.status != BatchStatus.OPEN:
            raise _refuse(f"{batch} is already {batch.get_status_display().lower()}.")
        pieces = list(batch.pieces.filter(state__in=[PieceState.QUEUED, PieceState.FAILED]))
        printable = [piece for piece in pieces if piece.state == PieceState.QUEUED]
        if not printable:
            raise _refuse(f"{batch} has no piece left to print.")
        orders = _orders_of(batch, printable)
        for piece in printable:
            print_status_report(
                order=orders[piece.order_id], status=OrderStatus.PRINTING, actor=actor
            )
            piece.state = PieceState.PRINTED
        PrintBatchPiece.objects.bulk_update(printable, ["state"], batch_size=500)
        for piece in pieces:  # a piece failed before the run is in production all the same
            if piece.state == PieceState.FAILED:
                print_status_report(
                    order=_orders_of(batch, [piece])[piece.order_id],
                    status=OrderStatus.PRINTING,
                    actor=actor,
                )
        batch.status = BatchStatus.PRINTED
        batch.printed_at = timezone.now()
        batch.printed_by = actor.label
        batch.save()
        audit_record(
            actor=actor,
            action="print_batch.printed",
            summary=f"{batch}: printed {len(printable)} pieces",
            targets=[batch],
            detail={"pieces": len(printable)},
        )
    return batch


def piece_mark_failed(*, piece: PrintBatchPiece, note: str, actor: Actor) -> PrintBatchPiece:
    """A piece jammed or was damaged: it waits to be reprinted alone."""
    note = note.strip()
    if not note:
        raise MailOrderError(
            "What happened to the piece (jam, damaged …) is required.", field="note"
        )
    with transaction.atomic():
        batch = _batch_locked(piece.batch)
        piece = PrintBatchPiece.objects.get(pk=piece.pk)
        if batch.status == BatchStatus.MAILED:
            raise _refuse(f"{batch} is mailed; its pieces can no longer be reprinted.")
        if piece.state not in (PieceState.QUEUED, PieceState.PRINTED):
            raise _refuse(f"Piece {piece.sequence} is {piece.get_state_display().lower()}.")
        piece.state = PieceState.FAILED
        piece.failure_note = note[:200]
        piece.save(update_fields=["state", "failure_note"])
        audit_record(
            actor=actor,
            action="print_batch.piece_failed",
            summary=f"{batch}: piece {piece.sequence} ({piece.order_id}) failed: {note[:200]}",
            targets=[batch],
            detail={"piece": piece.sequence, "order": piece.order_id, "note": note[:200]},
        )
    return piece


def piece_mark_reprinted(*, piece: PrintBatchPiece, actor: Actor) -> PrintBatchPiece:
    """The failed piece was printed again (from its own PDF)."""
    with transaction.atomic():
        batch = _batch_locked(piece.batch)
        piece = PrintBatchPiece.objects.get(pk=piece.pk)
        if piece.state != PieceState.FAILED:
            raise _refuse(f"Piece {piece.sequence} has not failed; there is nothing to reprint.")
        piece.reprints += 1
        piece.state = PieceState.QUEUED if batch.status == BatchStatus.OPEN else PieceState.PRINTED
        piece.save(update_fields=["state", "reprints"])
        audit_record(
            actor=actor,
            action="print_batch.piece_reprinted",
            summary=f"{batch}: piece {piece.sequence} ({piece.order_id}) reprinted",
            targets=[batch],
            detail={"piece": piece.sequence, "order": piece.order_id, "reprints": piece.reprints},
        )
    return piece


@dataclass(frozen=True)
class MailEntry:
    """Where and when USPS took the batch."""

    entry_date: date
    facility: str
    zip_code: str = ""


def _entry_checked(entry: MailEntry, batch: PrintBatch) -> MailEntry:
    facility = entry.facility.strip()
    if not facility:
        raise MailOrderError("The USPS entry facility is required.", field="facility")
    if entry.entry_date > timezone.localdate():
        raise MailOrderError("The USPS entry date cannot be in the future.", field="entry_date")
    if batch.printed_at and entry.entry_date < timezone.localtime(batch.printed_at).date():
        raise MailOrderError("The batch was mailed before it was printed?", field="entry_date")
    zip_code = entry.zip_code.strip()
    if zip_code and not (len(zip_code) == 5 and zip_code.isascii() and zip_code.isdigit()):
        raise MailOrderError("The facility's ZIP Code is five digits.", field="zip_code")
    return MailEntry(entry_date=entry.entry_date, facility=facility[:200], zip_code=zip_code)


def print_batch_mark_mailed(*, batch: PrintBatch, entry: MailEntry, actor: Actor) -> PrintBatch:
    """USPS took the printed batch: each order is processed for delivery; a certified or
    registered piece's number (printed on it) becomes its tracked Shipment."""
    with transaction.atomic():
        batch = _batch_locked(batch)
        if batch.status != BatchStatus.PRINTED:
            raise _refuse(
                f"{batch} is {batch.get_status_display().lower()}; only a printed batch is mailed."
            )
        entry = _entry_checked(entry, batch)
        failed = batch.pieces.filter(state=PieceState.FAILED).count()
        if failed:
            raise _refuse(f"{batch} has {failed} failed piece(s); reprint them first.")
        pieces = list(batch.pieces.filter(state=PieceState.PRINTED).order_by("sequence"))
        orders = _orders_of(batch, pieces)
        for piece in pieces:
            print_status_report(
                order=orders[piece.order_id],
                status=OrderStatus.PROCESSED_FOR_DELIVERY,
                tracking_number=piece.tracking_number,
                actor=actor,
            )
        batch.status = BatchStatus.MAILED
        batch.mailed_at = timezone.now()
        batch.mailed_by = actor.label
        batch.entry_date = entry.entry_date
        batch.entry_facility = entry.facility
        batch.entry_zip_code = entry.zip_code
        batch.save()
        audit_record(
            actor=actor,
            action="print_batch.mailed",
            summary=f"{batch}: {len(pieces)} pieces mailed at {entry.facility} on "
            f"{entry.entry_date:%Y-%m-%d}",
            targets=[batch],
            detail={
                "pieces": len(pieces),
                "entry_date": entry.entry_date.isoformat(),
                "facility": entry.facility,
                "zip_code": entry.zip_code,
            },
        )
    return batch


# -- the batch's PDF -----------------------------------------------------------------------


def print_batch_pdf_request(*, batch: PrintBatch, actor: Actor) -> PrintBatch:
    """Queue the making of the batch's PDF (the page shows its progress)."""
    from mailorders.tasks import print_batch_pdf_task

    with transaction.atomic():
        batch = _batch_locked(batch)
        if batch.pdf_state == PdfState.RENDERING:
            return batch
        batch.pdf_state = PdfState.RENDERING
        batch.pdf_pages_done = 0
        batch.pdf_pages_total = batch.pieces.exclude(state=PieceState.PULLED).count()
        batch.pdf_error = ""
        batch.save()
        audit_record(
            actor=actor, action="print_batch.pdf", summary=f"{batch}: PDF asked", targets=[batch]
        )
        transaction.on_commit(lambda: print_batch_pdf_task.enqueue(batch_id=batch.pk))
    return batch


def print_batch_pdf_render(*, batch: PrintBatch, marks: bool = False, progress=None) -> PrintBatch:
    """Make the batch's PDF into a temporary file, then store it; the batch's row counts the
    pieces done as it goes (every few pieces, in its own short transaction)."""
    from mailorders.batch_pdf import batch_pdf_write

    every = 25
    total = batch.pieces.filter(state__in=[PieceState.QUEUED, PieceState.PRINTED]).count()
    PrintBatch.objects.filter(pk=batch.pk).update(
        pdf_state=PdfState.RENDERING, pdf_pages_done=0, pdf_pages_total=total, pdf_error=""
    )

    def step(done: int, total: int) -> None:
        if progress is not None:
            progress(done, total)
        if done % every == 0 or done == total:
            PrintBatch.objects.filter(pk=batch.pk).update(pdf_pages_done=done)

    try:
        with tempfile.TemporaryFile() as out:
            batch_pdf_write(batch, out, marks=marks, progress=step)
            out.seek(0)
            old = batch.pdf.name
            batch.pdf.save(f"batch-{batch.pk}.pdf", File(out), save=False)
        PrintBatch.objects.filter(pk=batch.pk).update(
            pdf=batch.pdf.name, pdf_state=PdfState.READY, pdf_pages_done=total
        )
        if old and old != batch.pdf.name:
            batch.pdf.storage.delete(old)
    except Exception as exc:
        PrintBatch.objects.filter(pk=batch.pk).update(
            pdf_state=PdfState.FAILED, pdf_error=str(exc)[:500]
        )
        raise
    batch.refresh_from_db()
    return batch
