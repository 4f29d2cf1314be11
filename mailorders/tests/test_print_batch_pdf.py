"""Batch PDFs read back: the page count, each piece's real size, the text printed on it, its
Intelligent Mail barcode decoded from the rendered pixels, a certified number's GS1-128 barcode,
crop marks, and the cover sheet's counts (and its plain word when no MICR font is installed)."""

from __future__ import annotations

import io

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from mailorders import batch_pdf, micr
from mailorders.batch_pdf import batch_pdf_write
from mailorders.imb_barcode import imb_decode
from mailorders.print_models import PieceState
from mailorders.tests.print_support import (
    batch_of,
    make_cheque,
    make_letter,
    make_postcard,
)

pytestmark = pytest.mark.django_db
DPI = 300


def written(batch, **options) -> bytes:
    out = io.BytesIO()
    batch_pdf_write(batch, out, **options)
    return out.getvalue()


def bars_read(pdf: bytes, page_index: int, *, left_in: float, top_in: float) -> str:
    """The 65 bars of an IMb read from the page's pixels: the barcode's band (from `top_in`
    below the page's top edge, 0.145in high, starting near `left_in`) cut into bars by the
    tracker row, each bar classed by whether it reaches up and down."""
    page = pypdfium2.PdfDocument(pdf)[page_index]
    image = page.render(scale=DPI / 72).to_pil().convert("L")
    dark = lambda x, y: image.getpixel((x, y)) < 128  # noqa: E731
    top = round(top_in * DPI)
    height = round(0.145 * DPI)
    middle, upper, lower = top + height // 2, top + height // 6, top + height - height // 6
    start = round((left_in - 0.1) * DPI)
    end = min(image.width - 1, start + round(3.4 * DPI))
    centres, run = [], None
    for x in range(start, end):
        if dark(x, middle) and run is None:
            run = x
        elif not dark(x, middle) and run is not None:
            centres.append((run + x) // 2)
            run = None
    letters = []
    for x in centres:
        up, down = dark(x, upper), dark(x, lower)
        letters.append("F" if up and down else "A" if up else "D" if down else "T")
    return "".join(letters)


def test_a_letter_batch_reads_back_piece_by_piece(api):
    make_letter(api, "60601")
    make_letter(api, "10013")
    batch = batch_of()
    pdf = written(batch)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3  # the cover sheet and two one-page letters
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)
    cover = reader.pages[0].extract_text()
    assert f"{batch} print-ready" in cover and "TEST ORDERS" in cover
    assert "Pieces 2" in " ".join(cover.split())
    pieces = list(batch.pieces.order_by("sequence"))
    for index, piece in enumerate(pieces, start=1):
        text = reader.pages[index].extract_text()
        assert f"piece {piece.sequence} of 2" in text and piece.order_id in text
        assert f"IMb {piece.imb}" in text
        assert piece.zip_code in text  # the address printed by the order's own PDF
        bars = bars_read(
            pdf, index, left_in=batch_pdf.WINDOW_IMB[0], top_in=batch_pdf.WINDOW_IMB[1]
        )
        fields = imb_decode(bars)
        assert fields.tracking + fields.routing == piece.imb


def test_a_certified_letter_carries_its_tracking_barcode(api):
    make_letter(api, "10013", mailingClass="certified")
    batch = batch_of()
    piece = batch.pieces.get()
    assert piece.tracking_number.startswith("9207")
    pdf = written(batch)
    page = pypdfium2.PdfDocument(pdf)[1]
    image = page.render(scale=DPI / 72).to_pil()
    found = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormat.Code128, text_mode=zxingcpp.TextMode.Plain
    )
    assert [r.text for r in found] == [piece.tracking_number]
    text = PdfReader(io.BytesIO(pdf)).pages[1].extract_text()
    assert "USPS CERTIFIED MAIL" in text


