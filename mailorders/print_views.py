"""The print room's pages: the queue of orders waiting to print, batches, their PDFs, and the
steps a batch goes through (printed, mailed; a piece failed, reprinted). Every bulk step asks
for confirmation first; the work is done by mailorders.services.print_queue."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from mailorders.batch_pdf import piece_pdf_write
from mailorders.micr import micr_status
from mailorders.models import PrintBatch, PrintBatchPiece
from mailorders.print_forms import MailedForm, PieceFailedForm
from mailorders.print_models import BatchStatus, PdfState, PieceState
from mailorders.print_selectors import (
    BatchKey,
    batch_key_of,
    batch_pieces_page,
    batches_recent,
    queue_groups,
)
from mailorders.services import print_queue
from mailorders.services.common import MailOrderError
from shipdesk.audit import Actor, audit_for
from shipdesk.roles import print_room_required

PIECES_PER_PAGE = 100


def _confirm(request, *, title: str, explanation: str, button: str, back: str, fields: dict):
    """The confirmation page of a bulk step: the same POST again, with `confirmed`."""
    return render(
        request,
        "mailorders/print_confirm.html",
        {
            "title": title,
            "explanation": explanation,
            "button": button,
            "back": back,
            "fields": fields,
        },
    )


def _confirmed(request) -> bool:
    return request.POST.get("confirmed") == "yes"


@require_safe
@print_room_required
def print_queue_page(request):
    groups = queue_groups()
    return render(
        request,
        "mailorders/print_queue.html",
        {
            "groups": groups,
            "waiting": sum(group.count for group in groups),
            "batches": batches_recent(),
            "micr": micr_status() if any(g.key.object_type == "cheque" for g in groups) else "",
        },
    )


@require_POST
@print_room_required
def batch_create(request):
    key = BatchKey.from_token(request.POST.get("key", ""))
    back = reverse("print-queue")
    if key is None:
        messages.error(request, "That batch kind is not one the queue knows.")
        return redirect(back)
    if not _confirmed(request):
        count = next((g.count for g in queue_groups() if g.key == key), 0)
        return _confirm(
            request,
            title="Make a batch?",
            explanation=f"Gather the {count} waiting {key.label} into one batch, in ZIP order. "
            "They stay ready (and can still be cancelled) until the batch is printed.",
            button="Make the batch",
            back=back,
            fields={"key": key.token},
        )
    try:
        batch = print_queue.print_batch_create(key=key, actor=Actor.for_user(request.user))
    except MailOrderError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, f"{batch} made: {batch.pieces.count()} pieces.")
    return redirect("print-batch", batch_id=batch.pk)


@require_safe
@print_room_required
def batch_detail(request, batch_id: int):
    batch = get_object_or_404(PrintBatch, pk=batch_id)
    counts = {state: 0 for state in PieceState.values}
    for row in batch.pieces.order_by().values("state").annotate(n=Count("pk")):
        counts[row["state"]] = row["n"]
    paginator = Paginator(range(sum(counts.values())), PIECES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    offset = page.start_index() - 1 if page.object_list else 0
    rows = batch_pieces_page(batch, offset=offset, limit=PIECES_PER_PAGE)
    return render(
        request,
        "mailorders/print_batch.html",
        {
            "batch": batch,
            "key": batch_key_of(batch),
            "counts": counts,
            "to_print": counts[PieceState.QUEUED] + counts[PieceState.PRINTED],
            "rows": rows,
            "page": page,
            "mailed_form": MailedForm(initial={"entry_date": timezone.localdate()}),
            "events": list(audit_for(batch)[:20]),
            "micr": micr_status() if batch.object_type == "cheque" else "",
            "rendering": batch.pdf_state == PdfState.RENDERING,
        },
    )


@require_safe
@print_room_required
def batch_progress(request, batch_id: int):
    batch = get_object_or_404(PrintBatch, pk=batch_id)
    return JsonResponse(
        {
            "state": batch.pdf_state,
            "done": batch.pdf_pages_done,
            "total": batch.pdf_pages_total,
            "percent": batch.pdf_percent,
            "error": batch.pdf_error,
        }
    )


@require_POST
@print_room_required
def batch_pdf_make(request, batch_id: int):
    batch = get_object_or_404(PrintBatch, pk=batch_id)
    print_queue.print_batch_pdf_request(batch=batch, actor=Actor.for_user(request.user))
    return redirect("print-batch", batch_id=batch.pk)


@require_safe
@print_room_required
def batch_pdf(request, batch_id: int):
    batch = get_object_or_404(PrintBatch, pk=batch_id)
    if batch.pdf_state != PdfState.READY or not batch.pdf:
        raise Http404("This batch's PDF is not made yet.")
    try:
        handle = batch.pdf.open("rb")
    except OSError as exc:
        raise Http404("This batch's PDF is gone; make it again.") from exc
    return FileResponse(
        handle, as_attachment=True, content_type="application/pdf", filename=f"batch-{batch.pk}.pdf"
    )


@require_POST
@print_room_required
def batch_printed(request, batch_id: int):
    batch = get_object_or_404(PrintBatch, pk=batch_id)
    back = reverse("print-batch", args=[batch.pk])
    if not _confirmed(request):
        pieces = batch.pieces.filter(state=PieceState.QUEUED).count()
        return _confirm(
            request,
            title=f"Mark {batch} printed?",
            explanation=f"All {pieces} pieces to print were printed: their orders move to "
            "Printing and their partners are told (webhooks). Pieces already marked failed wait "
            "for their reprint.",
            button="Mark printed",
            back=back,
            fields={},
        )
    try:
        print_queue.print_batch_mark_printed(batch=batch, actor=Actor.for_user(request.user))
    except MailOrderError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{batch} is printed.")
    return redirect(back)


@require_POST
@print_room_required
def batch_mailed(request, batch_id: int):
    batch = get_object_or_404(PrintBatch, pk=batch_id)
    back = reverse("print-batch", args=[batch.pk])
    form = MailedForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors_text())
        return redirect(back)
    entry = form.entry()
    if not _confirmed(request):
        pieces = batch.pieces.filter(state=PieceState.PRINTED).count()
        return _confirm(
            request,
            title=f"Mark {batch} mailed?",
            explanation=f"{pieces} pieces entered at {entry.facility} on "
            f"{entry.entry_date:%Y-%m-%d}: their orders move to Processed for delivery, "
            "certified and registered pieces start being tracked, and partners are told.",
            button="Mark mailed",
            back=back,
            fields={
                "entry_date": entry.entry_date.isoformat(),
                "facility": entry.facility,
                "zip_code": entry.zip_code,
            },
        )
    try:
        print_queue.print_batch_mark_mailed(
            batch=batch, entry=entry, actor=Actor.for_user(request.user)
        )
    except MailOrderError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{batch} is mailed.")
    return redirect(back)


def _piece(batch_id: int, sequence: int) -> PrintBatchPiece:
    return get_object_or_404(
        PrintBatchPiece.objects.select_related("batch"), batch_id=batch_id, sequence=sequence
    )


@require_POST
@print_room_required
def piece_failed(request, batch_id: int, sequence: int):
    piece = _piece(batch_id, sequence)
    form = PieceFailedForm(request.POST)
    back = reverse("print-batch", args=[batch_id])
    note = form.data.get("note", "") if not form.is_valid() else form.cleaned_data["note"]
    try:
        print_queue.piece_mark_failed(piece=piece, note=note, actor=Actor.for_user(request.user))
    except MailOrderError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Piece {sequence} is marked failed; reprint it alone.")
    return redirect(back)


@require_POST
@print_room_required
def piece_reprinted(request, batch_id: int, sequence: int):
    piece = _piece(batch_id, sequence)
    try:
        print_queue.piece_mark_reprinted(piece=piece, actor=Actor.for_user(request.user))
    except MailOrderError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Piece {sequence} is reprinted.")
    return redirect("print-batch", batch_id=batch_id)


@require_safe
@print_room_required
def piece_pdf(request, batch_id: int, sequence: int):
    """The one piece's PDF, to reprint it alone."""
    piece = _piece(batch_id, sequence)
    if piece.state == PieceState.PULLED or piece.batch.status == BatchStatus.MAILED:
        raise Http404("This piece is not to be printed.")
    out = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
    piece_pdf_write(piece, out)
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        content_type="application/pdf",
        filename=f"batch-{batch_id}-piece-{sequence}.pdf",
    )
