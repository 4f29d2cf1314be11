"""A print batch's print-ready PDF: a cover sheet with counts, then every piece at its real size.

Each piece is the order's own PDF (rendered when the order was made, so the sheet printed is
the one the partner saw) with the print room's marks drawn over it: the Intelligent Mail
barcode in the address window (letters, cheques) or the barcode clear zone (postcards,
self-mailers), a certified or registered piece's USPS tracking barcode, a small line naming the
batch, the piece and the order, and (optionally) crop and registration marks in a bleed margin.
Pages are written one piece at a time (`mailorders.pdf_stream`): memory stays flat.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from barcode import Gs1_128
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from mailorders.choices import MailingClass
from mailorders.imb_barcode import imb_encode
from mailorders.micr import micr_font_family, micr_status
from mailorders.models import ORDER_MODELS, MailOrder, PrintBatch, PrintBatchPiece
from mailorders.pdf import font_config, offline_fetcher
from mailorders.pdf_stream import FONT_NAME, PdfStreamWriter, pdf_string
from mailorders.print_models import PieceState

INCH = 72.0
CHUNK = 200  # pieces whose orders are read from the database at once
BLEED = 0.25 * INCH
# The IMb: 65 bars at 22 a inch, 0.02in wide, 0.145in full height, 0.05in tracker.
IMB_PITCH, IMB_BAR = INCH / 22, 0.02 * INCH
IMB_FULL, IMB_TRACKER = 0.145 * INCH, 0.05 * INCH
# Where the IMb goes: inside the #10 lower window above the address (letters, cheques), or in
# the bottom right barcode clear zone (postcards, self-mailers); inches from the top left.
WINDOW_IMB = (0.85, 2.0625 + 0.06)
CLEAR_ZONE_IMB_FROM_RIGHT, CLEAR_ZONE_IMB_FROM_BOTTOM = 3.45, 0.2
ADDRESS_ON_LAST_PAGE = {"postcard", "self_mailer"}
TRACKED_MODULE = 0.015 * INCH  # GS1-128 of a certified number: 15-mil modules


@dataclass(frozen=True)
class Piece:
    """What is printed for one piece: its row, its order, and the batch's size."""

    row: PrintBatchPiece
    order: MailOrder
    total: int


def imb_bars_ops(bars: str, x: float, y: float) -> list[str]:
    """Rectangles of the IMb's bars, the full bars' bottom at (x, y) in points."""
    middle = y + IMB_FULL / 2
    ops = []
    for n, bar in enumerate(bars):
        top = y + IMB_FULL if bar in "FA" else middle + IMB_TRACKER / 2
        bottom = y if bar in "FD" else middle - IMB_TRACKER / 2
        ops.append(f"{x + n * IMB_PITCH:.2f} {bottom:.2f} {IMB_BAR:.2f} {top - bottom:.2f} re")
    ops.append("f")
    return ops


def linear_barcode_ops(modules: str, x: float, y: float, module: float, height: float):
    ops = []
    run_start = None
    for index, bit in enumerate(modules + "0"):
        if bit == "1" and run_start is None:
            run_start = index
        elif bit != "1" and run_start is not None:
            width = (index - run_start) * module
            ops.append(f"{x + run_start * module:.2f} {y:.2f} {width:.2f} {height:.2f} re")
            run_start = None
    ops.append("f")
    return ops


def text_ops(text: str, x: float, y: float, size: float = 6) -> list[str]:
    shown = pdf_string(text).decode("latin-1")
    return ["BT", f"{FONT_NAME} {size} Tf", f"{x:.2f} {y:.2f} Td", f"{shown} Tj", "ET"]


def crop_mark_ops(width: float, height: float) -> list[str]:
    """Crop marks at the four corners, outside the trim, and a registration cross top centre."""
    gap, length = 3.0, BLEED - 4.0
    ops = ["0.25 w"]
    for cx, dx in ((0.0, -1), (width, 1)):
        for cy, dy in ((0.0, -1), (height, 1)):
            ops.append(
                f"{cx + dx * gap:.2f} {cy:.2f} m {cx + dx * (gap + length):.2f} {cy:.2f} l S"
            )
            ops.append(
                f"{cx:.2f} {cy + dy * gap:.2f} m {cx:.2f} {cy + dy * (gap + length):.2f} l S"
            )
    mx, my, r = width / 2, height + BLEED / 2, 5.0
    ops.append(f"{mx - r - 2:.2f} {my:.2f} m {mx + r + 2:.2f} {my:.2f} l S")
    ops.append(f"{mx:.2f} {my - r - 2:.2f} m {mx:.2f} {my + r + 2:.2f} l S")
    ops.append(f"{mx - r:.2f} {my - r:.2f} {2 * r:.2f} {2 * r:.2f} re S")
    return ops


def piece_label(piece: Piece) -> str:
    row = piece.row
    text = f"Batch {row.batch_id} · piece {row.sequence} of {piece.total} · {piece.order.id}"
    if row.state == PieceState.FAILED or row.reprints:
        text += f" · reprint {row.reprints + (row.state == PieceState.FAILED)}"
    return text + f" · IMb {row.imb}"