@pytest.mark.parametrize(("size", "inches"), [("6x4", (6, 4)), ("9x6", (9, 6)), ("11x6", (11, 6))])
def test_postcards_print_at_their_size_with_the_imb_in_the_clear_zone(api, size, inches):
    make_postcard(api, "94105", size=size)
    batch = batch_of("postcard")
    pdf = written(batch)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3  # cover, front, back (the address side)
    for page in reader.pages[1:]:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (
            inches[0] * 72,
            inches[1] * 72,
        )
    piece = batch.pieces.get()
    back = reader.pages[2].extract_text()
    assert f"IMb {piece.imb}" in back and "IMb" not in reader.pages[1].extract_text()
    left = inches[0] - batch_pdf.CLEAR_ZONE_IMB_FROM_RIGHT
    top = inches[1] - batch_pdf.CLEAR_ZONE_IMB_FROM_BOTTOM - 0.145
    fields = imb_decode(bars_read(pdf, 2, left_in=left, top_in=top))
    assert fields.tracking + fields.routing == piece.imb


def test_crop_marks_add_a_bleed_around_the_real_size(api):
    make_letter(api, "10013")
    batch = batch_of()
    reader = PdfReader(io.BytesIO(written(batch, marks=True)))
    piece = reader.pages[1]
    assert [float(v) for v in piece.trimbox] == [0, 0, 612, 792]
    assert [float(v) for v in piece.mediabox] == [-18, -18, 630, 810]


def test_pulled_and_failed_pieces_are_left_out_and_the_cover_counts_what_is_in(api):
    for zip_code in ("10013", "60601", "94105"):
        make_letter(api, zip_code)
    batch = batch_of()
    first, second, _ = batch.pieces.order_by("sequence")
    first.state = PieceState.PULLED
    first.save()
    second.state = PieceState.FAILED
    second.save()
    reader = PdfReader(io.BytesIO(written(batch)))
    assert len(reader.pages) == 2
    text = reader.pages[1].extract_text()
    assert "piece 3 of 3" in text and "94105" in text
    cover = " ".join(reader.pages[0].extract_text().split())
    assert "Pieces 1" in cover and "Pages (with this sheet) 2" in cover


def test_a_cheque_batch_says_plainly_when_no_micr_font_is_installed(api, monkeypatch):
    make_cheque(api, "10013")
    batch = batch_of("cheque")
    monkeypatch.setattr(batch_pdf, "micr_font_family", lambda: "")
    monkeypatch.setattr(micr, "micr_font_family", lambda: "")
    cover = PdfReader(io.BytesIO(written(batch))).pages[0].extract_text()
    assert "No E-13B MICR font is installed" in " ".join(cover.split())
    assert "cheque stock" in cover
    monkeypatch.setattr(batch_pdf, "micr_font_family", lambda: "GnuMICR")
    monkeypatch.setattr(micr, "micr_font_family", lambda: "GnuMICR")
    cover = PdfReader(io.BytesIO(written(batch))).pages[0].extract_text()
    assert "E-13B font “GnuMICR”" in " ".join(cover.split())


def test_the_micr_font_is_found_by_its_family_name(monkeypatch):
    micr.micr_font_family.cache_clear()
    listing = "DejaVu Sans\nGnuMICR,GnuMICR Regular\nLiberation Mono\n"

    class Done:
        stdout = listing

    monkeypatch.setattr(micr.subprocess, "run", lambda *a, **k: Done())
    monkeypatch.setattr(micr.shutil, "which", lambda name: "/usr/bin/fc-list")
    assert micr.micr_font_family() == "GnuMICR"
    micr.micr_font_family.cache_clear()
    Done.stdout = "DejaVu Sans\n"
    assert micr.micr_font_family() == ""
    micr.micr_font_family.cache_clear()


def test_the_command_writes_the_pdf_with_a_progress_bar(api, tmp_path):
    from django.core.management import CommandError, call_command

    for zip_code in ("10013", "60601"):
        make_letter(api, zip_code)
    batch = batch_of()
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "batch.pdf"
    call_command("print_batch_pdf", str(batch.pk), "--output", str(target), stdout=out, stderr=err)
    assert len(PdfReader(target).pages) == 3
    assert f"{batch}: 3 pages" in out.getvalue()
    call_command("print_batch_pdf", str(batch.pk), stdout=out, stderr=err)
    batch.refresh_from_db()
    assert batch.pdf_state == "ready" and batch.pdf_pages_done == 2
    with pytest.raises(CommandError, match="no batch 999"):
        call_command("print_batch_pdf", "999")
