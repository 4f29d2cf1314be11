"""Label PDFs read back: page size, tracking number text, and the barcode decoded from pixels."""

from __future__ import annotations

import io

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from mailorders.label_pdf import human_readable, label_pdf_render
from mailorders.services.labels import label_create
from mailorders.tests.label_bodies import label_body

POINTS_PER_INCH = 72


def decoded_barcodes(pdf: bytes) -> list[zxingcpp.Result]:
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=300 / POINTS_PER_INCH).to_pil()
    return zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormat.Code128, text_mode=zxingcpp.TextMode.Plain
    )


@pytest.mark.parametrize("paper_size, height_in", [("4x6", 6), ("4x8", 8)])
def test_label_pdf_reads_back_and_its_barcode_decodes(partner, account, paper_size, height_in):
    label = label_create(
        partner=partner, data=label_body(account.pk, paper_size=paper_size, references=["PO-77"])
    )
    pdf = label_pdf_render(label=label)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(box.width), round(box.height)) == (4 * 72, height_in * 72)
    text = reader.pages[0].extract_text()
    number = label.tracking_number
    assert human_readable(number) in text
    for expected in ("Ada Lovelace", "145 Mulberry St", "AfterShip Shipping", "PO-77", "EXPRESS"):
        assert expected in text
    results = decoded_barcodes(pdf)
    assert [r.text for r in results] == [number]
    assert results[0].content_type == zxingcpp.ContentType.GS1


def test_created_label_keeps_its_pdf(partner, account):
    label = label_create(partner=partner, data=label_body(account.pk, paper_size="4x8"))
    with label.label_file.open("rb") as stored:
        pdf = stored.read()
    assert label.label_file.name.endswith(f"{label.id}.pdf")
    assert [r.text for r in decoded_barcodes(pdf)] == [label.tracking_number]