def piece_overlay(piece: Piece, *, marks: bool) -> Callable[[int, int, float, float], bytes | None]:
    """The marks drawn over each page of one piece (see the module's docstring)."""
    row = piece.row
    tracking, routing = row.imb[:20], row.imb[20:]
    bars = imb_encode(tracking, routing)

    def overlay(index: int, count: int, width: float, height: float) -> bytes | None:
        address_page = count - 1 if piece.order.OBJECT in ADDRESS_ON_LAST_PAGE else 0
        ops = ["0 g"]
        if index == address_page:
            if piece.order.OBJECT in ADDRESS_ON_LAST_PAGE:
                x = width - CLEAR_ZONE_IMB_FROM_RIGHT * INCH
                y = CLEAR_ZONE_IMB_FROM_BOTTOM * INCH
                ops += text_ops(piece_label(piece), 0.15 * INCH, 0.1 * INCH, 4.5)
            else:
                x = WINDOW_IMB[0] * INCH
                y = height - WINDOW_IMB[1] * INCH - IMB_FULL
                ops += text_ops(piece_label(piece), 0.5 * INCH, 0.2 * INCH)
            ops += imb_bars_ops(bars, x, y)
            if row.tracking_number:
                ops += tracked_barcode_ops(piece, width, height)
        if marks:
            ops += crop_mark_ops(width, height)
        return "\n".join(ops).encode("latin-1") if len(ops) > 1 else None

    return overlay


def tracked_barcode_ops(piece: Piece, width: float, height: float) -> list[str]:
    """A certified or registered piece's USPS tracking number as GS1-128, top right."""
    number = piece.row.tracking_number
    modules = Gs1_128(number).build()[0]
    x = width - 0.4 * INCH - len(modules) * TRACKED_MODULE
    y = height - 1.45 * INCH
    service = piece.order.get_extra_service_display().upper()
    ops = linear_barcode_ops(modules, x, y, TRACKED_MODULE, 0.5 * INCH)
    ops += text_ops(f"USPS {service}", x, y + 0.56 * INCH, 7)
    spaced = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    return ops + text_ops(spaced, x, y - 0.12 * INCH, 7)


def batch_pieces(
    batch: PrintBatch, *, states=(PieceState.QUEUED, PieceState.PRINTED)
) -> Iterator[Piece]:
    """The batch's pieces in presort order with their orders, read CHUNK at a time."""
    rows = batch.pieces.filter(state__in=states).order_by("sequence")
    total = batch.pieces.count()  # "piece n of total" counts by the batch's sequence
    model = ORDER_MODELS[batch.object_type]
    last = -1
    while True:
        chunk = list(rows.filter(sequence__gt=last)[:CHUNK])
        if not chunk:
            return
        orders = model.objects.with_contacts().in_bulk([row.order_id for row in chunk])
        for row in chunk:
            yield Piece(row=row, order=orders[row.order_id], total=total)
        last = chunk[-1].sequence


def cover_counts(batch: PrintBatch, pieces: list[PrintBatchPiece]) -> dict:
    by_zip3 = Counter(row.zip_code[:3] or "non-US" for row in pieces)
    return {
        "pieces": len(pieces),
        "tracked": sum(1 for row in pieces if row.tracking_number),
        "reprints": sum(1 for row in pieces if row.reprints),
        "zip3": sorted(by_zip3.items()),
        "first_zip": pieces[0].zip_code if pieces else "",
        "last_zip": pieces[-1].zip_code if pieces else "",
    }


def cover_sheet(
    batch: PrintBatch, pieces: list[PrintBatchPiece], *, pages: int, title: str
) -> bytes:
    html = render_to_string(
        "pdf/print_batch_cover.html",
        {
            "batch": batch,
            "title": title,
            "counts": cover_counts(batch, pieces),
            "pages": pages,
            "mailing_class": MailingClass(batch.mailing_class).label,
            "micr": micr_status() if batch.object_type == "cheque" else "",
            "micr_missing": batch.object_type == "cheque" and not micr_font_family(),
            "now": timezone.now(),
        },
    )
    return HTML(string=html, url_fetcher=offline_fetcher()).write_pdf(font_config=font_config())


def batch_pdf_write(
    batch: PrintBatch,
    out: BinaryIO,
    *,
    marks: bool = False,
    states=(PieceState.QUEUED, PieceState.PRINTED),
    title: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the batch's PDF to `out`: its cover sheet, then each piece; `progress(done,
    total)` after each piece. Answers the page count."""
    rows = list(
        batch.pieces.filter(state__in=states)
        .order_by("sequence")
        .only("sequence", "order_id", "zip_code", "tracking_number", "reprints", "batch_id")
    )
    order_pages = _pages_per_piece(batch, rows)
    writer = PdfStreamWriter(out)
    title = title or f"{batch} print-ready"
    writer.add_pdf(cover_sheet(batch, rows, pages=order_pages + 1, title=title))
    for done, piece in enumerate(batch_pieces(batch, states=states), start=1):
        with piece.order.pdf.open("rb") as handle:
            data = handle.read()
        writer.add_pdf(data, piece_overlay(piece, marks=marks), bleed=BLEED if marks else 0)
        if progress is not None:
            progress(done, len(rows))
    writer.close(title=title)
    return writer.page_count


def _pages_per_piece(batch: PrintBatch, rows: list[PrintBatchPiece]) -> int:
    model = ORDER_MODELS[batch.object_type]
    ids = [row.order_id for row in rows]
    total = 0
    for start in range(0, len(ids), 1000):
        counts = model.objects.filter(pk__in=ids[start : start + 1000]).values_list(
            "page_count", flat=True
        )
        total += sum(n or 1 for n in counts)
    return total


def piece_pdf_write(row: PrintBatchPiece, out: BinaryIO, *, marks: bool = False) -> int:
    """One piece alone (to reprint it), marked as its reprint."""
    model = ORDER_MODELS[row.object_type]
    order = model.objects.with_contacts().get(pk=row.order_id)
    total = row.batch.pieces.count()
    writer = PdfStreamWriter(out)
    with order.pdf.open("rb") as handle:
        data = handle.read()
    piece = Piece(row=row, order=order, total=total)
    writer.add_pdf(data, piece_overlay(piece, marks=marks), bleed=BLEED if marks else 0)
    writer.close(title=f"{row.batch} piece {row.sequence}")
    return writer.page_count
